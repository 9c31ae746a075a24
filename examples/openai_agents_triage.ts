/**
 * An OpenAI Agents SDK run recorded locally with one line, offline: a triage
 * agent with a guardrail hands off to a weather agent that calls a tool. The
 * models are scripted (no network, no API key). Run it with
 * `deno run -A examples/openai_agents_triage.ts` (or `bun …`), then
 * `ai-trace view latest`.
 *
 * @module
 */

import {
  Agent,
  type Model,
  type ModelResponse,
  run,
  setTraceProcessors,
  setTracingDisabled,
  tool,
  Usage,
} from "@openai/agents";
import { z } from "zod";
import { Tracer } from "../mod.ts";
import { openAIAgentsProcessor } from "../src/integrations/openai_agents.ts";

const tracer = new Tracer("support_bot");
setTraceProcessors([openAIAgentsProcessor(tracer)]); // everything stays local
setTracingDisabled(false); // the SDK turns tracing off under NODE_ENV=test (bun test); on here

type Output = ModelResponse["output"];

// A model that answers from a script (a real one: the default OpenAI model, or any Model).
function scripted(script: Output[], inputTokens: number, outputTokens: number): Model {
  return {
    getResponse() {
      return Promise.resolve({
        usage: new Usage({ requests: 1, inputTokens, outputTokens, totalTokens: inputTokens + outputTokens }),
        output: script.shift() ?? [],
      });
    },
    // deno-lint-ignore require-yield
    async *getStreamedResponse() {
      throw new Error("not scripted");
    },
  };
}

const weather = tool({
  name: "weather",
  description: "The current weather in a city",
  parameters: z.object({ city: z.string() }),
  execute: ({ city }) => Promise.resolve(`21°C and sunny in ${city}`),
});

const weatherAgent = new Agent({
  name: "weather_agent",
  instructions: "Answer weather questions with the weather tool.",
  tools: [weather],
  model: scripted(
    [
      [{ type: "function_call", callId: "call_1", name: "weather", arguments: '{"city":"Oslo"}', status: "completed" }],
      [{
        type: "message",
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "It is 21°C and sunny in Oslo." }],
      }],
    ],
    120,
    16,
  ),
});
const billingAgent = new Agent({ name: "billing_agent", instructions: "Answer billing questions." });

const triage = new Agent({
  name: "triage",
  instructions: "Hand each question to the right agent.",
  handoffs: [weatherAgent, billingAgent],
  inputGuardrails: [{
    name: "no_secrets",
    execute: ({ input }) => Promise.resolve({ tripwireTriggered: /password/i.test(String(input)), outputInfo: {} }),
  }],
  model: scripted(
    [
      [{
        type: "function_call",
        callId: "call_0",
        name: "transfer_to_weather_agent",
        arguments: "{}",
        status: "completed",
      }],
    ],
    64,
    9,
  ),
});

const result = await run(triage, "What is the weather in Oslo?");
console.log(result.finalOutput);

await tracer.close();
console.log(`trace: ${tracer.path}`);
console.log("see it with: npm run cli -- view latest   (the CLI: ai-trace view latest)");
