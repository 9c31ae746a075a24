import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tracer } from "../mod.ts";
import { assertOneLineError, cli, PYTHON_SEED } from "./_cli.ts";
import { removeDir, runScript, tempDir } from "./_helpers.ts";
import { later, writeRun } from "./_runs.ts";

describe("ai-trace diff", () => {
  let dir: string;
  let plain: string;
  let again: string;
  let browse: string;
  let retry: string;
  let crash: string;
  const run = (args: string[]) => cli(["--dir", dir, "diff", ...args], { now: later });

  before(async () => {
    dir = tempDir("ai-trace-cli-diff-");
    plain = await writeRun(dir, "20261130_010000_plain");
    again = await writeRun(dir, "20261130_010100_again");
    retry = await writeRun(dir, "20261130_010200_retry", { retry: true });
    crash = await writeRun(dir, "20261130_010300_crash", { crash: true });
    browse = await writeRun(dir, "20261130_010400_brwse", { tool: ["browse", "a page has it"] });
  });
  after(() => removeDir(dir));

  test("diff exits 0 and says so for identical runs", async () => {
    const { code, out, err } = await run([plain, again]);
    assert.equal(err, "");
    assert.equal(code, 0);
    assert.match(out, /No difference: the same 11 steps, outcomes and decisions in both runs/);
    assert.doesNotMatch(out, /First divergence/);
  });

  test("diff latest~1 latest points at the changed decision with both reasons, and exits 1", async () => {
    const { code, out } = await run(["latest~1", "latest"]);
    assert.equal(code, 1);
    assert.match(out, /^a {2}.*qa_agent_20261130_010300_crash\.jsonl$/m);
    assert.match(out, /^b {2}.*qa_agent_20261130_010400_brwse\.jsonl$/m);
    assert.match(out, /^ {2}state +crashed +complete +crashed → complete$/m);
    // latest~4 is the plain run: its first divergence with the newest is the decision at step 3.
    const { code: code2, out: text } = await run(["latest~4", "latest"]);
    assert.equal(code2, 1);
    assert.match(text, /First divergence at choose_tool: decided differently/);
    assert.match(text, /^ {2}a {2}✓ choose_tool .* · step 3 of a$/m);
    assert.match(text, /decision +search — the question needs a fact \(confidence 0\.8; alternatives/);
    assert.match(text, /decision +browse — a page has it \(confidence 0\.8; alternatives/);
    assert.match(text, /^~ choose_tool +decision search → browse/m);
    assert.match(text, /… 8 more steps after it, all the same/);
    assert.match(text, /^1 difference: 1 changed$/m);
  });

  test("diff marks an extra retry with + and the runs after it with =", async () => {
    const { code, out } = await run([plain, retry, "--all"]);
    assert.equal(code, 1);
    assert.match(out, /First divergence at tool:search: b has a step that a does not/);
    assert.match(out, /^ {2}a {2}\(no such step in this run\)$/m);
    const tree = out.slice(out.indexOf("Aligned steps"));
    const marks = tree.split("\n").slice(1).filter((line) => /^[=~+-] /.test(line)).map((line) => line.slice(0, 1));
    assert.equal(marks.join(""), "===++===="); // the 8 same steps after the retry, folded
    assert.match(tree, /^ {2}… 4 same steps$/m);
    assert.match(tree, /^\+ tool:search +only in b/m);
    assert.match(tree, /^\+ {3}http_get +only in b/m);
  });

  test("diff marks a missing tool call with - and exits 1", async () => {
    const without = await writeRun(tempDir("ai-trace-cli-diff-nocal-"), "20261130_020000_nocal", {
      noCalculator: true,
    });
    try {
      const { code, out } = await run([plain, without, "--all"]);
      assert.equal(code, 1);
      assert.match(out, /First divergence at tool:calculator: a step of a is missing from b/);
      assert.match(out, /^ {2}b {2}\(no such step in this run\)$/m);
      assert.match(out, /^- tool:calculator +only in a/m);
      assert.equal(out.match(/^[~+-] /gm)?.length, 1);
    } finally {
      removeDir(join(without, ".."));
    }
  });

  test("diff shows a crashed run: the step in flight, then the missing ones", async () => {
    const { code, out } = await run([plain, crash, "--all"]);
    assert.equal(code, 1);
    assert.match(out, /First divergence at llm_call: ended differently/);
    assert.match(out, /^ {2}b {2}▶ llm_call {2}IN FLIGHT/m);
    assert.match(out, /^~ llm_call +outcome ok → in flight/m);
    assert.equal(out.match(/^- .*only in a/gm)?.length, 4);
    assert.match(out, /^ {2}in flight +0 +1 +\+1$/m);
  });

  test("diff --json gives identical, first_divergence, totals and differences", async () => {
    const { code, out } = await run([plain, browse, "--json"]);
    assert.equal(code, 1);
    const result = JSON.parse(out);
    assert.equal(result.identical, false);
    assert.equal(result.first_divergence.reason, "decision");
    assert.deepEqual(result.first_divergence.path, ["choose_tool"]);
    assert.equal(result.first_divergence.a.decision.action, "search");
    assert.equal(result.first_divergence.b.decision.reason, "a page has it");
    assert.equal(result.first_divergence.b.in_flight, false); // a step as `view --json` prints it
    assert.equal(result.totals.a.steps, 11);
    assert.equal(result.totals.b.decisions, 2);
    assert.equal(result.differences.length, 1);
    assert.equal(result.aligned.length, 11);
    assert.equal(result.aligned[2].marker, "~");
    const same = JSON.parse((await run([plain, again, "--json"])).out);
    assert.equal(same.identical, true);
    assert.equal(same.first_divergence, null);
    assert.deepEqual(same.differences, []);
  });

  test("diff --context counts a changed context", async () => {
    const other = await writeRun(tempDir("ai-trace-cli-diff-ctx-"), "20261130_020000_other", { contextValue: "x" });
    try {
      assert.equal((await run([plain, other])).code, 0);
      const { code, out } = await run([plain, other, "--context"]);
      assert.equal(code, 1);
      assert.match(out, /First divergence at load_task: saw a different context/);
    } finally {
      removeDir(join(other, ".."));
    }
  });

  test("diff --html -o writes a self-contained page, with the exit code of the comparison", async () => {
    const outDir = tempDir("ai-trace-cli-diff-html-");
    try {
      const path = join(outDir, "diff.html");
      const { code, out, err } = await run([plain, browse, "--html", "-o", path]);
      assert.equal(code, 1);
      assert.equal(out, "");
      assert.match(err, /^Wrote the comparison of the two runs to .*diff\.html \(\d+ bytes\)$/m);
      const html = readFileSync(path, "utf8");
      assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
      assert.match(html, /require-trusted-types-for 'script'; trusted-types 'none'/);
      assert.ok(!/<script src|<link rel="stylesheet"/.test(html), "nothing is loaded from outside the page");
      assert.equal((await run([plain, again, "--html"])).code, 0); // to standard output
      const usage = await run([plain, again, "-o", path]);
      assert.equal(usage.code, 2);
      assertOneLineError(usage.err, /"--output" works only with --html/);
    } finally {
      removeDir(outDir);
    }
  });

  test("diff compares runs of the original Python tracer", async () => {
    const seed = join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl");
    const { code, out } = await run([seed, seed]);
    assert.equal(code, 0);
    assert.match(out, /No difference: the same 4 steps/);
    const research = join(PYTHON_SEED, "research_agent_20261124_220805.jsonl");
    const other = await run([seed, research]);
    assert.equal(other.code, 1);
    assert.match(other.out, /First divergence at market_scan: a step of a is missing from b/);
  });

  test("diff exits 2 with one line for a missing argument, an unknown session or a file that is not a trace", async () => {
    let result = await run([plain]);
    assert.equal(result.code, 2);
    assertOneLineError(result.err, /Missing <b>/);
    result = await run([plain, "nope"]);
    assert.equal(result.code, 2);
    assertOneLineError(result.err, /No session matches "nope"/);
    result = await run(["latest~99", "latest"]);
    assert.equal(result.code, 2);
    assertOneLineError(result.err, /No session is "latest~99"/);
    const emptyDir = tempDir("ai-trace-cli-diff-empty-");
    try {
      const empty = join(emptyDir, "empty_20261130_000000.jsonl");
      writeFileSync(empty, "");
      result = await run([plain, empty]);
      assert.equal(result.code, 2);
      assertOneLineError(result.err, /empty_20261130_000000\.jsonl/);
    } finally {
      removeDir(emptyDir);
    }
    result = await run([plain, again, "--bogus"]);
    assert.equal(result.code, 2);
  });

  test("diff keeps hostile names and values from reaching the terminal raw", async () => {
    const hostileDir = tempDir("ai-trace-cli-diff-hostile-");
    try {
      const paths: string[] = [];
      for (const [i, action] of ["\u001b[2J\u001b]0;pwned\u0007BUY", "SELL\u0000\u009b31m"].entries()) {
        const tracer = new Tracer("evil\u001b[31m", { traceDir: hostileDir, sessionId: `20261130_03000${i}_evil` });
        tracer.step("\u001b[1mstep\r\nfake line", { "\u001b]8;;x\u0007": "</script>\u2028" }, (step) => {
          step.decide(action, { reason: "\u001b[2Kreason", alternatives: [{ "\u0007": 1 }] });
        });
        await tracer.close();
        paths.push(tracer.path!);
      }
      copyFileSync(paths[1], join(hostileDir, "copy_20261130_040000.jsonl"));
      const { code, out, err } = await cli(["--dir", hostileDir, "diff", paths[0], paths[1], "--all"]);
      assert.equal(code, 1, err);
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      assert.match(out, /First divergence at \\u001b\[1mstep\\r\\nfake line: decided differently/);
      const json = await cli(["--dir", hostileDir, "diff", paths[0], paths[1], "--json"]);
      assert.equal(JSON.parse(json.out).first_divergence.b.decision.action, "SELL\u0000\u009b31m");
    } finally {
      removeDir(hostileDir);
    }
  });

  test("diff latest~1 latest on two runs of the demo agent points at the changed decision, with both reasons", async () => {
    const demo = fileURLToPath(new URL("../examples/trading_agent.ts", import.meta.url));
    const demoDir = tempDir("ai-trace-cli-diff-demo-");
    try {
      for (const args of [[], ["--signal", "0.42"]]) {
        const result = runScript(demo, { args, env: { AI_TRACE_DIR: demoDir } });
        assert.equal(result.status, 0, result.stderr);
      }
      const { code, out } = await cli(["diff", "latest~1", "latest"], { env: { AI_TRACE_DIR: demoDir } });
      assert.equal(code, 1);
      assert.match(out, /First divergence at decision: decided differently/);
      assert.match(out, /decision +ENTER_LONG — SuperTrend bullish \+ volume spike \(confidence 0\.87;/);
      assert.match(out, /decision +HOLD — signal too weak for an entry \(confidence 0\.58;/);
      assert.match(out, /^~ decision +decision ENTER_LONG → HOLD/m);
      assert.match(out, /1 more difference \(1 only in a\)/); // no order is sent
    } finally {
      removeDir(demoDir);
    }
  });
});
