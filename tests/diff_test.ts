import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diffSessions, readSession } from "../mod.ts";
import type { Session, SessionDiff } from "../mod.ts";
import { alignSiblings } from "../src/compare/align.ts";
import type { SessionStep } from "../src/format/types.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { PYTHON_SEED } from "./_cli.ts";
import { later, writeRun } from "./_runs.ts";

const markers = (diff: SessionDiff) => diff.rows.map((row) => row.marker).join("");
const names = (diff: SessionDiff) => diff.rows.map((row) => `${row.marker}${row.path.join(">")}`);

describe("diffSessions()", () => {
  let dir: string;
  let plain: Session;
  const read = (path: string) => readSession(path, { now: later() });

  before(async () => {
    dir = tempDir("ai-trace-diff-");
    plain = await read(await writeRun(dir, "20261130_010000_plain"));
  });
  after(() => removeDir(dir));

  test("diffSessions() finds no difference between two identical runs", async () => {
    const again = await read(await writeRun(dir, "20261130_010100_again"));
    const diff = diffSessions(plain, again);
    assert.equal(diff.identical, true);
    assert.equal(diff.first_divergence, null);
    assert.deepEqual(diff.differences, []);
    assert.equal(markers(diff), "=".repeat(11)); // 10 steps, and http_get inside tool:search
    assert.equal(diff.totals.a.steps, 11);
    assert.equal(diff.totals.b.tokens, diff.totals.a.tokens);
  });

  test("diffSessions() points at a changed decision at step 3 of 10, with both reasons", async () => {
    const browse = await read(await writeRun(dir, "20261130_010200_brwse", { tool: ["browse", "a page has it"] }));
    const diff = diffSessions(plain, browse);
    assert.equal(diff.identical, false);
    const first = diff.first_divergence!;
    assert.equal(first.reason, "decision");
    assert.deepEqual(first.path, ["choose_tool"]);
    assert.equal(first.a?.decision?.action, "search");
    assert.equal(first.a?.decision?.reason, "the question needs a fact");
    assert.equal(first.b?.decision?.action, "browse");
    assert.equal(first.b?.decision?.reason, "a page has it");
    assert.equal(markers(diff), "==~========");
    assert.equal(diff.differences.length, 1);
  });

  test("diffSessions() aligns an extra retry in the middle without shifting the steps after it", async () => {
    const retried = await read(await writeRun(dir, "20261130_010300_retry", { retry: true }));
    const diff = diffSessions(plain, retried);
    const first = diff.first_divergence!;
    assert.equal(first.reason, "added");
    assert.equal(first.a, null);
    assert.equal(first.b?.name, "tool:search");
    assert.equal(first.b?.outcome, "error"); // the failed attempt is the extra one; the retry pairs with a's search
    assert.deepEqual(names(diff), [
      "=load_task",
      "=plan",
      "=choose_tool",
      "+tool:search",
      "+tool:search>http_get",
      "=tool:search",
      "=tool:search>http_get",
      "=read_results",
      "=llm_call",
      "=tool:calculator",
      "=verify",
      "=decide_answer",
      "=respond",
    ]);
    assert.equal(diff.totals.b.errors - diff.totals.a.errors, 1);
  });

  test("diffSessions() reports a missing tool call", async () => {
    const without = await read(await writeRun(dir, "20261130_010400_nocal", { noCalculator: true }));
    const diff = diffSessions(plain, without);
    assert.equal(diff.first_divergence?.reason, "missing");
    assert.equal(diff.first_divergence?.a?.name, "tool:calculator");
    assert.equal(diff.first_divergence?.b, null);
    assert.equal(markers(diff), "=======-===");
    // The other way round, the same step is added.
    const reverse = diffSessions(without, plain);
    assert.equal(reverse.first_divergence?.reason, "added");
    assert.equal(markers(reverse), "=======+===");
  });

  test("diffSessions() shows where a crashed run stopped: in flight, then missing", async () => {
    const crashed = await read(await writeRun(dir, "20261130_010500_crash", { crash: true }));
    assert.equal(crashed.state, "crashed");
    const diff = diffSessions(plain, crashed);
    const first = diff.first_divergence!;
    assert.equal(first.reason, "outcome");
    assert.equal(first.a?.name, "llm_call");
    assert.equal(first.b?.in_flight, true);
    assert.equal(markers(diff), "======~----");
    assert.equal(diff.totals.b.state, "crashed");
    assert.equal(diff.totals.b.in_flight, 1);
  });

  test("diffSessions() counts a changed context only when asked to", async () => {
    const noted = await read(await writeRun(dir, "20261130_010600_noted", { contextValue: "other" }));
    assert.equal(diffSessions(plain, noted).identical, true);
    const diff = diffSessions(plain, noted, { context: true });
    assert.equal(diff.first_divergence?.reason, "context");
    assert.deepEqual(diff.first_divergence?.path, ["load_task"]);
  });

  test("diffSessions() compares runs of the original Python tracer", async () => {
    const original = join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl");
    const seed = await readSession(original);
    assert.equal(diffSessions(seed, seed).identical, true);
    // The same run, where the order went through: the last step's outcome differs.
    const lines = readFileSync(original, "utf8").replace(
      '"outcome": "error", "error": "exchange timeout after 3 retries"',
      '"outcome": "ok", "error": null',
    );
    const changed = join(dir, "trading_agent_20261124_220900.jsonl");
    writeFileSync(changed, lines);
    const diff = diffSessions(seed, await readSession(changed));
    assert.equal(diff.first_divergence?.reason, "outcome");
    assert.deepEqual(diff.first_divergence?.path, ["execute"]);
    assert.equal(markers(diff), "===~");
    // 300 steps of the research agent, one dropped in the middle.
    const research = join(PYTHON_SEED, "research_agent_20261124_220805.jsonl");
    const all = readFileSync(research, "utf8").split("\n");
    const dropped = join(dir, "research_agent_20261124_221000.jsonl");
    writeFileSync(dropped, [...all.slice(0, 150), ...all.slice(151)].join("\n"));
    const long = diffSessions(await readSession(research), await readSession(dropped));
    assert.equal(long.differences.length, 1);
    assert.equal(long.first_divergence?.reason, "missing");
    assert.equal(long.rows.findIndex((row) => row.marker === "-"), 150);
  });

  test("diffSessions() never throws on steps with hostile names, contexts and cycles of parents", () => {
    const step = (id: number, parent: number | null, name: string, context: SessionStep["context"] = {}) => ({
      id,
      parent_id: parent,
      name,
      context,
      started_at: id,
      finished_at: id,
      duration_ms: 1,
      outcome: "ok",
      error: null,
      logs: [],
      in_flight: false,
    });
    let deep: SessionStep["context"] = { leaf: 1 };
    for (let i = 0; i < 50_000; i++) deep = { d: deep };
    const hostile = [
      step(1, 3, "__proto__", deep),
      step(2, 1, "constructor"),
      step(3, 2, "\u001b[31mred\u0000"),
      step(4, null, "hasOwnProperty"),
    ];
    const session = { ...plain, steps: hostile };
    const diff = diffSessions(session, { ...plain, steps: hostile.slice(0, 3) }, { context: true });
    assert.equal(diff.rows.length, 4);
    assert.equal(diff.first_divergence?.reason, "missing");
    assert.equal(diff.first_divergence?.a?.name, "hasOwnProperty");
  });

  test("alignSiblings() handles sibling lists too long to align exactly", () => {
    const step = (id: number, name: string) => ({ id, name, outcome: "ok" }) as SessionStep;
    const a = Array.from({ length: 3000 }, (_, i) => step(i, `s${i % 7}`));
    const b = [...a.slice(0, 1000), step(99_999, "extra"), ...a.slice(1000)].map((s, i) => ({
      ...s,
      outcome: i % 2 ? "ok" : "error", // nothing trims at the ends: the whole list is the middle
    }));
    const edits = alignSiblings(a, b);
    assert.equal(edits.filter(([x, y]) => x && y).length, 3000);
    assert.equal(edits.filter(([x, y]) => !x && y?.name === "extra").length, 1);
  });
});
