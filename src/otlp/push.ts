/**
 * Sends OTLP/HTTP export requests to an OpenTelemetry Collector (or any
 * OTLP/HTTP endpoint), as protobuf (the default, as in the OpenTelemetry SDKs)
 * or JSON, optionally gzipped: in batches, retrying what the OTLP
 * specification calls retryable (429, 502, 503, 504 and network errors) with
 * exponential backoff and `Retry-After`, and reporting partial success.
 *
 * What a hostile or broken server can do is bounded: a redirect is followed
 * only to the same origin (scheme, host and port), at most 5 times; at most
 * 1 MiB of each answer is read; each try gives up after `timeoutMs`, and the
 * whole push after `deadlineMs`. Credentials in the endpoint's URL are sent
 * as an `Authorization: Basic` header and never appear in a result or an
 * error message.
 *
 * This is the only code of ai-trace that opens a network connection, and it
 * runs only when `ai-trace push` is run (or a program calls
 * {@linkcode pushOtlp}). It uses the runtime's global `fetch`.
 *
 * @module
 */

import type { OtlpExportRequest, OtlpResourceSpans, OtlpScopeSpans } from "./to_otlp.ts";
import { decodeOtlpResponse, encodeOtlpRequest } from "./otlp_protobuf.ts";
import { fieldText, readFields } from "./protobuf_wire.ts";
import { concatBytes } from "../format/bytes.ts";

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
   * `user:password@` in it becomes an `Authorization: Basic` header.
   */
  endpoint: string;
  /**
   * Use `endpoint` exactly as given, without adding `/v1/traces` (as
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used).
   *
   * @default {false}
   */
  exactEndpoint?: boolean;
  /**
   * The wire format: `"http/protobuf"` (`application/x-protobuf`, what the
   * OpenTelemetry SDKs send by default and what Arize Phoenix requires) or
   * `"http/json"` (`application/json`).
   *
   * @default {"http/protobuf"}
   */
  protocol?: OtlpProtocol;
  /**
   * `"gzip"` compresses each request body (`Content-Encoding: gzip`).
   *
   * @default {"none"}
   */
  compression?: OtlpCompression;
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
   * How long one try may take, its answer included, before it is given up (and retried).
   *
   * @default {30_000}
   */
  timeoutMs?: number;
  /**
   * How long the whole push may take: no try starts, and no wait begins, past it.
   *
   * @default {300_000}
   */
  deadlineMs?: number;
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
 * The OTLP/HTTP wire formats {@linkcode pushOtlp} speaks.
 *
 * @example Push as JSON
 * ```ts
 * import { type FetchLike, type OtlpProtocol, pushOtlp } from "@ai-trace/core";
 *
 * const protocol: OtlpProtocol = "http/json";
 * const collector: FetchLike = () => Promise.resolve(new Response("{}"));
 * await pushOtlp([], { endpoint: "http://localhost:4318", protocol, fetch: collector });
 * ```
 */
export type OtlpProtocol = "http/protobuf" | "http/json";

/**
 * The request body compressions {@linkcode pushOtlp} offers.
 *
 * @example Push gzipped
 * ```ts
 * import { type FetchLike, type OtlpCompression, pushOtlp } from "@ai-trace/core";
 *
 * const compression: OtlpCompression = "gzip";
 * const collector: FetchLike = () => Promise.resolve(new Response("{}"));
 * await pushOtlp([], { endpoint: "http://localhost:4318", compression, fetch: collector });
 * ```
 */
export type OtlpCompression = "gzip" | "none";

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
  /** The URL the requests went to, without any `user:password@`. */
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
 * @param exact Use the URL as it is, without adding `/v1/traces`.
 * @returns The URL to POST to.
 * @throws {TypeError} when the endpoint is not an http(s) URL.
 */
export function otlpTracesUrl(endpoint: string, exact = false): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TypeError(`Cannot push to "${redactUrl(endpoint)}": not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot push to "${redactUrl(endpoint)}": only http and https URLs are supported`);
  }
  if (exact) return url.toString();
  const path = url.pathname.replace(/\/+$/, "");
  if (!path.endsWith("/v1/traces")) url.pathname = `${path}/v1/traces`;
  else url.pathname = path;
  return url.toString();
}

const SECRET_PARAM = /(key|token|secret|passw|pwd|auth|sig|credential|session)/i;

/**
 * A URL fit to print: `user:password@` becomes `***@`, and the values of
 * query parameters whose names suggest a secret (`api_key`, `token`, `sig`,
 * …) become `***`. Text that is not a URL has anything before an `@` hidden.
 *
 * @param text A URL, or what the user gave as one.
 * @returns The same URL with its credentials hidden.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text.replace(
      /^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i,
      (_, scheme: string | undefined) => `${scheme ?? ""}***@`,
    );
  }
  let out = url.toString();
  if (url.username !== "" || url.password !== "") {
    url.username = "";
    url.password = "";
    out = url.toString().replace("://", "://***@");
  }
  if (url.search !== "") {
    const query = url.search.slice(1).split("&").map((pair) => {
      const at = pair.indexOf("=");
      if (at < 0) return pair;
      const name = pair.slice(0, at);
      return SECRET_PARAM.test(safeDecode(name)) ? `${name}=***` : pair;
    }).join("&");
    out = out.replace(url.search, `?${query}`);
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Splits `user:password@` off a URL: the URL without it, and the Basic credentials it held. */
function splitCredentials(href: string): { url: string; authorization?: string } {
  const url = new URL(href);
  if (url.username === "" && url.password === "") return { url: href };
  const user = safeDecode(url.username);
  const password = safeDecode(url.password);
  url.username = "";
  url.password = "";
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return { url: url.toString(), authorization: `Basic ${btoa(binary)}` };
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
 * POSTs export requests to an OTLP/HTTP endpoint, as protobuf (default) or
 * JSON, in batches. Retries 429, 502, 503, 504 and network errors with
 * exponential backoff, honouring `Retry-After` (seconds or an HTTP date); any
 * other 4xx or 5xx answer is final. Spans the server rejects in a partial
 * success are counted, not retried (the OTLP specification says not to).
 *
 * Bounded against a hostile server: redirects are followed only to the same
 * origin (a redirect elsewhere fails the push, naming the `Location`, and
 * nothing is sent there); at most 1 MiB of each answer is read; each try
 * ends after `timeoutMs` (30 s), the whole push after `deadlineMs` (5 min).
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
  const full = otlpTracesUrl(options.endpoint, options.exactEndpoint === true);
  const { url, authorization } = splitCredentials(full);
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const maxRetries = Math.max(0, options.maxRetries ?? 5);
  const initialBackoff = options.initialBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = now() + (options.deadlineMs ?? 300_000);
  const protocol = options.protocol ?? "http/protobuf";
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    throw new TypeError(`Unknown OTLP protocol "${protocol}" (expected http/protobuf or http/json)`);
  }
  const gzip = options.compression === "gzip";
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers["Authorization"] = authorization;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
    headers[name] = value;
  }
  headers["Content-Type"] = protocol === "http/json" ? "application/json" : "application/x-protobuf";
  if (gzip) headers["Content-Encoding"] = "gzip";
  const result: PushOtlpResult = { url, requests: 0, spans: 0, rejectedSpans: 0, messages: [], retries: 0 };
  const shown = redactUrl(full); // what messages say: "http://***@host/…" when there were credentials

  for (const batch of batchOtlp(documents, options.maxSpansPerRequest, options.maxBytesPerRequest)) {
    const plain: Uint8Array = protocol === "http/json" ? utf8.encode(JSON.stringify(batch)) : encodeOtlpRequest(batch);
    const body = gzip ? await gzipBytes(plain) : plain;
    for (let attempt = 0;; attempt++) {
      let failure: { reason: string; retryAfterMs?: number; status?: number; final: boolean };
      const left = deadline - now();
      try {
        if (left <= 0) throw new Error(`the push took longer than ${options.deadlineMs ?? 300_000} ms`);
        const answer = await send(doFetch, url, headers, body, Math.min(timeoutMs, left));
        if (answer.redirect !== undefined) {
          throw new OtlpPushError(
            `Cannot push to "${shown}": the server redirects to "${redactUrl(answer.redirect)}", another origin; ` +
              "not followed (give that URL as the endpoint if you trust it)",
            result,
            answer.status,
          );
        }
        if (answer.status >= 200 && answer.status < 300) {
          result.requests++;
          result.spans += countSpans(batch);
          readPartialSuccess(answer, result);
          break;
        }
        failure = {
          reason: `HTTP ${answer.status}${statusMessage(answer)}`,
          status: answer.status,
          retryAfterMs: parseRetryAfter(answer.retryAfter, now()),
          final: !RETRYABLE.has(answer.status),
        };
      } catch (err) {
        if (err instanceof OtlpPushError) throw err;
        failure = { reason: networkMessage(err), final: left <= 0 };
      }
      const backoff = Math.min(maxBackoff, initialBackoff * 2 ** attempt) * (0.5 + random() / 2);
      const delayMs = Math.round(Math.min(maxBackoff, failure.retryAfterMs ?? backoff));
      const pastDeadline = now() + delayMs >= deadline;
      if (failure.final || attempt >= maxRetries || pastDeadline) {
        const tries = attempt + 1;
        const after = failure.final ? "" : ` after ${tries} ${tries === 1 ? "try" : "tries"}`;
        throw new OtlpPushError(`Cannot push to "${shown}": ${failure.reason}${after}`, result, failure.status);
      }
      result.retries++;
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason: failure.reason });
      await sleep(delayMs);
    }
  }
  return result;
}

const utf8 = new TextEncoder();

/** At most this many bytes of an answer are read; the rest is left unread. */
export const MAX_ANSWER_BYTES = 1 << 20;

/** At most this many redirects (to the same origin) are followed for one request. */
const MAX_REDIRECTS = 5;

/** An answer, read within the limits. */
interface Answer {
  status: number;
  contentType: string;
  retryAfter: string | null;
  /** At most {@linkcode MAX_ANSWER_BYTES} of the body. */
  body: Uint8Array;
  /** The `Location` of a redirect to another origin, not followed. */
  redirect?: string;
}

/**
 * One try: POSTs the body, follows redirects to the same origin only, and
 * reads at most {@linkcode MAX_ANSWER_BYTES} of the answer, all within `timeoutMs`.
 */
async function send(
  doFetch: FetchLike,
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
  timeoutMs: number,
): Promise<Answer> {
  const controller = new AbortController();
  const timeout = new Error(`no answer within ${timeoutMs} ms`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeout);
      reject(timeout);
    }, timeoutMs);
  });
  const attempt = async (): Promise<Answer> => {
    let target = url;
    for (let hops = 0;; hops++) {
      const init: RequestInit = {
        method: "POST",
        headers,
        body: body as Uint8Array<ArrayBuffer>,
        redirect: "manual",
        signal: controller.signal,
      };
      const response = await doFetch(target, init);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location !== null) {
        discard(response);
        let next: URL;
        try {
          next = new URL(location, target);
        } catch {
          return {
            status: response.status,
            contentType: "",
            retryAfter: null,
            body: new Uint8Array(0),
            redirect: location,
          };
        }
        if (next.origin !== new URL(target).origin || hops >= MAX_REDIRECTS) {
          return {
            status: response.status,
            contentType: "",
            retryAfter: null,
            body: new Uint8Array(0),
            redirect: hops >= MAX_REDIRECTS && next.origin === new URL(target).origin ? undefined : next.toString(),
          };
        }
        target = next.toString();
        continue;
      }
      return {
        status: response.status,
        contentType: response.headers.get("content-type") ?? "",
        retryAfter: response.headers.get("retry-after"),
        body: await readCapped(response, MAX_ANSWER_BYTES, controller),
      };
    }
  };
  try {
    return await Promise.race([attempt(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads at most `cap` bytes of a body; stops the transfer after that. */
async function readCapped(response: Response, cap: number, controller: AbortController): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.length >= cap) {
      chunks.push(value.subarray(0, cap - total));
      total = cap;
      reader.cancel().catch(() => {});
      controller.abort(new Error("answer over the size limit"));
      break;
    }
    chunks.push(value);
    total += value.length;
  }
  return concatBytes(chunks);
}

function discard(response: Response): void {
  response.body?.cancel().catch(() => {});
}

async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
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

function isProtobuf(answer: Answer): boolean {
  return /application\/(x-)?protobuf/i.test(answer.contentType);
}

/** Adds an `ExportTraceServiceResponse`'s `partialSuccess` (JSON or protobuf) to the result. */
function readPartialSuccess(answer: Answer, result: PushOtlpResult): void {
  if (answer.body.length === 0) return;
  let rejected = 0;
  let message = "";
  if (isProtobuf(answer)) {
    try {
      ({ rejectedSpans: rejected, errorMessage: message } = decodeOtlpResponse(answer.body));
    } catch {
      return; // not what it says it is: nothing to read
    }
  } else {
    let body: unknown;
    try {
      body = JSON.parse(utf8Decoder.decode(answer.body));
    } catch {
      return; // not JSON (a proxy's text): nothing to read
    }
    const partial = (body as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } } | null)
      ?.partialSuccess;
    if (typeof partial !== "object" || partial === null) return;
    rejected = Number(partial.rejectedSpans ?? 0);
    if (typeof partial.errorMessage === "string") message = partial.errorMessage;
  }
  if (Number.isFinite(rejected) && rejected > 0) result.rejectedSpans += rejected;
  if (message !== "") result.messages.push(message);
}

const utf8Decoder = new TextDecoder();

/** `: <message>` from an error body: a `google.rpc.Status` as JSON or protobuf, or short text. */
function statusMessage(answer: Answer): string {
  if (isProtobuf(answer)) {
    try {
      for (const field of readFields(answer.body)) {
        if (field.field === 2 && field.wire === 2) return `: ${firstLine(fieldText(field))}`;
      }
    } catch {
      // not a Status after all
    }
    return "";
  }
  const trimmed = utf8Decoder.decode(answer.body).trim();
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
