import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { type MemoryIo, memoryIo } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";
import { assertGolden, CLI, cli, OURS, PYTHON_SEED, until } from "./_cli.ts";
import { LineFollower } from "../src/cli/tail.ts";
import type { Line } from "../src/format/line_reader.ts";
import { removeDir, scriptCommand, startScript, tempDir } from "./_helpers.ts";

function sessionLine(agent: string, sessionId: string, startedAt: number): string {
  return JSON.stringify({
    type: "session",
    schema: "ai-trace/1",
    agent,
    session_id: sessionId,
    started_at: startedAt,
    meta: {},
    runtime: { name: "test", version: "0" },
    pid: 1,
    host: "another-host",
  }) + "\n";
}

function stepLine(id: number, name: string, context: Record<string, unknown>, at: number): string {
  return JSON.stringify({
    type: "step",
    id,
    parent_id: null,
    name,
    context,
    started_at: at,
    finished_at: at + 0.25,
    duration_ms: 250,
    outcome: "ok",
    error: null,
    logs: [],
  }) + "\n";
}

function startLine(id: number, name: string, context: Record<string, unknown>, at: number): string {
  return JSON.stringify({ type: "start", id, parent_id: null, name, context, started_at: at }) + "\n";
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe("ai-trace tail", () => {
  test("tail() --no-follow prints the last N steps of the newest session (golden)", async () => {
    const { code, out } = await cli(["--dir", OURS, "tail", "-n", "2", "--no-follow"]);
    assert.equal(code, 0);
    assertGolden("tail_crawler.txt", out);
    assert.match(out, /^── crawler 20261125_110000_def456 ──\n/);
    // The last two steps: both in flight (the finished fetch is older).
    assert.equal(out.trim().split("\n").length, 3);
    assert.match(out, /▶ parse {2}started/);
  });

  test("tail() --no-follow shows a finished step in place of its start", async () => {
    const { code, out } = await cli(["--dir", OURS, "tail", "--no-follow"]);
    assert.equal(code, 0);
    // fetch has a start line and a step line in the file: only the finished step is shown.
    assert.equal(count(out, "fetch"), 1);
    assert.match(out, /✓ fetch {2}300 ms/);
    assert.doesNotMatch(out, /▶ fetch/);
  });

  test("tail() --json prints one JSON object per line", async () => {
    const { code, out } = await cli(["--dir", PYTHON_SEED, "tail", "--no-follow", "--json"]);
    assert.equal(code, 0);
    const events = out.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(events.map((e) => e.type), ["session", "step", "step"]);
    assert.equal(events[1].step.name, "load");
  });

  test("tail() follows a line written in two halves: shown once, whole, promptly", async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const t0 = Date.now() / 1000;
    const path = join(dir, "live_20261125_120000_aaa111.jsonl");
    writeFileSync(path, sessionLine("live", "20261125_120000_aaa111", t0));
    const { io, done } = startTail(dir, controller.signal);
    try {
      await until(() => io.out().includes("── live 20261125_120000_aaa111 ──"), 60_000, "the session header");
      const context = { url: "https://example.com/" + "x".repeat(5000), note: "héllo 🚀" };
      const line = stepLine(1, "fetch", context, t0);
      const half = Math.floor(line.length / 2);
      // The start line and the first half of the step line in one write; tail
      // prints the start once it has read up to there, half line included.
      appendFileSync(path, startLine(1, "fetch", context, t0) + line.slice(0, half));
      await until(() => io.out().includes("▶ fetch"), 60_000, "the start line");
      assert.ok(!io.out().includes("✓ fetch"), "a half line was printed");
      const written = performance.now();
      appendFileSync(path, line.slice(half));
      await until(() => io.out().includes("✓ fetch"), 60_000, "the whole step line");
      const latency = performance.now() - written;
      console.log(`tail latency for a line completed by a second write: ${latency.toFixed(1)} ms`);
      await new Promise((resolve) => setTimeout(resolve, 150)); // later polls must not print it again
      assert.equal(count(io.out(), "✓ fetch"), 1);
      const printed = io.out().split("\n").find((l) => l.includes("✓ fetch"))!;
      assert.match(printed, /note="héllo 🚀"/);
      assert.ok(io.err() === "", io.err());
    } finally {
      controller.abort();
      assert.equal(await done, 0);
      removeDir(dir);
    }
  });

  test("tail() moves on to a newer session when one starts", async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const t0 = Date.now() / 1000;
    writeFileSync(join(dir, "old_20261125_120000_aaa111.jsonl"), sessionLine("old", "20261125_120000_aaa111", t0));
    const { io, done } = startTail(dir, controller.signal);
    try {
      await until(() => io.out().includes("── old "), 60_000, "the first session");
      const newer = join(dir, "new_20261125_120001_bbb222.jsonl");
      writeFileSync(newer, sessionLine("new", "20261125_120001_bbb222", t0 + 1) + stepLine(1, "first", {}, t0 + 1));
      await until(() => io.out().includes("✓ first"), 60_000, "the newer session's step");
      assert.match(io.out(), /── old [^]*── new 20261125_120001_bbb222 ──\n.*✓ first/);
      appendFileSync(newer, stepLine(2, "second", {}, t0 + 2));
      await until(() => io.out().includes("✓ second"), 60_000, "a step appended to the newer session");
    } finally {
      controller.abort();
      assert.equal(await done, 0);
      removeDir(dir);
    }
  });

  test("tail() waits for a first session in an empty directory", async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const { io, done } = startTail(dir, controller.signal);
    try {
      await until(() => io.err().includes("Waiting for a session"), 60_000, "the waiting notice");
      const t0 = Date.now() / 1000;
      writeFileSync(
        join(dir, "a_20261125_120000_ccc333.jsonl"),
        sessionLine("a", "20261125_120000_ccc333", t0) + stepLine(1, "hello", {}, t0),
      );
      await until(() => io.out().includes("✓ hello"), 60_000, "the first session's step");
    } finally {
      controller.abort();
      assert.equal(await done, 0);
      removeDir(dir);
    }
  });

  test("tail() as a process exits 0 on Ctrl-C (SIGINT)", async () => {
    const dir = tempDir();
    try {
      writeFileSync(
        join(dir, "p_20261125_120000_ddd444.jsonl"),
        sessionLine("p", "20261125_120000_ddd444", Date.now() / 1000),
      );
      const script = startScript(CLI, { args: ["--dir", dir, "tail"] });
      await script.waitFor("── p 20261125_120000_ddd444 ──");
      // process.kill, not child.kill: Deno's ChildProcess reports any child it
      // signalled through kill() as killed by that signal, whatever its exit code.
      process.kill(script.child.pid!, "SIGINT");
      const { code } = await script.exited;
      assert.equal(code, 0, script.stderr);
      assert.equal(script.stderr, "");
    } finally {
      removeDir(dir);
    }
  });

  test("tail() --no-follow streams a 128 MB session: the right last steps, memory far below the file's size", async () => {
    const dir = tempDir("ai-trace-tail-big-");
    try {
      const path = join(dir, "big_20261125_120000_eee555.jsonl");
      const blob = "x".repeat(16 * 1024);
      const fd = openSync(path, "w");
      let size = 0;
      let steps = 0;
      try {
        size += writeSync(fd, sessionLine("big", "20261125_120000_eee555", 1));
        while (size < 128 * 1024 * 1024) {
          steps++;
          size += writeSync(fd, stepLine(steps, `s${steps}`, { blob }, steps));
        }
      } finally {
        closeSync(fd);
      }
      const args = ["--dir", dir, "tail", "-n", "3", "--no-follow", "--json"];
      const { code, out, err } = await cli(args);
      assert.equal(code, 0, err);
      assert.equal(err, "");
      const events = out.trim().split("\n").map((line) => JSON.parse(line));
      assert.deepEqual(events.map((e) => e.type), ["session", "step", "step", "step"]);
      assert.equal(events[0].record.session_id, "20261125_120000_eee555");
      assert.deepEqual(events.slice(1).map((e) => e.step.name), [`s${steps - 2}`, `s${steps - 1}`, `s${steps}`]);
      // The same command in a fresh process, for its peak memory. Reading the
      // whole file first peaked at over twice its size above the CLI at rest.
      const script = join(import.meta.dirname!, "torture", "fixtures", "cli_memory.ts");
      const baseline = peakOf(script, ["--version"]).peak;
      const run = peakOf(script, args);
      assert.equal(run.out, out.length, "the process printed the same as the in-process run");
      const extra = run.peak - baseline;
      console.log(
        `tail -n 3 --no-follow of a ${Math.round(size / 1048576)} MB session: +${Math.round(extra / 1048576)} MB`,
      );
      assert.ok(extra < size, `+${Math.round(extra / 1048576)} MB for a ${Math.round(size / 1048576)} MB file`);
    } finally {
      removeDir(dir);
    }
  });

  test("tail() --no-follow warns once for a line over 64 Mi characters, with its number, and numbers later lines right", async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "long_20261125_120000_fff666.jsonl");
      writeFileSync(path, sessionLine("long", "20261125_120000_fff666", 1) + stepLine(1, "before", {}, 1));
      appendFileSync(path, new Uint8Array(64 * 1024 * 1024 + 10).fill(0x61));
      appendFileSync(path, "\nnot json\n" + stepLine(2, "after", {}, 2));
      const { code, out, err } = await cli(["--dir", dir, "tail", "--no-follow"]);
      assert.equal(code, 0, err);
      assert.match(out, /✓ before[^]*✓ after/);
      const warnings = err.trim().split("\n");
      assert.equal(warnings.length, 2, err);
      assert.match(warnings[0], /long_20261125_120000_fff666\.jsonl:3: line is too long to read, skipped$/);
      assert.match(warnings[1], /long_20261125_120000_fff666\.jsonl:4: line is not JSON, skipped$/);
    } finally {
      removeDir(dir);
    }
  });

  test("tail() follows past an over-long line written in pieces: one warning with its number, later lines shown", async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const path = join(dir, "long_20261125_120000_aab777.jsonl");
    writeFileSync(path, sessionLine("long", "20261125_120000_aab777", 1));
    const { io, done } = startTail(dir, controller.signal);
    try {
      await until(() => io.out().includes("── long "), 60_000, "the session header");
      // Two writes: whatever the polls catch of it, the line is one line.
      const half = new Uint8Array(40 * 1024 * 1024).fill(0x61);
      appendFileSync(path, half);
      appendFileSync(path, half);
      appendFileSync(path, "\n{oops\n" + stepLine(1, "after", {}, 2));
      await until(() => io.out().includes("✓ after"), 60_000, "the step after the long line");
      const warnings = io.err().trim().split("\n");
      assert.equal(warnings.length, 2, io.err());
      assert.match(warnings[0], /aab777\.jsonl:2: line is too long to read, skipped$/);
      assert.match(warnings[1], /aab777\.jsonl:3: line is not JSON, skipped$/);
    } finally {
      controller.abort();
      assert.equal(await done, 0);
      removeDir(dir);
    }
  });

  test("tail() keeps going when the followed file is deleted, and moves on to a newer session", async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const t0 = Date.now() / 1000;
    const old = join(dir, "gone_20261125_120000_abc123.jsonl");
    writeFileSync(old, sessionLine("gone", "20261125_120000_abc123", t0));
    const { io, done } = startTail(dir, controller.signal);
    try {
      await until(() => io.out().includes("── gone "), 60_000, "the first session");
      rmSync(old);
      writeFileSync(
        join(dir, "next_20261125_120001_def456.jsonl"),
        sessionLine("next", "20261125_120001_def456", t0 + 1) + stepLine(1, "first", {}, t0 + 1),
      );
      await until(() => io.out().includes("✓ first"), 60_000, "the newer session's step");
      assert.equal(io.err(), "");
    } finally {
      controller.abort();
      assert.equal(await done, 0);
      removeDir(dir);
    }
  });

  test("LineFollower.read() passes on whole lines only, and nothing for a file that is not there", () => {
    const dir = tempDir();
    try {
      const path = join(dir, "f.jsonl");
      const follower = new LineFollower(path);
      const lines: Line[] = [];
      follower.read((line) => lines.push(line));
      assert.equal(lines.length, 0);
      writeFileSync(path, "\uFEFFone\r\ntw");
      follower.read((line) => lines.push(line));
      assert.deepEqual(lines.map((l) => [l.number, l.text]), [[1, "one"]]);
      appendFileSync(path, "o\nthr");
      follower.read((line) => lines.push(line));
      assert.deepEqual(lines.map((l) => [l.number, l.text]), [[1, "one"], [2, "two"]]);
      assert.equal(follower.position, 15); // the BOM counts: it is 3 bytes of the file
      rmSync(path);
      follower.read((line) => lines.push(line));
      writeFileSync(path, "new\n"); // replaced by a shorter file: read from its start
      follower.read((line) => lines.push(line));
      assert.deepEqual(lines.map((l) => [l.number, l.text]), [[1, "one"], [2, "two"], [1, "new"]]);
    } finally {
      removeDir(dir);
    }
  });
  test("LineFollower.read() starts over when the file is replaced by a longer one (renamed over it)", () => {
    const dir = tempDir();
    try {
      const path = join(dir, "f.jsonl");
      const follower = new LineFollower(path);
      const lines: string[] = [];
      let restarts = 0;
      writeFileSync(path, "old 1\nold 2\n");
      follower.read((line) => lines.push(line.text), () => restarts++);
      // A new file, longer than the old one, renamed over it: its bytes past the old size are not a continuation.
      writeFileSync(join(dir, "next"), "new 1\nnew 2\nnew 3\nnew 4\n");
      renameSync(join(dir, "next"), path);
      follower.read((line) => lines.push(line.text), () => restarts++);
      assert.deepEqual(lines, ["old 1", "old 2", "new 1", "new 2", "new 3", "new 4"]);
      assert.equal(restarts, 1);
    } finally {
      removeDir(dir);
    }
  });

  test("tail() follows a session file replaced by a longer one: the new session shown from its start, no warning", async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const t0 = Date.now() / 1000;
    const path = join(dir, "live_20261125_120000_aaa111.jsonl");
    writeFileSync(path, sessionLine("live", "20261125_120000_aaa111", t0) + stepLine(1, "before", {}, t0));
    const { io, done } = startTail(dir, controller.signal);
    try {
      await until(() => io.out().includes("✓ before"), 60_000, "the first session's step");
      const next = join(dir, "next.tmp");
      writeFileSync(
        next,
        sessionLine("replaced", "20261125_120000_aaa111", t0 + 1) +
          stepLine(1, "after_one", { pad: "x".repeat(300) }, t0 + 1) + stepLine(2, "after_two", {}, t0 + 2),
      );
      renameSync(next, path);
      await until(() => io.out().includes("✓ after_two"), 60_000, "the replacing session's steps");
      assert.match(io.out(), /── replaced 20261125_120000_aaa111 ──\n.*✓ after_one[^]*✓ after_two/);
      assert.equal(io.err(), "", "no bogus warning");
    } finally {
      controller.abort();
      assert.equal(await done, 0);
      removeDir(dir);
    }
  });

  test("LineFollower.read() reports an over-long line arriving over several reads once, as tooLong, with its number", () => {
    const dir = tempDir();
    try {
      const path = join(dir, "f.jsonl");
      const follower = new LineFollower(path, 10);
      const lines: Line[] = [];
      writeFileSync(path, "short\n" + "x".repeat(8));
      follower.read((line) => lines.push(line));
      appendFileSync(path, "x".repeat(8));
      follower.read((line) => lines.push(line));
      appendFileSync(path, "x".repeat(8));
      follower.read((line) => lines.push(line));
      appendFileSync(path, "xx\nnext\n");
      follower.read((line) => lines.push(line));
      assert.deepEqual(lines.map((l) => [l.number, l.text, l.tooLong]), [
        [1, "short", false],
        [2, "", true],
        [3, "next", false],
      ]);
    } finally {
      removeDir(dir);
    }
  });

  test("tail() -n with a negative number says the number is wrong, not that it is missing", async () => {
    for (const args of [["-n", "-1"], ["--lines", "-1"], ["--lines=-1"]]) {
      const { code, err } = await cli(["--dir", OURS, "tail", "--no-follow", ...args]);
      assert.equal(code, 2, args.join(" "));
      assert.match(err, /^error: Option "(-n|--lines)" needs a whole number, got "-1"\n/, args.join(" "));
    }
  });
});

/** Starts `tail` in-process; it runs until `signal` is aborted. */
function startTail(dir: string, signal: AbortSignal): { io: MemoryIo; done: Promise<number> } {
  const io = memoryIo({ env: {}, signal });
  return { io, done: main(["--dir", dir, "tail"], io) };
}

/** Runs the memory fixture with `args` in a fresh process: its peak memory and the length of its output. */
function peakOf(script: string, args: string[]): { peak: number; out: number } {
  const [command, commandArgs] = scriptCommand(script, args);
  const result = spawnSync(command, commandArgs, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const match = /PEAK (\d+) CODE (\d+) OUT (\d+)/.exec(result.stdout);
  assert.ok(match, `${args.join(" ")}: ${result.stderr}`);
  assert.equal(match[2], "0", `${args.join(" ")} exits 0`);
  return { peak: Number(match[1]), out: Number(match[3]) };
}
