/**
 * A session as an OTLP/HTTP JSON `ExportTraceServiceRequest`, for an
 * OpenTelemetry Collector and from there Jaeger, Tempo, Langfuse or Phoenix.
 *
 * The mapping, in short:
 *
 * - One session is one trace. Its `traceId` and every `spanId` are derived
 *   from the agent, the session id and the step id by a hash, so exporting
 *   the same session twice gives the same ids (a backend deduplicates them).
 * - One root span, `invoke_agent <agent>`, covers the session; every step is a
 *   span under it, nested as the steps were.
 * - A step's context becomes attributes under `ai_trace.context.`, nested
 *   objects flattened with dots (`{order: {qty: 2}}` →
 *   `ai_trace.context.order.qty`); arrays stay arrays (`arrayValue`, with
 *   objects inside them as `kvlistValue`). `null` values are left out, as
 *   OpenTelemetry attributes cannot be null. The session's meta becomes
 *   resource attributes under `ai_trace.meta.` the same way.
 * - Each log entry is a span event named `log` at its `_t`, its fields as
 *   event attributes (flattened the same way, without a prefix). An error is
 *   also an `exception` event.
 * - A step still in flight when the trace ended (a crash, or a session still
 *   running) is exported as a span that ends at the last time known in the
 *   session, with `ai_trace.in_flight = true` and an error status
 *   `"in flight when the trace ended"`: OTLP has no open spans, and a
 *   backend must show it as the failure it most likely is.
 *
 * @module
 */

import { basename } from "node:path";
import type { JsonObject, JsonValue, Session, SessionStep } from "../format/types.ts";
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
 *
 * @example Objects inside an array
 * ```ts
 * import { type OtlpKeyValueList, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { orders: [{ qty: 2 }] }, () => {});
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const spans = request.resourceSpans[0].scopeSpans[0].spans;
 * const orders = spans[1].attributes.find((a) => a.key === "ai_trace.context.orders")?.value.arrayValue;
 * const first: OtlpKeyValueList | undefined = orders?.values[0].kvlistValue;
 * console.log(first?.values); // [ { key: "qty", value: { intValue: "2" } } ]
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
 * console.log(modelCalls.map((span) => span.name)); // [ "market_scan" ]
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
  /** `"log"` or `"exception"`. */
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
  /** The step's name, or `invoke_agent <agent>` for the root span. */
  name: string;
  /** {@linkcode OtlpSpanKind.INTERNAL}, or `CLIENT` for a model call. */
  kind: OtlpSpanKind;
  /** When it began, nanoseconds since the epoch, as a decimal string. */
  startTimeUnixNano: string;
  /** When it ended, nanoseconds since the epoch, as a decimal string. */
  endTimeUnixNano: string;
  /** The span's attributes. */
  attributes: OtlpKeyValue[];
  /** Log entries and exceptions. */
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
 * Turns a session into an OTLP/HTTP JSON export request: one resource (the
 * agent), one scope (`ai-trace`), a root span for the session and one span
 * per step, with OpenTelemetry GenAI attributes where the data fits.
 * Serialize it with `JSON.stringify` and POST it to `<collector>/v1/traces`.
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
 * @returns The request; the same session always gives the same ids.
 */
export function toOtlp(session: Session): OtlpExportRequest {
  const ids = new IdSource(session);
  const traceId = ids.traceId;
  const rootId = ids.rootSpanId();
  const lastKnown = lastKnownMicros(session);
  const sessionStart = session.started_at !== null ? toMicros(session.started_at) : firstStartMicros(session);
  const rootStart = minBig(sessionStart, firstStartMicros(session));
  const rootEnd = maxBig(rootStart, lastKnown);

  const spanIds = new Map<number, string>();
  for (const step of session.steps) spanIds.set(step.id, ids.stepSpanId(step.id));

  const spans: OtlpSpan[] = [rootSpan(session, traceId, rootId, rootStart, rootEnd)];
  for (const step of session.steps) {
    const parent = step.parent_id !== null ? spanIds.get(step.parent_id) : undefined;
    spans.push(stepSpan(step, {
      traceId,
      spanId: ids.spanIdOf(step),
      parentSpanId: parent !== undefined && step.parent_id !== step.id ? parent : rootId,
      lastKnown,
    }));
  }
  return {
    resourceSpans: [{
      resource: { attributes: resourceAttributes(session) },
      scopeSpans: [{ scope: { name: OTLP_SCOPE_NAME, version: VERSION }, spans }],
    }],
  };
}

// ---------------------------------------------------------------------------
// Spans

function rootSpan(session: Session, traceId: string, spanId: string, start: bigint, end: bigint): OtlpSpan {
  const attributes: OtlpKeyValue[] = [];
  put(attributes, "gen_ai.operation.name", "invoke_agent");
  put(attributes, "gen_ai.agent.name", session.agent);
  put(attributes, "ai_trace.session_id", session.session_id);
  put(attributes, "ai_trace.session.state", session.state);
  const summary = session.summary;
  put(attributes, "ai_trace.summary.steps", summary.steps);
  put(attributes, "ai_trace.summary.ok", summary.ok);
  put(attributes, "ai_trace.summary.errors", summary.errors);
  put(attributes, "ai_trace.summary.in_flight", summary.in_flight);
  put(attributes, "ai_trace.summary.input_tokens", summary.input_tokens);
  put(attributes, "ai_trace.summary.output_tokens", summary.output_tokens);
  attributes.push({ key: "ai_trace.summary.cost_usd", value: { doubleValue: finiteOr(summary.cost_usd, 0) } });
  let status: OtlpStatus;
  if (session.state === "crashed") {
    status = { code: OtlpStatusCode.ERROR, message: "the session crashed before it ended" };
  } else if (session.state === "complete") status = { code: OtlpStatusCode.OK };
  else status = {};
  return {
    traceId,
    spanId,
    name: `invoke_agent ${session.agent}`,
    kind: OtlpSpanKind.INTERNAL,
    startTimeUnixNano: toNanoString(start),
    endTimeUnixNano: toNanoString(end),
    attributes,
    events: [],
    status,
  };
}

interface StepPlace {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  lastKnown: bigint;
}

const MODEL_KINDS = new Set(["llm", "model", "chat", "completion", "generation"]);

function stepSpan(step: SessionStep, place: StepPlace): OtlpSpan {
  const start = toMicros(step.started_at);
  let end: bigint;
  if (step.in_flight) end = place.lastKnown;
  else if (step.finished_at !== null) end = toMicros(step.finished_at);
  else end = start + BigInt(Math.round(finiteOr(step.duration_ms ?? 0, 0) * 1000));
  if (end < start) end = start;

  const attributes: OtlpKeyValue[] = [];
  const isTool = step.kind === "tool";
  const model = typeof step.usage?.model === "string" && step.usage.model !== "" ? step.usage.model : undefined;
  const isModelCall = !isTool && (model !== undefined || (step.kind !== undefined && MODEL_KINDS.has(step.kind)));
  if (isTool) {
    put(attributes, "gen_ai.operation.name", "execute_tool");
    put(attributes, "gen_ai.tool.name", step.name);
  } else if (isModelCall) {
    put(attributes, "gen_ai.operation.name", "chat");
  }
  if (model !== undefined) put(attributes, "gen_ai.request.model", model);
  const usage = step.usage;
  if (usage) {
    if (isFiniteNumber(usage.input_tokens)) put(attributes, "gen_ai.usage.input_tokens", usage.input_tokens);
    if (isFiniteNumber(usage.output_tokens)) put(attributes, "gen_ai.usage.output_tokens", usage.output_tokens);
    if (isFiniteNumber(usage.cost_usd)) {
      attributes.push({ key: "ai_trace.usage.cost_usd", value: { doubleValue: usage.cost_usd } });
    }
  }
  put(attributes, "ai_trace.step.id", step.id);
  if (step.parent_id !== null) put(attributes, "ai_trace.step.parent_id", step.parent_id);
  if (step.kind !== undefined) put(attributes, "ai_trace.step.kind", step.kind);
  if (step.outcome !== null) put(attributes, "ai_trace.outcome", step.outcome);
  if (step.duration_ms !== null && Number.isFinite(step.duration_ms)) {
    attributes.push({ key: "ai_trace.duration_ms", value: { doubleValue: step.duration_ms } });
  }
  if (step.in_flight) put(attributes, "ai_trace.in_flight", true);
  const decision = step.decision;
  if (decision) {
    put(attributes, "ai_trace.decision.action", decision.action);
    if (decision.reason !== undefined) put(attributes, "ai_trace.decision.reason", decision.reason);
    if (isFiniteNumber(decision.confidence)) {
      attributes.push({ key: "ai_trace.decision.confidence", value: { doubleValue: decision.confidence } });
    }
    if (Array.isArray(decision.alternatives)) put(attributes, "ai_trace.decision.alternatives", decision.alternatives);
  }
  flattenInto(attributes, "ai_trace.context", step.context);

  const events: OtlpEvent[] = [];
  for (const entry of step.logs) {
    const at = isFiniteNumber(entry._t) ? toMicros(entry._t) : start;
    const fields: OtlpKeyValue[] = [];
    for (const [key, value] of Object.entries(entry)) {
      if (key !== "_t") flattenInto(fields, key, value);
    }
    events.push({ timeUnixNano: toNanoString(at), name: "log", attributes: fields });
  }

  let status: OtlpStatus;
  const failed = step.outcome === "error" || step.error !== null;
  if (step.in_flight) {
    status = { code: OtlpStatusCode.ERROR, message: IN_FLIGHT_MESSAGE };
  } else if (failed) {
    const message = step.error ?? step.outcome ?? "error";
    const type = step.error_type ?? "Error";
    put(attributes, "error.type", type);
    const exception: OtlpKeyValue[] = [];
    put(exception, "exception.type", type);
    put(exception, "exception.message", message);
    if (step.stack !== undefined) put(exception, "exception.stacktrace", step.stack);
    events.push({ timeUnixNano: toNanoString(end), name: "exception", attributes: exception });
    status = { code: OtlpStatusCode.ERROR, message };
  } else if (step.outcome === "ok") {
    status = { code: OtlpStatusCode.OK };
  } else {
    status = {}; // a user's own outcome ("skipped", …): neither known good nor bad, kept in ai_trace.outcome
  }

  return {
    traceId: place.traceId,
    spanId: place.spanId,
    parentSpanId: place.parentSpanId,
    name: step.name === "" ? "step" : step.name,
    kind: isModelCall ? OtlpSpanKind.CLIENT : OtlpSpanKind.INTERNAL,
    startTimeUnixNano: toNanoString(start),
    endTimeUnixNano: toNanoString(end),
    attributes,
    events,
    status,
  };
}

function resourceAttributes(session: Session): OtlpKeyValue[] {
  const attributes: OtlpKeyValue[] = [];
  put(attributes, "service.name", session.agent);
  put(attributes, "ai_trace.session_id", session.session_id);
  if (session.schema !== null) put(attributes, "ai_trace.schema", session.schema);
  if (session.pid !== undefined) put(attributes, "process.pid", session.pid);
  if (session.host !== undefined) put(attributes, "host.name", session.host);
  if (session.runtime) {
    put(attributes, "process.runtime.name", session.runtime.name);
    put(attributes, "process.runtime.version", session.runtime.version);
  }
  flattenInto(attributes, "ai_trace.meta", session.meta);
  return attributes;
}

// ---------------------------------------------------------------------------
// Attributes

/** Appends an attribute unless the value is `null`. */
function put(out: OtlpKeyValue[], key: string, value: JsonValue): void {
  if (value !== null) out.push({ key, value: toAnyValue(value) });
}

/**
 * Appends `value` under `prefix`: an object's members one by one with dotted
 * keys (recursively), anything else as one attribute; nulls are left out.
 */
function flattenInto(out: OtlpKeyValue[], prefix: string, value: JsonValue | undefined): void {
  if (value === null || value === undefined) return;
  if (typeof value === "object" && !Array.isArray(value)) {
    for (const [key, member] of Object.entries(value as JsonObject)) {
      flattenInto(out, prefix === "" ? key : `${prefix}.${key}`, member);
    }
    return;
  }
  out.push({ key: prefix, value: toAnyValue(value) });
}

const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63; // exclusive

/**
 * Turns a JSON value into an OTLP `AnyValue`: integers in the int64 range
 * become `intValue` (a decimal string), other numbers `doubleValue`, and
 * non-finite numbers (which JSON cannot carry) their name as a string.
 */
function toAnyValue(value: JsonValue): OtlpAnyValue {
  switch (typeof value) {
    case "string":
      return { stringValue: value };
    case "boolean":
      return { boolValue: value };
    case "number":
      if (!Number.isFinite(value)) return { stringValue: String(value) };
      if (Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX) {
        return { intValue: BigInt(value).toString() };
      }
      return { doubleValue: value };
  }
  if (value === null) return {};
  if (Array.isArray(value)) return { arrayValue: { values: value.map(toAnyValue) } };
  return {
    kvlistValue: { values: Object.entries(value).map(([key, member]) => ({ key, value: toAnyValue(member) })) },
  };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

// ---------------------------------------------------------------------------
// Times: epoch seconds (floats) → integer microseconds → nanosecond strings

/** Epoch seconds as integer microseconds; a double holds those exactly up to year 2255. */
function toMicros(seconds: number): bigint {
  if (!Number.isFinite(seconds) || seconds <= 0) return 0n;
  return BigInt(Math.round(seconds * 1e6));
}

function toNanoString(micros: bigint): string {
  return micros === 0n ? "0" : `${micros}000`;
}

function minBig(a: bigint, b: bigint): bigint {
  if (a === 0n) return b;
  if (b === 0n) return a;
  return a < b ? a : b;
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function firstStartMicros(session: Session): bigint {
  let first = 0n;
  for (const step of session.steps) first = minBig(first, toMicros(step.started_at));
  return first;
}

/** The last time the session is known to have been alive: its end, a step's end or start, a log entry. */
function lastKnownMicros(session: Session): bigint {
  let last = 0n;
  const see = (seconds: number | null | undefined): void => {
    if (typeof seconds === "number") last = maxBig(last, toMicros(seconds));
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
