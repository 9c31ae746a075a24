/**
 * Keeping a trace directory in bounds: {@linkcode pruneSessions} removes old
 * sessions (by age, by a count kept per agent, by the directory's total
 * size), never a running one, never through a symbolic link, and always with
 * the session's `.json`/`.md`/`.html` siblings.
 *
 * @module
 */

import { join } from "node:path";
import type { SessionState } from "../format/types.ts";
import { linkStatPath, listDir, NotFoundError, PermissionError, removeFile, statPath } from "../runtime.ts";
import { agentMatches, parseDuration } from "./session_filter.ts";
import { skipReason } from "../format/record_line.ts";
import { indexSession, type SessionEntry } from "./session_index.ts";
import { compareNewestFirst, describeTraceFile, TraceDirError, type TraceFile } from "./trace_dir.ts";

/**
 * What {@linkcode pruneSessions} removes. A session goes when it is older
 * than `olderThan` (if given) and is not among the `keep` newest of its
 * agent (if given); then, while the directory is over `maxSize`, the oldest
 * sessions that are left go too (still sparing the `keep` newest of each
 * agent). Only sessions that pass `agents` and `states` can go; a running
 * session never does.
 *
 * @example Keep a week, and at most 20 runs per agent
 * ```ts
 * import type { PruneOptions } from "@ai-trace/core";
 *
 * const options: PruneOptions = { olderThan: "7d", keep: 20, maxSize: "500M" };
 * console.log(options.keep); // 20
 * ```
 */
export interface PruneOptions {
  /** Remove sessions that started longer ago than this: a duration (`"30d"`, `"12h"`) or milliseconds. */
  olderThan?: string | number;
  /** Keep this many of each agent's newest sessions, whatever the other rules say. */
  keep?: number;
  /** Bring the directory's trace files under this size: bytes, or `"500M"`, `"2G"`, `"100K"` (binary units). */
  maxSize?: string | number;
  /** Only sessions of these agents can go (exact names or globs such as `research_*`). */
  agents?: string[];
  /** Only sessions in these states can go (`running` ones never do). */
  states?: SessionState[];
  /** Only say what would go; delete nothing. @default {false} */
  dryRun?: boolean;
  /** The time now, epoch milliseconds. @default {Date.now()} */
  now?: number;
}

/**
 * One session that {@linkcode pruneSessions} removed (or would remove).
 *
 * @example The sessions a dry run would remove
 * ```ts
 * import { pruneSessions, type PrunedSession, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * for (let run = 0; run < 3; run++) await new Tracer("crawler", { traceDir }).close();
 * const result = await pruneSessions(traceDir, { keep: 1, dryRun: true });
 * const first: PrunedSession = result.sessions[0];
 * console.log(result.sessions.length, first.agent, first.files.length); // 2 crawler 1
 * ```
 */
export interface PrunedSession {
  /** The agent. */
  agent: string;
  /** The session id. */
  session_id: string;
  /** Its state. */
  state: SessionState;
  /** When it started, epoch seconds. */
  started_at: number | null;
  /** Its files: the `.jsonl` (or `.json`) and its siblings. */
  files: string[];
  /** Their size in bytes. */
  bytes: number;
  /** Which rule removed it: `"older-than"`, `"keep"`, `"max-size"`, or `"filter"` (only agents/states were given). */
  reason: "older-than" | "keep" | "max-size" | "filter";
}

/**
 * What {@linkcode pruneSessions} did.
 *
 * @example Space freed
 * ```ts
 * import { pruneSessions, type PruneResult, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * for (let run = 0; run < 2; run++) await new Tracer("crawler", { traceDir }).close();
 * const result: PruneResult = await pruneSessions(traceDir, { keep: 1 });
 * console.log(result.sessions.length, result.freed_bytes > 0, result.dry_run); // 1 true false
 * ```
 */
export interface PruneResult {
  /** The sessions removed (or that would be, in a dry run), oldest first. */
  sessions: PrunedSession[];
  /** Bytes freed (or that would be). */
  freed_bytes: number;
  /** The trace files' total size before, bytes. */
  total_bytes: number;
  /** Whether nothing was deleted. */
  dry_run: boolean;
  /** Running sessions left alone. */
  running: number;
  /** Symbolic links left alone (never followed, never removed). */
  symlinks: string[];
  /** Files that could not be read or removed, with why. */
  problems: { path: string; message: string }[];
}

/** One session of the directory, with its files. */
interface Candidate {
  file: TraceFile;
  entry: SessionEntry;
  files: string[];
  bytes: number;
  start: number;
}

const SIBLINGS = [".jsonl", ".json", ".md", ".html"];
const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Parses a size: bytes, or a number with K, M, G or T (binary units; `KB`,
 * `KiB` and `K` are the same).
 *
 * @param text What the user typed, e.g. `"500M"`, `"1.5G"`, `"4096"`.
 * @returns Bytes, or `undefined` when `text` is not a size.
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? "").toLowerCase()]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

function toMs(value: string | number | undefined, what: string): number | undefined {
  if (value === undefined || typeof value === "number") {
    if (value !== undefined && !(value >= 0)) throw new RangeError(`${what} must be 0 or more, got ${value}`);
    return value;
  }
  const ms = parseDuration(value);
  if (ms === undefined) throw new SyntaxError(`${what} must be a duration such as 30d, 12h or 90m, got "${value}"`);
  return ms;
}

function toBytes(value: string | number | undefined): number | undefined {
  if (value === undefined || typeof value === "number") {
    if (value !== undefined && !(value >= 0)) throw new RangeError(`maxSize must be 0 or more, got ${value}`);
    return value;
  }
  const bytes = parseSize(value);
  if (bytes === undefined) throw new SyntaxError(`maxSize must be a size such as 500M, 2G or 100K, got "${value}"`);
  return bytes;
}

/**
 * Removes old sessions from a trace directory, so a long-running agent can
 * keep its directory in bounds at start-up. Never removes a running
 * session; never follows or removes a symbolic link; removes a session's
 * `.jsonl`, `.json`, `.md` and `.html` files together.
 *
 * @example Keep 30 days and 50 runs per agent, at start-up
 * ```ts
 * import { pruneSessions, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * for (let run = 0; run < 3; run++) await new Tracer("crawler", { traceDir }).close();
 * const dryRun = await pruneSessions(traceDir, { keep: 1, dryRun: true });
 * console.log(dryRun.sessions.length, dryRun.dry_run); // 2 true
 * const done = await pruneSessions(traceDir, { olderThan: "30d", keep: 1 });
 * console.log(done.sessions.length); // 0: none is older than 30 days
 * ```
 *
 * @param dir The trace directory.
 * @param options The rules: `olderThan`, `keep`, `maxSize` (at least one, unless `agents` or `states` pick the sessions),
 *   and `dryRun`.
 * @returns What went (or would go), and the space it frees.
 * @throws {TraceDirError} when `dir` is not a directory; {SyntaxError} or {RangeError} for a bad option;
 *   {TypeError} when no rule is given.
 */
export async function pruneSessions(dir: string, options: PruneOptions = {}): Promise<PruneResult> {
  const now = options.now ?? Date.now();
  const olderThan = toMs(options.olderThan, "olderThan");
  const maxSize = toBytes(options.maxSize);
  const keep = options.keep;
  if (keep !== undefined && !(Number.isSafeInteger(keep) && keep >= 0)) {
    throw new RangeError(`keep must be a whole number, 0 or more, got ${keep}`);
  }
  const filtered = (options.agents?.length ?? 0) > 0 || (options.states?.length ?? 0) > 0;
  if (olderThan === undefined && keep === undefined && maxSize === undefined && !filtered) {
    throw new TypeError("Say what to prune: olderThan, keep, maxSize, or agents/states");
  }
  const result: PruneResult = {
    sessions: [],
    freed_bytes: 0,
    total_bytes: 0,
    dry_run: options.dryRun === true,
    running: 0,
    symlinks: [],
    problems: [],
  };

  // The directory's entries, by stem; symbolic links are set aside, never followed.
  let names: string[];
  try {
    if (!statPath(dir).isDirectory) throw new TraceDirError(dir, "not a directory");
    names = listDir(dir).sort();
  } catch (err) {
    if (err instanceof NotFoundError) throw new TraceDirError(dir, "no such directory");
    if (err instanceof PermissionError) throw new TraceDirError(dir, "permission denied");
    throw err;
  }
  const byStem = new Map<string, Map<string, { path: string; size: number }>>();
  const linked = new Set<string>(); // stems with a symbolic link among their files: left alone whole
  for (const name of names) {
    const extension = SIBLINGS.find((ext) => name.endsWith(ext));
    if (extension === undefined) continue;
    const path = join(dir, name);
    let info;
    try {
      info = linkStatPath(path);
    } catch {
      continue; // gone since the listing
    }
    const stem = name.slice(0, -extension.length);
    if (info.isSymlink) {
      result.symlinks.push(path);
      linked.add(stem);
      continue;
    }
    if (!info.isFile) continue;
    result.total_bytes += info.size;
    let group = byStem.get(stem);
    if (group === undefined) byStem.set(stem, group = new Map());
    group.set(extension, { path, size: info.size });
  }

  // Every session (a .jsonl, else a .json), summarized.
  const sessions: Candidate[] = [];
  for (const [stem, group] of byStem) {
    if (linked.has(stem)) continue;
    const main = group.get(".jsonl") ?? group.get(".json");
    if (main === undefined) continue; // a report alone is not a session
    let file: TraceFile;
    let entry: SessionEntry;
    try {
      file = describeTraceFile(main.path);
      entry = await indexSession(file, { now });
    } catch (err) {
      result.problems.push({ path: main.path, message: skipReason(err) });
      continue;
    }
    const files = [...group.values()];
    sessions.push({
      file,
      entry,
      files: files.map((f) => f.path),
      bytes: files.reduce((sum, f) => sum + f.size, 0),
      start: entry.started_at ?? file.sortTime,
    });
  }
  sessions.sort((a, b) => compareNewestFirst(a.file, b.file));

  // The newest `keep` of each agent are spared.
  const spared = new Set<Candidate>();
  if (keep !== undefined) {
    const seen = new Map<string, number>();
    for (const session of sessions) {
      const count = seen.get(session.entry.agent) ?? 0;
      if (count < keep) spared.add(session);
      seen.set(session.entry.agent, count + 1);
    }
  }
  const eligible = (session: Candidate) =>
    session.entry.state !== "running" && !spared.has(session) &&
    agentMatches(options.agents, session.entry.agent) &&
    (options.states === undefined || options.states.length === 0 || options.states.includes(session.entry.state));
  result.running = sessions.filter((session) => session.entry.state === "running").length;

  const going = new Map<Candidate, PrunedSession["reason"]>();
  if (olderThan !== undefined || keep !== undefined || maxSize === undefined) {
    const cutoff = olderThan === undefined ? Infinity : (now - olderThan) / 1000;
    const reason = olderThan !== undefined ? "older-than" : keep !== undefined ? "keep" : "filter";
    for (const session of sessions) if (eligible(session) && session.start < cutoff) going.set(session, reason);
  }
  if (maxSize !== undefined) {
    let left = result.total_bytes - [...going.keys()].reduce((sum, s) => sum + s.bytes, 0);
    for (let i = sessions.length - 1; i >= 0 && left > maxSize; i--) {
      const session = sessions[i];
      if (going.has(session) || !eligible(session)) continue;
      going.set(session, "max-size");
      left -= session.bytes;
    }
  }

  const oldestFirst = [...going.keys()].sort((a, b) => compareNewestFirst(b.file, a.file));
  for (const session of oldestFirst) {
    const pruned: PrunedSession = {
      agent: session.entry.agent,
      session_id: session.entry.session_id,
      state: session.entry.state,
      started_at: session.entry.started_at,
      files: session.files,
      bytes: session.bytes,
      reason: going.get(session)!,
    };
    if (!result.dry_run) {
      let removed = 0;
      for (const path of session.files) {
        try {
          // Swapped for a link since it was listed? Leave it (unlink would not follow it, but the link must stay).
          if (linkStatPath(path).isSymlink) continue;
          removeFile(path);
          removed += 1;
        } catch (err) {
          if (err instanceof NotFoundError) continue;
          result.problems.push({ path, message: skipReason(err) });
        }
      }
      if (removed === 0) continue;
    }
    result.sessions.push(pruned);
    result.freed_bytes += pruned.bytes;
  }
  return result;
}
