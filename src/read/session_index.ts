/**
 * A quick summary of one session file, for `ai-trace list`: agent, session
 * id, counts, duration, state. A complete session of ours starts with a
 * `session` line and ends with an `end` line that holds its summary, so only
 * the head and the tail of the file are read. Anything else (a crashed or
 * running session, the original tracer's files, a snapshot) is read in full.
 *
 * @module
 */

import { notATraceReason } from "../format/record_line.ts";
import { parseJsonLine } from "../format/parse_line.ts";
import { openRead } from "../runtime.ts";
import { readSession } from "./session_reader.ts";
import { asNumber, asObject } from "../format/fields.ts";
import { sessionState } from "../model/state.ts";
import type { TraceFile } from "./trace_dir.ts";
import type { JsonObject, ReadWarning, Session, SessionState } from "../format/types.ts";

/** One session, summarized. */
export interface SessionEntry {
  /** The file. */
  path: string;
  /** Its file name. */
  name: string;
  /** `"jsonl"` or `"json"`. */
  format: "jsonl" | "json";
  /** The agent's name. */
  agent: string;
  /** The session id. */
  session_id: string;
  /** When it began, epoch seconds. */
  started_at: number | null;
  /** When it ended (or its last step did), epoch seconds. */
  finished_at: number | null;
  /** `finished_at - started_at` in milliseconds, or `null`. */
  duration_ms: number | null;
  /** Completed steps. */
  steps: number;
  /** Steps whose outcome is `"ok"`. */
  ok: number;
  /** Steps whose outcome is `"error"`. */
  errors: number;
  /** Steps begun and not ended. */
  in_flight: number;
  /** Tokens sent to models, summed over the steps. */
  input_tokens: number;
  /** Tokens received from models, summed over the steps. */
  output_tokens: number;
  /** What the run cost, in US dollars, summed over the steps. */
  cost_usd: number;
  /** complete, crashed or running. */
  state: SessionState;
  /** The file's size in bytes. */
  size: number;
  /** Whether the summary came from the head and tail alone. */
  fast: boolean;
  /** Lines that could not be read (only known when the file was read in full). */
  warnings: ReadWarning[];
}

/** A file that holds no session at all: empty, or not a trace. */
export class NotATraceError extends SyntaxError {
  /** The file. */
  path: string;
  /**
   * @param path The file.
   * @param problem What is wrong.
   */
  constructor(path: string, problem: string) {
    super(`Cannot read trace "${path}": ${problem}`);
    this.name = "NotATraceError";
    this.path = path;
  }
}

/** Options of {@linkcode indexSession} and {@linkcode loadSession}. */
export interface IndexOptions {
  /** The time now, epoch milliseconds, for telling running from crashed. @default {Date.now()} */
  now?: number;
}

const HEAD_BYTES = 64 * 1024;
const TAIL_LIMIT = 8 * 1024 * 1024;

/** The first line of a file, if it ends within the first 64 KiB. */
function readHeadLine(path: string): string | undefined {
  const file = openRead(path);
  try {
    const buffer = new Uint8Array(HEAD_BYTES);
    const n = file.read(buffer, 0);
    const newline = buffer.subarray(0, n).indexOf(10);
    if (newline === -1) return undefined;
    return new TextDecoder().decode(buffer.subarray(0, newline));
  } finally {
    file.close();
  }
}

/** The last line of a file, if the file ends with a line break and the line is at most 8 MiB. */
function readTailLine(path: string, size: number): string | undefined {
  const file = openRead(path);
  try {
    let window = Math.min(size, HEAD_BYTES);
    while (true) {
      const buffer = new Uint8Array(window);
      const start = size - window;
      let got = 0;
      while (got < window) {
        const n = file.read(buffer.subarray(got), start + got);
        if (n === 0) break;
        got += n;
      }
      const bytes = buffer.subarray(0, got);
      let end = bytes.length;
      if (end === 0 || bytes[end - 1] !== 10) return undefined; // cut off, or still being written
      while (end > 0 && (bytes[end - 1] === 10 || bytes[end - 1] === 13)) end--;
      const newline = bytes.subarray(0, end).lastIndexOf(10);
      if (newline !== -1 || start === 0) return new TextDecoder().decode(bytes.subarray(newline + 1, end));
      if (window >= TAIL_LIMIT || window >= size) return undefined;
      window = Math.min(size, window * 4);
    }
  } finally {
    file.close();
  }
}

/**
 * The agent a session file names in its first line (verbatim, as the tracer
 * was given it), else the agent its file name gives. Reads at most the first
 * 64 KiB.
 *
 * @param file The file.
 * @returns The agent's name.
 */
export function readAgentName(file: TraceFile): string {
  if (file.format !== "jsonl" || file.size === 0) return file.agent;
  try {
    const line = readHeadLine(file.path);
    const head = line === undefined ? undefined : asObject(parseJsonLine(line));
    return head?.type === "session" && typeof head.agent === "string" ? head.agent : file.agent;
  } catch {
    return file.agent; // unreadable now: the name is all there is
  }
}

/**
 * Reads a whole session for display, refusing files that hold no session.
 *
 * @param path The file.
 * @param options The time now.
 * @returns The session.
 * @throws {NotATraceError} when the file is empty or has no readable record.
 */
export async function loadSession(path: string, options: IndexOptions = {}): Promise<Session> {
  const session = await readSession(path, { now: options.now });
  if (session.format === "jsonl" && session.steps.length === 0 && session.schema === null) {
    if (session.warnings.length > 0) throw new NotATraceError(path, notATraceReason(session.warnings[0]));
    if (session.started_at === null) throw new NotATraceError(path, notATraceReason(undefined));
  }
  return session;
}

/**
 * Summarizes one session file, reading only its head and tail when it is a
 * complete session of ours.
 *
 * @example
 * ```ts ignore
 * import { listTraceFiles } from "./trace_dir.ts";
 * import { indexSession } from "./session_index.ts";
 * const [newest] = listTraceFiles("traces").files;
 * const entry = await indexSession(newest);
 * console.log(entry.state, entry.steps);
 * ```
 *
 * @param file The file, as listed by `listTraceFiles`.
 * @param options The time now.
 * @returns The summary.
 * @throws {NotATraceError} when the file is empty or holds no session.
 */
export async function indexSession(file: TraceFile, options: IndexOptions = {}): Promise<SessionEntry> {
  if (file.size === 0) throw new NotATraceError(file.path, "the file is empty");
  if (file.format === "jsonl") {
    const fast = fastIndex(file, options);
    if (fast !== undefined) return fast;
  }
  const session = await loadSession(file.path, options);
  const { summary } = session;
  return {
    path: file.path,
    name: file.name,
    format: file.format,
    agent: session.agent,
    session_id: session.session_id,
    started_at: session.started_at,
    finished_at: session.finished_at,
    duration_ms: duration(session.started_at, session.finished_at),
    steps: summary.steps,
    ok: summary.ok,
    errors: summary.errors,
    in_flight: summary.in_flight,
    input_tokens: summary.input_tokens,
    output_tokens: summary.output_tokens,
    cost_usd: summary.cost_usd,
    state: session.state,
    size: file.size,
    fast: false,
    warnings: session.warnings,
  };
}

function duration(start: number | null, end: number | null): number | null {
  return start !== null && end !== null ? Math.max(0, (end - start) * 1000) : null;
}

function fastIndex(file: TraceFile, options: IndexOptions): SessionEntry | undefined {
  let head: JsonObject | undefined;
  let tail: JsonObject | undefined;
  try {
    const headLine = readHeadLine(file.path);
    const tailLine = readTailLine(file.path, file.size);
    if (headLine === undefined || tailLine === undefined) return undefined;
    head = asObject(parseJsonLine(headLine));
    tail = asObject(parseJsonLine(tailLine));
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (head?.type !== "session" || tail?.type !== "end") return undefined;
  const summary = asObject(tail.summary);
  if (!summary) return undefined;
  const startedAt = asNumber(head.started_at);
  const finishedAt = asNumber(tail.finished_at);
  return {
    path: file.path,
    name: file.name,
    format: "jsonl",
    agent: typeof head.agent === "string" ? head.agent : file.agent,
    session_id: typeof head.session_id === "string" ? head.session_id : file.session_id,
    started_at: startedAt,
    finished_at: finishedAt,
    duration_ms: duration(startedAt, finishedAt),
    steps: asNumber(summary.steps) ?? 0,
    ok: asNumber(summary.ok) ?? 0,
    errors: asNumber(summary.errors) ?? 0,
    in_flight: asNumber(summary.in_flight) ?? 0,
    input_tokens: asNumber(summary.input_tokens) ?? 0,
    output_tokens: asNumber(summary.output_tokens) ?? 0,
    cost_usd: asNumber(summary.cost_usd) ?? 0,
    state: sessionState({
      ended: true,
      abnormalEnd: tail.reason === "signal" || tail.reason === "uncaught",
      ours: true,
      cutOff: false,
      inFlight: asNumber(summary.in_flight) ?? 0,
      lastSeen: finishedAt,
      now: options.now ?? Date.now(),
    }),
    size: file.size,
    fast: true,
    warnings: [],
  };
}
