// Many tiny lines that are not records (issue 12, finding 8): a 3 MB file of
// 1,000,000 `{}` lines took 830 MB in `view` and 2 GB in `export otlp` (9 MB,
// 3,000,000 lines: `view` 2.0 GB, `otlp` failed after 3.4 GB),
// because each line became a step or a warning object. Lines that are not
// records now cost a counter after the first few: one warning line with the
// count, and memory under 10× the file's size, in every command.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { removeDir, scriptCommand, tempDir } from "../_helpers.ts";
import { figure } from "./_torture.ts";

const LINES = 3_000_000;

function peakOf(args: string[]): { peak: number; code: number; out: number; err: string } {
  const script = join(import.meta.dirname!, "fixtures", "cli_memory.ts");
  const [command, commandArgs] = scriptCommand(script, args);
  const result = spawnSync(command, commandArgs, {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  const match = /PEAK (\d+) CODE (\d+) OUT (\d+) ERR (\d+)/.exec(result.stdout);
  assert.ok(match, `${args.join(" ")}: ${result.stderr}`);
  return { peak: Number(match[1]), code: Number(match[2]), out: Number(match[3]), err: match[4] };
}

test("lines that are not records cost a counter: one warning with the count, memory under 10× the file", () => {
  const root = tempDir("ai-trace-tiny-");
  const dir = join(root, "traces");
  mkdirSync(dir);
  try {
    const session = JSON.stringify({
      type: "session",
      schema: "ai-trace/1",
      agent: "tiny",
      session_id: "20260101_000000_tiny",
      started_at: 1764000000,
      meta: {},
    });
    const step = JSON.stringify({
      type: "step",
      id: 1,
      parent_id: null,
      name: "real",
      context: {},
      logs: [],
      started_at: 1764000000,
      finished_at: 1764000001,
      duration_ms: 1000,
      outcome: "ok",
      error: null,
    });
    const path = join(dir, "tiny_20260101_000000_tiny.jsonl");
    writeFileSync(path, `${session}\n${"{}\n".repeat(LINES)}${step}\n`);
    // A file of nothing but such lines: not a trace, said once.
    writeFileSync(join(dir, "blank_20260101_000001_none.jsonl"), "{}\n".repeat(LINES));
    const size = statSync(path).size;
    const baseline = peakOf(["--version"]).peak;
    let worst = 0;
    let worstCommand = "";
    for (
      const args of [
        ["list"],
        ["stats"],
        ["view", path],
        ["view", path, "--json"],
        ["tail", "--no-follow"],
        ...["json", "md", "html", "otlp"].map((f) => ["export", path, "--format", f]),
      ]
    ) {
      const run = peakOf(["--dir", dir, ...args]);
      const what = args.filter((a) => a !== path).join(" ");
      assert.equal(run.code, 0, what);
      const grown = run.peak - baseline;
      assert.ok(
        grown < 10 * size,
        `${what}: +${Math.round(grown / 1048576)} MB for a ${Math.round(size / 1048576)} MB file`,
      );
      const errLines = Number(run.err);
      assert.ok(errLines <= 20, `${what}: ${errLines} warning lines, not one with a count`);
      if (grown > worst) [worst, worstCommand] = [grown, what];
    }
    // The count is said: the first lines one by one, then one line for the rest.
    const view = spawnSync(
      ...scriptCommand(join(import.meta.dirname!, "..", "..", "cli.ts"), ["--dir", dir, "view", path]),
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    assert.match(
      view.stdout,
      new RegExp(`${LINES - 10} more lines that could not be read or are not records \\(from line 12\\), skipped`),
    );
    figure(
      "tiny-lines",
      `${LINES.toLocaleString("en-US")} "{}" lines (${
        (size / 1048576).toFixed(1)
      } MB) through 9 commands: worst peak ` +
        `+${Math.round(worst / 1048576)} MB (${worstCommand}) over the CLI at rest, bound 10 × the file; ` +
        `at most 11 warning lines (10, then one with the count)`,
    );
  } finally {
    removeDir(root);
  }
});
