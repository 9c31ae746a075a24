/**
 * One step of an agent's run: begun, logged to, decided in, ended.
 *
 * @module
 */

import type { Sanitizer } from "./safe_json.ts";
import type { CountedStep } from "../model/aggregator.ts";
import type { Decision, JsonObject, LogEntry, SessionStep, Usage } from "../format/types.ts";

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

/** What a step needs from its tracer (internal). */
export interface StepHost {
  /** Makes values safe and redacted. */
  readonly sanitizer: Sanitizer;
  /** The next step id. */
  nextId(): number;
  /** The step whose callback is running here, if any. */
  currentStep(): Step | undefined;
  /** Records that a step began. */
  begun(line: () => string, record: SessionStep | undefined): void;
  /** Records that a step ended. */
  ended(line: string, counted: CountedStep): void;
  /** Whether steps are kept in memory (no auto-save, or the file failed). */
  readonly inMemory: boolean;
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
  constructor(host: StepHost, name: string, context: unknown, kind?: string) {
    this.#host = host;
    this.name = name;
    this.#rawContext = context;
    this.#kind = kind;
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
   * Begins the step: takes its start time, its id and its parent (the step
   * whose callback is running), and writes its `start` line. A second call
   * does nothing.
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
    this.#parentId = host.currentStep()?.id ?? null;
    this.#context = host.sanitizer.object(this.#rawContext);
    // One clock read gives both the monotonic start and the epoch time.
    const t0 = performance.now();
    this.#t0 = t0;
    this.#startedAt = (performance.timeOrigin + t0) / 1000;
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
    host.begun(() => this.#startLine(), this.#record);
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
   * Records model usage; token counts and cost add up over several calls.
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
    const model = field(usage, "model");
    if (typeof model === "string") total.model = this.#host.sanitizer.text(model);
    for (const key of ["input_tokens", "output_tokens", "cost_usd"] as const) {
      const value = field(usage, key);
      if (typeof value === "number" && Number.isFinite(value)) total[key] = (total[key] ?? 0) + value;
    }
    this.#usage = total;
  }

  /**
   * Ends the step and writes its line. A second call does nothing.
   *
   * @param outcome `"ok"` by default; `"error"` or any other word.
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
  finish(outcome: string = "ok"): void {
    const sanitizer = this.#host.sanitizer;
    const plain = typeof outcome === "string" && outcome.length < sanitizer.plainBelow;
    this.#end(plain ? outcome : sanitizer.text(outcome), null);
  }

  /**
   * Ends the step as failed.
   *
   * @param reason what went wrong: a message or the thrown value (an Error
   *   also gives its class name and stack).
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
  fail(reason: unknown): void {
    this.#end("error", reason);
  }

  #end(outcome: string, reason: unknown): void {
    if (this.#state === DONE) return;
    if (this.#state === NEW) this.start();
    this.#state = DONE;
    const t1 = performance.now();
    const finishedAt = (performance.timeOrigin + t1) / 1000;
    const duration = Math.round((t1 - this.#t0) * 1000) / 1000;
    const sanitizer = this.#host.sanitizer;
    let error: string | null = null;
    let errorType: string | undefined;
    let stack: string | undefined;
    if (outcome === "error") {
      if (isError(reason)) {
        error = sanitizer.text(safeString(() => reason.message));
        errorType = sanitizer.text(safeString(() => reason.name));
        const rawStack = safeString(() => reason.stack ?? "");
        if (rawStack) stack = sanitizer.text(rawStack);
      } else {
        error = reason === undefined || reason === null ? "error" : sanitizer.text(reason);
      }
    }
    if (this.#prefix === "") this.#makePrefix();
    let line = `{"type":"step",${this.#prefix},"finished_at":${finishedAt},"duration_ms":${duration},"outcome":${
      outcome === "ok" ? '"ok"' : JSON.stringify(outcome)
    },"error":${error === null ? "null" : JSON.stringify(error)},"logs":${
      this.#logs.length === 0 ? "[]" : JSON.stringify(this.#logs)
    }`;
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

// A field of a value the caller passed, or undefined when it is not an object or the read throws.
function field(object: unknown, key: string): unknown {
  if (object === null || (typeof object !== "object" && typeof object !== "function")) return undefined;
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

// `instanceof Error`, false for a proxy whose traps throw.
function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

function safeString(read: () => unknown): string {
  try {
    const value = read();
    return typeof value === "string" ? value : String(value);
  } catch {
    return "";
  }
}
