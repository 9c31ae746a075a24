import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type OtlpExportRequest, toOtlp } from "../src/otlp/to_otlp.ts";
import { batchOtlp, OtlpPushError, otlpTracesUrl, parseRetryAfter, pushOtlp } from "../src/otlp/push.ts";
import { readSession } from "../src/read/session_reader.ts";
import { memoryIo } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";
import { decodeProtobuf, expectedFromJson } from "./_otlp_proto.ts";
import { scriptCommand } from "./_helpers.ts";
import { spawnSync } from "node:child_process";
import process from "node:process";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const FIXTURE = `${ROOT}/tests/testdata/otlp_agent_20260301_120000_ab12.jsonl`;

// ---------------------------------------------------------------------------
// A small OTLP/HTTP receiver on 127.0.0.1 that answers from a script

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The body as text (for JSON). */
  body: string;
  /** The body's bytes (for protobuf). */
  bytes: Uint8Array;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

interface Receiver {
  endpoint: string;
  received: Received[];
  close(): Promise<void>;
}

/** Starts a receiver that gives `answers` in turn (the last one again when they run out). */
async function startReceiver(answers: Answer[]): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Uint8Array[] = [];
    request.on("data", (chunk: Uint8Array) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: new TextDecoder().decode(concat(chunks)),
        bytes: concat(chunks),
      });
      const answer = answers[Math.min(received.length - 1, answers.length - 1)];
      const body = answer.body ?? "{}";
      response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

async function document(): Promise<OtlpExportRequest> {
  return toOtlp(await readSession(FIXTURE, { now: 0 }));
}

function spanCount(request: OtlpExportRequest): number {
  return request.resourceSpans.reduce((n, r) => n + r.scopeSpans.reduce((m, s) => m + s.spans.length, 0), 0);
}

/** A sleep that only records what it was asked to wait. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), Promise.resolve()) };
}

// ---------------------------------------------------------------------------

describe("pushOtlp()", () => {
  test("pushOtlp() posts the document as protobuf to /v1/traces by default", async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    try {
      const doc = await document();
      const result = await pushOtlp([doc], { endpoint: receiver.endpoint });
      assert.equal(receiver.received.length, 1);
      const [request] = receiver.received;
      assert.equal(request.url, "/v1/traces");
      assert.equal(request.headers["content-type"], "application/x-protobuf");
      assert.equal(request.headers["content-encoding"], undefined);
      assert.deepEqual(decodeProtobuf(request.bytes), expectedFromJson(doc));
      assert.equal(result.spans, spanCount(doc));
    } finally {
      await receiver.close();
    }
  });

  test("pushOtlp() posts the document as JSON with protocol http/json, with the given headers", async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    try {
      const doc = await document();
      const result = await pushOtlp([doc], {
        endpoint: receiver.endpoint,
        protocol: "http/json",
        headers: { "x-team": "agents", Authorization: "Bearer t0k" },
      });
      assert.equal(receiver.received.length, 1);
      const [request] = receiver.received;
      assert.equal(request.method, "POST");
      assert.equal(request.url, "/v1/traces");
      assert.equal(request.headers["content-type"], "application/json");
      assert.equal(request.headers["x-team"], "agents");
      assert.equal(request.headers["authorization"], "Bearer t0k");
      assert.deepEqual(JSON.parse(request.body), doc);
      assert.deepEqual(result, {
        url: `${receiver.endpoint}/v1/traces`,
        requests: 1,
        spans: spanCount(doc),
        rejectedSpans: 0,
        messages: [],
        retries: 0,
      });
    } finally {
      await receiver.close();
    }
  });

  test("pushOtlp() retries a 503 after Retry-After and then succeeds", async () => {
    const receiver = await startReceiver([
      { status: 503, headers: { "retry-after": "0" }, body: '{"code":14,"message":"busy"}' },
      { status: 200 },
    ]);
    try {
      const { sleep, waits } = recordingSleep();
      const retries: string[] = [];
      const result = await pushOtlp([await document()], {
        endpoint: receiver.endpoint,
        sleep,
        onRetry: (info) => retries.push(`${info.attempt} ${info.reason}`),
      });
      assert.equal(receiver.received.length, 2);
      assert.equal(receiver.received[1].body, receiver.received[0].body, "the same request again");
      assert.deepEqual(waits, [0], "Retry-After: 0 is honoured");
      assert.deepEqual(retries, ["1 HTTP 503: busy"]);
      assert.equal(result.retries, 1);
      assert.equal(result.requests, 1);
    } finally {
      await receiver.close();
    }
  });

  test("pushOtlp() backs off exponentially on 429, 502 and 504 without Retry-After", async () => {
    const receiver = await startReceiver([{ status: 429 }, { status: 502 }, { status: 504 }, { status: 200 }]);
    try {
      const { sleep, waits } = recordingSleep();
      const result = await pushOtlp([await document()], {
        endpoint: receiver.endpoint,
        sleep,
        random: () => 0.999999,
        initialBackoffMs: 100,
        maxBackoffMs: 300,
      });
      assert.deepEqual(waits, [100, 200, 300], "doubling, capped");
      assert.equal(result.retries, 3);
      assert.equal(receiver.received.length, 4);
    } finally {
      await receiver.close();
    }
  });

  test("pushOtlp() reports a 400 as a final error without retrying", async () => {
    const receiver = await startReceiver([{ status: 400, body: '{"code":3,"message":"invalid span id"}' }]);
    try {
      const { sleep, waits } = recordingSleep();
      const err = await pushOtlp([await document()], { endpoint: receiver.endpoint, sleep }).then(
        () => assert.fail("should fail"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof OtlpPushError);
      assert.equal(err.status, 400);
      assert.equal(err.message, `Cannot push to "${receiver.endpoint}/v1/traces": HTTP 400: invalid span id`);
      assert.equal(err.result.requests, 0);
      assert.equal(receiver.received.length, 1);
      assert.deepEqual(waits, []);
    } finally {
      await receiver.close();
    }
  });

  test("pushOtlp() gives up when retries run out", async () => {
    const receiver = await startReceiver([{ status: 503, headers: { "retry-after": "0" } }]);
    try {
      const { sleep } = recordingSleep();
      await assert.rejects(
        pushOtlp([await document()], { endpoint: receiver.endpoint, sleep, maxRetries: 2 }),
        (err: unknown) =>
          err instanceof OtlpPushError && err.status === 503 && /HTTP 503 after 3 tries$/.test(err.message),
      );
      assert.equal(receiver.received.length, 3);
    } finally {
      await receiver.close();
    }
  });

  test("pushOtlp() retries when nothing listens and then reports the network error", async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    const endpoint = receiver.endpoint;
    await receiver.close(); // the port is free now: connections are refused
    const { sleep, waits } = recordingSleep();
    await assert.rejects(
      pushOtlp([await document()], { endpoint, sleep, maxRetries: 1, initialBackoffMs: 1 }),
      (err: unknown) => err instanceof OtlpPushError && err.status === undefined && /after 2 tries$/.test(err.message),
    );
    assert.equal(waits.length, 1);
  });

  test("pushOtlp() gives up on a server that stalls halfway through its answer", async () => {
    // Headers and half a body, then nothing: the timeout covers the body too.
    const sockets = new Set<import("node:net").Socket>();
    const server = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(200, { "Content-Type": "application/json", "Content-Length": "100" });
        response.write('{"partialSuc');
      });
    });
    server.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { sleep } = recordingSleep();
      await assert.rejects(
        pushOtlp([await document()], { endpoint, sleep, maxRetries: 0, timeoutMs: 300 }),
        (err: unknown) => err instanceof OtlpPushError && /no answer within 300 ms/.test(err.message),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test("pushOtlp() reports partial success", async () => {
    const receiver = await startReceiver([
      { status: 200, body: '{"partialSuccess":{"rejectedSpans":"2","errorMessage":"2 spans too old"}}' },
    ]);
    try {
      const doc = await document();
      const result = await pushOtlp([doc], { endpoint: receiver.endpoint });
      assert.equal(result.spans, spanCount(doc));
      assert.equal(result.rejectedSpans, 2);
      assert.deepEqual(result.messages, ["2 spans too old"]);
    } finally {
      await receiver.close();
    }
  });

  test("pushOtlp() sends large input in batches", async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    try {
      const doc = await document();
      const total = spanCount(doc);
      const result = await pushOtlp([doc, doc], {
        endpoint: receiver.endpoint,
        maxSpansPerRequest: 3,
        protocol: "http/json",
      });
      assert.equal(result.spans, 2 * total);
      assert.equal(receiver.received.length, Math.ceil((2 * total) / 3));
      const sent = receiver.received.map((r) => JSON.parse(r.body) as OtlpExportRequest);
      for (const batch of sent) assert.ok(spanCount(batch) <= 3);
      assert.equal(sent.reduce((n, b) => n + spanCount(b), 0), 2 * total);
    } finally {
      await receiver.close();
    }
  });

  test("pushOtlp() rejects an endpoint that is not an http(s) URL", async () => {
    await assert.rejects(pushOtlp([], { endpoint: "localhost:4318" }), TypeError);
    await assert.rejects(pushOtlp([], { endpoint: "file:///tmp/x" }), TypeError);
  });
});

describe("batchOtlp()", () => {
  test("batchOtlp() keeps every span once, in order, with its resource and scope", async () => {
    const doc = await document();
    const batches = batchOtlp([doc], 2);
    const spans = doc.resourceSpans[0].scopeSpans[0].spans;
    assert.equal(batches.length, Math.ceil(spans.length / 2));
    for (const batch of batches) {
      assert.equal(batch.resourceSpans.length, 1);
      assert.deepEqual(batch.resourceSpans[0].resource, doc.resourceSpans[0].resource);
      assert.deepEqual(batch.resourceSpans[0].scopeSpans[0].scope, doc.resourceSpans[0].scopeSpans[0].scope);
    }
    assert.deepEqual(batches.flatMap((b) => b.resourceSpans[0].scopeSpans[0].spans), spans);
  });

  test("batchOtlp() keeps requests under the byte limit, and sends a larger span alone", async () => {
    const doc = await document();
    const limit = 4000;
    const batches = batchOtlp([doc], 1000, limit);
    assert.ok(batches.length > 1);
    for (const batch of batches) {
      const size = new TextEncoder().encode(JSON.stringify(batch)).length;
      assert.ok(size <= limit || spanCount(batch) === 1, `a batch of ${size} bytes`);
    }
    assert.equal(batches.reduce((n, b) => n + spanCount(b), 0), spanCount(doc));
    assert.deepEqual(batchOtlp([doc], 1000, 10).map(spanCount), Array(spanCount(doc)).fill(1));
  });

  test("batchOtlp() puts sessions together when they fit", async () => {
    const doc = await document();
    const batches = batchOtlp([doc, doc]);
    assert.equal(batches.length, 1);
    assert.equal(batches[0].resourceSpans.length, 2);
    assert.deepEqual(batchOtlp([]), []);
  });
});

describe("otlpTracesUrl()", () => {
  test("otlpTracesUrl() adds /v1/traces unless it is there", () => {
    assert.equal(otlpTracesUrl("http://localhost:4318"), "http://localhost:4318/v1/traces");
    assert.equal(otlpTracesUrl("http://localhost:4318/"), "http://localhost:4318/v1/traces");
    assert.equal(otlpTracesUrl("https://otel.example.com/otlp"), "https://otel.example.com/otlp/v1/traces");
    assert.equal(otlpTracesUrl("http://localhost:4318/v1/traces"), "http://localhost:4318/v1/traces");
    assert.equal(otlpTracesUrl("http://localhost:4318/v1/traces/"), "http://localhost:4318/v1/traces");
    assert.throws(() => otlpTracesUrl("not a url"), TypeError);
  });
});

describe("parseRetryAfter()", () => {
  test("parseRetryAfter() reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    assert.equal(parseRetryAfter("7", now), 7000);
    assert.equal(parseRetryAfter("Sun, 01 Mar 2026 12:00:05 GMT", now), 5000);
    assert.equal(parseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now), 0, "a date in the past: at once");
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter("soon", now), undefined);
  });

  test("pushOtlp() waits until a Retry-After date", async () => {
    const receiver = await startReceiver([
      { status: 429, headers: { "retry-after": "Sun, 01 Mar 2026 12:00:03 GMT" } },
      { status: 200 },
    ]);
    try {
      const { sleep, waits } = recordingSleep();
      await pushOtlp([await document()], {
        endpoint: receiver.endpoint,
        sleep,
        now: () => Date.parse("2026-03-01T12:00:00Z"),
      });
      assert.deepEqual(waits, [3000]);
    } finally {
      await receiver.close();
    }
  });
});

// ---------------------------------------------------------------------------
// The `push` command, run in-process through the CLI's main()

function traceDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ai-trace-push-"));
  copyFileSync(FIXTURE, join(dir, "otlp agent_20260301_120000_ab12.jsonl"));
  for (const name of ["trading_agent_20261124_220803.jsonl", "crashy_agent_20261124_220807.jsonl"]) {
    copyFileSync(`${ROOT}/tests/testdata/python-seed/${name}`, join(dir, name));
  }
  return dir;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo({ env: {} });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe("ai-trace push", () => {
  test("main() push sends a session with the given headers", async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    const dir = traceDir();
    try {
      const run = await cli([
        "--dir",
        dir,
        "push",
        "20260301_120000_ab12",
        "--endpoint",
        receiver.endpoint,
        "--header",
        "x-api-key=abc=def",
        "-H",
        "X-Scope-OrgID=team-a",
      ]);
      assert.equal(run.err, "");
      assert.equal(run.code, 0);
      assert.equal(run.out, `Pushed 1 session (7 spans) to ${receiver.endpoint}/v1/traces in 1 request\n`);
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0].headers["x-api-key"], "abc=def");
      assert.equal(receiver.received[0].headers["x-scope-orgid"], "team-a");
      assert.equal(receiver.received[0].headers["content-type"], "application/x-protobuf");
      const session = await readSession(join(dir, "otlp agent_20260301_120000_ab12.jsonl"), { now: 0 });
      assert.deepEqual(decodeProtobuf(receiver.received[0].bytes), expectedFromJson(toOtlp(session)));
    } finally {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("main() push retries a 503 and succeeds", async () => {
    const receiver = await startReceiver([{ status: 503, headers: { "retry-after": "0" } }, { status: 200 }]);
    const dir = traceDir();
    try {
      const run = await cli(["--dir", dir, "push", "latest", "--endpoint", `${receiver.endpoint}/v1/traces`]);
      assert.equal(run.code, 0);
      assert.match(run.err, /^retrying in 0\.0 s: HTTP 503\n$/);
      assert.match(run.out, /^Pushed 1 session /);
      assert.equal(receiver.received.length, 2);
      assert.equal(receiver.received[0].url, "/v1/traces");
    } finally {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("main() push reports a 400 as an error with exit code 1", async () => {
    const receiver = await startReceiver([{ status: 400, body: '{"code":3,"message":"invalid span id"}' }]);
    const dir = traceDir();
    try {
      const run = await cli(["--dir", dir, "push", "20260301_120000_ab12", "--endpoint", receiver.endpoint]);
      assert.equal(run.code, 1);
      assert.equal(run.out, "");
      assert.equal(run.err, `error: Cannot push to "${receiver.endpoint}/v1/traces": HTTP 400: invalid span id\n`);
      assert.equal(receiver.received.length, 1, "a 400 is not retried");
    } finally {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("main() push --all --json sends every session and reports partial success", async () => {
    const receiver = await startReceiver([
      { status: 200, body: '{"partialSuccess":{"rejectedSpans":"1","errorMessage":"span too old"}}' },
    ]);
    const dir = traceDir();
    try {
      const run = await cli([
        "--dir",
        dir,
        "push",
        "--all",
        "--endpoint",
        receiver.endpoint,
        "--json",
        "--protocol",
        "http/json",
      ]);
      assert.equal(run.code, 0);
      const report = JSON.parse(run.out);
      assert.equal(report.url, `${receiver.endpoint}/v1/traces`);
      assert.equal(report.sessions.length, 3);
      assert.equal(report.requests, 1);
      assert.equal(report.rejected_spans, 1);
      assert.deepEqual(report.messages, ["span too old"]);
      const sent = JSON.parse(receiver.received[0].body) as OtlpExportRequest;
      assert.equal(sent.resourceSpans.length, 3, "one resource per session");
      assert.equal(report.spans, spanCount(sent));
      assert.equal(run.err, "warning: the server rejected 1 span: span too old\n");
    } finally {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("main() push says how many spans went before a failure, in the singular for one", async () => {
    const receiver = await startReceiver([{ status: 200 }, { status: 400, body: '{"message":"bad"}' }]);
    const dir = mkdtempSync(join(tmpdir(), "ai-trace-push-"));
    try {
      const session = (agent: string, id: string) =>
        JSON.stringify({ type: "session", schema: "ai-trace/1", agent, session_id: id, started_at: 1, meta: {} });
      // The newest session's root span goes alone (its one step is larger than a request), then the step fails.
      const big = { type: "step", id: 1, parent_id: null, name: "s", context: { text: "x".repeat(1_100_000) } };
      writeFileSync(
        join(dir, "big_20260302_000000_aa.jsonl"),
        session("big", "20260302_000000_aa") + "\n" +
          JSON.stringify({ ...big, started_at: 1, finished_at: 2, duration_ms: 1000, outcome: "ok" }) + "\n",
      );
      writeFileSync(join(dir, "small_20260301_000000_bb.jsonl"), session("small", "20260301_000000_bb") + "\n");
      const run = await cli([
        "--dir",
        dir,
        "push",
        "--all",
        "--endpoint",
        receiver.endpoint,
        "--protocol",
        "http/json",
      ]);
      assert.equal(run.code, 1);
      assert.match(run.err, /\(1 span was sent before\)\n$/);
      assert.equal(spanCount(JSON.parse(receiver.received[0].body)), 1);
    } finally {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("main() push rejects a wrong command line with exit code 2 and sends nothing", async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    const dir = traceDir();
    try {
      const cases: [string[], RegExp][] = [
        [["push", "latest"], /Missing --endpoint/],
        [["push", "latest", "--endpoint", "localhost:4318"], /not a URL|only http and https/],
        [["push", "--endpoint", receiver.endpoint], /Missing <session>/],
        [["push", "latest", "--all", "--endpoint", receiver.endpoint], /not both/],
        [["push", "latest", "--endpoint", receiver.endpoint, "--header", "novalue"], /NAME=VALUE/],
      ];
      for (const [args, message] of cases) {
        const run = await cli(["--dir", dir, ...args]);
        assert.equal(run.code, 2, args.join(" "));
        assert.match(run.err, message);
      }
      assert.equal(receiver.received.length, 0);
    } finally {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ai-trace export --format otlp", () => {
  test("main() export --format otlp writes the OTLP JSON document", async () => {
    const dir = traceDir();
    try {
      const run = await cli(["--dir", dir, "export", "20260301_120000_ab12", "--format", "otlp"]);
      assert.equal(run.code, 0);
      const session = await readSession(join(dir, "otlp agent_20260301_120000_ab12.jsonl"), { now: 0 });
      assert.deepEqual(JSON.parse(run.out), toOtlp(session));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ai-trace export --format otlp-proto", () => {
  test("main() export -o FILE.otlp.pb writes the protobuf request that the official protos decode", async () => {
    const dir = traceDir();
    try {
      const path = join(dir, "out", "trace.otlp.pb");
      mkdirSync(join(dir, "out"));
      const run = await cli(["--dir", dir, "export", "20260301_120000_ab12", "-o", path]);
      assert.equal(run.code, 0, run.err);
      assert.match(run.err, /^Wrote otlp-proto of "20260301_120000_ab12" to .*trace\.otlp\.pb \(\d+ bytes\)\n$/);
      const session = await readSession(join(dir, "otlp agent_20260301_120000_ab12.jsonl"), { now: 0 });
      assert.deepEqual(decodeProtobuf(readFileSync(path)), expectedFromJson(toOtlp(session)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("ai-trace export --format otlp-proto writes the same bytes to standard output as to a file (a real process)", () => {
    const dir = traceDir();
    try {
      const [command, args] = scriptCommand(`${ROOT}/cli.ts`, ["--dir", dir, "export", "20260301_120000_ab12"]);
      const file = join(dir, "x.otlp.pb");
      const written = spawnSync(command, [...args, "-o", file], { env: { ...process.env, NO_COLOR: "1" } });
      assert.equal(written.status, 0, String(written.stderr));
      const piped = spawnSync(command, [...args, "-f", "otlp-proto"], { env: { ...process.env, NO_COLOR: "1" } });
      assert.equal(piped.status, 0, String(piped.stderr));
      assert.deepEqual(new Uint8Array(piped.stdout), new Uint8Array(readFileSync(file)), "binary, not text");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("main() export --format otlp-proto refuses to write binary to a terminal", async () => {
    const dir = traceDir();
    try {
      const io = memoryIo({ env: {}, isTTY: true });
      const code = await main(["--dir", dir, "export", "latest", "--format", "otlp-proto"], io);
      assert.equal(code, 2);
      assert.match(io.err(), /binary: give -o FILE/);
      assert.equal(io.out(), "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ai-trace export --conventions", () => {
  test("main() export --format otlp --conventions genai writes no OpenInference attribute; a bad name exits 2", async () => {
    const dir = traceDir();
    try {
      const run = await cli(["--dir", dir, "export", "20260301_120000_ab12", "-f", "otlp", "--conventions", "genai"]);
      assert.equal(run.code, 0, run.err);
      const keys = JSON.stringify(JSON.parse(run.out));
      assert.ok(keys.includes('"gen_ai.operation.name"'));
      assert.ok(!keys.includes('"openinference.span.kind"'));
      const bad = await cli(["--dir", dir, "export", "latest", "-f", "otlp", "--conventions", "phoenix"]);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /Option "--conventions" must be both, genai or openinference/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("main() export --format otlp warns about a time out of range and still exports", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ai-trace-push-"));
    try {
      const lines = [
        { type: "session", schema: "ai-trace/1", agent: "a", session_id: "20260301_000000_tt", started_at: 1772366400 },
        {
          type: "step",
          id: 1,
          parent_id: null,
          name: "s",
          context: {},
          started_at: 1e300,
          finished_at: 1772366401,
          duration_ms: 1,
          outcome: "ok",
          error: null,
          logs: [],
        },
      ];
      writeFileSync(join(dir, "a_20260301_000000_tt.jsonl"), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
      const run = await cli(["--dir", dir, "export", "20260301_000000_tt", "-f", "otlp"]);
      assert.equal(run.code, 0, run.err);
      assert.match(
        run.err,
        /^warning: .*a_20260301_000000_tt\.jsonl: step 1 "s": started_at 1e\+300 is not a time OTLP/m,
      );
      const spans = JSON.parse(run.out).resourceSpans[0].scopeSpans[0].spans;
      assert.ok(spans.every((s: { startTimeUnixNano: string }) => s.startTimeUnixNano.length <= 19));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
