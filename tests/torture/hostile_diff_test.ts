// Hostile values in both runs of a comparison: arbitrary names, contexts,
// actions and reasons (fast-check, binary strings, script payloads, escape
// sequences) never break `diff`, `check` or the comparison page: the exit code
// is 0 or 1, the text holds no raw control character, the JSON parses, and the
// page's data stays inside its script element.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { diffSessions, readSession, Tracer } from "../../mod.ts";
import { renderDiffHtml } from "../../src/render/html_diff.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { cli, figure, LONG } from "./_torture.ts";

const RUNS = LONG ? 1000 : 60;

const PAYLOADS = [
  "</script><script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "\u001b[2J\u001b]0;title\u0007",
  "\u202eevil\u2066",
  "line\u2028separator\u2029",
  "__proto__",
  "constructor",
  "",
];
const text = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.constantFrom(...PAYLOADS));
const step = fc.record({
  name: fc.oneof(text, fc.constantFrom("plan", "tool", "decide")),
  context: fc.dictionary(text, fc.anything({ maxDepth: 3, stringUnit: "binary" }), { maxKeys: 4 }),
  action: fc.option(text, { nil: undefined }),
  reason: text,
  fail: fc.boolean(),
  child: fc.boolean(),
});
const run = fc.array(step, { maxLength: 8 });

type Spec = {
  name: string;
  context: Record<string, unknown>;
  action?: string;
  reason: string;
  fail: boolean;
  child: boolean;
};

async function write(dir: string, sessionId: string, steps: Spec[]): Promise<string> {
  const tracer = new Tracer("hostile \u001b[31m</script>", { traceDir: dir, sessionId, onError: () => {} });
  for (const spec of steps) {
    try {
      tracer.step(spec.name, spec.context, (s) => {
        if (spec.child) tracer.step(spec.name, () => {});
        if (spec.action !== undefined) s.decide(spec.action, { reason: spec.reason, alternatives: [spec.reason] });
        if (spec.fail) throw new Error(spec.reason);
      });
    } catch {
      // recorded as a failed step
    }
  }
  await tracer.close();
  return tracer.path!;
}

test(`diff and check survive hostile values in both runs (${RUNS} runs of fast-check)`, async () => {
  const dir = tempDir("ai-trace-hostile-diff-");
  let pairs = 0;
  let different = 0;
  try {
    await fc.assert(
      fc.asyncProperty(run, run, async (specA, specB) => {
        pairs++;
        const a = await write(dir, `20261130_000000_a${pairs}`, specA as Spec[]);
        const b = await write(dir, `20261130_000001_b${pairs}`, specB as Spec[]);
        const text = await cli(["diff", a, b, "--all", "--context"]);
        assert.ok(text.code === 0 || text.code === 1, text.err);
        if (text.code === 1) different++;
        // deno-lint-ignore no-control-regex
        assert.doesNotMatch(text.out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        const json = await cli(["diff", a, b, "--json", "--context"]);
        assert.equal(json.code, text.code);
        const parsed = JSON.parse(json.out);
        assert.equal(parsed.identical, text.code === 0);
        const check = await cli(["check", b, "--baseline", a, "--same-decisions", "--max-errors", "0", "--json"]);
        assert.ok(check.code === 0 || check.code === 1, check.err);
        assert.equal(typeof JSON.parse(check.out).ok, "boolean");
        const [sa, sb] = [await readSession(a), await readSession(b)];
        const diff = diffSessions(sa, sb, { context: true });
        const html = renderDiffHtml(sa, sb, diff);
        assert.equal(html.split("<script").length - 1, 2, "two script elements, none from a value");
        const data = /<script type="application\/json" id="ai-trace-data">([^<]*)<\/script>/.exec(html);
        assert.ok(data, "the data element is whole: no value closed it");
        assert.equal(JSON.parse(data[1]).rows.length, diff.rows.length);
      }),
      { numRuns: RUNS },
    );
  } finally {
    removeDir(dir);
  }
  figure("hostile-diff", `${pairs} pairs of runs, ${different} different, 0 broken outputs`);
});
