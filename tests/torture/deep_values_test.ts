// Deeply nested values (issue 12, finding 9): one 20 KB line with arrays
// nested 10,000 deep made `view --json`, `export --format html|otlp|json` and
// `push` fail with "Maximum call stack size exceeded", and such a file made
// `push --all` send nothing. The reader now limits depth the way the writer
// does, replacing what is deeper with the writer's markers ("[Array]",
// "[Object]"), and a bad file never stops the others.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tracer } from "../../mod.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { cli, figure } from "./_torture.ts";

const DEPTH = 10_000;

test("values nested 10,000 deep are cut at the reader's depth limit in every export and in push --all", async () => {
  const dir = tempDir("ai-trace-deep-");
  const received: number[] = [];
  const server = createServer((request, response) => {
    let bytes = 0;
    request.on("data", (chunk: Uint8Array) => bytes += chunk.length);
    request.on("end", () => {
      received.push(bytes);
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const tracer = new Tracer("shallow", { traceDir: dir });
    tracer.step("fine", { v: 1 }, () => {});
    await tracer.close();
    const deep = "[".repeat(DEPTH) + "]".repeat(DEPTH);
    const deepObject = '{"a":'.repeat(DEPTH) + "1" + "}".repeat(DEPTH);
    const lines = [
      JSON.stringify({
        type: "session",
        schema: "ai-trace/1",
        agent: "deep",
        session_id: "20200101_000000_deep",
        started_at: 1,
        meta: {},
      }),
      `{"type":"step","id":1,"parent_id":null,"name":"deep","context":{"nested":${deep},"object":${deepObject}},"logs":[{"_t":1,"v":${deep}}],"decision":{"action":"GO","alternatives":${deep}},"started_at":1,"finished_at":2,"duration_ms":1000,"outcome":"ok","error":null}`,
    ];
    const path = join(dir, "deep_20200101_000000_deep.jsonl");
    writeFileSync(path, lines.join("\n") + "\n");

    let runs = 0;
    for (
      const args of [
        ["view", path],
        ["view", path, "--json"],
        ...["json", "md", "html", "otlp", "otlp-proto"].map((f) => ["export", path, "--format", f]),
      ]
    ) {
      const run = await cli(["--dir", dir, ...args]);
      runs++;
      assert.equal(run.code, 0, `${args.join(" ")}: ${run.err}`);
      assert.doesNotMatch(run.err, /call stack/i, args.join(" "));
      if (args.includes("json") || args.includes("--json")) assert.match(run.out, /\[Array\]/, args.join(" "));
    }
    const session = JSON.parse((await cli(["--dir", dir, "view", path, "--json"])).out);
    let depth = 0;
    for (let value = session.steps[0].context.nested; Array.isArray(value); value = value[0]) depth++;
    assert.ok(depth > 10 && depth < 100, `cut at a depth of ${depth}`);

    const { port } = server.address() as AddressInfo;
    const push = await cli(["--dir", dir, "push", "--all", "--endpoint", `http://127.0.0.1:${port}`]);
    runs++;
    assert.equal(push.code, 0, push.err);
    assert.match(push.err + push.out, /Pushed 2 sessions/);
    assert.ok(received.length > 0, "the server received the sessions");
    figure(
      "deep-values",
      `a 40 KB line with arrays and objects nested ${
        DEPTH.toLocaleString("en-US")
      } deep: ${runs} runs (view, view --json, ` +
        `export json|md|html|otlp|otlp-proto, push --all) exit 0, values cut at depth ${depth} with "[Array]"; ` +
        `push --all sent both sessions`,
    );
  } finally {
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    removeDir(dir);
  }
});
