/**
 * Totals of a session, kept incrementally in constant memory: counts, token
 * and cost sums, and duration percentiles (exact up to a few thousand steps,
 * then from a log-bucketed histogram within 1%).
 *
 * @module
 */

import type { NameSummary, Summary, Usage } from "../format/types.ts";

const EXACT_LIMIT = 4096;
// Histogram buckets grow by 1%: bucket i holds durations up to MIN * GROWTH^i.
const MIN_MS = 0.001;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 2400; // up to about 2.3e7 ms

/** Percentiles of a stream of durations, in bounded memory. */
export class DurationStats {
  #exact: number[] = [];
  #histogram: Float64Array | undefined;
  #count = 0;
  #total = 0;

  /** Adds one duration, milliseconds. */
  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) ms = 0;
    this.#count++;
    this.#total += ms;
    if (this.#histogram === undefined) {
      this.#exact.push(ms);
      if (this.#exact.length > EXACT_LIMIT) {
        this.#histogram = new Float64Array(BUCKETS);
        for (const value of this.#exact) this.#histogram[bucketOf(value)]++;
        this.#exact = [];
      }
    } else {
      this.#histogram[bucketOf(ms)]++;
    }
  }

  /** How many durations were added. */
  get count(): number {
    return this.#count;
  }

  /** The mean, or 0 when empty. */
  get mean(): number {
    return this.#count === 0 ? 0 : this.#total / this.#count;
  }

  /** The sum of all durations. */
  get total(): number {
    return this.#total;
  }

  /** The `p`-quantile (0 < p ≤ 1) by the nearest-rank method, or 0 when empty. */
  quantile(p: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.#count));
    if (this.#histogram === undefined) {
      const sorted = this.#exact.slice().sort((a, b) => a - b);
      return sorted[rank - 1];
    }
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#histogram[i];
      if (seen >= rank) return i === 0 ? 0 : MIN_MS * GROWTH ** i;
    }
    return MIN_MS * GROWTH ** (BUCKETS - 1);
  }
}

function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
}

/** Rounds to 3 decimals, so summaries stay readable. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function emptyName(): NameSummary {
  return { count: 0, errors: 0, total_ms: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
}

/** The fields of a finished step that a summary counts. */
export interface CountedStep {
  /** The step's name. */
  name: string;
  /** Its outcome. */
  outcome: string;
  /** Its duration, milliseconds. */
  duration_ms: number;
  /** Its usage, if any. */
  usage?: Usage;
}

/** Builds a {@linkcode Summary} one step at a time. */
export class SummaryBuilder {
  #durations = new DurationStats();
  #ok = 0;
  #errors = 0;
  #inputTokens = 0;
  #outputTokens = 0;
  #cost = 0;
  #byName = new Map<string, NameSummary>();
  /** Steps begun and not ended. */
  inFlight = 0;
  /** Records that could not be written. */
  lostRecords = 0;

  /** Counts one finished step. */
  add(step: CountedStep): void {
    this.#durations.add(step.duration_ms);
    let byName = this.#byName.get(step.name);
    if (byName === undefined) {
      byName = emptyName();
      this.#byName.set(step.name, byName);
    }
    byName.count++;
    byName.total_ms += Number.isFinite(step.duration_ms) ? step.duration_ms : 0;
    if (step.outcome === "ok") this.#ok++;
    else if (step.outcome === "error") {
      this.#errors++;
      byName.errors++;
    }
    const usage = step.usage;
    if (usage !== undefined) {
      const input = finite(usage.input_tokens);
      const output = finite(usage.output_tokens);
      const cost = finite(usage.cost_usd);
      this.#inputTokens += input;
      this.#outputTokens += output;
      this.#cost += cost;
      byName.input_tokens += input;
      byName.output_tokens += output;
      byName.cost_usd += cost;
    }
  }

  /** The summary so far. */
  build(): Summary {
    const byName: Record<string, NameSummary> = {};
    for (const [name, totals] of this.#byName) {
      byName[name] = { ...totals, total_ms: round3(totals.total_ms), cost_usd: round6(totals.cost_usd) };
    }
    return {
      steps: this.#durations.count,
      ok: this.#ok,
      errors: this.#errors,
      in_flight: this.inFlight,
      avg_ms: round3(this.#durations.mean),
      p50_ms: round3(this.#durations.quantile(0.5)),
      p95_ms: round3(this.#durations.quantile(0.95)),
      input_tokens: this.#inputTokens,
      output_tokens: this.#outputTokens,
      cost_usd: round6(this.#cost),
      lost_records: this.lostRecords,
      by_name: byName,
    };
  }
}

function finite(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
