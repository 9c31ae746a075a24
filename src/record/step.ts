/**
 * One step of an agent's run: begun, logged to, decided in, ended.
 *
 * @module
 */

import { field, isDateMs } from "../format/fields.ts";
import type { Sanitizer } from "./safe_json.ts";
import { type CountedStep, SUMMED_USAGE } from "../model/aggregator.ts";
import type { Decision, JsonObject, LogEntry, SessionStep, Usage } from "../format/types.ts";
import { USAGE_TEXT_FIELDS } from "../model/usage.ts";

/**
 * Options of {@linkcode Step.decide}.
 *
 * @example A decision with its reason and the alternatives
 * ```ts
 * import { type DecideOptions, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { autoSave: false });
 * const options: DecideOptions = { reason: "SuperTrend bullish", confidence: 0.87, alternatives: ["HOLD"] };
 * tracer.step("decide", (step) => step.decide("ENTER_LONG", options));
 * console.log(tracer.summary().ok); // 1
 * ```
 */
export interface DecideOptions {
  /**
   * Why the action was taken.
   *
   * @default {undefined}
   */
  reason?: string;
  /**
   * How sure the agent was, usually between 0 and 1.
   *
   * @default {undefined}
   */
  confidence?: number;
  /**
   * The other actions that were considered.
   *
   * @default {undefined}
   */
  alternatives?: unknown[];
}

/**
 * Options of a step beyond its name and context: what kind of step it is, its
 * parent, and when it started. Sources that report steps after the fact
 * (framework hooks, OpenTelemetry spans) give all three.
 *
 * @example A step reported after the fact, under an explicit parent
 * ```ts
 * import { readSession, type StepOptions, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("researcher", { traceDir: await Deno.makeTempDir() });
 * const agent = tracer.step("agent", {}, { kind: "agent", parent: null }).start();
 * const options: StepOptions = { kind: "llm", parent: agent, startTime: Date.now() - 1200 };
 * tracer.step("chat gpt-4o-mini", { prompt: "Plan the trip" }, options).finish("ok", { endTime: Date.now() - 200 });
 * agent.finish();
 * await tracer.close();
 * const [, llm] = (await readSession(tracer.path!)).steps;
 * console.log(llm.kind, llm.parent_id === agent.id, llm.duration_ms); // llm true 1000
 * ```
 */
export interface StepOptions {
  /**
   * What the step is: `"llm"`, `"tool"`, `"agent"`, `"embedding"`,
   * `"guardrail"`, or any string. Written as the step's `kind`.
   *
   * @default {no kind}
   */
  kind?: string;
  /**
   * The parent: a started {@linkcode Step}, or `null` for a top-level step.
   * Left out, the parent is the step of the current async context (the
   * callback or {@linkcode Step.run} the step begins in).
   *
   * @default {the current step}
   */
  parent?: Step | null;
  /**
   * When the step started, epoch milliseconds (e.g. `Date.now()` then).
   * Its `duration_ms` is then measured from this time, not from a monotonic clock.
   * A value that is not a time a `Date` holds (NaN, negative, past 8.64e15) is now.
   *
   * @default {now, when the step starts}
   */
  startTime?: number;
}

/**
 * Options of {@linkcode Step.finish} and {@linkcode Step.fail}, and of
 * `Tracer.close()` for a session recorded after the fact.
 *
 * @example A step that ended before it was reported
 * ```ts
 * import { type EndOptions, readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("researcher", { traceDir: await Deno.makeTempDir() });
 * const end: EndOptions = { endTime: 1_767_225_600_250 };
 * tracer.step("search", {}, { kind: "tool", startTime: 1_767_225_600_000 }).finish("ok", end);
 * await tracer.close();
 * const [step] = (await readSession(tracer.path!)).steps;
 * console.log(step.started_at, step.finished_at, step.duration_ms); // 1767225600 1767225600.25 250
 * ```
 */
export interface EndOptions {
  /**
   * When the step ended, epoch milliseconds. With the step's `startTime`
   * given, `duration_ms` is `endTime - startTime`; an end before the start
   * counts as the start (duration 0). For `Tracer.close()`: when the session
   * ended (the `end` line's `finished_at`), not before it started. A value
   * that is not a time a `Date` holds (NaN, negative, past 8.64e15) is now.
   *
   * @default {now}
   */
  endTime?: number;
}

/** What a step needs from its tracer (internal). */
export interface StepHost {
  /** Makes values safe and redacted. */
  readonly sanitizer: Sanitizer;
  /** The next step id. */
  nextId(): number;
  /** The step whose callback is running here, if any. */
  currentStep(): Step | undefined;
  /** Runs `fn` with `step` as the current step. */
  runIn<T>(step: Step, fn: () => T): T;
  /** Records that a step began. */
  begun(line: () => string, record: SessionStep | undefined, name: string): void;
  /** Records that a step ended. */
  ended(line: string, counted: CountedStep): void;
  /** Whether steps are kept in memory (no auto-save, or the file failed). */
  readonly inMemory: boolean;
  /** Whether step lines take the original Python tracer's shape (its fields first, no `type`). */
  readonly compat: boolean;
}

const NEW = 0;
const RUNNING = 1;
const DONE = 2;

/** Epoch seconds with sub-millisecond precision. */
export function epochSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/**
 * A step of a traced run. Get one from `tracer.step(name, context)`, then
 * `start()`, `log()`, `decide()`, `usage()` and `finish()` or `fail()`; or let
 * the callback form of `tracer.step()` do the starting and ending.
 *
 * @example Manual steps
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("scanner", { autoSave: false });
 * const step = tracer.step("scan", { markets: 142 });
 * step.start();
 * step.log({ candidates: 3 });
 * step.decide("BUY", { reason: "breakout", confidence: 0.8 });
 * step.finish();
 * ```
 */
export class Step {
  /** The step's name. */
  readonly name: string;
  readonly #host: StepHost;
  readonly #rawContext: unknown;
  #context: JsonObject | undefined;
  #kind: string | undefined;
  #parent: Step | null | undefined; // undefined: the current step at start()
  #startMs: number | undefined; // an explicit start time, epoch milliseconds
  #state = NEW;
  #id = 0;
  #parentId: number | null = null;
  #startedAt = 0;
  #t0 = 0;
  #logs: LogEntry[] = [];
  #decision: Decision | undefined;
  #usage: Usage | undefined;
  #record: SessionStep | undefined;
  #prefix = ""; // the JSON shared by the start and step lines

  /** @internal Steps are made by `Tracer.step()`. */
  constructor(
    host: StepHost,
    name: string,
    context: unknown,
    kind?: string,
    parent?: Step | null,
    startMs?: number,
  ) {
    this.#host = host;
    this.name = name;
    this.#rawContext = context;
    this.#kind = kind;
    this.#parent = parent;
    this.#startMs = startMs;
  }

  /**
   * What the step is (`"llm"`, `"tool"`, …), or `undefined` when not given.
   *
   * @example The kind of a wrapped tool
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("helper", { autoSave: false });
   * tracer.step("plan", {}, { kind: "agent" }, (step) => console.log(step.kind)); // agent
   * ```
   */
  get kind(): string | undefined {
    return this.#kind;
  }

  /**
   * The step's id within its session (0 until started).
   *
   * @example Ids of nested steps
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { autoSave: false });
   * tracer.step("research", (outer) => {
   *   tracer.step("fetch", (inner) => console.log(outer.id, inner.id, inner.parentId)); // 1 2 1
   * });
   * ```
   */
  get id(): number {
    return this.#id;
  }

  /**
   * The enclosing step's id, or `null` for a top-level step.
   *
   * @example A top-level step has no parent
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { autoSave: false });
   * const step = tracer.step("market_scan").start();
   * console.log(step.parentId); // null
   * step.finish();
   * ```
   */
  get parentId(): number | null {
    return this.#parentId;
  }

  /**
   * Whether the step has ended.
   *
   * @example Before and after finish()
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { autoSave: false });
   * const step = tracer.step("market_scan").start();
   * console.log(step.finished); // false
   * step.finish();
   * console.log(step.finished); // true
   * ```
   */
  get finished(): boolean {
    return this.#state === DONE;
  }

  /**
   * Begins the step: takes its start time, its id and its parent (the one
   * given, else the step whose callback is running), and writes its `start`
   * line. A second call does nothing.
   *
   * @returns this step, for chaining.
   * @example Time a step by hand
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { autoSave: false });
   * const step = tracer.step("execute", { qty: 0.01 }).start();
   * // … place the order …
   * step.finish();
   * console.log(step.id, tracer.summary().steps); // 1 1
   * ```
   */
  start(): this {
    if (this.#state !== NEW) return this;
    this.#state = RUNNING;
    const host = this.#host;
    this.#id = host.nextId();
    const parent = this.#parent;
    this.#parentId = parent === undefined ? host.currentStep()?.id ?? null : parent === null ? null : idOf(parent);
    this.#context = host.sanitizer.object(this.#rawContext);
    if (this.#startMs === undefined) {
      // One clock read gives both the monotonic start and the epoch time.
      const t0 = performance.now();
      this.#t0 = t0;
      this.#startedAt = (performance.timeOrigin + t0) / 1000;
    } else {
      this.#startedAt = this.#startMs / 1000;
    }
    if (host.inMemory) {
      this.#record = {
        id: this.#id,
        parent_id: this.#parentId,
        name: this.name,
        context: this.#context,
        started_at: this.#startedAt,
        finished_at: null,
        duration_ms: null,
        outcome: null,
        error: null,
        logs: this.#logs,
        in_flight: true,
      };
      if (this.#kind !== undefined) this.#record.kind = this.#kind;
    }
    host.begun(() => this.#startLine(), this.#record, this.name);
    return this;
  }

  #startLine(): string {
    this.#makePrefix();
    const kind = this.#kind === undefined ? "" : `,"kind":${JSON.stringify(this.#kind)}`;
    return `{"type":"start",${this.#prefix}${kind}}\n`;
  }

  #makePrefix(): void {
    this.#prefix = `"id":${this.#id},"parent_id":${this.#parentId},"name":${JSON.stringify(this.name)},"context":${
      JSON.stringify(this.#context)
    },"started_at":${this.#startedAt}`;
  }

  /**
   * Logs fields with the current time. Values are made JSON-safe and secrets
   * redacted; a step not yet started is started first.
   *
   * @param fields what to log, e.g. `{ signal: 0.87 }`.
   * @example Log fields, with a secret redacted
   * ```ts
   * import { readSession, Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
   * tracer.step("market_scan", (step) => step.log({ signal: 0.87, api_key: "abc123" }));
   * await tracer.close();
   * const session = await readSession(tracer.path!);
   * console.log(session.steps[0].logs[0]); // { _t: …, signal: 0.87, api_key: "[REDACTED]" }
   * ```
   */
  log(fields: Record<string, unknown>): void {
    if (this.#state === DONE) return;
    if (this.#state === NEW) this.start();
    // `_t` first and ours, even if the fields have one.
    const entry = this.#host.sanitizer.object(fields, epochSeconds()) as LogEntry;
    this.#logs.push(entry);
  }

  /**
   * Records what was decided at this step and why.
   *
   * @param action what was decided, e.g. `"ENTER_LONG"`.
   * @param options the reason, confidence and alternatives.
   * @example Record a decision
   * ```ts
   * import { readSession, Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
   * tracer.step("decide", (step) => step.decide("ENTER_LONG", { reason: "breakout", confidence: 0.87 }));
   * await tracer.close();
   * const session = await readSession(tracer.path!);
   * console.log(session.steps[0].decision); // { action: "ENTER_LONG", reason: "breakout", confidence: 0.87 }
   * ```
   */
  decide(action: string, options: DecideOptions = {}): void {
    if (this.#state === DONE) return;
    if (this.#state === NEW) this.start();
    const sanitizer = this.#host.sanitizer;
    const decision: Decision = { action: sanitizer.text(action) };
    const reason = field(options, "reason");
    if (reason !== undefined) decision.reason = sanitizer.text(reason);
    const confidence = field(options, "confidence");
    if (typeof confidence === "number" && Number.isFinite(confidence)) decision.confidence = confidence;
    const rawAlternatives = field(options, "alternatives");
    if (rawAlternatives !== undefined) {
      const alternatives = sanitizer.value(rawAlternatives);
      decision.alternatives = Array.isArray(alternatives) ? alternatives : [alternatives];
    }
    this.#decision = decision;
  }

  /**
   * Records model usage; token counts and cost add up over several calls,
   * and the last model, response model and provider given are kept.
   *
   * @param usage the model, tokens and cost of a call.
   * @example Two model calls in one step
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { autoSave: false });
   * tracer.step("answer", (step) => {
   *   step.usage({ model: "claude-haiku-4-5", input_tokens: 1200, output_tokens: 300 });
   *   step.usage({ input_tokens: 300, output_tokens: 80 }); // a follow-up call
   * });
   * console.log(tracer.summary().input_tokens); // 1500
   * ```
   */
  usage(usage: Usage): void {
    if (this.#state === DONE) return;
    if (this.#state === NEW) this.start();
    const total: Usage = this.#usage ?? {};
    for (const key of USAGE_TEXT_FIELDS) {
      const value = field(usage, key);
      if (typeof value === "string") total[key] = this.#host.sanitizer.text(value);
    }
    for (const key of SUMMED_USAGE) {
      const value = field(usage, key);
      if (typeof value === "number" && Number.isFinite(value)) total[key] = (total[key] ?? 0) + value;
    }
    this.#usage = total;
  }

  /**
   * Runs `fn` with this step as the current step: steps begun inside it (and
   * across its awaits) are its children, and `tracer.current()` returns it.
   * A step not yet started is started first; `fn` does not end the step.
   *
   * @param fn the work to do inside the step.
   * @returns what `fn` returns.
   * @example Children of a manual step
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("researcher", { autoSave: false });
   * const research = tracer.step("research", { topic: "tides" }).start();
   * const page = await research.run(() => tracer.step("fetch", { url: "a" }, async (fetch) => fetch.parentId));
   * research.finish();
   * console.log(page === research.id); // true
   * ```
   */
  run<T>(fn: () => T): T {
    if (this.#state === NEW) this.start();
    return this.#host.runIn(this, fn);
  }

  /**
   * Ends the step and writes its line. A second call does nothing.
   *
   * @param outcome `"ok"` by default; `"error"` or any other word.
   * @param options when the step ended, for sources that report it after the fact.
   * @example An outcome of your own
   * ```ts
   * import { readSession, Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
   * tracer.step("execute", { qty: 0.01 }).finish("skipped");
   * await tracer.close();
   * console.log((await readSession(tracer.path!)).steps[0].outcome); // skipped
   * ```
   */
  finish(outcome: string = "ok", options?: EndOptions): void {
    const sanitizer = this.#host.sanitizer;
    const plain = typeof outcome === "string" && outcome.length < sanitizer.plainBelow;
    this.#end(plain ? outcome : sanitizer.text(outcome), null, options);
  }

  /**
   * Ends the step as failed.
   *
   * @param reason what went wrong: a message or the thrown value (an Error
   *   also gives its class name and stack).
   * @param options when the step ended, for sources that report it after the fact.
   * @example A failure caught by the agent
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { autoSave: false });
   * const step = tracer.step("place_order", { qty: 0.01 }).start();
   * try {
   *   throw new Error("exchange down");
   * } catch (error) {
   *   step.fail(error); // the agent handles it and goes on
   * }
   * console.log(tracer.summary().errors); // 1
   * ```
   */
  fail(reason: unknown, options?: EndOptions): void {
    this.#end("error", reason, options);
  }

  #end(outcome: string, reason: unknown, options: EndOptions | undefined): void {
    if (this.#state === DONE) return;
    if (this.#state === NEW) this.start();
    this.#state = DONE;
    let finishedAt: number;
    let duration: number;
    const endMs = options === undefined ? undefined : timeField(options, "endTime");
    if (endMs === undefined && this.#startMs === undefined) {
      const t1 = performance.now();
      finishedAt = (performance.timeOrigin + t1) / 1000;
      duration = Math.round((t1 - this.#t0) * 1000) / 1000;
    } else {
      // Explicit times: the duration is their difference, in epoch milliseconds.
      const startMs = this.#startMs ?? performance.timeOrigin + this.#t0;
      const end = endMs ?? performance.timeOrigin + performance.now();
      finishedAt = (end < startMs ? startMs : end) / 1000;
      duration = end < startMs ? 0 : Math.round((end - startMs) * 1000) / 1000;
    }
    const sanitizer = this.#host.sanitizer;
    let error: string | null = null;
    let errorType: string | undefined;
    let stack: string | undefined;
    if (outcome === "error") {
      if (isError(reason)) {
        error = sanitizer.text(safeString(() => reason.message));
        errorType = sanitizer.text(errorClass(reason));
        const rawStack = safeString(() => reason.stack ?? "");
        if (rawStack) stack = sanitizer.text(rawStack);
      } else {
        error = reason === undefined || reason === null ? "error" : sanitizer.text(reason);
      }
    }
    const compat = this.#host.compat;
    let head: string;
    if (compat) {
      // The original's fields in its order; ours follow.
      head = `{"name":${JSON.stringify(this.name)},"context":${
        JSON.stringify(this.#context)
      },"started_at":${this.#startedAt}`;
    } else {
      if (this.#prefix === "") this.#makePrefix();
      head = `{"type":"step",${this.#prefix}`;
    }
    let line = `${head},"finished_at":${finishedAt},"duration_ms":${duration},"outcome":${
      outcome === "ok" ? '"ok"' : JSON.stringify(outcome)
    },"error":${error === null ? "null" : JSON.stringify(error)},"logs":${
      this.#logs.length === 0 ? "[]" : JSON.stringify(this.#logs)
    }`;
    if (compat) line += `,"id":${this.#id},"parent_id":${this.#parentId}`;
    if (this.#kind !== undefined) line += `,"kind":${JSON.stringify(this.#kind)}`;
    if (this.#decision !== undefined) line += `,"decision":${JSON.stringify(this.#decision)}`;
    if (this.#usage !== undefined) line += `,"usage":${JSON.stringify(this.#usage)}`;
    if (errorType !== undefined) line += `,"error_type":${JSON.stringify(errorType)}`;
    if (stack !== undefined) line += `,"stack":${JSON.stringify(stack)}`;
    line += "}\n";
    const record = this.#record;
    if (record !== undefined) {
      record.finished_at = finishedAt;
      record.duration_ms = duration;
      record.outcome = outcome;
      record.error = error;
      record.in_flight = false;
      if (this.#decision !== undefined) record.decision = this.#decision;
      if (this.#usage !== undefined) record.usage = this.#usage;
      if (errorType !== undefined) record.error_type = errorType;
      if (stack !== undefined) record.stack = stack;
    }
    this.#host.ended(line, { name: this.name, outcome, duration_ms: duration, usage: this.#usage });
  }
}

/** A time field (epoch milliseconds a `Date` holds) of a value the caller passed, else undefined (never throws). */
export function timeField(object: unknown, key: string): number | undefined {
  const value = field(object, key);
  return isDateMs(value) ? value : undefined;
}

// The id of a parent step the caller gave, or null when it has none (not started, or not a step).
function idOf(parent: unknown): number | null {
  const id = field(parent, "id");
  return typeof id === "number" && id > 0 ? id : null;
}

/** Reads the kind, parent and start time of {@linkcode StepOptions} the caller passed, never throwing. */
export function readStepOptions(
  options: unknown,
  text: (value: unknown) => string,
): { kind: string | undefined; parent: Step | null | undefined; startMs: number | undefined } {
  const rawKind = field(options, "kind");
  const kind = rawKind === undefined || rawKind === null ? undefined : text(rawKind);
  const rawParent = field(options, "parent");
  const parent = rawParent === null ? null : rawParent === undefined ? undefined : rawParent as Step;
  return { kind, parent, startMs: timeField(options, "startTime") };
}

// `instanceof Error`, false for a proxy whose traps throw.
function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

// The error's name, or for a subclass that keeps the name "Error" (as SDK errors do), its class name.
function errorClass(error: Error): string {
  const name = safeString(() => error.name);
  if (name !== "Error") return name;
  const constructorName = safeString(() =>
    (Object.getPrototypeOf(error) as { constructor?: { name?: unknown } })?.constructor?.name
  );
  return constructorName === "" ? name : constructorName;
}

function safeString(read: () => unknown): string {
  try {
    const value = read();
    return typeof value === "string" ? value : String(value);
  } catch {
    return "";
  }
}
