/**
 * Sends OTLP/HTTP JSON export requests to an OpenTelemetry Collector (or any
 * OTLP/HTTP endpoint): in batches, retrying what the OTLP specification calls
 * retryable (429, 502, 503, 504 and network errors) with exponential backoff
 * and `Retry-After`, and reporting partial success.
 *
 * This is the only code of ai-trace that opens a network connection, and it
 * runs only when `ai-trace push` is run (or a program calls
 * {@linkcode pushOtlp}). It uses the runtime's global `fetch`.
 *
 * @module
 */

import type { OtlpExportRequest, OtlpResourceSpans, OtlpScopeSpans } from "./to_otlp.ts";

/**
 * The `fetch` that {@linkcode pushOtlp} calls: the global one, or a stand-in.
 *
 * @example A stand-in that records the requests
 * ```ts
 * import { type FetchLike, pushOtlp, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const sent: string[] = [];
 * const recorder: FetchLike = (url, init) => {
 *   sent.push(`${init.method} ${url}`);
 *   return Promise.resolve(new Response("{}"));
 * };
 * await pushOtlp([request], { endpoint: "http://localhost:4318", fetch: recorder });
 * console.log(sent); // [ "POST http://localhost:4318/v1/traces" ]
 * ```
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Options of {@linkcode pushOtlp}.
 *
 * @example Headers and smaller batches
 * ```ts
 * import { type FetchLike, pushOtlp, type PushOtlpOptions, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const collector: FetchLike = () => Promise.resolve(new Response("{}")); // leave `fetch` out to really send
 * const options: PushOtlpOptions = {
 *   endpoint: "https://otel.example.com",
 *   headers: { Authorization: "Bearer <token>" },
 *   maxSpansPerRequest: 1,
 *   fetch: collector,
 * };
 * const result = await pushOtlp([request], options);
 * console.log(result.requests); // 2: the session's root span, then its step
 * ```
 */
export interface PushOtlpOptions {
  /**
   * The OTLP/HTTP endpoint: a base URL (`http://localhost:4318`, to which
   * `/v1/traces` is added) or the full traces URL ending in `/v1/traces`.
   */
  endpoint: string;
  /**
   * Extra request headers, e.g. `{ Authorization: "Bearer …" }`.
   *
   * @default {none}
   */
  headers?: Record<string, string>;
  /**
   * At most this many spans in one request.
   *
   * @default {1000}
   */
  maxSpansPerRequest?: number;
  /**
   * About at most this many bytes of JSON in one request (one span larger than that goes alone).
   *
   * @default {1_000_000}
   */
  maxBytesPerRequest?: number;
  /**
   * Retries of one request after a retryable failure.
   *
   * @default {5}
   */
  maxRetries?: number;
  /**
   * The first backoff, doubled on each retry (with jitter).
   *
   * @default {500}
   */
  initialBackoffMs?: number;
  /**
   * The longest wait between two tries, whether from backoff or from `Retry-After`.
   *
   * @default {30_000}
   */
  maxBackoffMs?: number;
  /**
   * How long one request may take before it is given up (and retried).
   *
   * @default {30_000}
   */
  timeoutMs?: number;
  /**
   * The `fetch` to call.
   *
   * @default {globalThis.fetch}
   */
  fetch?: FetchLike;
  /**
   * Waits between tries.
   *
   * @default {a setTimeout promise}
   */
  sleep?: (ms: number) => Promise<void>;
  /**
   * A number in [0, 1) for backoff jitter.
   *
   * @default {Math.random}
   */
  random?: () => number;
  /**
   * The time now, epoch milliseconds, for a `Retry-After` date.
   *
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Called before each retry, e.g. to print a line.
   *
   * @default {undefined}
   */
  onRetry?: (info: PushRetryInfo) => void;
}

/**
 * What {@linkcode PushOtlpOptions.onRetry} is told.
 *
 * @example Report retries
 * ```ts
 * import { type FetchLike, pushOtlp, type PushRetryInfo, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * let calls = 0;
 * const collector: FetchLike = () => Promise.resolve(new Response("", { status: ++calls === 1 ? 503 : 200 }));
 * const onRetry = (info: PushRetryInfo) => console.log(`retry ${info.attempt} in ${info.delayMs} ms: ${info.reason}`);
 * await pushOtlp([request], { endpoint: "http://localhost:4318", fetch: collector, sleep: async () => {}, onRetry });
 * // retry 1 in … ms: HTTP 503
 * ```
 */
export interface PushRetryInfo {
  /** The 1-based number of the retry. */
  attempt: number;
  /** How long it waits first, milliseconds. */
  delayMs: number;
  /** Why: `"HTTP 503"`, or the network error's message. */
  reason: string;
}

/**
 * What a push did.
 *
 * @example A partial success
 * ```ts
 * import { type FetchLike, pushOtlp, type PushOtlpResult, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const answer = { partialSuccess: { rejectedSpans: 1, errorMessage: "span too old" } };
 * const collector: FetchLike = () => Promise.resolve(new Response(JSON.stringify(answer)));
 * const result: PushOtlpResult = await pushOtlp([request], { endpoint: "http://localhost:4318", fetch: collector });
 * console.log(result.spans, result.rejectedSpans, result.messages); // 2 1 [ "span too old" ]
 * ```
 */
export interface PushOtlpResult {
  /** The URL the requests went to. */
  url: string;
  /** Requests that were accepted (HTTP 2xx). */
  requests: number;
  /** Spans sent in accepted requests. */
  spans: number;
  /** Of them, spans the server said it rejected (`partialSuccess.rejectedSpans`). */
  rejectedSpans: number;
  /** The server's `partialSuccess.errorMessage`s, and warnings. */
  messages: string[];
  /** Retries made along the way. */
  retries: number;
}

/**
 * A push that failed: a final HTTP error, or retries used up.
 *
 * @example A request the server refuses
 * ```ts
 * import { type FetchLike, OtlpPushError, pushOtlp, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const request = toOtlp(await readSession(tracer.path!));
 * const collector: FetchLike = () => Promise.resolve(new Response('{"message": "bad span"}', { status: 400 }));
 * try {
 *   await pushOtlp([request], { endpoint: "http://localhost:4318", fetch: collector });
 * } catch (error) {
 *   if (!(error instanceof OtlpPushError)) throw error;
 *   console.log(error.status, error.result.requests, error.message); // 400 0 Cannot push to "…": HTTP 400: bad span
 * }
 * ```
 */
export class OtlpPushError extends Error {
  /** The HTTP status, when the server answered. */
  status?: number;
  /** Requests accepted before this one failed. */
  result: PushOtlpResult;

  /**
   * Creates the error.
   *
   * @param message What went wrong, naming the URL.
   * @param result What was sent before the failure.
   * @param status The HTTP status, when there was one.
   */
  constructor(message: string, result: PushOtlpResult, status?: number) {
    super(message);
    this.name = "OtlpPushError";
    this.result = result;
    if (status !== undefined) this.status = status;
  }
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * The traces URL for an endpoint: `<endpoint>/v1/traces`, unless the
 * endpoint already ends with `/v1/traces`.
 *
 * @param endpoint A base URL or a full traces URL.
 * @returns The URL to POST to.
 * @throws {TypeError} when the endpoint is not an http(s) URL.
 */
export function otlpTracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`Cannot push to "${endpoint}": not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot push to "${endpoint}": only http and https URLs are supported`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (!path.endsWith("/v1/traces")) url.pathname = `${path}/v1/traces`;
  else url.pathname = path;
  return url.toString();
}

/**
 * Splits export requests into requests of at most `maxSpans` spans and about
 * `maxBytes` bytes of JSON each, keeping every span with its resource and scope.
 *
 * @param documents The requests to split, e.g. one per session.
 * @param maxSpans The most spans in one request.
 * @param maxBytes About the most bytes in one request.
 * @returns The batches, in order; no span is lost or repeated.
 */
export function batchOtlp(documents: OtlpExportRequest[], maxSpans = 1000, maxBytes = 1_000_000): OtlpExportRequest[] {
  const spanLimit = Math.max(1, Math.floor(maxSpans));
  const batches: OtlpExportRequest[] = [];
  let current: OtlpResourceSpans[] = [];
  let spans = 0;
  let bytes = 0;
  let lastResource: OtlpResourceSpans | undefined;
  let lastScope: OtlpScopeSpans | undefined;
  const flush = (): void => {
    if (spans > 0) batches.push({ resourceSpans: current });
    current = [];
    spans = 0;
    bytes = 0;
    lastResource = undefined;
    lastScope = undefined;
  };
  for (const document of documents) {
    for (const resourceSpans of document.resourceSpans) {
      const resourceBytes = byteLength(resourceSpans.resource);
      let openResource: OtlpResourceSpans | undefined; // this resource's entry in the current batch
      for (const scopeSpans of resourceSpans.scopeSpans) {
        const scopeBytes = byteLength(scopeSpans.scope);
        let openScope: OtlpScopeSpans | undefined;
        for (const span of scopeSpans.spans) {
          const size = byteLength(span) + 1;
          const extra = (openResource && lastResource === openResource ? 0 : resourceBytes + 40) +
            (openScope && lastScope === openScope ? 0 : scopeBytes + 30);
          if (spans > 0 && (spans >= spanLimit || bytes + size + extra > maxBytes)) flush();
          if (!openResource || lastResource !== openResource) {
            openResource = { ...resourceSpans, scopeSpans: [] };
            current.push(openResource);
            lastResource = openResource;
            bytes += resourceBytes + 40;
            openScope = undefined;
          }
          if (!openScope || lastScope !== openScope) {
            openScope = { ...scopeSpans, spans: [] };
            openResource.scopeSpans.push(openScope);
            lastScope = openScope;
            bytes += scopeBytes + 30;
          }
          openScope.spans.push(span);
          spans++;
          bytes += size;
        }
      }
    }
  }
  flush();
  return batches;
}

const encoder = new TextEncoder();

function byteLength(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

function countSpans(document: OtlpExportRequest): number {
  let count = 0;
  for (const resourceSpans of document.resourceSpans) {
    for (const scopeSpans of resourceSpans.scopeSpans) count += scopeSpans.spans.length;
  }
  return count;
}

/**
 * POSTs export requests to an OTLP/HTTP endpoint as JSON, in batches.
 * Retries 429, 502, 503, 504 and network errors with exponential backoff,
 * honouring `Retry-After` (seconds or an HTTP date); any other 4xx or 5xx
 * answer is final. Spans the server rejects in a partial success are counted,
 * not retried (the OTLP specification says not to).
 *
 * @example Push one session to a local Collector
 * ```ts
 * import { type FetchLike, pushOtlp, readSession, toOtlp, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * // A stand-in for the Collector, so the example stays offline; leave `fetch` out to really send.
 * const collector: FetchLike = () => Promise.resolve(new Response("{}"));
 * const result = await pushOtlp([toOtlp(session)], { endpoint: "http://localhost:4318", fetch: collector });
 * console.log(`${result.spans} spans sent, ${result.rejectedSpans} rejected`); // 2 spans sent, 0 rejected
 * ```
 *
 * @param documents The export requests, e.g. one {@linkcode toOtlp} result per session.
 * @param options The endpoint, headers, batching and retry settings.
 * @returns What was sent and what the server said.
 * @throws {OtlpPushError} when a request fails for good; `result` says what was accepted before.
 * @throws {TypeError} when the endpoint is not an http(s) URL.
 */
export async function pushOtlp(documents: OtlpExportRequest[], options: PushOtlpOptions): Promise<PushOtlpResult> {
  const url = otlpTracesUrl(options.endpoint);
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const maxRetries = Math.max(0, options.maxRetries ?? 5);
  const initialBackoff = options.initialBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headers: Record<string, string> = { ...options.headers, "Content-Type": "application/json" };
  const result: PushOtlpResult = { url, requests: 0, spans: 0, rejectedSpans: 0, messages: [], retries: 0 };

  for (const batch of batchOtlp(documents, options.maxSpansPerRequest, options.maxBytesPerRequest)) {
    const body = JSON.stringify(batch);
    for (let attempt = 0;; attempt++) {
      let failure: { reason: string; retryAfterMs?: number; status?: number; final: boolean };
      try {
        const { response, text } = await fetchWithTimeout(doFetch, url, { method: "POST", headers, body }, timeoutMs);
        if (response.ok) {
          result.requests++;
          result.spans += countSpans(batch);
          readPartialSuccess(text, result);
          break;
        }
        failure = {
          reason: `HTTP ${response.status}${statusMessage(text)}`,
          status: response.status,
          retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now()),
          final: !RETRYABLE.has(response.status),
        };
      } catch (err) {
        failure = { reason: networkMessage(err), final: false };
      }
      if (failure.final || attempt >= maxRetries) {
        const tries = attempt + 1;
        const after = failure.final ? "" : ` after ${tries} ${tries === 1 ? "try" : "tries"}`;
        throw new OtlpPushError(`Cannot push to "${url}": ${failure.reason}${after}`, result, failure.status);
      }
      const backoff = Math.min(maxBackoff, initialBackoff * 2 ** attempt) * (0.5 + random() / 2);
      const delayMs = Math.round(Math.min(maxBackoff, failure.retryAfterMs ?? backoff));
      result.retries++;
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason: failure.reason });
      await sleep(delayMs);
    }
  }
  return result;
}

// The request and its whole answer, body included, within `timeoutMs`: a server
// that stalls halfway through its body cannot hang the push.
async function fetchWithTimeout(
  doFetch: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ response: Response; text: string }> {
  const controller = new AbortController();
  const timeout = new Error(`no answer within ${timeoutMs} ms`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeout);
      reject(timeout);
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        const response = await doFetch(url, { ...init, signal: controller.signal });
        return { response, text: await response.text() };
      })(),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Milliseconds to wait from a `Retry-After` header: delta seconds or an
 * HTTP date; `undefined` when absent or unreadable.
 *
 * @param value The header's value.
 * @param now The time now, epoch milliseconds.
 * @returns The wait, never negative.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Adds an `ExportTraceServiceResponse`'s `partialSuccess` to the result. */
function readPartialSuccess(text: string, result: PushOtlpResult): void {
  if (text.trim() === "") return;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return; // not JSON (a protobuf answer, a proxy's text): nothing to read
  }
  const partial = (body as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } } | null)
    ?.partialSuccess;
  if (typeof partial !== "object" || partial === null) return;
  const rejected = Number(partial.rejectedSpans ?? 0);
  if (Number.isFinite(rejected) && rejected > 0) result.rejectedSpans += rejected;
  if (typeof partial.errorMessage === "string" && partial.errorMessage !== "") {
    result.messages.push(partial.errorMessage);
  }
}

/** `: <message>` from an error body (a `google.rpc.Status` as JSON, or short text). */
function statusMessage(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  try {
    const body = JSON.parse(trimmed) as { message?: unknown } | null;
    return typeof body?.message === "string" && body.message !== "" ? `: ${firstLine(body.message)}` : "";
  } catch {
    // not JSON: use the text itself if it is short
  }
  return trimmed.length <= 200 && !trimmed.startsWith("<") ? `: ${firstLine(trimmed)}` : "";
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0].trim();
}

function networkMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const detail = cause instanceof Error && cause.message !== "" ? cause.message : err.message;
  return firstLine(detail || err.name);
}
