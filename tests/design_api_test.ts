import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readRecords, removeDir, runScript, tempDir } from "./_helpers.ts";

const script = join(import.meta.dirname!, "testdata", "design_script.ts");

test("Tracer API of DESIGN.md: a script using it runs unchanged and writes the format's files and lines", () => {
  const dir = tempDir();
  const run = runScript(script, { cwd: join(import.meta.dirname!, ".."), env: { AI_TRACE_DIR: dir } });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /caught: rate limited/);
  const path = (key: string) => new RegExp(`^${key} (.*)$`, "m").exec(run.stdout)![1];
  const jsonl = path("JSONL");
  assert.ok(jsonl.startsWith(dir));
  assert.match(jsonl, /trading_agent_\d{8}_\d{6}_[0-9a-z]{6}\.jsonl$/);

  const records = readRecords(jsonl);
  const types = records.map((r) => r.type);
  assert.equal(types[0], "session");
  assert.equal(types.at(-1), "end");
  assert.equal(types.filter((t) => t === "start").length, 8);
  assert.equal(types.filter((t) => t === "step").length, 8);
  const steps = records.filter((r) => r.type === "step");
  for (const step of steps) {
    for (
      const field of [
        "id",
        "parent_id",
        "name",
        "context",
        "started_at",
        "finished_at",
        "duration_ms",
        "outcome",
        "error",
        "logs",
      ]
    ) {
      assert.ok(field in step, `${step.name} has ${field}`);
    }
  }
  const research = steps.find((s) => s.name === "research")!;
  assert.deepEqual(steps.filter((s) => s.name === "fetch").map((s) => s.parent_id), [research.id, research.id]);
  assert.deepEqual(steps.find((s) => s.name === "decision")!.decision, {
    action: "ENTER_LONG",
    reason: "SuperTrend bullish + volume spike",
    confidence: 0.87,
    alternatives: ["HOLD"],
  });
  assert.deepEqual(steps.filter((s) => s.outcome === "error").map((s) => [s.name, s.error]), [
    ["execute", "timeout"],
    ["tool_call", "rate limited"],
  ]);
  const summary = JSON.parse(path("SUMMARY"));
  assert.equal(summary.steps, 8);
  assert.equal(summary.errors, 2);
  assert.equal(summary.input_tokens, 240);
  const end = records.at(-1)!;
  assert.equal((end.summary as { steps: number }).steps, 8);

  const snapshot = JSON.parse(readFileSync(path("JSON"), "utf8"));
  assert.deepEqual(
    Object.keys(snapshot).filter((k) => ["agent", "session_id", "saved_at", "meta", "steps", "schema"].includes(k))
      .sort(),
    [
      "agent",
      "meta",
      "saved_at",
      "schema",
      "session_id",
      "steps",
    ],
  );
  assert.equal(snapshot.steps.length, 8);
  const markdown = readFileSync(path("MD"), "utf8");
  assert.match(markdown, /## Summary/);
  assert.match(markdown, /## Metadata/);
  assert.match(markdown, /### 2\.1\. ✅ `fetch`/);
  assert.match(markdown, /❌ `execute`/);
  removeDir(dir);
});
