/**
 * The Tracer: records an agent's run, step by step, into one append-only
 * JSONL file.
 *
 * @module
 */

import { traceDirFromEnv } from "../format/trace_dir_env.ts";
import { AsyncLocalStorage } from "node:async_hooks";
import { join } from "node:path";
import { renderHtml } from "../render/html_report.ts";
import { renderMarkdown } from "../render/markdown.ts";
import { createRedactor, type RedactOptions } from "./redact.ts";
import {
  afterThisTask,
  AlreadyExistsError,
  type AppendFile,
  createAppendFile,
  env,
  type FatalEnd,
  hostname,
  makeDir,
  NotFoundError,
  onExit,
  onFatal,
  pid,
  runtimeInfo,
  statPath,
  writeFileAtomic,
  writeStderr,
} from "../runtime.ts";
import { describe, Sanitizer } from "./safe_json.ts";
import { newSessionId, safeFileName } from "../format/session_id.ts";
import { isDateMs } from "../format/fields.ts";
import { renderSnapshot } from "../render/snapshot.ts";
import {
  type DecideOptions,
  type EndOptions,
  epochSeconds,
  readStepOptions,
  Step,
  type StepHost,
  type StepOptions,
  timeField,
} from "./step.ts";
import { Aggregator, type CountedStep } from "../model/aggregator.ts";
import { lastFinish, readSessionLines, sortSteps, summarize } from "../model/session.ts";
import { sessionState } from "../model/state.ts";
import { SCHEMA } from "../format/types.ts";
import type { JsonObject, Session, SessionStep, Summary } from "../format/types.ts";

export { Step };
export type { DecideOptions, EndOptions, StepOptions };

/**
 * Options of {@linkcode Tracer}.
 *
 * @example Metadata, extra redaction and an error hook
 * ```ts
 * import { Tracer, type TracerOptions } from "@ai-trace/core";
 *
 * const options: TracerOptions = {
 *   traceDir: await Deno.makeTempDir(),
 *   meta: { model: "claude-haiku-4-5", version: "1.4.0" },
 *   redact: { keys: ["account_no"] },
 *   maxStringLength: 2_000,
 *   onError: (error) => console.error("tracing:", error.message),
 * };
 * const tracer = new Tracer("trading_agent", options);
 * await tracer.close();
 * console.log(tracer.path); // <traceDir>/trading_agent_<session_id>.jsonl
 * ```
 */
export interface TracerOptions {
  /**
   * Where trace files go.
   *
   * @default {`AI_TRACE_DIR`, else `"traces"`}
   */
  traceDir?: string;
  /**
   * Append every record to the session's JSONL file as it happens.
   *
   * @default {true}
   */
  autoSave?: boolean;
  /**
   * Metadata of the run (model, version, …), written in the `session` line.
   *
   * @default {no metadata}
   */
  meta?: Record<string, unknown>;
  /**
   * Write a `start` line when a step begins, so a crash shows what was in flight.
   *
   * @default {true}
   */
  startLines?: boolean;
  /**
   * Flush every line to the disk (fsync) before going on: slower, survives power loss.
   *
   * @default {false}
   */
  fsync?: boolean;
  /**
   * Whether to record at all: `false` (or `AI_TRACE_DISABLED=1`) records nothing.
   *
   * @default {true}
   */
  enabled?: boolean;
  /**
   * Redaction of secrets, or `false` to turn it off.
   *
   * @default {built-in rules}
   */
  redact?: RedactOptions | false;
  /**
   * Strings longer than this are truncated with a marker.
   *
   * @default {10000}
   */
  maxStringLength?: number;
  /**
   * Values nested deeper than this are cut off.
   *
   * @default {16}
   */
  maxDepth?: number;
  /**
   * Called once when tracing fails (a full disk, a deleted directory, …);
   * the agent goes on.
   *
   * @default {one line on stderr}
   */
  onError?: (error: Error) => void;
  /**
   * The session id to use instead of a new one (tests, resumed runs).
   *
   * @default {a new id}
   */
  sessionId?: string;
  /**
   * When the run started, epoch milliseconds, for a session recorded after
   * the fact (the OpenTelemetry exporter gives a trace's start): the
   * session's `started_at` and the time in its id. Steps take their own times,
   * and the session its end from `close({ endTime })`.
   *
   * @default {now}
   */
  startedAt?: number;
  /**
   * `"ai-decision-tracer"`: write only the original Python tracer's lines (one
   * step line per finished step, its fields first, ours after), with no
   * `session`, `start` or `end` line and the original's file name when it is
   * free, so the original's own CLI reads the file exactly. What this gives
   * up: steps in flight at a crash (no `start` lines), the `end` line's
   * totals and crash reason, and the `session` line's metadata, runtime and
   * writer (so a quiet run reads as complete after two minutes).
   *
   * @default {the full `ai-trace/1` format}
   */
  compat?: "ai-decision-tracer";
}

/**
 * Options of {@linkcode Tracer.wrap}; `A` is the wrapped function's parameter list.
 *
 * @example A retrieval step whose result is not logged
 * ```ts
 * import { Tracer, type WrapOptions } from "@ai-trace/core";
 *
 * const tracer = new Tracer("researcher", { autoSave: false });
 * const options: WrapOptions = { kind: "retrieval", recordResult: false };
 * const search = tracer.wrap("search", (query: string) => [`${query}.md`], options);
 * console.log(search("tides")); // [ "tides.md" ]
 * ```
 *
 * @example Record only the first argument, not the whole conversation
 * ```ts
 * import { readSession, Tracer, type WrapOptions } from "@ai-trace/core";
 *
 * type Args = [input: { city: string }, conversation: string[]];
 * const tracer = new Tracer("helper", { traceDir: await Deno.makeTempDir() });
 * const options: WrapOptions<Args> = { recordArgs: (input) => input };
 * const weather = tracer.wrap("weather", (input: Args[0], _conversation: Args[1]) => `sunny in ${input.city}`, options);
 * weather({ city: "Lisbon" }, ["…a long conversation…"]);
 * await tracer.close();
 * console.log((await readSession(tracer.path!)).steps[0].context); // { args: { city: "Lisbon" } }
 * ```
 */
export interface WrapOptions<A extends unknown[] = unknown[]> {
  /**
   * The step kind.
   *
   * @default {"tool"}
   */
  kind?: string;
  /**
   * Record the function's arguments as the step's context (`{ args }`):
   * `true` records them all, `false` none, and a function picks what to
   * record from them (its result is recorded as `args`).
   *
   * @default {true}
   */
  recordArgs?: boolean | ((...args: A) => unknown);
  /**
   * Log the function's result.
   *
   * @default {true}
   */
  recordResult?: boolean;
}

// The open tracers, each with a function that writes its `end` line and keeps it open.
const open = new Map<Tracer, () => void>();
let exitHookInstalled = false;

function closeAllAtExit(): void {
  for (const tracer of open.keys()) tracer.closeSync();
}

// Why the process is ending, when it is a signal or an uncaught error: written in the `end` lines.
let fatalEnd: FatalEnd | undefined;

function closeAllOnFatal(end: FatalEnd): void {
  fatalEnd = end;
  if (end.final) {
    closeAllAtExit();
    return;
  }
  // The program may still handle this error and go on: write the `end` lines
  // now, in case the process dies, but keep recording. If it lives past this
  // task, it did go on; a later `end` line (the last one counts) says how it ended.
  for (const writeEnd of open.values()) writeEnd();
  afterThisTask(() => {
    if (fatalEnd === end) fatalEnd = undefined;
  });
}

// What a disabled tracer hands out: the public surface of a Step, doing nothing.
const NOOP_STEP = Object.freeze({
  name: "",
  id: 0,
  parentId: null,
  kind: undefined,
  finished: false,
  start() {
    return NOOP_STEP;
  },
  run(fn: () => unknown) {
    return fn();
  },
  log() {},
  decide() {},
  usage() {},
  finish() {},
  fail() {},
}) as unknown as Step;

// Whether a callback returned a promise-like; false for a value whose `then` cannot even be read.
function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || typeof value !== "object") return false;
  try {
    return typeof (value as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}

// The arguments a recordArgs function picks, as a step context; a picker that throws is recorded, never rethrown.
function pickArgs<A extends unknown[]>(pick: (...args: A) => unknown, args: A): Record<string, unknown> {
  try {
    return { args: pick(...args) };
  } catch (err) {
    return { args_error: `recordArgs threw: ${describe(err)}` };
  }
}

function defaultOnError(error: Error): void {
  writeStderr(`ai-trace: ${error.message}\n`);
}

/**
 * Records an agent's run: every step with what the agent saw (context), what
 * it logged and decided, how long it took and how it ended, appended to
 * `<traceDir>/<agent>_<session_id>.jsonl` as it happens.
 *
 * Tracing never throws into the agent: values JSON cannot hold are made safe,
 * secrets are redacted, and a failing disk is reported once through `onError`.
 *
 * @example Callback and manual steps
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir(), meta: { model: "claude-haiku-4-5" } });
 * const signal = await tracer.step("market_scan", { symbol: "BTCUSDT" }, async (step) => {
 *   step.log({ signal: 0.87 });
 *   return 0.87;
 * });
 * const step = tracer.step("execute", { qty: 0.01 });
 * step.start();
 * step.decide("ENTER_LONG", { reason: `signal ${signal}`, confidence: 0.87 });
 * step.finish();
 * await tracer.close();
 * ```
 */
export class Tracer {
  /** The agent's name, verbatim. */
  readonly agent: string;
  /** The agent's name as written (redacted, bounded). */
  readonly #agentText: string;
  /** This run's session id, `YYYYMMDD_HHMMSS_<suffix>` (UTC). */
  readonly sessionId: string;
  /** The directory trace files go to. */
  readonly traceDir: string;
  /** Whether this tracer records anything. */
  readonly enabled: boolean;

  #path: string | undefined;
  #file: AppendFile | undefined;
  #autoSave = false;
  #fsync = false;
  #startLines = true;
  #inMemory = true;
  #dirModeChecked = false;
  #steps: SessionStep[] = [];
  #meta: JsonObject = {};
  #startedAt = 0;
  #nextId = 0;
  #open = 0;
  #closed = false;
  #compat = false;
  #lateReported = false;
  #failing = false;
  #lastCheck = 0; // performance.now() of the last check that the file is still there
  #linesInFile = 0; // lines written to the current file, all lost if it is deleted
  #summary = new Aggregator();
  #onError: (error: Error) => void = defaultOnError;
  #errors = 0;
  #als = new AsyncLocalStorage<Step>();
  #sanitizer: Sanitizer;
  #host: StepHost;

  /**
   * Creates a tracer and, with auto-save on, its session file.
   *
   * @param agent the agent's name (kept verbatim in the file; made safe in the file name).
   * @param options where and how to record.
   * @throws {RangeError} for invalid limits (checked here, never while tracing).
   * @example A tracer that records nothing
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { enabled: false }); // as AI_TRACE_DISABLED=1 does
   * tracer.step("market_scan", (step) => step.log({ signal: 0.87 }));
   * console.log(tracer.path, tracer.summary().steps); // undefined 0
   * ```
   */
  constructor(agent: string, options: TracerOptions = {}) {
    this.#sanitizer = new Sanitizer({
      maxStringLength: options.maxStringLength,
      maxDepth: options.maxDepth,
      redactor: createRedactor(options.redact === false ? { enabled: false } : options.redact),
    });
    // Not a string (against the types): made one without ever throwing.
    this.agent = typeof agent === "string" ? agent : this.#sanitizer.text(agent);
    // What is written, in the file and in its name: redacted (a key passed as a name stays out of both).
    this.#agentText = this.#sanitizer.text(this.agent);
    this.enabled = options.enabled !== false && env("AI_TRACE_DISABLED") !== "1";
    this.traceDir = options.traceDir ?? traceDirFromEnv(env("AI_TRACE_DIR"));
    // A given id goes into the file name: made safe like an agent name.
    if (options.compat !== undefined && options.compat !== "ai-decision-tracer") {
      throw new RangeError(`Cannot use compat ${JSON.stringify(options.compat)}: expected "ai-decision-tracer"`);
    }
    this.#compat = options.compat !== undefined;
    const startedAt = options.startedAt;
    if (startedAt !== undefined && !isDateMs(startedAt)) {
      throw new RangeError(`Cannot use startedAt ${String(startedAt)}: expected epoch milliseconds`);
    }
    // The original names its files <agent>_<YYYYMMDD_HHMMSS>.jsonl: in compat, so do we while that name is free.
    this.sessionId = options.sessionId !== undefined
      ? safeFileName(String(options.sessionId))
      : this.#compat
      ? newSessionId(startedAt).slice(0, 15)
      : newSessionId(startedAt);
    this.#host = this.#makeHost();
    if (!this.enabled) {
      // A disabled tracer is a set of no-op functions, not a branch on every call.
      this.step = ((_name: string, a?: unknown, b?: unknown, c?: unknown) => {
        const fn = typeof a === "function" ? a : typeof b === "function" ? b : c;
        return typeof fn === "function" ? fn(NOOP_STEP) : NOOP_STEP;
      }) as Tracer["step"];
      this.wrap = (<A extends unknown[], R>(_name: string, fn: (...args: A) => R) => fn) as Tracer["wrap"];
      return;
    }
    if (options.onError) this.#onError = options.onError;
    this.#fsync = options.fsync === true;
    this.#startLines = options.startLines !== false;
    this.#meta = this.#sanitizer.object(options.meta);
    this.#startedAt = startedAt === undefined ? epochSeconds() : startedAt / 1000;
    this.#autoSave = options.autoSave !== false;
    if (this.#autoSave) this.#openFile(options.sessionId !== undefined);
    open.set(this, () => this.#writeEnd());
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      onExit(closeAllAtExit);
      onFatal(closeAllOnFatal);
    }
  }

  /**
   * The session's JSONL file, or `undefined` without auto-save.
   *
   * @example Where the run is written
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
   * console.log(tracer.path); // <traceDir>/trading_agent_<session_id>.jsonl
   * await tracer.close();
   * ```
   */
  get path(): string | undefined {
    return this.#path;
  }

  #openFile(fixedId: boolean): void {
    const base = safeFileName(this.#agentText);
    try {
      makeDir(this.traceDir);
      this.#checkDirMode();
      let sessionId = this.sessionId;
      for (let attempt = 0;; attempt++) {
        const path = join(this.traceDir, `${base}_${sessionId}.jsonl`);
        try {
          this.#file = createAppendFile(path);
          this.#path = path;
          (this as { sessionId: string }).sessionId = sessionId;
          break;
        } catch (err) {
          if (!(err instanceof AlreadyExistsError) || fixedId || attempt >= 8) throw err;
          sessionId = newSessionId();
        }
      }
      this.#inMemory = false;
      if (this.#compat) return; // the original's files have no session line
      this.#write(
        `${
          JSON.stringify({
            type: "session",
            schema: SCHEMA,
            agent: this.#agentText,
            session_id: this.sessionId,
            started_at: this.#startedAt,
            meta: this.#meta,
            runtime: runtimeInfo(),
            pid: pid(),
            host: hostname(),
          })
        }\n`,
      );
    } catch (err) {
      // Keep the run in memory, so summary() and save() still work. The session line is lost.
      this.#file = undefined;
      this.#inMemory = true;
      this.#summary.lostRecords++;
      this.#report(`Cannot create trace file in "${this.traceDir}": ${describe(err)}`);
    }
  }

  // A trace holds what the agent saw: a directory others can write lets them remove or
  // replace traces (and plant links). Said once per tracer; a new directory is 0700.
  #checkDirMode(): void {
    if (this.#dirModeChecked) return;
    this.#dirModeChecked = true;
    try {
      const mode = statPath(this.traceDir).mode;
      if (mode !== null && (mode & 0o022) !== 0) {
        const who = (mode & 0o020) !== 0 && (mode & 0o002) !== 0
          ? "group and others"
          : (mode & 0o020) !== 0
          ? "group"
          : "others";
        this.#report(
          `Trace directory "${this.traceDir}" is writable by ${who} (mode ${
            (mode & 0o7777).toString(8).padStart(4, "0")
          }): they can remove or replace its traces; run "chmod go-w" on it`,
        );
      }
    } catch {
      // Not there after all: creating the file says why.
    }
  }

  #makeHost(): StepHost {
    // deno-lint-ignore no-this-alias
    const tracer = this;
    return {
      sanitizer: this.#sanitizer,
      nextId: () => ++tracer.#nextId,
      currentStep: () => tracer.#als.getStore(),
      runIn: (step, fn) => tracer.#als.run(step, fn),
      get inMemory() {
        return tracer.#inMemory;
      },
      get compat() {
        return tracer.#compat;
      },
      begun(line, record, name) {
        if (tracer.#closed) return tracer.#afterClose(name);
        tracer.#open++;
        if (record !== undefined) tracer.#steps.push(record);
        if (tracer.#startLines && tracer.#autoSave && !tracer.#compat) tracer.#write(line());
      },
      ended(line, counted: CountedStep) {
        if (tracer.#closed) return tracer.#afterClose(counted.name);
        tracer.#open--;
        tracer.#summary.add(counted);
        if (tracer.#autoSave) tracer.#write(line);
      },
    };
  }

  // A step begun or ended after close(): the session is over (its end line
  // is written), so it is not counted, and the user hears of it once.
  #afterClose(name: string): void {
    if (this.#lateReported) return;
    this.#lateReported = true;
    this.#report(
      `Cannot record step "${this.#sanitizer.text(name)}"${this.#path ? ` in "${this.#path}"` : ""}: ` +
        `the tracer is closed (steps after close() are not recorded)`,
    );
  }

  #write(line: string): void {
    if (this.#file === undefined || this.#closed) {
      this.#summary.lostRecords++;
      return;
    }
    // At most once a second, make sure the file is still there (a deleted
    // directory takes every line written to it along).
    const now = performance.now();
    if (now - this.#lastCheck >= 1000) {
      this.#lastCheck = now;
      this.#checkFileStillThere();
    }
    const file = this.#file;
    if (file === undefined) {
      this.#summary.lostRecords++;
      return;
    }
    try {
      // After a failed write, end the line it may have left half-written, so this one stays whole.
      file.write(this.#failing ? `\n${line}` : line);
      if (this.#fsync) file.sync();
      this.#failing = false;
      this.#linesInFile++;
    } catch (err) {
      this.#summary.lostRecords++;
      if (!this.#failing) {
        this.#failing = true;
        this.#report(`Cannot write trace "${this.#path}": ${describe(err)}`);
      }
    }
  }

  #report(message: string): void {
    this.#errors++;
    try {
      this.#onError(new Error(message));
    } catch {
      // The error hook itself failed: tracing still never throws into the agent.
    }
  }

  /**
   * How many tracing problems were reported through `onError`.
   *
   * @example A trace directory that cannot be created
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const notADirectory = await Deno.makeTempFile();
   * const onError = (error: Error) => console.log(error.message); // Cannot create trace file in "…": …
   * const tracer = new Tracer("trading_agent", { traceDir: notADirectory, onError });
   * tracer.step("market_scan", () => {}); // still runs, recorded in memory
   * console.log(tracer.errorCount); // 1
   * ```
   */
  get errorCount(): number {
    return this.#errors;
  }

  /**
   * Creates a step. Without a callback, returns a {@linkcode Step} to
   * `start()` and `finish()` by hand. With a callback, runs it as the step:
   * times it, records a thrown error (message, type, stack) and rethrows it,
   * and returns the callback's value — synchronously for a sync callback, as a
   * Promise for an async one. Steps begun inside the callback, across `await`,
   * `Promise.all` and timers, are its children.
   *
   * @example Nested steps
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("researcher", { autoSave: false });
   * const pages = await tracer.step("research", { topic: "tides" }, async () => {
   *   return await Promise.all(["a", "b"].map((url) =>
   *     tracer.step("fetch", { url }, async (step) => {
   *       step.usage({ model: "gpt-4o-mini", input_tokens: 120, output_tokens: 40 });
   *       return url.toUpperCase();
   *     })
   *   ));
   * });
   * console.log(pages, tracer.summary().steps); // [ "A", "B" ] 3
   * ```
   *
   * @param name the step's name.
   * @param context what the agent saw when the step began (made JSON-safe and redacted).
   * @returns a step not yet started.
   */
  step(name: string, context?: Record<string, unknown>): Step;
  /**
   * Runs `fn` as a step named `name`.
   *
   * @param name the step's name.
   * @param fn the step's work; its thrown error is recorded and rethrown.
   * @returns what `fn` returns (a Promise for an async `fn`).
   */
  step<T>(name: string, fn: (step: Step) => T): T;
  /**
   * Runs `fn` as a step named `name` that saw `context`.
   *
   * @param name the step's name.
   * @param context what the agent saw when the step began (made JSON-safe and redacted).
   * @param fn the step's work; its thrown error is recorded and rethrown.
   * @returns what `fn` returns (a Promise for an async `fn`).
   */
  step<T>(name: string, context: Record<string, unknown> | undefined, fn: (step: Step) => T): T;
  /**
   * Creates a step with a kind, an explicit parent or start time, to
   * `start()` and `finish()` by hand.
   *
   * @param name the step's name.
   * @param context what the agent saw when the step began (made JSON-safe and redacted).
   * @param options the step's kind, parent and start time.
   * @returns a step not yet started.
   */
  step(name: string, context: Record<string, unknown> | undefined, options: StepOptions): Step;
  /**
   * Runs `fn` as a step with a kind, an explicit parent or start time.
   *
   * @param name the step's name.
   * @param context what the agent saw when the step began (made JSON-safe and redacted).
   * @param options the step's kind, parent and start time.
   * @param fn the step's work; its thrown error is recorded and rethrown.
   * @returns what `fn` returns (a Promise for an async `fn`).
   */
  step<T>(
    name: string,
    context: Record<string, unknown> | undefined,
    options: StepOptions,
    fn: (step: Step) => T,
  ): T;
  step<T>(
    name: string,
    a?: Record<string, unknown> | ((step: Step) => T),
    b?: StepOptions | ((step: Step) => T),
    c?: (step: Step) => T,
  ): Step | T {
    if (typeof a === "function") return this.#run(new Step(this.#host, this.#name(name), undefined), a);
    if (typeof b === "function") return this.#run(new Step(this.#host, this.#name(name), a), b);
    const step = b === undefined ? new Step(this.#host, this.#name(name), a) : this.#withOptions(name, a, b);
    return typeof c === "function" ? this.#run(step, c) : step;
  }

  #withOptions(name: string, context: unknown, options: unknown): Step {
    const { kind, parent, startMs } = readStepOptions(options, (value) => this.#sanitizer.text(value));
    return new Step(this.#host, this.#name(name), context, kind, parent, startMs);
  }

  /**
   * The step of the current async context: the one whose callback (or
   * {@linkcode Step.run}) is running here, or `undefined` outside any step.
   *
   * @returns the current step, if any.
   * @example Log into the step you run in, without having it passed down
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("researcher", { autoSave: false });
   * function deepHelper(): void {
   *   tracer.current()?.log({ cache: "miss" });
   * }
   * tracer.step("fetch", { url: "a" }, () => deepHelper());
   * console.log(tracer.current()); // undefined
   * ```
   */
  current(): Step | undefined {
    return this.#als.getStore();
  }

  #name(name: unknown): string {
    return typeof name === "string" && name.length < this.#sanitizer.plainBelow ? name : this.#sanitizer.text(name);
  }

  #run<T>(step: Step, fn: (step: Step) => T): T {
    step.start();
    let result: T;
    try {
      result = this.#als.run(step, fn, step);
    } catch (err) {
      step.fail(err);
      throw err;
    }
    if (isThenable(result)) {
      return (result as unknown as PromiseLike<unknown>).then(
        (value) => {
          step.finish();
          return value;
        },
        (err) => {
          step.fail(err);
          throw err;
        },
      ) as T;
    }
    step.finish();
    return result;
  }

  /**
   * Wraps a tool function so every call is a step (kind `"tool"`) with the
   * arguments as context and the result logged.
   *
   * @param name the step name of each call.
   * @param fn the function to wrap (sync or async).
   * @param options what to record.
   * @returns a function with the same signature.
   *
   * @example Tracing a tool
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("helper", { autoSave: false });
   * const add = tracer.wrap("add", (a: number, b: number) => a + b);
   * console.log(add(2, 3)); // 5
   * ```
   */
  wrap<A extends unknown[], R>(
    name: string,
    fn: (...args: A) => R,
    options: WrapOptions<A> = {},
  ): (...args: A) => R {
    const kind = options.kind ?? "tool";
    const pick = options.recordArgs;
    const recordArgs = pick !== false;
    const recordResult = options.recordResult !== false;
    const stepName = this.#name(name);
    const host = this.#host;
    // deno-lint-ignore no-this-alias
    const tracer = this;
    return function (this: unknown, ...args: A): R {
      const context = typeof pick === "function" ? pickArgs(pick, args) : recordArgs ? { args } : undefined;
      return tracer.#run(new Step(host, stepName, context, kind), (step) => {
        const result = fn.apply(this, args);
        if (!recordResult) return result;
        if (isThenable(result)) {
          return (result as unknown as PromiseLike<unknown>).then((value) => {
            if (value !== undefined) step.log({ result: value });
            return value;
          }) as R;
        }
        if (result !== undefined) step.log({ result });
        return result;
      });
    };
  }

  /**
   * The session's totals so far: steps, ok, errors, steps in flight, mean,
   * p50 and p95 duration, tokens, cost, records lost, and the same per step name.
   *
   * @returns the summary (also written in the `end` line by `close()`).
   * @example Count steps and errors
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("crawler", { autoSave: false });
   * tracer.step("fetch", { url: "https://example.com" }, () => {});
   * try {
   *   tracer.step("parse", () => JSON.parse("<html>"));
   * } catch {
   *   // recorded as an error step, then rethrown
   * }
   * const { steps, errors } = tracer.summary();
   * console.log(steps, errors); // 2 1
   * ```
   */
  summary(): Summary {
    this.#summary.inFlight = this.#open;
    return this.#summary.summary();
  }

  /** The session as it stands: read back from its file, or from memory. */
  async #session(): Promise<Session | undefined> {
    if (!this.enabled) return undefined;
    const now = Date.now();
    if (!this.#inMemory && this.#path !== undefined) {
      const seed = { agent: this.agent, session_id: this.sessionId };
      // The same rule as any reader's: while this process lives and has not
      // closed the tracer, the file has no end line and the session is running.
      const session = await readSessionLines(this.#path, seed, now);
      if (!this.#compat) return session;
      // A file in the original's format lacks what the session and end lines
      // say; the tracer knows it, and states it by the same rule.
      Object.assign(session, this.#facts(session.summary.in_flight, now));
      session.summary = summarize(session.steps, this.#summary.lostRecords);
      return session;
    }
    const summary = this.summary();
    const steps = this.#steps.slice();
    sortSteps(steps);
    return {
      path: this.#path ?? "",
      format: "jsonl",
      ...this.#facts(summary.in_flight, now),
      finished_at: lastFinish(this.#steps),
      steps,
      summary,
      warnings: [],
    };
  }

  // What the tracer knows of its session, and its state by the one rule.
  #facts(inFlight: number, now: number): Pick<
    Session,
    "schema" | "agent" | "session_id" | "meta" | "started_at" | "runtime" | "pid" | "host" | "state"
  > {
    return {
      schema: SCHEMA,
      agent: this.#agentText,
      session_id: this.sessionId,
      meta: this.#meta,
      started_at: this.#startedAt,
      runtime: runtimeInfo(),
      pid: pid(),
      host: hostname(),
      state: sessionState({
        ended: this.#closed,
        abnormalEnd: fatalEnd !== undefined,
        ours: true,
        cutOff: false,
        inFlight,
        lastSeen: now / 1000,
        pid: pid(),
        host: hostname(),
        now,
      }),
    };
  }

  async #saveAs(extension: string, render: (session: Session) => string, path?: string): Promise<string | undefined> {
    try {
      const session = await this.#session();
      if (session === undefined) return undefined;
      const target = path ?? join(this.traceDir, `${safeFileName(this.#agentText)}_${this.sessionId}${extension}`);
      makeDir(this.traceDir);
      writeFileAtomic(target, render(session));
      return target;
    } catch (err) {
      this.#report(`Cannot save trace report${path ? ` "${path}"` : ""}: ${describe(err)}`);
      return undefined;
    }
  }

  /**
   * Writes the whole session as one JSON object (the original's snapshot:
   * `agent`, `session_id`, `saved_at`, `meta`, `steps`, plus `schema`), atomically.
   *
   * @param path where to write; `<traceDir>/<agent>_<session_id>.json` when left out.
   * @returns the path written, or `undefined` if it could not be (reported through `onError`).
   * @example A JSON snapshot beside the JSONL file
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
   * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.decide("HOLD"));
   * await tracer.close();
   * console.log(await tracer.save()); // <traceDir>/trading_agent_<session_id>.json
   * ```
   */
  save(path?: string): Promise<string | undefined> {
    return this.#saveAs(".json", renderSnapshot, path);
  }

  /**
   * Writes the session as Markdown in the original's layout (summary table,
   * metadata, numbered steps with ✅/❌, context, logs, errors), atomically.
   *
   * @param path where to write; `<traceDir>/<agent>_<session_id>.md` when left out.
   * @returns the path written, or `undefined` if it could not be (reported through `onError`).
   * @example A Markdown report
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
   * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.decide("HOLD"));
   * await tracer.close();
   * console.log(await tracer.saveMarkdown()); // <traceDir>/trading_agent_<session_id>.md
   * ```
   */
  saveMarkdown(path?: string): Promise<string | undefined> {
    return this.#saveAs(".md", renderMarkdown, path);
  }

  /**
   * Writes the session as one self-contained HTML file (a timeline of the
   * steps, their details, search and decisions; no network), atomically.
   *
   * @param path where to write; `<traceDir>/<agent>_<session_id>.html` when left out.
   * @returns the path written, or `undefined` if it could not be (reported through `onError`).
   * @example An HTML timeline to open in a browser
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
   * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.decide("HOLD"));
   * await tracer.close();
   * console.log(await tracer.saveHtml()); // <traceDir>/trading_agent_<session_id>.html
   * ```
   */
  saveHtml(path?: string): Promise<string | undefined> {
    return this.#saveAs(".html", (session) => renderHtml(session), path);
  }

  /**
   * Ends the session: writes the `end` line with the summary and closes the
   * file. Steps still running stay in the file as in flight. Called for you at
   * normal process exit; calling it twice is harmless. A session recorded
   * after the fact (`startedAt`, steps with explicit times) gives its own end:
   * `close({ endTime })`, epoch milliseconds, so its duration is not the time
   * it took to be written down.
   *
   * @param options `endTime`: when the session ended (default: now).
   * @example A step still running at close
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
   * tracer.step("execute", { qty: 0.01 }).start(); // never finished
   * await tracer.close();
   * const lines = (await Deno.readTextFile(tracer.path!)).trim().split("\n");
   * console.log(JSON.parse(lines[lines.length - 1]).summary.in_flight); // 1
   * ```
   * @example A session recorded after the fact ends when its last span did
   * ```ts
   * import { readSession, Tracer } from "@ai-trace/core";
   *
   * const t0 = Date.now() - 60_000; // reported a minute later
   * const tracer = new Tracer("planner", { traceDir: await Deno.makeTempDir(), startedAt: t0 });
   * tracer.step("plan", {}, { startTime: t0 }).finish("ok", { endTime: t0 + 20 });
   * await tracer.close({ endTime: t0 + 20 });
   * const session = await readSession(tracer.path!);
   * console.log(session.finished_at! - session.started_at!); // 0.02 (seconds), not 60
   * ```
   */
  close(options?: EndOptions): Promise<void> {
    this.closeSync(options);
    return Promise.resolve();
  }

  /**
   * {@linkcode Tracer.close}, synchronously (for exit handlers).
   *
   * @param options `endTime`: when the session ended (default: now).
   * @example Close where nothing async may run
   * ```ts
   * import { Tracer } from "@ai-trace/core";
   *
   * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
   * tracer.step("market_scan", () => {});
   * tracer.closeSync(); // e.g. inside process.on("exit", …)
   * console.log(tracer.summary().steps); // 1
   * ```
   */
  closeSync(options?: EndOptions): void {
    if (this.#closed || !this.enabled) return;
    open.delete(this);
    if (this.#file !== undefined) {
      const endMs = options === undefined ? undefined : timeField(options, "endTime");
      this.#writeEnd(endMs === undefined ? undefined : Math.max(endMs / 1000, this.#startedAt));
      try {
        this.#file?.close();
      } catch {
        // Already closed by the runtime at exit.
      }
    }
    this.#closed = true;
  }

  // The `end` line: the summary, and why the process is ending when it dies of a signal or an uncaught error.
  #writeEnd(finishedAt: number = epochSeconds()): void {
    if (this.#file === undefined || this.#compat) return; // the original's files have no end line
    this.#checkFileStillThere();
    const end: Record<string, unknown> = { type: "end", finished_at: finishedAt, summary: this.summary() };
    if (fatalEnd !== undefined && "signal" in fatalEnd) {
      end.reason = "signal";
      end.signal = fatalEnd.signal;
    } else if (fatalEnd !== undefined) {
      end.reason = "uncaught";
      end.error = this.#sanitizer.text(describe(fatalEnd.error));
    }
    this.#write(`${JSON.stringify(end)}\n`);
  }

  #checkFileStillThere(): void {
    if (this.#path === undefined || this.#file === undefined) return;
    try {
      statPath(this.#path);
    } catch (err) {
      if (!(err instanceof NotFoundError)) return; // cannot tell: keep writing
      // Everything written to the file went with it. Go on in a new file of the same name.
      const lost = this.#linesInFile;
      this.#summary.lostRecords += lost;
      this.#report(
        `Trace file "${this.#path}" was removed while the run was recorded (${lost} records lost); ` +
          `continuing in a new file`,
      );
      try {
        this.#file.close();
      } catch {
        // Closing an unlinked file cannot fail in a way that matters here.
      }
      this.#file = undefined;
      this.#linesInFile = 0;
      this.#failing = false;
      this.#openFile(true);
    }
  }
}
