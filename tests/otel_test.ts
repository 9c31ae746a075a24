// AiTraceSpanExporter and recordSpans() against the real OpenTelemetry SDK:
// the AI SDK's own spans (experimental_telemetry) and hand-made GenAI and
// OpenInference spans, through Simple and Batch span processors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import * as ai6 from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { listTraceFiles, readSession, type Session, type SessionStep, toOtlp, Tracer } from "../mod.ts";
import { AiTraceSpanExporter, recordSpans } from "../src/integrations/otel.ts";
import { plainSpansFromOtlp } from "../src/otlp/from_otlp.ts";
import { decodeOtlpRequest, encodeOtlpRequest } from "../src/otlp/otlp_protobuf.ts";
import { removeDir, tempDir } from "./_helpers.ts";

// Without a context manager every span would be a trace of its own (the pitfall the docs name).
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

async function sessionsIn(dir: string): Promise<Session[]> {
  const listing = await listTraceFiles(dir);
  const sessions = await Promise.all(listing.files.map((file) => readSession(file.path)));
  return sessions.sort((a, b) => a.agent.localeCompare(b.agent));
}

const named = (session: Session, name: string): SessionStep[] => session.steps.filter((step) => step.name === name);
const logged = (step: SessionStep): Record<string, unknown> => Object.assign({}, ...step.logs);

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

test("AiTraceSpanExporter writes the AI SDK's spans (experimental_telemetry) as one session per trace", async () => {
  const dir = tempDir();
  try {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "weather-service" }),
      spanProcessors: [new SimpleSpanProcessor(new AiTraceSpanExporter({ traceDir: dir }))],
    });
    const model = new MockLanguageModelV3({
      modelId: "mock-6",
      doGenerate: [
        {
          content: [{ type: "tool-call", toolCallId: "c1", toolName: "weather", input: '{"city":"Oslo"}' }],
          finishReason: { unified: "tool-calls", raw: "tool_calls" },
          usage: usage(10, 5),
          warnings: [],
          response: { id: "r1", modelId: "mock-6-2026", timestamp: new Date(0) },
        },
        {
          content: [{ type: "text", text: "No weather today." }],
          finishReason: { unified: "stop", raw: "stop" },
          usage: usage(20, 7),
          warnings: [],
          response: { id: "r2", modelId: "mock-6-2026", timestamp: new Date(0) },
        },
      ],
    });
    await ai6.generateText({
      model,
      prompt: "Weather in Oslo?",
      stopWhen: ai6.stepCountIs(5),
      tools: {
        weather: ai6.tool({
          description: "The weather",
          inputSchema: ai6.jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } } }),
          execute: ({ city }): Promise<string> => Promise.reject(new Error(`no station in ${city}`)),
        }),
      },
      experimental_telemetry: { isEnabled: true, tracer: provider.getTracer("ai"), functionId: "weather-fn" },
    });
    await provider.shutdown();

    const sessions = await sessionsIn(dir);
    assert.equal(sessions.length, 1, "one trace, one session");
    const [session] = sessions;
    assert.equal(session.agent, "ai.generateText");
    assert.equal(session.meta.service_name, "weather-service");
    const [call] = named(session, "ai.generateText");
    assert.equal(call.kind, "agent");
    assert.equal(call.parent_id, null);
    const children = session.steps.filter((step) => step.parent_id === call.id);
    assert.deepEqual(children.map((step) => [step.name, step.kind]), [
      ["ai.generateText.doGenerate", "llm"],
      ["ai.toolCall", "tool"],
      ["ai.generateText.doGenerate", "llm"],
    ]);
    const [first, tool, second] = children;
    assert.deepEqual(first.usage, {
      model: "mock-6",
      response_model: "mock-6-2026",
      provider: "mock-provider",
      input_tokens: 10,
      output_tokens: 5,
    });
    assert.equal(first.decision?.action, "weather");
    assert.equal(second.decision?.action, "answer");
    assert.equal(logged(second).text, "No weather today.");
    assert.equal(logged(first).response_id, "r1");
    assert.equal(tool.outcome, "error");
    assert.equal(tool.error, "no station in Oslo");
    assert.equal(tool.error_type, "Error");
    assert.deepEqual(tool.context["ai.toolCall.args"], { city: "Oslo" });
    // The call's span repeats the total: counted once, on the model calls.
    assert.equal(session.summary.input_tokens, 30);
    assert.equal(session.summary.output_tokens, 12);
    assert.deepEqual(logged(call).usage_total, { input_tokens: 30, output_tokens: 12 });
    // Real times: children inside the call.
    for (const child of children) {
      assert.ok(child.started_at >= call.started_at && child.finished_at! <= call.finished_at! + 0.001);
    }
    assert.equal(session.summary.in_flight, 0);
    // The session starts when its trace did, not when it was exported.
    assert.equal(session.started_at, call.started_at);
  } finally {
    removeDir(dir);
  }
});

test("AiTraceSpanExporter maps hand-made GenAI spans: agent name, parents, usage, tool input and output, errors", async () => {
  const dir = tempDir();
  try {
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new AiTraceSpanExporter({ traceDir: dir }))],
    });
    const otel = provider.getTracer("hand-made");
    await otel.startActiveSpan("invoke_agent", {
      attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner" },
    }, async (agent) => {
      await otel.startActiveSpan("chat gpt-4o", {
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": "openai",
          "gen_ai.request.model": "gpt-4o",
          "gen_ai.response.model": "gpt-4o-2024-08-06",
          "gen_ai.response.id": "chatcmpl-1",
          "gen_ai.response.finish_reasons": ["tool_calls"],
          "gen_ai.usage.input_tokens": 120,
          "gen_ai.usage.output_tokens": 30,
          "gen_ai.usage.cache_read.input_tokens": 100,
          "gen_ai.request.temperature": 0.2,
        },
      }, (span) => Promise.resolve(span.end()));
      otel.startActiveSpan("execute_tool search", {
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": "search",
          "gen_ai.tool.call.id": "call_1",
          "gen_ai.tool.call.arguments": '{"query":"tides"}',
          "gen_ai.tool.call.result": '{"hits":3}',
        },
      }, (span) => span.end());
      otel.startActiveSpan("execute_tool fetch", {
        attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "fetch" },
      }, (span) => {
        span.recordException(new TypeError("bad url"));
        span.setStatus({ code: SpanStatusCode.ERROR, message: "bad url" });
        span.end();
      });
      agent.end();
    });
    await provider.shutdown();

    const [session] = await sessionsIn(dir);
    assert.equal(session.agent, "planner");
    const [agent] = named(session, "invoke_agent");
    assert.equal(agent.kind, "agent");
    const [chat] = named(session, "chat gpt-4o");
    assert.equal(chat.parent_id, agent.id);
    assert.equal(chat.kind, "llm");
    assert.deepEqual(chat.usage, {
      model: "gpt-4o",
      response_model: "gpt-4o-2024-08-06",
      provider: "openai",
      input_tokens: 120,
      output_tokens: 30,
      cache_read_input_tokens: 100,
    });
    assert.deepEqual(logged(chat).finish_reason, "tool_calls");
    assert.equal(logged(chat).response_id, "chatcmpl-1");
    assert.equal(chat.context["gen_ai.request.temperature"], 0.2);
    const [search] = named(session, "execute_tool search");
    assert.equal(search.kind, "tool");
    assert.equal(search.parent_id, agent.id);
    assert.deepEqual(search.context["gen_ai.tool.call.arguments"], { query: "tides" });
    assert.deepEqual(logged(search).output, { hits: 3 });
    const [fetch] = named(session, "execute_tool fetch");
    assert.equal(fetch.outcome, "error");
    assert.equal(fetch.error, "bad url");
    assert.equal(fetch.error_type, "TypeError");
    assert.equal(session.summary.errors, 1);
    assert.equal(session.summary.input_tokens, 120);
  } finally {
    removeDir(dir);
  }
});

test("AiTraceSpanExporter with a BatchSpanProcessor writes each of several traces as its own session", async () => {
  const dir = tempDir();
  try {
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new BatchSpanProcessor(new AiTraceSpanExporter({ traceDir: dir }), { scheduledDelayMillis: 60_000 }),
      ],
    });
    const otel = provider.getTracer("batch");
    await Promise.all(
      ["alpha", "beta"].map((agentName) =>
        otel.startActiveSpan(agentName, { root: true }, async (root) => {
          await Promise.resolve();
          otel.startActiveSpan("chat m", {
            attributes: { "openinference.span.kind": "LLM", "llm.model_name": "m", "llm.token_count.prompt": 7 },
          }, (span) => span.end());
          root.end();
        })
      ),
    );
    await provider.forceFlush();
    const sessions = await sessionsIn(dir);
    assert.deepEqual(sessions.map((session) => session.agent), ["alpha", "beta"]);
    for (const session of sessions) {
      const [root] = session.steps.filter((step) => step.parent_id === null);
      const [chat] = named(session, "chat m");
      assert.equal(chat.parent_id, root.id);
      assert.equal(chat.kind, "llm");
      assert.deepEqual(chat.usage, { model: "m", input_tokens: 7 });
    }
    await provider.shutdown();
  } finally {
    removeDir(dir);
  }
});

test("AiTraceSpanExporter: a session ends when its last span did, not when its batch was written", async () => {
  const dir = tempDir();
  try {
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new AiTraceSpanExporter({ traceDir: dir }))],
    });
    const otel = provider.getTracer("late");
    // A trace that ran for 5 ms a minute ago, reported only now (as a BatchSpanProcessor or a remote client does).
    const t0 = Date.now() - 60_000;
    otel.startActiveSpan("invoke_agent late", { root: true, startTime: t0 }, (root) => {
      otel.startActiveSpan("chat m", { startTime: t0 + 1 }, (span) => span.end(t0 + 4));
      root.end(t0 + 5);
    });
    await provider.forceFlush();
    const [session] = await sessionsIn(dir);
    assert.equal(session.state, "complete");
    assert.ok(Math.abs(session.started_at! - t0 / 1000) < 1e-6, String(session.started_at));
    assert.ok(Math.abs(session.finished_at! - (t0 + 5) / 1000) < 1e-6, String(session.finished_at));
    await provider.shutdown();
  } finally {
    removeDir(dir);
  }
});

test("AiTraceSpanExporter writes a trace whose root has not ended on forceFlush, and refuses spans after shutdown", async () => {
  const dir = tempDir();
  try {
    const exporter = new AiTraceSpanExporter({ traceDir: dir });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const otel = provider.getTracer("open");
    const root = otel.startSpan("long_running_agent");
    const child = otel.startSpan("step", {}, trace.setSpan(context.active(), root));
    child.end();
    assert.equal((await sessionsIn(dir)).length, 0, "held until the root ends");
    await exporter.forceFlush();
    const [session] = await sessionsIn(dir);
    assert.deepEqual(session.steps.map((step) => step.name), ["step"]);
    await exporter.shutdown();
    const codes: number[] = [];
    exporter.export([], (result) => codes.push(result.code));
    assert.deepEqual(codes, [1]);
  } finally {
    removeDir(dir);
  }
});

test("recordSpans() writes spans given in any order parents first, counting usage once", async () => {
  const dir = tempDir();
  try {
    const tracer = new Tracer("mapper", { traceDir: dir });
    recordSpans(tracer, [
      {
        traceId: "t",
        spanId: "llm2",
        parentSpanId: "agent",
        name: "chat",
        startTime: 1_700_000_000_600,
        endTime: 1_700_000_000_900,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.usage.input_tokens": 5,
          "gen_ai.usage.output_tokens": 1,
        },
      },
      {
        traceId: "t",
        spanId: "agent",
        name: "invoke_agent",
        startTime: 1_700_000_000_000,
        endTime: 1_700_000_001_000,
        attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.usage.input_tokens": 9, "custom.flag": true },
      },
      {
        traceId: "t",
        spanId: "llm1",
        parentSpanId: "agent",
        name: "chat",
        startTime: 1_700_000_000_100,
        endTime: 1_700_000_000_500,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.usage.input_tokens": 4,
          "gen_ai.usage.output_tokens": 2,
        },
      },
      {
        traceId: "t",
        spanId: "orphan",
        parentSpanId: "elsewhere",
        name: "remote_child",
        startTime: 1_700_000_002_000,
        endTime: 1_700_000_002_250,
      },
    ]);
    await tracer.close();
    const session = await readSession(tracer.path!);
    const [agent] = named(session, "invoke_agent");
    assert.equal(agent.parent_id, null);
    assert.deepEqual(agent.context, { "custom.flag": true });
    assert.equal(agent.duration_ms, 1000);
    const chats = named(session, "chat");
    assert.deepEqual(chats.map((chat) => chat.parent_id), [agent.id, agent.id]);
    assert.deepEqual(chats.map((chat) => chat.started_at), [1_700_000_000.1, 1_700_000_000.6]);
    assert.equal(named(session, "remote_child")[0].parent_id, null);
    assert.equal(session.summary.input_tokens, 9, "the agent's 9 is its children's total, not more");
    assert.equal(session.summary.output_tokens, 3);
  } finally {
    removeDir(dir);
  }
});

test("recordSpans() keeps spans whose parents form a cycle: the earliest becomes a root", async () => {
  // From the network, parents can point anywhere: a → b → a reaches no root, and was written as nothing.
  const dir = tempDir();
  try {
    const tracer = new Tracer("cycle", { traceDir: dir });
    const span = (spanId: string, parentSpanId: string, start: number) => ({
      traceId: "t",
      spanId,
      parentSpanId,
      name: spanId,
      startTime: 1_700_000_000_000 + start,
      endTime: 1_700_000_000_000 + start + 10,
    });
    recordSpans(tracer, [span("b", "a", 20), span("a", "b", 10), span("c", "a", 30), span("self", "self", 40)]);
    await tracer.close();
    const session = await readSession(tracer.path!);
    const [a] = named(session, "a");
    assert.equal(a.parent_id, null);
    assert.equal(named(session, "b")[0].parent_id, a.id);
    assert.equal(named(session, "c")[0].parent_id, a.id);
    assert.equal(named(session, "self")[0].parent_id, null);
    assert.equal(session.steps.length, 4);
  } finally {
    removeDir(dir);
  }
});

test("recordSpans() brings back a session ai-trace exported as OTLP (toOtlp, then plainSpansFromOtlp)", async () => {
  const dir = tempDir();
  try {
    const tracer = new Tracer("round_trip", { traceDir: dir });
    tracer.step("plan", { goal: "trip", limits: { days: 3 } }, { kind: "agent" }, (plan) => {
      tracer.step("gpt-4o", { messages: 2 }, { kind: "llm" }, (llm) => {
        llm.usage({
          model: "gpt-4o",
          response_model: "gpt-4o-2024",
          provider: "openai",
          input_tokens: 50,
          output_tokens: 9,
        });
        llm.usage({ cost_usd: 0.002 });
        llm.log({ finish_reason: "tool_calls", tool_calls: [{ name: "search" }] });
        llm.decide("search", { reason: "needs facts", confidence: 0.8, alternatives: ["answer"] });
      });
      try {
        tracer.step("search", { query: "LIS" }, { kind: "tool" }, () => {
          throw new TypeError("no route");
        });
      } catch {
        // recorded as a failed step
      }
      tracer.step("book").finish("skipped");
      plan.log({ done: true });
    });
    tracer.step("wait", {}, { kind: "tool" }).start(); // still in flight at export
    await tracer.close();
    const original = await readSession(tracer.path!);

    const copy = new Tracer("round_trip_copy", { traceDir: dir });
    recordSpans(copy, plainSpansFromOtlp(toOtlp(original)));
    await copy.close();
    const back = await readSession(copy.path!);

    const shape = (session: Session) =>
      session.steps.map((step) => ({
        name: step.name,
        parent: session.steps.find((other) => other.id === step.parent_id)?.name ?? null,
        kind: step.kind,
        context: step.context,
        outcome: step.outcome,
        error: step.error,
        error_type: step.error_type,
        decision: step.decision,
        usage: step.usage,
        logs: step.logs.map(({ _t, ...fields }) => fields),
        in_flight: step.in_flight,
        started_ms: Math.round(step.started_at * 1000),
      }));
    assert.deepEqual(shape(back), shape(original));
    assert.equal(back.summary.input_tokens, 50);
    assert.equal(back.summary.in_flight, 1);

    // The same spans through protobuf, as an OTLP receiver gets them.
    const decoded = plainSpansFromOtlp(decodeOtlpRequest(encodeOtlpRequest(toOtlp(original))));
    assert.deepEqual(decoded, plainSpansFromOtlp(toOtlp(original)));
  } finally {
    removeDir(dir);
  }
});

test("recordSpans() takes an operation or span kind named like an inherited property (constructor, toString) as itself", async () => {
  const dir = tempDir();
  try {
    const tracer = new Tracer("mapper", { traceDir: dir });
    const names = ["constructor", "toString", "valueOf", "__proto__", "hasOwnProperty"];
    recordSpans(
      tracer,
      names.map((operation, i) => ({
        traceId: "t",
        spanId: `s${i}`,
        name: `span ${i}`,
        startTime: 1_700_000_000_000 + i,
        endTime: 1_700_000_000_001 + i,
        attributes: { "gen_ai.operation.name": operation },
      })),
    );
    await tracer.close();
    const session = await readSession(tracer.path!);
    assert.deepEqual(session.steps.map((step) => step.kind), names);
  } finally {
    removeDir(dir);
  }
});
