/**
 * The session model: how the records of a file (ours or the original Python
 * tracer's) become a {@linkcode Session} — steps paired from their `start` and
 * `step` lines, ordered, counted by the one {@linkcode Aggregator}, and given
 * their state by the one rule of `state.ts`. The readers and the tracer's own
 * reports both build sessions here.
 *
 * @module
 */

import { Aggregator, SUMMED_USAGE } from "./aggregator.ts";
import { USAGE_TEXT_FIELDS } from "./usage.ts";
import { sessionState } from "./state.ts";
import { readLines } from "../format/line_reader.ts";
import { classifyLine, CUT_OFF_MESSAGE, type RecordLine } from "../format/record_line.ts";
import { asNumber, asObject, asText } from "../format/fields.ts";
import type {
  Decision,
  JsonObject,
  LogEntry,
  ReadWarning,
  Session,
  SessionStep,
  Summary,
  Usage,
} from "../format/types.ts";

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

/** Usage with numbers for counts and cost and strings for the models and provider; anything else is dropped. */
function asUsage(usage: JsonObject): Usage {
  const out: Usage = {};
  for (const key of USAGE_TEXT_FIELDS) {
    if (usage[key] !== undefined && usage[key] !== null) out[key] = asText(usage[key]);
  }
  for (const key of SUMMED_USAGE) {
    const value = asNumber(usage[key]);
    if (value !== null) out[key] = value;
  }
  return out;
}

/** The totals of a session's steps: every finished step counted, every step in flight counted as such. */
export function summarize(steps: Iterable<SessionStep>, lostRecords = 0): Summary {
  const aggregator = new Aggregator();
  aggregator.lostRecords = lostRecords;
  for (const step of steps) {
    if (step.in_flight) aggregator.inFlight++;
    else aggregator.add(step);
  }
  return aggregator.summary();
}

/**
 * Orders steps by start time, in place; a step without one keeps its place
 * after the step before it.
 */
export function sortSteps(steps: SessionStep[]): void {
  const keys = new Map<SessionStep, number>();
  let previous = 0;
  for (const step of steps) {
    if (step.started_at > 0) previous = step.started_at;
    keys.set(step, previous);
  }
  steps.sort((a, b) => keys.get(a)! - keys.get(b)! || a.id - b.id);
}

/** The latest end time of the finished steps, or `null`. */
export function lastFinish(steps: Iterable<SessionStep>): number | null {
  let last: number | null = null;
  for (const step of steps) {
    if (step.finished_at !== null && (last === null || step.finished_at > last)) last = step.finished_at;
  }
  return last;
}

/** The last sign of life of a session: its start, or the latest start or end of a step, epoch seconds. */
export function lastSeen(session: Session): number {
  let last = session.started_at ?? 0;
  for (const step of session.steps) last = Math.max(last, step.finished_at ?? step.started_at);
  return last;
}

/** What a JSONL file's name says, for a file whose session line is missing. */
export interface SessionSeed {
  /** The agent's name. */
  agent: string;
  /** The session id. */
  session_id: string;
}

/**
 * Builds a session from the lines of a JSONL file, one classified line at a
 * time. The last of several `end` lines counts; records after an `end` mean
 * the process went on (an error it handled), so that end was not the last.
 */
export class SessionBuilder {
  readonly #session: Session;
  readonly #byId = new Map<number, SessionStep>();
  #hasEnd = false;
  #abnormalEnd = false; // an end line written as the process died of a signal or an uncaught error
  #lastBad: ReadWarning | undefined; // a bad line with nothing valid after it is a cut-off end
  #count = 0;

  /**
   * @param path the file.
   * @param seed the agent and session id its name gives.
   */
  constructor(path: string, seed: SessionSeed) {
    this.#session = {
      path,
      format: "jsonl",
      schema: null,
      agent: seed.agent,
      session_id: seed.session_id,
      meta: {},
      started_at: null,
      finished_at: null,
      state: "crashed",
      steps: [],
      summary: summarize([]),
      warnings: [],
    };
  }

  /** The session as built so far. */
  get session(): Session {
    return this.#session;
  }

  /** Takes one line. */
  add(classified: RecordLine): void {
    const session = this.#session;
    if (classified.kind === "blank") return;
    if (classified.kind !== "too-long") this.#lastBad = undefined;
    if (classified.kind !== "record") {
      if (classified.kind === "not-json") this.#lastBad = classified.warning;
      session.warnings.push(classified.warning);
      return;
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
      this.#hasEnd = true;
      this.#abnormalEnd = record.reason === "signal" || record.reason === "uncaught";
      session.finished_at = asNumber(record.finished_at);
    } else {
      if (this.#hasEnd) { // that end was not the last
        this.#hasEnd = false;
        this.#abnormalEnd = false;
        session.finished_at = null;
      }
      const step = toSessionStep(record, ++this.#count, type === "start");
      const begun = type === "step" && record.id !== undefined ? this.#byId.get(step.id) : undefined;
      if (begun?.in_flight) {
        Object.assign(begun, step);
        for (const key of ["kind", "decision", "usage", "error_type", "stack"] as const) {
          if (step[key] === undefined) delete begun[key];
        }
      } else {
        this.#byId.set(step.id, step);
        session.steps.push(step);
      }
    }
  }

  /**
   * Ends the file: orders the steps, counts them, and gives the session its state.
   *
   * @param now the time now, epoch milliseconds.
   */
  finish(now: number): Session {
    const session = this.#session;
    const cutOff = this.#lastBad !== undefined;
    if (this.#lastBad) this.#lastBad.message = CUT_OFF_MESSAGE;
    sortSteps(session.steps);
    session.summary = summarize(session.steps);
    if (session.started_at === null && session.steps.length > 0) session.started_at = session.steps[0].started_at;
    if (session.finished_at === null) session.finished_at = lastFinish(session.steps);
    session.state = sessionState({
      ended: this.#hasEnd,
      abnormalEnd: this.#abnormalEnd,
      ours: session.schema !== null,
      cutOff,
      inFlight: session.summary.in_flight,
      lastSeen: lastSeen(session),
      pid: session.pid,
      host: session.host,
      now,
    });
    return session;
  }
}

/**
 * Reads a JSONL session file (ours or the original's) into a session, line
 * by line in bounded memory besides the session itself.
 *
 * @param path the file.
 * @param seed the agent and session id to assume until a `session` line says otherwise.
 * @param now the time now, epoch milliseconds, for the state.
 */
export async function readSessionLines(path: string, seed: SessionSeed, now: number): Promise<Session> {
  const builder = new SessionBuilder(path, seed);
  for await (const line of readLines(path)) builder.add(classifyLine(path, line));
  return builder.finish(now);
}
