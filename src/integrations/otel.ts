/**
 * Any OpenTelemetry instrumentation, recorded as ai-trace sessions: an
 * OpenTelemetry `SpanExporter` that writes the spans of each trace into a
 * session of its own, each span a step with its real parent, times, status
 * and attributes. The GenAI conventions (`gen_ai.*`), the AI SDK's `ai.*`
 * attributes and OpenInference's (`openinference.span.kind`, `llm.*`) become
 * kinds, usage and logs. No runtime dependency: the SDK's shapes are
 * described here.
 *
 * One pitfall: without a context manager, OpenTelemetry cannot tell which
 * span is current, so every span starts a trace of its own (and becomes a
 * session of its own). Register one: `context.setGlobalContextManager(new
 * AsyncLocalStorageContextManager().enable())` (from
 * `@opentelemetry/context-async-hooks`), or use `NodeTracerProvider`, whose
 * `register()` does it.
 *
 * @example One line of set-up
 * ```ts
 * import { AiTraceSpanExporter } from "@ai-trace/core/otel";
 * import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
 *
 * const traceDir = await Deno.makeTempDir();
 * const provider = new BasicTracerProvider({
 *   spanProcessors: [new SimpleSpanProcessor(new AiTraceSpanExporter({ traceDir }))],
 * });
 * const span = provider.getTracer("app").startSpan("invoke_agent planner", {
 *   attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner" },
 * });
 * span.end();
 * await provider.shutdown();
 * console.log((await Array.fromAsync(Deno.readDir(traceDir))).length); // 1 session
 * ```
 *
 * @module
 */

import type { PlainSpan } from "../otlp/span_to_step.ts";
import type { TracerOptions } from "../record/tracer.ts";
import { TraceSessions } from "../otlp/trace_sessions.ts";
import { get, num, quietly, str } from "../format/untrusted_fields.ts";

export { type PlainSpan, recordSpans } from "../otlp/span_to_step.ts";

/**
 * An OpenTelemetry `HrTime`: seconds and nanoseconds.
 *
 * @example 1.25 s after the epoch
 * ```ts
 * import type { OtelHrTime } from "@ai-trace/core/otel";
 *
 * const time: OtelHrTime = [1, 250_000_000];
 * console.log(time[0] * 1000 + time[1] / 1e6); // 1250
 * ```
 */
export type OtelHrTime = readonly [number, number];

/**
 * A finished span, as an OpenTelemetry SDK hands it to an exporter (its `ReadableSpan` is assignable to it).
 *
 * @example A span made by hand, exported as a session
 * ```ts
 * import { AiTraceSpanExporter, type OtelSpan } from "@ai-trace/core/otel";
 *
 * const exporter = new AiTraceSpanExporter({ traceDir: await Deno.makeTempDir() });
 * const span: OtelSpan = {
 *   name: "invoke_agent planner",
 *   spanContext: () => ({ traceId: "0123456789abcdef0123456789abcdef", spanId: "0123456789abcdef" }),
 *   startTime: [1_767_225_600, 0],
 *   endTime: [1_767_225_600, 500_000_000],
 *   status: { code: 1 },
 *   attributes: { "gen_ai.operation.name": "invoke_agent" },
 *   events: [],
 * };
 * exporter.export([span], (result) => console.log(result.code)); // 0
 * await exporter.shutdown();
 * ```
 */
export interface OtelSpan {
  /** The span's name. */
  readonly name: string;
  /** The span's trace and span id. */
  spanContext(): { readonly traceId: string; readonly spanId: string };
  /** The parent's context (OpenTelemetry JS 2.x). */
  readonly parentSpanContext?: { readonly spanId: string; readonly isRemote?: boolean };
  /** The parent's span id (OpenTelemetry JS 1.x). */
  readonly parentSpanId?: string;
  /** When it started. */
  readonly startTime: OtelHrTime;
  /** When it ended. */
  readonly endTime: OtelHrTime;
  /** Its status: code 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message?: string };
  /** Its attributes. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Its events. */
  readonly events: readonly {
    readonly name: string;
    readonly time: OtelHrTime;
    readonly attributes?: Readonly<Record<string, unknown>>;
  }[];
  /** The resource that made it. */
  readonly resource?: { readonly attributes: Readonly<Record<string, unknown>> };
}

/**
 * The result an exporter reports: code 0 success, 1 failed (OpenTelemetry's `ExportResult`).
 *
 * @example After shutdown, an export fails
 * ```ts
 * import { AiTraceSpanExporter, type OtelExportResult } from "@ai-trace/core/otel";
 *
 * const exporter = new AiTraceSpanExporter({ traceDir: await Deno.makeTempDir() });
 * await exporter.shutdown();
 * exporter.export([], (result: OtelExportResult) => console.log(result.code, result.error?.message));
 * // 1 AiTraceSpanExporter is shut down
 * ```
 */
export interface OtelExportResult {
  /** 0 success, 1 failed. */
  code: number;
  /** Why it failed. */
  error?: Error;
}

/**
 * Options of {@linkcode AiTraceSpanExporter}: those of each session's
 * {@linkcode Tracer}, and a bound on the spans held while their trace is open.
 *
 * @example Sessions in a directory of their own, with a bound on memory
 * ```ts
 * import { AiTraceSpanExporter, type AiTraceSpanExporterOptions } from "@ai-trace/core/otel";
 *
 * const options: AiTraceSpanExporterOptions = { traceDir: await Deno.makeTempDir(), maxPendingSpans: 5_000 };
 * const exporter = new AiTraceSpanExporter(options);
 * await exporter.shutdown();
 * ```
 */
export interface AiTraceSpanExporterOptions extends Omit<TracerOptions, "sessionId" | "autoSave" | "startedAt"> {
  /**
   * How many spans of traces whose root has not ended yet are held in memory;
   * past it, the oldest trace is written as it stands.
   *
   * @default {10000}
   */
  maxPendingSpans?: number;
}

const SUCCESS: OtelExportResult = { code: 0 };

/**
 * An OpenTelemetry `SpanExporter` that writes each trace into an ai-trace
 * session: use it with a `SimpleSpanProcessor` or a `BatchSpanProcessor`.
 *
 * One session per trace, named after the agent: the first
 * `gen_ai.agent.name` of its spans, else the root span's name, else the
 * service name. Each span is a step with its real parent, start and end time,
 * status (error = failed step, with the `exception` event's type and stack)
 * and attributes (see {@linkcode spanToStep}). The spans of a trace are held
 * until its root span ends (or {@linkcode AiTraceSpanExporter.forceFlush}),
 * then written in one go.
 *
 * Without a context manager (`AsyncLocalStorageContextManager`), every span is
 * its own trace, so its own session: register one.
 *
 * @example With the AI SDK's OpenTelemetry spans (`experimental_telemetry`)
 * ```ts
 * import { AiTraceSpanExporter } from "@ai-trace/core/otel";
 * import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
 * import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
 * import { context } from "@opentelemetry/api";
 *
 * context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
 * const exporter = new AiTraceSpanExporter({ traceDir: await Deno.makeTempDir() });
 * const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
 * // generateText({ model, prompt, experimental_telemetry: { isEnabled: true, tracer: provider.getTracer("ai") } });
 * await provider.shutdown();
 * ```
 */
export class AiTraceSpanExporter {
  readonly #sessions: TraceSessions;
  #shutdown = false;

  /**
   * Creates the exporter; each trace's session is created when the trace is written.
   *
   * @param options where and how to record (as for a {@linkcode Tracer}).
   * @throws {RangeError} for an invalid `maxPendingSpans`.
   * @example Sessions into ./traces
   * ```ts
   * import { AiTraceSpanExporter } from "@ai-trace/core/otel";
   *
   * const exporter = new AiTraceSpanExporter({ traceDir: await Deno.makeTempDir() });
   * await exporter.shutdown();
   * ```
   */
  constructor(options: AiTraceSpanExporterOptions = {}) {
    try {
      this.#sessions = new TraceSessions(options);
    } catch (err) {
      throw new RangeError(`Cannot create AiTraceSpanExporter: ${(err as Error).message}`);
    }
  }

  /**
   * Takes finished spans: holds each until its trace's root span ends, then
   * writes the trace as one session. Reports success (tracing problems go to
   * the `onError` option, never to the application), or failure after
   * {@linkcode AiTraceSpanExporter.shutdown}.
   *
   * @param spans finished spans, from any traces.
   * @param resultCallback told how the export went.
   * @example Called by a span processor
   * ```ts
   * import { AiTraceSpanExporter } from "@ai-trace/core/otel";
   *
   * const exporter = new AiTraceSpanExporter({ traceDir: await Deno.makeTempDir() });
   * exporter.export([], (result) => console.log(result.code)); // 0
   * ```
   */
  export(spans: readonly OtelSpan[], resultCallback: (result: OtelExportResult) => void): void {
    if (this.#shutdown) {
      resultCallback({ code: 1, error: new Error("AiTraceSpanExporter is shut down") });
      return;
    }
    quietly(() => {
      const plain: PlainSpan[] = [];
      // A span whose parent is in another process (a remote parent) ends this process's part of the trace.
      const remoteChild = new Set<PlainSpan>();
      for (const span of spans) {
        const one = plainSpan(span);
        if (one === undefined) continue;
        plain.push(one);
        if (get(get(span, "parentSpanContext"), "isRemote") === true) remoteChild.add(one);
      }
      this.#sessions.add(plain, (span) => !span.parentSpanId || remoteChild.has(span));
    });
    resultCallback(SUCCESS);
  }

  /**
   * Writes every trace still held (whose root span has not ended) as it stands.
   *
   * @returns a promise that resolves when they are written.
   * @example Flush before reading the sessions
   * ```ts
   * import { AiTraceSpanExporter } from "@ai-trace/core/otel";
   *
   * const exporter = new AiTraceSpanExporter({ traceDir: await Deno.makeTempDir() });
   * await exporter.forceFlush();
   * ```
   */
  forceFlush(): Promise<void> {
    quietly(() => this.#sessions.flush());
    return Promise.resolve();
  }

  /**
   * Writes what is held, then refuses further spans.
   *
   * @returns a promise that resolves when done.
   * @example Shut down with the provider
   * ```ts
   * import { AiTraceSpanExporter } from "@ai-trace/core/otel";
   *
   * const exporter = new AiTraceSpanExporter({ traceDir: await Deno.makeTempDir() });
   * await exporter.shutdown();
   * exporter.export([], (result) => console.log(result.code)); // 1
   * ```
   */
  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.#shutdown = true;
  }
}

// Epoch milliseconds of an HrTime.
function hrMs(time: unknown): number | undefined {
  const seconds = num(get(time, "0"));
  const nanos = num(get(time, "1"));
  return seconds === undefined ? num(time) : seconds * 1000 + (nanos ?? 0) / 1e6;
}

// A span of the SDK in the plain shape of the mapping; undefined when it has no ids.
function plainSpan(span: OtelSpan): PlainSpan | undefined {
  let ids: { traceId?: unknown; spanId?: unknown } | undefined;
  try {
    ids = span.spanContext();
  } catch {
    return undefined;
  }
  const traceId = str(get(ids, "traceId"));
  const spanId = str(get(ids, "spanId"));
  if (traceId === undefined || spanId === undefined) return undefined;
  const parentSpanId = str(get(get(span, "parentSpanContext"), "spanId")) ?? str(get(span, "parentSpanId"));
  const startTime = hrMs(get(span, "startTime")) ?? Date.now();
  const events: { name: string; time: number; attributes?: Record<string, unknown> }[] = [];
  const rawEvents = get(span, "events");
  if (Array.isArray(rawEvents)) {
    for (const event of rawEvents.slice(0, 1000)) {
      events.push({
        name: str(get(event, "name")) ?? "event",
        time: hrMs(get(event, "time")) ?? startTime,
        attributes: get(event, "attributes") as Record<string, unknown> | undefined,
      });
    }
  }
  const status = get(span, "status");
  return {
    traceId,
    spanId,
    parentSpanId,
    name: str(get(span, "name")) ?? "span",
    startTime,
    endTime: hrMs(get(span, "endTime")) ?? startTime,
    status: { code: num(get(status, "code")) ?? 0, message: str(get(status, "message")) },
    attributes: (get(span, "attributes") ?? {}) as Record<string, unknown>,
    events,
    resource: (get(get(span, "resource"), "attributes") ?? {}) as Record<string, unknown>,
  };
}
