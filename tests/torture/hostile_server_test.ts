/**
 * `push` against servers the user does not control (issue 12, findings 1, 10
 * and 11): redirects to another origin, answers that never end, and
 * credentials given on the command line.
 *
 * @module
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FetchLike, MAX_ANSWER_BYTES, OtlpPushError, pushOtlp } from "../../src/otlp/push.ts";
import { toOtlp } from "../../src/otlp/to_otlp.ts";
import { readSession } from "../../src/read/session_reader.ts";
import { cli, figure } from "./_torture.ts";

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const FIXTURE = `${ROOT}/tests/testdata/otlp_agent_20260301_120000_ab12.jsonl`;

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  bytes: number;
}

interface Server {
  origin: string;
  seen: Seen[];
  /** Bytes the handler wrote into answers. */
  written: { bytes: number };
  close(): Promise<void>;
}

/** A server on 127.0.0.1 whose handler answers each request after its body was read. */
async function serve(
  handler: (request: IncomingMessage, response: ServerResponse, server: Server) => void,
): Promise<Server> {
  const sockets = new Set<Socket>();
  const seen: Seen[] = [];
  const self: Server = { origin: "", seen, written: { bytes: 0 }, close: () => Promise.resolve() };
  const server = createServer((request, response) => {
    let bytes = 0;
    request.on("data", (chunk: Uint8Array) => bytes += chunk.length);
    request.on("end", () => {
      seen.push({ path: request.url ?? "", headers: request.headers, bytes });
      handler(request, response, self);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  self.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  self.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return self;
}

function traceDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ai-trace-hostile-server-"));
  copyFileSync(FIXTURE, join(dir, "otlp agent_20260301_120000_ab12.jsonl"));
  return dir;
}

/** Streams 64 KiB chunks until the client goes away. */
function endless(status: number) {
  return (_request: IncomingMessage, response: ServerResponse, server: Server): void => {
    response.writeHead(status, { "content-type": "application/json" });
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const pump = (): void => {
      while (!response.destroyed && !response.writableEnded) {
        server.written.bytes += chunk.length;
        if (!response.write(chunk)) {
          response.once("drain", pump);
          return;
        }
      }
    };
    response.on("close", () => response.removeAllListeners("drain"));
    pump();
  };
}

/** A fetch that counts the answer bytes the caller actually pulled. */
function countingFetch(): { fetch: FetchLike; pulled: { bytes: number } } {
  const pulled = { bytes: 0 };
  const counting: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    if (response.body === null) return response;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        pulled.bytes += chunk.length;
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), { status: response.status, headers: response.headers });
  };
  return { fetch: counting, pulled };
}

async function fixtureDocument() {
  return toOtlp(await readSession(FIXTURE, { now: 0 }));
}

describe("push against a redirecting server (issue 12.1)", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    test(`main() push stops at a ${status} to another origin, naming it, and sends nothing there`, async () => {
      const elsewhere = await serve((_q, response) => response.end("{}"));
      const origin = await serve((_q, response) => {
        response.writeHead(status, { location: `${elsewhere.origin}/v1/traces` });
        response.end();
      });
      const dir = traceDir();
      try {
        const run = await cli([
          "--dir",
          dir,
          "push",
          "latest",
          "-e",
          `${origin.origin}/redir`,
          "-H",
          "X-Api-Key: k-9f8e7d6c5b4a",
          "-H",
          "Authorization=Bearer t0k3n-abcdef",
        ]);
        assert.equal(run.code, 1);
        assert.equal(run.out, "", "no 'Pushed' line");
        assert.equal(run.err.split("\n").length, 2, "one line");
        assert.match(run.err, new RegExp(`redirects to "${elsewhere.origin}/v1/traces", another origin; not followed`));
        assert.equal(origin.seen.length, 1);
        assert.equal(elsewhere.seen.length, 0, "nothing reached the other origin");
        figure(
          `push-redirect-${status}`,
          `cross-origin ${status}: ${elsewhere.seen.length} requests reached the other origin, exit ${run.code}`,
        );
      } finally {
        await origin.close();
        await elsewhere.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test("pushOtlp() follows a redirect to the same origin with the same body, and no further than 5", async () => {
    const server = await serve((request, response) => {
      if (request.url === "/v1/traces") {
        response.writeHead(307, { location: "/moved/v1/traces" });
        response.end();
      } else if (request.url === "/loop") {
        response.writeHead(308, { location: "/loop" });
        response.end();
      } else response.end("{}");
    });
    try {
      const document = await fixtureDocument();
      const result = await pushOtlp([document], { endpoint: server.origin, maxRetries: 0 });
      assert.equal(result.requests, 1);
      assert.deepEqual(server.seen.map((s) => s.path), ["/v1/traces", "/moved/v1/traces"]);
      assert.equal(server.seen[1].bytes, server.seen[0].bytes, "the same body again");
      await assert.rejects(
        pushOtlp([document], { endpoint: `${server.origin}/loop`, exactEndpoint: true, maxRetries: 0 }),
        (err: unknown) => err instanceof OtlpPushError && /HTTP 308/.test(err.message),
      );
      assert.equal(server.seen.filter((s) => s.path === "/loop").length, 6, "the first try and 5 redirects");
    } finally {
      await server.close();
    }
  });
});

describe("push against a server whose answer never ends (issue 12.10)", () => {
  test("pushOtlp() reads at most 1 MiB of an endless 200 answer and succeeds", async () => {
    const server = await serve(endless(200));
    try {
      const { fetch, pulled } = countingFetch();
      // Before the fix the whole answer was read: this push ended only by its timeout, as an error.
      const result = await pushOtlp([await fixtureDocument()], {
        endpoint: server.origin,
        fetch,
        maxRetries: 0,
        timeoutMs: 50_000,
      });
      assert.equal(result.requests, 1);
      assert.ok(pulled.bytes <= 2 * MAX_ANSWER_BYTES, `pulled ${pulled.bytes} bytes (1 MiB kept, the rest read ahead)`);
      figure(
        "push-endless-answer",
        `endless 200 answer: ${(pulled.bytes / 1048576).toFixed(2)} MiB read of ${
          (server.written.bytes / 1048576).toFixed(1)
        } MiB the server wrote before the client hung up; push succeeded`,
      );
    } finally {
      await server.close();
    }
  });

  test("pushOtlp() retries an endless 503 answer without waiting for its end", async () => {
    const server = await serve(endless(503));
    try {
      const { fetch, pulled } = countingFetch();
      await assert.rejects(
        pushOtlp([await fixtureDocument()], {
          endpoint: server.origin,
          fetch,
          maxRetries: 2,
          timeoutMs: 50_000,
          sleep: () => Promise.resolve(),
        }),
        (err: unknown) => err instanceof OtlpPushError && /HTTP 503 after 3 tries$/.test(err.message),
      );
      assert.equal(server.seen.length, 3);
      assert.ok(pulled.bytes <= 3 * 2 * MAX_ANSWER_BYTES, `pulled ${pulled.bytes} bytes`);
      figure("push-endless-503", `3 tries, ${(pulled.bytes / 1048576).toFixed(2)} MiB read in all`);
    } finally {
      await server.close();
    }
  });

  test("pushOtlp() gives up when its deadline has passed, however many retries are left", async () => {
    const server = await serve((_q, response) => {
      response.writeHead(503, { "retry-after": "10" });
      response.end();
    });
    try {
      let clock = 0;
      const waits: number[] = [];
      await assert.rejects(
        pushOtlp([await fixtureDocument()], {
          endpoint: server.origin,
          maxRetries: 100,
          deadlineMs: 25_000,
          now: () => clock,
          sleep: (ms) => {
            waits.push(ms);
            clock += ms;
            return Promise.resolve();
          },
        }),
        (err: unknown) => err instanceof OtlpPushError && /after 3 tries$/.test(err.message),
      );
      assert.deepEqual(waits, [10_000, 10_000]);
      assert.equal(server.seen.length, 3);
      figure("push-deadline", `Retry-After 10 s, deadline 25 s, 100 retries allowed: 3 tries, then stopped`);
    } finally {
      await server.close();
    }
  });
});

describe("push and credentials on the command line (issue 12.11)", () => {
  const PASSWORD = "hunter2pass";
  const TOKEN = "sk-live-4f9a8b7c6d5e4f3a2b1c";

  test("main() push never prints a URL's password or a header's value, and sends them as headers", async () => {
    let status = 200;
    const server = await serve((_q, response) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(status === 200 ? "{}" : '{"message":"bad span"}');
    });
    const dir = traceDir();
    const outputs: string[] = [];
    try {
      const endpoint = `http://user:${PASSWORD}@${server.origin.slice("http://".length)}/`;
      const ok = await cli(["--dir", dir, "push", "latest", "-e", endpoint, "-H", `Authorization: Bearer ${TOKEN}`]);
      outputs.push(ok.out, ok.err);
      assert.equal(ok.code, 0, ok.err);
      assert.match(ok.out, /to http:\/\/\*\*\*@127\.0\.0\.1:\d+\/v1\/traces/);
      assert.equal(server.seen[0].headers.authorization, `Bearer ${TOKEN}`, "curl-style header accepted; it wins");

      const basic = await cli(["--dir", dir, "push", "latest", "-e", endpoint, "--json"]);
      outputs.push(basic.out, basic.err);
      assert.equal(basic.code, 0, basic.err);
      assert.match(JSON.parse(basic.out).url, /^http:\/\/\*\*\*@127\.0\.0\.1:\d+\/v1\/traces$/);
      assert.equal(server.seen[1].headers.authorization, `Basic ${btoa(`user:${PASSWORD}`)}`);

      const query = await cli(["--dir", dir, "push", "latest", "-e", `${server.origin}/v1/traces?api_key=${TOKEN}`]);
      outputs.push(query.out, query.err);
      assert.match(query.out, /\?api_key=\*\*\*/);

      status = 400;
      const failed = await cli(["--dir", dir, "push", "latest", "-e", endpoint]);
      outputs.push(failed.out, failed.err);
      assert.equal(failed.code, 1);
      assert.match(
        failed.err,
        /^error: Cannot push to "http:\/\/\*\*\*@127\.0\.0\.1:\d+\/v1\/traces": HTTP 400: bad span/,
      );

      const usage: string[][] = [
        ["-e", endpoint, "-H", `Bad Name: Bearer ${TOKEN}`],
        ["-e", endpoint, "-H", `Bearer ${TOKEN}`],
        ["-e", endpoint, "-H", `Authorization: Bearer ${TOKEN}\r\nX-Injected: 1`],
        ["-e", `ftp://user:${PASSWORD}@example.com/`],
        ["-e", `http://user:${PASSWORD}@[::1`],
      ];
      for (const args of usage) {
        const run = await cli(["--dir", dir, "push", "latest", ...args]);
        outputs.push(run.out, run.err);
        assert.equal(run.code, 2, `${args.join(" ")}: ${run.err}`);
      }
      const all = outputs.join("\n");
      const leaks = [PASSWORD, TOKEN, TOKEN.slice(-12)].filter((secret) => all.includes(secret));
      assert.deepEqual(leaks, [], `printed: ${all}`);
      figure(
        "push-credentials",
        `${outputs.length / 2} runs (success, --json, query key, HTTP 400, 5 usage errors): 0 secrets printed`,
      );
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
