import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { assertGolden, cli, OURS, PYTHON_SEED } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";

/** An ANSI color sequence. */
const ANSI = new RegExp(String.fromCharCode(27) + "\\[");

describe("ai-trace list", () => {
  test("list() prints the original's sessions newest first, each once (golden)", async () => {
    const { code, out, err } = await cli(["--dir", PYTHON_SEED, "list"]);
    assert.equal(code, 0);
    assert.equal(err, "");
    assertGolden("list_python_seed.txt", out);
    const agents = out.trim().split("\n").slice(1).map((line) => line.split(/\s{2,}/)[1]);
    assert.deepEqual(agents, ["crashy_agent", "research_agent", "weird names & chars", "trading_agent"]);
  });

  test("list() shows complete and crashed sessions of ours with steps in flight (golden)", async () => {
    const { code, out } = await cli(["list", "--dir", OURS]);
    assert.equal(code, 0);
    assertGolden("list_ours.txt", out);
    assert.match(out, /crawler .* crashed \(2 in flight\)/);
    assert.match(out, /planner .* complete/);
  });

  test("list() --json prints every session as parsable JSON", async () => {
    const { code, out } = await cli(["--dir", PYTHON_SEED, "list", "--json"]);
    assert.equal(code, 0);
    const parsed = JSON.parse(out);
    assert.equal(parsed.sessions.length, 4);
    const research = parsed.sessions.find((s: { agent: string }) => s.agent === "research_agent");
    assert.equal(research.steps, 300);
    assert.equal(research.format, "jsonl");
    assert.doesNotMatch(out, ANSI);
  });

  test("list() takes a complete session's totals from its end line, not its steps", async () => {
    const dir = tempDir();
    try {
      // The end line claims 1000 steps while the file holds one: only the tail was read.
      const lines = [
        {
          type: "session",
          schema: "ai-trace/1",
          agent: "big",
          session_id: "20261125_120000_aaa111",
          started_at: 1795608000,
          meta: {},
          runtime: { name: "deno", version: "2" },
          pid: 1,
          host: "elsewhere",
        },
        {
          type: "step",
          id: 1,
          parent_id: null,
          name: "s",
          context: {},
          started_at: 1795608000.5,
          finished_at: 1795608001,
          duration_ms: 500,
          outcome: "ok",
          error: null,
          logs: [],
        },
        { type: "end", finished_at: 1795608100, summary: { steps: 1000, ok: 990, errors: 10, in_flight: 0 } },
      ];
      writeFileSync(
        join(dir, "big_20261125_120000_aaa111.jsonl"),
        lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
      );
      const { code, out } = await cli(["--dir", dir, "list", "--json"]);
      assert.equal(code, 0);
      const [entry] = JSON.parse(out).sessions;
      assert.equal(entry.fast, true);
      assert.equal(entry.steps, 1000);
      assert.equal(entry.errors, 10);
      assert.equal(entry.state, "complete");
      assert.equal(entry.duration_ms, 100_000);
    } finally {
      removeDir(dir);
    }
  });

  test("list() -n limits to the newest sessions and rejects a bad count with exit 2", async () => {
    const limited = await cli(["--dir", PYTHON_SEED, "list", "-n", "1", "--json"]);
    assert.equal(JSON.parse(limited.out).sessions.length, 1);
    const bad = await cli(["--dir", PYTHON_SEED, "list", "-n", "many"]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.err,
      /^error: Option "--limit" needs a whole number, got "many"\nRun "ai-trace list --help" for usage\.\n$/,
    );
  });

  test("list() -n 0 shows no session and says how many there are, not that there are none", async () => {
    const { code, out } = await cli(["--dir", PYTHON_SEED, "list", "-n", "0"]);
    assert.equal(code, 0);
    assert.doesNotMatch(out, /No sessions/);
    assert.match(out, /^0 of 4 sessions shown \(-n 0\)\n$/);
  });

  test("list() says so when the directory holds no sessions", async () => {
    const dir = tempDir();
    try {
      const { code, out } = await cli(["--dir", dir, "list"]);
      assert.equal(code, 0);
      assert.match(out, /^No sessions in ".*"\n$/);
      const json = await cli(["--dir", dir, "list", "--json"]);
      assert.deepEqual(JSON.parse(json.out).sessions, []);
    } finally {
      removeDir(dir);
    }
  });

  test("list() colors only on a terminal without NO_COLOR", async () => {
    const tty = await cli(["--dir", PYTHON_SEED, "list"], { isTTY: true });
    assert.match(tty.out, ANSI);
    const noColor = await cli(["--dir", PYTHON_SEED, "list"], { isTTY: true, env: { NO_COLOR: "1" } });
    assert.doesNotMatch(noColor.out, ANSI);
    const json = await cli(["--dir", PYTHON_SEED, "list", "--json"], { isTTY: true });
    assert.doesNotMatch(json.out, ANSI);
    assert.equal(noColor.out, (await cli(["--dir", PYTHON_SEED, "list"])).out);
  });

  test("list() counts a snapshot next to its JSONL file once", async () => {
    const dir = tempDir();
    try {
      for (const name of ["trading_agent_20261124_220803.jsonl", "trading_agent_20261124_220803.json"]) {
        copyFileSync(join(PYTHON_SEED, name), join(dir, name));
      }
      copyFileSync(
        join(PYTHON_SEED, "research_agent_20261124_220805.json"),
        join(dir, "research_agent_20261124_220805.json"),
      );
      const { out } = await cli(["--dir", dir, "list", "--json"]);
      const names = JSON.parse(out).sessions.map((s: { name: string }) => s.name);
      assert.deepEqual(names, ["research_agent_20261124_220805.json", "trading_agent_20261124_220803.jsonl"]);
    } finally {
      removeDir(dir);
    }
  });

  test("list() and stats() count a session once when its exports are written into the trace directory", async () => {
    const dir = tempDir();
    try {
      for (const name of ["crawler_20261125_110000_def456.jsonl", "planner_20261125_100000_abc123.jsonl"]) {
        copyFileSync(join(OURS, name), join(dir, name));
      }
      for (const [query, out] of [["crawler", "x_report.json"], ["crawler", "x.otlp.json"], ["planner", "p.otlp"]]) {
        const exported = await cli(["--dir", dir, "export", query, "-o", join(dir, out)]);
        assert.equal(exported.code, 0, exported.err);
      }
      // A snapshot exported elsewhere and copied in alone: its session is listed once, from its content.
      const lone = tempDir();
      const research = "research_agent_20261124_220805.jsonl";
      copyFileSync(join(PYTHON_SEED, research), join(lone, research));
      await cli(["--dir", lone, "export", "latest", "-o", join(dir, "research_report.json")]);
      removeDir(lone);

      const list = await cli(["--dir", dir, "list", "--json"]);
      assert.equal(list.err, "", "no warning for our own exports");
      const sessions = JSON.parse(list.out).sessions.map((s: { agent: string; session_id: string; name: string }) =>
        `${s.agent} ${s.session_id} ${s.name}`
      );
      assert.deepEqual(sessions, [
        "crawler 20261125_110000_def456 crawler_20261125_110000_def456.jsonl",
        "planner 20261125_100000_abc123 planner_20261125_100000_abc123.jsonl",
        "research_agent 20261124_220805 research_report.json",
      ]);
      const stats = await cli(["--dir", dir, "stats", "--json"]);
      assert.equal(stats.err, "");
      assert.equal(JSON.parse(stats.out).sessions, 3);
      const latest = await cli(["--dir", dir, "view", "latest", "--json"]);
      assert.equal(JSON.parse(latest.out).path, join(dir, "crawler_20261125_110000_def456.jsonl"));
    } finally {
      removeDir(dir);
    }
  });
});
