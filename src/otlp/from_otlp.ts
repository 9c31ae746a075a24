/**
 * An OTLP trace export request (as OTLP/HTTP carries it, decoded from JSON or
 * protobuf into the JSON shape) to the plain spans the span-to-step mapping
 * reads. The request comes from the network: every field is checked, depth
 * and counts are bounded, and a request that is not an
 * `ExportTraceServiceRequest` is refused whole with one line saying why.
 *
 * @module
 */

import type { PlainSpan } from "./span_to_step.ts";

/** A request that is not a valid OTLP trace export request. */
export class OtlpRequestError extends TypeError {
  /** @param message What is wrong, one line. */
  constructor(message: string) {
    super(message);
    this.name = "OtlpRequestError";
  }
}

/** How deep attribute values (arrays, key-value lists) may nest. */
const MAX_VALUE_DEPTH = 32;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpRequestError(`${what} is not a list`);
  return value;
}

/** A trace or span id: hex (OTLP JSON), lowercased; empty means absent. */
function id(value: unknown, what: string, hexDigits: number): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || !new RegExp(`^[0-9a-fA-F]{${hexDigits}}$`).test(value)) {
    throw new OtlpRequestError(`${what} is not ${hexDigits} hex digits`);
  }
  return /^0+$/.test(value) ? undefined : value.toLowerCase();
}

/** Nanoseconds since the epoch (a decimal string or a number) as epoch milliseconds. */
function nanosToMs(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  // A fixed64 holds less than 2^64.
  if (typeof value === "number" && value >= 0 && value < 2 ** 64) return value / 1e6;
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) {
    // Whole milliseconds exactly, then the rest: no precision lost to a float of 19 digits.
    const ms = value.length > 6 ? Number(value.slice(0, -6)) : 0;
    const rest = Number(value.slice(-6)) / 1e6;
    return ms + rest;
  }
  throw new OtlpRequestError(`${what} is not a time in nanoseconds`);
}

function anyValue(value: unknown, depth: number): unknown {
  if (!isObject(value)) return undefined;
  if (depth > MAX_VALUE_DEPTH) return "[Too deep]";
  if (typeof value.stringValue === "string") return value.stringValue;
  if (typeof value.boolValue === "boolean") return value.boolValue;
  if (value.intValue !== undefined) {
    const n = typeof value.intValue === "string" ? Number(value.intValue) : value.intValue;
    return typeof n === "number" && Number.isFinite(n) ? n : String(value.intValue);
  }
  if (typeof value.doubleValue === "number") return value.doubleValue;
  if (typeof value.doubleValue === "string") return Number(value.doubleValue);
  if (isObject(value.arrayValue)) {
    return list(value.arrayValue.values, "an array value").map((item) => anyValue(item, depth + 1));
  }
  if (isObject(value.kvlistValue)) return attributes(value.kvlistValue.values, depth + 1);
  if (typeof value.bytesValue === "string") return value.bytesValue;
  return undefined;
}

function attributes(value: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const pair of list(value, "attributes")) {
    if (!isObject(pair) || typeof pair.key !== "string") throw new OtlpRequestError("an attribute has no key");
    out[pair.key] = anyValue(pair.value, depth);
  }
  return out;
}

/** A status code: its number, or its name as proto3 JSON may write it. */
function statusCode(value: unknown): number {
  if (typeof value === "number") return value;
  if (value === "STATUS_CODE_OK") return 1;
  if (value === "STATUS_CODE_ERROR") return 2;
  return Number(value ?? 0) || 0;
}

/**
 * The spans of an OTLP trace export request, in the plain shape of the
 * span-to-step mapping.
 *
 * @param request The request: parsed OTLP JSON, or what the protobuf decoder gives.
 * @returns Its spans, with their resource's attributes.
 * @throws {OtlpRequestError} When it is not an export request.
 */
export function plainSpansFromOtlp(request: unknown): PlainSpan[] {
  if (!isObject(request)) throw new OtlpRequestError("the body is not an ExportTraceServiceRequest object");
  const spans: PlainSpan[] = [];
  for (const resourceSpans of list(request.resourceSpans, "resourceSpans")) {
    if (!isObject(resourceSpans)) throw new OtlpRequestError("a resourceSpans entry is not an object");
    const resource = isObject(resourceSpans.resource) ? attributes(resourceSpans.resource.attributes) : {};
    for (const scopeSpans of list(resourceSpans.scopeSpans, "scopeSpans")) {
      if (!isObject(scopeSpans)) throw new OtlpRequestError("a scopeSpans entry is not an object");
      for (const span of list(scopeSpans.spans, "spans")) {
        if (!isObject(span)) throw new OtlpRequestError("a span is not an object");
        const traceId = id(span.traceId, "a span's traceId", 32);
        const spanId = id(span.spanId, "a span's spanId", 16);
        if (traceId === undefined || spanId === undefined) {
          throw new OtlpRequestError("a span has no traceId or spanId");
        }
        const startTime = nanosToMs(span.startTimeUnixNano, "a span's startTimeUnixNano") ?? 0;
        const endTime = nanosToMs(span.endTimeUnixNano, "a span's endTimeUnixNano") ?? startTime;
        const status = isObject(span.status) ? span.status : {};
        spans.push({
          traceId,
          spanId,
          parentSpanId: id(span.parentSpanId, "a span's parentSpanId", 16),
          name: typeof span.name === "string" && span.name !== "" ? span.name : "span",
          startTime,
          endTime: Math.max(endTime, startTime),
          status: {
            code: statusCode(status.code),
            message: typeof status.message === "string" ? status.message : undefined,
          },
          attributes: attributes(span.attributes),
          events: list(span.events, "a span's events").map((event) => {
            const e = isObject(event) ? event : {};
            return {
              name: typeof e.name === "string" ? e.name : "event",
              time: nanosToMs(e.timeUnixNano, "an event's timeUnixNano") ?? startTime,
              attributes: attributes(e.attributes),
            };
          }),
          resource,
        });
      }
    }
  }
  return spans;
}
