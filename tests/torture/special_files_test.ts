// Special files in the trace directory (issue 12, finding 15; issue 11, §2.3):
// `list` and `stats` called every entry that is not a regular file "a
// directory", and nothing may ever open a FIFO (the open would block until a
// writer comes, which is never). Each command runs in its own process with
// a deadline, so a command that blocks fails the test instead of hanging it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { removeDir, scriptCommand, tempDir } from "../_helpers.ts";
import { CLI, PYTHON_SEED } from "../_cli.ts";
import { figure } from "./_torture.ts";

const mkfifo = spawnSync("mkfifo", ["--version"]).status === 0;
/** A deadline that only bounds a hang: a command that blocks on a FIFO never ends by itself. */
const HANG_MS = 60_000;

function run(args: string[]): { code: number | null; out: string; err: string; hung: boolean } {
  const [command, commandArgs] = scriptCommand(CLI, args);
  const result = spawnSync(command, commandArgs, {
    encoding: "utf8",
    timeout: HANG_MS,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, out: result.stdout, err: result.stderr, hung: result.signal !== null };
}

test("special files are named for what they are, skipped, and a FIFO is never opened", {
  skip: !mkfifo ? "mkfifo is not available" : !existsSync("/dev/zero") ? "no /dev/zero" : false,
}, () => {
  const dir = tempDir("ai-trace-special-");
  try {
    // A session of the original's, whose snapshot beside it is a FIFO: reading the session must not open it.
    const seed = "trading_agent_20261124_220803";
    copyFileSync(join(PYTHON_SEED, `${seed}.jsonl`), join(dir, `${seed}.jsonl`));
    const fifos = [`${seed}.json`, "pipe_20261125_000000_aa.jsonl"];
    for (const name of fifos) assert.equal(spawnSync("mkfifo", [join(dir, name)]).status, 0);
    symlinkSync("/dev/zero", join(dir, "zero_20261125_000000_bb.jsonl"));
    symlinkSync(join(dir, "pipe_20261125_000000_aa.jsonl"), join(dir, "linkpipe_20261125_000000_cc.jsonl"));
    const expected: Record<string, RegExp> = {
      [`${seed}.json`]: /a named pipe \(FIFO\), not a file/,
      "pipe_20261125_000000_aa.jsonl": /a named pipe \(FIFO\), not a file/,
      "linkpipe_20261125_000000_cc.jsonl": /a named pipe \(FIFO\), not a file/,
      "zero_20261125_000000_bb.jsonl": /a character device, not a file/,
    };

    let runs = 0;
    for (const args of [["list"], ["list", "--json"], ["stats"], ["stats", "--json"]]) {
      const result = run(["--dir", dir, ...args]);
      runs++;
      assert.ok(!result.hung, `${args.join(" ")} blocked`);
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.err}`);
      assert.doesNotMatch(result.err, /a directory/, args.join(" "));
      for (const [name, message] of Object.entries(expected)) {
        const line = result.err.split("\n").find((text) => text.includes(name));
        assert.ok(line, `${args.join(" ")} warns about ${name}: ${result.err}`);
        assert.match(line, message, `${args.join(" ")}: ${name}`);
        assert.match(line, /skipped$/);
      }
      if (args.includes("--json") && args[0] === "list") {
        const listed = JSON.parse(result.out);
        assert.deepEqual(listed.sessions.map((s: { name: string }) => s.name), [`${seed}.jsonl`]);
        for (const skipped of listed.skipped) assert.doesNotMatch(skipped.message, /directory/);
      }
      if (args.includes("--json") && args[0] === "stats") assert.equal(JSON.parse(result.out).sessions, 1);
    }
    for (const name of Object.keys(expected)) {
      const result = run(["--dir", dir, "view", name]);
      runs++;
      assert.ok(!result.hung, `view ${name} blocked`);
      assert.equal(result.code, 1, `view ${name}: ${result.err}`);
      assert.match(result.err, new RegExp(`^error: Cannot read trace ".*": it is ${expected[name].source}\\n$`));
    }
    for (
      const args of [["view", "trading"], ["view", "latest"], ["export", "latest", "-f", "md"], ["tail", "--no-follow"]]
    ) {
      const result = run(["--dir", dir, ...args]);
      runs++;
      assert.ok(!result.hung, `${args.join(" ")} blocked`);
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.err}`);
      assert.match(result.out, /trading/);
    }
    figure(
      "special-files",
      `2 FIFOs (one the snapshot beside a session), a link to a FIFO, a link to /dev/zero: ${runs} CLI runs, 0 blocked, every entry named for what it is`,
    );
  } finally {
    removeDir(dir);
  }
});
