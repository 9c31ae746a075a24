/**
 * A small question-answering agent whose model is a parameter, so that CI
 * can run it against a mock: it plans, chooses a tool (a decision), calls
 * it, and answers (a decision). See `run_agent.ts` and the README's CI recipe.
 *
 * @module
 */

import type { Tracer } from "../../mod.ts";

/** A model: a prompt in, text and its usage out. */
export type Model = (prompt: string) => Promise<{ text: string; inputTokens: number; outputTokens: number }>;

/** Runs the agent on one question, tracing every step. */
export async function runAgent(question: string, model: Model, tracer: Tracer): Promise<string> {
  const call = (name: string, prompt: string) =>
    tracer.step(name, { prompt_len: prompt.length }, { kind: "llm" }, async (step) => {
      const answer = await model(prompt);
      step.usage({
        model: "mock",
        input_tokens: answer.inputTokens,
        output_tokens: answer.outputTokens,
        cost_usd: (answer.inputTokens + answer.outputTokens * 5) / 1_000_000,
      });
      return answer.text;
    });
  const plan = await call("plan", `Plan how to answer: ${question}`);
  const tool = await call("llm:choose_tool", `Which tool? search or calculator. ${plan}`);
  tracer.step("choose_tool", { question }, (step) => {
    step.decide(tool, { reason: `the model chose ${tool}`, alternatives: ["search", "calculator"] });
  });
  const result = await tracer.step(
    `tool:${tool}`,
    { question },
    () => (tool === "calculator" ? "42" : "six times seven"),
  );
  const answer = await call("llm:answer", `Answer ${question} from: ${result}`);
  tracer.step("respond", { answer }, (step) => step.decide("ANSWER", { reason: "the tool gave a result" }));
  return answer;
}
