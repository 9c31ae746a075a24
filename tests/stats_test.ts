import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { collectStats, StatsAggregator } from "../src/read/stats.ts";
import { listTraceFiles } from "../src/read/trace_dir.ts";
import type { ReadWarning } from "../src/format/types.ts";
import { PYTHON_SEED } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";

describe("stats", () => {
  test("collectStats() counts the original's files as its CLI did, warning once for the cut-off line", async () => {
    const warnings: ReadWarning[] = [];
    const report = await collectStats(listTraceFiles(PYTHON_SEED).files, { onWarning: (w) => warnings.push(w) });
    assert.deepEqual([report.sessions, report.steps, report.ok, report.errors], [4, 308, 281, 27]);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].line, 3);
    assert.match(warnings[0].message, /last line is cut off/);
  });

  test("collectStats() pairs start and step lines, counts steps in flight, and skips files with no session", async () => {
    const dir = tempDir();
    try {
      const lines = [
        { type: "session", agent: "a", session_id: "20261125_000000_x" },
        { type: "start", id: 1, parent_id: null, name: "outer", context: {}, started_at: 1 },
        { type: "start", id: 2, parent_id: 1, name: "inner", context: {}, started_at: 2 },
        {
          type: "step",
          id: 2,
          parent_id: 1,
          name: "inner",
          context: {},
          started_at: 2,
          finished_at: 3,
          duration_ms: 10,
          outcome: "timeout",
          error: null,
          logs: [],
          usage: { input_tokens: 5, output_tokens: 7, cost_usd: 0.5 },
        },
      ];
      writeFileSync(
        join(dir, "a_20261125_000000_x.jsonl"),
        lines.map((l) => JSON.stringify(l)).join("\n") + "\nnot json\n" + JSON.stringify({ type: "end", summary: {} }) +
          "\n",
      );
      writeFileSync(join(dir, "b_20261125_000001_y.jsonl"), "");
      writeFileSync(join(dir, "c_20261125_000002_z.jsonl"), "garbage\nmore garbage\n");
      const warnings: ReadWarning[] = [];
      const report = await collectStats(listTraceFiles(dir).files, { onWarning: (w) => warnings.push(w) });
      assert.equal(report.sessions, 1);
      assert.equal(report.steps, 1);
      assert.equal(report.other, 1);
      assert.equal(report.in_flight, 1);
      assert.deepEqual([report.input_tokens, report.output_tokens, report.cost_usd], [5, 7, 0.5]);
      assert.deepEqual(warnings.map((w) => [w.path.slice(dir.length + 1), w.line, w.message]), [
        ["c_20261125_000002_z.jsonl", 0, "not a trace file (line 1 is not a JSON record), skipped"],
        ["b_20261125_000001_y.jsonl", 0, "the file is empty, skipped"],
        ["a_20261125_000000_x.jsonl", 5, "line is not JSON, skipped"],
      ]);
    } finally {
      removeDir(dir);
    }
  });

  test("StatsAggregator.report() gives per-name error rate and percentiles, most frequent first", () => {
    const stats = new StatsAggregator();
    for (let i = 1; i <= 100; i++) {
      stats.addStep({ name: "fast", outcome: i % 10 === 0 ? "error" : "ok", duration_ms: i });
    }
    stats.addStep({ name: "slow", outcome: "ok", duration_ms: 5000 });
    const report = stats.report();
    assert.deepEqual(report.by_name.map((n) => n.name), ["fast", "slow"]);
    const fast = report.by_name[0];
    assert.equal(fast.error_rate, 0.1);
    assert.equal(fast.p50_ms, 50);
    assert.equal(fast.p95_ms, 95);
    assert.deepEqual(report.top_names, [{ name: "fast", count: 100 }, { name: "slow", count: 1 }]);
  });
});
