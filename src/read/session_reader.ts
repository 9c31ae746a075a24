/**
 * Reads one session back from its file: our JSONL, our JSON snapshot, and the
 * original Python tracer's JSONL and JSON as it writes them. A bad line is
 * skipped with a warning naming the file and line; it never stops the read.
 *
 * @module
 */

import { basename } from "node:path";
import { readLines } from "../format/line_reader.ts";
import { parseJsonLine } from "../format/parse_line.ts";
import { classifyLine, CUT_OFF_MESSAGE } from "../format/record_line.ts";
import { hostname, isProcessAlive, readTextFile, statPath } from "../runtime.ts";
import { SummaryBuilder } from "../model/aggregator.ts";
import type {
  Decision,
  JsonObject,
  LogEntry,
  ReadWarning,
  Session,
  SessionState,
  SessionStep,
  Usage,
} from "../format/types.ts";

/**
 * A session without an `end` line, from another machine, whose last record is
 * younger than this is running; older ones crashed.
 */
export const RUNNING_WINDOW_MS = 120_000;

/**
 * A session whose writer's process id is alive on this machine is running,
 * unless its last record is older than this (a day): by then the id has
 * likely been reused by another process.
 */
export const PID_TRUST_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The agent and session id that a file's name gives, as `<agent>_<YYYYMMDD_HHMMSS[_suffix]>.jsonl`. */
export function parseTraceFileName(path: string): { agent: string; session_id: string } | undefined {
  const match = /^(.*)_(\d{8}_\d{6}(?:_[A-Za-z0-9]+)?)\.jsonl?$/.exec(basename(path));
  return match ? { agent: match[1], session_id: match[2] } : undefined;
}

/** Whether a file name is one a reader looks at: `.jsonl` or `.json`. */
export function isTraceFileName(name: string): boolean {
  return name.endsWith(".jsonl") || name.endsWith(".json");
}

/** A JSON object, or `undefined` for anything else. */
function asObject(value: unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value as JsonObject : undefined;
}

function asNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return JSON.stringify(value);
}

function asLogs(value: unknown): LogEntry[] {
  if (!Array.isArray(value)) return [];
  const logs: LogEntry[] = [];
  for (const entry of value) {
    const object = asObject(entry);
    if (object) logs.push(object as LogEntry);
  }
  return logs;
}

/**
 * Turns one step record (ours, or the original's) into a {@linkcode SessionStep},
 * whatever odd shapes its fields have.
 */
export function toSessionStep(record: JsonObject, fallbackId: number, inFlight: boolean): SessionStep {
  const id = asNumber(record.id) ?? fallbackId;
  const parent = asNumber(record.parent_id);
  const step: SessionStep = {
    id,
    parent_id: parent,
    name: asText(record.name),
    context: asObject(record.context) ?? {},
    started_at: asNumber(record.started_at) ?? 0,
    finished_at: inFlight ? null : asNumber(record.finished_at),
    duration_ms: inFlight ? null : asNumber(record.duration_ms),
    outcome: inFlight ? null : asText(record.outcome ?? "ok"),
    error: record.error === null || record.error === undefined ? null : asText(record.error),
    logs: asLogs(record.logs),
    in_flight: inFlight,
  };
  if (typeof record.kind === "string") step.kind = record.kind;
  const decision = asObject(record.decision);
  if (decision) step.decision = asDecision(decision);
  const usage = asObject(record.usage);
  if (usage) step.usage = asUsage(usage);
  if (typeof record.error_type === "string") step.error_type = record.error_type;
  if (typeof record.stack === "string") step.stack = record.stack;
  return step;
}

/** A decision with the types the format gives its fields; other fields are kept as they are. */
function asDecision(decision: JsonObject): Decision {
  const out = { ...decision, action: asText(decision.action) } as Decision;
  if (decision.reason !== undefined) out.reason = asText(decision.reason);
  const confidence = asNumber(decision.confidence);
  if (confidence === null) delete out.confidence;
  else out.confidence = confidence;
  if (decision.alternatives !== undefined && !Array.isArray(decision.alternatives)) {
    out.alternatives = [decision.alternatives];
  }
  return out;
}

/** Usage with numbers for counts and cost and a string for the model; anything else is dropped. */
function asUsage(usage: JsonObject): Usage {
  const out: Usage = {};
  if (usage.model !== undefined && usage.model !== null) out.model = asText(usage.model);
  for (const key of ["input_tokens", "output_tokens", "cost_usd"] as const) {
    const value = asNumber(usage[key]);
    if (value !== null) out[key] = value;
  }
  return out;
}

/**
 * Options of {@linkcode readSession}.
 *
 * @example Decide "running or crashed" as of a given time
 * ```ts
 * import { readSession, type ReadSessionOptions, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * await tracer.close();
 * const options: ReadSessionOptions = { now: Date.now() + 60_000 };
 * console.log((await readSession(tracer.path!, options)).state); // complete
 * ```
 */
export interface ReadSessionOptions {
  /**
   * The time "now" is, epoch milliseconds, for telling running from crashed.
   *
   * @default {Date.now()}
   */
  now?: number;
}

/**
 * Reads a whole session from a `.jsonl` or `.json` file.
 *
 * @example Read back what a tracer wrote
 * ```ts
 * import { readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.decide("HOLD", { reason: "no signal" }));
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * console.log(session.state, session.steps[0].decision?.reason, session.summary.steps); // complete no signal 1
 * ```
 *
 * @param path The `.jsonl` file (ours or the original's) or `.json` snapshot.
 * @param options The time "now" is, for telling a running session from a crashed one.
 * @returns The session: its steps ordered by start time, its totals, and a
 *   warning for each line that could not be read.
 * @throws {NotFoundError} / {PermissionError} when the file cannot be opened,
 *   and `SyntaxError` when a `.json` snapshot is not JSON.
 */
export async function readSession(path: string, options: ReadSessionOptions = {}): Promise<Session> {
  const info = statPath(path);
  if (!info.isFile) throw new TypeError(`Cannot read trace "${path}": not a file`);
  if (path.endsWith(".json")) return readSnapshot(path);
  const fromName = parseTraceFileName(path);
  const session: Session = {
    path,
    format: "jsonl",
    schema: null,
    agent: fromName?.agent ?? basename(path).replace(/\.jsonl$/, ""),
    session_id: fromName?.session_id ?? "",
    meta: {},
    started_at: null,
    finished_at: null,
    state: "crashed",
    steps: [],
    summary: new SummaryBuilder().build(),
    warnings: [],
  };
  const byId = new Map<number, SessionStep>();
  let hasEnd = false;
  let abnormalEnd = false; // an end line written as the process died of a signal or an uncaught error
  let lastBad: ReadWarning | undefined; // a bad line with nothing valid after it is a cut-off end
  let count = 0;
  for await (const line of readLines(path)) {
    const classified = classifyLine(path, line);
    if (classified.kind === "blank") continue;
    if (classified.kind !== "too-long") lastBad = undefined;
    if (classified.kind !== "record") {
      if (classified.kind === "not-json") lastBad = classified.warning;
      session.warnings.push(classified.warning);
      continue;
    }
    const { type, record } = classified;
    if (type === "session") {
      session.schema = typeof record.schema === "string" ? record.schema : null;
      if (typeof record.agent === "string") session.agent = record.agent;
      if (typeof record.session_id === "string") session.session_id = record.session_id;
      session.meta = asObject(record.meta) ?? {};
      session.started_at = asNumber(record.started_at);
      const runtime = asObject(record.runtime);
      if (runtime) session.runtime = { name: asText(runtime.name), version: asText(runtime.version) };
      if (typeof record.pid === "number") session.pid = record.pid;
      if (typeof record.host === "string") session.host = record.host;
    } else if (type === "end") {
      hasEnd = true;
      abnormalEnd = record.reason === "signal" || record.reason === "uncaught";
      session.finished_at = asNumber(record.finished_at);
    } else {
      if (hasEnd) [hasEnd, abnormalEnd, session.finished_at] = [false, false, null]; // that end was not the last
      const step = toSessionStep(record, ++count, type === "start");
      const begun = type === "step" && record.id !== undefined ? byId.get(step.id) : undefined;
      if (begun?.in_flight) {
        Object.assign(begun, step);
        for (const key of ["kind", "decision", "usage", "error_type", "stack"] as const) {
          if (step[key] === undefined) delete begun[key];
        }
      } else {
        byId.set(step.id, step);
        session.steps.push(step);
      }
    }
  }
  if (session.schema === null) session.meta = siblingMeta(path);
  const cutOff = lastBad !== undefined;
  if (lastBad) lastBad.message = CUT_OFF_MESSAGE;
  finishSession(session, { hasEnd, cutOff, now: options.now ?? Date.now() });
  if (abnormalEnd) session.state = "crashed";
  return session;
}

/** The original tracer keeps `meta` only in its JSON snapshot: take it from there when it is beside the JSONL. */
function siblingMeta(path: string): JsonObject {
  try {
    const snapshot = asObject(parseJsonLine(readTextFile(path.replace(/\.jsonl$/, ".json"))));
    return asObject(snapshot?.meta) ?? {};
  } catch {
    return {};
  }
}

function finishSession(
  session: Session,
  facts: { hasEnd: boolean; cutOff: boolean; now: number },
): void {
  // By start time; a step without one keeps its place after the step before it.
  const keys = new Map<SessionStep, number>();
  let previous = 0;
  for (const step of session.steps) {
    if (step.started_at > 0) previous = step.started_at;
    keys.set(step, previous);
  }
  session.steps.sort((a, b) => keys.get(a)! - keys.get(b)! || a.id - b.id);
  const summary = new SummaryBuilder();
  let lastEnd: number | null = null;
  for (const step of session.steps) {
    if (step.in_flight) {
      summary.inFlight++;
      continue;
    }
    summary.add({
      name: step.name,
      outcome: step.outcome ?? "ok",
      duration_ms: step.duration_ms ?? 0,
      usage: step.usage,
    });
    if (step.finished_at !== null && (lastEnd === null || step.finished_at > lastEnd)) lastEnd = step.finished_at;
  }
  session.summary = summary.build();
  if (session.started_at === null && session.steps.length > 0) session.started_at = session.steps[0].started_at;
  if (session.finished_at === null) session.finished_at = lastEnd;
  session.state = deriveState(session, facts);
}

function deriveState(
  session: Session,
  facts: { hasEnd: boolean; cutOff: boolean; now: number },
): SessionState {
  if (facts.hasEnd) return "complete";
  if (facts.cutOff && session.schema === null) return "crashed";
  let last = session.started_at ?? 0;
  for (const step of session.steps) last = Math.max(last, step.finished_at ?? step.started_at);
  // The writer is known: it is running while its process lives (unless the file
  // has been quiet so long that the process id has likely been reused).
  if (session.pid !== undefined && session.host !== undefined && session.host === hostname()) {
    const alive = isProcessAlive(session.pid) && facts.now - last * 1000 < PID_TRUST_WINDOW_MS;
    return alive ? "running" : "crashed";
  }
  if (facts.now - last * 1000 < RUNNING_WINDOW_MS) return "running";
  // The original tracer writes no `end` line: its whole files are complete.
  if (session.schema === null && session.summary.in_flight === 0) return "complete";
  return "crashed";
}

/** Reads a JSON snapshot (ours or the original's). */
function readSnapshot(path: string): Session {
  const text = readTextFile(path);
  let value: unknown;
  try {
    value = parseJsonLine(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new SyntaxError(`Cannot read trace "${path}": the file is not JSON`);
  }
  const record = asObject(value);
  if (!record || !Array.isArray(record.steps)) {
    throw new SyntaxError(`Cannot read trace "${path}": not a trace snapshot (no "steps" list)`);
  }
  const fromName = parseTraceFileName(path);
  const warnings: ReadWarning[] = [];
  const steps: SessionStep[] = [];
  record.steps.forEach((entry, index) => {
    const object = asObject(entry);
    if (!object) {
      warnings.push({ path, line: 0, message: `step ${index + 1} is not a JSON object, skipped` });
      return;
    }
    steps.push(toSessionStep(object, index + 1, object.in_flight === true));
  });
  const session: Session = {
    path,
    format: "json",
    schema: typeof record.schema === "string" ? record.schema : null,
    agent: typeof record.agent === "string" ? record.agent : fromName?.agent ?? basename(path),
    session_id: typeof record.session_id === "string" ? record.session_id : fromName?.session_id ?? "",
    meta: asObject(record.meta) ?? {},
    started_at: asNumber(record.started_at),
    finished_at: asNumber(record.finished_at),
    state: "complete",
    steps,
    summary: new SummaryBuilder().build(),
    warnings,
  };
  const state = typeof record.state === "string" ? record.state : undefined;
  finishSession(session, { hasEnd: true, cutOff: false, now: 0 });
  if (state === "crashed" || state === "running") session.state = state;
  else if (session.summary.in_flight > 0) session.state = "crashed";
  return session;
}
