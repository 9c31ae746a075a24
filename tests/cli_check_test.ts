import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertOneLineError, cli, PYTHON_SEED } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { later, writeRun } from "./_runs.ts";

describe("ai-trace check", () => {
  let dir: string;
  let plain: string;
  let crash: string;
  let browse: string;
  const run = (args: string[]) => cli(["--dir", dir, "check", ...args], { now: later });
  const rulesFile = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };

  before(async () => {
    dir = tempDir("ai-trace-cli-check-");
    plain = await writeRun(dir, "20261130_010000_plain");
    crash = await writeRun(dir, "20261130_010100_crash", { crash: true });
    browse = await writeRun(dir, "20261130_010200_brwse", { tool: ["browse", "a page has it"] });
  });
  after(() => removeDir(dir));

  test("check exits 0 when every rule holds, one line per rule with value and limit", async () => {
    const { code, out, err } = await run([
      plain,
      "--max-errors",
      "0",
      "--max-cost",
      "0.01",
      "--max-tokens",
      "1000",
      "--max-steps",
      "11",
      "--require-step",
      "plan",
      "--require-step",
      "respond",
      "--require-decision",
      "choose_tool=search",
      "--no-in-flight",
    ]);
    assert.equal(err, "");
    assert.equal(code, 0);
    assert.match(out, /^PASS {2}max-errors +0 +≤ 0$/m);
    assert.match(out, /^PASS {2}max-cost +\$0\.002 +≤ \$0\.01$/m);
    assert.match(out, /^PASS {2}max-tokens +230 +≤ 1000$/m);
    assert.match(out, /^PASS {2}require-step respond +1 +≥ 1$/m);
    assert.match(out, /^PASS {2}require-decision choose_tool +search += search$/m);
    assert.match(out, /^All 8 rules pass$/m);
  });

  test("check exits 1 when a rule fails, and --json gives ok and the results", async () => {
    const { code, out } = await run([crash, "--no-in-flight", "--max-errors", "0", "--json"]);
    assert.equal(code, 1);
    const report = JSON.parse(out);
    assert.equal(report.ok, false);
    assert.deepEqual(report.results, [
      { rule: "max-errors", ok: true, value: 0, limit: 0 },
      { rule: "no-in-flight", ok: false, value: 1, limit: 0, note: "the session crashed with 1 step(s) in flight" },
    ]);
    const text = await run([crash, "--no-in-flight"]);
    assert.equal(text.code, 1);
    assert.match(text.out, /^FAIL {2}no-in-flight +1 +≤ 0 +the session crashed with 1 step\(s\) in flight$/m);
    assert.match(text.out, /^1 of 1 rules failed$/m);
  });

  test("check --baseline --same-decisions fails on a changed decision, naming it", async () => {
    const { code, out } = await run([browse, "--baseline", plain, "--same-decisions", "--max-cost-increase", "0"]);
    assert.equal(code, 1);
    assert.match(out, /^PASS {2}max-cost-increase +0% +≤ 0%$/m);
    assert.match(out, /^FAIL {2}same-decisions +1 +≤ 0 +first at choose_tool: search → browse$/m);
    const same = await run(["latest~2", "--baseline", plain, "--same-decisions"]);
    assert.equal(same.code, 0);
  });

  test("check --rules reads the rules from a JSON file, flags winning over it", async () => {
    const rules = rulesFile("rules.json", {
      "max-errors": 0,
      "max-cost": 0.05,
      "no-in-flight": true,
      "require-step": ["plan", "respond"],
      "require-decision": { choose_tool: "search", decide_answer: "ANSWER" },
      "same-decisions": true,
    });
    let result = await run([plain, "--baseline", plain, "--rules", rules]);
    assert.equal(result.code, 0, result.out + result.err);
    assert.match(result.out, /^All 8 rules pass$/m);
    result = await run([browse, "--baseline", plain, "--rules", rules, "--json"]);
    assert.equal(result.code, 1);
    const failed = JSON.parse(result.out).results.filter((r: { ok: boolean }) => !r.ok);
    assert.deepEqual(failed.map((r: { rule: string }) => r.rule), ["require-decision", "same-decisions"]);
    result = await run([plain, "--baseline", plain, "--rules", rules, "--max-cost", "0.001"]);
    assert.equal(result.code, 1);
    assert.match(result.out, /^FAIL {2}max-cost +\$0\.002 +≤ \$0\.001$/m);
    // The list form of require-decision.
    const list = rulesFile("list.json", { "require-decision": ["choose_tool=browse"] });
    assert.equal((await run([browse, "--rules", list])).code, 0);
  });

  test("check runs the rules that apply to the original Python tracer's files and says which could not", async () => {
    const seed = join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl");
    const { code, out } = await run([seed, "--max-errors", "1", "--max-tokens", "10", "--require-decision", "x=y"]);
    assert.equal(code, 0);
    assert.match(out, /^SKIP {2}max-tokens +- +≤ 10 +the original Python tracer records no token usage or cost$/m);
    assert.match(out, /^SKIP {2}require-decision x +- += y +the original Python tracer records no decisions$/m);
    assert.match(out, /^All 3 rules pass \(2 could not be checked on this session\)$/m);
    const crashy = join(PYTHON_SEED, "crashy_agent_20261124_220807.jsonl");
    const crashed = await run([crashy, "--no-in-flight"]);
    assert.equal(crashed.code, 1);
    assert.match(crashed.out, /FAIL {2}no-in-flight +0 +≤ 0 +the session crashed$/m);
  });

  test("check exits 2 for usage errors, bad rules files and sessions it cannot read", async () => {
    const cases: [string[], RegExp][] = [
      [[], /Missing <session>/],
      [[plain], /No rules given/],
      [[plain, "--max-errors", "-1"], /--max-errors must be a whole number ≥ 0, not "-1"/],
      [[plain, "--max-cost", "cheap"], /--max-cost must be a number ≥ 0, not "cheap"/],
      [[plain, "--require-decision", "choose_tool"], /--require-decision must be STEP=ACTION/],
      [[plain, "--same-decisions"], /--same-decisions needs --baseline <session>/],
      [["nope", "--max-errors", "0"], /No session matches "nope"/],
      [[plain, "--baseline", "nope", "--same-decisions"], /No session matches "nope"/],
      [[plain, "--rules", join(dir, "missing.json")], /Cannot use rules file ".*missing\.json": no such file/],
      [[plain, "--rules", rulesFile("bad.json", "{ not json")], /Cannot use rules file ".*bad\.json": it is not JSON/],
      [[plain, "--rules", rulesFile("list.json", "[1]")], /it must hold a JSON object/],
      [[plain, "--rules", rulesFile("typo.json", { "max-error": 0 })], /unknown rule "max-error" \(the rules are/],
      [
        [plain, "--rules", rulesFile("type.json", { "max-steps": "ten" })],
        /"max-steps" in ".*" must be a whole number/,
      ],
      [
        [plain, "--rules", rulesFile("flag.json", { "no-in-flight": "yes" })],
        /"no-in-flight" in .* must be true or false/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const { code, err } = await run(args);
      assert.equal(code, 2, `${args.join(" ")}: ${err}`);
      assertOneLineError(err, pattern);
    }
  });
});
