// Concurrency torture: many processes with several tracers each write into
// one directory at once; nothing may be lost, duplicated or interleaved.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readSession, Tracer } from "../../mod.ts";
import { removeDir, startScript, tempDir } from "../_helpers.ts";
import { checkLines, figure, LONG } from "./_torture.ts";

const PROCESSES = 8;
const TRACERS = 4;
const STEPS = LONG ? 10_000 : 2000;
const WRITER = join(import.meta.dirname!, "fixtures", "writer.ts");

test(`Tracer in ${PROCESSES} processes × ${TRACERS} tracers × ${STEPS} steps into one directory loses and mixes nothing`, async () => {
  const dir = tempDir("ai-trace-concurrent-");
  try {
    const runs = Array.from(
      { length: PROCESSES },
      (_, p) => startScript(WRITER, { args: [dir, String(p), String(TRACERS), String(STEPS)] }),
    );
    const exits = await Promise.all(runs.map((run) => run.exited));
    exits.forEach((exit, p) => assert.deepEqual(exit, { code: 0, signal: null }, runs[p].stderr));

    const files = readdirSync(dir).filter((name) => name.endsWith(".jsonl"));
    assert.equal(files.length, PROCESSES * TRACERS, "one distinct file per tracer");
    let steps = 0;
    let lines = 0;
    const seen = new Set<string>();
    for (const file of files) {
      const path = join(dir, file);
      const { records, partial } = checkLines(path); // throws on any line that is not whole JSON
      assert.equal(partial, undefined);
      lines += records.length;
      const [session] = records;
      assert.equal(session.type, "session");
      const { proc, tracer } = session.meta as { proc: number; tracer: number };
      assert.equal(records.at(-1)!.type, "end");
      const work = records.filter((r) => r.type === "step" && r.name === "work");
      const batches = records.filter((r) => r.type === "step" && r.name === "batch");
      const ids = records.filter((r) => r.type === "step").map((r) => r.id as number);
      assert.equal(new Set(ids).size, ids.length, `${file}: step ids are unique`);
      assert.equal(work.length, STEPS, `${file}: every step is there`);
      const batchIds = new Map(batches.map((b) => [(b.context as { start: number }).start, b.id]));
      for (const step of work) {
        const context = step.context as { proc: number; tracer: number; i: number };
        assert.deepEqual([context.proc, context.tracer], [proc, tracer], `${file}: a step of another tracer`);
        const key = `${proc}/${tracer}/${context.i}`;
        assert.ok(!seen.has(key), `duplicate step ${key}`);
        seen.add(key);
        assert.equal(step.parent_id, batchIds.get(Math.floor(context.i / 50) * 50), `${key}: wrong parent`);
      }
      const read = await readSession(path);
      assert.deepEqual(read.warnings, []);
      assert.equal(read.state, "complete");
      assert.equal(read.summary.steps, STEPS + batches.length);
      steps += work.length;
    }
    assert.equal(seen.size, PROCESSES * TRACERS * STEPS);
    figure(
      "concurrency",
      `${PROCESSES} processes × ${TRACERS} tracers × ${STEPS} steps: ${steps} steps recorded (${lines} lines), 0 lost, 0 duplicated, 0 interleaved, ${files.length} session files`,
    );
  } finally {
    removeDir(dir);
  }
});

test("Tracer.step() keeps correct parents for many async steps under Promise.all in one process", async () => {
  const dir = tempDir("ai-trace-async-");
  try {
    const tracer = new Tracer("async_tree", { traceDir: dir });
    const expected = new Map<string, string | null>(); // step label -> parent label
    const delay = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
    const WIDTH = LONG ? 12 : 6;
    const node = async (label: string, parent: string | null, depth: number): Promise<void> => {
      expected.set(label, parent);
      await tracer.step("node", { label }, async () => {
        await delay();
        if (depth < 3) {
          await Promise.all(Array.from({ length: WIDTH }, (_, k) => node(`${label}.${k}`, label, depth + 1)));
        }
        await delay();
      });
    };
    await Promise.all(Array.from({ length: 4 }, (_, k) => node(`r${k}`, null, 0)));
    await tracer.close();
    const { records } = checkLines(tracer.path!);
    const steps = records.filter((r) => r.type === "step");
    const labelOf = new Map(steps.map((s) => [s.id, (s.context as { label: string }).label]));
    assert.equal(steps.length, expected.size);
    let checked = 0;
    for (const step of steps) {
      const label = (step.context as { label: string }).label;
      const parent = step.parent_id === null ? null : labelOf.get(step.parent_id)!;
      assert.equal(parent, expected.get(label), `parent of ${label}`);
      checked++;
    }
    figure("async-parents", `${checked} concurrent async steps under Promise.all, 0 wrong parents`);
  } finally {
    removeDir(dir);
  }
});
