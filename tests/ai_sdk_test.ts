// aiSdkTelemetry() and aiSdkMiddleware() against the real AI SDK 6 (`ai`) and
// 7 (`ai7`), with their mock models: no network.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import * as ai6 from "ai";
import { MockLanguageModelV3 } from "ai/test";
import * as ai7 from "ai7";
import { MockEmbeddingModelV4, MockLanguageModelV4 } from "ai7/test";
import { readSession, type Session, type SessionStep, Tracer } from "../mod.ts";
import { aiSdkMiddleware, aiSdkTelemetry } from "../src/integrations/ai_sdk.ts";
import { removeDir, tempDir } from "./_helpers.ts";

const usage = (input: number, output: number, cacheRead = 0) => ({
  inputTokens: { total: input, noCache: input - cacheRead, cacheRead, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const stop = { unified: "stop" as const, raw: "stop" };
const toolCalls = { unified: "tool-calls" as const, raw: "tool_calls" };

// The two answers of a tool loop: call weather for Oslo, then answer.
function toolLoop(modelId: string) {
  return [
    {
      content: [{ type: "tool-call" as const, toolCallId: "call-1", toolName: "weather", input: '{"city":"Oslo"}' }],
      finishReason: toolCalls,
      usage: usage(10, 5, 4),
      warnings: [],
      response: { id: "resp-1", modelId: `${modelId}-2026`, timestamp: new Date(0) },
    },
    {
      content: [{ type: "text" as const, text: "Sunny, 20°C in Oslo." }],
      finishReason: stop,
      usage: usage(20, 7),
      warnings: [],
      response: { id: "resp-2", modelId: `${modelId}-2026`, timestamp: new Date(0) },
    },
  ];
}

const streamParts = (text: string[], input: number, output: number) => [
  { type: "stream-start" as const, warnings: [] },
  { type: "response-metadata" as const, id: "resp-s", modelId: "streamer-2026", timestamp: new Date(0) },
  { type: "text-start" as const, id: "t" },
  ...text.map((delta) => ({ type: "text-delta" as const, id: "t", delta })),
  { type: "text-end" as const, id: "t" },
  { type: "finish" as const, finishReason: stop, usage: usage(input, output) },
];

interface Recorded {
  session: Session;
  byKind: (kind: string) => SessionStep[];
  one: (name: string) => SessionStep;
}

async function record(run: (tracer: Tracer) => Promise<void>): Promise<Recorded> {
  const dir = tempDir();
  try {
    const tracer = new Tracer("assistant", { traceDir: dir });
    await run(tracer);
    await tracer.close();
    const session = await readSession(tracer.path!);
    return {
      session,
      byKind: (kind) => session.steps.filter((step) => step.kind === kind),
      one: (name) => {
        const found = session.steps.filter((step) => step.name === name);
        assert.equal(found.length, 1, `one step named ${name}, got ${found.map((s) => s.name).join(", ")}`);
        return found[0];
      },
    };
  } finally {
    removeDir(dir);
  }
}

// The tree every tool loop must give: call → llm, tool, llm; tokens summed once; the choices as decisions.
function assertToolLoop(recorded: Recorded, modelId: string, toolFails: boolean): void {
  const { session, byKind } = recorded;
  const [call] = byKind("agent");
  assert.ok(call, "a step of kind agent for the call");
  assert.equal(call.parent_id, null);
  assert.deepEqual(call.context.tools, ["weather", "clock"]);
  assert.equal(call.context.model, modelId);
  const children = session.steps.filter((step) => step.parent_id === call.id);
  assert.deepEqual(children.map((step) => step.kind), ["llm", "tool", "llm"]);
  const [first, tool, second] = children;
  assert.equal(first.name, modelId);
  assert.deepEqual(first.usage, {
    model: modelId,
    response_model: `${modelId}-2026`,
    provider: "mock-provider",
    input_tokens: 10,
    output_tokens: 5,
    cache_read_input_tokens: 4,
  });
  assert.equal(first.decision?.action, "weather");
  assert.deepEqual(first.decision?.alternatives, ["clock", "answer"]);
  const firstLog = Object.assign({}, ...first.logs);
  assert.equal(firstLog.finish_reason, "tool-calls");
  assert.equal(firstLog.response_id, "resp-1");
  assert.deepEqual(firstLog.tool_calls, [{ id: "call-1", name: "weather", input: { city: "Oslo" } }]);
  assert.equal(second.decision?.action, "answer");
  assert.deepEqual(second.decision?.alternatives, ["weather", "clock"]);
  assert.equal(Object.assign({}, ...second.logs).text, "Sunny, 20°C in Oslo.");
  assert.equal(tool.name, "weather");
  assert.deepEqual(tool.context, { city: "Oslo" });
  assert.ok(first.finished_at! <= tool.started_at + 0.001, "the model call ended before its tool ran");
  if (toolFails) {
    assert.equal(tool.outcome, "error");
    assert.equal(tool.error, "weather service down");
    assert.equal(session.summary.errors, 1);
  } else {
    assert.equal(tool.outcome, "ok");
    assert.deepEqual(Object.assign({}, ...tool.logs).output, { city: "Oslo", celsius: 20 });
    assert.equal(session.summary.errors, 0);
  }
  assert.equal(call.outcome, "ok");
  assert.equal(session.summary.input_tokens, 30);
  assert.equal(session.summary.output_tokens, 12);
  assert.equal(session.summary.in_flight, 0);
}

function tools6(fail: boolean) {
  return {
    weather: ai6.tool({
      description: "The weather in a city",
      inputSchema: ai6.jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } } }),
      execute: ({ city }) => {
        if (fail) throw new Error("weather service down");
        return Promise.resolve({ city, celsius: 20 });
      },
    }),
    clock: ai6.tool({
      description: "The time",
      inputSchema: ai6.jsonSchema<Record<string, never>>({ type: "object", properties: {} }),
      execute: () => Promise.resolve("12:00"),
    }),
  };
}

function tools7(fail: boolean, onRun?: () => void) {
  return {
    weather: ai7.tool({
      description: "The weather in a city",
      inputSchema: ai7.jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } } }),
      execute: ({ city }) => {
        onRun?.();
        if (fail) throw new Error("weather service down");
        return Promise.resolve({ city, celsius: 20 });
      },
    }),
    clock: ai7.tool({
      description: "The time",
      inputSchema: ai7.jsonSchema<Record<string, never>>({ type: "object", properties: {} }),
      execute: () => Promise.resolve("12:00"),
    }),
  };
}

for (const fail of [false, true]) {
  const what = fail ? "a tool that throws as a failed step" : "a tool loop over several steps";
  test(`aiSdkTelemetry() records ${what} (ai 6, generateText)`, async () => {
    const recorded = await record(async (tracer) => {
      const result = await ai6.generateText({
        model: new MockLanguageModelV3({ modelId: "mock-6", doGenerate: toolLoop("mock-6") }),
        prompt: "Weather in Oslo?",
        tools: tools6(fail),
        stopWhen: ai6.stepCountIs(5),
        experimental_telemetry: { integrations: aiSdkTelemetry(tracer) },
      });
      assert.equal(result.text, "Sunny, 20°C in Oslo.");
    });
    assertToolLoop(recorded, "mock-6", fail);
    assert.equal(recorded.byKind("agent")[0].context.prompt, "Weather in Oslo?");
  });

  test(`aiSdkTelemetry() records ${what} (ai 7, generateText)`, async () => {
    const recorded = await record(async (tracer) => {
      const result = await ai7.generateText({
        model: new MockLanguageModelV4({ modelId: "mock-7", doGenerate: toolLoop("mock-7") }),
        prompt: "Weather in Oslo?",
        tools: tools7(fail, () => tracer.step("lookup", {}, () => {})),
        stopWhen: ai7.isStepCount(5),
        telemetry: { integrations: aiSdkTelemetry(tracer) },
      });
      assert.equal(result.text, "Sunny, 20°C in Oslo.");
    });
    assertToolLoop(recorded, "mock-7", fail);
    assert.equal(recorded.one("generateText").kind, "agent");
    assert.equal(recorded.one("generateText").context.prompt, "Weather in Oslo?");
    // executeTool runs the tool inside its step: steps the tool begins are its children.
    assert.equal(recorded.one("lookup").parent_id, recorded.one("weather").id);
  });
}

test("aiSdkTelemetry() ends a streamText call's steps when the stream finishes (ai 6)", async () => {
  const recorded = await record(async (tracer) => {
    const result = ai6.streamText({
      model: new MockLanguageModelV3({
        modelId: "streamer",
        doStream: { stream: ai6.simulateReadableStream({ chunks: streamParts(["Hel", "lo"], 8, 2) }) },
      }),
      prompt: "Say hello",
      experimental_telemetry: { integrations: aiSdkTelemetry(tracer), functionId: "greet" },
    });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    assert.equal(text, "Hello");
    await result.consumeStream();
  });
  const call = recorded.one("greet");
  assert.equal(call.kind, "agent");
  assert.equal(call.outcome, "ok");
  const [llm] = recorded.byKind("llm");
  assert.equal(llm.parent_id, call.id);
  assert.equal(llm.usage?.input_tokens, 8);
  assert.equal(llm.usage?.response_model, "streamer-2026");
  assert.equal(Object.assign({}, ...llm.logs).text, "Hello");
  assert.equal(llm.decision, undefined, "no tools offered, no choice to record");
  assert.equal(recorded.session.summary.in_flight, 0);
});

test("aiSdkTelemetry() ends a streamText call's steps when the stream finishes (ai 7)", async () => {
  const recorded = await record(async (tracer) => {
    const result = ai7.streamText({
      model: new MockLanguageModelV4({
        modelId: "streamer",
        doStream: { stream: ai7.simulateReadableStream({ chunks: streamParts(["Hel", "lo"], 8, 2) }) },
      }),
      prompt: "Say hello",
      telemetry: { integrations: aiSdkTelemetry(tracer) },
    });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    assert.equal(text, "Hello");
  });
  const call = recorded.one("streamText");
  assert.equal(call.outcome, "ok");
  const [llm] = recorded.byKind("llm");
  assert.equal(llm.parent_id, call.id);
  assert.equal(llm.usage?.output_tokens, 2);
  assert.equal(recorded.session.summary.in_flight, 0);
});

test("aiSdkTelemetry() ends an aborted streamText call as aborted (ai 7)", async () => {
  const recorded = await record(async (tracer) => {
    const controller = new AbortController();
    const chunks = streamParts(["a", "b", "c", "d"], 5, 4);
    const result = ai7.streamText({
      model: new MockLanguageModelV4({
        modelId: "streamer",
        doStream: {
          stream: new ReadableStream({
            async pull(stream) {
              const next = chunks.shift();
              if (next === undefined) return;
              stream.enqueue(next);
              if (next.type === "text-delta") {
                controller.abort();
                await new Promise((resolve) => setTimeout(resolve, 1));
              }
            },
          }),
        },
      }),
      prompt: "Count",
      abortSignal: controller.signal,
      telemetry: { integrations: aiSdkTelemetry(tracer) },
    });
    await result.consumeStream();
  });
  const call = recorded.one("streamText");
  assert.equal(call.outcome, "aborted");
  assert.equal(recorded.session.summary.in_flight, 0);
});

test("aiSdkTelemetry() ends an aborted streamText call as aborted, through its abort signal (ai 6)", async () => {
  const recorded = await record(async (tracer) => {
    const controller = new AbortController();
    const chunks = streamParts(["a", "b", "c", "d"], 5, 4);
    const result = ai6.streamText({
      model: new MockLanguageModelV3({
        modelId: "streamer",
        doStream: {
          stream: new ReadableStream({
            async pull(stream) {
              const next = chunks.shift();
              if (next === undefined) return;
              stream.enqueue(next);
              if (next.type === "text-delta") {
                controller.abort();
                await new Promise((resolve) => setTimeout(resolve, 1));
              }
            },
          }),
        },
      }),
      prompt: "Count",
      abortSignal: controller.signal,
      experimental_telemetry: { integrations: aiSdkTelemetry(tracer) },
    });
    await result.consumeStream();
  });
  const [call] = recorded.byKind("agent");
  assert.equal(call.outcome, "aborted");
  assert.equal(recorded.session.summary.in_flight, 0);
});

test("aiSdkTelemetry() registered globally records every call (ai 6 registerTelemetryIntegration)", async () => {
  const recorded = await record(async (tracer) => {
    const before = globalThis.AI_SDK_TELEMETRY_INTEGRATIONS;
    globalThis.AI_SDK_TELEMETRY_INTEGRATIONS = [];
    try {
      ai6.registerTelemetryIntegration(aiSdkTelemetry(tracer));
      for (const prompt of ["one", "two"]) {
        await ai6.generateText({
          model: new MockLanguageModelV3({ modelId: "mock-6", doGenerate: toolLoop("mock-6")[1] }),
          prompt,
        });
      }
    } finally {
      globalThis.AI_SDK_TELEMETRY_INTEGRATIONS = before;
    }
  });
  const calls = recorded.byKind("agent");
  assert.deepEqual(calls.map((call) => call.context.prompt), ["one", "two"]);
  assert.equal(recorded.session.summary.input_tokens, 40);
});

test("aiSdkTelemetry() registered globally records every call (ai 7 registerTelemetry)", async () => {
  const recorded = await record(async (tracer) => {
    const before = globalThis.AI_SDK_TELEMETRY_INTEGRATIONS;
    globalThis.AI_SDK_TELEMETRY_INTEGRATIONS = [];
    try {
      ai7.registerTelemetry(aiSdkTelemetry(tracer));
      for (const prompt of ["one", "two"]) {
        await ai7.generateText({
          model: new MockLanguageModelV4({ modelId: "mock-7", doGenerate: toolLoop("mock-7")[1] }),
          prompt,
        });
      }
    } finally {
      globalThis.AI_SDK_TELEMETRY_INTEGRATIONS = before;
    }
  });
  const calls = recorded.byKind("agent");
  assert.deepEqual(calls.map((call) => call.context.prompt), ["one", "two"]);
  assert.equal(recorded.session.summary.input_tokens, 40);
});

for (const version of [6, 7] as const) {
  test(`aiSdkMiddleware() records each model call under the current step (ai ${version}, generateText)`, async () => {
    const recorded = await record(async (tracer) => {
      await tracer.step("answer", {}, async () => {
        if (version === 6) {
          const model = ai6.wrapLanguageModel({
            model: new MockLanguageModelV3({ modelId: "mock-6", doGenerate: toolLoop("mock-6") }),
            middleware: aiSdkMiddleware(tracer),
          });
          await ai6.generateText({ model, prompt: "Weather?", tools: tools6(false), stopWhen: ai6.stepCountIs(5) });
        } else {
          const model = ai7.wrapLanguageModel({
            model: new MockLanguageModelV4({ modelId: "mock-7", doGenerate: toolLoop("mock-7") }),
            middleware: aiSdkMiddleware(tracer),
          });
          await ai7.generateText({ model, prompt: "Weather?", tools: tools7(false), stopWhen: ai7.isStepCount(5) });
        }
      });
    });
    const answer = recorded.one("answer");
    const llms = recorded.byKind("llm");
    assert.equal(llms.length, 2);
    for (const llm of llms) assert.equal(llm.parent_id, answer.id);
    assert.equal(llms[0].name, `mock-${version}`);
    assert.equal(llms[0].usage?.response_model, `mock-${version}-2026`);
    assert.equal(llms[0].decision?.action, "weather");
    assert.deepEqual(llms[0].decision?.alternatives, ["clock", "answer"]);
    assert.equal(llms[1].decision?.action, "answer");
    assert.equal(recorded.session.summary.input_tokens, 30);
    assert.equal(recorded.session.summary.output_tokens, 12);
  });

  test(`aiSdkMiddleware() passes a stream through unchanged and ends its step with it (ai ${version})`, async () => {
    let text = "";
    const recorded = await record(async (tracer) => {
      const parts = streamParts(["Hel", "lo"], 8, 2);
      if (version === 6) {
        const model = ai6.wrapLanguageModel({
          model: new MockLanguageModelV3({
            modelId: "streamer",
            doStream: { stream: ai6.simulateReadableStream({ chunks: parts }) },
          }),
          middleware: aiSdkMiddleware(tracer),
        });
        const result = ai6.streamText({ model, prompt: "Say hello" });
        for await (const delta of result.textStream) text += delta;
      } else {
        const model = ai7.wrapLanguageModel({
          model: new MockLanguageModelV4({
            modelId: "streamer",
            doStream: { stream: ai7.simulateReadableStream({ chunks: parts }) },
          }),
          middleware: aiSdkMiddleware(tracer),
        });
        const result = ai7.streamText({ model, prompt: "Say hello" });
        for await (const delta of result.textStream) text += delta;
      }
    });
    assert.equal(text, "Hello");
    const [llm] = recorded.byKind("llm");
    assert.equal(llm.outcome, "ok");
    assert.equal(llm.usage?.input_tokens, 8);
    assert.equal(llm.usage?.response_model, "streamer-2026");
    const logged = Object.assign({}, ...llm.logs);
    assert.equal(logged.text, "Hello");
    assert.equal(logged.response_id, "resp-s");
  });
}

test("aiSdkMiddleware() records a failing model call as a failed step and rethrows", async () => {
  const recorded = await record(async (tracer) => {
    const model = ai7.wrapLanguageModel({
      model: new MockLanguageModelV4({
        modelId: "broken",
        doGenerate: () => Promise.reject(new Error("rate limited")),
      }),
      middleware: aiSdkMiddleware(tracer),
    });
    await assert.rejects(ai7.generateText({ model, prompt: "Hi", maxRetries: 0 }), /rate limited/);
  });
  const [llm] = recorded.byKind("llm");
  assert.equal(llm.outcome, "error");
  assert.equal(llm.error, "rate limited");
});

test("aiSdkMiddleware() ends a cancelled stream's step as aborted", async () => {
  const recorded = await record(async (tracer) => {
    const middleware = aiSdkMiddleware(tracer);
    const result = await middleware.wrapStream({
      doStream: () =>
        Promise.resolve({ stream: ai7.simulateReadableStream({ chunks: streamParts(["a", "b", "c"], 3, 3) }) }),
      params: { prompt: [] },
      model: { provider: "mock-provider", modelId: "streamer" },
    });
    const reader = result.stream.getReader();
    await reader.read();
    await reader.cancel("user left");
  });
  const [llm] = recorded.byKind("llm");
  assert.equal(llm.outcome, "aborted");
  assert.equal(recorded.session.summary.in_flight, 0);
});

test("aiSdkTelemetry() keeps concurrent calls apart by call id (ai 7)", async () => {
  const recorded = await record(async (tracer) => {
    const telemetry = { integrations: aiSdkTelemetry(tracer) };
    await Promise.all(["first", "second", "third"].map((prompt, i) =>
      ai7.generateText({
        model: new MockLanguageModelV4({
          modelId: `model-${i}`,
          doGenerate: async () => {
            await new Promise((resolve) => setTimeout(resolve, (3 - i) * 2));
            return { ...toolLoop(`model-${i}`)[1], usage: usage(10 * (i + 1), 1) };
          },
        }),
        prompt,
        telemetry,
      })
    ));
  });
  const calls = recorded.byKind("agent");
  assert.equal(calls.length, 3);
  for (const call of calls) {
    const [llm, ...others] = recorded.session.steps.filter((step) => step.parent_id === call.id);
    assert.equal(others.length, 0);
    // ai 7 reports the prompt as one user message: recorded as the prompt.
    const i = ["first", "second", "third"].indexOf(call.context.prompt as string);
    assert.equal(llm.name, `model-${i}`, `the model call of prompt ${i} is under its own call`);
    assert.equal(llm.usage?.input_tokens, 10 * (i + 1));
  }
  assert.equal(recorded.session.summary.input_tokens, 60);
});

for (const by of ["metadata", "experimental_context"] as const) {
  test(`aiSdkTelemetry() keeps concurrent calls apart by their ${by} object (ai 6), tools and timeouts included`, async () => {
    const recorded = await record(async (tracer) => {
      const integration = aiSdkTelemetry(tracer);
      await Promise.all(["first", "second"].map((prompt, i) => {
        const answers = toolLoop(`model-${i}`);
        return ai6.generateText({
          model: new MockLanguageModelV3({
            modelId: `model-${i}`,
            doGenerate: async () => {
              await new Promise((resolve) => setTimeout(resolve, (2 - i) * 3));
              return answers.shift()!;
            },
          }),
          prompt,
          tools: tools6(false),
          stopWhen: ai6.stepCountIs(5),
          // A signal and a timeout: ai 6 then hands the tools a signal of its own.
          abortSignal: new AbortController().signal,
          timeout: 60_000,
          experimental_telemetry: {
            integrations: integration,
            ...(by === "metadata" ? { metadata: { request: prompt } } : {}),
          },
          ...(by === "experimental_context" ? { experimental_context: { request: prompt } } : {}),
        });
      }));
    });
    for (const call of recorded.byKind("agent")) {
      const children = recorded.session.steps.filter((step) => step.parent_id === call.id);
      const i = ["first", "second"].indexOf(call.context.prompt as string);
      assert.deepEqual(children.map((step) => step.name), [`model-${i}`, "weather", `model-${i}`]);
      for (const child of children) assert.equal(child.outcome, "ok");
    }
    assert.equal(recorded.session.summary.in_flight, 0);
  });
}

test("aiSdkTelemetry() puts the usage of calls without model-call events on the call (ai 7 generateObject, embed)", async () => {
  const warnings = globalThis.AI_SDK_LOG_WARNINGS;
  globalThis.AI_SDK_LOG_WARNINGS = false; // generateObject is deprecated in ai 7, and says so
  const recorded = await record(async (tracer) => {
    const telemetry = { integrations: aiSdkTelemetry(tracer) };
    const { object } = await ai7.generateObject({
      model: new MockLanguageModelV4({
        modelId: "extractor",
        doGenerate: {
          ...toolLoop("extractor")[1],
          content: [{ type: "text", text: '{"city":"Oslo"}' }],
          usage: usage(15, 4),
        },
      }),
      schema: ai7.jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } } }),
      prompt: "Where?",
      telemetry,
    });
    assert.deepEqual(object, { city: "Oslo" });
    await ai7.embed({
      model: new MockEmbeddingModelV4({
        modelId: "embedder",
        doEmbed: { embeddings: [[0.1, 0.2]], usage: { tokens: 6 }, warnings: [] },
      }),
      value: "tides",
      telemetry,
    });
  }).finally(() => globalThis.AI_SDK_LOG_WARNINGS = warnings);
  const generate = recorded.one("generateObject");
  assert.equal(generate.kind, "agent");
  assert.equal(generate.usage?.input_tokens, 15);
  assert.equal(generate.usage?.model, "extractor");
  const embed = recorded.one("embed");
  assert.equal(embed.kind, "embedding");
  assert.equal(embed.usage?.input_tokens, 6);
  assert.equal(recorded.session.summary.input_tokens, 21);
});

test("aiSdkTelemetry() holds at most 1000 ai 6 calls open (one that throws never ends): the oldest ends as unfinished", async () => {
  const recorded = await record((tracer) => {
    const integration = aiSdkTelemetry(tracer);
    for (let i = 0; i <= 1000; i++) integration.onStart({ functionId: `call-${i}` });
    return Promise.resolve();
  });
  assert.equal(recorded.one("call-0").outcome, "unfinished");
  assert.equal(recorded.one("call-1").in_flight, true);
  assert.equal(recorded.session.summary.in_flight, 1000);
});

test("aiSdkMiddleware() reads ai 5's shapes: flat usage counts and a finish reason as a string", async () => {
  const recorded = await record(async (tracer) => {
    const middleware = aiSdkMiddleware(tracer);
    const result = {
      content: [{ type: "text", text: "hi" }],
      finishReason: "stop",
      usage: { inputTokens: 5, outputTokens: 2 },
    };
    const returned = await middleware.wrapGenerate({
      doGenerate: () => Promise.resolve(result),
      params: { prompt: [], tools: [{ type: "function", name: "clock" }] },
      model: { provider: "legacy", modelId: "v2-model" },
    });
    assert.equal(returned, result, "the model's result, untouched");
  });
  const [llm] = recorded.byKind("llm");
  assert.deepEqual(llm.usage, { model: "v2-model", provider: "legacy", input_tokens: 5, output_tokens: 2 });
  assert.equal(Object.assign({}, ...llm.logs).finish_reason, "stop");
  assert.deepEqual(llm.decision, { action: "answer", alternatives: ["clock"] });
});

test("aiSdkTelemetry() lets go of a long-lived abort signal when each call ends (ai 6)", async () => {
  // One signal for the whole program (a shutdown signal), passed to every call: each call listened to it, and the
  // listeners stayed after the calls ended (memory, and runtimes warn of a leak past 10).
  const shutdown = new AbortController();
  const recorded = await record(async (tracer) => {
    const integration = aiSdkTelemetry(tracer);
    for (let i = 0; i < 12; i++) {
      await ai6.generateText({
        model: new MockLanguageModelV3({ modelId: "mock-6", doGenerate: toolLoop("mock-6")[1] }),
        prompt: `question ${i}`,
        abortSignal: shutdown.signal,
        experimental_telemetry: { integrations: integration },
      });
    }
  });
  assert.equal(recorded.byKind("agent").length, 12);
  assert.equal(getEventListeners(shutdown.signal, "abort").length, 0);
});
