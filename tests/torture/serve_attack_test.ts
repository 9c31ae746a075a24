// `ai-trace serve` attacked: a gzip bomb, traces that never get their root, a
// client that never reads its event stream, spans whose parents form a cycle,
// odd request targets. Each test names what it defends; the figures go into
// RELIABILITY.md's serve table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { type RunningServer, startServer } from "../../src/serve/server.ts";
import { until } from "../_cli.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { figure } from "./_torture.ts";

const MiB = 1024 * 1024;

/** The peak resident memory of this process so far, in MiB (Linux). */
function peakRssMiB(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)![1]) / 1024;
}

function post(
  url: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function withServer(
  options: Partial<Parameters<typeof startServer>[0]>,
  fn: (server: RunningServer, dir: string) => Promise<void>,
): Promise<void> {
  const dir = tempDir("ai-trace-serve-attack-");
  const server = await startServer({ dir, port: 0, ...options });
  try {
    await fn(server, dir);
  } finally {
    await server.close();
    removeDir(dir);
  }
}

const noProcStatus = existsSync("/proc/self/status") ? false : "needs /proc/self/status (Linux) to read peak memory";

test("serve's receiver inflates a gzip bomb no further than --max-body", { skip: noProcStatus }, async () => {
  // 512 MiB of zeros in 0.5 MiB of gzip, against a 1 MiB limit. Before: Deno's DecompressionStream gave the
  // whole inflated body as one chunk, so the limit was checked after 512 MiB were in memory (32 GiB for a
  // 32 MiB bomb under the default limit: the server died).
  const bomb = gzipSync(new Uint8Array(512 * MiB));
  await withServer({ maxBody: MiB }, async (server, dir) => {
    const before = peakRssMiB();
    const answer = await post(server.url + "v1/traces", bomb, {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    const grew = peakRssMiB() - before;
    assert.equal(answer.status, 413, answer.body);
    assert.match(answer.body, /larger than 1048576 bytes/);
    // The bound is the limit and the runtime's buffers, far below the 512 MiB the bomb holds.
    assert.ok(grew < 128, `peak memory grew by ${grew.toFixed(0)} MiB`);
    figure(
      "serve-gzip-bomb",
      `${(bomb.length / MiB).toFixed(2)} MiB gzip → 512 MiB against --max-body 1M: 413, ` +
        `peak memory +${grew.toFixed(0)} MiB`,
    );
    void dir;
  });
});

/** An OTLP JSON request of one span that is not a root (its parent never comes), with a `size`-character attribute. */
function orphanSpan(trace: number, size: number): string {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
  const span = {
    traceId: hex(trace + 1, 32),
    spanId: hex(2, 16),
    parentSpanId: hex(1, 16),
    name: "chat",
    startTimeUnixNano: "1764000000000000000",
    endTimeUnixNano: "1764000001000000000",
    attributes: [{ key: "gen_ai.prompt", value: { stringValue: `${trace} `.padEnd(size, "x") } }],
  };
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
}

test("serve's receiver holds at most 64 MiB of traces whose root never comes", async () => {
  // 100 traces of one 1 MiB span each, none with its root, none idle long enough to be written. Before: all
  // held in memory until they went idle (10,000 such spans were allowed: 10 GiB).
  const traces = 100;
  await withServer({ traceIdleMs: 3_600_000 }, async (server, dir) => {
    for (let trace = 0; trace < traces; trace++) {
      const answer = await post(server.url + "v1/traces", orphanSpan(trace, MiB), {
        "content-type": "application/json",
      });
      assert.equal(answer.status, 200, answer.body);
    }
    const written = readdirSync(dir).filter((name) => name.endsWith(".jsonl")).length;
    assert.ok(written >= traces - 64, `${written} of ${traces} traces written while the server runs`);
    await server.close();
    const all = readdirSync(dir).filter((name) => name.endsWith(".jsonl"));
    assert.equal(all.length, traces, "every trace is a session once the server stops");
    figure(
      "serve-orphan-spans",
      `${traces} traces of one 1 MiB span, no root: ${written} written while running (at most 64 MiB held), ` +
        `all ${all.length} after close`,
    );
  });
});

/** A raw client of `/api/events`: counts what it got; `pause()` stops reading (the kernel's buffers fill, then ours). */
function eventClient(port: number) {
  const socket = connect(port, "127.0.0.1");
  const client = { socket, bytes: 0, closed: false, opened: undefined as unknown as Promise<void> };
  client.opened = new Promise((resolve) => socket.once("data", () => resolve()));
  socket.on("data", (chunk: Uint8Array) => (client.bytes += chunk.length));
  socket.on("close", () => (client.closed = true));
  socket.on("error", () => {});
  socket.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  return client;
}

test("serve lets go of an event-stream client that stops reading", async () => {
  // 1,000 sessions with 200-character names change together, again and again: each change event names them all
  // (about 240 KB). A client that never reads held every event in the server's memory (66 MiB after 300 rounds).
  const sent = 16 * MiB;
  await withServer({ pollMs: 20 }, async (server, dir) => {
    const files = Array.from({ length: 1000 }, (_, i) => join(dir, `${"n".repeat(200)}_20260101_000000_a${i}.jsonl`));
    for (const file of files) writeFileSync(file, "\n");
    const stuck = eventClient(server.port);
    const reader = eventClient(server.port);
    await Promise.all([stuck.opened, reader.opened]);
    stuck.socket.pause();
    let rounds = 0;
    while (reader.bytes < sent) {
      const before = reader.bytes;
      for (const file of files) appendFileSync(file, "\n");
      rounds++;
      await until(() => reader.bytes > before, 120_000, "the reading client got the change");
    }
    stuck.socket.resume();
    // What the kernel held for it, then the end; a client the server kept would get all the reader got.
    await until(() => stuck.closed || stuck.bytes >= sent, 120_000, "the stuck client ended or caught up");
    assert.equal(stuck.closed, true, `the stuck client got ${stuck.bytes} bytes and was not let go`);
    assert.equal(reader.closed, false, "the reading client is still served");
    reader.socket.destroy();
    figure(
      "serve-sse-stuck-client",
      `${rounds} changes of 1,000 sessions (${(reader.bytes / MiB).toFixed(0)} MiB of events): the client that ` +
        `stopped reading was let go after ${(stuck.bytes / MiB).toFixed(1)} MiB (kernel buffers + 1 MiB backlog)`,
    );
  });
});

test("serve's receiver holds at most 64 MiB of bodies at once, however many clients never finish theirs", async () => {
  // 80 clients each send all but the last byte of a 1 MiB body (the limit), then wait. Before: every body was
  // held until its client finished (N × --max-body: 20 bodies of 31 MiB took 0.65 / 1.1 GiB).
  const clients = 80;
  await withServer({ maxBody: MiB }, async (server, dir) => {
    const body = orphanSpan(0, MiB - 1000);
    const size = new TextEncoder().encode(body).length;
    const answers: string[] = [];
    const sockets = Array.from({ length: clients }, () => {
      const socket = connect(server.port, "127.0.0.1");
      let text = "";
      socket.setEncoding("latin1");
      socket.on("data", (chunk: string) => (text += chunk));
      socket.on("close", () => answers.push(text.split("\r\n")[0]));
      socket.on("error", () => {});
      socket.write(
        `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${size}\r\nConnection: close\r\n\r\n${body.slice(0, -1)}`,
      );
      return socket;
    });
    // Those past the budget are refused while the others still wait for their last byte.
    await until(() => answers.length >= clients - 64, 120_000, "the clients past 64 MiB refused");
    assert.ok(answers.every((status) => / 503 /.test(status)), [...new Set(answers)].join(", "));
    // (Not end(): Deno's server drops the answer to a client that half-closes.)
    for (const socket of sockets) if (!socket.destroyed) socket.write(body.slice(-1));
    await until(() => answers.length === clients, 120_000, "every client answered");
    const taken = answers.filter((status) => / 200 /.test(status)).length;
    const refused = answers.filter((status) => / 503 /.test(status)).length;
    assert.equal(taken + refused, clients, [...new Set(answers)].join(", "));
    assert.ok(taken > 0 && taken <= 64, `${taken} taken`);
    figure(
      "serve-slow-bodies",
      `${clients} clients hold a 1 MiB body open (--max-body 1M): ${refused} refused with 503 and Retry-After ` +
        `while the others waited, ${taken} taken when they finished (at most 64 MiB of bodies held)`,
    );
    void dir;
  });
});

test("serve's downloads name hostile session files with a plain, quoted file name", async () => {
  // File names are the agent's to choose (the original writes them unmade-safe): quotes, CR LF, `;`, ESC, bidi.
  const names = [
    "q\"uote';_20260101_000000_aaaaaa.jsonl",
    "crlf\r\nSet-Cookie: x=1_20260101_000000_aaaaab.jsonl",
    "semi; filename=evil.exe_20260101_000000_aaaaac.jsonl",
    "esc\x1b[31m\u202e_20260101_000000_aaaaad.jsonl",
    "代理_20260101_000000_aaaaae.jsonl",
  ];
  await withServer({}, async (server, dir) => {
    const seed = readFileSync(
      join(import.meta.dirname!, "..", "testdata", "python-seed", "trading_agent_20261124_220803.jsonl"),
    );
    for (const name of names) writeFileSync(join(dir, name), seed);
    let checked = 0;
    for (const name of names) {
      for (const format of ["json", "md", "html", "otlp", "otlp-proto"]) {
        const answer = await fetch(`${server.url}sessions/${encodeURIComponent(name)}/export?format=${format}`);
        await answer.arrayBuffer();
        assert.equal(answer.status, 200, `${JSON.stringify(name)} ${format}`);
        assert.equal(answer.headers.get("set-cookie"), null);
        assert.match(String(answer.headers.get("content-disposition")), /^attachment; filename="[\w.-]+"$/);
        checked++;
      }
    }
    figure(
      "serve-download-names",
      `${names.length} hostile file names × 5 formats: ${checked} downloads, each named attachment; ` +
        `filename="[A-Za-z0-9_.-]+", 0 injected headers`,
    );
  });
});
