// wrapOpenAI() against the real `openai` client, pointed at a mock server on
// 127.0.0.1: each test reads the session back and compares what the caller got
// with what the unwrapped client returns for the same request.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { readSession, type SessionStep, Tracer } from "../mod.ts";
import { wrapOpenAI } from "../src/integrations/openai.ts";
import { type MockLlmServer, startMockLlmServer } from "./_mock_llm_server.ts";
import { caught, collect, logOf, removeDir, tempDir } from "./_helpers.ts";

let server: MockLlmServer;

before(async () => {
  server = await startMockLlmServer();
});

after(async () => {
  await server.close();
});

function clients(options: Parameters<typeof wrapOpenAI>[2] = {}) {
  const dir = tempDir();
  const errors: Error[] = [];
  const tracer = new Tracer("agent", { traceDir: dir, onError: (e) => errors.push(e) });
  const make = () => new OpenAI({ apiKey: "sk-test-not-a-real-key", baseURL: `${server.url}/v1`, maxRetries: 0 });
  const plain = make();
  const wrapped = wrapOpenAI(make(), tracer, options);
  const steps = async (): Promise<SessionStep[]> => {
    await tracer.close();
    const session = await readSession(tracer.path!);
    assert.deepEqual(session.warnings, []);
    assert.deepEqual(errors, [], "no tracing errors");
    return session.steps;
  };
  return { dir, tracer, plain, wrapped, steps };
}

const question = [{ role: "user" as const, content: "When is high tide?" }];

describe("wrapOpenAI()", () => {
  test("wrapOpenAI() records chat.completions.create as an llm step under the current step", async () => {
    const { dir, tracer, plain, wrapped, steps } = clients({
      prices: { "gpt-4o-mini": { input: 0.15, cachedInput: 0.075, output: 0.6 } },
    });
    const request = { model: "gpt-4o-mini", messages: question, temperature: 0 };
    const expected = await plain.chat.completions.create(request);
    const got = await tracer.step("answer", { ticket: 7 }, () => wrapped.chat.completions.create(request));
    assert.deepEqual(got, expected);
    assert.equal(got._request_id, expected._request_id);
    assert.ok(wrapped instanceof OpenAI);
    const [agent, llm] = await steps();
    assert.equal(agent.name, "answer");
    assert.equal(llm.name, "openai.chat");
    assert.equal(llm.kind, "llm");
    assert.equal(llm.parent_id, agent.id);
    assert.equal(llm.outcome, "ok");
    assert.deepEqual(llm.context, { model: "gpt-4o-mini", messages: question, temperature: 0 });
    assert.deepEqual(llm.usage, {
      model: "gpt-4o-mini",
      response_model: "gpt-4o-mini-2026-01-01",
      provider: "openai",
      input_tokens: 120,
      output_tokens: 30,
      cache_read_input_tokens: 100,
      reasoning_tokens: 12,
      // (120 - 100) × 0.15 + 100 × 0.075 + 30 × 0.6, per million
      cost_usd: (20 * 0.15 + 100 * 0.075 + 30 * 0.6) / 1e6,
    });
    const log = logOf(llm);
    assert.equal(log.response_id, "chatcmpl-1");
    assert.equal(log.finish_reason, "stop");
    assert.equal(log.output, "High tide is at noon.");
    assert.equal(log.request_id, "req_completions_gpt-4o-mini");
    removeDir(dir);
  });

  test("wrapOpenAI() records the tool calls the model asked for", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const request = {
      model: "gpt-4o-mini",
      messages: question,
      tools: [{ type: "function" as const, function: { name: "tides", parameters: { type: "object" } } }],
    };
    const expected = await plain.chat.completions.create(request);
    assert.deepEqual(await wrapped.chat.completions.create(request), expected);
    const [llm] = await steps();
    const log = logOf(llm);
    assert.equal(log.finish_reason, "tool_calls");
    assert.deepEqual(log.tool_calls, [{ id: "call_1", name: "tides", arguments: '{"port":"Lisbon"}' }]);
    assert.equal("output" in log, false, "no text when the model only called a tool");
    removeDir(dir);
  });

  test("wrapOpenAI() records a stream with usage as it is read, and yields every chunk unchanged", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const request = {
      model: "gpt-4o-mini",
      messages: question,
      stream: true as const,
      stream_options: { include_usage: true },
    };
    const expected = await collect(await plain.chat.completions.create(request));
    const got = await collect(await wrapped.chat.completions.create(request));
    assert.deepEqual(got, expected);
    const [llm] = await steps();
    assert.equal(llm.outcome, "ok");
    assert.equal(llm.usage?.input_tokens, 120);
    assert.equal(llm.usage?.output_tokens, 30);
    assert.equal(llm.usage?.cache_read_input_tokens, 100);
    assert.equal(llm.usage?.response_model, "gpt-4o-mini-2026-01-01");
    const log = logOf(llm);
    assert.equal(log.output, "High tide is at noon.");
    assert.equal(log.response_id, "chatcmpl-stream-1");
    assert.equal(log.finish_reason, "stop");
    assert.equal(log.stream_chunks, expected.length);
    assert.equal(log.request_id, "req_completions_gpt-4o-mini_stream");
    assert.equal("tokens" in log, false);
    removeDir(dir);
  });

  test("wrapOpenAI() records a stream without include_usage without tokens, and says so", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const tools = [{ type: "function" as const, function: { name: "tides", parameters: { type: "object" } } }];
    const request = { model: "gpt-4o-mini", messages: question, stream: true as const, tools };
    const expected = await collect(await plain.chat.completions.create(request));
    const got = await collect(await wrapped.chat.completions.create(request));
    assert.deepEqual(got, expected);
    assert.equal(server.requests.at(-1)?.body.stream_options, undefined, "the request was not changed");
    const [llm] = await steps();
    assert.equal(llm.usage?.input_tokens, undefined);
    assert.equal(llm.usage?.model, "gpt-4o-mini");
    const log = logOf(llm);
    assert.match(String(log.tokens), /not reported.*include_usage/);
    assert.deepEqual(log.tool_calls, [{ id: "call_s1", name: "tides", arguments: '{"port":"Lisbon"}' }]);
    removeDir(dir);
  });

  test("wrapOpenAI() with includeUsage adds stream_options.include_usage and records the tokens", async () => {
    const { dir, wrapped, steps } = clients({ includeUsage: true });
    const request = { model: "gpt-4o-mini", messages: question, stream: true as const };
    const chunks = await collect(await wrapped.chat.completions.create(request));
    assert.deepEqual(server.requests.at(-1)?.body.stream_options, { include_usage: true });
    assert.equal(chunks.at(-1)?.usage?.prompt_tokens, 120, "the caller sees the usage chunk");
    assert.equal((request as Record<string, unknown>).stream_options, undefined, "the caller's params are not mutated");
    const [llm] = await steps();
    assert.equal(llm.usage?.input_tokens, 120);
    removeDir(dir);
  });

  test("wrapOpenAI() ends the step of an abandoned stream", async () => {
    const { dir, wrapped, steps } = clients();
    const stream = await wrapped.chat.completions.create({ model: "gpt-4o-mini", messages: question, stream: true });
    for await (const _chunk of stream) break;
    const [llm] = await steps();
    assert.equal(llm.in_flight, false);
    assert.equal(llm.outcome, "abandoned");
    removeDir(dir);
  });

  test("wrapOpenAI() keeps .withResponse() and .asResponse() working", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const request = { model: "gpt-4o-mini", messages: question };
    const expected = await plain.chat.completions.create(request).withResponse();
    const got = await wrapped.chat.completions.create(request).withResponse();
    assert.deepEqual(got.data, expected.data);
    assert.equal(got.request_id, expected.request_id);
    assert.equal(got.response.status, 200);
    const raw = await wrapped.chat.completions.create(request).asResponse();
    const rawPlain = await plain.chat.completions.create(request).asResponse();
    assert.deepEqual(await raw.json(), await rawPlain.json(), "the caller reads the body itself");
    const [withResponse, asResponse] = await steps();
    assert.equal(withResponse.usage?.input_tokens, 120);
    assert.equal(logOf(withResponse).request_id, "req_completions_gpt-4o-mini");
    assert.equal(asResponse.outcome, "ok");
    assert.equal(asResponse.usage?.input_tokens, undefined);
    assert.equal(logOf(asResponse).request_id, "req_completions_gpt-4o-mini");
    removeDir(dir);
  });

  test("wrapOpenAI() records responses.create with reasoning, cached tokens and function calls", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const request = { model: "gpt-5-mini", input: "When is low tide?" };
    const expected = await plain.responses.create(request);
    const got = await wrapped.responses.create(request);
    assert.deepEqual(got, expected);
    assert.equal(got.output_text, expected.output_text);
    const [llm] = await steps();
    assert.equal(llm.name, "openai.responses");
    assert.equal(llm.kind, "llm");
    assert.deepEqual(llm.usage, {
      model: "gpt-5-mini",
      response_model: "gpt-5-mini-2026-01-01",
      provider: "openai",
      input_tokens: 80,
      output_tokens: 20,
      cache_read_input_tokens: 64,
      reasoning_tokens: 8,
    });
    const log = logOf(llm);
    assert.equal(log.response_id, "resp_1");
    assert.equal(log.finish_reason, "completed");
    assert.equal(log.output, "Low tide is at six.");
    assert.deepEqual(log.tool_calls, [{ id: "call_r1", name: "tides", arguments: '{"port":"Porto"}' }]);
    removeDir(dir);
  });

  test("wrapOpenAI() records a streamed responses.create from its completed event, events unchanged", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const request = { model: "gpt-5-mini", input: "When is low tide?", stream: true as const };
    const expected = await collect(await plain.responses.create(request));
    const got = await collect(await wrapped.responses.create(request));
    assert.deepEqual(got, expected);
    const [llm] = await steps();
    assert.equal(llm.outcome, "ok");
    assert.equal(llm.usage?.input_tokens, 80);
    assert.equal(llm.usage?.reasoning_tokens, 8);
    assert.equal(llm.usage?.response_model, "gpt-5-mini-2026-01-01");
    const log = logOf(llm);
    assert.equal(log.output, "Low tide is at six.");
    assert.equal(log.stream_events, 3);
    assert.equal(log.request_id, "req_responses_gpt-5-mini_stream");
    removeDir(dir);
  });

  test("wrapOpenAI() records embeddings.create as an embedding step", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const request = { model: "text-embedding-3-small", input: ["tide", "moon"] };
    const expected = await plain.embeddings.create(request);
    const got = await wrapped.embeddings.create(request);
    assert.deepEqual(got, expected);
    const [step] = await steps();
    assert.equal(step.name, "openai.embeddings");
    assert.equal(step.kind, "embedding");
    assert.equal(step.usage?.input_tokens, 14);
    assert.equal(step.usage?.response_model, "text-embedding-3-small-v1");
    assert.equal(logOf(step).embeddings, 2);
    removeDir(dir);
  });

  test("wrapOpenAI() records a 429 as a failed step and throws what the client throws", async () => {
    const { dir, plain, wrapped, steps } = clients();
    const request = { model: "error-429", messages: question };
    const expected = await caught(plain.chat.completions.create(request)) as InstanceType<typeof OpenAI.APIError>;
    const got = await caught(wrapped.chat.completions.create(request)) as InstanceType<typeof OpenAI.APIError>;
    assert.ok(got instanceof OpenAI.RateLimitError);
    assert.equal(got.constructor, expected.constructor);
    assert.equal(got.message, expected.message);
    assert.equal(got.status, 429);
    const [llm] = await steps();
    assert.equal(llm.outcome, "error");
    assert.equal(llm.error_type, "RateLimitError");
    assert.equal(llm.error, got.message);
    const log = logOf(llm);
    assert.equal(log.http_status, 429);
    assert.equal(log.api_error_type, "requests");
    assert.equal(log.api_error_code, "rate_limit_exceeded");
    assert.equal(log.request_id, "req_completions_error-429");
    assert.equal(log.retry_after, "7");
    removeDir(dir);
  });

  test("wrapOpenAI() records a 500 and a malformed body as failed steps", async () => {
    const { dir, plain, wrapped, steps } = clients();
    for (const model of ["error-500", "malformed"]) {
      const request = { model, messages: question };
      const expected = await caught(plain.chat.completions.create(request)) as Error;
      const got = await caught(wrapped.chat.completions.create(request)) as Error;
      assert.equal(got.constructor, expected.constructor, model);
      assert.equal(got.message, expected.message, model);
    }
    const [serverError, malformed] = await steps();
    assert.equal(serverError.outcome, "error");
    assert.equal(serverError.error_type, "InternalServerError");
    assert.equal(logOf(serverError).http_status, 500);
    assert.equal(logOf(serverError).request_id, "req_completions_error-500");
    assert.equal(malformed.outcome, "error");
    assert.equal(malformed.in_flight, false);
    removeDir(dir);
  });

  test("wrapOpenAI() with recordMessages: false keeps the prompt and the answer out of the file", async () => {
    const { dir, wrapped, tracer, steps } = clients({ recordMessages: false });
    await wrapped.chat.completions.create({ model: "gpt-4o-mini", messages: question, temperature: 0.2 });
    await tracer.close();
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(tracer.path!, "utf8");
    assert.doesNotMatch(text, /high tide/i);
    const [llm] = await steps();
    assert.deepEqual(llm.context, { model: "gpt-4o-mini", temperature: 0.2 });
    assert.equal(llm.usage?.input_tokens, 120);
    removeDir(dir);
  });

  test("wrapOpenAI() redacts secrets and cuts long strings in what it records", async () => {
    const dir = tempDir();
    const tracer = new Tracer("agent", { traceDir: dir, maxStringLength: 40 });
    const wrapped = wrapOpenAI(
      new OpenAI({ apiKey: "sk-test-not-a-real-key", baseURL: `${server.url}/v1`, maxRetries: 0 }),
      tracer,
    );
    const secret = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
    await wrapped.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: `my key is ${secret}` }, { role: "user", content: "x".repeat(500) }],
    });
    await tracer.close();
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(tracer.path!, "utf8");
    assert.equal(text.includes(secret), false, "the key is not in the file");
    assert.equal(text.includes("x".repeat(100)), false, "the long message is cut");
    const [llm] = (await readSession(tracer.path!)).steps;
    assert.equal(llm.usage?.input_tokens, 120);
    removeDir(dir);
  });

  test("wrapOpenAI() returns and throws exactly the same when tracing fails", async () => {
    // A trace "directory" that is a file: the tracer cannot create its session file.
    const dir = tempDir();
    const file = `${dir}/not-a-directory`;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, "");
    const problems: Error[] = [];
    const tracer = new Tracer("agent", { traceDir: file, onError: (e) => problems.push(e) });
    const make = () => new OpenAI({ apiKey: "sk-test-not-a-real-key", baseURL: `${server.url}/v1`, maxRetries: 0 });
    const wrapped = wrapOpenAI(make(), tracer);
    const request = { model: "gpt-4o-mini", messages: question };
    assert.deepEqual(await wrapped.chat.completions.create(request), await make().chat.completions.create(request));
    const expected = await caught(make().chat.completions.create({ ...request, model: "error-500" })) as Error;
    const got = await caught(wrapped.chat.completions.create({ ...request, model: "error-500" })) as Error;
    assert.equal(got.constructor, expected.constructor);
    assert.equal(got.message, expected.message);
    assert.ok(problems.length >= 1, "the tracing failure was reported through onError");
    await tracer.close();
    removeDir(dir);
  });

  test("wrapOpenAI() does not change the client, refuses to wrap twice, and passes other calls through", async () => {
    const { dir, tracer, plain } = clients();
    const original = plain.chat.completions.create;
    const wrapped = wrapOpenAI(plain, tracer);
    assert.equal(plain.chat.completions.create, original, "the client is not mutated");
    assert.notEqual(wrapped.chat.completions.create, original);
    assert.equal(wrapped.baseURL, plain.baseURL);
    assert.throws(() => wrapOpenAI(wrapped, tracer), /twice/);
    assert.throws(() => wrapOpenAI(null as unknown as OpenAI, tracer), TypeError);
    // The names every object inherits read through as they are (they were looked up among the wrapped methods, and
    // `String(client)` threw into the agent).
    assert.equal(String(wrapped), String(plain));
    assert.equal(`${wrapped.chat.completions}`, `${plain.chat.completions}`);
    assert.equal(typeof wrapped.hasOwnProperty, "function");
    assert.equal(wrapped.constructor, plain.constructor);
    const other = wrapped.withOptions({ timeout: 1000 });
    assert.ok(other instanceof OpenAI);
    await tracer.close();
    removeDir(dir);
  });
});
