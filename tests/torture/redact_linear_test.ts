// Redaction runs inside the agent, on text an attacker can shape (a model's
// output, a web page). Every built-in rule must be linear: its worst input at
// 100 kB costs about what a harmless string of the same length costs. The
// bound is a ratio measured in the same run, never a wall-clock limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BUILT_IN_RULES, createRedactor } from "../../src/record/redact.ts";
import { figure } from "./_torture.ts";

const SIZE = 100_000;
const fill = (unit: string, tail = "") =>
  unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE - tail.length) + tail;

/** The worst inputs found for each rule: a prefix that starts a match again and again and then fails. */
const WORST: Record<string, string[]> = {
  openai: [fill("sk-" + "a".repeat(15) + " "), fill("sk-ant-")],
  stripe: [fill("sk_live_" + "a".repeat(15) + " ")],
  aws: [fill("AKIA" + "A".repeat(15) + " "), fill("AKIA")],
  github: [fill("ghp_" + "a".repeat(35) + " ")],
  "github-pat": [fill("github_pat_" + "a".repeat(21) + " ")],
  gitlab: [fill("glpat-" + "a".repeat(19) + " ")],
  slack: [fill("xoxb-" + "a".repeat(9) + " ")],
  google: [fill("AIza" + "a".repeat(34) + " ")],
  huggingface: [fill("hf_" + "a".repeat(29) + " ")],
  npm: [fill("npm_" + "a".repeat(35) + " ")],
  bearer: [fill("Bearer" + " ".repeat(8) + "a".repeat(11) + " "), "Bearer" + " ".repeat(SIZE - 6)],
  basic: [fill("basic" + " ".repeat(8) + "a".repeat(11) + " "), fill("Basic abcdefghijklmnop ")],
  "private-key": ["-----BEGIN " + fill("A ").slice(11), fill("-----BEGIN PRIVATE KEY-----"), fill("-----END ")],
  // The attack of issue 12: a JWT prefix repeated inside one base64url run.
  jwt: [fill("eyJ-"), fill("eyJaaaaaaaa.eyJaaaaaaaa."), fill("eyJaaaaaaaa.")],
  // The attack of issue 12: a long scheme-like run, then "://".
  "url-credentials": [fill("a.", "://"), fill("a://@"), fill("a://" + "b".repeat(50) + "@")],
  "key-value": [fill("a".repeat(63) + "-"), fill('password="'), fill("pass:"), fill("password=")],
};

/** Prose that passes every quick pre-check, so the full set of rules runs over it. */
const HARMLESS = fill(
  "The quick brown fox reads https://example.com/a?b=c&d=e for the key point; token count 5, pass rate 0.9. ",
);

test("createRedactor() runs every built-in rule in linear time: worst input vs harmless text, same length", () => {
  assert.deepEqual(Object.keys(WORST).sort(), [...BUILT_IN_RULES].sort(), "every built-in rule has its worst inputs");
  const redactor = createRedactor();
  // Each measure is three calls, so it spans well above the timer's resolution.
  const time = (text: string) => {
    const started = performance.now();
    for (let i = 0; i < 3; i++) assert.equal(typeof redactor.redactString(text), "string");
    return performance.now() - started;
  };
  // Warm up, then keep the best of several rounds: a busy machine only ever makes a time longer.
  for (let i = 0; i < 3; i++) time(HARMLESS);
  let harmless = Infinity;
  for (let i = 0; i < 7; i++) harmless = Math.min(harmless, time(HARMLESS));
  harmless = Math.max(harmless, 0.05); // below the timer's useful resolution
  // A linear rule measures a few times the harmless text (it may do more work per character);
  // a quadratic one thousands of times.
  const BOUND = 100;
  const ratios: string[] = [];
  let worstRatio = 0;
  for (const [rule, inputs] of Object.entries(WORST)) {
    for (const [i, input] of inputs.entries()) {
      assert.equal(input.length, SIZE, `${rule} #${i} is ${SIZE} characters`);
      let best = Infinity;
      for (let round = 0; round < 7 && best / harmless > BOUND; round++) {
        best = Math.min(best, time(input));
        if (best / harmless > 20 * BOUND) break; // not noise: no need to wait for more rounds
      }
      const ratio = best / harmless;
      worstRatio = Math.max(worstRatio, ratio);
      ratios.push(`${rule}#${i} ${ratio.toFixed(1)}`);
      assert.ok(ratio <= BOUND, `rule "${rule}" input #${i} took ${ratio.toFixed(0)}× a harmless string of 100 kB`);
    }
  }
  figure(
    "redact-linear",
    `${ratios.length} worst inputs of 100 kB over ${BUILT_IN_RULES.length} rules (harmless: ${
      (harmless / 3).toFixed(2)
    } ms): at most ${worstRatio.toFixed(1)}× a harmless 100 kB string (bound ${BOUND}×); ${ratios.join(", ")}`,
  );
});

test("Tracer keeps the agent responsive: 100 crafted strings of 10 kB in one log cost what harmless ones cost", async () => {
  const { Tracer } = await import("../../mod.ts");
  const tracer = new Tracer("linear", { autoSave: false });
  const crafted = Array.from({ length: 100 }, () => "a.".repeat(4990) + "://");
  const harmless = Array.from({ length: 100 }, () => "a ".repeat(4990) + "://");
  const time = (values: string[]) => {
    const started = performance.now();
    tracer.step("log", (step) => step.log({ values }));
    return performance.now() - started;
  };
  time(harmless);
  let plain = Infinity;
  let worst = Infinity;
  for (let round = 0; round < 5; round++) {
    plain = Math.min(plain, time(harmless));
    worst = Math.min(worst, time(crafted));
    if (worst / Math.max(plain, 0.05) > 1000) break;
  }
  await tracer.close();
  const ratio = worst / Math.max(plain, 0.05);
  figure("redact-agent", `100 × "a.".repeat(4990) + "://" in one step.log: ${ratio.toFixed(1)}× the harmless strings`);
  assert.ok(ratio <= 20, `crafted strings took ${ratio.toFixed(0)}× harmless ones`);
});
