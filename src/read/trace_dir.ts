/**
 * The trace files of a directory, and finding one session among them by
 * path, file name, session id, unique prefix, or `latest`.
 *
 * A directory holds `<agent>_<session_id>.jsonl` files and, when the agent
 * saved them, `<agent>_<session_id>.json` snapshots of the same sessions. A
 * snapshot next to its JSONL file is the same session and is listed once (as
 * the JSONL file, which also holds steps in flight).
 *
 * @module
 */

import { basename, join } from "node:path";
import {
  listDir,
  NotFoundError,
  openRead,
  type PathKind,
  PermissionError,
  readTextFile,
  statPath,
} from "../runtime.ts";
import { parseJsonLine } from "../format/parse_line.ts";
import { hasTraceRecord, skipReason } from "../format/record_line.ts";
import { isTraceFileName, parseTraceFileName } from "./session_reader.ts";
import { readAgentName } from "./session_index.ts";
import { agentMatches, fileMayMatch, type SessionFilter } from "./session_filter.ts";
import { safeFileName } from "../format/session_id.ts";
import type { JsonObject, ReadWarning } from "../format/types.ts";

/**
 * One trace file of a directory.
 *
 * @example The newest session's file
 * ```ts
 * import { findSession, type TraceFile, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const tracer = new Tracer("trading_agent", { traceDir });
 * tracer.step("market_scan", () => {});
 * await tracer.close();
 * const file: TraceFile = findSession(traceDir, "latest");
 * console.log(file.agent, file.format, file.name); // trading_agent jsonl trading_agent_<session_id>.jsonl
 * ```
 */
export interface TraceFile {
  /** Its path: the directory joined with its name. */
  path: string;
  /** Its file name. */
  name: string;
  /** `"jsonl"` for a line file, `"json"` for a snapshot. */
  format: "jsonl" | "json";
  /** Its size in bytes. */
  size: number;
  /** Its last modification, epoch milliseconds. */
  mtimeMs: number;
  /** The agent, from the file name (as made safe), or the name without extension. */
  agent: string;
  /** The session id, from the file name, or `""` when the name has none. */
  session_id: string;
  /** When the session began as far as the name tells (else the file's mtime), epoch seconds: the sort key. */
  sortTime: number;
}

/**
 * What {@linkcode listTraceFiles} found.
 *
 * @example Files and skipped entries
 * ```ts
 * import { listTraceFiles, type TraceDirListing, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const tracer = new Tracer("trading_agent", { traceDir });
 * tracer.step("market_scan", () => {});
 * await tracer.close();
 * await Deno.mkdir(`${traceDir}/not_a_file.jsonl`);
 * const listing: TraceDirListing = listTraceFiles(traceDir);
 * console.log(listing.files.length, listing.skipped[0].message); // 1 a directory, not a file
 * ```
 */
export interface TraceDirListing {
  /** The sessions' files, newest first, each session once. */
  files: TraceFile[];
  /** Entries that look like trace files and are not (a directory named `x.jsonl`). */
  skipped: ReadWarning[];
}

/**
 * A directory that is not there, or is not a directory.
 *
 * @example A directory that does not exist
 * ```ts
 * import { listTraceFiles, TraceDirError } from "@ai-trace/core";
 *
 * try {
 *   listTraceFiles(`${await Deno.makeTempDir()}/missing`);
 * } catch (error) {
 *   if (!(error instanceof TraceDirError)) throw error;
 *   console.log(error.message); // Cannot read trace directory "…/missing": no such directory
 * }
 * ```
 */
export class TraceDirError extends Error {
  /** The directory. */
  path: string;
  /**
   * Makes the error for `path`, saying what is wrong with it.
   *
   * @param path The directory.
   * @param problem What is wrong with it.
   */
  constructor(path: string, problem: string) {
    super(`Cannot read trace directory "${path}": ${problem}`);
    this.name = "TraceDirError";
    this.path = path;
  }
}

/**
 * No session matches what was asked for.
 *
 * @example The newest session of an empty directory
 * ```ts
 * import { findSession, SessionNotFoundError } from "@ai-trace/core";
 *
 * try {
 *   findSession(await Deno.makeTempDir(), "latest");
 * } catch (error) {
 *   if (!(error instanceof SessionNotFoundError)) throw error;
 *   console.log(error.query, error.message); // latest No trace files in "…"
 * }
 * ```
 */
export class SessionNotFoundError extends Error {
  /** What was asked for. */
  query: string;
  /**
   * Makes the error for a `query` that matched nothing in `dir`.
   *
   * @param query What was asked for.
   * @param dir The directory searched.
   */
  constructor(query: string, dir: string) {
    super(
      query === "latest"
        ? `No trace files in "${dir}"`
        : /^latest\b/.test(query)
        ? `No session is "${query}" in "${dir}" (try "ai-trace list")`
        : `No session matches "${query}" in "${dir}" (try "ai-trace list")`,
    );
    this.name = "SessionNotFoundError";
    this.query = query;
  }
}

/**
 * A prefix that matches more than one session. (An agent's full name is not
 * ambiguous: it means that agent's newest session.)
 *
 * @example Two runs of one agent, asked for by a prefix of its name
 * ```ts
 * import { AmbiguousSessionError, findSession, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * for (let run = 0; run < 2; run++) {
 *   const tracer = new Tracer("trading_agent", { traceDir });
 *   await tracer.close();
 * }
 * try {
 *   findSession(traceDir, "trading");
 * } catch (error) {
 *   if (!(error instanceof AmbiguousSessionError)) throw error;
 *   console.log(error.matches.map((file) => file.session_id)); // both session ids
 * }
 * ```
 */
export class AmbiguousSessionError extends Error {
  /** What was asked for. */
  query: string;
  /** The files it matches. */
  matches: TraceFile[];
  /**
   * Makes the error for a `query` that matched several files.
   *
   * @param query What was asked for.
   * @param matches The files it matches.
   */
  constructor(query: string, matches: TraceFile[]) {
    const names = matches.slice(0, 3).map((file) => `"${file.name}"`).join(", ");
    const more = matches.length > 3 ? `, and ${matches.length - 3} more` : "";
    super(`"${query}" matches ${matches.length} sessions: ${names}${more}`);
    this.name = "AmbiguousSessionError";
    this.query = query;
    this.matches = matches;
  }
}

/** `YYYYMMDD_HHMMSS` at the start of a session id, as epoch seconds. */
export function sessionIdTime(sessionId: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})/.exec(sessionId);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/** What an entry that is not a regular file is, in a few words. */
const NOT_A_FILE: Record<PathKind, string> = {
  file: "a file",
  directory: "a directory, not a file",
  fifo: "a named pipe (FIFO), not a file",
  "character device": "a character device, not a file",
  "block device": "a block device, not a file",
  socket: "a socket, not a file",
  other: "not a regular file",
};

/** A path that is not a regular file: a directory, a FIFO (never opened: it would block), a device, a socket. */
class NotAFileError extends TypeError {
  /** What it is instead, e.g. `a named pipe (FIFO), not a file`. */
  what: string;
  constructor(path: string, what: string) {
    super(`Cannot read trace "${path}": it is ${what}`);
    this.what = what;
  }
}

/**
 * Describes one trace file.
 *
 * @param path The file.
 * @returns What its name and `stat` tell.
 * @throws {NotFoundError} when it is gone; {TypeError} when it is not a regular file
 *   (a directory, a FIFO, a device), saying which.
 */
export function describeTraceFile(path: string): TraceFile {
  const info = statPath(path);
  if (!info.isFile) throw new NotAFileError(path, NOT_A_FILE[info.kind]);
  const name = basename(path);
  const parsed = parseTraceFileName(name);
  const sessionId = parsed?.session_id ?? "";
  return {
    path,
    name,
    format: name.endsWith(".json") ? "json" : "jsonl",
    size: info.size,
    mtimeMs: info.mtimeMs,
    agent: parsed?.agent ?? name.replace(/\.jsonl?$/, ""),
    session_id: sessionId,
    sortTime: sessionIdTime(sessionId) ?? info.mtimeMs / 1000,
  };
}

/**
 * Whether a listed file holds a trace: a snapshot (a JSON object with a
 * list of steps), or a JSONL file with at least one record (read up to the
 * first). A file of other JSON lines (a
 * program's log) is not one, and neither is a file that cannot be read.
 *
 * @param file The file, as listed.
 * @returns Whether it holds a trace.
 */
export function holdsTrace(file: TraceFile): boolean {
  try {
    if (file.format === "jsonl") return file.size > 0 && hasTraceRecord(file.path);
    // A snapshot is one JSON object with a list of steps (what `readSession` requires of it).
    const text = readTextFile(file.path);
    const snapshot = parseJsonLine(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    return typeof snapshot === "object" && snapshot !== null && Array.isArray((snapshot as JsonObject).steps);
  } catch {
    return false;
  }
}

/** Newest first: by the session's time, then the file's mtime, then name. */
export function compareNewestFirst(a: TraceFile, b: TraceFile): number {
  return b.sortTime - a.sortTime || b.mtimeMs - a.mtimeMs || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
}

/**
 * Lists the sessions of a directory, newest first. A `.json` snapshot with a
 * `.jsonl` file of the same name (the same agent and session id) is left out.
 *
 * @example List a directory
 * ```ts
 * import { listTraceFiles, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * for (let run = 0; run < 2; run++) {
 *   const tracer = new Tracer("trading_agent", { traceDir });
 *   await tracer.close();
 * }
 * for (const file of listTraceFiles(traceDir).files) console.log(file.name); // newest first
 * ```
 *
 * @param dir The directory.
 * @param options A filter: files whose name rules them out (another agent,
 *   another time) are left out without being opened or even `stat`ed. The
 *   files listed may still fail the filter on what is inside them.
 * @returns The files, and entries skipped with why.
 * @throws {TraceDirError} when `dir` does not exist or is not a directory.
 */
export function listTraceFiles(dir: string, options: { filter?: SessionFilter } = {}): TraceDirListing {
  let names: string[];
  try {
    const info = statPath(dir);
    if (!info.isDirectory) throw new TraceDirError(dir, "not a directory");
    names = listDir(dir);
  } catch (err) {
    if (err instanceof NotFoundError) throw new TraceDirError(dir, "no such directory");
    if (err instanceof TraceDirError) throw err;
    if (err instanceof PermissionError) throw new TraceDirError(dir, "permission denied");
    throw err;
  }
  const bySession = new Map<string, TraceFile>();
  const skipped: ReadWarning[] = [];
  const filter = options.filter;
  for (const name of names.sort()) {
    if (!isTraceFileName(name) || isOtlpExport(name)) continue;
    if (filter !== undefined) {
      const parsed = parseTraceFileName(name);
      const sortTime = parsed === undefined ? undefined : sessionIdTime(parsed.session_id);
      if (parsed !== undefined && sortTime !== undefined && !fileMayMatch(filter, { ...parsed, sortTime })) continue;
    }
    const path = join(dir, name);
    let file: TraceFile;
    try {
      file = describeTraceFile(path);
    } catch (err) {
      if (err instanceof NotFoundError) continue; // deleted while listing
      skipped.push({ path, line: 0, message: err instanceof NotAFileError ? err.what : skipReason(err) });
      continue;
    }
    if (file.format === "json" && file.session_id === "") identifySnapshot(file);
    // One session, one entry: by agent and session id (a snapshot exported
    // into the directory under any name is the same session), else by name.
    const key = file.session_id === ""
      ? `name\0${name.replace(/\.jsonl?$/, "")}`
      : `session\0${safeFileName(file.agent)}\0${file.session_id}`;
    const other = bySession.get(key);
    if (other === undefined || (other.format === "json" && file.format === "jsonl")) bySession.set(key, file);
  }
  const files = [...bySession.values()].sort(compareNewestFirst);
  return { files, skipped };
}

/** An OTLP export (`x.otlp.json`), ours: not a trace, left out without a warning. */
function isOtlpExport(name: string): boolean {
  return name.toLowerCase().endsWith(".otlp.json");
}

/**
 * A snapshot whose name does not say its session (`x_report.json`, written by
 * `export -o`): its agent and session id from the first KiB of its content,
 * where the snapshot keeps them, so the session it copies is counted once.
 */
function identifySnapshot(file: TraceFile): void {
  let head: string;
  try {
    const reader = openRead(file.path);
    try {
      const buffer = new Uint8Array(4096);
      head = new TextDecoder().decode(buffer.subarray(0, reader.read(buffer, 0)));
    } finally {
      reader.close();
    }
  } catch {
    return; // unreadable now: reading it will say why
  }
  const field = (key: string): string | undefined => {
    const match = new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`).exec(head);
    if (!match) return undefined;
    try {
      const value: unknown = JSON.parse(match[1]);
      return typeof value === "string" ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const agent = field("agent");
  const sessionId = field("session_id");
  if (agent === undefined || sessionId === undefined || sessionId === "") return;
  file.agent = agent;
  file.session_id = sessionId;
  file.sortTime = sessionIdTime(sessionId) ?? file.sortTime;
}

/**
 * Options of {@linkcode findSession}.
 *
 * @example The newest session of one agent, and the note for an agent's name
 * ```ts
 * import { findSession, type FindSessionOptions, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * for (const agent of ["research_agent", "research_agent", "trading_agent"]) {
 *   const tracer = new Tracer(agent, { traceDir });
 *   await tracer.close();
 * }
 * const options: FindSessionOptions = { agents: ["research_*"], onNote: (note) => console.log(note) };
 * console.log(findSession(traceDir, "latest", options).agent); // research_agent
 * findSession(traceDir, "research_agent", options); // prints: "research_agent" is an agent with 2 sessions: …
 * ```
 */
export interface FindSessionOptions {
  /**
   * Narrow `latest` (and `latest~N`) to these agents, each exact or a glob
   * such as `research_*`: what `--agent` gives on the command line.
   */
  agents?: string[];
  /**
   * Called with one line when the query was an agent's name that several
   * sessions share, and the newest of them was taken.
   */
  onNote?: (message: string) => void;
}

/** `latest`, `latest~N`, `latest:AGENT`, `latest:AGENT~N`, taken apart; `undefined` for anything else. */
export function parseLatest(query: string): { agent?: string; back: number } | undefined {
  const m = /^latest(?::(.+?))?(?:~(\d{1,9}))?$/s.exec(query);
  if (!m) return undefined;
  return { agent: m[1], back: m[2] === undefined ? 0 : Number(m[2]) };
}

/**
 * Finds one session: `latest` (the newest), `latest~N` (the N-th before
 * it), `latest:AGENT` (the newest of an agent; also `latest:AGENT~N`), a
 * path, a file name in `dir`, a session id, a file name without extension,
 * an agent's name (its newest session), or a unique prefix of a session id
 * or file name. `latest` is the newest file that holds a trace: a JSONL file
 * of other lines (a program's log) is never it.
 *
 * @example Find the newest session, then read it
 * ```ts
 * import { findSession, readSession, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const tracer = new Tracer("trading_agent", { traceDir });
 * tracer.step("market_scan", () => {});
 * await tracer.close();
 * const file = findSession(traceDir, "latest"); // or latest:trading_agent, a session id, a file name, a unique prefix
 * const session = await readSession(file.path);
 * console.log(session.steps[0].name); // market_scan
 * ```
 *
 * @param dir The directory to look in.
 * @param query What the user typed.
 * @param options Agents to narrow `latest` to, and where to say which of an agent's sessions was taken.
 * @returns The session's file.
 * @throws {SessionNotFoundError}, {AmbiguousSessionError}, {TraceDirError},
 *   or {TypeError} when the path is a directory.
 */
export function findSession(dir: string, query: string, options: FindSessionOptions = {}): TraceFile {
  const latest = parseLatest(query);
  if (latest !== undefined) {
    const agents = latest.agent !== undefined ? [latest.agent] : options.agents;
    const narrowed = agents !== undefined && agents.length > 0;
    // Newest first, the agents' files only (by name, then by their session line), traces only.
    const wanted = (file: TraceFile) =>
      (!narrowed || (fileMayMatch({ agents }, file) && agentMatches(agents, readAgentName(file)))) &&
      holdsTrace(file);
    let seen = 0;
    for (const file of listTraceFiles(dir).files) {
      if (wanted(file) && seen++ === latest.back) return file;
    }
    throw new SessionNotFoundError(query, dir);
  }
  for (const path of [query, join(dir, query)]) {
    if (!isTraceFileName(path) && !query.includes("/") && !query.includes("\\")) continue;
    try {
      return describeTraceFile(path);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  const { files } = listTraceFiles(dir);
  const stem = (file: TraceFile) => file.name.replace(/\.jsonl?$/, "");
  const exact = files.filter((file) => file.session_id === query || stem(file) === query || file.name === query);
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) throw new AmbiguousSessionError(query, exact);
  // An agent's whole name means its newest session, not an ambiguity.
  const safe = safeFileName(query);
  const ofAgent = files.filter((file) => file.session_id !== "" && (file.agent === query || file.agent === safe));
  if (ofAgent.length > 0) {
    if (ofAgent.length > 1) {
      options.onNote?.(
        `"${query}" is an agent with ${ofAgent.length} sessions: showing the newest, ${ofAgent[0].session_id}` +
          ` ("ai-trace list --agent ${query}" lists them)`,
      );
    }
    return ofAgent[0];
  }
  const prefixed = files.filter((file) =>
    (file.session_id !== "" && file.session_id.startsWith(query)) || stem(file).startsWith(query)
  );
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length > 1) throw new AmbiguousSessionError(query, prefixed);
  throw new SessionNotFoundError(query, dir);
}
