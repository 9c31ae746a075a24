/**
 * `ai-trace serve`'s OTLP/HTTP receiver: requests encoded with the official
 * protos (protobufjs) and sent by the real OpenTelemetry JS exporter become
 * session files that the CLI reads; bad, oversized and wrong-type bodies
 * change nothing on disk.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import protobuf from "protobufjs";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { type RunningServer, startServer } from "../src/serve/server.ts";
import { cli } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { ExportTraceServiceRequest, fromOtlpJson } from "./_otlp_proto.ts";

const Status = (() => {
  const root = protobuf.parse(
    'syntax = "proto3"; package google.rpc; message Status { int32 code = 1; string message = 2; }',
  ).root;
  return root.lookupType("google.rpc.Status");
})();

const TRACE = "5b8efff798038103d269b633813fc60c";

/** An OTLP request (JSON shape) of one trace: an agent span with a chat span and a tool span under it. */
function genAiRequest(spans: ("root" | "chat" | "tool")[] = ["chat", "tool", "root"], trace = TRACE) {
  const t0 = 1_764_000_000_000_000_000n;
  const ns = (ms: number) => String(t0 + BigInt(ms) * 1_000_000n);
  const attr = (key: string, value: string | number) => ({
    key,
    value: typeof value === "number" ? { intValue: String(value) } : { stringValue: value },
  });
  const all = {
    root: {
      traceId: trace,
      spanId: "aaaaaaaaaaaaaaa1",
      name: "invoke_agent planner",
      kind: 1,
      startTimeUnixNano: ns(0),
      endTimeUnixNano: ns(900),
      attributes: [attr("gen_ai.operation.name", "invoke_agent"), attr("gen_ai.agent.name", "planner")],
      status: {},
    },
    chat: {
      traceId: trace,
      spanId: "aaaaaaaaaaaaaaa2",
      parentSpanId: "aaaaaaaaaaaaaaa1",
      name: "chat gpt-4o",
      kind: 3,
      startTimeUnixNano: ns(10),
      endTimeUnixNano: ns(400),
      attributes: [
        attr("gen_ai.operation.name", "chat"),
        attr("gen_ai.request.model", "gpt-4o"),
        attr("gen_ai.usage.input_tokens", 120),
        attr("gen_ai.usage.output_tokens", 30),
      ],
      status: {},
    },
    tool: {
      traceId: trace,
      spanId: "aaaaaaaaaaaaaaa3",
      parentSpanId: "aaaaaaaaaaaaaaa1",
      name: "execute_tool search",
      kind: 1,
      startTimeUnixNano: ns(450),
      endTimeUnixNano: ns(800),
      attributes: [attr("gen_ai.operation.name", "execute_tool"), attr("gen_ai.tool.name", "search")],
      status: { code: 2, message: "search is down" },
    },
  };
  return {
    resourceSpans: [{
      resource: { attributes: [attr("service.name", "python-agent")] },
      scopeSpans: [{ scope: { name: "test" }, spans: spans.map((s) => all[s]) }],
    }],
  };
}

/** The request as protobuf bytes, encoded by protobufjs from the official protos. */
function protobufBytes(json: ReturnType<typeof genAiRequest>): Uint8Array {
  const plain = fromOtlpJson(ExportTraceServiceRequest, JSON.parse(JSON.stringify(json)), "request");
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(plain)).finish();
}

function post(
  url: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<{ status: number; type: string; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      const chunks: Uint8Array[] = [];
      res.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers["content-type"]),
          body: new Uint8Array(Buffer.concat(chunks)),
        }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const PROTO = { "content-type": "application/x-protobuf" };
const JSON_TYPE = { "content-type": "application/json" };

describe("ai-trace serve: the OTLP/HTTP receiver", () => {
  let dir: string;
  let server: RunningServer;
  const errors: string[] = [];

  before(async () => {
    dir = tempDir("ai-trace-receiver-");
    server = await startServer({ dir, port: 0, maxBody: 64 * 1024, onError: (e) => errors.push(e.message) });
  });
  after(async () => {
    await server?.close();
    removeDir(dir);
  });

  const files = () => readdirSync(dir).filter((name) => name.endsWith(".jsonl")).sort();
  const endpoint = () => server.url + "v1/traces";

  async function sessionOf(name: string) {
    const { code, out, err } = await cli(["--dir", dir, "view", name, "--json"]);
    assert.equal(code, 0, err);
    return JSON.parse(out);
  }

  function assertPlannerTree(session: {
    agent: string;
    meta: Record<string, unknown>;
    steps: { id: number; parent_id: number | null; name: string; kind?: string; outcome: string; usage?: unknown }[];
  }) {
    assert.equal(session.agent, "planner");
    assert.equal(session.meta.service_name, "python-agent");
    const byName = Object.fromEntries(session.steps.map((s) => [s.name, s]));
    const root = byName["invoke_agent planner"];
    assert.equal(root.parent_id, null);
    assert.equal(root.kind, "agent");
    assert.equal(byName["chat gpt-4o"].parent_id, root.id);
    assert.equal(byName["chat gpt-4o"].kind, "llm");
    assert.deepEqual(
      [byName["chat gpt-4o"].usage].map((u) => (u as Record<string, unknown>).input_tokens),
      [120],
    );
    assert.equal(byName["execute_tool search"].outcome, "error");
    assert.equal(byName["execute_tool search"].kind, "tool");
  }

  test("serve's receiver takes protobuf (official protos) and writes the trace as a session the CLI reads", async () => {
    const before = files();
    const answer = await post(endpoint(), protobufBytes(genAiRequest()), PROTO);
    assert.equal(answer.status, 200);
    assert.equal(answer.type, "application/x-protobuf");
    assert.equal(answer.body.length, 0, "an empty ExportTraceServiceResponse");
    const added = files().filter((f) => !before.includes(f));
    assert.equal(added.length, 1);
    assertPlannerTree(await sessionOf(added[0]));
  });

  test("serve's receiver takes OTLP JSON and gzip", async () => {
    for (
      const [body, headers] of [
        [JSON.stringify(genAiRequest(undefined, "5b8efff798038103d269b633813fc601")), JSON_TYPE],
        [gzipSync(protobufBytes(genAiRequest(undefined, "5b8efff798038103d269b633813fc602"))), {
          ...PROTO,
          "content-encoding": "gzip",
        }],
        [gzipSync(JSON.stringify(genAiRequest(undefined, "5b8efff798038103d269b633813fc603"))), {
          ...JSON_TYPE,
          "content-encoding": "gzip",
        }],
      ] as const
    ) {
      const before = files();
      const answer = await post(endpoint(), body, headers);
      assert.equal(answer.status, 200, new TextDecoder().decode(answer.body));
      const added = files().filter((f) => !before.includes(f));
      assert.equal(added.length, 1, JSON.stringify(headers));
      assertPlannerTree(await sessionOf(added[0]));
    }
  });

  test("serve's receiver writes the spans of one trace sent in several requests as one session", async () => {
    const trace = "5b8efff798038103d269b633813fc604";
    const before = files();
    for (const part of [["chat"], ["tool"], ["root"]] as const) {
      const answer = await post(endpoint(), protobufBytes(genAiRequest([...part], trace)), PROTO);
      assert.equal(answer.status, 200);
    }
    const added = files().filter((f) => !before.includes(f));
    assert.equal(added.length, 1);
    const session = await sessionOf(added[0]);
    assert.equal(session.steps.length, 3);
    assertPlannerTree(session);
  });

  test("serve's receiver refuses bad, oversized and wrong-type bodies and writes nothing", async () => {
    const before = files().map((f) => [f, readFileSync(join(dir, f), "utf8")]);
    const cases: [string, Uint8Array | string, Record<string, string>, number][] = [
      ["random bytes as protobuf", Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), PROTO, 400],
      ["not JSON", "{resourceSpans: nope", JSON_TYPE, 400],
      [
        "JSON of another shape",
        JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 1 }] }] }] }),
        JSON_TYPE,
        400,
      ],
      [
        "a span id that is not hex",
        JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "zz", spanId: "x" }] }] }] }),
        JSON_TYPE,
        400,
      ],
      [
        "a time past any date (a number beyond 64 bits of nanoseconds)",
        JSON.stringify({
          resourceSpans: [{
            scopeSpans: [{
              spans: [{ traceId: TRACE, spanId: "0123456789abcdef", name: "x", startTimeUnixNano: 1e300 }],
            }],
          }],
        }),
        JSON_TYPE,
        400,
      ],
      ["text/plain", "hello", { "content-type": "text/plain" }, 415],
      ["brotli", "x", { ...PROTO, "content-encoding": "br" }, 415],
      ["bad gzip", "not gzip at all", { ...PROTO, "content-encoding": "gzip" }, 400],
      ["too large", new Uint8Array(70 * 1024), PROTO, 413],
      ["a zip bomb", gzipSync(new Uint8Array(10 * 1024 * 1024)), { ...PROTO, "content-encoding": "gzip" }, 413],
    ];
    for (const [what, body, headers, status] of cases) {
      const answer = await post(endpoint(), body, headers);
      assert.equal(answer.status, status, what);
      const protobufAnswer = headers["content-type"] === PROTO["content-type"];
      const error = protobufAnswer
        ? Status.toObject(Status.decode(answer.body)) as { code: number; message: string }
        : JSON.parse(new TextDecoder().decode(answer.body));
      assert.ok(error.code > 0 && typeof error.message === "string" && error.message.length > 0, what);
    }
    assert.deepEqual(files().map((f) => [f, readFileSync(join(dir, f), "utf8")]), before);
    const get = await post(endpoint(), "", { "content-type": "application/json", "x-method": "none" });
    assert.equal(get.status, 400, "an empty JSON body is not a request");
  });

  test("serve's receiver records what the real OpenTelemetry JS OTLP exporter sends", async () => {
    const before = files();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "otel-js-agent" }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: endpoint() }))],
    });
    const tracer = provider.getTracer("test");
    const root = tracer.startSpan("invoke_agent researcher", {
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "researcher" },
    });
    const { trace, context } = await import("@opentelemetry/api");
    const ctx = trace.setSpan(context.active(), root);
    const chat = tracer.startSpan("chat claude", {
      attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "claude", "gen_ai.usage.input_tokens": 7 },
    }, ctx);
    chat.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    const added = files().filter((f) => !before.includes(f));
    assert.equal(added.length, 1);
    const session = await sessionOf(added[0]);
    assert.equal(session.agent, "researcher");
    assert.equal(session.meta.service_name, "otel-js-agent");
    const [agent, llm] = session.steps;
    assert.equal(llm.parent_id, agent.id);
    assert.equal(llm.usage.input_tokens, 7);
    assert.deepEqual(errors, []);
  });
});
