// wrapOpenAI and wrapAnthropic, offline: the real `openai` and `@anthropic-ai/sdk` clients, given a `fetch` that
// answers like the APIs do, so this runs without a network or an API key. With real keys, drop the `fetch` option.
//
//   deno run -A examples/llm_clients.ts      (or: bun examples/llm_clients.ts)
//   ai-trace view latest

import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { Tracer } from "@ai-trace/core";
import { wrapOpenAI } from "@ai-trace/core/openai";
import { wrapAnthropic } from "@ai-trace/core/anthropic";

// A stand-in for the network: one canned answer per endpoint.
const fakeFetch = (input: string | URL | Request, _init?: RequestInit): Promise<Response> => {
  const url = String(input instanceof Request ? input.url : input);
  if (url.endsWith("/chat/completions")) {
    return Promise.resolve(Response.json({
      id: "chatcmpl-demo",
      object: "chat.completion",
      created: 1_767_225_600,
      model: "gpt-4o-mini-2024-07-18",
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "tides", arguments: '{"port":"Lisbon"}' } }],
        },
        finish_reason: "tool_calls",
      }],
      usage: { prompt_tokens: 182, completion_tokens: 17, prompt_tokens_details: { cached_tokens: 128 } },
    }, { headers: { "x-request-id": "req_demo_openai" } }));
  }
  return Promise.resolve(Response.json({
    id: "msg_demo",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5-20251001",
    content: [{ type: "text", text: "High tide in Lisbon is at 12:40." }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 96, output_tokens: 14, cache_read_input_tokens: 512, cache_creation_input_tokens: 0 },
  }, { headers: { "request-id": "req_demo_anthropic" } }));
};

const tracer = new Tracer("tide_agent");
const prices = {
  "gpt-4o-mini": { input: 0.15, cachedInput: 0.075, output: 0.6 },
  "claude-haiku-4-5": { input: 1, cachedInput: 0.1, cacheWrite: 1.25, output: 5 },
};
const openai = wrapOpenAI(new OpenAI({ apiKey: "sk-demo", fetch: fakeFetch }), tracer, { prices });
const anthropic = wrapAnthropic(new Anthropic({ apiKey: "sk-ant-demo", fetch: fakeFetch }), tracer, { prices });

await tracer.step("plan", { question: "When is high tide in Lisbon?" }, async () => {
  const plan = await openai.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "When is high tide in Lisbon?" }],
    tools: [{ type: "function", function: { name: "tides", parameters: { type: "object" } } }],
  });
  const call = plan.choices[0].message.tool_calls?.[0];
  const answer = await anthropic.messages.create({
    model: "claude-haiku-4-5",
    max_tokens: 256,
    messages: [{
      role: "user",
      content: `Tide table for ${call?.type === "function" ? call.function.arguments : "?"}`,
    }],
  });
  console.log(answer.content[0].type === "text" ? answer.content[0].text : "");
});
await tracer.close();
console.log(
  `recorded ${tracer.summary().steps} steps, ${tracer.summary().input_tokens} input tokens, in ${tracer.path}`,
);
