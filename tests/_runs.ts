/**
 * Pairs of runs for the `diff` and `check` tests, written by the Tracer: a
 * ten-step agent whose variants change one decision, add a retry, drop a
 * tool call, or crash half-way.
 *
 * @module
 */

import { readFileSync, writeFileSync } from "node:fs";
import { Tracer } from "../mod.ts";

/** How a run differs from the plain one. */
export interface Variant {
  /** The action chosen at step 3 (`choose_tool`), and why. */
  tool?: [string, string];
  /** The search fails once and is retried. */
  retry?: boolean;
  /** The calculator is never called. */
  noCalculator?: boolean;
  /** The run dies while `llm_call` (step 6) is running. */
  crash?: boolean;
  /** Tokens of the LLM calls. */
  tokens?: number;
  /** A value put in every context (the same in both runs unless told otherwise). */
  contextValue?: string;
}

/**
 * Runs the agent with a tracer: `load_task`, `plan`, `choose_tool` (a
 * decision), `tool:search` (with `http_get` inside), `read_results`,
 * `llm_call`, `tool:calculator`, `verify`, `decide_answer` (a decision),
 * `respond`.
 */
export async function runAgent(tracer: Tracer, variant: Variant = {}): Promise<void> {
  const tokens = variant.tokens ?? 100;
  const extra = variant.contextValue === undefined ? {} : { note: variant.contextValue };
  tracer.step("load_task", { task: "what is 6 * 7?", ...extra }, () => {});
  tracer.step("plan", { ...extra }, (step) => {
    step.usage({ model: "mock", input_tokens: tokens, output_tokens: 10, cost_usd: tokens / 100_000 });
  });
  const [tool, reason] = variant.tool ?? ["search", "the question needs a fact"];
  tracer.step("choose_tool", { ...extra }, (step) => {
    step.decide(tool, { reason, confidence: 0.8, alternatives: ["search", "browse", "answer"] });
  });
  if (variant.retry) {
    try {
      await tracer.step("tool:search", { q: "6 * 7", ...extra }, async () => {
        await tracer.step("http_get", { url: "https://example.com/search" }, () => {});
        throw new Error("HTTP 503");
      });
    } catch {
      // retried below
    }
  }
  await tracer.step("tool:search", { q: "6 * 7", ...extra }, async () => {
    await tracer.step("http_get", { url: "https://example.com/search" }, () => {});
  });
  tracer.step("read_results", { ...extra }, () => {});
  if (variant.crash) {
    tracer.step("llm_call", { ...extra }).start();
    return;
  }
  tracer.step("llm_call", { ...extra }, (step) => {
    step.usage({ model: "mock", input_tokens: tokens, output_tokens: 20, cost_usd: tokens / 100_000 });
  });
  if (!variant.noCalculator) tracer.step("tool:calculator", { expr: "6 * 7", ...extra }, () => 42);
  tracer.step("verify", { ...extra }, () => {});
  tracer.step("decide_answer", { ...extra }, (step) => step.decide("ANSWER", { reason: "verified" }));
  tracer.step("respond", { answer: 42, ...extra }, () => {});
}

/**
 * Writes one run of the agent into `dir` with the given session id; a crashed
 * run is left as a process that died would leave it (no `end` line, written
 * on another host so that its state does not depend on this process).
 *
 * @returns The file's path.
 */
export async function writeRun(dir: string, sessionId: string, variant: Variant = {}): Promise<string> {
  const tracer = new Tracer("qa_agent", { traceDir: dir, sessionId, meta: { model: "mock" } });
  await runAgent(tracer, variant);
  const path = tracer.path!;
  if (!variant.crash) {
    await tracer.close();
    return path;
  }
  const lines = readFileSync(path, "utf8").split("\n");
  await tracer.close();
  const session = JSON.parse(lines[0]);
  lines[0] = JSON.stringify({ ...session, host: "elsewhere", pid: 1 });
  writeFileSync(path, lines.join("\n"));
  return path;
}

/** An hour from now, epoch milliseconds: a crashed run reads as crashed, not running. */
export function later(): number {
  return Date.now() + 3_600_000;
}
