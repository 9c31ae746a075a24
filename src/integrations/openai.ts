/**
 * Records the calls of an `openai` client as steps, with one line:
 * `const openai = wrapOpenAI(new OpenAI(), tracer)`. Imports nothing from
 * `openai`: the client is described by the few methods it needs.
 *
 * @example Record every call of a client
 * ```ts ignore
 * import OpenAI from "openai";
 * import { Tracer } from "@ai-trace/core";
 * import { wrapOpenAI } from "@ai-trace/core/openai";
 *
 * const tracer = new Tracer("support_agent");
 * const openai = wrapOpenAI(new OpenAI(), tracer);
 * const reply = await openai.chat.completions.create({
 *   model: "gpt-4o-mini",
 *   messages: [{ role: "user", content: "Where is my order?" }],
 * });
 * console.log(reply.choices[0].message.content);
 * await tracer.close();
 * ```
 *
 * @module
 */

import type { Tracer } from "../record/tracer.ts";
import type { Usage } from "../format/types.ts";
import {
  type CallObserver,
  type CallSpec,
  get,
  getNumber,
  getString,
  LlmCall,
  type ModelPrice,
  observeStream,
  recordCall,
  type StreamEnd,
  wrapMethods,
} from "./_llm_call.ts";

export type { ModelPrice };

/**
 * Options of {@linkcode wrapOpenAI}.
 *
 * @example Prices, no message text, and usage on streams
 * ```ts
 * import type { WrapOpenAIOptions } from "@ai-trace/core/openai";
 *
 * const options: WrapOpenAIOptions = {
 *   recordMessages: false,
 *   includeUsage: true,
 *   prices: { "gpt-4o-mini": { input: 0.15, cachedInput: 0.075, output: 0.6 } },
 * };
 * console.log(options.includeUsage); // true
 * ```
 */
export interface WrapOpenAIOptions {
  /**
   * Record the prompt (messages, input, system) as the step's context and
   * the model's text and tool-call arguments in its log. With `false`, only
   * the other request parameters, models, tokens, ids and tool names are kept.
   *
   * @default {true}
   */
  recordMessages?: boolean;
  /**
   * Prices per model (the model asked for, else the one that answered), to
   * fill `cost_usd`. A model without a price gets no cost: it is never guessed.
   *
   * @default {no prices: no cost}
   */
  prices?: Record<string, ModelPrice>;
  /**
   * Add `stream_options: { include_usage: true }` to streamed chat
   * completions that do not set it, so their tokens are known. It changes the
   * stream (one more, last chunk with `usage` and no choices), so it is opt-in;
   * without it such a call is recorded without tokens, and says so.
   *
   * @default {false}
   */
  includeUsage?: boolean;
  /**
   * The provider written in each step's usage (e.g. `"azure"` for a client
   * pointed at Azure OpenAI).
   *
   * @default {"openai"}
   */
  provider?: string;
}

/**
 * The part of an `openai` client that {@linkcode wrapOpenAI} records; other
 * parts pass through untouched. Any client with these methods fits.
 *
 * @example A real client fits
 * ```ts
 * import OpenAI from "openai";
 * import type { OpenAILike } from "@ai-trace/core/openai";
 *
 * const client: OpenAILike = new OpenAI({ apiKey: "sk-test" });
 * console.log(typeof client.chat?.completions?.create); // function
 * ```
 */
export interface OpenAILike {
  /** `chat.completions.create`. */
  chat?: { completions?: { create?: unknown } };
  /** `responses.create`. */
  responses?: { create?: unknown };
  /** `embeddings.create`. */
  embeddings?: { create?: unknown };
}

/**
 * Returns a client that records every `chat.completions.create`,
 * `responses.create` and `embeddings.create` call as a step (kind `"llm"`,
 * `"embedding"` for embeddings) under the current step: the requested and the
 * answering model, the tokens (input, output, cached, reasoning), the cost
 * when `prices` are given, the response id, the finish reason, the tool calls
 * the model asked for, the request id, the prompt as context and the answer in
 * the log; a failed call is a failed step with its HTTP status, error type and
 * request id. Streams are recorded as they are read and end their step when
 * they end, are abandoned, or fail.
 *
 * The client itself is not changed, and the returned one behaves exactly like
 * it: the same values (streams yield every chunk unchanged), the same errors,
 * `.withResponse()` and `.asResponse()`. Tracing never changes what it
 * returns or throws.
 *
 * @param client an `openai` client (`new OpenAI()`).
 * @param tracer the tracer to record into.
 * @param options message recording, prices, usage on streams.
 * @returns the client, recorded (same type).
 * @throws {TypeError} when `client` is not an object, or is already wrapped.
 * @example One line of set-up (here with a `fetch` that answers offline)
 * ```ts
 * import OpenAI from "openai";
 * import { readSession, Tracer } from "@ai-trace/core";
 * import { wrapOpenAI } from "@ai-trace/core/openai";
 *
 * const fetch = () =>
 *   Promise.resolve(Response.json({
 *     id: "chatcmpl-1",
 *     model: "gpt-4o-mini-2024-07-18",
 *     choices: [{ index: 0, message: { role: "assistant", content: "At noon." }, finish_reason: "stop" }],
 *     usage: { prompt_tokens: 12, completion_tokens: 3 },
 *   }, { headers: { "x-request-id": "req_1" } }));
 * const tracer = new Tracer("researcher", { traceDir: await Deno.makeTempDir() });
 * const openai = wrapOpenAI(new OpenAI({ apiKey: "sk-test", fetch }), tracer);
 * const reply = await openai.chat.completions.create({
 *   model: "gpt-4o-mini",
 *   messages: [{ role: "user", content: "When is high tide?" }],
 * });
 * await tracer.close();
 * const [step] = (await readSession(tracer.path!)).steps;
 * console.log(reply.choices[0].message.content, step.kind, step.usage?.input_tokens); // At noon. llm 12
 * ```
 */
export function wrapOpenAI<T extends OpenAILike>(client: T, tracer: Tracer, options: WrapOpenAIOptions = {}): T {
  const provider = options.provider ?? "openai";
  const spec = (name: string, kind: string): CallSpec => ({
    name,
    kind,
    provider,
    requestIdHeader: "x-request-id",
    cachedInInput: true,
  });
  const chat = spec("openai.chat", "llm");
  const responses = spec("openai.responses", "llm");
  const embeddings = spec("openai.embeddings", "embedding");
  return wrapMethods(client, "an OpenAI client", {
    "chat.completions.create": (original, self) =>
      function (this: unknown, ...args: unknown[]): unknown {
        return recordCall(original, self, args, () => {
          const params = args[0];
          const call = new LlmCall(tracer, chat, params, options);
          const streamed = get(params, "stream") === true;
          let sent = args;
          let withUsage = get(get(params, "stream_options"), "include_usage") === true;
          if (
            streamed && options.includeUsage === true &&
            get(get(params, "stream_options"), "include_usage") === undefined
          ) {
            sent = [{
              ...(params as object),
              stream_options: { ...(get(params, "stream_options") as object), include_usage: true },
            }, ...args.slice(1)];
            withUsage = true;
          }
          return { call, args: sent, observer: observer(call, (data) => chatData(call, data, withUsage)) };
        });
      },
    "responses.create": (original, self) =>
      function (this: unknown, ...args: unknown[]): unknown {
        return recordCall(original, self, args, () => {
          const call = new LlmCall(tracer, responses, args[0], options);
          return { call, args, observer: observer(call, (data) => responseData(call, data)) };
        });
      },
    "embeddings.create": (original, self) =>
      function (this: unknown, ...args: unknown[]): unknown {
        return recordCall(original, self, args, () => {
          const call = new LlmCall(tracer, embeddings, args[0], options);
          return { call, args, observer: observer(call, (data) => embeddingData(call, data)) };
        });
      },
  });
}

function observer(call: LlmCall, data: (data: unknown) => void): CallObserver {
  return {
    data(value) {
      data(value);
      return value;
    },
    error: (error) => call.failed(error),
    raw: () => call.done(undefined, { body: "not read (asResponse)" }),
    response: (response) => call.response(response),
  };
}

// --- chat.completions ---------------------------------------------------------------------------------------------

// The usage of an OpenAI answer, as `Usage`: chat completions say prompt/completion, the Responses API input/output.
function openAiUsage(
  usage: unknown,
  responseModel: string | undefined,
  names: { input: string; output: string },
): Usage {
  const out: Usage = {};
  if (responseModel !== undefined) out.response_model = responseModel;
  const input = getNumber(usage, `${names.input}_tokens`);
  const output = getNumber(usage, `${names.output}_tokens`);
  const cached = getNumber(get(usage, `${names.input}_tokens_details`), "cached_tokens");
  const written = getNumber(get(usage, `${names.input}_tokens_details`), "cache_write_tokens");
  const reasoning = getNumber(get(usage, `${names.output}_tokens_details`), "reasoning_tokens");
  if (input !== undefined) out.input_tokens = input;
  if (output !== undefined) out.output_tokens = output;
  if (cached) out.cache_read_input_tokens = cached;
  if (written) out.cache_creation_input_tokens = written;
  if (reasoning) out.reasoning_tokens = reasoning;
  return out;
}

function chatUsage(usage: unknown, responseModel: string | undefined): Usage {
  return openAiUsage(usage, responseModel, { input: "prompt", output: "completion" });
}

interface ToolCall {
  id?: string;
  name?: string;
  arguments?: string;
}

function toolCallsOf(message: unknown): ToolCall[] {
  const calls = get(message, "tool_calls");
  if (!Array.isArray(calls)) return [];
  return calls.map((c) => ({
    id: getString(c, "id"),
    name: getString(get(c, "function"), "name") ?? getString(get(c, "custom"), "name"),
    arguments: getString(get(c, "function"), "arguments") ?? getString(get(c, "custom"), "input"),
  }));
}

function toolCallFields(calls: ToolCall[], recordMessages: boolean): unknown[] | undefined {
  if (calls.length === 0) return undefined;
  return calls.map((c) => recordMessages ? c : { id: c.id, name: c.name });
}

function one<T>(values: T[]): T | T[] | undefined {
  return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

// The text of each choice's message (or its refusal); undefined when no choice has any.
function texts(messages: unknown[]): unknown {
  const out = messages.map((m) => getString(m, "content") ?? getString(m, "refusal") ?? null);
  return out.every((t) => t === null) ? undefined : one(out);
}

function chatData(call: LlmCall, data: unknown, withUsage: boolean): void {
  if (observeStream(data, ...chatStream(call, withUsage))) return;
  const choices = get(data, "choices");
  const list = Array.isArray(choices) ? choices : [];
  const messages = list.map((c) => get(c, "message"));
  const tools = messages.flatMap(toolCallsOf);
  call.done(chatUsage(get(data, "usage"), getString(data, "model")), {
    response_id: getString(data, "id"),
    finish_reason: one(list.map((c) => getString(c, "finish_reason") ?? null)),
    output: call.recordMessages ? texts(messages) : undefined,
    tool_calls: toolCallFields(tools, call.recordMessages),
  });
}

function chatStream(
  call: LlmCall,
  withUsage: boolean,
): [(event: unknown) => void, (end: StreamEnd) => void] {
  let id: string | undefined;
  let model: string | undefined;
  let usage: unknown;
  let chunks = 0;
  const text = new Map<number, string>();
  const finish = new Map<number, string>();
  const tools = new Map<string, ToolCall>();
  const onEvent = (chunk: unknown) => {
    chunks++;
    id ??= getString(chunk, "id");
    model ??= getString(chunk, "model");
    const u = get(chunk, "usage");
    if (u !== undefined && u !== null) usage = u;
    const choices = get(chunk, "choices");
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      const index = getNumber(choice, "index") ?? 0;
      const delta = get(choice, "delta");
      const content = getString(delta, "content");
      if (content !== undefined && call.recordMessages) text.set(index, (text.get(index) ?? "") + content);
      const reason = getString(choice, "finish_reason");
      if (reason !== undefined) finish.set(index, reason);
      const deltas = get(delta, "tool_calls");
      if (!Array.isArray(deltas)) continue;
      for (const d of deltas) {
        const key = `${index}:${getNumber(d, "index") ?? 0}`;
        const tool = tools.get(key) ?? {};
        tool.id ??= getString(d, "id");
        const fn = get(d, "function");
        tool.name ??= getString(fn, "name");
        const args = getString(fn, "arguments");
        if (args !== undefined) tool.arguments = (tool.arguments ?? "") + args;
        tools.set(key, tool);
      }
    }
  };
  const onEnd = (end: StreamEnd) => {
    const fields: Record<string, unknown> = {
      response_id: id,
      finish_reason: one([...finish.values()]),
      output: call.recordMessages && text.size > 0 ? one([...text.values()]) : undefined,
      tool_calls: toolCallFields([...tools.values()], call.recordMessages),
      stream_chunks: chunks,
    };
    if (usage === undefined && !withUsage) {
      fields.tokens = "not reported: streamed without stream_options.include_usage (wrapOpenAI option includeUsage)";
    }
    if (end.how === "error") {
      call.failed(end.error, fields);
      return;
    }
    call.done(chatUsage(usage, model), fields, end.how === "done" ? "ok" : "abandoned");
  };
  return [onEvent, onEnd];
}

// --- responses ----------------------------------------------------------------------------------------------------

function responsesUsage(usage: unknown, responseModel: string | undefined): Usage {
  return openAiUsage(usage, responseModel, { input: "input", output: "output" });
}

/** The fields of a whole `Response` object. */
function responseFields(call: LlmCall, response: unknown): Record<string, unknown> {
  const output = get(response, "output");
  const items = Array.isArray(output) ? output : [];
  const texts: string[] = [];
  const tools: ToolCall[] = [];
  for (const item of items) {
    const type = getString(item, "type");
    if (type === "message") {
      const content = get(item, "content");
      for (const part of Array.isArray(content) ? content : []) {
        const text = getString(part, "text") ?? getString(part, "refusal");
        if (text !== undefined) texts.push(text);
      }
    } else if (type === "function_call" || type === "custom_tool_call") {
      tools.push({
        id: getString(item, "call_id") ?? getString(item, "id"),
        name: getString(item, "name"),
        arguments: getString(item, "arguments") ?? getString(item, "input"),
      });
    } else if (type !== undefined && type !== "reasoning") {
      tools.push({ id: getString(item, "id"), name: type });
    }
  }
  const incomplete = getString(get(response, "incomplete_details"), "reason");
  return {
    response_id: getString(response, "id"),
    finish_reason: incomplete ?? getString(response, "status"),
    output: call.recordMessages && texts.length > 0 ? texts.join("") : undefined,
    tool_calls: toolCallFields(tools, call.recordMessages),
  };
}

function responseData(call: LlmCall, data: unknown): void {
  let final: unknown;
  let events = 0;
  const streamed = observeStream(data, (event) => {
    events++;
    const type = getString(event, "type");
    if (type === "response.completed" || type === "response.incomplete" || type === "response.failed") {
      final = get(event, "response");
    } else if (type === "response.created" && final === undefined) {
      final = get(event, "response");
    }
  }, (end) => {
    const fields = { ...responseFields(call, final), stream_events: events };
    if (end.how === "error") call.failed(end.error, fields);
    else {
      call.done(
        responsesUsage(get(final, "usage"), getString(final, "model")),
        fields,
        end.how === "done" ? (getString(final, "status") === "failed" ? "error" : "ok") : "abandoned",
      );
    }
  });
  if (streamed) return;
  call.done(responsesUsage(get(data, "usage"), getString(data, "model")), responseFields(call, data));
}

// --- embeddings ---------------------------------------------------------------------------------------------------

function embeddingData(call: LlmCall, data: unknown): void {
  const usage = get(data, "usage");
  const out: Usage = {};
  const model = getString(data, "model");
  if (model !== undefined) out.response_model = model;
  const input = getNumber(usage, "prompt_tokens");
  if (input !== undefined) out.input_tokens = input;
  const vectors = get(data, "data");
  call.done(out, { embeddings: Array.isArray(vectors) ? vectors.length : undefined });
}
