/**
 * Any OpenTelemetry GenAI instrumentation recorded as ai-trace sessions, with
 * one line, offline: hand-made spans that follow the GenAI conventions, as
 * OpenLLMetry or OpenInference instrumentations make them. Run it with
 * `deno run -A examples/otel_genai.ts` (or `bun …`), then
 * `ai-trace view latest`.
 *
 * @module
 */

import { context, SpanStatusCode } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { AiTraceSpanExporter } from "../src/integrations/otel.ts";

// Without a context manager every span would be a trace (a session) of its own.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new AiTraceSpanExporter())], // one session per trace, in ./traces
});
const otel = provider.getTracer("research-app");

await otel.startActiveSpan("invoke_agent researcher", {
  attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "researcher" },
}, async (agent) => {
  otel.startActiveSpan("chat gpt-4o-mini", {
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.response.finish_reasons": ["tool_calls"],
      "gen_ai.usage.input_tokens": 412,
      "gen_ai.usage.output_tokens": 38,
    },
  }, (span) => span.end());
  otel.startActiveSpan("execute_tool search", {
    attributes: {
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "search",
      "gen_ai.tool.call.arguments": '{"query":"tide tables Oslo"}',
      "gen_ai.tool.call.result": '{"hits":3}',
    },
  }, (span) => span.end());
  otel.startActiveSpan("execute_tool fetch", {
    attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "fetch" },
  }, (span) => {
    span.recordException(new Error("HTTP 503 from tides.example"));
    span.setStatus({ code: SpanStatusCode.ERROR, message: "HTTP 503 from tides.example" });
    span.end();
  });
  otel.startActiveSpan("chat gpt-4o-mini", {
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.input_tokens": 530,
      "gen_ai.usage.output_tokens": 64,
    },
  }, (span) => span.end());
  await Promise.resolve();
  agent.end();
});

await provider.shutdown(); // flushes the batch: the session is written
console.log("see it with: npm run cli -- view latest   (the CLI: ai-trace view latest)");
