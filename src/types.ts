/**
 * The records of the `ai-trace/1` file format, as written by the tracer and
 * read back by the reader.
 *
 * @module
 */

/** The schema tag written in every `session` line and JSON snapshot. */
export const SCHEMA = "ai-trace/1";

/** Any value that JSON can hold. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A JSON object: the shape of a step's context, a log entry and `meta`. */
export type JsonObject = { [key: string]: JsonValue };

/** What was decided at a step, and why. */
export interface Decision {
  /** The action taken, e.g. `"ENTER_LONG"`. */
  action: string;
  /** Why the action was taken. */
  reason?: string;
  /** How sure the agent was, usually between 0 and 1. */
  confidence?: number;
  /** The other actions that were considered. */
  alternatives?: JsonValue[];
}

/** Model usage of a step: tokens and cost. */
export interface Usage {
  /** The model that was called. */
  model?: string;
  /** Tokens sent to the model. */
  input_tokens?: number;
  /** Tokens received from the model. */
  output_tokens?: number;
  /** What the call cost, in US dollars. */
  cost_usd?: number;
}

/** One log entry of a step: `_t` is the epoch time in seconds. */
export interface LogEntry {
  /** When the entry was logged, epoch seconds. */
  _t: number;
  /** The logged fields. */
  [field: string]: JsonValue;
}

/** The first line of a session file. */
export interface SessionRecord {
  /** Always `"session"`. */
  type: "session";
  /** The schema, `"ai-trace/1"`. */
  schema: string;
  /** The agent's name, verbatim. */
  agent: string;
  /** `YYYYMMDD_HHMMSS_<suffix>`, UTC. */
  session_id: string;
  /** When the tracer was created, epoch seconds. */
  started_at: number;
  /** User metadata given to the tracer. */
  meta: JsonObject;
  /** The runtime that wrote the file. */
  runtime: { name: string; version: string };
  /** The writing process's id. */
  pid: number;
  /** The writing machine's host name. */
  host: string;
}

/** Written when a step begins. */
export interface StartRecord {
  /** Always `"start"`. */
  type: "start";
  /** The step's id, unique within its session. */
  id: number;
  /** The enclosing step's id, or `null` for a top-level step. */
  parent_id: number | null;
  /** The step's name. */
  name: string;
  /** What the agent saw when the step began. */
  context: JsonObject;
  /** When the step began, epoch seconds. */
  started_at: number;
  /** The kind of step, e.g. `"tool"`, when known. */
  kind?: string;
}

/** Written when a step ends. A line without `type` is a step too (the original's). */
export interface StepRecord {
  /** `"step"`, or absent in files written by the original Python tracer. */
  type?: "step";
  /** The step's id (absent in the original's files). */
  id?: number;
  /** The enclosing step's id, or `null` for a top-level step. */
  parent_id?: number | null;
  /** The step's name. */
  name: string;
  /** What the agent saw when the step began. */
  context: JsonObject;
  /** When the step began, epoch seconds. */
  started_at: number;
  /** When the step ended, epoch seconds. */
  finished_at: number;
  /** How long it took, from a monotonic clock. */
  duration_ms: number;
  /** `"ok"`, `"error"`, or what the user passed to `finish()`. */
  outcome: string;
  /** The error message, or `null`. */
  error: string | null;
  /** What the step logged. */
  logs: LogEntry[];
  /** The kind of step, e.g. `"tool"`. */
  kind?: string;
  /** What was decided, and why. */
  decision?: Decision;
  /** Tokens and cost. */
  usage?: Usage;
  /** The thrown error's class name. */
  error_type?: string;
  /** The thrown error's stack. */
  stack?: string;
}

/** Totals per step name, part of a {@linkcode Summary}. */
export interface NameSummary {
  /** Steps with this name. */
  count: number;
  /** Of them, the ones whose outcome is `"error"`. */
  errors: number;
  /** Total duration, milliseconds. */
  total_ms: number;
  /** Input tokens summed. */
  input_tokens: number;
  /** Output tokens summed. */
  output_tokens: number;
  /** Cost summed, US dollars. */
  cost_usd: number;
}

/** What a session did, in numbers: returned by `summary()`, kept in the `end` line. */
export interface Summary {
  /** Completed steps. */
  steps: number;
  /** Steps whose outcome is `"ok"`. */
  ok: number;
  /** Steps whose outcome is `"error"`. */
  errors: number;
  /** Steps begun and not (yet) ended. */
  in_flight: number;
  /** Mean duration of completed steps, milliseconds. */
  avg_ms: number;
  /** Median duration, milliseconds. */
  p50_ms: number;
  /** 95th percentile duration, milliseconds. */
  p95_ms: number;
  /** Input tokens summed over the session. */
  input_tokens: number;
  /** Output tokens summed over the session. */
  output_tokens: number;
  /** Cost summed over the session, US dollars. */
  cost_usd: number;
  /** Records that could not be written (disk full, directory deleted, …). */
  lost_records: number;
  /** Totals per step name. */
  by_name: Record<string, NameSummary>;
}

/** The last line of a session file, written by `close()` or at exit. */
export interface EndRecord {
  /** Always `"end"`. */
  type: "end";
  /** When the tracer was closed, epoch seconds. */
  finished_at: number;
  /** The session's totals. */
  summary: Summary;
  /**
   * Present when the process did not end normally: `"signal"` (the signal it
   * died of is in `signal`) or `"uncaught"` (an uncaught error, described in `error`).
   */
  reason?: "signal" | "uncaught";
  /** The signal the process died of, e.g. `"SIGTERM"`. */
  signal?: string;
  /** The uncaught error, as `"<name>: <message>"` (redacted). */
  error?: string;
}

/** Any line of an `ai-trace/1` JSONL file. */
export type TraceRecord = SessionRecord | StartRecord | StepRecord | EndRecord;

/** A step as read back: completed, or in flight (begun, never ended). */
export interface SessionStep {
  /** The step's id; for files without ids, its 1-based position. */
  id: number;
  /** The enclosing step's id, or `null` for a top-level step. */
  parent_id: number | null;
  /** The step's name. */
  name: string;
  /** What the agent saw when the step began. */
  context: JsonObject;
  /** When the step began, epoch seconds. */
  started_at: number;
  /** When the step ended, or `null` while in flight. */
  finished_at: number | null;
  /** How long it took, or `null` while in flight. */
  duration_ms: number | null;
  /** `"ok"`, `"error"`, a user's outcome, or `null` while in flight. */
  outcome: string | null;
  /** The error message, or `null`. */
  error: string | null;
  /** What the step logged. */
  logs: LogEntry[];
  /** Whether the step began and has no end (in flight at a crash, or still running). */
  in_flight: boolean;
  /** The kind of step, e.g. `"tool"`. */
  kind?: string;
  /** What was decided, and why. */
  decision?: Decision;
  /** Tokens and cost. */
  usage?: Usage;
  /** The thrown error's class name. */
  error_type?: string;
  /** The thrown error's stack. */
  stack?: string;
}

/** How a session ended, derived from its file. */
export type SessionState = "complete" | "crashed" | "running";

/** A problem met while reading a file: the read went on without that line. */
export interface ReadWarning {
  /** The file. */
  path: string;
  /** The 1-based line number, or 0 for the file as a whole. */
  line: number;
  /** What is wrong, e.g. `"line is not JSON (cut off?)"`. */
  message: string;
}

/** A whole session as read back from a JSONL file or a JSON snapshot. */
export interface Session {
  /** The file it was read from. */
  path: string;
  /** `"jsonl"` for a line file, `"json"` for a snapshot. */
  format: "jsonl" | "json";
  /** The schema, or `null` for files written by the original Python tracer. */
  schema: string | null;
  /** The agent's name. */
  agent: string;
  /** The session id. */
  session_id: string;
  /** User metadata. */
  meta: JsonObject;
  /** When the session began (its `session` line or first step), epoch seconds. */
  started_at: number | null;
  /** When it ended (its `end` line, else its last step's end), epoch seconds. */
  finished_at: number | null;
  /** The runtime that wrote it, when known. */
  runtime?: { name: string; version: string };
  /** The writing process's id, when known. */
  pid?: number;
  /** The writing machine, when known. */
  host?: string;
  /** complete (has an `end`), running (recently written), or crashed. */
  state: SessionState;
  /** Every step, ordered by start time. */
  steps: SessionStep[];
  /** The session's totals, computed from its steps. */
  summary: Summary;
  /** Lines that could not be read. */
  warnings: ReadWarning[];
}
