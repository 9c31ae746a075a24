/**
 * A session as an OTLP `ExportTraceServiceRequest` (in its JSON shape), for an
 * OpenTelemetry Collector and from there Jaeger, Tempo, Langfuse or Phoenix.
 *
 * The mapping, in short:
 *
 * - One session is one trace. Its `traceId` and every `spanId` are derived
 *   from the agent, the session id and the step id by a hash, so exporting
 *   the same session twice gives the same ids (a backend deduplicates them).
 * - One root span, `invoke_agent <agent>`, covers the session; every step is a
 *   span under it, nested as the steps were, named and described as the
 *   OpenTelemetry GenAI conventions say (`chat <model>`, `embeddings <model>`,
 *   `execute_tool <tool>`, `invoke_agent <agent>`, else the step's name) and
 *   as OpenInference says (`openinference.span.kind`, `input.value`, …). The
 *   step's own name is always in `ai_trace.step.name`.
 * - A step's context becomes attributes under `ai_trace.context.`, one per
 *   key; nested values (objects, mixed lists) as JSON text, as the
 *   conventions do; lists of strings, numbers or booleans stay lists. `null`
 *   values are left out, as OpenTelemetry attributes cannot be null. The
 *   session's meta becomes resource attributes under `ai_trace.meta.` the
 *   same way. No attribute key appears twice.
 * - Each log entry is a span event named `log` at its `_t`, its fields as
 *   event attributes; a decision is also an `ai_trace.decision` event, and an
 *   error an `exception` event.
 * - A step still in flight when the trace ended (a crash, or a session still
 *   running) is exported as a span that ends at the last time known in the
 *   session, with `ai_trace.in_flight = true` and an error status
 *   `"in flight when the trace ended"`: OTLP has no open spans, and a
 *   backend must show it as the failure it most likely is.
 * - A time OTLP cannot carry (not a number, before 1970, after 2262) is
 *   replaced by a known time of the session and reported through `onWarning`.
 *
 * @module
 */

import { basename } from "node:path";
import type { JsonObject, JsonValue, Session, SessionStep } from "../format/types.ts";
import {
  classifyStep,
  findField,
  finishReasons,
  GEN_AI,
  modelOf,
  OI,
  toolArguments,
  toolResult,
  withoutTime,
} from "./conventions.ts";
import { VERSION } from "../version.ts";

/**
 * The value of an attribute: exactly one of the fields is set (none for an empty value).
 *
 * @example Read an attribute's value
 * ```ts
 * import { type OtlpAnyValue, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const spans = request.resourceSpans[0].scopeSpans[0].spans;
 * const value: OtlpAnyValue | undefined = spans[1].attributes.find((a) => a.key === "ai_trace.context.symbol")?.value;
 * console.log(value?.stringValue); // BTCUSDT
 * ```
 */
export interface OtlpAnyValue {
  /** A string. */
  stringValue?: string;
  /** A boolean. */
  boolValue?: boolean;
  /** A 64-bit integer, as a decimal string (the OTLP JSON encoding of int64). */
  intValue?: string;
  /** A double. */
  doubleValue?: number;
  /** A list of values. */
  arrayValue?: OtlpArrayValue;
  /** A list of key-value pairs: an object. */
  kvlistValue?: OtlpKeyValueList;
}

/**
 * A list of values, `arrayValue` of an {@linkcode OtlpAnyValue}.
 *
 * @example An array in a step's context
 * ```ts
 * import { type OtlpArrayValue, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { levels: [64000, 65500] }, () => {});
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const spans = request.resourceSpans[0].scopeSpans[0].spans;
 * const attribute = spans[1].attributes.find((a) => a.key === "ai_trace.context.levels");
 * const levels: OtlpArrayValue | undefined = attribute?.value.arrayValue;
 * console.log(levels?.values); // [ { intValue: "64000" }, { intValue: "65500" } ]
 * ```
 */
export interface OtlpArrayValue {
  /** The values. */
  values: OtlpAnyValue[];
}

/**
 * A list of key-value pairs, `kvlistValue` of an {@linkcode OtlpAnyValue}.
 * {@linkcode toOtlp} writes nested values as JSON text instead, as the
 * semantic conventions do; a receiver may get key-value lists from others.
 *
 * @example A key-value list, and how to read one
 * ```ts
 * import type { OtlpAnyValue, OtlpKeyValueList } from "@ai-trace/core";
 *
 * const order: OtlpKeyValueList = { values: [{ key: "qty", value: { intValue: "2" } }] };
 * const value: OtlpAnyValue = { kvlistValue: order };
 * console.log(value.kvlistValue?.values[0].key); // qty
 * ```
 */
export interface OtlpKeyValueList {
  /** The pairs. */
  values: OtlpKeyValue[];
}

/**
 * One attribute.
 *
 * @example A step span's attributes
 * ```ts
 * import { type OtlpKeyValue, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const spans = request.resourceSpans[0].scopeSpans[0].spans;
 * const attributes: OtlpKeyValue[] = spans[1].attributes;
 * console.log(attributes.map((attribute) => attribute.key)); // [ …, "ai_trace.context.symbol" ]
 * ```
 */
export interface OtlpKeyValue {
  /** The attribute's name, e.g. `"gen_ai.request.model"`. */
  key: string;
  /** Its value. */
  value: OtlpAnyValue;
}

/**
 * `Span.SpanKind` of the OTLP protocol, as the integers the JSON encoding uses.
 *
 * @example Find the model calls
 * ```ts
 * import { OtlpSpanKind, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.usage({ model: "claude-haiku-4-5" }));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const spans = request.resourceSpans[0].scopeSpans[0].spans;
 * const modelCalls = spans.filter((span) => span.kind === OtlpSpanKind.CLIENT);
 * console.log(modelCalls.map((span) => span.name)); // [ "chat claude-haiku-4-5" ]
 * ```
 */
export const OtlpSpanKind = {
  /** Unspecified. */
  UNSPECIFIED: 0,
  /** An operation inside the process: a step. */
  INTERNAL: 1,
  /** Handles a remote request. */
  SERVER: 2,
  /** A call to a remote service: a model call. */
  CLIENT: 3,
  /** Sends a message. */
  PRODUCER: 4,
  /** Receives a message. */
  CONSUMER: 5,
} as const;

/** One of the {@linkcode OtlpSpanKind} values. */
export type OtlpSpanKind = typeof OtlpSpanKind[keyof typeof OtlpSpanKind];

/**
 * `Status.StatusCode` of the OTLP protocol, as the integers the JSON encoding uses.
 *
 * @example Find the failed steps
 * ```ts
 * import { OtlpStatusCode, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.fail("exchange down"));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const spans = request.resourceSpans[0].scopeSpans[0].spans;
 * const failed = spans.filter((span) => span.status.code === OtlpStatusCode.ERROR);
 * console.log(failed.map((span) => span.name)); // [ "market_scan" ]
 * ```
 */
export const OtlpStatusCode = {
  /** Not set: neither known to be OK nor an error. */
  UNSET: 0,
  /** The operation succeeded. */
  OK: 1,
  /** The operation failed. */
  ERROR: 2,
} as const;

/** One of the {@linkcode OtlpStatusCode} values. */
export type OtlpStatusCode = typeof OtlpStatusCode[keyof typeof OtlpStatusCode];

/**
 * How a span ended.
 *
 * @example A failed step's status
 * ```ts
 * import { type OtlpStatus, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.fail("exchange down"));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const spans = request.resourceSpans[0].scopeSpans[0].spans;
 * const status: OtlpStatus = spans[1].status;
 * console.log(status); // { code: 2, message: "exchange down" }
 * ```
 */
export interface OtlpStatus {
  /** OK, error, or unset (absent). */
  code?: OtlpStatusCode;
  /** What went wrong, for an error. */
  message?: string;
}

/**
 * Something that happened during a span at a point in time: a log entry, an exception.
 *
 * @example A log entry as an event
 * ```ts
 * import { type OtlpEvent, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const spans = request.resourceSpans[0].scopeSpans[0].spans;
 * const [event]: OtlpEvent[] = spans[1].events;
 * console.log(event.name, event.attributes); // log [ { key: "signal", value: { doubleValue: 0.87 } } ]
 * ```
 */
export interface OtlpEvent {
  /** When, nanoseconds since the epoch, as a decimal string. */
  timeUnixNano: string;
  /** `"log"`, `"ai_trace.decision"` or `"exception"`. */
  name: string;
  /** The event's fields. */
  attributes: OtlpKeyValue[];
}

/**
 * One span: the session's root span or one step.
 *
 * @example The root span and a step's span
 * ```ts
 * import { type OtlpSpan, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const spans: OtlpSpan[] = request.resourceSpans[0].scopeSpans[0].spans;
 * console.log(spans.map((span) => span.name)); // [ "invoke_agent trading_agent", "market_scan" ]
 * console.assert(spans[1].parentSpanId === spans[0].spanId);
 * ```
 */
export interface OtlpSpan {
  /** 32 lowercase hex digits, the same for every span of a session. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** The enclosing span's id; absent for the root span. */
  parentSpanId?: string;
  /**
   * `invoke_agent <agent>` for the root span; for a step, as the GenAI
   * conventions name it (`chat <model>`, `embeddings <model>`,
   * `execute_tool <tool>`, `invoke_agent <agent>`), else the step's name.
   */
  name: string;
  /** {@linkcode OtlpSpanKind.INTERNAL}, or `CLIENT` for a model call. */
  kind: OtlpSpanKind;
  /** When it began, nanoseconds since the epoch, as a decimal string. */
  startTimeUnixNano: string;
  /** When it ended, nanoseconds since the epoch, as a decimal string. */
  endTimeUnixNano: string;
  /** The span's attributes. */
  attributes: OtlpKeyValue[];
  /** Log entries, the decision and exceptions. */
  events: OtlpEvent[];
  /** How it ended. */
  status: OtlpStatus;
}

/**
 * Who produced the spans: `ai-trace` and its version.
 *
 * @example The scope of exported spans
 * ```ts
 * import { type OtlpInstrumentationScope, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const scope: OtlpInstrumentationScope = request.resourceSpans[0].scopeSpans[0].scope;
 * console.log(scope.name, scope.version); // ai-trace, and the version of ai-trace
 * ```
 */
export interface OtlpInstrumentationScope {
  /** `"ai-trace"`. */
  name: string;
  /** The ai-trace version. */
  version?: string;
}

/**
 * The spans of one instrumentation scope.
 *
 * @example Count the spans
 * ```ts
 * import { type OtlpScopeSpans, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const [scopeSpans]: OtlpScopeSpans[] = request.resourceSpans[0].scopeSpans;
 * console.log(scopeSpans.spans.length); // 2: the session and its step
 * ```
 */
export interface OtlpScopeSpans {
  /** The scope. */
  scope: OtlpInstrumentationScope;
  /** The spans. */
  spans: OtlpSpan[];
}

/**
 * The entity that produced the spans: the agent, its process and host.
 *
 * @example The agent as the service
 * ```ts
 * import { type OtlpResource, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const resource: OtlpResource = request.resourceSpans[0].resource;
 * console.log(resource.attributes.find((a) => a.key === "service.name")?.value.stringValue); // trading_agent
 * ```
 */
export interface OtlpResource {
  /** `service.name`, `host.name`, `ai_trace.meta.*`, … */
  attributes: OtlpKeyValue[];
}

/**
 * The spans of one resource.
 *
 * @example One resource per session
 * ```ts
 * import { type OtlpResourceSpans, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const all: OtlpResourceSpans[] = request.resourceSpans;
 * console.log(all.length, all[0].scopeSpans.length); // 1 1
 * ```
 */
export interface OtlpResourceSpans {
  /** The resource. */
  resource: OtlpResource;
  /** The spans, by scope. */
  scopeSpans: OtlpScopeSpans[];
}

/**
 * The body of an OTLP/HTTP JSON request to `/v1/traces`: an `ExportTraceServiceRequest`.
 *
 * @example Write a request body to a file
 * ```ts
 * import { type OtlpExportRequest, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
 * await tracer.close();
 * const request: OtlpExportRequest = toOtlp(await readSession(tracer.path!));
 * const file = `${await Deno.makeTempDir()}/trace.otlp.json`;
 * await Deno.writeTextFile(file, JSON.stringify(request)); // e.g. for curl -d @trace.otlp.json
 * ```
 */
export interface OtlpExportRequest {
  /** The spans, by resource. */
  resourceSpans: OtlpResourceSpans[];
}

/** The instrumentation scope name of every exported span. */
export const OTLP_SCOPE_NAME = "ai-trace";

/** The status message of a step that was in flight when its trace ended. */
export const IN_FLIGHT_MESSAGE = "in flight when the trace ended";

/**
 * Which semantic conventions {@linkcode toOtlp} writes besides its own
 * `ai_trace.*` attributes: the OpenTelemetry GenAI conventions (`gen_ai.*`),
 * OpenInference (`openinference.span.kind`, `input.value`, `llm.*`, …), or both.
 *
 * @example Only the OpenTelemetry GenAI conventions
 * ```ts
 * import { type OtlpConventions, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const conventions: OtlpConventions = "genai";
 * const request = toOtlp(await readSession(tracer.path!), { conventions });
 * const keys = request.resourceSpans[0].scopeSpans[0].spans[1].attributes.map((a) => a.key);
 * console.log(keys.includes("openinference.span.kind")); // false
 * ```
 */
export type OtlpConventions = "both" | "genai" | "openinference";

/**
 * Options of {@linkcode toOtlp}.
 *
 * @example Collect the warnings
 * ```ts
 * import { readSession, toOtlp, type ToOtlpOptions, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const warnings: string[] = [];
 * const options: ToOtlpOptions = { conventions: "both", onWarning: (message) => warnings.push(message) };
 * toOtlp(await readSession(tracer.path!), options);
 * console.log(warnings); // [] — a time out of range would be named here
 * ```
 */
export interface ToOtlpOptions {
  /**
   * The conventions to write besides `ai_trace.*`.
   *
   * @default {"both"}
   */
  conventions?: OtlpConventions;
  /**
   * Told about what could not be exported as it is, e.g. a time out of
   * range (which is replaced by a time that is known, never thrown on).
   *
   * @default {undefined}
   */
  onWarning?: (message: string) => void;
}

/**
 * Turns a session into an OTLP export request: one resource (the agent), one
 * scope (`ai-trace`), a root span `invoke_agent <agent>` for the session and
 * one span per step, named and described as the OpenTelemetry GenAI and
 * OpenInference conventions say (a model call is `chat <model>`, a tool
 * `execute_tool <name>`, …). Serialize it with `JSON.stringify` (OTLP/HTTP
 * JSON) or {@linkcode encodeOtlpRequest} (protobuf) and POST it to
 * `<collector>/v1/traces`.
 *
 * Never throws on what a file holds: a time out of range is replaced by a
 * known one and reported through `onWarning`.
 *
 * @example Export a session read from a file
 * ```ts
 * import { readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * const request = toOtlp(session);
 * console.log(request.resourceSpans[0].scopeSpans[0].spans.length); // 2: steps + 1
 * await Deno.writeTextFile(`${tracer.traceDir}/trace.otlp.json`, JSON.stringify(request));
 * ```
 *
 * @param session A session, as {@linkcode readSession} returns it.
 * @param options Which conventions to write; where warnings go.
 * @returns The request; the same session always gives the same ids.
 */
export function toOtlp(session: Session, options: ToOtlpOptions = {}): OtlpExportRequest {
  const conventions = options.conventions ?? "both";
  const context: ExportContext = {
    session,
    genai: conventions !== "openinference",
    openinference: conventions !== "genai",
    warn: options.onWarning ?? (() => {}),
    traceId: "",
    lastKnown: 0n,
    rootStart: 0n,
  };
  const ids = new IdSource(session);
  context.traceId = ids.traceId;
  const rootId = ids.rootSpanId();
  const times = new TimeReader(context);
  context.lastKnown = lastKnownMicros(session, times);
  const first = firstStartMicros(session, times);
  const sessionStart = times.read(session.started_at, "the session's started_at") ?? first;
  context.rootStart = minBig(sessionStart, first);
  if (context.rootStart === 0n) context.rootStart = context.lastKnown;
  const rootEnd = maxBig(context.rootStart, context.lastKnown);

  const spanIds = new Map<number, string>();
  for (const step of session.steps) spanIds.set(step.id, ids.stepSpanId(step.id));

  const spans: OtlpSpan[] = [rootSpan(context, rootId, rootEnd)];
  for (const step of session.steps) {
    const parent = step.parent_id !== null ? spanIds.get(step.parent_id) : undefined;
    spans.push(stepSpan(context, times, step, {
      spanId: ids.spanIdOf(step),
      parentSpanId: parent !== undefined && step.parent_id !== step.id ? parent : rootId,
    }));
  }
  return {
    resourceSpans: [{
      resource: { attributes: resourceAttributes(session) },
      scopeSpans: [{ scope: { name: OTLP_SCOPE_NAME, version: VERSION }, spans }],
    }],
  };
}

/** What every span of one export needs to know. */
interface ExportContext {
  session: Session;
  genai: boolean;
  openinference: boolean;
  warn: (message: string) => void;
  traceId: string;
  /** The last time the session is known to have been alive. */
  lastKnown: bigint;
  /** When the root span starts. */
  rootStart: bigint;
}

// ---------------------------------------------------------------------------
// Spans

function rootSpan(context: ExportContext, spanId: string, end: bigint): OtlpSpan {
  const { session } = context;
  const attributes = new Attributes();
  if (context.genai) {
    attributes.put(GEN_AI.OPERATION_NAME, "invoke_agent");
    attributes.put(GEN_AI.AGENT_NAME, session.agent);
    attributes.put(GEN_AI.CONVERSATION_ID, session.session_id || null);
  }
  if (context.openinference) {
    attributes.put(OI.SPAN_KIND, "AGENT");
    attributes.put(OI.AGENT_NAME, session.agent);
    attributes.put(OI.SESSION_ID, session.session_id || null);
    if (Object.keys(session.meta).length > 0) attributes.put(OI.METADATA, jsonText(session.meta));
  }
  attributes.put("ai_trace.session_id", session.session_id);
  attributes.put("ai_trace.session.state", session.state);
  const summary = session.summary;
  attributes.put("ai_trace.summary.steps", summary.steps);
  attributes.put("ai_trace.summary.ok", summary.ok);
  attributes.put("ai_trace.summary.errors", summary.errors);
  attributes.put("ai_trace.summary.in_flight", summary.in_flight);
  attributes.put("ai_trace.summary.input_tokens", summary.input_tokens);
  attributes.put("ai_trace.summary.output_tokens", summary.output_tokens);
  attributes.double("ai_trace.summary.cost_usd", finiteOr(summary.cost_usd, 0));
  let status: OtlpStatus;
  if (session.state === "crashed") {
    status = { code: OtlpStatusCode.ERROR, message: "the session crashed before it ended" };
  } else if (session.state === "complete") status = { code: OtlpStatusCode.OK };
  else status = {};
  return {
    traceId: context.traceId,
    spanId,
    name: `invoke_agent ${session.agent}`,
    kind: OtlpSpanKind.INTERNAL,
    startTimeUnixNano: toNanoString(context.rootStart),
    endTimeUnixNano: toNanoString(end),
    attributes: attributes.list,
    events: [],
    status,
  };
}

interface StepPlace {
  spanId: string;
  parentSpanId: string;
}

function stepSpan(context: ExportContext, times: TimeReader, step: SessionStep, place: StepPlace): OtlpSpan {
  const what = `step ${step.id} "${step.name}"`;
  const rawDuration = step.duration_ms !== null && Number.isFinite(step.duration_ms) && step.duration_ms >= 0
    ? BigInt(Math.round(Math.min(step.duration_ms, MAX_SECONDS * 1000) * 1000))
    : undefined;
  let start = times.read(step.started_at, `${what}: started_at`);
  const finished = step.finished_at !== null ? times.read(step.finished_at, `${what}: finished_at`) : undefined;
  if (start === undefined) {
    start = finished !== undefined && rawDuration !== undefined && finished - rawDuration > 0n
      ? finished - rawDuration
      : context.rootStart;
  }
  let end: bigint;
  if (step.in_flight) end = context.lastKnown;
  else if (finished !== undefined) end = finished;
  else end = start + (rawDuration ?? 0n);
  if (end < start) end = start;
  if (end > MAX_MICROS) end = MAX_MICROS;

  const kind = classifyStep(step);
  const attributes = new Attributes();
  const usage = step.usage;
  const model = modelOf(step);
  const isModelCall = kind.operation === "chat" || kind.operation === "embeddings";
  const sessionId = context.session.session_id || null;

  if (context.genai) {
    attributes.put(GEN_AI.OPERATION_NAME, kind.operation);
    if (kind.operation === "invoke_workflow") attributes.put(GEN_AI.WORKFLOW_NAME, step.name);
    if (kind.operation === "invoke_agent") attributes.put(GEN_AI.AGENT_NAME, step.name);
    if (usage) {
      attributes.put(GEN_AI.PROVIDER_NAME, nonEmpty(usage.provider));
      attributes.put(GEN_AI.REQUEST_MODEL, nonEmpty(usage.model));
      attributes.put(GEN_AI.RESPONSE_MODEL, nonEmpty(usage.response_model));
    }
    if (isModelCall) {
      const responseId = findField(step, ["response_id"]);
      if (typeof responseId === "string" && responseId !== "") attributes.put(GEN_AI.RESPONSE_ID, responseId);
      const reasons = finishReasons(step);
      if (reasons !== undefined) attributes.put(GEN_AI.RESPONSE_FINISH_REASONS, reasons);
    }
    if (usage) {
      attributes.count(GEN_AI.USAGE_INPUT_TOKENS, usage.input_tokens);
      attributes.count(GEN_AI.USAGE_OUTPUT_TOKENS, usage.output_tokens);
      attributes.count(GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS, usage.cache_read_input_tokens);
      attributes.count(GEN_AI.USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cache_creation_input_tokens);
      attributes.count(GEN_AI.USAGE_REASONING_OUTPUT_TOKENS, usage.reasoning_tokens);
    }
    if (kind.operation === "execute_tool") {
      attributes.put(GEN_AI.TOOL_NAME, step.name);
      const callId = findField(step, ["tool_call_id", "call_id"]);
      if (typeof callId === "string" && callId !== "") attributes.put(GEN_AI.TOOL_CALL_ID, callId);
      const args = toolArguments(step);
      if (args !== undefined) attributes.put(GEN_AI.TOOL_CALL_ARGUMENTS, jsonText(args));
      const result = toolResult(step);
      if (result !== undefined) attributes.put(GEN_AI.TOOL_CALL_RESULT, jsonText(result));
    }
    attributes.put(GEN_AI.CONVERSATION_ID, sessionId);
  }

  if (context.openinference) {
    attributes.put(OI.SPAN_KIND, kind.spanKind);
    if (Object.keys(step.context).length > 0) {
      attributes.put(OI.INPUT_VALUE, jsonText(step.context));
      attributes.put(OI.INPUT_MIME_TYPE, OI.MIME_JSON);
    }
    const last = step.logs.at(-1);
    const output = step.decision !== undefined ? (step.decision as unknown as JsonValue) : last && withoutTime(last);
    if (output !== undefined) {
      attributes.put(OI.OUTPUT_VALUE, jsonText(output));
      attributes.put(OI.OUTPUT_MIME_TYPE, OI.MIME_JSON);
    }
    if (kind.operation === "embeddings") attributes.put(OI.EMBEDDING_MODEL_NAME, model ?? null);
    else if (isModelCall || model !== undefined) {
      attributes.put(OI.LLM_MODEL_NAME, nonEmpty(usage?.response_model) ?? model ?? null);
    }
    if (usage) {
      attributes.put(OI.LLM_PROVIDER, nonEmpty(usage.provider));
      attributes.put(OI.LLM_SYSTEM, nonEmpty(usage.provider));
      attributes.count(OI.LLM_TOKEN_COUNT_PROMPT, usage.input_tokens);
      attributes.count(OI.LLM_TOKEN_COUNT_COMPLETION, usage.output_tokens);
      if (isCount(usage.input_tokens) || isCount(usage.output_tokens)) {
        attributes.count(OI.LLM_TOKEN_COUNT_TOTAL, (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0));
      }
      attributes.count(OI.LLM_TOKEN_COUNT_PROMPT_CACHE_READ, usage.cache_read_input_tokens);
      attributes.count(OI.LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE, usage.cache_creation_input_tokens);
      attributes.count(OI.LLM_TOKEN_COUNT_COMPLETION_REASONING, usage.reasoning_tokens);
      if (isFiniteNumber(usage.cost_usd)) attributes.double(OI.LLM_COST_TOTAL, usage.cost_usd);
    }
    if (kind.operation === "execute_tool") attributes.put(OI.TOOL_NAME, step.name);
    if (kind.operation === "invoke_agent") attributes.put(OI.AGENT_NAME, step.name);
    attributes.put(OI.SESSION_ID, sessionId);
    const metadata: JsonObject = { step_id: step.id };
    if (step.parent_id !== null) metadata.parent_id = step.parent_id;
    if (step.kind !== undefined) metadata.kind = step.kind;
    if (step.outcome !== null) metadata.outcome = step.outcome;
    attributes.put(OI.METADATA, jsonText(metadata));
  }

  attributes.put("ai_trace.step.name", step.name);
  attributes.put("ai_trace.step.id", step.id);
  if (step.parent_id !== null) attributes.put("ai_trace.step.parent_id", step.parent_id);
  if (step.kind !== undefined) attributes.put("ai_trace.step.kind", step.kind);
  if (step.outcome !== null) attributes.put("ai_trace.outcome", step.outcome);
  if (step.duration_ms !== null && Number.isFinite(step.duration_ms)) {
    attributes.double("ai_trace.duration_ms", step.duration_ms);
  }
  if (usage && isFiniteNumber(usage.cost_usd)) attributes.double("ai_trace.usage.cost_usd", usage.cost_usd);
  if (step.in_flight) attributes.put("ai_trace.in_flight", true);
  const decision = step.decision;
  const decisionFields = new Attributes();
  if (decision) {
    decisionFields.put("ai_trace.decision.action", decision.action);
    if (decision.reason !== undefined) decisionFields.put("ai_trace.decision.reason", decision.reason);
    if (isFiniteNumber(decision.confidence)) decisionFields.double("ai_trace.decision.confidence", decision.confidence);
    if (Array.isArray(decision.alternatives)) {
      decisionFields.put("ai_trace.decision.alternatives", decision.alternatives);
    }
    for (const attribute of decisionFields.list) attributes.add(attribute);
  }
  attributes.members("ai_trace.context.", step.context);

  const events: OtlpEvent[] = [];
  for (const entry of step.logs) {
    const at = isFiniteNumber(entry._t) ? times.read(entry._t, `${what}: a log entry's _t`) ?? start : start;
    const fields = new Attributes();
    fields.members("", withoutTime(entry));
    events.push({ timeUnixNano: toNanoString(at), name: "log", attributes: fields.list });
  }
  if (decision) {
    events.push({ timeUnixNano: toNanoString(end), name: "ai_trace.decision", attributes: decisionFields.list });
  }

  let status: OtlpStatus;
  const failed = step.outcome === "error" || step.error !== null;
  if (step.in_flight) {
    status = { code: OtlpStatusCode.ERROR, message: IN_FLIGHT_MESSAGE };
  } else if (failed) {
    const message = step.error ?? step.outcome ?? "error";
    const type = step.error_type ?? "Error";
    attributes.put("error.type", type);
    const exception = new Attributes();
    exception.put("exception.type", type);
    exception.put("exception.message", message);
    if (step.stack !== undefined) exception.put("exception.stacktrace", step.stack);
    events.push({ timeUnixNano: toNanoString(end), name: "exception", attributes: exception.list });
    status = { code: OtlpStatusCode.ERROR, message };
  } else if (step.outcome === "ok") {
    status = { code: OtlpStatusCode.OK };
  } else {
    status = {}; // a user's own outcome ("skipped", …): neither known good nor bad, kept in ai_trace.outcome
  }

  return {
    traceId: context.traceId,
    spanId: place.spanId,
    parentSpanId: place.parentSpanId,
    name: kind.name,
    kind: kind.remote ? OtlpSpanKind.CLIENT : OtlpSpanKind.INTERNAL,
    startTimeUnixNano: toNanoString(start),
    endTimeUnixNano: toNanoString(end),
    attributes: attributes.list,
    events,
    status,
  };
}

function resourceAttributes(session: Session): OtlpKeyValue[] {
  const attributes = new Attributes();
  attributes.put("service.name", session.agent);
  attributes.put("ai_trace.session_id", session.session_id);
  if (session.schema !== null) attributes.put("ai_trace.schema", session.schema);
  if (session.pid !== undefined) attributes.put("process.pid", session.pid);
  if (session.host !== undefined) attributes.put("host.name", session.host);
  if (session.runtime) {
    attributes.put("process.runtime.name", session.runtime.name);
    attributes.put("process.runtime.version", session.runtime.version);
  }
  attributes.members("ai_trace.meta.", session.meta);
  return attributes.list;
}

// ---------------------------------------------------------------------------
// Attributes

/**
 * A list of attributes with unique keys (the first value of a key wins):
 * OpenTelemetry attribute maps cannot repeat a key, and a file can hold both
 * `{order: {qty: 2}}` and `{"order.qty": 3}`.
 */
class Attributes {
  readonly list: OtlpKeyValue[] = [];
  #keys = new Set<string>();

  /** Adds an attribute unless the value is `null` or `undefined`. */
  put(key: string, value: JsonValue | undefined): void {
    if (value !== null && value !== undefined) this.add({ key, value: attributeValue(value) });
  }

  /** Adds a number as a double, whole or not. */
  double(key: string, value: number): void {
    this.add({ key, value: { doubleValue: value } });
  }

  /** Adds a token count: a finite number, or nothing. */
  count(key: string, value: number | undefined): void {
    if (isCount(value)) this.put(key, value);
  }

  add(attribute: OtlpKeyValue): void {
    if (this.#keys.has(attribute.key)) return;
    this.#keys.add(attribute.key);
    this.list.push(attribute);
  }

  /** Adds each member of an object under `prefix` + its key; nested values become JSON text. */
  members(prefix: string, object: { [key: string]: JsonValue | undefined }): void {
    for (const [key, value] of Object.entries(object)) this.put(prefix + key, value);
  }
}

const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63; // exclusive

/**
 * A JSON value as an attribute value, as the OpenTelemetry conventions do:
 * strings, booleans and numbers as they are (integers in the int64 range as
 * `intValue`, other numbers as `doubleValue`, non-finite ones by name); a list
 * of strings, of booleans or of numbers as an array; anything else nested
 * (objects, mixed or nested lists) as its JSON text.
 */
function attributeValue(value: JsonValue): OtlpAnyValue {
  if (Array.isArray(value)) {
    const homogeneous = value.every((item) => typeof item === "string") ||
      value.every((item) => typeof item === "boolean") ||
      value.every((item) => typeof item === "number" && Number.isFinite(item));
    if (!homogeneous) return { stringValue: jsonText(value) };
    const integers = value.every((item) => isInt64(item));
    return {
      arrayValue: {
        values: value.map((item) =>
          typeof item === "number" && !integers ? { doubleValue: item } : scalarValue(item as string | number | boolean)
        ),
      },
    };
  }
  if (typeof value === "object" && value !== null) return { stringValue: jsonText(value) };
  return scalarValue(value as string | number | boolean);
}

function scalarValue(value: string | number | boolean): OtlpAnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (!Number.isFinite(value)) return { stringValue: String(value) };
  if (isInt64(value)) return { intValue: BigInt(value).toString() };
  return { doubleValue: value };
}

function isInt64(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX;
}

/** JSON text of a value; a value too deep for the runtime's JSON becomes a marker, never a throw. */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return '"[unserializable]"';
  }
}

function nonEmpty(value: string | undefined): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isCount(value: unknown): value is number {
  return isFiniteNumber(value) && value >= 0;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

// ---------------------------------------------------------------------------
// Times: epoch seconds (floats) → integer microseconds → nanosecond strings

/**
 * The latest time an OTLP timestamp can say, in microseconds: int64
 * nanoseconds end in April 2262 (a fixed64 would go further, but backends
 * read times as signed).
 */
const MAX_MICROS = 9_223_372_036_854_775n;
const MAX_SECONDS = 9_223_372_036;

/** Reads epoch seconds as microseconds; a time out of range is `undefined`, with one warning. */
class TimeReader {
  #context: ExportContext;

  constructor(context: ExportContext) {
    this.#context = context;
  }

  /**
   * `seconds` as integer microseconds (a double holds those exactly up to
   * year 2255), or `undefined` when it is not a time OTLP can carry: not a
   * finite number, 0 or before, or after year 2262. Then `what` is warned about.
   */
  read(seconds: number | null | undefined, what: string): bigint | undefined {
    if (typeof seconds !== "number") return undefined;
    if (Number.isFinite(seconds) && seconds > 0 && seconds < MAX_SECONDS) return BigInt(Math.round(seconds * 1e6));
    if (what !== "") {
      this.#context.warn(`${what} ${seconds} is not a time OTLP can carry; a known time is used instead`);
    }
    return undefined;
  }

  /** As {@linkcode read}, silently. */
  peek(seconds: number | null | undefined): bigint | undefined {
    return this.read(seconds, "");
  }
}

function toNanoString(micros: bigint): string {
  return micros <= 0n ? "0" : `${micros > MAX_MICROS ? MAX_MICROS : micros}000`;
}

function minBig(a: bigint, b: bigint): bigint {
  if (a === 0n) return b;
  if (b === 0n) return a;
  return a < b ? a : b;
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function firstStartMicros(session: Session, times: TimeReader): bigint {
  let first = 0n;
  for (const step of session.steps) first = minBig(first, times.peek(step.started_at) ?? 0n);
  return first;
}

/** The last time the session is known to have been alive: its end, a step's end or start, a log entry. */
function lastKnownMicros(session: Session, times: TimeReader): bigint {
  let last = 0n;
  const see = (seconds: number | null | undefined): void => {
    last = maxBig(last, times.peek(seconds) ?? 0n);
  };
  see(session.started_at);
  see(session.finished_at);
  for (const step of session.steps) {
    see(step.started_at);
    see(step.finished_at);
    for (const entry of step.logs) see(entry._t);
  }
  return last;
}

// ---------------------------------------------------------------------------
// Ids: FNV-1a 64 over UTF-8, finished with the SplitMix64 mixer (a bijection,
// so distinct hashes stay distinct, and similar inputs give unlike ids)

const MASK64 = (1n << 64n) - 1n;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const encoder = new TextEncoder();

function fnvUpdate(state: bigint, text: string): bigint {
  let hash = state;
  for (const byte of encoder.encode(text)) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK64;
  return hash;
}

function mix64(value: bigint): bigint {
  let z = value;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

function hex64(value: bigint): string {
  return value.toString(16).padStart(16, "0");
}

/** Derives the ids of one session; the session's part of each hash is computed once. */
class IdSource {
  readonly traceId: string;
  #prefix: bigint;
  #used = new Set<string>();

  constructor(session: Session) {
    const key = `${session.agent}\u0000${session.session_id || basename(session.path)}\u0000`;
    this.#prefix = fnvUpdate(FNV_OFFSET, key);
    let high = mix64(fnvUpdate(this.#prefix, "trace:1"));
    const low = mix64(fnvUpdate(this.#prefix, "trace:2"));
    if (high === 0n && low === 0n) high = 1n; // an all-zero trace id is invalid
    this.traceId = hex64(high) + hex64(low);
  }

  rootSpanId(): string {
    return this.#claim("session");
  }

  /** The span id a step with this id gets (what its children point to). */
  stepSpanId(id: number): string {
    return this.#derive(`step:${id}`);
  }

  /** The span id of a step, unique even when a malformed file repeats a step id. */
  spanIdOf(step: SessionStep): string {
    return this.#claim(`step:${step.id}`);
  }

  #derive(label: string): string {
    const hash = mix64(fnvUpdate(this.#prefix, label));
    return hex64(hash === 0n ? 1n : hash); // an all-zero span id is invalid
  }

  #claim(label: string): string {
    let id = this.#derive(label);
    for (let n = 2; this.#used.has(id); n++) id = this.#derive(`${label}#${n}`);
    this.#used.add(id);
    return id;
  }
}
