// Crash torture: the fixture agent is killed at random points (SIGKILL),
// interrupted (SIGTERM, SIGINT, SIGHUP) and brought down by uncaught errors;
// what it completed must be in its file, whole, and readers must show what
// was in flight.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { readSession } from "../../mod.ts";
import { until } from "../_cli.ts";
import { removeDir, runScript, startScript, tempDir } from "../_helpers.ts";
import { AGENT, checkLines, cli, figure, inBatches, LONG } from "./_torture.ts";

const TRIALS = LONG ? 300 : 50;
const BATCH = 4;
const onDeno = "Deno" in globalThis;

/** The step ids the agent reported as completed ("OK <id>"). */
function reported(stdout: string): number[] {
  return [...stdout.matchAll(/^OK (\d+)$/gm)].map((m) => Number(m[1]));
}

function pathOf(stdout: string): string {
  return /^PATH (.*)$/m.exec(stdout)![1];
}

interface Trial {
  steps: number;
  lost: number;
  inFlight: number;
  partial: boolean;
}

async function sigkillTrial(seed: number): Promise<Trial> {
  const dir = tempDir("ai-trace-kill-");
  try {
    const run = startScript(AGENT, { args: [dir, "run"] });
    await run.waitFor("PATH ");
    // Kill after a random number of completed steps, then a random moment more.
    const target = seed % 7 === 0 ? 0 : Math.floor(Math.random() * (LONG ? 300 : 90));
    await until(() => reported(run.stdout).length >= target || run.child.exitCode !== null, 60_000, `${target} steps`);
    if (Math.random() < 0.5) await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    run.child.kill("SIGKILL");
    const { signal } = await run.exited;
    assert.equal(signal, "SIGKILL", run.stderr);
    const done = reported(run.stdout);
    const path = pathOf(run.stdout);

    const { records, partial } = checkLines(path);
    assert.equal(records[0].type, "session");
    const stepIds = records.filter((r) => r.type === "step").map((r) => r.id as number);
    const startIds = records.filter((r) => r.type === "start").map((r) => r.id as number);
    assert.equal(new Set(stepIds).size, stepIds.length, "no step is written twice");
    assert.equal(new Set(startIds).size, startIds.length, "no start is written twice");
    assert.equal(records.filter((r) => r.type === "end").length, 0, "a killed process writes no end line");
    const written = new Set(stepIds);
    const lost = done.filter((id) => !written.has(id)).length;
    assert.equal(lost, 0, `steps reported done but missing: ${done.filter((id) => !written.has(id))}`);
    const inFlight = startIds.filter((id) => !written.has(id)).sort((a, b) => a - b);

    // The reader shows the same: whole steps, the in-flight ones, at most one warning for a cut-off line.
    const session = await readSession(path);
    assert.equal(session.state, "crashed");
    assert.equal(session.summary.steps, stepIds.length);
    assert.deepEqual(session.steps.filter((s) => s.in_flight).map((s) => s.id).sort((a, b) => a - b), inFlight);
    assert.equal(session.warnings.length, partial === undefined ? 0 : 1, JSON.stringify(session.warnings));

    // So does the CLI: list gives the session as crashed with its in-flight count, view marks them.
    const list = await cli(["--dir", dir, "list", "--json"]);
    assert.equal(list.code, 0, list.err);
    const [entry] = JSON.parse(list.out).sessions;
    assert.equal(entry.state, "crashed");
    assert.equal(entry.in_flight, inFlight.length);
    const view = await cli(["--dir", dir, "view", "latest"]);
    assert.equal(view.code, 0, view.err);
    assert.equal(view.out.match(/IN FLIGHT/g)?.length ?? 0, inFlight.length, view.out);

    // Cut the file inside its last line, as a crash mid-write would: the reader skips that line with a warning.
    const lastLength = readFileSync(path, "utf8").trimEnd().split("\n").at(-1)!.length;
    const cut = join(dir, "cut_20260101_000000_cut.jsonl");
    copyFileSync(path, cut);
    const size = readFileSync(cut).length;
    truncateSync(cut, size - 1 - Math.max(1, Math.floor(Math.random() * (lastLength - 1))));
    const cutSession = await readSession(cut);
    assert.equal(cutSession.warnings.length, 1);
    assert.match(cutSession.warnings[0].message, /cut off/);
    assert.equal(cutSession.warnings[0].line, records.length);

    return { steps: stepIds.length, lost, inFlight: inFlight.length, partial: partial !== undefined };
  } finally {
    removeDir(dir);
  }
}

test(`Tracer under SIGKILL at random points (${TRIALS} trials) keeps every completed step as a whole line`, async () => {
  const trials = await inBatches(Array.from({ length: TRIALS }, (_, i) => i), BATCH, sigkillTrial);
  const steps = trials.reduce((n, t) => n + t.steps, 0);
  const lost = trials.reduce((n, t) => n + t.lost, 0);
  const inFlight = trials.reduce((n, t) => n + t.inFlight, 0);
  const partial = trials.filter((t) => t.partial).length;
  assert.equal(lost, 0);
  const distinct = new Set(trials.map((t) => t.steps)).size;
  assert.ok(distinct >= 10, `kills land at many different step counts (${distinct})`);
  figure(
    "crash-sigkill",
    `${TRIALS} trials (killed at ${distinct} different step counts), ${steps} steps written, 0 lost, ${inFlight} in-flight steps shown, ${partial} partial last lines`,
  );
});

for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  test(`Tracer writes an end line on ${signal} and the process still dies of it`, async () => {
    const dir = tempDir("ai-trace-signal-");
    try {
      const run = startScript(AGENT, { args: [dir, "steps", "3"] });
      await run.waitFor("READY");
      // process.kill, not child.kill: Deno's child_process reports any child it was asked to kill as killed.
      process.kill(run.child.pid!, signal);
      const exit = await run.exited;
      // Bun and Node re-raise the signal; Deno cannot restore the default action and exits with 128 + n.
      const numbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
      if (onDeno) assert.deepEqual(exit, { code: 128 + numbers[signal], signal: null });
      else assert.deepEqual(exit, { code: null, signal });
      const { records, partial } = checkLines(pathOf(run.stdout));
      assert.equal(partial, undefined);
      const end = records.at(-1)!;
      assert.equal(end.type, "end");
      assert.equal(end.reason, "signal");
      assert.equal(end.signal, signal);
      assert.equal((end.summary as { in_flight: number }).in_flight, 1);
      const done = reported(run.stdout);
      const written = new Set(records.filter((r) => r.type === "step").map((r) => r.id));
      assert.deepEqual(done.filter((id) => !written.has(id)), []);
      const session = await readSession(pathOf(run.stdout));
      assert.equal(session.state, "crashed");
      assert.deepEqual(session.warnings, []);
      assert.deepEqual(session.steps.filter((s) => s.in_flight).map((s) => s.name), ["in_flight_step"]);
      const list = await cli(["--dir", dir, "list", "--json"]);
      assert.equal(JSON.parse(list.out).sessions[0].state, "crashed");
      figure(`crash-${signal.toLowerCase()}`, `${written.size} steps written, 0 lost, end line with reason signal`);
    } finally {
      removeDir(dir);
    }
  });
}

for (const mode of ["throw", "reject"] as const) {
  test(`Tracer writes an end line when an uncaught ${mode === "throw" ? "exception" : "rejection"} ends the process`, () => {
    const dir = tempDir("ai-trace-uncaught-");
    try {
      const run = runScript(AGENT, { args: [dir, mode, "3"] });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, mode === "throw" ? /boom from the agent/ : /rejected from the agent/);
      const { records, partial } = checkLines(pathOf(run.stdout));
      assert.equal(partial, undefined);
      const end = records.at(-1)!;
      assert.equal(end.type, "end");
      assert.equal(end.reason, "uncaught");
      assert.match(end.error as string, /^Error: (boom|rejected) from the agent, key \[REDACTED\]$/);
      assert.ok(!readFileSync(pathOf(run.stdout), "utf8").includes("Q".repeat(16)), "the key in the error is redacted");
      assert.equal(records.filter((r) => r.type === "step").length, 9);
      const inFlight = records.filter((r) => r.type === "start" && r.name === "in_flight_step");
      assert.equal(inFlight.length, 1);
      assert.equal(records.filter((r) => r.type === "step" && r.name === "in_flight_step").length, 0);
      figure(
        `crash-uncaught-${mode}`,
        `9 steps written, 0 lost, end line with reason uncaught and the error redacted, exit code 1 kept`,
      );
    } finally {
      removeDir(dir);
    }
  });
}

for (
  const mode of onDeno
    ? ["own-handler", "own-deno", "own-handler-before", "own-deno-before"]
    : ["own-handler", "own-handler-before"]
) {
  test(`Tracer leaves a SIGTERM handler the program adds itself (${mode}) in charge`, async () => {
    const dir = tempDir("ai-trace-own-");
    try {
      const run = startScript(AGENT, { args: [dir, mode, "2"] });
      await run.waitFor("READY");
      process.kill(run.child.pid!, "SIGTERM");
      const exit = await run.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, run.stderr);
      assert.match(run.stdout, /HANDLED/);
      const { records } = checkLines(pathOf(run.stdout));
      const end = records.at(-1)!;
      assert.equal(end.type, "end");
      assert.equal(end.reason, undefined, "the program exited normally, from its own handler");
      assert.equal((end.summary as { in_flight: number }).in_flight, 0);
    } finally {
      removeDir(dir);
    }
  });
}

test("Tracer's signal and error listeners keep no event loop alive: a finished program exits by itself", async () => {
  const dir = tempDir("ai-trace-exit-");
  try {
    const run = startScript(AGENT, { args: [dir, "exit", "2"] });
    const exit = await Promise.race([
      run.exited,
      new Promise((resolve) => setTimeout(() => resolve("still running after 20 s"), 20_000).unref?.()),
    ]);
    if (typeof exit === "string") run.child.kill("SIGKILL");
    assert.deepEqual(exit, { code: 0, signal: null }, run.stderr);
    const { records } = checkLines(pathOf(run.stdout));
    assert.equal(records.at(-1)!.type, "end");
    assert.equal(records.at(-1)!.reason, undefined);
  } finally {
    removeDir(dir);
  }
});
