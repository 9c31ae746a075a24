/**
 * `ai-trace serve`: the JSON API answers as the CLI's `--json`, live changes
 * arrive as server-sent events, and the server refuses what it must (a
 * foreign Host header, paths out of the directory).
 *
 * @module
 */

import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { Tracer } from "../mod.ts";
import { allowedHosts, type RunningServer, startServer } from "../src/serve/server.ts";
import { CLI, cli, NOW, OURS, PYTHON_SEED } from "./_cli.ts";
import { removeDir, startScript, tempDir } from "./_helpers.ts";

/** A GET with full control of the headers (fetch() would not send a Host of our choosing). */
function get(url: string, headers: Record<string, string> = {}): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("ai-trace serve", () => {
  let dir: string;
  let server: RunningServer;

  before(async () => {
    dir = tempDir("ai-trace-serve-");
    for (const from of [PYTHON_SEED, OURS]) {
      for (
        const name of from === OURS
          ? ["planner_20261125_100000_abc123.jsonl", "crawler_20261125_110000_def456.jsonl"]
          : ["trading_agent_20261124_220803.jsonl", "research_agent_20261124_220805.jsonl"]
      ) {
        copyFileSync(join(from, name), join(dir, name));
      }
    }
    server = await startServer({ dir, port: 0, now: () => NOW, pollMs: 50 });
  });
  after(async () => {
    await server?.close();
    removeDir(dir);
  });

  test("serve's /api/sessions, /api/sessions/FILE and /api/stats answer as list, view and stats --json", async () => {
    for (
      const [path, args] of [
        ["api/sessions", ["list", "--json"]],
        ["api/stats", ["stats", "--json"]],
        ["api/sessions/planner_20261125_100000_abc123.jsonl", ["view", "planner", "--json"]],
      ] as const
    ) {
      const answer = await get(server.url + path);
      assert.equal(answer.status, 200, answer.body);
      assert.match(String(answer.headers["content-type"]), /^application\/json/);
      const expected = await cli(["--dir", dir, ...args]);
      assert.equal(expected.code, 0, expected.err);
      assert.deepEqual(JSON.parse(answer.body), JSON.parse(expected.out), path);
    }
  });

  test("serve says nosniff on every answer and sends the page with a strict CSP", async () => {
    for (const path of ["", "api/sessions", "nope", "sessions/x.jsonl"]) {
      const answer = await get(server.url + path);
      assert.equal(answer.headers["x-content-type-options"], "nosniff", path);
    }
    const page = await get(server.url);
    assert.equal(page.status, 200);
    const csp = String(page.headers["content-security-policy"]);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'sha256-[^']+'(;|$)/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(page.body, /<iframe id="report" title="Session report" sandbox="allow-scripts"/);
    // The report and the diff, shown in the page's frame, may be framed by this server's page only.
    for (
      const path of [
        "sessions/planner_20261125_100000_abc123.jsonl/report.html",
        "diff?a=planner_20261125_100000_abc123.jsonl&b=crawler_20261125_110000_def456.jsonl",
      ]
    ) {
      const framed = await get(server.url + path);
      assert.equal(framed.status, 200, path);
      assert.equal(framed.headers["content-security-policy"], "frame-ancestors 'self'", path);
      assert.match(framed.body, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/, path);
    }
  });

  test("serve refuses a Host header that is not its own address (DNS rebinding)", async () => {
    const port = new URL(server.url).port;
    for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      const answer = await get(server.url + "api/sessions", { host });
      assert.equal(answer.status, 403, host);
      assert.doesNotMatch(answer.body, /planner/);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      assert.equal((await get(server.url + "api/sessions", { host })).status, 200, host);
    }
  });

  test("serve takes a whole URL as the request target only for its own address", async () => {
    const port = new URL(server.url).port;
    const raw = (target: string, host = `127.0.0.1:${port}`) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1");
        let text = "";
        socket.setEncoding("latin1");
        socket.on("data", (chunk: string) => (text += chunk));
        socket.on("close", () => resolve(text.split("\r\n")[0]));
        socket.on("error", reject);
        socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      });
    // HTTP says the target's host wins over the Host header: it was not looked at.
    assert.match(await raw("http://evil.example/api/sessions"), / 403 /);
    assert.match(await raw(`http://evil.example:${port}/api/sessions`), / 403 /);
    assert.match(await raw(`http://127.0.0.1:${port}/api/sessions`, "evil.example"), / 200 /);
    // A path that starts with two slashes is a path, not another host.
    assert.match(await raw("//evil.example/api/sessions"), / 404 /);
  });

  test("serve refuses every request from a page of another origin", async () => {
    const port = new URL(server.url).port;
    const before = readdirSync(dir).sort();
    for (const origin of ["http://evil.example", `http://evil.example:${port}`, "null", `https://127.0.0.1:${port}`]) {
      assert.equal((await get(server.url + "api/sessions", { origin })).status, 403, origin);
      const post = await fetch(server.url + "v1/traces", {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify({ resourceSpans: [] }),
      });
      assert.equal(post.status, 403, origin);
      await post.body?.cancel();
    }
    assert.deepEqual(readdirSync(dir).sort(), before);
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      assert.equal((await get(server.url + "api/sessions", { origin })).status, 200, origin);
    }
  });

  test("allowedHosts() answers to the address bound, loopback names, and address literals on every address", () => {
    const cases: [string, number, string[], string[]][] = [
      ["127.0.0.1", 6006, ["127.0.0.1:6006", "LOCALHOST:6006", "[::1]:6006"], [
        "127.0.0.1",
        "127.0.0.1:6007",
        "localhost.:6006",
        "evil.example:6006",
        "127.0.0.1.nip.io:6006",
      ]],
      ["127.0.0.1", 80, ["127.0.0.1", "localhost", "127.0.0.1:80"], ["evil.example"]],
      ["0.0.0.0", 6006, ["localhost:6006", "192.168.1.20:6006", "[fe80::1]:6006"], ["evil.example:6006"]],
      ["::1", 6006, ["[::1]:6006", "localhost:6006"], ["::1:6006"]],
      ["myhost.lan", 6006, ["myhost.lan:6006", "MyHost.lan:6006"], ["localhost:6006", "10.0.0.1:6006"]],
    ];
    for (const [host, port, yes, no] of cases) {
      const allowed = allowedHosts(host, port);
      for (const value of yes) assert.equal(allowed(value), true, `${host}:${port} answers to ${value}`);
      for (const value of no) assert.equal(allowed(value), false, `${host}:${port} refuses ${value}`);
    }
    assert.equal(allowedHosts("127.0.0.1", 6006)(undefined), false);
  });

  test("serve reaches the disk only for files listed in the directory", async () => {
    const outside = tempDir("ai-trace-serve-outside-");
    try {
      copyFileSync(
        join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl"),
        join(outside, "secret_20260101_000000.jsonl"),
      );
      for (
        const path of [
          `sessions/${encodeURIComponent(join(outside, "secret_20260101_000000.jsonl"))}`,
          `api/sessions/..%2F${encodeURIComponent(outside.split("/").pop()!)}%2Fsecret_20260101_000000.jsonl`,
          "api/sessions/..%2F..%2F..%2Fetc%2Fpasswd",
          "sessions/latest",
          "sessions/planner",
          "sessions/%E0%A4%A",
        ]
      ) {
        const answer = await get(server.url + path);
        assert.ok(answer.status === 404 || answer.status === 400, `${path}: ${answer.status}`);
        assert.doesNotMatch(answer.body, /trading_agent|root:/, path);
      }
    } finally {
      removeDir(outside);
    }
  });

  test("serve downloads a session as JSON, Markdown, HTML and OTLP", async () => {
    const base = `${server.url}sessions/planner_20261125_100000_abc123.jsonl/export?format=`;
    const json = await get(base + "json");
    assert.equal(json.status, 200);
    assert.match(
      String(json.headers["content-disposition"]),
      /attachment; filename="planner_20261125_100000_abc123\.json"/,
    );
    assert.equal(JSON.parse(json.body).agent, "planner");
    assert.match((await get(base + "md")).body, /^# Trace: planner/);
    assert.match((await get(base + "html")).body, /^<!doctype html>/);
    assert.ok(Array.isArray(JSON.parse((await get(base + "otlp")).body).resourceSpans));
    assert.equal((await get(base + "exe")).status, 400);
    // Not a format, though every object has it.
    assert.equal((await get(base + "constructor")).status, 400);
  });

  test("serve compares two sessions of the directory as ai-trace diff --html does", async () => {
    const a = "trading_agent_20261124_220803.jsonl";
    const b = "planner_20261125_100000_abc123.jsonl";
    const answer = await get(`${server.url}diff?a=${a}&b=${b}`);
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^<!doctype html>/);
    assert.match(answer.body, /<div id="verdict" class="verdict"><\/div>/);
    assert.match(answer.body, /"agent":"trading_agent"/);
    assert.match(answer.body, /"agent":"planner"/);
    assert.equal((await get(`${server.url}diff?a=${a}`)).status, 400);
    assert.equal((await get(`${server.url}diff?a=${a}&b=..%2Fx.jsonl`)).status, 404);
  });

  test("serve answers HEAD /api/events and goes on serving the connection", { timeout: 60_000 }, async () => {
    // One kept-alive connection: a stream opened for the HEAD (never ended) would hold it, and the GET would wait.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ask = (method: string, path: string) =>
      new Promise<{ status: number; type: string }>((resolve, reject) => {
        const req = request(server.url + path, { method, agent }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]) }));
        });
        req.on("error", reject);
        req.end();
      });
    try {
      assert.deepEqual(await ask("HEAD", "api/events"), { status: 200, type: "text/event-stream; charset=utf-8" });
      assert.equal((await ask("GET", "api/stats")).status, 200);
    } finally {
      agent.destroy();
    }
  });

  test("serve streams a change within a second of a tracer writing in the directory", async () => {
    const events = await fetch(server.url + "api/events");
    assert.equal(events.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    const tracer = new Tracer("live_agent", { traceDir: dir });
    const name = tracer.path!.split("/").pop()!;
    let seen = "";
    // Bounded only against a hang: the watch looks every 50 ms here.
    const deadline = Date.now() + 20_000;
    while (!seen.includes(name) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    assert.match(seen, /event: change\ndata: \{"added":\[[^\]]*"live_agent_/);
    tracer.step("later", () => {});
    seen = "";
    while (!/"changed":\[[^\]]*live_agent_/.test(seen) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    assert.match(seen, /"changed":\["live_agent_[^"]+"\]/);
    await tracer.close();
    await reader.cancel();
    const listed = JSON.parse((await get(server.url + "api/sessions")).body);
    assert.ok(listed.sessions.some((s: { agent: string }) => s.agent === "live_agent"));
  });
});

describe("ai-trace serve as a process", () => {
  test("serve prints 'Listening on http://127.0.0.1:PORT/' first and exits 0 on Ctrl-C", async () => {
    const dir = tempDir("ai-trace-serve-process-");
    try {
      mkdirSync(join(dir, "traces"));
      writeFileSync(join(dir, "traces", "x.txt"), "not a trace");
      const run = startScript(CLI, { args: ["--dir", join(dir, "traces"), "serve", "--port", "0"] });
      await run.waitFor("\n");
      const first = run.stdout.split("\n")[0];
      assert.match(first, /^Listening on http:\/\/127\.0\.0\.1:\d+\/$/);
      const url = first.slice("Listening on ".length);
      const answer = await get(url + "api/sessions");
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body).sessions, []);
      process.kill(run.child.pid!, "SIGINT");
      assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr);
    } finally {
      removeDir(dir);
    }
  });

  test("serve on another address than 127.0.0.1 warns that traces may hold sensitive data", async () => {
    // Stopped before it starts: it still binds, says where, warns, and stops.
    const controller = new AbortController();
    controller.abort();
    const running = cli(["--dir", OURS, "serve", "--port", "0", "--host", "0.0.0.0"], { signal: controller.signal });
    const { code, out, err } = await running;
    assert.equal(code, 0);
    assert.match(out, /^Listening on http:\/\/0\.0\.0\.0:\d+\/\n$/);
    assert.match(err, /^warning: serving on 0\.0\.0\.0: anyone who can reach this address can read every trace/);
  });

  test("serve on a port in use says so in one line and exits 1", async () => {
    const busy = await startServer({ dir: OURS, port: 0 });
    try {
      const { code, out, err } = await cli(["--dir", OURS, "serve", "--port", String(busy.port)]);
      assert.equal(code, 1);
      assert.equal(out, "");
      assert.equal(err, `error: Cannot listen on 127.0.0.1:${busy.port}: the port is in use (try --port 0)\n`);
    } finally {
      await busy.close();
    }
  });

  test("serve rejects a bad --port with exit 2", async () => {
    for (const port of ["abc", "70000", "-1"]) {
      const { code, err } = await cli(["--dir", OURS, "serve", "--port", port]);
      assert.equal(code, 2, port);
      assert.match(err, /^error: Option "--port"/);
    }
  });
});
