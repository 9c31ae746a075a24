/**
 * Records the calls of an `@anthropic-ai/sdk` client as steps, with one line:
 * `const anthropic = wrapAnthropic(new Anthropic(), tracer)`. Imports nothing
 * from the SDK: the client is described by the few methods it needs.
 *
 * @example Record every call of a client
 * ```ts ignore
 * import Anthropic from "@anthropic-ai/sdk";
 * import { Tracer } from "@ai-trace/core";
 * import { wrapAnthropic } from "@ai-trace/core/anthropic";
 *
 * const tracer = new Tracer("support_agent");
 * const anthropic = wrapAnthropic(new Anthropic(), tracer);
 * const message = await anthropic.messages.create({
 *   model: "claude-haiku-4-5",
 *   max_tokens: 512,
 *   messages: [{ role: "user", content: "Where is my order?" }],
 * });
 * console.log(message.content);
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
  safe,
  type StreamEnd,
  wrapMethods,
} from "./_llm_call.ts";

export type { ModelPrice };

/**
 * Options of {@linkcode wrapAnthropic}.
 *
 * @example Prices, and no message text
 * ```ts
 * import type { WrapAnthropicOptions } from "@ai-trace/core/anthropic";
 *
 * const options: WrapAnthropicOptions = {
 *   recordMessages: false,
 *   prices: { "claude-haiku-4-5": { input: 1, cachedInput: 0.1, cacheWrite: 1.25, output: 5 } },
 * };
 * console.log(options.recordMessages); // false
 * ```
 */
export interface WrapAnthropicOptions {
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
   * The provider written in each step's usage (e.g. `"bedrock"`).
   *
   * @default {"anthropic"}
   */
  provider?: string;
}

/**
 * The part of an `@anthropic-ai/sdk` client that {@linkcode wrapAnthropic}
 * records; other parts pass through untouched.
 *
 * @example A real client fits
 * ```ts
 * import Anthropic from "@anthropic-ai/sdk";
 * import type { AnthropicLike } from "@ai-trace/core/anthropic";
 *
 * const client: AnthropicLike = new Anthropic({ apiKey: "sk-ant-test" });
 * console.log(typeof client.messages?.create); // function
 * ```
 */
export interface AnthropicLike {
  /** `messages.create` and `messages.stream`. */
  messages?: { create?: unknown; stream?: unknown };
}

/**
 * Returns a client that records every `messages.create` and
 * `messages.stream` call as a step of kind `"llm"` under the current step:
 * the requested and the answering model, the tokens (input, output, cache
 * read, cache write), the cost when `prices` are given, the message id, the
 * stop reason, the tools the model asked for, the request id, the prompt as
 * context and the answer in the log; a failed call is a failed step with its
 * HTTP status, error type and request id. Streams end their step when they
 * end, are abandoned, or fail.
 *
 * The client itself is not changed, and the returned one behaves exactly like
 * it: the same values and events, the same errors, `.withResponse()` and
 * `.asResponse()`. Tracing never changes what it returns or throws.
 *
 * @param client an `@anthropic-ai/sdk` client (`new Anthropic()`).
 * @param tracer the tracer to record into.
 * @param options message recording and prices.
 * @returns the client, recorded (same type).
 * @throws {TypeError} when `client` is not an object, or is already wrapped.
 * @example One line of set-up (here with a `fetch` that answers offline)
 * ```ts
 * import Anthropic from "@anthropic-ai/sdk";
 * import { readSession, Tracer } from "@ai-trace/core";
 * import { wrapAnthropic } from "@ai-trace/core/anthropic";
 *
 * const fetch = () =>
 *   Promise.resolve(Response.json({
 *     id: "msg_1",
 *     type: "message",
 *     role: "assistant",
 *     model: "claude-haiku-4-5-20251001",
 *     content: [{ type: "text", text: "At noon." }],
 *     stop_reason: "end_turn",
 *     usage: { input_tokens: 12, output_tokens: 3, cache_read_input_tokens: 200 },
 *   }, { headers: { "request-id": "req_1" } }));
 * const tracer = new Tracer("researcher", { traceDir: await Deno.makeTempDir() });
 * const anthropic = wrapAnthropic(new Anthropic({ apiKey: "sk-ant-test", fetch }), tracer);
 * await anthropic.messages.create({
 *   model: "claude-haiku-4-5",
 *   max_tokens: 256,
 *   messages: [{ role: "user", content: "When is high tide?" }],
 * });
 * await tracer.close();
 * const [step] = (await readSession(tracer.path!)).steps;
 * console.log(step.kind, step.usage?.cache_read_input_tokens); // llm 200
 * ```
 */
export function wrapAnthropic<T extends AnthropicLike>(
  client: T,
  tracer: Tracer,
  options: WrapAnthropicOptions = {},
): T {
  const spec: CallSpec = {
    name: "anthropic.messages",
    kind: "llm",
    provider: options.provider ?? "anthropic",
    requestIdHeader: "request-id",
    cachedInInput: false,
  };
  return wrapMethods(client, "an Anthropic client", {
    "messages.create": (original, self) =>
      function (this: unknown, ...args: unknown[]): unknown {
        return recordCall(original, self, args, () => {
          const call = new LlmCall(tracer, spec, args[0], options);
          return { call, args, observer: observer(call) };
        });
      },
    "messages.stream": (original, self) =>
      function (this: unknown, ...args: unknown[]): unknown {
        const call = safe(() => new LlmCall(tracer, spec, args[0], options), undefined);
        let stream: unknown;
        try {
          stream = original.apply(self, args);
        } catch (error) {
          if (call !== undefined) safe(() => call.failed(error), undefined);
          throw error;
        }
        if (call !== undefined) safe(() => observeMessageStream(call, stream), undefined);
        return stream;
      },
  });
}

function observer(call: LlmCall): CallObserver {
  return {
    data(data) {
      if (!observeStream(data, ...eventFold(call))) messageDone(call, data);
      return data;
    },
    error: (error) => call.failed(error),
    raw: () => call.done(undefined, { body: "not read (asResponse)" }),
    response: (response) => call.response(response),
  };
}

function messageUsage(usage: unknown, responseModel: string | undefined): Usage {
  const out: Usage = {};
  if (responseModel !== undefined) out.response_model = responseModel;
  for (
    const key of ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"] as const
  ) {
    const value = getNumber(usage, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

interface ToolUse {
  id?: string;
  name?: string;
  input?: unknown;
}

/** The fields of a whole `Message`. */
function messageFields(call: LlmCall, message: unknown): Record<string, unknown> {
  const content = get(message, "content");
  const texts: string[] = [];
  const tools: ToolUse[] = [];
  for (const block of Array.isArray(content) ? content : []) {
    const type = getString(block, "type");
    if (type === "text") texts.push(getString(block, "text") ?? "");
    else if (type === "tool_use" || type === "server_tool_use") {
      tools.push({ id: getString(block, "id"), name: getString(block, "name"), input: get(block, "input") });
    }
  }
  return {
    response_id: getString(message, "id"),
    finish_reason: getString(message, "stop_reason"),
    output: call.recordMessages && texts.length > 0 ? texts.join("") : undefined,
    tool_calls: tools.length === 0 ? undefined : tools.map((t) => call.recordMessages ? t : { id: t.id, name: t.name }),
  };
}

function messageDone(call: LlmCall, message: unknown): void {
  call.done(messageUsage(get(message, "usage"), getString(message, "model")), messageFields(call, message));
}

/** Folds the raw events of `messages.create({ stream: true })` into one message, as they are read. */
function eventFold(call: LlmCall): [(event: unknown) => void, (end: StreamEnd) => void] {
  let message: Record<string, unknown> = {};
  const blocks: Record<string, unknown>[] = [];
  const partialJson = new Map<number, string>();
  let usage: Record<string, unknown> = {};
  let events = 0;
  const onEvent = (event: unknown) => {
    events++;
    const type = getString(event, "type");
    if (type === "message_start") {
      const start = get(event, "message");
      message = { id: getString(start, "id"), model: getString(start, "model") };
      usage = { ...(get(start, "usage") as Record<string, unknown> ?? {}) };
    } else if (type === "content_block_start") {
      const index = getNumber(event, "index") ?? blocks.length;
      const block = get(event, "content_block");
      blocks[index] = { type: getString(block, "type"), id: getString(block, "id"), name: getString(block, "name") };
      if (getString(block, "type") === "text") blocks[index].text = getString(block, "text") ?? "";
    } else if (type === "content_block_delta") {
      const index = getNumber(event, "index") ?? 0;
      const delta = get(event, "delta");
      const block = blocks[index] ??= { type: "text", text: "" };
      const deltaType = getString(delta, "type");
      if (deltaType === "text_delta" && call.recordMessages) {
        block.text = `${block.text ?? ""}${getString(delta, "text") ?? ""}`;
      } else if (deltaType === "input_json_delta") {
        partialJson.set(index, (partialJson.get(index) ?? "") + (getString(delta, "partial_json") ?? ""));
      }
    } else if (type === "message_delta") {
      const delta = get(event, "delta");
      const reason = getString(delta, "stop_reason");
      if (reason !== undefined) message.stop_reason = reason;
      const u = get(event, "usage");
      if (u !== null && typeof u === "object") {
        for (const [key, value] of Object.entries(u)) if (typeof value === "number") usage[key] = value;
      }
    }
  };
  const onEnd = (end: StreamEnd) => {
    for (const [index, json] of partialJson) {
      const block = blocks[index];
      if (block !== undefined) block.input = safe(() => JSON.parse(json) as unknown, json);
    }
    const folded = { ...message, content: blocks.filter((b) => b !== undefined), usage };
    if (end.how === "error") {
      call.failed(end.error, { ...messageFields(call, folded), stream_events: events });
      return;
    }
    call.done(messageUsage(usage, getString(folded, "model")), {
      ...messageFields(call, folded),
      stream_events: events,
    }, end.how === "done" ? "ok" : "abandoned");
  };
  return [onEvent, onEnd];
}

/**
 * Observes a `MessageStream` (what `messages.stream()` returns) through its
 * own events, without changing how it reports errors: no `error` listener is
 * added (that would silence the SDK's unhandled rejection); the error is read
 * once the stream has ended.
 */
function observeMessageStream(call: LlmCall, stream: unknown): void {
  const on = get(stream, "on");
  if (typeof on !== "function") {
    call.done(undefined, { note: "messages.stream() returned no event emitter: not observed" });
    return;
  }
  let final: unknown;
  on.call(stream, "finalMessage", (message: unknown) => {
    final = message;
  });
  on.call(stream, "end", () =>
    safe(() => {
      const requestId = getString(stream, "request_id");
      if (requestId) call.requestId ??= requestId;
      if (get(stream, "errored") === true || (final === undefined && get(stream, "aborted") !== true)) {
        const done = get(stream, "done");
        if (typeof done === "function") {
          (done.call(stream) as Promise<unknown>).then(
            () => call.failed(new Error("stream ended without a message")),
            (error: unknown) => call.failed(error),
          );
          return;
        }
        call.failed(new Error("stream failed"));
        return;
      }
      if (get(stream, "aborted") === true) {
        const received = get(stream, "currentMessage") ?? final;
        call.done(messageUsage(get(received, "usage"), getString(received, "model")), {
          ...messageFields(call, received),
        }, "abandoned");
        return;
      }
      messageDone(call, final);
    }, undefined));
}
