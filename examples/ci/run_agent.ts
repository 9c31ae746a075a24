/**
 * The CI run of `qa_agent.ts`: the agent against a mock model, traced into
 * `$AI_TRACE_DIR` (default `traces`). `MOCK_TOOL` sets the tool the mock
 * model chooses (default `calculator`), to see what `ai-trace check` says
 * when a change in the agent makes it decide differently.
 *
 * Usage: deno run -A examples/ci/run_agent.ts   (or bun examples/ci/run_agent.ts)
 *
 * @module
 */

import process from "node:process";
import { Tracer } from "../../mod.ts";
import { type Model, runAgent } from "./qa_agent.ts";

const tool = process.env.MOCK_TOOL || "calculator";

/** Canned answers, so the run is the same every time and costs nothing. */
const mockModel: Model = (prompt) => {
  const text = prompt.startsWith("Which tool?") ? tool : prompt.startsWith("Plan") ? "use a tool, then answer" : "42";
  return Promise.resolve({ text, inputTokens: Math.ceil(prompt.length / 4), outputTokens: 8 });
};

const tracer = new Tracer("qa_agent", { meta: { model: "mock" } });
const answer = await runAgent("What is 6 * 7?", mockModel, tracer);
await tracer.close();
console.log(`answer: ${answer}; trace: ${tracer.path}`);
