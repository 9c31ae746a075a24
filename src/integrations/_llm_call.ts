/**
 * What the OpenAI and Anthropic wrappers share: a client wrapper that records
 * chosen methods and passes everything else through, the observation of one
 * call's result (an SDK `APIPromise`, a stream, or a plain promise) without
 * changing what the caller gets, and the step each call becomes.
 *
 * Nothing here may throw into the caller: every piece of tracing runs inside
 * {@linkcode safe}, and the caller always gets the SDK's own value or error.
 *
 * @module
 */

import { get, own } from "../format/untrusted_fields.ts";
import type { Step, Tracer } from "../record/tracer.ts";
import type { Usage } from "../format/types.ts";

/**
 * What one model costs, in US dollars per million tokens.
 *
 * @example Prices of two models
 * ```ts
 * import type { ModelPrice } from "@ai-trace/core/openai";
 *
 * const prices: Record<string, ModelPrice> = {
 *   "gpt-4o-mini": { input: 0.15, cachedInput: 0.075, output: 0.6 },
 *   "claude-haiku-4-5": { input: 1, cachedInput: 0.1, cacheWrite: 1.25, output: 5 },
 * };
 * console.log(prices["gpt-4o-mini"].output); // 0.6
 * ```
 */
export interface ModelPrice {
  /** Input tokens (not read from the cache), per million. */
  input: number;
  /** Output tokens (reasoning included), per million. */
  output: number;
  /**
   * Input tokens read from the prompt cache, per million.
   *
   * @default {the input price}
   */
  cachedInput?: number;
  /**
   * Input tokens written to the prompt cache, per million.
   *
   * @default {the input price}
   */
  cacheWrite?: number;
}

/** Options both wrappers take. */
export interface LlmWrapOptions {
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
}

/** Runs `fn`, and gives `fallback` if it throws: tracing never throws into the caller. */
export function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** A property of a value from the SDK or the network, or undefined when it is not an object or the read throws. */
export { get };

/** A string property, or undefined. */
export function getString(value: unknown, key: string): string | undefined {
  const v = get(value, key);
  return typeof v === "string" ? v : undefined;
}

/** A finite number property, or undefined. */
export function getNumber(value: unknown, key: string): number | undefined {
  const v = get(value, key);
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** A header of a `Response` (or anything with `headers.get`), or undefined. */
export function header(response: unknown, name: string): string | undefined {
  const headers = get(response, "headers");
  const getHeader = get(headers, "get");
  if (typeof getHeader !== "function") return undefined;
  const value = safe(() => getHeader.call(headers, name) as unknown, undefined);
  return typeof value === "string" ? value : undefined;
}

const wrappedClients = new WeakSet<object>();

/**
 * A wrapper of `client` whose methods at the given dot paths (e.g.
 * `"chat.completions.create"`) are replaced; every other property reads
 * through to the client itself (functions bound to their own object, so
 * private fields keep working). The client is never changed.
 */
export function wrapMethods<T extends object>(
  client: T,
  what: string,
  methods: Record<string, (original: (...args: unknown[]) => unknown, self: object) => (...args: unknown[]) => unknown>,
): T {
  if (client === null || (typeof client !== "object" && typeof client !== "function")) {
    throw new TypeError(
      `Cannot wrap ${what}: expected a client object, got ${client === null ? "null" : typeof client}`,
    );
  }
  if (wrappedClients.has(client)) {
    throw new TypeError(`Cannot wrap ${what} twice: it is already recorded (pass the original client)`);
  }
  const proxy = wrapAt(client, "", methods);
  wrappedClients.add(proxy);
  return proxy;
}

function wrapAt<T extends object>(
  target: T,
  prefix: string,
  methods: Record<string, (original: (...args: unknown[]) => unknown, self: object) => (...args: unknown[]) => unknown>,
): T {
  const cache = new Map<string | symbol, { from: unknown; to: unknown }>();
  return new Proxy(target, {
    get(object, key) {
      const value = Reflect.get(object, key, object) as unknown;
      if (typeof key !== "string" || value === null || (typeof value !== "object" && typeof value !== "function")) {
        return value;
      }
      const hit = cache.get(key);
      if (hit !== undefined && hit.from === value) return hit.to;
      const path = prefix + key;
      let to: unknown = value;
      // Own entries only: `toString`, `valueOf`, `constructor`… are the table's inherited names, not methods to wrap.
      const replace = own(methods, path);
      if (replace !== undefined && typeof value === "function") {
        to = replace(value as (...args: unknown[]) => unknown, object);
      } else if (typeof value === "object" && Object.keys(methods).some((m) => m.startsWith(`${path}.`))) {
        to = wrapAt(value as object, `${path}.`, methods);
      } else if (typeof value === "function" && !isClass(value)) {
        to = value.bind(object);
      }
      cache.set(key, { from: value, to });
      return to;
    },
  });
}

function isClass(fn: unknown): boolean {
  return safe(() => /^class[\s{]/.test(Function.prototype.toString.call(fn)), false);
}

/** How a call is recorded, set per wrapper. */
export interface CallSpec {
  /** The step name, e.g. `"openai.chat"`. */
  name: string;
  /** The step kind: `"llm"` or `"embedding"`. */
  kind: string;
  /** The provider, e.g. `"openai"`. */
  provider: string;
  /** The header that carries the request id. */
  requestIdHeader: string;
  /** Whether the provider counts cached input tokens inside `input_tokens` (OpenAI) or beside them (Anthropic). */
  cachedInInput: boolean;
}

/** The keys of a request that hold the prompt, left out with `recordMessages: false`. */
const PROMPT_KEYS = new Set(["messages", "input", "system", "instructions", "prompt"]);

/** The step's context: the request's parameters, without the prompt when messages are not recorded. */
export function requestContext(params: unknown, recordMessages: boolean): Record<string, unknown> {
  if (params === null || typeof params !== "object") return {};
  const context: Record<string, unknown> = {};
  for (const key of safe(() => Object.keys(params), [] as string[])) {
    if (!recordMessages && PROMPT_KEYS.has(key)) continue;
    context[key] = get(params, key);
  }
  return context;
}

/** One recorded call: its step, and how it ends. */
export class LlmCall {
  readonly #step: Step;
  readonly #spec: CallSpec;
  readonly #model: string | undefined;
  readonly #prices: Record<string, ModelPrice> | undefined;
  /** Whether prompt and completion text are recorded. */
  readonly recordMessages: boolean;
  /** The request id, once known. */
  requestId: string | undefined;

  /** Starts the step of a call (under the current step). */
  constructor(tracer: Tracer, spec: CallSpec, params: unknown, options: LlmWrapOptions) {
    this.#spec = spec;
    this.recordMessages = options.recordMessages !== false;
    this.#prices = options.prices;
    this.#model = getString(params, "model");
    this.#step = tracer.step(spec.name, requestContext(params, this.recordMessages), { kind: spec.kind }).start();
  }

  /** Logs fields into the call's step. */
  log(fields: Record<string, unknown>): void {
    this.#step.log(fields);
  }

  /** Takes the request id from a response's headers. */
  response(response: unknown): void {
    this.requestId ??= header(response, this.#spec.requestIdHeader);
  }

  /** Ends the call: records its usage (with the cost, when priced) and the fields it reported. */
  done(usage: Usage | undefined, fields: Record<string, unknown>, outcome = "ok"): void {
    const step = this.#step;
    const record: Usage = { ...usage, provider: this.#spec.provider };
    if (this.#model !== undefined) record.model = this.#model;
    const cost = this.#cost(record);
    if (cost !== undefined) record.cost_usd = cost;
    step.usage(record);
    const log: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) log[key] = value;
    if (this.requestId !== undefined) log.request_id = this.requestId;
    if (Object.keys(log).length > 0) step.log(log);
    step.finish(outcome);
  }

  /** Ends the call as failed, with the HTTP status, the provider's error type and the request id when the error has them. */
  failed(error: unknown, fields: Record<string, unknown> = {}): void {
    const log: Record<string, unknown> = { ...fields };
    const status = getNumber(error, "status");
    if (status !== undefined) log.http_status = status;
    const body = get(error, "error");
    const type = getString(error, "type") ?? getString(get(body, "error"), "type") ?? getString(body, "type");
    if (type !== undefined) log.api_error_type = type;
    const code = get(error, "code");
    if (typeof code === "string" || typeof code === "number") log.api_error_code = code;
    const requestId = getString(error, "requestID") ?? header(error, this.#spec.requestIdHeader) ?? this.requestId;
    if (requestId !== undefined) log.request_id = requestId;
    const retryAfter = header(error, "retry-after");
    if (retryAfter !== undefined) log.retry_after = retryAfter;
    if (Object.keys(log).length > 0) this.#step.log(log);
    this.#step.fail(error);
  }

  #cost(usage: Usage): number | undefined {
    const prices = this.#prices;
    if (prices === undefined) return undefined;
    const price = (usage.model !== undefined && Object.hasOwn(prices, usage.model) ? prices[usage.model] : undefined) ??
      (usage.response_model !== undefined && Object.hasOwn(prices, usage.response_model)
        ? prices[usage.response_model]
        : undefined);
    if (price === undefined || typeof price.input !== "number" || typeof price.output !== "number") return undefined;
    const input = usage.input_tokens ?? 0;
    const cacheRead = usage.cache_read_input_tokens ?? 0;
    const cacheWrite = usage.cache_creation_input_tokens ?? 0;
    // OpenAI counts cached tokens inside the input tokens; Anthropic beside them.
    const uncached = this.#spec.cachedInInput ? Math.max(0, input - cacheRead - cacheWrite) : input;
    const dollars = uncached * price.input + cacheRead * (price.cachedInput ?? price.input) +
      cacheWrite * (price.cacheWrite ?? price.input) + (usage.output_tokens ?? 0) * price.output;
    // Per million tokens, to the pico-dollar (no float noise in the file).
    return Number.isFinite(dollars) ? Math.round(dollars * 1e6) / 1e12 : undefined;
  }
}

/** What to do with the outcome of one call. */
export interface CallObserver {
  /** The parsed result (a body, or a stream): returns the value the caller gets, which is `data` itself. */
  data(data: unknown): unknown;
  /** The call failed (HTTP error, network, a body that does not parse). */
  error(error: unknown): void;
  /** The caller took the raw `Response` without parsing it (`.asResponse()`). */
  raw(): void;
  /** The response arrived (for its headers). */
  response(response: unknown): void;
}

/**
 * Observes the result of an SDK method without changing it: for an
 * `APIPromise` (it has `parse` and `asResponse`), the same object is
 * returned, its `parse` and `asResponse` observed when the caller uses them —
 * so `.withResponse()` and `.asResponse()` work as before and a body is never
 * read that the caller did not read. A plain promise is followed with `then`.
 */
export function observeResult(result: unknown, observer: CallObserver): unknown {
  const parse = get(result, "parse");
  const asResponse = get(result, "asResponse");
  if (typeof parse === "function" && typeof asResponse === "function") {
    const promise = result as { parse(): Promise<unknown>; asResponse(): Promise<unknown> };
    let parsed: Promise<unknown> | undefined;
    const observedParse = function (): Promise<unknown> {
      if (parsed === undefined) {
        parsed = (parse.call(promise) as Promise<unknown>).then(
          async (data) => {
            const response = await (asResponse.call(promise) as Promise<unknown>).catch(() => undefined);
            safe(() => observer.response(response), undefined);
            return safe(() => observer.data(data), data);
          },
          (error) => {
            safe(() => observer.error(error), undefined);
            throw error;
          },
        );
      }
      return parsed;
    };
    const observedAsResponse = function (): Promise<unknown> {
      const response = asResponse.call(promise) as Promise<unknown>;
      if (parsed === undefined) {
        // Read raw, before any parse began: it may never be parsed, so the step ends now, without the body.
        response.then(
          (r) =>
            safe(() => {
              observer.response(r);
              observer.raw();
            }, undefined),
          (error) => safe(() => observer.error(error), undefined),
        );
      }
      return response;
    };
    const ok = safe(() => {
      Object.defineProperty(promise, "parse", { value: observedParse, configurable: true, writable: true });
      Object.defineProperty(promise, "asResponse", { value: observedAsResponse, configurable: true, writable: true });
      return true;
    }, false);
    if (!ok) safe(() => observer.error(new Error("ai-trace could not observe this call's result")), undefined);
    return result;
  }
  if (get(result, "then") !== undefined && typeof get(result, "then") === "function") {
    return (result as PromiseLike<unknown>).then(
      (data) => safe(() => observer.data(data), data),
      (error) => {
        safe(() => observer.error(error), undefined);
        throw error;
      },
    );
  }
  return safe(() => observer.data(result), result);
}

/** How a stream ended: read to the end, abandoned by its reader, or failed with an error. */
export type StreamEnd = { how: "done" } | { how: "abandoned" } | { how: "error"; error: unknown };

/**
 * Observes every event of an SDK stream (an object with an `iterator`
 * function, as the OpenAI and Anthropic `Stream` classes have) as the caller
 * reads it, and tells how it ended. The caller gets the same stream object and
 * every event unchanged. Returns false when the stream cannot be observed.
 */
export function observeStream(
  stream: unknown,
  onEvent: (event: unknown) => void,
  onEnd: (end: StreamEnd) => void,
): boolean {
  const original = get(stream, "iterator");
  if (typeof original !== "function" || typeof get(stream, Symbol.asyncIterator) !== "function") return false;
  const controller = get(stream, "controller");
  const aborted = () => get(get(controller, "signal"), "aborted") === true;
  const iterator = function (this: unknown, ...args: unknown[]): AsyncIterator<unknown> {
    const inner = original.apply(this, args) as AsyncIterator<unknown>;
    let ended = false;
    const end = (how: StreamEnd) => {
      if (ended) return;
      ended = true;
      safe(() => onEnd(how), undefined);
    };
    return {
      next(...next: [] | [unknown]) {
        return inner.next(...next).then(
          (result) => {
            if (result.done) end(aborted() ? { how: "abandoned" } : { how: "done" });
            else safe(() => onEvent(result.value), undefined);
            return result;
          },
          (error) => {
            end({ how: "error", error });
            throw error;
          },
        );
      },
      return(value?: unknown) {
        end({ how: "abandoned" });
        return typeof inner.return === "function"
          ? inner.return(value)
          : Promise.resolve({ done: true as const, value: value });
      },
      throw(error?: unknown) {
        end({ how: "error", error });
        return typeof inner.throw === "function" ? inner.throw(error) : Promise.reject(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    } as AsyncIterator<unknown> & AsyncIterable<unknown>;
  };
  return safe(() => {
    Object.defineProperty(stream, "iterator", { value: iterator, configurable: true, writable: true });
    return true;
  }, false);
}

/**
 * Records one call of a wrapped method: starts its step, calls the SDK,
 * and observes the result; if tracing itself fails at the start, the SDK is
 * called as if unwrapped.
 */
export function recordCall(
  original: (...args: unknown[]) => unknown,
  self: object,
  args: unknown[],
  begin: () => { call: LlmCall; args: unknown[]; observer: CallObserver } | undefined,
): unknown {
  const started = safe(begin, undefined);
  if (started === undefined) return original.apply(self, args);
  let result: unknown;
  try {
    result = original.apply(self, started.args);
  } catch (error) {
    safe(() => started.call.failed(error), undefined);
    throw error;
  }
  return observeResult(result, started.observer);
}
