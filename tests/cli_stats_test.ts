import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertGolden, cli, OURS, PYTHON_SEED } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";

describe("ai-trace stats", () => {
  test("stats() agrees with the original CLI on its own files: 4 sessions, 308 steps, 281 ok, 27 errors (golden)", async () => {
    const { code, out, err } = await cli(["--dir", PYTHON_SEED, "stats"]);
    assert.equal(code, 0);
    assert.match(out, /^Sessions:\s+4\nSteps:\s+308\nOK:\s+281\nErrors:\s+27\n/);
    assertGolden("stats_python_seed.txt", out);
    // The cut-off line is skipped with a warning naming the file and line.
    assert.match(err, /^warning: .*crashy_agent_20261124_220807\.jsonl:3: last line is cut off/);
    assert.equal(err.trim().split("\n").length, 1);
  });

  test("stats() --json prints totals and per-name numbers that parse", async () => {
    const { code, out } = await cli(["--dir", PYTHON_SEED, "stats", "--json"]);
    assert.equal(code, 0);
    const report = JSON.parse(out);
    assert.deepEqual([report.sessions, report.steps, report.ok, report.errors], [4, 308, 281, 27]);
    assert.equal(report.warnings, 1);
    const fetch = report.by_name.find((n: { name: string }) => n.name === "tool:fetch");
    assert.equal(fetch.count, 68);
    assert.equal(fetch.errors, 11);
    assert.ok(fetch.p50_ms > 0 && fetch.p95_ms >= fetch.p50_ms);
    assert.deepEqual(report.top_names[0], { name: "tool:fetch", count: 68 });
  });

  test("stats() sums tokens and cost per step name and counts steps in flight (golden)", async () => {
    const { code, out } = await cli(["--dir", OURS, "stats"]);
    assert.equal(code, 0);
    assertGolden("stats_ours.txt", out);
    const json = JSON.parse((await cli(["--dir", OURS, "stats", "--json"])).out);
    assert.equal(json.sessions, 2);
    assert.equal(json.steps, 4);
    assert.equal(json.in_flight, 2);
    const llm = json.by_name.find((n: { name: string }) => n.name === "llm_call");
    assert.deepEqual([llm.input_tokens, llm.output_tokens, llm.cost_usd], [1200, 300, 0.0021]);
    const search = json.by_name.find((n: { name: string }) => n.name === "tool:search");
    assert.equal(search.error_rate, 1);
  });

  test("stats() on a directory without steps says there are no steps instead of p50 0 ms", async () => {
    const dir = tempDir();
    try {
      const { code, out } = await cli(["--dir", dir, "stats"]);
      assert.equal(code, 0);
      assert.match(out, /^Duration:\s+no steps$/m);
      assert.doesNotMatch(out, /p50/);
    } finally {
      removeDir(dir);
    }
  });
});
