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
import { type Line, LineReader } from "../format/line_reader.ts";
import { openRead } from "../runtime.ts";
import { classifyLine, CUT_OFF_MESSAGE, LineWarnings, type RecordLine } from "../format/record_line.ts";
import { asNumber, asObject, asText, invalidTimes, limitDepth } from "../format/fields.ts";
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
    context: limitDepth(asObject(record.context) ?? {}),
    started_at: asNumber(record.started_at) ?? 0,
    finished_at: inFlight ? null : asNumber(record.finished_at),
    duration_ms: inFlight ? null : asNumber(record.duration_ms),
    outcome: inFlight ? null : asText(record.outcome ?? "ok"),
    error: record.error === null || record.error === undefined ? null : asText(record.error),
    logs: limitDepth(asLogs(record.logs)),
    in_flight: inFlight,
  };
  if (typeof record.kind === "string") step.kind = record.kind;
  const decision = asObject(record.decision);
  if (decision) step.decision = asDecision(limitDepth(decision));
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
  #lastBadShown = false;
  #count = 0;
  readonly #warnings: LineWarnings;

  /**
   * @param path the file.
   * @param seed the agent and session id its name gives.
   */
  constructor(path: string, seed: SessionSeed) {
    this.#warnings = new LineWarnings(path);
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

  /**
   * Takes one line.
   *
   * @param classified the line, classified.
   * @param line its number, for warnings about its fields.
   */
  add(classified: RecordLine, line = 0): void {
    const session = this.#session;
    if (classified.kind === "blank") return;
    if (classified.kind !== "too-long") this.#lastBad = undefined;
    if (classified.kind !== "record") {
      // A bad line costs a counter once the first few are kept: a file of a
      // million of them is one warning with the count, not a million objects.
      const shown = this.#warn(classified.warning);
      if (classified.kind === "not-json") [this.#lastBad, this.#lastBadShown] = [classified.warning, shown];
      return;
    }
    const { type, record } = classified;
    for (const message of invalidTimes(record)) this.#warn({ path: session.path, line, message });
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

  /** Keeps a warning, or only counts it past the limit; says whether it was kept. */
  #warn(warning: ReadWarning): boolean {
    if (!this.#warnings.admit(warning)) return false;
    this.#session.warnings.push(warning);
    return true;
  }

  /**
   * Ends the file: orders the steps, counts them, and gives the session its state.
   *
   * @param now the time now, epoch milliseconds.
   */
  finish(now: number): Session {
    const session = this.#session;
    const cutOff = this.#lastBad !== undefined;
    if (this.#lastBad) {
      this.#lastBad.message = CUT_OFF_MESSAGE;
      if (!this.#lastBadShown) session.warnings.push(this.#lastBad); // the cut-off end is always said
    }
    const more = this.#warnings.summary();
    if (more) session.warnings.push(more);
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
  const onLine = (line: Line) => builder.add(classifyLine(path, line), line.number);
  // Chunk by chunk, each line handed on without a promise of its own: a file
  // of millions of tiny lines costs no more than their chunk.
  const reader = new LineReader(path);
  const file = openRead(path);
  try {
    while (reader.pull(file, onLine)) await null;
  } finally {
    file.close();
  }
  reader.end(onLine);
  return builder.finish(now);
}
