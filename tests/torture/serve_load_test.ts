// `ai-trace serve`'s OTLP receiver under load: 50 clients posting at once,
// 10,000 spans in all (a trace of 20 spans per request, over keep-alive
// connections), lose none: every span is a step in the files, every trace one
// session.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { readSession } from "../../mod.ts";
import { type RunningServer, startServer } from "../../src/serve/server.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { figure } from "./_torture.ts";

const CLIENTS = 50;
const REQUESTS_PER_CLIENT = 10;
const SPANS_PER_TRACE = 20;

function traceRequest(client: number, n: number): string {
  const traceId = (client * 1000 + n + 1).toString(16).padStart(32, "0");
  const t0 = 1_764_000_000_000n * 1_000_000n;
  const spans = [];
  for (let i = 0; i < SPANS_PER_TRACE; i++) {
    spans.push({
      traceId,
      spanId: (i + 1).toString(16).padStart(16, "0"),
      parentSpanId: i === 0 ? undefined : "0000000000000001",
      name: i === 0 ? `invoke_agent client_${client}` : `step ${i}`,
      startTimeUnixNano: String(t0 + BigInt(i) * 1_000_000n),
      endTimeUnixNano: String(t0 + BigInt(i + 1) * 1_000_000n),
      attributes: [{ key: "gen_ai.agent.name", value: { stringValue: `client_${client}` } }],
    });
  }
  // Children first, the root last, as an SDK exports them.
  spans.push(spans.shift()!);
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

function post(url: string, body: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test(
  "serve's OTLP receiver takes 10,000 spans from 50 concurrent clients and loses none",
  { timeout: 300_000 },
  async () => {
    const dir = tempDir("ai-trace-serve-load-");
    let server: RunningServer | undefined;
    try {
      server = await startServer({ dir, port: 0 });
      const url = server.url + "v1/traces";
      const started = performance.now();
      const statuses = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          const agent = new Agent({ keepAlive: true, maxSockets: 1 });
          const out: number[] = [];
          for (let n = 0; n < REQUESTS_PER_CLIENT; n++) out.push(await post(url, traceRequest(client, n), agent));
          agent.destroy();
          return out;
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      assert.deepEqual(new Set(statuses.flat()), new Set([200]));
      await server.close();
      server = undefined;
      const files = readdirSync(dir).filter((name) => name.endsWith(".jsonl"));
      assert.equal(files.length, CLIENTS * REQUESTS_PER_CLIENT, "one session per trace");
      let steps = 0;
      for (const file of files) {
        const session = await readSession(join(dir, file));
        assert.deepEqual(session.warnings, []);
        assert.equal(session.steps.length, SPANS_PER_TRACE, file);
        steps += session.steps.length;
      }
      assert.equal(steps, CLIENTS * REQUESTS_PER_CLIENT * SPANS_PER_TRACE);
      figure(
        "serve-load",
        `${CLIENTS} concurrent clients, ${CLIENTS * REQUESTS_PER_CLIENT} requests, ${steps} spans: ` +
          `${steps} steps in ${files.length} session files, 0 lost, all answered 200 (${
            Math.round(steps / seconds)
          } spans/s on this machine)`,
      );
    } finally {
      await server?.close();
      removeDir(dir);
    }
  },
);
