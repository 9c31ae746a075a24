import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { commands } from "../src/cli/main.ts";
import { VERSION } from "../src/version.ts";
import { assertOneLineError, CLI, cli, PYTHON_SEED } from "./_cli.ts";
import { removeDir, runScript, scriptCommand, tempDir } from "./_helpers.ts";

describe("ai-trace main()", () => {
  test("main() --help prints the global help with every command and exits 0", async () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const { code, out, err } = await cli(args);
      assert.equal(code, 0);
      assert.equal(err, "");
      assert.match(
        out,
        /^ai-trace \d+\.\d+\.\d+ — read the decision traces of AI agents\n\nUsage: ai-trace \[--dir DIR\] <command>/,
      );
      for (const command of Object.values(commands)) {
        assert.ok(out.includes(`  ${command.name} `) && out.includes(command.summary));
      }
      assert.match(out, /--version/);
      assert.match(out, /Exit codes: 0 success, 1 failure/);
    }
  });

  test("main() prints each command's own help and exits 0", async () => {
    for (const name of Object.keys(commands)) {
      for (const args of [[name, "--help"], ["help", name], ["--help", name], [name, "-h"]]) {
        const { code, out } = await cli(args);
        assert.equal(code, 0, args.join(" "));
        assert.match(out, new RegExp(`^Usage: ai-trace ${name}`), args.join(" "));
        assert.match(out, /--json/);
      }
    }
  });

  test("main() --version prints the version of deno.json and package.json", async () => {
    const deno = JSON.parse(readFileSync(new URL("../deno.json", import.meta.url), "utf8"));
    const npm = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    assert.equal(VERSION, deno.version);
    assert.equal(VERSION, npm.version);
    assert.equal((await cli(["--version"])).out, `ai-trace ${VERSION}\n`);
    assert.equal((await cli(["-V"])).out, `ai-trace ${VERSION}\n`);
    assert.deepEqual(JSON.parse((await cli(["--version", "--json"])).out), { name: "ai-trace", version: VERSION });
  });

  test("main() exits 2 with one line and a hint for usage errors", async () => {
    const cases: [string[], RegExp][] = [
      [[], /^error: Missing <command>$/],
      [["lsit"], /^error: Unknown command "lsit" \(did you mean "list"\?\)$/],
      [["--bogus", "list"], /^error: Unknown option "--bogus"$/],
      [["list", "--bogus"], /^error: Unknown option "--bogus"$/],
      [["list", "extra"], /^error: Unexpected argument "extra" for "list"$/],
      [["--dir"], /^error: Option "--dir" needs a value$/],
      [["tail", "-n"], /^error: Option "--lines" needs a value$/],
      [["tail", "-n", "-3"], /^error: Option "--lines" needs a whole number, got "-3"$/],
      [["list", "--json=yes"], /^error: Option "--json" takes no value$/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await cli(["--dir", PYTHON_SEED, ...args]);
      assert.equal(code, 2, args.join(" "));
      const lines = err.trimEnd().split("\n");
      const last = lines.slice(-2);
      assert.match(last[0], message, args.join(" "));
      assert.match(last[1], /^Run "ai-trace (\w+ )?--help" for usage\.$/);
      assert.ok(!/^\s+at /m.test(err));
    }
  });

  test("main() suggests commands as the user runs the CLI: npm run cli -- from a checkout, else ai-trace", async () => {
    const viaNpm = await cli(["--dir", PYTHON_SEED, "view", "nobody"], { env: { npm_lifecycle_event: "cli" } });
    assert.equal(viaNpm.code, 1);
    assert.match(viaNpm.err, /\(try "npm run cli -- list"\)\n$/);
    const usage = await cli(["lsit"], { env: { npm_lifecycle_event: "cli" } });
    assert.match(usage.err, /\nRun "npm run cli -- --help" for usage\.\n$/);
    const direct = await cli(["--dir", PYTHON_SEED, "view", "nobody"]);
    assert.match(direct.err, /\(try "ai-trace list"\)\n$/);
  });

  test("main() reads the directory from --dir, then AI_TRACE_DIR, then ./traces", async () => {
    const fromEnv = await cli(["stats", "--json"], { env: { AI_TRACE_DIR: PYTHON_SEED } });
    assert.equal(JSON.parse(fromEnv.out).sessions, 4);
    const flagWins = await cli(["--dir", "/nonexistent", "stats"], { env: { AI_TRACE_DIR: PYTHON_SEED } });
    assert.equal(flagWins.code, 1);
    const afterCommand = await cli(["stats", "--dir", PYTHON_SEED, "--json"], {
      env: { AI_TRACE_DIR: "/nonexistent" },
    });
    assert.equal(JSON.parse(afterCommand.out).dir, PYTHON_SEED);
    // Neither: ./traces, relative to where the CLI runs (a process in a directory of the test's own).
    const cwd = tempDir();
    try {
      const missing = runScript(CLI, { args: ["list"], cwd, env: { AI_TRACE_DIR: "" } });
      assert.equal(missing.status, 1);
      assertOneLineError(missing.stderr, /^error: Cannot read trace directory "traces"/);
      mkdirSync(join(cwd, "traces"));
      copyFileSync(
        join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl"),
        join(cwd, "traces", "t_20261124_220803.jsonl"),
      );
      const found = runScript(CLI, { args: ["list", "--json"], cwd, env: { AI_TRACE_DIR: "" } });
      assert.equal(found.status, 0, found.stderr);
      assert.equal(JSON.parse(found.stdout).sessions.length, 1);
    } finally {
      removeDir(cwd);
    }
  });

  test("main() takes --json before the command too", async () => {
    const { code, out } = await cli(["--json", "--dir", PYTHON_SEED, "stats"]);
    assert.equal(code, 0);
    assert.equal(JSON.parse(out).steps, 308);
  });

  test("cli.ts runs as a process: stats on the original's files, exit codes 0 and 2", () => {
    const ok = runScript(CLI, { args: ["--dir", PYTHON_SEED, "stats"] });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^Sessions:\s+4\nSteps:\s+308\nOK:\s+281\nErrors:\s+27\n/);
    const usage = runScript(CLI, { args: ["nope"] });
    assert.equal(usage.status, 2);
    assertOneLineError(usage.stderr, /^error: Unknown command "nope"$/);
  });

  test("cli.ts as a process: a full disk on standard output is one error line and exit 1", {
    skip: existsSync("/dev/full") ? false : "no /dev/full on this system",
  }, () => {
    const full = openSync("/dev/full", "w");
    try {
      const [command, args] = scriptCommand(CLI, ["--dir", PYTHON_SEED, "export", "trading", "-f", "json"]);
      const result = spawnSync(command, args, {
        stdio: ["ignore", full, "pipe"],
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
      assert.equal(result.status, 1, result.stderr);
      assertOneLineError(result.stderr, /^error: Cannot write to standard output: no space left on device \(ENOSPC\)$/);
    } finally {
      closeSync(full);
    }
  });

  test("cli.ts as a process: a reader that goes away (EPIPE) ends the output quietly, exit 0", async () => {
    const [command, args] = scriptCommand(CLI, ["--dir", PYTHON_SEED, "export", "research", "-f", "json"]);
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (stderr += chunk));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", (status) => resolve(status)));
    assert.equal(stderr, "");
    assert.equal(code, 0);
  });
});
