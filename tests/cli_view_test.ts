import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { join } from "node:path";
import { assertGolden, assertOneLineError, cli, OURS, PYTHON_SEED } from "./_cli.ts";

describe("ai-trace view", () => {
  test("view() shows a nested session with context, logs, decision, usage and the top of the stack (golden)", async () => {
    const { code, out, err } = await cli(["--dir", OURS, "view", "planner"]);
    assert.equal(code, 0);
    assert.equal(err, "");
    assertGolden("view_planner.txt", out);
    // Children are indented under their parent.
    assert.match(out, /^✓ plan .*\n(?: {4}.*\n)* {2}✓ llm_call/m);
    assert.match(out, /^ {2}✗ tool:search \[tool\]/m);
    assert.match(
      out,
      /decision {2}RETRY_LATER — search is down \(confidence 0\.7; alternatives "GIVE_UP", "ASK_USER"\)/,
    );
    assert.match(out, /usage {5}claude-haiku-4-5 · 1200 in \/ 300 out tokens · \$0\.0021/);
    assert.match(out, /error {5}HttpError: search API returned 503\n {6,}at search \(agent\.ts:10:5\)/);
    assert.match(out, /… 1 more frame/);
  });

  test("view() marks steps in flight at a crash (golden)", async () => {
    const { code, out } = await cli(["--dir", OURS, "view", "20261125_110000"]);
    assert.equal(code, 0);
    assertGolden("view_crawler.txt", out);
    assert.match(out, /^▶ parse {2}IN FLIGHT {2}started 11:00:00\.900, never finished$/m);
    assert.match(out, /^ {2}▶ extract_links {2}IN FLIGHT/m);
    assert.match(out, /state {5}crashed · 1 step · 1 ok · 0 errors · 2 in flight/);
  });

  for (const name of ["crashy_agent", "research_agent", "trading_agent", "weird names & chars"]) {
    test(`view() shows the original's "${name}" session`, async () => {
      const { code, out } = await cli(["--dir", PYTHON_SEED, "view", name]);
      assert.equal(code, 0);
      assert.match(out, new RegExp(`^${name} {2}20261124_`));
    });
  }

  test("view() reports the cut-off line in a footer, not as a failure (golden)", async () => {
    const { code, out, err } = await cli(["--dir", PYTHON_SEED, "view", "crashy_agent_20261124_220807.jsonl"]);
    assert.equal(code, 0);
    assert.equal(err, "");
    assertGolden("view_crashy.txt", out);
    assert.match(out, /\nwarning: .*crashy_agent_20261124_220807\.jsonl:3: last line is cut off/);
  });

  test("view() finds a session by path, file name, id, prefix and latest", async () => {
    const path = join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl");
    for (
      const query of [
        path,
        "trading_agent_20261124_220803.jsonl",
        "20261124_220803",
        "trading_agent_20261124_220803",
        "trad",
      ]
    ) {
      const { code, out } = await cli(["--dir", PYTHON_SEED, "view", query]);
      assert.equal(code, 0, query);
      assert.match(out, /^trading_agent {2}20261124_220803\n/, query);
    }
    const latest = await cli(["--dir", PYTHON_SEED, "view", "latest"]);
    assert.match(latest.out, /^crashy_agent /);
  });

  test("view() --json prints the session as parsable JSON with in-flight steps marked", async () => {
    const { code, out } = await cli(["--dir", OURS, "view", "crawler", "--json"]);
    assert.equal(code, 0);
    const session = JSON.parse(out);
    assert.equal(session.state, "crashed");
    assert.deepEqual(session.steps.map((s: { name: string; in_flight: boolean }) => [s.name, s.in_flight]), [
      ["fetch", false],
      ["parse", true],
      ["extract_links", true],
    ]);
  });

  test("view() cuts long values unless --full", async () => {
    const short = await cli(["--dir", PYTHON_SEED, "view", "research", "--json"]);
    const longText = JSON.parse(short.out).steps.map((s: { logs: { text?: string }[] }) => s.logs[0]?.text ?? "")
      .find((text: string) => text.length > 200);
    assert.ok(longText, "the research fixture has a log value over 200 characters");
    const cut = await cli(["--dir", PYTHON_SEED, "view", "research"]);
    assert.ok(!cut.out.includes(longText));
    assert.match(cut.out, /x…/);
    const full = await cli(["--dir", PYTHON_SEED, "view", "research", "--full"]);
    assert.ok(full.out.includes(longText));
  });

  test("view() fails with exit 2 for a missing or ambiguous session argument", async () => {
    const missing = await cli(["--dir", PYTHON_SEED, "view"]);
    assert.equal(missing.code, 2);
    assertOneLineError(missing.err, /^error: Missing <session>/);
    const ambiguous = await cli(["--dir", PYTHON_SEED, "view", "2026"]);
    assert.equal(ambiguous.code, 2);
    assertOneLineError(ambiguous.err, /^error: "2026" matches 4 sessions: /);
  });

  test("view() fails with exit 1 when no session matches", async () => {
    const { code, err } = await cli(["--dir", PYTHON_SEED, "view", "nobody"]);
    assert.equal(code, 1);
    assertOneLineError(err, /^error: No session matches "nobody" in ".*python-seed"/);
  });
});
