// wrapAnthropic() against the real `@anthropic-ai/sdk` client, pointed at a
// mock server on 127.0.0.1: each test reads the session back and compares what
// the caller got with what the unwrapped client returns for the same request.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { readSession, type SessionStep, Tracer } from "../mod.ts";
import { wrapAnthropic } from "../src/integrations/anthropic.ts";
import { type MockLlmServer, startMockLlmServer } from "./_mock_llm_server.ts";
import { caught, collect, logOf, removeDir, tempDir } from "./_helpers.ts";

let server: MockLlmServer;

before(async () => {
  server = await startMockLlmServer();
});

after(async () => {
  await server.close();
});

function clients(options: Parameters<typeof wrapAnthropic>[2] = {}) {
  const dir = tempDir();
  const errors: Error[] = [];
  const tracer = new Tracer("agent", { traceDir: dir, onError: (e) => errors.push(e) });
  const make = () => new Anthropic({ apiKey: "sk-ant-test-not-a-real-key", baseURL: server.url, maxRetries: 0 });
  const plain = make();
  const wrapped = wrapAnthropic(make(), tracer, options);
  const steps = async (): Promise<SessionStep[]> => {
    await tracer.close();
    const session = await readSession(tracer.path!);
    assert.deepEqual(session.warnings, []);
    assert.deepEqual(errors, [], "no tracing errors");
    return session.steps;
  };
  return { dir, tracer, plain, wrapped, steps };
}

const base = { model: "claude-haiku-4-5", max_tokens: 256, messages: [{ role: "user" as const, content: "Tides?" }] };
const tools = [{ name: "tides", description: "Tide times", input_schema: { type: "object" as const } }];

describe("wrapAnthropic()", () => {
  test("wrapAnthropic() records messages.create with cache tokens, tool use and cost, under the current step", async () => {
    const { dir, tracer, plain, wrapped, steps } = clients({
      prices: { "claude-haiku-4-5": { input: 1, cachedInput: 0.1, cacheWrite: 1.25, output: 5 } },
    });
    const request = { ...base, system: "You know the sea.", tools };
    const expected = await plain.messages.create(request);
    const got = await tracer.step("agent", () => wrapped.messages.create(request));
    assert.deepEqual(got, expected);
    assert.ok(wrapped instanceof Anthropic);
    const [agent, llm] = await steps();
    assert.equal(llm.name, "anthropic.messages");
    assert.equal(llm.kind, "llm");
    assert.equal(llm.parent_id, agent.id);
    assert.equal(llm.context.system, "You know the sea.");
    assert.deepEqual(llm.usage, {
      model: "claude-haiku-4-5",
      response_model: "claude-haiku-4-5-20260101",
      provider: "anthropic",
      input_tokens: 40,
      output_tokens: 25,
      cache_read_input_tokens: 300,
      cache_creation_input_tokens: 50,
      cost_usd: (40 * 1 + 300 * 0.1 + 50 * 1.25 + 25 * 5) / 1e6,
    });
    const log = logOf(llm);
    assert.equal(log.response_id, "msg_1");
    assert.equal(log.finish_reason, "tool_use");
    assert.equal(log.output, "The tide turns at noon.");
    assert.deepEqual(log.tool_calls, [{ id: "toolu_1", name: "tides", input: { port: "Faro" } }]);
    assert.equal(log.request_id, "req_messages_claude-haiku-4-5");
    removeDir(dir);
  });

  test("wrapAnthropic() records messages.create({ stream: true }) as it is read, events unchanged", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const request = { ...base, stream: true as const, tools };
    const expected = await collect(await plain.messages.create(request));
    const got = await collect(await wrapped.messages.create(request));
    assert.deepEqual(got, expected);
    const [llm] = await steps();
    assert.equal(llm.outcome, "ok");
    assert.equal(llm.usage?.input_tokens, 40);
    assert.equal(llm.usage?.output_tokens, 25);
    assert.equal(llm.usage?.cache_read_input_tokens, 300);
    assert.equal(llm.usage?.response_model, "claude-haiku-4-5-20260101");
    const log = logOf(llm);
    assert.equal(log.response_id, "msg_stream_1");
    assert.equal(log.finish_reason, "tool_use");
    assert.equal(log.output, "The tide turns at noon.");
    assert.deepEqual(log.tool_calls, [{ id: "toolu_s1", name: "tides", input: { port: "Faro" } }]);
    assert.equal(log.stream_events, expected.length);
    assert.equal(log.request_id, "req_messages_claude-haiku-4-5_stream");
    removeDir(dir);
  });

  test("wrapAnthropic() records messages.stream() through its events, final message unchanged", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const expectedStream = plain.messages.stream(base);
    const expectedText: string[] = [];
    expectedStream.on("text", (text) => expectedText.push(text));
    const expected = await expectedStream.finalMessage();
    const stream = wrapped.messages.stream(base);
    const text: string[] = [];
    stream.on("text", (t) => text.push(t));
    const got = await stream.finalMessage();
    assert.deepEqual(got, expected);
    assert.deepEqual(text, expectedText);
    await stream.done();
    const all = await steps();
    assert.equal(all.length, 1, "one step: the stream's own create() call is not recorded again");
    const [llm] = all;
    assert.equal(llm.outcome, "ok");
    assert.equal(llm.usage?.input_tokens, 40);
    assert.equal(llm.usage?.output_tokens, 25);
    assert.equal(llm.usage?.cache_creation_input_tokens, 50);
    const log = logOf(llm);
    assert.equal(log.output, "The tide turns at noon.");
    assert.equal(log.finish_reason, "end_turn");
    assert.equal(log.request_id, "req_messages_claude-haiku-4-5_stream");
    removeDir(dir);
  });

  test("wrapAnthropic() keeps .withResponse() and .asResponse() working", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const expected = await plain.messages.create(base).withResponse();
    const got = await wrapped.messages.create(base).withResponse();
    assert.deepEqual(got.data, expected.data);
    assert.equal(got.request_id, expected.request_id);
    const raw = await wrapped.messages.create(base).asResponse();
    assert.equal((await raw.json()).id, "msg_1");
    const [withResponse, asResponse] = await steps();
    assert.equal(withResponse.usage?.output_tokens, 25);
    assert.equal(logOf(withResponse).request_id, "req_messages_claude-haiku-4-5");
    assert.equal(asResponse.outcome, "ok");
    assert.equal(logOf(asResponse).request_id, "req_messages_claude-haiku-4-5");
    removeDir(dir);
  });

  test("wrapAnthropic() records a 429 as a failed step and throws what the client throws", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const request = { ...base, model: "error-429" };
    const expected = await caught(plain.messages.create(request)) as Error;
    const got = await caught(wrapped.messages.create(request)) as Error;
    assert.ok(got instanceof Anthropic.RateLimitError);
    assert.equal(got.constructor, expected.constructor);
    assert.equal(got.message, expected.message);
    const [llm] = await steps();
    assert.equal(llm.outcome, "error");
    assert.equal(llm.error_type, "RateLimitError");
    const log = logOf(llm);
    assert.equal(log.http_status, 429);
    assert.equal(log.api_error_type, "rate_limit_error");
    assert.equal(log.request_id, "req_messages_error-429");
    assert.equal(log.retry_after, "7");
    removeDir(dir);
  });

  test("wrapAnthropic() records a 500, a malformed body and a failed messages.stream() as failed steps", async () => {
    const { dir, tracer, plain, wrapped, steps } = clients();
    for (const model of ["error-500", "malformed"]) {
      const request = { ...base, model };
      const expected = await caught(plain.messages.create(request)) as Error;
      const got = await caught(wrapped.messages.create(request)) as Error;
      assert.equal(got.constructor, expected.constructor, model);
      assert.equal(got.message, expected.message, model);
    }
    const stream = wrapped.messages.stream({ ...base, model: "error-500" });
    const streamError = await caught(stream.finalMessage()) as Error;
    assert.ok(streamError instanceof Anthropic.InternalServerError);
    await caught(stream.done());
    // The step of a failed stream ends once its error has been read, a few ticks later: poll for it (the bound only
    // turns a hang into a failure).
    for (let i = 0; i < 2000 && tracer.summary().errors < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const [serverError, malformed, failedStream] = await steps();
    assert.equal(serverError.outcome, "error");
    assert.equal(serverError.error_type, "InternalServerError");
    assert.equal(logOf(serverError).api_error_type, "api_error");
    assert.equal(malformed.outcome, "error");
    assert.equal(failedStream.outcome, "error");
    assert.equal(failedStream.error_type, "InternalServerError");
    assert.equal(logOf(failedStream).http_status, 500);
    removeDir(dir);
  });

  test("wrapAnthropic() does not change the client and refuses to wrap twice", async () => {
    const { dir, tracer, plain } = clients();
    const create = plain.messages.create;
    const wrapped = wrapAnthropic(plain, tracer);
    assert.equal(plain.messages.create, create);
    assert.throws(() => wrapAnthropic(wrapped, tracer), /twice/);
    // The names every object inherits read through as they are (they were looked up among the wrapped methods, and
    // `String(client)` threw into the agent).
    assert.equal(String(wrapped), String(plain));
    assert.equal(`${wrapped.messages}`, `${plain.messages}`);
    assert.equal(typeof wrapped.hasOwnProperty, "function");
    assert.equal(wrapped.constructor, plain.constructor);
    await tracer.close();
    removeDir(dir);
  });
});
