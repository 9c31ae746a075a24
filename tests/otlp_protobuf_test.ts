import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { type OtlpExportRequest, toOtlp } from "../src/otlp/to_otlp.ts";
import { decodeOtlpRequest, decodeOtlpResponse, encodeOtlpRequest } from "../src/otlp/otlp_protobuf.ts";
import { ProtoDecodeError } from "../src/otlp/protobuf_wire.ts";
import { readSession } from "../src/read/session_reader.ts";
import {
  decodeProtobuf,
  expectedFromJson,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  fromOtlpJson,
} from "./_otlp_proto.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const FIXTURE = `${ROOT}/tests/testdata/otlp_agent_20260301_120000_ab12.jsonl`;
const SEED_DIR = `${ROOT}/tests/testdata/python-seed`;

/** Every value kind the encoder must write, including the edge cases of each. */
function edgeCases(): OtlpExportRequest {
  const values = [
    { stringValue: "" },
    { stringValue: 'héllo 🚀 "q"\n\u0000' },
    { boolValue: false },
    { boolValue: true },
    { intValue: "0" },
    { intValue: "-1" },
    { intValue: "9223372036854775807" },
    { intValue: "-9223372036854775808" },
    { intValue: "300" },
    { doubleValue: 0 },
    { doubleValue: -0.5 },
    { doubleValue: 1e300 },
    { arrayValue: { values: [] } },
    { arrayValue: { values: [{ intValue: "1" }, { stringValue: "x" }] } },
    { kvlistValue: { values: [{ key: "a", value: { doubleValue: 2.5 } }, { key: "", value: { stringValue: "" } }] } },
    {},
  ];
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "edge" } }] },
      scopeSpans: [{
        scope: { name: "ai-trace", version: "1.2.3" },
        spans: [
          {
            traceId: "0123456789abcdef0123456789abcdef",
            spanId: "00000000000000ff",
            name: "",
            kind: 0,
            startTimeUnixNano: "0",
            endTimeUnixNano: "18446744073709551615",
            attributes: values.map((value, i) => ({ key: `v${i}`, value })),
            events: [{ timeUnixNano: "1", name: "e", attributes: [] }],
            status: { code: 2, message: "boom" },
          },
          {
            traceId: "0123456789abcdef0123456789abcdef",
            spanId: "8000000000000001",
            parentSpanId: "00000000000000ff",
            name: "x".repeat(200),
            kind: 3,
            startTimeUnixNano: "1772366400700002000",
            endTimeUnixNano: "1772366401250003000",
            attributes: [{ key: "big", value: { stringValue: "y".repeat(100_000) } }],
            events: [],
            status: {},
          },
        ],
      }],
    }],
  };
}

async function documents(): Promise<[string, OtlpExportRequest][]> {
  const list: [string, OtlpExportRequest][] = [
    ["fixture", toOtlp(await readSession(FIXTURE, { now: 0 }))],
    ["edge cases", edgeCases()],
    ["empty", { resourceSpans: [] }],
  ];
  for (const name of readdirSync(SEED_DIR).filter((n) => n.endsWith(".jsonl")).sort()) {
    list.push([name, toOtlp(await readSession(`${SEED_DIR}/${name}`, { now: 0 }))]);
  }
  return list;
}

describe("encodeOtlpRequest()", () => {
  test("encodeOtlpRequest() writes what the official protos decode to the JSON form, field by field", async () => {
    for (const [name, document] of await documents()) {
      const bytes = encodeOtlpRequest(document);
      const decoded = decodeProtobuf(bytes);
      assert.deepEqual(decoded, expectedFromJson(document), `${name}: protobuf and JSON say the same`);
    }
  });

  test("encodeOtlpRequest() writes the same bytes as protobufjs for the same message", async () => {
    // Both write fields in field-number order; the encodings of one message are then byte-identical.
    const document = toOtlp(await readSession(FIXTURE, { now: 0 }));
    const plain = fromOtlpJson(ExportTraceServiceRequest, JSON.parse(JSON.stringify(document)), "request");
    const theirs = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(plain)).finish();
    assert.deepEqual(encodeOtlpRequest(document), Uint8Array.from(theirs));
  });
});

describe("decodeOtlpRequest()", () => {
  test("decodeOtlpRequest() reads back exactly what encodeOtlpRequest() wrote", async () => {
    for (const [name, document] of await documents()) {
      assert.deepEqual(decodeOtlpRequest(encodeOtlpRequest(document)), document, name);
    }
  });

  test("decodeOtlpRequest() reads what protobufjs wrote", async () => {
    const document = toOtlp(await readSession(FIXTURE, { now: 0 }));
    const plain = fromOtlpJson(ExportTraceServiceRequest, JSON.parse(JSON.stringify(document)), "request");
    const theirs = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(plain)).finish();
    assert.deepEqual(decodeOtlpRequest(theirs), document);
  });

  test("decodeOtlpRequest() rejects cut-off and malformed bytes with ProtoDecodeError", () => {
    const bytes = encodeOtlpRequest(edgeCases());
    for (const cut of [1, 2, 10, bytes.length - 1]) {
      assert.throws(() => decodeOtlpRequest(bytes.subarray(0, cut)), ProtoDecodeError, `cut at ${cut}`);
    }
    assert.throws(() => decodeOtlpRequest(Uint8Array.of(0x0f)), ProtoDecodeError, "wire type 7");
    assert.throws(() => decodeOtlpRequest(new Uint8Array(11).fill(0xff)), ProtoDecodeError, "endless varint");
  });

  test("decodeOtlpRequest() refuses values nested without end", () => {
    let deep: Uint8Array = Uint8Array.of();
    for (let i = 0; i < 200; i++) {
      // AnyValue { array_value = 5 { values = 1 { deep } } } with multi-byte lengths
      deep = lengthDelimited(0x2a, lengthDelimited(0x0a, deep));
    }
    const keyValue = concat(lengthDelimited(0x0a, new TextEncoder().encode("k")), lengthDelimited(0x12, deep));
    const span = lengthDelimited(0x4a, keyValue); // Span.attributes = 9
    const scopeSpans = lengthDelimited(0x12, span); // ScopeSpans.spans = 2
    const resourceSpans = lengthDelimited(0x12, scopeSpans); // ResourceSpans.scope_spans = 2
    const request = lengthDelimited(0x0a, resourceSpans); // ExportTraceServiceRequest.resource_spans = 1
    assert.throws(() => decodeOtlpRequest(request), ProtoDecodeError);
  });
});

describe("decodeOtlpResponse()", () => {
  test("decodeOtlpResponse() reads a partial success written by protobufjs, and an empty body", () => {
    const bytes = ExportTraceServiceResponse.encode(
      ExportTraceServiceResponse.fromObject({ partialSuccess: { rejectedSpans: "3", errorMessage: "too old" } }),
    ).finish();
    assert.deepEqual(decodeOtlpResponse(bytes), { rejectedSpans: 3, errorMessage: "too old" });
    assert.deepEqual(decodeOtlpResponse(new Uint8Array(0)), { rejectedSpans: 0, errorMessage: "" });
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function lengthDelimited(tag: number, body: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(tag, ...varint(body.length)), body);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe("encodeOtlpRequest() speed", () => {
  test("encodeOtlpRequest() costs at most 10× JSON.stringify of the same request (best of 3, same run)", async () => {
    const session = await readSession(FIXTURE, { now: 0 });
    const steps = [];
    for (let i = 0; i < 3000; i++) {
      const step = structuredClone(session.steps[i % session.steps.length]);
      step.id = i + 1;
      step.parent_id = null;
      steps.push(step);
    }
    const document = toOtlp({ ...session, steps });
    const best = (fn: () => unknown): number => {
      let min = Infinity;
      for (let round = 0; round < 3; round++) {
        const start = performance.now();
        fn();
        min = Math.min(min, performance.now() - start);
      }
      return min;
    };
    const json = best(() => JSON.stringify(document));
    const protobuf = best(() => encodeOtlpRequest(document));
    console.log(`FIGURE otlp-encode: protobuf ${protobuf.toFixed(1)} ms, JSON.stringify ${json.toFixed(1)} ms`);
    assert.ok(protobuf <= 10 * json, `protobuf ${protobuf.toFixed(1)} ms vs JSON ${json.toFixed(1)} ms`);
  });
});
