import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { type CheckRules, checkSession, readSession, type Session } from "../mod.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { PYTHON_SEED } from "./_cli.ts";
import { later, writeRun } from "./_runs.ts";

describe("checkSession()", () => {
  let dir: string;
  let plain: Session;
  let retry: Session;
  let crash: Session;
  let browse: Session;
  let pricey: Session;
  let trading: Session;
  let research: Session;
  const read = (path: string) => readSession(path, { now: later() });

  before(async () => {
    dir = tempDir("ai-trace-check-");
    plain = await read(await writeRun(dir, "20261130_010000_plain"));
    retry = await read(await writeRun(dir, "20261130_010100_retry", { retry: true }));
    crash = await read(await writeRun(dir, "20261130_010200_crash", { crash: true }));
    browse = await read(await writeRun(dir, "20261130_010300_brwse", { tool: ["browse", "a page has it"] }));
    pricey = await read(await writeRun(dir, "20261130_010400_price", { tokens: 200 }));
    trading = await readSession(join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl"));
    research = await readSession(join(PYTHON_SEED, "research_agent_20261124_220805.jsonl"));
  });
  after(() => removeDir(dir));

  /** Checks one rule and returns its only result. */
  function one(session: Session, rules: CheckRules, baseline?: Session) {
    const report = checkSession(session, rules, baseline);
    assert.equal(report.results.length, 1);
    assert.equal(report.ok, report.results[0].ok);
    return report.results[0];
  }

  test("checkSession() max-errors passes at the limit and fails above it", () => {
    assert.deepEqual(one(retry, { maxErrors: 1 }), { rule: "max-errors", ok: true, value: 1, limit: 1 });
    assert.deepEqual(one(retry, { maxErrors: 0 }), { rule: "max-errors", ok: false, value: 1, limit: 0 });
  });

  test("checkSession() max-cost and max-tokens pass and fail on the summed usage", () => {
    assert.equal(plain.summary.cost_usd, 0.002);
    assert.equal(one(plain, { maxCost: 0.002 }).ok, true);
    assert.deepEqual(one(plain, { maxCost: 0.0019 }), { rule: "max-cost", ok: false, value: 0.002, limit: 0.0019 });
    assert.deepEqual(one(plain, { maxTokens: 230 }), { rule: "max-tokens", ok: true, value: 230, limit: 230 });
    assert.equal(one(plain, { maxTokens: 229 }).ok, false);
  });

  test("checkSession() max-duration and max-p95 pass and fail", () => {
    const duration = Math.round((trading.finished_at! - trading.started_at!) * 1e6) / 1e3;
    assert.deepEqual(one(trading, { maxDuration: 1e6 }), {
      rule: "max-duration",
      ok: true,
      value: duration,
      limit: 1e6,
    });
    assert.equal(one(trading, { maxDuration: 1 }).ok, false);
    assert.deepEqual(one(trading, { maxP95: 3.57 }), { rule: "max-p95", ok: true, value: 3.57, limit: 3.57 });
    assert.equal(one(trading, { maxP95: 3.5 }).ok, false);
  });

  test("checkSession() max-steps passes and fails", () => {
    assert.equal(one(plain, { maxSteps: 11 }).ok, true);
    assert.deepEqual(one(retry, { maxSteps: 11 }), { rule: "max-steps", ok: false, value: 13, limit: 11 });
  });

  test("checkSession() no-in-flight fails a crashed run and says so", () => {
    assert.deepEqual(one(plain, { noInFlight: true }), { rule: "no-in-flight", ok: true, value: 0, limit: 0 });
    assert.deepEqual(one(crash, { noInFlight: true }), {
      rule: "no-in-flight",
      ok: false,
      value: 1,
      limit: 0,
      note: "the session crashed with 1 step(s) in flight",
    });
    const running = { ...plain, state: "running" as const };
    assert.equal(one(running, { noInFlight: true }).note, "the session is still running");
  });

  test("checkSession() require-step passes for a completed step and fails otherwise", () => {
    assert.deepEqual(one(plain, { requireSteps: ["tool:calculator"] }), {
      rule: "require-step",
      target: "tool:calculator",
      ok: true,
      value: 1,
      limit: 1,
    });
    // The crashed run began llm_call and never finished it, and never reached verify.
    const report = checkSession(crash, { requireSteps: ["llm_call", "verify", "read_results"] });
    assert.deepEqual(report.results.map((r) => [r.target, r.ok]), [
      ["llm_call", false],
      ["verify", false],
      ["read_results", true],
    ]);
    assert.equal(report.ok, false);
  });

  test("checkSession() require-decision passes for the action and fails for another", () => {
    const rule = { requireDecisions: [{ step: "choose_tool", action: "search" }] };
    assert.deepEqual(one(plain, rule), {
      rule: "require-decision",
      target: "choose_tool",
      ok: true,
      value: "search",
      limit: "search",
    });
    assert.deepEqual(one(browse, rule), {
      rule: "require-decision",
      target: "choose_tool",
      ok: false,
      value: "browse",
      limit: "search",
    });
    const missing = one(plain, { requireDecisions: [{ step: "nope", action: "x" }] });
    assert.equal(missing.ok, false);
    assert.equal(missing.note, 'no step is named "nope"');
  });

  test("checkSession() max-cost-increase against a baseline passes and fails", () => {
    assert.deepEqual(one(pricey, { maxCostIncrease: 100 }, plain), {
      rule: "max-cost-increase",
      ok: true,
      value: 100,
      limit: 100,
    });
    assert.equal(one(pricey, { maxCostIncrease: 99.9 }, plain).ok, false);
    assert.equal(one(plain, { maxCostIncrease: -40 }, pricey).ok, true); // halved: −50%
  });

  test("checkSession() max-duration-increase against a baseline passes and fails", () => {
    const before = (trading.finished_at! - trading.started_at!) * 1000;
    const now = (research.finished_at! - research.started_at!) * 1000;
    const growth = one(research, { maxDurationIncrease: 1e9 }, trading);
    assert.equal(growth.ok, true);
    const expected = ((now - before) / before) * 100; // about +5,000%
    assert.ok(Math.abs((growth.value as number) - expected) < expected / 1000, `${growth.value} vs ${expected}`);
    assert.equal(one(research, { maxDurationIncrease: 0 }, trading).ok, false);
  });

  test("checkSession() same-decisions passes for the same actions and fails with the first change", () => {
    assert.deepEqual(one(pricey, { sameDecisions: true }, plain), {
      rule: "same-decisions",
      ok: true,
      value: 0,
      limit: 0,
    });
    assert.deepEqual(one(browse, { sameDecisions: true }, plain), {
      rule: "same-decisions",
      ok: false,
      value: 1,
      limit: 0,
      note: "first at choose_tool: search → browse",
    });
    // The crashed run never reached decide_answer: a decision missing from it is a change too.
    assert.equal(one(crash, { sameDecisions: true }, plain).note, "first at decide_answer: ANSWER → (no such step)");
  });

  test("checkSession() applies what it can to the original Python tracer's files and skips the rest", () => {
    const report = checkSession(trading, {
      maxErrors: 0,
      maxTokens: 10,
      maxCost: 0,
      requireSteps: ["execute"],
      requireDecisions: [{ step: "decision", action: "ENTER_LONG" }],
    });
    assert.deepEqual(report.results.map((r) => [r.rule, r.ok, r.skipped !== undefined]), [
      ["max-errors", false, false],
      ["max-cost", true, true],
      ["max-tokens", true, true],
      ["require-step", true, false],
      ["require-decision", true, true],
    ]);
    assert.equal(report.results[2].skipped, "the original Python tracer records no token usage or cost");
    assert.equal(report.results[4].skipped, "the original Python tracer records no decisions");
    assert.equal(report.ok, false);
  });

  test("checkSession() refuses baseline rules without a baseline", () => {
    assert.throws(() => checkSession(plain, { sameDecisions: true }), TypeError);
  });
});
