/**
 * The OTLP/HTTP trace receiver of `ai-trace serve` (`POST /v1/traces`): a
 * program in any language, instrumented with OpenTelemetry, records into the
 * trace directory. Each trace becomes a session file, through the same
 * span-to-step mapping as the OpenTelemetry exporter module.
 *
 * What it takes: `application/x-protobuf` or `application/json`, gzip or not,
 * at most `maxBody` bytes (compressed and inflated alike: a small zip bomb is
 * refused like a large body). A bad request gets 400 with an OTLP-style error
 * body (a `google.rpc.Status`, in the request's encoding) and writes nothing.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzip } from "node:zlib";
import { decodeOtlpRequest } from "../otlp/otlp_protobuf.ts";
import { OtlpRequestError, plainSpansFromOtlp } from "../otlp/from_otlp.ts";
import { ProtoDecodeError, ProtoWriter } from "../otlp/protobuf_wire.ts";
import type { PlainSpan } from "../otlp/span_to_step.ts";
import { concatBytes } from "../format/bytes.ts";

/** `google.rpc.Code.INVALID_ARGUMENT`. */
const INVALID_ARGUMENT = 3;
/** `google.rpc.Code.RESOURCE_EXHAUSTED`. */
const RESOURCE_EXHAUSTED = 8;

/** `google.rpc.Code.UNAVAILABLE`: OTLP exporters retry it. */
const UNAVAILABLE = 14;

/**
 * The bytes of request bodies held at once, across all requests: each body
 * is bounded, but not how many arrive together (slow clients that never
 * finish theirs would hold `maxBody` each).
 */
export class BodyBudget {
  #left: number;

  /** @param max How many bytes all bodies being read may hold together. */
  constructor(max: number) {
    this.#left = max;
  }

  /**
   * Takes `bytes` from the budget, if that many are left.
   *
   * @param bytes How many.
   * @returns Whether they were taken.
   */
  take(bytes: number): boolean {
    if (bytes > this.#left) return false;
    this.#left -= bytes;
    return true;
  }

  /** @param bytes Gives back what was taken. */
  give(bytes: number): void {
    this.#left += bytes;
  }
}

/** Options of {@linkcode handleOtlpTraces}. */
export interface ReceiverOptions {
  /** The largest body taken, in bytes, compressed or inflated. */
  maxBody: number;
  /** What all bodies being read may hold together; past it, a request gets 503 (OTLP clients retry). */
  budget: BodyBudget;
  /** Takes the spans of a valid request (the receiver writes nothing itself). */
  record(spans: PlainSpan[]): void;
}

class BodyTooLarge extends Error {}
class TooManyBodies extends Error {}

/** Reads the whole body, refusing more than `max` bytes, and more than the budget has left (`held` counts what it took). */
async function readBody(
  request: IncomingMessage,
  max: number,
  budget: BodyBudget,
  held: { bytes: number },
): Promise<Uint8Array> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) throw new BodyTooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = chunk as Uint8Array;
    size += bytes.length;
    if (size > max) throw new BodyTooLarge();
    if (!budget.take(bytes.length)) throw new TooManyBodies();
    held.bytes += bytes.length;
    chunks.push(bytes);
  }
  return concatBytes(chunks);
}

/**
 * Inflates gzip, refusing more than `max` bytes of output. zlib stops as soon as the output passes `max`
 * (a DecompressionStream does not: on Deno it gives a bomb's whole output as one chunk).
 */
function gunzipAtMost(bytes: Uint8Array, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    gunzip(bytes, { maxOutputLength: max }, (err, out) => {
      if (err === null) return resolve(out);
      const code = (err as { code?: string }).code;
      reject(code === "ERR_BUFFER_TOO_LARGE" ? new BodyTooLarge() : new OtlpRequestError("the body is not valid gzip"));
    });
  });
}

/** A `google.rpc.Status` in the request's encoding. */
function statusBody(protobuf: boolean, code: number, message: string): string | Uint8Array {
  if (!protobuf) return JSON.stringify({ code, message });
  return new ProtoWriter().uint(1, code).string(2, message).finish();
}

/**
 * Answers one `POST /v1/traces`.
 *
 * @param request The request.
 * @param response Its response.
 * @param options The body limit, and what to do with the spans.
 */
export async function handleOtlpTraces(
  request: IncomingMessage,
  response: ServerResponse,
  options: ReceiverOptions,
): Promise<void> {
  const type = String(request.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  const protobuf = type === "application/x-protobuf" || type === "application/protobuf";
  const answer = (status: number, body: string | Uint8Array) => {
    response.writeHead(status, {
      "content-type": protobuf ? "application/x-protobuf" : "application/json",
      "x-content-type-options": "nosniff",
    });
    response.end(body);
  };
  const fail = (status: number, code: number, message: string) => {
    // The rest of a refused body is not read: the connection closes after the answer.
    response.setHeader("connection", "close");
    answer(status, statusBody(protobuf, code, message));
  };
  if (!protobuf && type !== "application/json") {
    return fail(
      415,
      INVALID_ARGUMENT,
      `Unsupported content type "${type}": send application/x-protobuf or application/json`,
    );
  }
  const encoding = String(request.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") {
    return fail(415, INVALID_ARGUMENT, `Unsupported content encoding "${encoding}": send gzip or none`);
  }
  let spans: PlainSpan[];
  const held = { bytes: 0 };
  try {
    let body = await readBody(request, options.maxBody, options.budget, held);
    if (encoding === "gzip") {
      body = await gunzipAtMost(body, options.maxBody);
      if (!options.budget.take(body.length)) throw new TooManyBodies();
      held.bytes += body.length;
    }
    const decoded = protobuf
      ? decodeOtlpRequest(body)
      : JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    spans = plainSpansFromOtlp(decoded);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      return fail(413, RESOURCE_EXHAUSTED, `The body is larger than ${options.maxBody} bytes (see --max-body)`);
    }
    if (err instanceof TooManyBodies) {
      response.setHeader("retry-after", "1");
      return fail(503, UNAVAILABLE, "Too many requests are being received at once: retry");
    }
    const why = err instanceof OtlpRequestError || err instanceof ProtoDecodeError
      ? err.message
      : err instanceof SyntaxError || err instanceof TypeError
      ? `the body is not ${protobuf ? "protobuf" : "JSON"}: ${err.message}`
      : String(err);
    return fail(400, INVALID_ARGUMENT, `Not an OTLP trace export request: ${why}`);
  } finally {
    options.budget.give(held.bytes);
  }
  options.record(spans);
  // An ExportTraceServiceResponse with nothing rejected: an empty message.
  answer(200, protobuf ? new Uint8Array(0) : "{}");
}
