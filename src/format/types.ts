/**
 * The records of the `ai-trace/1` file format, as written by the tracer and
 * read back by the reader.
 *
 * @module
 */

/** The schema tag written in every `session` line and JSON snapshot. */
export const SCHEMA = "ai-trace/1";

/**
 * Any value that JSON can hold.
 *
 * @example A value for a step's context
 * ```ts
 * import { type JsonValue, Tracer } from "@ai-trace/core";
 *
 * const signals: JsonValue = { rsi: 71.2, trend: "up", levels: [64000, 65500], confirmed: true };
 * const tracer = new Tracer("trading_agent", { autoSave: false });
 * tracer.step("market_scan", { symbol: "BTCUSDT", signals }, () => {});
 * console.log(JSON.stringify(signals));
 * ```
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * A JSON object: the shape of a step's context, a log entry and `meta`.
 *
 * @example A step's context, read back
 * ```ts
 * import { type JsonObject, readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * const context: JsonObject = session.steps[0].context;
 * console.log(context.symbol); // BTCUSDT
 * ```
 */
export type JsonObject = { [key: string]: JsonValue };

/**
 * What was decided at a step, and why.
 *
 * @example The decision of a step, read back
 * ```ts
 * import { type Decision, readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("decide", (step) => step.decide("ENTER_LONG", { reason: "breakout", confidence: 0.87 }));
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * const decision: Decision | undefined = session.steps[0].decision;
 * console.log(decision?.action, decision?.confidence); // ENTER_LONG 0.87
 * ```
 */
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

/**
 * Model usage of a step: tokens and cost.
 *
 * @example Record a model call's tokens and cost
 * ```ts
 * import { Tracer, type Usage } from "@ai-trace/core";
 *
 * const tracer = new Tracer("researcher", { autoSave: false });
 * const usage: Usage = { model: "claude-haiku-4-5", input_tokens: 1200, output_tokens: 300, cost_usd: 0.0027 };
 * tracer.step("summarize", (step) => step.usage(usage));
 * console.log(tracer.summary().input_tokens); // 1200
 * ```
 */
export interface Usage {
  /** The model that was asked for. */
  model?: string;
  /** The model that answered, as the provider reports it (e.g. a dated version of `model`). */
  response_model?: string;
  /** Who served the call, e.g. `"openai"` or `"anthropic"`. */
  provider?: string;
  /** Tokens sent to the model (as the provider counts them; cached tokens may be part of them). */
  input_tokens?: number;
  /** Tokens received from the model. */
  output_tokens?: number;
  /** Input tokens read from the provider's prompt cache. */
  cache_read_input_tokens?: number;
  /** Input tokens written to the provider's prompt cache. */
  cache_creation_input_tokens?: number;
  /** Output tokens spent on reasoning (part of the output tokens for most providers). */
  reasoning_tokens?: number;
  /** What the call cost, in US dollars. */
  cost_usd?: number;
}

/**
 * One log entry of a step: `_t` is the epoch time in seconds.
 *
 * @example A step's log entries, read back
 * ```ts
 * import { type LogEntry, readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * const entry: LogEntry = session.steps[0].logs[0];
 * console.log(new Date(entry._t * 1000).toISOString(), entry.signal); // … 0.87
 * ```
 */
export interface LogEntry {
  /** When the entry was logged, epoch seconds. */
  _t: number;
  /** The logged fields. */
  [field: string]: JsonValue;
}

/**
 * The first line of a session file.
 *
 * @example The first line of a file
 * ```ts
 * import { type SessionRecord, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * await tracer.close();
 * const [first] = (await Deno.readTextFile(tracer.path!)).split("\n");
 * const record = JSON.parse(first) as SessionRecord;
 * console.log(record.type, record.schema, record.agent); // session ai-trace/1 trading_agent
 * ```
 */
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

/**
 * Written when a step begins.
 *
 * @example The line written when a step begins
 * ```ts
 * import { type StartRecord, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("execute", { qty: 0.01 }).start(); // begun, never finished
 * await tracer.close();
 * const lines = (await Deno.readTextFile(tracer.path!)).trim().split("\n");
 * const start = JSON.parse(lines[1]) as StartRecord;
 * console.log(start.type, start.name, start.context.qty); // start execute 0.01
 * ```
 */
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

/**
 * Written when a step ends. A line without `type` is a step too (the original's).
 *
 * @example The line written when a step ends
 * ```ts
 * import { type StepRecord, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir(), startLines: false });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const lines = (await Deno.readTextFile(tracer.path!)).trim().split("\n");
 * const step = JSON.parse(lines[1]) as StepRecord;
 * console.log(step.name, step.outcome, step.logs.length); // market_scan ok 1
 * ```
 */
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

/**
 * Usage summed over a set of steps (a session, a step name, a directory):
 * part of {@linkcode Summary}, {@linkcode NameSummary} and the `stats` report.
 *
 * @example Tokens and cost of a run
 * ```ts
 * import { Tracer, type UsageTotals } from "@ai-trace/core";
 *
 * const tracer = new Tracer("researcher", { autoSave: false });
 * tracer.step("answer", (step) => step.usage({ input_tokens: 1200, output_tokens: 300, cost_usd: 0.0027 }));
 * const totals: UsageTotals = tracer.summary();
 * console.log(totals.input_tokens, totals.cost_usd); // 1200 0.0027
 * ```
 */
export interface UsageTotals {
  /** Input tokens summed. */
  input_tokens: number;
  /** Output tokens summed. */
  output_tokens: number;
  /** Cache-read input tokens summed. */
  cache_read_input_tokens: number;
  /** Cache-creation input tokens summed. */
  cache_creation_input_tokens: number;
  /** Reasoning tokens summed. */
  reasoning_tokens: number;
  /** Cost summed, US dollars. */
  cost_usd: number;
}

/**
 * Totals per step name, part of a {@linkcode Summary}.
 *
 * @example Totals of one step name
 * ```ts
 * import { type NameSummary, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("crawler", { autoSave: false });
 * for (const url of ["a", "b"]) tracer.step("fetch", { url }, () => {});
 * const fetches: NameSummary = tracer.summary().by_name["fetch"];
 * console.log(fetches.count, fetches.errors); // 2 0
 * ```
 */
export interface NameSummary extends UsageTotals {
  /** Steps with this name. */
  count: number;
  /** Of them, the ones whose outcome is `"error"`. */
  errors: number;
  /** Total duration, milliseconds. */
  total_ms: number;
}

/**
 * What a session did, in numbers: returned by `summary()`, kept in the `end` line.
 *
 * @example A run's totals
 * ```ts
 * import { type Summary, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("crawler", { autoSave: false });
 * tracer.step("fetch", { url: "a" }, () => {});
 * const summary: Summary = tracer.summary();
 * console.log(summary.steps, summary.ok, summary.p95_ms); // 1 1 …
 * ```
 */
export interface Summary extends UsageTotals {
  /** Completed steps. */
  steps: number;
  /** Steps whose outcome is `"ok"`. */
  ok: number;
  /** Steps whose outcome is `"error"`. */
  errors: number;
  /** Steps with another outcome the user chose (`finish("skipped")`, …): `steps = ok + errors + other`. */
  other: number;
  /** Steps begun and not (yet) ended. */
  in_flight: number;
  /** Mean duration of completed steps, milliseconds. */
  avg_ms: number;
  /** Median duration, milliseconds. */
  p50_ms: number;
  /** 95th percentile duration, milliseconds. */
  p95_ms: number;
  /** Records that could not be written (disk full, directory deleted, …). */
  lost_records: number;
  /** Totals per step name. */
  by_name: Record<string, NameSummary>;
}

/**
 * The last line of a session file, written by `close()` or at exit.
 *
 * @example The last line of a file
 * ```ts
 * import { type EndRecord, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", () => {});
 * await tracer.close();
 * const lines = (await Deno.readTextFile(tracer.path!)).trim().split("\n");
 * const end = JSON.parse(lines[lines.length - 1]) as EndRecord;
 * console.log(end.type, end.summary.steps, end.reason); // end 1 undefined
 * ```
 */
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

/**
 * Any line of an `ai-trace/1` JSONL file.
 *
 * @example Every line of a file
 * ```ts
 * import { type TraceRecord, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", () => {});
 * await tracer.close();
 * const lines = (await Deno.readTextFile(tracer.path!)).trim().split("\n");
 * const records = lines.map((line) => JSON.parse(line) as TraceRecord);
 * console.log(records.map((record) => record.type)); // [ "session", "start", "step", "end" ]
 * ```
 */
export type TraceRecord = SessionRecord | StartRecord | StepRecord | EndRecord;

/**
 * A step as read back: completed, or in flight (begun, never ended).
 *
 * @example The steps of a session
 * ```ts
 * import { readSession, type SessionStep, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * tracer.step("execute").start(); // still running at close: in flight
 * await tracer.close();
 * const steps: SessionStep[] = (await readSession(tracer.path!)).steps;
 * console.log(steps.map((step) => [step.name, step.outcome, step.in_flight]));
 * // [ [ "market_scan", "ok", false ], [ "execute", null, true ] ]
 * ```
 */
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

/**
 * How a session ended, derived from its file.
 *
 * @example Whether a session completed
 * ```ts
 * import { readSession, type SessionState, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * await tracer.close();
 * const state: SessionState = (await readSession(tracer.path!)).state;
 * console.log(state); // complete
 * ```
 */
export type SessionState = "complete" | "crashed" | "running";

/**
 * A problem met while reading a file: the read went on without that line.
 *
 * @example A cut-off last line
 * ```ts
 * import { type ReadWarning, readSession } from "@ai-trace/core";
 *
 * const path = `${await Deno.makeTempDir()}/agent_20260301_120000.jsonl`;
 * await Deno.writeTextFile(path, '{"name": "scan", "started_at": 1, "finished_at": 2}\n{"name": "ex');
 * const [warning]: ReadWarning[] = (await readSession(path)).warnings;
 * console.log(warning.line, warning.message); // 2 last line is cut off (…), skipped
 * ```
 */
export interface ReadWarning {
  /** The file. */
  path: string;
  /** The 1-based line number, or 0 for the file as a whole. */
  line: number;
  /** What is wrong, e.g. `"line is not JSON (cut off?)"`. */
  message: string;
}

/**
 * A whole session as read back from a JSONL file or a JSON snapshot.
 *
 * @example Read a session back
 * ```ts
 * import { readSession, type Session, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.decide("HOLD"));
 * await tracer.close();
 * const session: Session = await readSession(tracer.path!);
 * console.log(session.agent, session.state, session.steps.length); // trading_agent complete 1
 * ```
 */
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
