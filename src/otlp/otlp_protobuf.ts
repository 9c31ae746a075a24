/**
 * The OTLP trace messages in the protobuf wire format (`application/x-protobuf`,
 * what OTLP/HTTP sends by default): {@linkcode encodeOtlpRequest} turns the
 * JSON-shaped {@linkcode OtlpExportRequest} of `toOtlp()` into the bytes of an
 * `ExportTraceServiceRequest`; {@linkcode decodeOtlpRequest} reads them back
 * (for a receiver), and {@linkcode decodeOtlpResponse} reads a server's
 * `ExportTraceServiceResponse`. Field numbers are those of
 * opentelemetry-proto's `trace/v1/trace.proto`, `common/v1/common.proto`,
 * `resource/v1/resource.proto` and `collector/trace/v1/trace_service.proto`.
 *
 * @module
 */

import { fieldDouble, fieldText, ProtoDecodeError, type ProtoField, ProtoWriter, readFields } from "./protobuf_wire.ts";
import type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpExportRequest,
  OtlpKeyValue,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpSpanKind,
  OtlpStatus,
  OtlpStatusCode,
} from "./to_otlp.ts";

// ---------------------------------------------------------------------------
// Encoding

/**
 * Encodes an export request as protobuf: the body of an OTLP/HTTP request
 * with `Content-Type: application/x-protobuf`.
 *
 * @example Write a session as an OTLP protobuf file
 * ```ts
 * import { encodeOtlpRequest, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const bytes: Uint8Array = encodeOtlpRequest(toOtlp(await readSession(tracer.path!)));
 * await Deno.writeFile(`${tracer.traceDir}/trace.otlp.pb`, bytes); // e.g. for curl --data-binary @trace.otlp.pb
 * ```
 *
 * @param request An export request, as {@linkcode toOtlp} returns it.
 * @returns The `ExportTraceServiceRequest` message's bytes.
 */
export function encodeOtlpRequest(request: OtlpExportRequest): Uint8Array {
  const out = new ProtoWriter();
  for (const resourceSpans of request.resourceSpans) {
    const mark = out.begin(1);
    writeResourceSpans(out, resourceSpans);
    out.end(mark);
  }
  return out.finish();
}

function writeResourceSpans(out: ProtoWriter, resourceSpans: OtlpResourceSpans): void {
  const resource = out.begin(1);
  for (const attribute of resourceSpans.resource.attributes) writeKeyValue(out, 1, attribute);
  out.end(resource);
  for (const scopeSpans of resourceSpans.scopeSpans) {
    const mark = out.begin(2);
    writeScopeSpans(out, scopeSpans);
    out.end(mark);
  }
}

function writeScopeSpans(out: ProtoWriter, scopeSpans: OtlpScopeSpans): void {
  const scope = out.begin(1);
  out.string(1, scopeSpans.scope.name);
  if (scopeSpans.scope.version !== undefined) out.string(2, scopeSpans.scope.version);
  out.end(scope);
  for (const span of scopeSpans.spans) {
    const mark = out.begin(2);
    writeSpan(out, span);
    out.end(mark);
  }
}

function writeSpan(out: ProtoWriter, span: OtlpSpan): void {
  out.bytes(1, hexBytes(span.traceId)).bytes(2, hexBytes(span.spanId));
  if (span.parentSpanId !== undefined) out.bytes(4, hexBytes(span.parentSpanId));
  out.string(5, span.name)
    .uint(6, span.kind)
    .fixed64(7, span.startTimeUnixNano)
    .fixed64(8, span.endTimeUnixNano);
  for (const attribute of span.attributes) writeKeyValue(out, 9, attribute);
  for (const event of span.events) {
    const mark = out.begin(11);
    out.fixed64(1, event.timeUnixNano).string(2, event.name);
    for (const attribute of event.attributes) writeKeyValue(out, 3, attribute);
    out.end(mark);
  }
  const status = out.begin(15);
  out.string(2, span.status.message ?? "").uint(3, span.status.code ?? 0);
  out.end(status);
}

function writeKeyValue(out: ProtoWriter, field: number, attribute: OtlpKeyValue): void {
  const mark = out.begin(field);
  out.string(1, attribute.key);
  writeAnyValue(out, 2, attribute.value);
  out.end(mark);
}

function writeAnyValue(out: ProtoWriter, field: number, value: OtlpAnyValue): void {
  const mark = out.begin(field);
  if (value.stringValue !== undefined) out.string(1, value.stringValue, true);
  else if (value.boolValue !== undefined) out.bool(2, value.boolValue);
  else if (value.intValue !== undefined) out.int64(3, value.intValue);
  else if (value.doubleValue !== undefined) out.double(4, value.doubleValue);
  else if (value.arrayValue !== undefined) {
    const array = out.begin(5);
    for (const item of value.arrayValue.values) writeAnyValue(out, 1, item);
    out.end(array);
  } else if (value.kvlistValue !== undefined) {
    const list = out.begin(6);
    for (const pair of value.kvlistValue.values) writeKeyValue(out, 1, pair);
    out.end(list);
  }
  out.end(mark);
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (hexDigit(hex, 2 * i) << 4) | hexDigit(hex, 2 * i + 1);
  return bytes;
}

function hexDigit(hex: string, at: number): number {
  const code = hex.charCodeAt(at);
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return 0;
}

// ---------------------------------------------------------------------------
// Decoding (the JSON shape back, as toOtlp writes it)

/**
 * Decodes the bytes of an `ExportTraceServiceRequest` into the JSON shape of
 * {@linkcode OtlpExportRequest}. Unknown fields are skipped; a `bytes_value`
 * attribute, which the JSON shape cannot hold, is read as an empty value.
 *
 * @param bytes The message.
 * @returns The request.
 * @throws {ProtoDecodeError} when the bytes are not a well-formed message.
 */
export function decodeOtlpRequest(bytes: Uint8Array): OtlpExportRequest {
  const request: OtlpExportRequest = { resourceSpans: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && isLen(f)) request.resourceSpans.push(decodeResourceSpans(f.bytes));
  }
  return request;
}

/** What an `ExportTraceServiceResponse` says. */
export interface OtlpResponse {
  /** `partial_success.rejected_spans`. */
  rejectedSpans: number;
  /** `partial_success.error_message`. */
  errorMessage: string;
}

/**
 * Decodes an `ExportTraceServiceResponse` (an empty body is an empty response).
 *
 * @param bytes The message.
 * @returns Its partial success, zero and empty when absent.
 * @throws {ProtoDecodeError} when the bytes are not a well-formed message.
 */
export function decodeOtlpResponse(bytes: Uint8Array): OtlpResponse {
  const response: OtlpResponse = { rejectedSpans: 0, errorMessage: "" };
  for (const f of readFields(bytes)) {
    if (f.field !== 1 || !isLen(f)) continue;
    for (const g of readFields(f.bytes)) {
      if (g.field === 1 && g.wire === 0) response.rejectedSpans = Number(BigInt.asIntN(64, g.int));
      else if (g.field === 2 && isLen(g)) response.errorMessage = fieldText(g);
    }
  }
  return response;
}

function isLen(f: ProtoField): boolean {
  return f.wire === 2;
}

function decodeResourceSpans(bytes: Uint8Array): OtlpResourceSpans {
  const out: OtlpResourceSpans = { resource: { attributes: [] }, scopeSpans: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && isLen(f)) {
      for (const g of readFields(f.bytes)) {
        if (g.field === 1 && isLen(g)) out.resource.attributes.push(decodeKeyValue(g.bytes));
      }
    } else if (f.field === 2 && isLen(f)) out.scopeSpans.push(decodeScopeSpans(f.bytes));
  }
  return out;
}

function decodeScopeSpans(bytes: Uint8Array): OtlpScopeSpans {
  const out: OtlpScopeSpans = { scope: { name: "" }, spans: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && isLen(f)) {
      for (const g of readFields(f.bytes)) {
        if (g.field === 1 && isLen(g)) out.scope.name = fieldText(g);
        else if (g.field === 2 && isLen(g)) out.scope.version = fieldText(g);
      }
    } else if (f.field === 2 && isLen(f)) out.spans.push(decodeSpan(f.bytes));
  }
  return out;
}

function decodeSpan(bytes: Uint8Array): OtlpSpan {
  const span: OtlpSpan = {
    traceId: "",
    spanId: "",
    name: "",
    kind: 0,
    startTimeUnixNano: "0",
    endTimeUnixNano: "0",
    attributes: [],
    events: [],
    status: {},
  };
  for (const f of readFields(bytes)) {
    switch (f.field) {
      case 1:
        if (isLen(f)) span.traceId = hex(f.bytes);
        break;
      case 2:
        if (isLen(f)) span.spanId = hex(f.bytes);
        break;
      case 4:
        if (isLen(f) && f.bytes.length > 0) span.parentSpanId = hex(f.bytes);
        break;
      case 5:
        if (isLen(f)) span.name = fieldText(f);
        break;
      case 6:
        if (f.wire === 0) span.kind = Number(f.int) as OtlpSpanKind;
        break;
      case 7:
        if (f.wire === 1) span.startTimeUnixNano = f.int.toString();
        break;
      case 8:
        if (f.wire === 1) span.endTimeUnixNano = f.int.toString();
        break;
      case 9:
        if (isLen(f)) span.attributes.push(decodeKeyValue(f.bytes));
        break;
      case 11:
        if (isLen(f)) span.events.push(decodeEvent(f.bytes));
        break;
      case 15:
        if (isLen(f)) span.status = decodeStatus(f.bytes);
        break;
    }
  }
  return span;
}

function decodeStatus(bytes: Uint8Array): OtlpStatus {
  const status: OtlpStatus = {};
  for (const f of readFields(bytes)) {
    if (f.field === 2 && isLen(f) && f.bytes.length > 0) status.message = fieldText(f);
    else if (f.field === 3 && f.wire === 0 && f.int !== 0n) status.code = Number(f.int) as OtlpStatusCode;
  }
  return status;
}

function decodeEvent(bytes: Uint8Array): OtlpEvent {
  const event: OtlpEvent = { timeUnixNano: "0", name: "", attributes: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wire === 1) event.timeUnixNano = f.int.toString();
    else if (f.field === 2 && isLen(f)) event.name = fieldText(f);
    else if (f.field === 3 && isLen(f)) event.attributes.push(decodeKeyValue(f.bytes));
  }
  return event;
}

function decodeKeyValue(bytes: Uint8Array, depth = 0): OtlpKeyValue {
  const pair: OtlpKeyValue = { key: "", value: {} };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && isLen(f)) pair.key = fieldText(f);
    else if (f.field === 2 && isLen(f)) pair.value = decodeAnyValue(f.bytes, depth);
  }
  return pair;
}

const MAX_VALUE_DEPTH = 64;

function decodeAnyValue(bytes: Uint8Array, depth = 0): OtlpAnyValue {
  if (depth > MAX_VALUE_DEPTH) throw new ProtoDecodeError(`values nested deeper than ${MAX_VALUE_DEPTH}`);
  let value: OtlpAnyValue = {};
  for (const f of readFields(bytes)) {
    switch (f.field) {
      case 1:
        if (isLen(f)) value = { stringValue: fieldText(f) };
        break;
      case 2:
        if (f.wire === 0) value = { boolValue: f.int !== 0n };
        break;
      case 3:
        if (f.wire === 0) value = { intValue: BigInt.asIntN(64, f.int).toString() };
        break;
      case 4:
        if (f.wire === 1) value = { doubleValue: fieldDouble(f) };
        break;
      case 5:
        if (isLen(f)) {
          const values: OtlpAnyValue[] = [];
          for (const g of readFields(f.bytes)) {
            if (g.field === 1 && isLen(g)) values.push(decodeAnyValue(g.bytes, depth + 1));
          }
          value = { arrayValue: { values } };
        }
        break;
      case 6:
        if (isLen(f)) {
          const values: OtlpKeyValue[] = [];
          for (const g of readFields(f.bytes)) {
            if (g.field === 1 && isLen(g)) values.push(decodeKeyValue(g.bytes, depth + 1));
          }
          value = { kvlistValue: { values } };
        }
        break;
      case 7:
        if (isLen(f)) value = {};
        break;
    }
  }
  return value;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += HEX[byte];
  return out;
}

export { ProtoDecodeError };
