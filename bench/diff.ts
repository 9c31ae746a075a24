/**
 * `ai-trace diff` on two 1,000-step runs: how long reading both files,
 * aligning and comparing them, and rendering the text take, in-process,
 * beside the peer every comparison pays first — reading the two files
 * (`readSession` twice). The second run decided differently half-way and
 * retried one tool call later on, so the alignment has work to do.
 *
 * Usage: deno run -A bench/diff.ts [--steps N] [--runs N] [--keep DIR]
 * Prints one JSON object on standard output (with the two files' paths when
 * `--keep DIR` writes them there, for a CLI run to time).
 *
 * @module
 */

import * as fs from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { diffSessions, readSession, Tracer } from "../mod.ts";
import { main } from "../src/cli/main.ts";
import { memoryIo } from "../src/cli/io.ts";
import { renderDiffText } from "../src/cli/diff.ts";
import { createStyle } from "../src/cli/format.ts";
import { median, runtime } from "./_workload.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    steps: { type: "string", default: "1000" },
    runs: { type: "string", default: "21" },
    keep: { type: "string" },
  },
});
const STEPS = Number(values.steps);
const RUNS = Number(values.runs);

/** One run: iterations of plan, llm_call, three tools, summarize, reflect, check, decide: 10 steps each. */
async function writeRun(dir: string, sessionId: string, changed: boolean): Promise<string> {
  const tracer = new Tracer("bench_agent", { traceDir: dir, sessionId });
  const iterations = Math.ceil(STEPS / 10);
  for (let i = 0; i < iterations; i++) {
    tracer.step("iteration", { i }, () => {
      tracer.step("plan", { i, goal: "answer the question" }, () => {});
      tracer.step("llm_call", { i, prompt_len: 1200 + i }, (step) => {
        step.usage({ model: "mock", input_tokens: 1200, output_tokens: 80, cost_usd: 0.0011 });
      });
      for (const tool of ["search", "fetch", "parse"]) {
        if (changed && i === Math.floor((iterations * 2) / 3) && tool === "fetch") {
          try {
            tracer.step("tool:fetch", { url: `https://example.com/${i}` }, () => {
              throw new Error("HTTP 503");
            });
          } catch {
            // retried below
          }
        }
        tracer.step(`tool:${tool}`, { url: `https://example.com/${i}` }, (step) => step.log({ bytes: 1000 + i }));
      }
      tracer.step("summarize", { i }, () => {});
      tracer.step("reflect", { i }, () => {});
      tracer.step("check", { i }, () => {});
      tracer.step("decide", { i }, (step) => {
        const action = changed && i === Math.floor(iterations / 2) ? "STOP" : "CONTINUE";
        step.decide(action, { reason: action === "STOP" ? "enough evidence" : "need more", confidence: 0.7 });
      });
    });
  }
  await tracer.close();
  return tracer.path!;
}

const dir = values.keep ?? fs.mkdtempSync(join(os.tmpdir(), "ai-trace-bench-diff-"));
fs.mkdirSync(dir, { recursive: true });
const a = await writeRun(dir, "20261130_000000_base", false);
const b = await writeRun(dir, "20261130_000100_next", true);
const style = createStyle(false);
const samples = {
  read: [] as number[],
  diff: [] as number[],
  render: [] as number[],
  total: [] as number[],
  cli: [] as number[],
};
let steps = 0;
let first = "";
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  const [sa, sb] = [await readSession(a), await readSession(b)];
  const t1 = performance.now();
  const result = diffSessions(sa, sb);
  const t2 = performance.now();
  const text = renderDiffText(result, sa, sb, style);
  const t3 = performance.now();
  const io = memoryIo();
  const code = await main(["diff", a, b], io);
  const t4 = performance.now();
  if (code !== 1 || text.length === 0) throw new Error(`diff exited ${code}: ${io.err()}`);
  samples.read.push(t1 - t0);
  samples.diff.push(t2 - t1);
  samples.render.push(t3 - t2);
  samples.total.push(t3 - t0);
  samples.cli.push(t4 - t3);
  steps = sa.steps.length;
  first = `${result.first_divergence?.reason} at ${result.first_divergence?.path.join(" > ")}`;
}
console.log(JSON.stringify({
  runtime: runtime().name,
  steps,
  runs: RUNS,
  first_divergence: first,
  read_ms: median(samples.read),
  diff_ms: median(samples.diff),
  render_ms: median(samples.render),
  total_ms: median(samples.total),
  cli_in_process_ms: median(samples.cli),
  a,
  b,
}));
if (values.keep === undefined) fs.rmSync(dir, { recursive: true, force: true });
