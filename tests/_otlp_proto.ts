/**
 * Test helpers for OTLP: the official OTLP protobuf definitions (vendored in
 * tests/testdata/opentelemetry-proto) loaded with protobufjs, a strict reader
 * of the OTLP JSON encoding on top of them, and a receiver on 127.0.0.1 that
 * behaves like Arize Phoenix (protobuf only).
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { Buffer } from "node:buffer";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import type { OtlpExportRequest } from "../src/otlp/to_otlp.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const PROTO_DIR = `${ROOT}/tests/testdata/opentelemetry-proto`;

// ---------------------------------------------------------------------------
// The official OTLP protobuf definitions, and a strict reader of the OTLP JSON
// encoding on top of them: every key must be a field of the message, bytes
// (ids) are hex, 64-bit integers decimal strings, enums integers, at most one
// member of a oneof is set. The result is encoded to protobuf binary, decoded
// again, and must come back unchanged.

function loadProtos(): protobuf.Root {
  const root = new protobuf.Root();
  for (
    const file of [
      "common/v1/common.proto",
      "resource/v1/resource.proto",
      "trace/v1/trace.proto",
      "collector/trace/v1/trace_service.proto",
    ]
  ) {
    protobuf.parse(readFileSync(`${PROTO_DIR}/opentelemetry/proto/${file}`, "utf8"), root);
  }
  root.resolveAll();
  return root;
}

const ROOT_TYPES = loadProtos();

/** `ExportTraceServiceRequest`, from the official definitions. */
export const ExportTraceServiceRequest: protobuf.Type = ROOT_TYPES.lookupType(
  "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
);

/** `ExportTraceServiceResponse`, from the official definitions. */
export const ExportTraceServiceResponse: protobuf.Type = ROOT_TYPES.lookupType(
  "opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse",
);

const LONG_TYPES = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);
const INT_TYPES = new Set(["int32", "uint32", "sint32", "fixed32", "sfixed32"]);

export type Plain = { [key: string]: unknown };

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads OTLP JSON strictly into a protobufjs plain object (bytes as base64). */
export function fromOtlpJson(type: protobuf.Type, json: unknown, path: string): Plain {
  assert.ok(isPlain(json), `${path} is an object`);
  for (const oneof of type.oneofsArray) {
    const set: protobuf.Field[] = oneof.fieldsArray.filter((field) => json[field.name] !== undefined);
    assert.ok(set.length <= 1, `${path}: at most one of oneof ${oneof.name} is set`);
  }
  const out: Plain = {};
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key];
    assert.ok(field, `${path}.${key} is a field of ${type.fullName}`);
    field.resolve();
    if (field.repeated) {
      assert.ok(Array.isArray(value), `${path}.${key} is a list`);
      if (value.length > 0) out[key] = value.map((item, i) => fieldValue(field, item, `${path}.${key}[${i}]`));
    } else {
      out[key] = fieldValue(field, value, `${path}.${key}`);
    }
  }
  return out;
}

function fieldValue(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return fromOtlpJson(resolved, value, path);
  if (resolved instanceof protobuf.Enum) {
    assert.ok(Number.isInteger(value), `${path} is an enum as an integer (OTLP JSON), got ${JSON.stringify(value)}`);
    assert.ok(Object.values(resolved.values).includes(value as number), `${path} is a value of ${resolved.name}`);
    return value;
  }
  if (field.type === "bytes") {
    assert.ok(typeof value === "string" && /^([0-9a-f]{2})*$/.test(value), `${path} is lowercase hex`);
    return Buffer.from(value, "hex").toString("base64");
  }
  if (LONG_TYPES.has(field.type)) {
    assert.ok(typeof value === "string" && /^-?\d+$/.test(value), `${path} is a decimal string`);
    return value;
  }
  if (INT_TYPES.has(field.type)) {
    assert.ok(Number.isInteger(value), `${path} is an integer`);
    return value;
  }
  if (field.type === "double" || field.type === "float") {
    assert.ok(typeof value === "number" && Number.isFinite(value), `${path} is a finite number`);
    return value;
  }
  if (field.type === "string") assert.equal(typeof value, "string", `${path} is a string`);
  else if (field.type === "bool") assert.equal(typeof value, "boolean", `${path} is a boolean`);
  else assert.fail(`${path}: unexpected field type ${field.type}`);
  return value;
}

/** Decodes a document with the OTLP protobuf definitions; fails on anything they do not hold. */
export function decode(document: OtlpExportRequest): void {
  const wire = JSON.parse(JSON.stringify(document));
  const plain = fromOtlpJson(ExportTraceServiceRequest, wire, "request");
  const message = ExportTraceServiceRequest.fromObject(plain);
  assert.equal(ExportTraceServiceRequest.verify(message), null);
  const bytes = ExportTraceServiceRequest.encode(message).finish();
  const back = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(bytes), {
    longs: String,
    enums: Number,
    bytes: String,
  });
  assert.deepEqual(back, plain, "the document survives protobuf encoding unchanged");
}

const TO_OBJECT = { longs: String, enums: Number, bytes: String, defaults: true, arrays: true, oneofs: false };

/**
 * Decodes protobuf bytes with the official definitions into a plain object:
 * longs and bytes as strings, every field present (proto3 defaults filled in).
 */
export function decodeProtobuf(bytes: Uint8Array): Plain {
  return ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(bytes), TO_OBJECT) as Plain;
}

/** What an OTLP JSON document says, in the shape of {@linkcode decodeProtobuf}: read strictly, defaults filled in. */
export function expectedFromJson(document: OtlpExportRequest): Plain {
  const plain = fromOtlpJson(ExportTraceServiceRequest, JSON.parse(JSON.stringify(document)), "request");
  return ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.fromObject(plain), TO_OBJECT) as Plain;
}

// ---------------------------------------------------------------------------
// A receiver that behaves like Arize Phoenix's OTLP/HTTP endpoint: POST
// /v1/traces with Content-Type application/x-protobuf only (415 for anything
// else, JSON included), gzip or uncompressed, decoded with the official protos;
// it answers with an empty ExportTraceServiceResponse in protobuf.

/** What the Phoenix-like receiver got. */
export interface PhoenixRequest {
  /** The request's path. */
  path: string;
  /** Its headers. */
  headers: IncomingHttpHeaders;
  /** The body as sent (compressed, if it was). */
  raw: Uint8Array;
  /** The decoded request, in the shape of {@linkcode decodeProtobuf}; absent when refused. */
  decoded?: Plain;
  /** The HTTP status it answered. */
  status: number;
}

/** A running Phoenix-like receiver. */
export interface PhoenixReceiver {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Every request, in order. */
  requests: PhoenixRequest[];
  /** Stops it. */
  close(): Promise<void>;
}

/** Starts a Phoenix-like receiver on 127.0.0.1 and a random port. */
export async function startPhoenix(): Promise<PhoenixReceiver> {
  const requests: PhoenixRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = new Uint8Array(Buffer.concat(chunks));
      const entry: PhoenixRequest = { path: request.url ?? "", headers: request.headers, raw, status: 0 };
      requests.push(entry);
      const answer = (status: number, type: string, body: Uint8Array | string): void => {
        entry.status = status;
        response.writeHead(status, { "content-type": type });
        response.end(body);
      };
      if (request.method !== "POST" || request.url !== "/v1/traces") return answer(404, "text/plain", "Not Found");
      const type = (request.headers["content-type"] ?? "").split(";")[0].trim();
      if (type !== "application/x-protobuf") {
        return answer(415, "application/json", JSON.stringify({ detail: `Unsupported content type: ${type}` }));
      }
      let body: Uint8Array = raw;
      try {
        const encoding = request.headers["content-encoding"];
        if (encoding === "gzip") body = new Uint8Array(gunzipSync(raw));
        else if (encoding !== undefined) return answer(415, "text/plain", `Unsupported encoding ${encoding}`);
        entry.decoded = decodeProtobuf(body);
      } catch {
        return answer(400, "text/plain", "Request body is invalid ExportTraceServiceRequest");
      }
      answer(200, "application/x-protobuf", ExportTraceServiceResponse.encode({}).finish());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
