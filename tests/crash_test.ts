import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readSession } from "../mod.ts";
import { removeDir, startScript, tempDir } from "./_helpers.ts";

const agent = join(import.meta.dirname!, "testdata", "crash_agent.ts");

test("Tracer under kill -9 leaves every completed step as a whole line and the in-flight step as a start", async () => {
  const dir = tempDir();
  const run = startScript(agent, { args: [dir, "25"] });
  await run.waitFor("READY");
  run.child.kill("SIGKILL");
  const { signal } = await run.exited;
  assert.equal(signal, "SIGKILL");
  const path = /PATH (.*)/.exec(run.stdout)![1];
  const file = path.startsWith("/") ? path : join(dir, path);
  const text = readFileSync(file, "utf8");
  assert.ok(text.endsWith("\n"), "the file ends with a whole line");
  const records = text.split("\n").slice(0, -1).map((line) => JSON.parse(line));
  const steps = records.filter((r) => r.type === "step");
  assert.equal(steps.filter((s) => s.name === "outer").length, 25);
  assert.equal(steps.filter((s) => s.name === "inner").length, 25);
  assert.equal(records.filter((r) => r.type === "end").length, 0, "a killed process writes no end line");
  const started = records.filter((r) => r.type === "start" && r.name === "in_flight_step");
  assert.equal(started.length, 1);
  assert.equal(steps.filter((s) => s.name === "in_flight_step").length, 0);

  const session = await readSession(file);
  assert.equal(session.state, "crashed");
  const inFlight = session.steps.filter((s) => s.in_flight);
  assert.deepEqual(inFlight.map((s) => [s.name, s.context]), [["in_flight_step", { order: "A-1" }]]);
  assert.equal(session.summary.steps, 50);
  removeDir(dir);
});

test("Tracer writes an end line at normal process exit without close()", async () => {
  const dir = tempDir();
  const script = join(dir, "exits.ts");
  const mod = join(import.meta.dirname!, "..", "mod.ts");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(
    script,
    `import { Tracer } from ${JSON.stringify(mod)};
const tracer = new Tracer("exiter", { traceDir: ${JSON.stringify(dir)} });
tracer.step("only", () => {});
console.log("PATH " + tracer.path);
`,
  );
  const run = startScript(script);
  const { code } = await run.exited;
  assert.equal(code, 0, run.stderr);
  const path = /PATH (.*)/.exec(run.stdout)![1];
  const records = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(records.at(-1).type, "end");
  assert.equal(records.at(-1).summary.steps, 1);
  const session = await readSession(path);
  assert.equal(session.state, "complete");
  removeDir(dir);
});

test("Tracer keeps recording after an error the program handles itself (its listener added after the tracer)", async () => {
  const dir = tempDir();
  const run = startScript(join(import.meta.dirname!, "testdata", "handled_error_agent.ts"), { args: [dir] });
  const { code } = await run.exited;
  assert.equal(code, 0, run.stderr);
  const path = /PATH (.*)/.exec(run.stdout)![1];
  const records = readFileSync(path, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const steps = records.filter((r) => r.type === "step").map((r) => r.name);
  assert.deepEqual(steps, ["before", "after"]);
  const last = records.at(-1);
  assert.equal(last.type, "end");
  assert.equal(last.reason, undefined, "the last end line says the run ended normally");
  assert.equal(last.summary.steps, 2);
  assert.equal(last.summary.lost_records, 0);
  const session = await readSession(path);
  assert.equal(session.state, "complete");
  removeDir(dir);
});
