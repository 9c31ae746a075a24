// openAIAgentsProcessor() against the real OpenAI Agents SDK, with a scripted
// Model: no network, no API key.
import { test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import {
  Agent,
  type Model,
  type ModelRequest,
  type ModelResponse,
  OpenAIResponsesModel,
  run,
  setTraceProcessors,
  setTracingDisabled,
  tool,
  Usage,
  withGenerationSpan,
  withTrace,
} from "@openai/agents";
import { z } from "zod";
import { readSession, type Session, type SessionStep, Tracer } from "../mod.ts";
import { openAIAgentsProcessor } from "../src/integrations/openai_agents.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { startMockLlmServer } from "./_mock_llm_server.ts";

// `bun test` sets NODE_ENV=test, under which the SDK turns its tracing off: turn it on, as the docs say.
setTracingDisabled(false);

type Output = ModelResponse["output"];

const say = (text: string): Output[number] => ({
  type: "message",
  role: "assistant",
  status: "completed",
  content: [{ type: "output_text", text }],
});
const call = (name: string, args: unknown, callId: string): Output[number] => ({
  type: "function_call",
  callId,
  name,
  arguments: JSON.stringify(args),
  status: "completed",
});

// A model that answers from a script, one response per call, with fixed usage.
class ScriptedModel implements Model {
  readonly requests: ModelRequest[] = [];
  constructor(private readonly script: Output[], private readonly tokens: [number, number]) {}
  getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request);
    const output = this.script.shift() ?? [say("(script ended)")];
    const [inputTokens, outputTokens] = this.tokens;
    return Promise.resolve({
      usage: new Usage({ requests: 1, inputTokens, outputTokens, totalTokens: inputTokens + outputTokens }),
      output,
      responseId: `resp_${this.requests.length}`,
    });
  }
  // deno-lint-ignore require-yield
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error("the scripted model does not stream");
  }
}

// A model that reports its own generation span, as the SDK's OpenAI models do.
class GenerationModel extends ScriptedModel {
  override getResponse(request: ModelRequest): Promise<ModelResponse> {
    return withGenerationSpan(async (span) => {
      const response = await super.getResponse(request);
      span.spanData.model = "gpt-test";
      span.spanData.input = [{ role: "user", content: "old" }, { role: "user", content: "newest" }];
      span.spanData.usage = { input_tokens: response.usage.inputTokens, output_tokens: response.usage.outputTokens };
      span.spanData.output = [{ role: "assistant", content: "ok" }];
      return response;
    });
  }
}

async function recordRun(work: (tracer: Tracer) => Promise<void>): Promise<Session> {
  const dir = tempDir();
  try {
    const tracer = new Tracer("support_bot", { traceDir: dir });
    setTraceProcessors([openAIAgentsProcessor(tracer)]);
    try {
      await work(tracer);
    } finally {
      setTraceProcessors([]);
    }
    await tracer.close();
    return await readSession(tracer.path!);
  } finally {
    removeDir(dir);
  }
}

const childrenOf = (session: Session, step: SessionStep): SessionStep[] =>
  session.steps.filter((other) => other.parent_id === step.id);
const named = (session: Session, name: string): SessionStep => {
  const found = session.steps.filter((step) => step.name === name);
  assert.equal(found.length, 1, `one step named ${name}: ${session.steps.map((step) => step.name).join(", ")}`);
  return found[0];
};

function agents(options: { toolThrows: boolean; tripwire: boolean }) {
  const weather = tool({
    name: "weather",
    description: "The weather in a city",
    parameters: z.object({ city: z.string() }),
    execute: ({ city }) => {
      if (options.toolThrows) throw new Error(`no station in ${city}`);
      return Promise.resolve(`sunny in ${city}`);
    },
  });
  const specialist = new Agent({
    name: "weather_agent",
    instructions: "Answer weather questions with the weather tool.",
    tools: [weather],
    model: new ScriptedModel([[call("weather", { city: "Oslo" }, "call_w")], [say("It is sunny in Oslo.")]], [30, 8]),
  });
  const billing = new Agent({ name: "billing_agent", instructions: "Billing.", model: new ScriptedModel([], [1, 1]) });
  const triage = new Agent({
    name: "triage",
    instructions: "Hand weather questions to the weather agent.",
    handoffs: [specialist, billing],
    model: new ScriptedModel([[call("transfer_to_weather_agent", {}, "call_h")]], [12, 3]),
    inputGuardrails: [{
      name: "no_secrets",
      runInParallel: false,
      execute: () => Promise.resolve({ tripwireTriggered: options.tripwire, outputInfo: { checked: true } }),
    }],
  });
  return triage;
}

test("openAIAgentsProcessor() records a triage agent with a guardrail handing off to an agent that calls a tool", async () => {
  const session = await recordRun(async () => {
    const result = await run(agents({ toolThrows: false, tripwire: false }), "What is the weather in Oslo?");
    assert.equal(result.finalOutput, "It is sunny in Oslo.");
  });
  const [workflow] = session.steps.filter((step) => step.parent_id === null);
  assert.equal(workflow.name, "Agent workflow");
  assert.equal(workflow.kind, "agent");
  assert.equal(session.steps.filter((step) => step.parent_id === null).length, 1, "one root step per trace");

  const triage = named(session, "triage");
  const specialist = named(session, "weather_agent");
  assert.equal(triage.kind, "agent");
  assert.equal(triage.parent_id, workflow.id);
  assert.equal(specialist.parent_id, workflow.id);
  assert.deepEqual(triage.decision, { action: "weather_agent", reason: "handoff", alternatives: ["billing_agent"] });

  const guardrail = named(session, "no_secrets");
  assert.equal(guardrail.kind, "guardrail");
  assert.equal(guardrail.parent_id, triage.id);
  assert.equal(guardrail.outcome, "ok");

  const turns = childrenOf(session, specialist).filter((step) => step.kind === "llm");
  assert.equal(turns.length, 2);
  const weather = named(session, "weather");
  assert.equal(weather.kind, "tool");
  assert.equal(weather.parent_id, turns[0].id);
  assert.deepEqual(weather.context, { city: "Oslo" });
  assert.equal(Object.assign({}, ...weather.logs).output, "sunny in Oslo");
  assert.equal(weather.outcome, "ok");

  // Usage once per model call (3 calls), not again on the run's total.
  assert.equal(session.summary.input_tokens, 12 + 30 + 30);
  assert.equal(session.summary.output_tokens, 3 + 8 + 8);
  assert.deepEqual(Object.assign({}, ...workflow.logs).usage_total.input_tokens, 72);

  // Times from the spans: children inside their parents.
  for (const step of session.steps) {
    const parent = session.steps.find((other) => other.id === step.parent_id);
    if (parent === undefined) continue;
    assert.ok(step.started_at >= parent.started_at - 0.001, `${step.name} starts inside ${parent.name}`);
    assert.ok(step.finished_at! <= parent.finished_at! + 0.001, `${step.name} ends inside ${parent.name}`);
  }
  assert.equal(session.summary.errors, 0);
  assert.equal(session.summary.in_flight, 0);
});

test("openAIAgentsProcessor() records a tool that throws as a failed step", async () => {
  const session = await recordRun(async () => {
    const result = await run(agents({ toolThrows: true, tripwire: false }), "What is the weather in Oslo?");
    assert.equal(result.finalOutput, "It is sunny in Oslo.");
  });
  const weather = named(session, "weather");
  assert.equal(weather.kind, "tool");
  assert.equal(weather.outcome, "error");
  assert.match(weather.error ?? "", /error running tool/i);
  assert.equal(Object.assign({}, ...weather.logs).error_data.tool_name, "weather");
  assert.equal(session.summary.errors, 1);
  assert.equal(session.summary.in_flight, 0);
});

test("openAIAgentsProcessor() records a triggered guardrail as a decision and a failure", async () => {
  const session = await recordRun(async () => {
    await assert.rejects(run(agents({ toolThrows: false, tripwire: true }), "My password is hunter2"), /tripwire/i);
  });
  const guardrail = named(session, "no_secrets");
  assert.equal(guardrail.kind, "guardrail");
  assert.equal(guardrail.outcome, "error");
  assert.equal(guardrail.decision?.action, "triggered");
  assert.ok(session.summary.errors >= 1);
  assert.equal(session.summary.in_flight, 0);
});

test("openAIAgentsProcessor() nests two runs of one withTrace() under one root step with its group and metadata", async () => {
  const session = await recordRun(async () => {
    await withTrace("support conversation", async () => {
      for (const question of ["first", "second"]) {
        const agent = new Agent({
          name: "echo",
          instructions: "Echo.",
          model: new ScriptedModel([[say(question)]], [5, 1]),
        });
        await run(agent, question);
      }
    }, { groupId: "conv_42", metadata: { customer: "acme" } });
  });
  const roots = session.steps.filter((step) => step.parent_id === null);
  assert.equal(roots.length, 1);
  assert.equal(roots[0].name, "support conversation");
  assert.equal(roots[0].context.group_id, "conv_42");
  assert.deepEqual(roots[0].context.metadata, { customer: "acme" });
  const echoes = session.steps.filter((step) => step.name === "echo");
  assert.equal(echoes.length, 2);
  assert.equal(session.summary.input_tokens, 10);
});

test("openAIAgentsProcessor() counts a model call's usage once: on its generation span, not again on the turn", async () => {
  const session = await recordRun(async () => {
    const agent = new Agent({
      name: "writer",
      instructions: "Write.",
      model: new GenerationModel([[say("done")]], [40, 6]),
    });
    await run(agent, "Write a haiku");
  });
  const [generation] = session.steps.filter((step) => step.name === "gpt-test");
  assert.equal(generation.kind, "llm");
  assert.deepEqual(generation.usage, { model: "gpt-test", input_tokens: 40, output_tokens: 6 });
  assert.equal(generation.context.input_items, 2);
  assert.deepEqual(generation.context.last_input, { role: "user", content: "newest" });
  const turn = session.steps.find((step) => step.id === generation.parent_id)!;
  assert.equal(turn.name, "turn");
  assert.equal(turn.usage, undefined);
  assert.equal(session.summary.input_tokens, 40);
  assert.equal(session.summary.output_tokens, 6);
});

test("openAIAgentsProcessor() records the SDK's own OpenAI Responses model: a response step with its usage, counted once", async () => {
  const server = await startMockLlmServer();
  try {
    const session = await recordRun(async () => {
      const client = new OpenAI({ apiKey: "sk-test", baseURL: `${server.url}/v1` });
      const tides = tool({
        name: "tides",
        description: "Tide times of a port",
        parameters: z.object({ port: z.string() }),
        execute: ({ port }) => Promise.resolve(`low tide in ${port} at six`),
      });
      const agent = new Agent({
        name: "tide_agent",
        instructions: "Answer with the tides tool.",
        tools: [tides],
        toolUseBehavior: "stop_on_first_tool",
        model: new OpenAIResponsesModel(client, "gpt-4o-mini"),
      });
      const result = await run(agent, "When is low tide in Porto?");
      assert.equal(result.finalOutput, "low tide in Porto at six");
    });
    const [response] = session.steps.filter((step) => step.name === "gpt-4o-mini-2026-01-01");
    assert.equal(response.kind, "llm");
    assert.deepEqual(response.usage, {
      model: "gpt-4o-mini-2026-01-01",
      provider: "openai",
      input_tokens: 80,
      output_tokens: 20,
      cache_read_input_tokens: 64,
      reasoning_tokens: 8,
    });
    assert.equal(Object.assign({}, ...response.logs).response_id, "resp_1");
    const turn = session.steps.find((step) => step.id === response.parent_id)!;
    assert.equal(turn.name, "turn");
    assert.equal(turn.usage, undefined, "the turn's usage is the response's, counted once");
    const [tidesStep] = session.steps.filter((step) => step.name === "tides");
    assert.equal(tidesStep.kind, "tool");
    assert.deepEqual(tidesStep.context, { port: "Porto" });
    assert.equal(session.summary.input_tokens, 80);
    assert.equal(session.summary.output_tokens, 20);
  } finally {
    await server.close();
  }
});

test("openAIAgentsProcessor() writes the start of an agent's and a turn's step when they begin, so a crash shows them in flight", async () => {
  const dir = tempDir();
  try {
    const tracer = new Tracer("support_bot", { traceDir: dir });
    const processor = openAIAgentsProcessor(tracer);
    await processor.onTraceStart({ traceId: "trace_1", name: "Agent workflow" });
    const span = (spanId: string, parentId: string | null, spanData: { type: string }) => ({
      traceId: "trace_1",
      spanId,
      parentId,
      spanData,
      startedAt: new Date().toISOString(),
      endedAt: null,
      error: null,
    });
    await processor.onSpanStart(span("s_agent", null, { type: "agent", name: "triage" } as { type: string }));
    await processor.onSpanStart(span("s_turn", "s_agent", { type: "turn", turn: 1 } as { type: string }));
    tracer.closeSync(); // the process dies here
    const session = await readSession(tracer.path!);
    assert.deepEqual(session.steps.filter((step) => step.in_flight).map((step) => step.name).sort(), [
      "Agent workflow",
      "triage",
      "turn",
    ]);
  } finally {
    removeDir(dir);
  }
});

test("openAIAgentsProcessor() never hangs on span ids whose parents loop back (usage and handoffs walk up)", async () => {
  const dir = tempDir();
  try {
    const tracer = new Tracer("looping_bot", { traceDir: dir });
    const processor = openAIAgentsProcessor(tracer);
    await processor.onTraceStart({ traceId: "trace_loop", name: "Agent workflow" });
    const span = (spanId: string, parentId: string | null, spanData: Record<string, unknown>) => ({
      traceId: "trace_loop",
      spanId,
      parentId,
      spanData: spanData as { type: string },
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      error: null,
    });
    // a's parent is b and b's parent is a: a walk up from either never reaches the top.
    // Both stay open while spans below them end and walk up through them.
    const a = span("s_a", "s_b", { type: "agent", name: "a", handoffs: ["b"] });
    const b = span("s_b", "s_a", { type: "agent", name: "b" });
    const call = span("s_c", "s_a", { type: "generation", model: "m", usage: { input_tokens: 3, output_tokens: 1 } });
    const handoff = span("s_h", "s_b", { type: "handoff", from_agent: "a", to_agent: "b" });
    for (const s of [a, b, call, handoff]) await processor.onSpanStart(s);
    for (const s of [call, handoff, b, a]) await processor.onSpanEnd(s);
    await processor.onTraceEnd({ traceId: "trace_loop", name: "Agent workflow" });
    await tracer.close();
    const session = await readSession(tracer.path!);
    assert.ok(session.steps.length >= 3, `${session.steps.length} steps`);
  } finally {
    removeDir(dir);
  }
});
