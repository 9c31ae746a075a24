/**
 * A Vercel AI SDK agent recorded with one line, offline: a mock model that
 * calls a weather tool, then answers; then a streamed answer. Run it with
 * `deno run -A examples/ai_sdk_agent.ts` (or `bun examples/ai_sdk_agent.ts`),
 * then `ai-trace view latest`.
 *
 * @module
 */

import { generateText, jsonSchema, registerTelemetryIntegration, stepCountIs, streamText, tool } from "ai";
import { MockLanguageModelV3, simulateReadableStream } from "ai/test";
import { Tracer } from "../mod.ts";
import { aiSdkTelemetry } from "../src/integrations/ai_sdk.ts";

const tracer = new Tracer("weather_assistant");
registerTelemetryIntegration(aiSdkTelemetry(tracer)); // ai 7: registerTelemetry(aiSdkTelemetry(tracer))

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

// A model that first calls the weather tool, then answers (a real one: openai("gpt-4o-mini"), …).
const model = new MockLanguageModelV3({
  modelId: "mock-gpt",
  doGenerate: [
    {
      content: [{ type: "tool-call", toolCallId: "call_1", toolName: "weather", input: '{"city":"Oslo"}' }],
      finishReason: { unified: "tool-calls", raw: "tool_calls" },
      usage: usage(84, 18),
      warnings: [],
    },
    {
      content: [{ type: "text", text: "It is 21°C and sunny in Oslo." }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: usage(131, 12),
      warnings: [],
    },
  ],
  doStream: {
    stream: simulateReadableStream({
      chunks: [
        { type: "text-start", id: "t" },
        { type: "text-delta", id: "t", delta: "Bring " },
        { type: "text-delta", id: "t", delta: "sunglasses." },
        { type: "text-end", id: "t" },
        { type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage: usage(40, 3) },
      ],
    }),
  },
});

const tools = {
  weather: tool({
    description: "The current weather in a city",
    inputSchema: jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } } }),
    execute: ({ city }) => Promise.resolve({ city, celsius: 21, sky: "sunny" }),
  }),
  forecast: tool({
    description: "Tomorrow's weather in a city",
    inputSchema: jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } } }),
    execute: ({ city }) => Promise.resolve({ city, celsius: 18 }),
  }),
};

const { text } = await generateText({ model, tools, stopWhen: stepCountIs(5), prompt: "Weather in Oslo?" });
console.log(text);

const stream = streamText({ model, prompt: "What should I bring?", experimental_telemetry: { functionId: "advice" } });
let advice = "";
for await (const delta of stream.textStream) advice += delta;
console.log(advice);

await tracer.close();
console.log(`trace: ${tracer.path}`);
console.log("see it with: npm run cli -- view latest   (the CLI: ai-trace view latest)");
