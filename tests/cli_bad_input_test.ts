import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { assertOneLineError, CLI, cli, PYTHON_SEED } from "./_cli.ts";
import { removeDir, scriptCommand, SETPRIV, tempDir } from "./_helpers.ts";

/** A directory with one good session and `name` holding `content` (or a directory when `content` is undefined). */
function dirWith(name: string, content: string | Uint8Array | undefined): string {
  const dir = tempDir();
  copyFileSync(
    join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl"),
    join(dir, "trading_agent_20261124_220803.jsonl"),
  );
  if (content === undefined) mkdirSync(join(dir, name));
  else writeFileSync(join(dir, name), content);
  return dir;
}

/** `view` fails with exit 1 and one line; `list` and `stats` skip the file with one warning and go on. */
async function assertRejected(name: string, content: string | Uint8Array | undefined, message: RegExp): Promise<void> {
  const dir = dirWith(name, content);
  try {
    const view = await cli(["--dir", dir, "view", name]);
    assert.equal(view.code, 1, view.err);
    assert.equal(view.out, "");
    assertOneLineError(view.err, message);
    for (const command of ["list", "stats"]) {
      const result = await cli(["--dir", dir, command]);
      assert.equal(result.code, 0, `${command}: ${result.err}`);
      assert.match(result.out, command === "list" ? /trading_agent/ : /^Sessions:\s+1\n/, command);
      const warnings = result.err.trim().split("\n");
      assert.equal(warnings.length, 1, `${command}: ${result.err}`);
      assert.match(warnings[0], new RegExp(`^warning: .*${name.replace(".", "\\.")}: .*skipped$`), command);
    }
  } finally {
    removeDir(dir);
  }
}

describe("ai-trace on bad input", () => {
  test("an empty file: view exits 1 with one line, list and stats skip it", async () => {
    await assertRejected(
      "empty_20261125_000000.jsonl",
      "",
      /^error: Cannot read trace ".*empty_20261125_000000\.jsonl": the file is empty$/,
    );
  });

  test("random bytes: view exits 1 with one line, list and stats skip it", async () => {
    const bytes = new Uint8Array(4096);
    let seed = 42;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    await assertRejected(
      "noise_20261125_000000.jsonl",
      bytes,
      /^error: Cannot read trace ".*noise_20261125_000000\.jsonl": not a trace file \(line \d+ is not a JSON record\)$/,
    );
  });

  test("a 50 MB single line: view exits 1 with one line, list and stats skip it", async () => {
    await assertRejected(
      "huge_20261125_000000.jsonl",
      '{"name": "x", "context": {"blob": "' + "x".repeat(50 * 1024 * 1024),
      /^error: Cannot read trace ".*huge_20261125_000000\.jsonl": not a trace file \(line 1 is not a JSON record\)$/,
    );
  });

  test("a directory named x.jsonl: view exits 1 with one line, list and stats skip it", async () => {
    await assertRejected(
      "x.jsonl",
      undefined,
      /^error: Cannot read trace ".*x\.jsonl": it is a directory, not a file$/,
    );
  });

  for (
    const [what, text] of [
      ["pino log lines", '{"level":30,"time":1764000000000,"pid":1,"hostname":"h","msg":"server started"}\n'.repeat(3)],
      ['a lone {"foo":1}', '{"foo":1}\n'],
      ["objects with a name but no outcome or start", '{"name":"x"}\n{"name":"y","level":30}\n'],
    ]
  ) {
    test(`${what} in app.jsonl: not a trace file, skipped with a warning, never latest`, async () => {
      await assertRejected(
        "app.jsonl",
        text,
        /^error: Cannot read trace ".*app\.jsonl": not a trace file \(line 1 is not a trace record\)$/,
      );
      const dir = dirWith("app.jsonl", text);
      try {
        const json = await cli(["--dir", dir, "list", "--json"]);
        assert.deepEqual(JSON.parse(json.out).sessions.map((s: { agent: string }) => s.agent), ["trading_agent"]);
        const stats = JSON.parse((await cli(["--dir", dir, "stats", "--json"])).out);
        assert.equal(stats.sessions, 1);
        assert.ok(stats.by_name.every((n: { name: string }) => n.name !== ""), "no blank name row");
        const latest = await cli(["--dir", dir, "view", "latest", "--json"]);
        assert.equal(latest.code, 0, latest.err);
        assert.equal(JSON.parse(latest.out).agent, "trading_agent");
        const tail = await cli(["--dir", dir, "tail", "--no-follow"]);
        assert.match(tail.out, /^── trading_agent /);
      } finally {
        removeDir(dir);
      }
    });
  }

  test("a JSON file that is not a snapshot (no steps list) is skipped with a warning and never latest", async () => {
    const dir = dirWith("settings.json", '{"theme":"dark","steps_enabled":true}');
    try {
      const latest = await cli(["--dir", dir, "view", "latest", "--json"]);
      assert.equal(latest.code, 0, latest.err);
      assert.equal(JSON.parse(latest.out).agent, "trading_agent");
      const list = await cli(["--dir", dir, "list"]);
      assert.match(list.err, /settings\.json: not a trace snapshot \(no "steps" list\), skipped/);
    } finally {
      removeDir(dir);
    }
  });

  test("a file of the original's step lines alone is a trace: name with outcome, or name with started_at", async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, "a.jsonl"), '{"name":"scan","outcome":"ok","duration_ms":1}\n');
      writeFileSync(join(dir, "b.jsonl"), '{"name":"plan","started_at":1764000000.5}\n');
      const stats = JSON.parse((await cli(["--dir", dir, "stats", "--json"])).out);
      assert.equal(stats.sessions, 2);
      assert.equal(stats.steps, 2);
    } finally {
      removeDir(dir);
    }
  });

  test("timestamps out of the Date range: every command works, shows an invalid time and warns", async () => {
    const dir = dirWith("x.jsonl", "");
    try {
      removeDir(join(dir, "x.jsonl"));
      const session = (agent: string, id: string, startedAt: number) =>
        JSON.stringify({
          type: "session",
          schema: "ai-trace/1",
          agent,
          session_id: id,
          started_at: startedAt,
          meta: {},
        });
      const step = (fields: Record<string, unknown>) =>
        JSON.stringify({
          type: "step",
          id: 1,
          parent_id: null,
          name: "s",
          context: {},
          logs: [{ _t: 1e300, note: "late" }],
          started_at: 1764000000,
          finished_at: 1764000001,
          duration_ms: 1000,
          outcome: "ok",
          error: null,
          ...fields,
        });
      // Epoch microseconds by mistake, and 1e300: finite numbers no Date can hold.
      writeFileSync(
        join(dir, "micro_20261125_000000_aa.jsonl"),
        session("micro", "20261125_000000_aa", 1795608000000000) + "\n" + step({ started_at: 1795608000000000 }) + "\n",
      );
      writeFileSync(
        join(dir, "huge_20261125_000001_bb.jsonl"),
        session("huge", "20261125_000001_bb", 1764000000) + "\n" + step({ finished_at: 1e300 }) + "\n",
      );
      const list = await cli(["--dir", dir, "list"]);
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, /invalid time .*micro/);
      assert.match(list.out, /trading_agent/);
      assert.match(list.err, /micro_20261125_000000_aa\.jsonl.*started_at 1795608000000000 is not a valid time/);
      for (
        const args of [["view", "micro"], ["view", "huge"], ["export", "micro", "-f", "md"], [
          "export",
          "huge",
          "-f",
          "md",
        ]]
      ) {
        const result = await cli(["--dir", dir, ...args]);
        assert.equal(result.code, 0, `${args.join(" ")}: ${result.err}`);
        assert.match(result.out, /invalid time/, args.join(" "));
        assert.match(result.out + result.err, /is not a valid time/, args.join(" "));
      }
      for (
        const args of [["view", "huge", "--json"], ["export", "huge", "-f", "json"], ["export", "huge", "-f", "html"]]
      ) {
        const result = await cli(["--dir", dir, ...args]);
        assert.equal(result.code, 0, `${args.join(" ")}: ${result.err}`);
      }
      const tail = await cli(["--dir", dir, "tail", "--no-follow"]);
      assert.equal(tail.code, 0, tail.err);
      assert.match(tail.out, /invalid time/);
      assert.match(tail.err, /huge_20261125_000001_bb\.jsonl:2: finished_at 1e\+300 is not a valid time/);
    } finally {
      removeDir(dir);
    }
  });

  test("a directory that does not exist: every command exits 1 with one line", async () => {
    for (const args of [["list"], ["stats"], ["tail"], ["view", "latest"], ["export", "latest", "-f", "md"]]) {
      const { code, out, err } = await cli(["--dir", "/nonexistent/traces", ...args]);
      assert.equal(code, 1, args.join(" "));
      assert.equal(out, "");
      assertOneLineError(err, /^error: Cannot read trace directory "\/nonexistent\/traces": no such directory$/);
    }
  });

  test("a file named as the directory: commands exit 1 saying it is not a directory", async () => {
    const { code, err } = await cli(["--dir", join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl"), "list"]);
    assert.equal(code, 1);
    assertOneLineError(err, /: not a directory$/);
  });

  // Root reads any file whatever its mode (CAP_DAC_OVERRIDE). Tests often run as root in containers, so
  // there the CLI runs as a child process without that capability (setpriv), which makes the kernel refuse
  // the read; without setpriv the test cannot run as root, and is skipped with that reason.
  const asRoot = process.getuid?.() === 0;
  const noPermissionSkip = asRoot && SETPRIV === undefined
    ? "running as root, and setpriv is not installed to drop CAP_DAC_OVERRIDE"
    : false;
  test("a file without read permission: view exits 1 with one line", { skip: noPermissionSkip }, () => {
    const dir = dirWith(
      "secret_20261125_000000.jsonl",
      '{"name":"s","context":{},"started_at":1,"finished_at":2,"duration_ms":1,"outcome":"ok","error":null,"logs":[]}\n',
    );
    const file = join(dir, "secret_20261125_000000.jsonl");
    try {
      chmodSync(file, 0o000);
      const caps = "-dac_override,-dac_read_search";
      const prefix = asRoot ? [SETPRIV!, `--inh-caps=${caps}`, `--bounding-set=${caps}`] : [];
      const [command, args] = scriptCommand(CLI, ["--dir", dir, "view", "secret"]);
      const argv = [...prefix, command, ...args];
      const result = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      assert.equal(result.status, 1, result.stderr);
      assert.equal(result.stdout, "");
      assertOneLineError(result.stderr, /^error: Cannot read ".*secret_20261125_000000\.jsonl": permission denied$/);
      const listArgv = [...prefix, command, ...scriptCommand(CLI, ["--dir", dir, "list"])[1]];
      const list = spawnSync(listArgv[0], listArgv.slice(1), { encoding: "utf8" });
      assert.equal(list.status, 0, list.stderr);
      assert.match(list.stderr, /^warning: .*secret_20261125_000000\.jsonl: permission denied, skipped\n$/);
    } finally {
      chmodSync(file, 0o600);
      removeDir(dir);
    }
  });
});
