/**
 * What one line of a trace file holds: nothing, a record of a known type, or
 * something to warn about. A line without `type` is a step only when it has
 * the fields the original tracer writes: a `name`, and an `outcome` or a
 * `started_at`. Every reader (`readSession`, `stats`, `tail`)
 * classifies lines here, so they skip and warn alike.
 *
 * @module
 */

import { type Line, LineReader } from "./line_reader.ts";
import { NotFoundError, openRead, PermissionError } from "../runtime.ts";
import { parseJsonLine } from "./parse_line.ts";
import type { JsonObject, ReadWarning } from "./types.ts";

/** The record types of `ai-trace/1`; a line without `type` is a step. */
export type RecordType = "session" | "start" | "step" | "end";

/** One line, classified; every kind but `blank` and `record` comes with its warning. */
export type RecordLine =
  | { kind: "blank" }
  | { kind: "record"; type: RecordType; record: JsonObject }
  /** Longer than the reader holds: its text was dropped. */
  | { kind: "too-long"; warning: ReadWarning }
  /** Not JSON: a cut-off last line, if nothing valid follows it. */
  | { kind: "not-json"; warning: ReadWarning }
  /** JSON, but not an object (an array, a number, …). */
  | { kind: "not-object"; warning: ReadWarning }
  /**
   * An object without `type` that is not a step either: a step line has a
   * `name` and an `outcome` or a `started_at`, as the original writes it (a
   * log line of another program, `{"level":30,"msg":"…"}`, is not).
   */
  | { kind: "not-record"; warning: ReadWarning }
  /** An object with a `type` this format does not have. */
  | { kind: "unknown"; record: JsonObject; warning: ReadWarning };

const BLANK: RecordLine = { kind: "blank" };

/** Classifies one line of the file at `path`. */
export function classifyLine(path: string, line: Line): RecordLine {
  const warning = (message: string): ReadWarning => ({ path, line: line.number, message });
  if (line.tooLong) return { kind: "too-long", warning: warning("line is too long to read, skipped") };
  const text = line.text;
  if (text.length === 0 || (isBlank(text.charCodeAt(0)) && text.trim() === "")) return BLANK;
  let value: unknown;
  try {
    value = parseJsonLine(text);
  } catch {
    return { kind: "not-json", warning: warning("line is not JSON, skipped") };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { kind: "not-object", warning: warning("line is not a JSON object, skipped") };
  }
  const record = value as JsonObject;
  const type = record.type;
  if (type === "step") return { kind: "record", type: "step", record };
  if (type === undefined) {
    if (Object.hasOwn(record, "name") && (Object.hasOwn(record, "outcome") || Object.hasOwn(record, "started_at"))) {
      return { kind: "record", type: "step", record };
    }
    return { kind: "not-record", warning: warning(NOT_A_RECORD_MESSAGE) };
  }
  if (type === "start" || type === "session" || type === "end") return { kind: "record", type, record };
  return { kind: "unknown", record, warning: warning(`unknown record type ${JSON.stringify(type)}, skipped`) };
}

/**
 * Why a file with no readable record is not a trace, from the first warning
 * it gave (or none, for an empty file).
 */
export function notATraceReason(first: ReadWarning | undefined): string {
  if (first === undefined) return "the file is empty";
  const why = first.message.includes("too long")
    ? "is too long to read"
    : first.message === NOT_A_RECORD_MESSAGE
    ? "is not a trace record"
    : "is not a JSON record";
  return `not a trace file (line ${first.line} ${why})`;
}

/** Why a trace file that could not be read at all is skipped, in a few words. */
export function skipReason(err: unknown): string {
  if (err instanceof PermissionError) return "permission denied";
  if (err instanceof NotFoundError) return "the file is gone";
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^Cannot read trace "[^"]*": /, "");
}

/** The warning for an object that is no record of a trace (no `type`, and not a step). */
export const NOT_A_RECORD_MESSAGE = "line is not a trace record (no type; no name with outcome or started_at), skipped";

/**
 * Whether a JSONL file holds at least one record of a trace, read up to the
 * first one (a trace's first line is one, so this is quick for a trace).
 *
 * @param path The file.
 * @returns Whether some line is a record.
 */
export function hasTraceRecord(path: string): boolean {
  const reader = new LineReader(path);
  let found = false;
  const onLine = (line: Line) => {
    if (!found && classifyLine(path, line).kind === "record") found = true;
  };
  const file = openRead(path);
  try {
    while (!found && reader.pull(file, onLine));
  } finally {
    file.close();
  }
  if (!found) reader.end(onLine);
  return found;
}

/** How many bad lines of one file are reported one by one; the rest are counted in one warning. */
export const LINE_WARNING_LIMIT = 10;

/**
 * The warnings of one file's bad lines, bounded: the first
 * {@linkcode LINE_WARNING_LIMIT} are kept one by one, the others only
 * counted, so a file of a million bad lines costs a counter, not a million
 * objects, and gives one warning line with the count.
 *
 * @example
 * ```ts
 * import { LineWarnings } from "./record_line.ts";
 * const warnings = new LineWarnings("app.jsonl");
 * let shown = 0;
 * for (let line = 1; line <= 1000; line++) {
 *   if (warnings.admit({ path: "app.jsonl", line, message: "line is not JSON, skipped" })) shown++;
 * }
 * console.assert(shown === 10 && warnings.summary()?.message.startsWith("990 more lines"));
 * ```
 */
export class LineWarnings {
  readonly #path: string;
  readonly #limit: number;
  #kept = 0;
  #more = 0;
  #firstMore = 0;

  /**
   * @param path the file.
   * @param limit how many warnings to keep one by one.
   */
  constructor(path: string, limit: number = LINE_WARNING_LIMIT) {
    this.#path = path;
    this.#limit = limit;
  }

  /** Whether to report this warning; `false` once the limit is reached (it is then only counted). */
  admit(warning: ReadWarning): boolean {
    if (this.#kept < this.#limit) {
      this.#kept++;
      return true;
    }
    if (this.#more++ === 0) this.#firstMore = warning.line;
    return false;
  }

  /** How many warnings were counted and not reported. */
  get suppressed(): number {
    return this.#more;
  }

  /** One warning for all that were only counted (and resets the count), or `undefined` when there were none. */
  summary(): ReadWarning | undefined {
    if (this.#more === 0) return undefined;
    const count = this.#more;
    const first = this.#firstMore;
    this.#more = 0;
    this.#firstMore = 0;
    const lines = count === 1 ? "1 more line" : `${count} more lines`;
    return {
      path: this.#path,
      line: 0,
      message: `${lines} that could not be read or are not records (from line ${first}), skipped`,
    };
  }
}

/** The message of a bad line that ended the file: the writer stopped mid-line. */
export const CUT_OFF_MESSAGE = "last line is cut off (the writer stopped mid-line), skipped";

// White space as String.prototype.trim() sees it, tested on the first character
// before trimming, so ordinary lines are never copied.
function isBlank(c: number): boolean {
  return c <= 32 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029 || (c >= 0x1680 && c <= 0x3000);
}
