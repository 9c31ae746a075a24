import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { type MemoryIo, memoryIo } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";
import { assertGolden, CLI, cli, NOW, OURS, PYTHON_SEED, until } from "./_cli.ts";
import { removeDir, startScript, tempDir } from "./_helpers.ts";

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
    const { out } = await cli(["--dir", OURS, "tail", "--no-follow"]);
    assert.equal(count(out, "fetch"), 1);
    assert.match(out, /✓ fetch {2}300\.2 ms/);
    const planner = await cli(["--dir", OURS, "tail", "--no-follow"], { now: () => NOW });
    assert.equal(planner.code, 0);
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
      await until(() => io.out().includes("── live 20261125_120000_aaa111 ──"), 5000, "the session header");
      const context = { url: "https://example.com/" + "x".repeat(5000), note: "héllo 🚀" };
      const line = stepLine(1, "fetch", context, t0);
      const half = Math.floor(line.length / 2);
      // The start line and the first half of the step line in one write; tail
      // prints the start once it has read up to there, half line included.
      appendFileSync(path, startLine(1, "fetch", context, t0) + line.slice(0, half));
      await until(() => io.out().includes("▶ fetch"), 5000, "the start line");
      assert.ok(!io.out().includes("✓ fetch"), "a half line was printed");
      const written = performance.now();
      appendFileSync(path, line.slice(half));
      await until(() => io.out().includes("✓ fetch"), 2000, "the whole step line");
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
      await until(() => io.out().includes("── old "), 5000, "the first session");
      const newer = join(dir, "new_20261125_120001_bbb222.jsonl");
      writeFileSync(newer, sessionLine("new", "20261125_120001_bbb222", t0 + 1) + stepLine(1, "first", {}, t0 + 1));
      await until(() => io.out().includes("✓ first"), 5000, "the newer session's step");
      assert.match(io.out(), /── old [^]*── new 20261125_120001_bbb222 ──\n.*✓ first/);
      appendFileSync(newer, stepLine(2, "second", {}, t0 + 2));
      await until(() => io.out().includes("✓ second"), 5000, "a step appended to the newer session");
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
      await until(() => io.err().includes("Waiting for a session"), 5000, "the waiting notice");
      const t0 = Date.now() / 1000;
      writeFileSync(
        join(dir, "a_20261125_120000_ccc333.jsonl"),
        sessionLine("a", "20261125_120000_ccc333", t0) + stepLine(1, "hello", {}, t0),
      );
      await until(() => io.out().includes("✓ hello"), 5000, "the first session's step");
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
});

/** Starts `tail` in-process; it runs until `signal` is aborted. */
function startTail(dir: string, signal: AbortSignal): { io: MemoryIo; done: Promise<number> } {
  const io = memoryIo({ env: {}, signal });
  return { io, done: main(["--dir", dir, "tail"], io) };
}
