// The README example "Steps from sources that report them after the fact": run it with
// `deno run -A examples/span_source.ts`.

import { readSession, Tracer } from "@ai-trace/core";

const tracer = new Tracer("travel_agent", { traceDir: await Deno.makeTempDir() });

// A span source: an agent run, a model call and a tool call, reported with their own times.
const t0 = Date.now() - 3_000;
const agent = tracer.step("agent", { task: "plan a trip" }, { kind: "agent", parent: null, startTime: t0 }).start();
const llm = tracer.step("chat gpt-4o-mini", { prompt: "Plan a trip" }, {
  kind: "llm",
  parent: agent,
  startTime: t0 + 100,
});
llm.usage({
  model: "gpt-4o-mini",
  response_model: "gpt-4o-mini-2024-07-18",
  provider: "openai",
  input_tokens: 812,
  output_tokens: 64,
  cache_read_input_tokens: 512,
});
llm.finish("ok", { endTime: t0 + 1_300 });
tracer.step("search_flights", { to: "LIS" }, { kind: "tool", parent: agent, startTime: t0 + 1_400 })
  .finish("ok", { endTime: t0 + 2_000 });

// A manual step with children: steps begun inside run() are its children, across awaits.
await agent.run(async () => {
  await new Promise((resolve) => setTimeout(resolve, 10)); // the agent awaits something
  tracer.step("summarize", (step) => step.log({ words: 120 }));
  tracer.current()?.log({ note: "logged into the current step" });
});
agent.finish("ok", { endTime: t0 + 3_000 });
await tracer.close();

for (const step of (await readSession(tracer.path!)).steps) {
  console.log(step.id, step.parent_id, step.kind ?? "-", step.name, step.duration_ms);
}
// 1 null agent agent 3000
// 2 1 llm chat gpt-4o-mini 1200
// 3 1 tool search_flights 600
// 4 1 - summarize …
