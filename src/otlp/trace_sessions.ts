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

import { Tracer, type TracerOptions } from "../record/tracer.ts";
import { type PlainSpan, recordSpans, traceAgentName } from "./span_to_step.ts";

/** Options of {@linkcode TraceSessions}: those of each session's tracer, and a bound on memory. */
export interface TraceSessionsOptions extends Omit<TracerOptions, "sessionId" | "autoSave"> {
  /**
   * How many spans of traces whose root has not ended yet are held in memory;
   * past it, the oldest trace is written as it stands.
   *
   * @default {10000}
   */
  maxPendingSpans?: number;
}

/** Holds the spans of open traces and writes each trace as a session when its root span ends. */
export class TraceSessions {
  readonly #options: Omit<TraceSessionsOptions, "maxPendingSpans">;
  readonly #maxPending: number;
  readonly #pending = new Map<string, PlainSpan[]>(); // oldest first
  readonly #lastSeen = new Map<string, number>();
  #pendingSpans = 0;

  /**
   * @param options Where and how to record, and how many spans to hold.
   * @throws {RangeError} For an invalid `maxPendingSpans`.
   */
  constructor(options: TraceSessionsOptions = {}) {
    const { maxPendingSpans, ...tracerOptions } = options;
    const max = maxPendingSpans ?? 10_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxPendingSpans must be a positive integer, got ${max}`);
    }
    this.#maxPending = max;
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
      this.#lastSeen.set(span.traceId, Date.now());
      this.#pendingSpans++;
      if (isRoot(span)) ended.push(span.traceId);
    }
    for (const traceId of ended) this.#write(traceId);
    while (this.#pendingSpans > this.#maxPending) {
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
    const resource = spans[0]?.resource ?? {};
    const meta: Record<string, unknown> = { ...this.#options.meta, trace_id: traceId };
    const service = resource["service.name"];
    if (typeof service === "string") meta.service_name = service;
    // The session began when its first span did, not when it was written.
    let startedAt = Infinity;
    for (const span of spans) startedAt = Math.min(startedAt, span.startTime);
    const tracer = new Tracer(traceAgentName(spans), {
      ...this.#options,
      meta,
      startedAt: Number.isFinite(startedAt) && startedAt >= 0 ? startedAt : undefined,
    });
    try {
      recordSpans(tracer, spans);
    } finally {
      tracer.closeSync();
    }
  }
}
