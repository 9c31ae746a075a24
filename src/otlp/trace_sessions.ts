/**
 * Spans arriving in batches, written as one session per trace: the spans of
 * a trace are held until its root span has ended (it ends last), then written
 * in one go through {@linkcode recordSpans} into a new session. Used by the
 * OpenTelemetry exporter (`@ai-trace/core/otel`) and by `ai-trace serve`'s
 * OTLP receiver alike, so that a trace exported in several batches is one
 * session file.
 *
 * @module
 */

import { isDateMs } from "../format/fields.ts";
import { Tracer, type TracerOptions } from "../record/tracer.ts";
import { type PlainSpan, recordSpans, traceAgentName } from "./span_to_step.ts";

/** Options of {@linkcode TraceSessions}: those of each session's tracer, and bounds on memory. */
export interface TraceSessionsOptions extends Omit<TracerOptions, "sessionId" | "autoSave"> {
  /**
   * How many spans of traces whose root has not ended yet are held in memory;
   * past it, the oldest trace is written as it stands.
   *
   * @default {10000}
   */
  maxPendingSpans?: number;
  /**
   * How much text (names, attribute keys and values, in UTF-16 code units)
   * those spans may hold; past it, the oldest trace is written as it stands.
   *
   * @default {67108864}
   */
  maxPendingBytes?: number;
}

/** About how much memory a span holds: the length of its texts, and a little for every value. */
function spanSize(span: PlainSpan): number {
  let size = 64 + span.traceId.length + span.spanId.length + span.name.length;
  const stack: unknown[] = [span.attributes, span.status?.message];
  for (const event of span.events ?? []) stack.push(event.name, event.attributes);
  // Values nest (arrays, key-value lists), a bounded depth: walked without recursion.
  while (stack.length > 0) {
    const value = stack.pop();
    size += 8;
    if (typeof value === "string") size += value.length;
    else if (Array.isArray(value)) { for (const item of value) stack.push(item); }
    else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        size += key.length;
        stack.push(item);
      }
    }
  }
  return size;
}

/** Holds the spans of open traces and writes each trace as a session when its root span ends. */
export class TraceSessions {
  readonly #options: Omit<TraceSessionsOptions, "maxPendingSpans" | "maxPendingBytes">;
  readonly #maxPending: number;
  readonly #maxPendingBytes: number;
  readonly #pending = new Map<string, PlainSpan[]>(); // oldest first
  readonly #lastSeen = new Map<string, number>();
  readonly #bytes = new Map<string, number>();
  #pendingSpans = 0;
  #pendingBytes = 0;

  /**
   * @param options Where and how to record, and how many spans to hold.
   * @throws {RangeError} For an invalid `maxPendingSpans` or `maxPendingBytes`.
   */
  constructor(options: TraceSessionsOptions = {}) {
    const { maxPendingSpans, maxPendingBytes, ...tracerOptions } = options;
    const positive = (value: number, name: string): number => {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`${name} must be a positive integer, got ${value}`);
      }
      return value;
    };
    this.#maxPending = positive(maxPendingSpans ?? 10_000, "maxPendingSpans");
    this.#maxPendingBytes = positive(maxPendingBytes ?? 64 * 1024 * 1024, "maxPendingBytes");
    this.#options = tracerOptions;
  }

  /** How many spans are held, waiting for their trace's root. */
  get pendingSpans(): number {
    return this.#pendingSpans;
  }

  /**
   * Takes finished spans of any traces; writes each trace whose root span is
   * among them.
   *
   * @param spans The spans.
   * @param isRoot Whether a span ends its trace: by default, a span without a parent.
   */
  add(spans: readonly PlainSpan[], isRoot: (span: PlainSpan) => boolean = (span) => !span.parentSpanId): void {
    const ended: string[] = [];
    for (const span of spans) {
      let held = this.#pending.get(span.traceId);
      if (held === undefined) {
        held = [];
        this.#pending.set(span.traceId, held);
      }
      held.push(span);
      const size = spanSize(span);
      this.#bytes.set(span.traceId, (this.#bytes.get(span.traceId) ?? 0) + size);
      this.#lastSeen.set(span.traceId, Date.now());
      this.#pendingSpans++;
      this.#pendingBytes += size;
      if (isRoot(span)) ended.push(span.traceId);
    }
    for (const traceId of ended) this.#write(traceId);
    while (this.#pendingSpans > this.#maxPending || this.#pendingBytes > this.#maxPendingBytes) {
      const oldest = this.#pending.keys().next();
      if (oldest.done) break;
      this.#write(oldest.value);
    }
  }

  /**
   * Writes the traces still held, as they stand: all of them, or those that
   * got no span for `idleMs` milliseconds (their root may never come).
   *
   * @param idleMs Only traces quiet for this long.
   */
  flush(idleMs?: number): void {
    const before = Date.now() - (idleMs ?? 0);
    for (const traceId of [...this.#pending.keys()]) {
      if (idleMs === undefined || (this.#lastSeen.get(traceId) ?? 0) <= before) this.#write(traceId);
    }
  }

  #write(traceId: string): void {
    const spans = this.#pending.get(traceId);
    if (spans === undefined) return;
    this.#pending.delete(traceId);
    this.#lastSeen.delete(traceId);
    this.#pendingSpans -= spans.length;
    this.#pendingBytes -= this.#bytes.get(traceId) ?? 0;
    this.#bytes.delete(traceId);
    const resource = spans[0]?.resource ?? {};
    const meta: Record<string, unknown> = { ...this.#options.meta, trace_id: traceId };
    const service = resource["service.name"];
    if (typeof service === "string") meta.service_name = service;
    // The session began when its first span did, not when it was written.
    // And ended when its last span did: a batch that arrives seconds later does not make the run longer.
    let startedAt = Infinity;
    let endedAt = -Infinity;
    for (const span of spans) {
      startedAt = Math.min(startedAt, span.startTime);
      if (Number.isFinite(span.endTime)) endedAt = Math.max(endedAt, span.endTime);
    }
    const tracer = new Tracer(traceAgentName(spans), {
      ...this.#options,
      meta,
      startedAt: isDateMs(startedAt) ? startedAt : undefined,
    });
    try {
      recordSpans(tracer, spans);
    } finally {
      tracer.closeSync(Number.isFinite(endedAt) ? { endTime: endedAt } : undefined);
    }
  }
}
