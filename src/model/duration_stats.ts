/**
 * Percentiles of a stream of durations in bounded memory: exact up to a few
 * thousand values, then from a log-bucketed histogram within 1%, for any
 * duration a double can hold (a microsecond to centuries).
 *
 * @module
 */

const EXACT_LIMIT = 4096;
// Histogram buckets grow by 1%: bucket i holds durations up to MIN * GROWTH^i.
const MIN_MS = 0.001;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
// Buckets up to about 2.3e7 ms (6.4 hours) at first; more are added as longer
// durations arrive, up to the largest double (about 71,600 buckets, 560 KiB).
const FIRST_BUCKETS = 2400;

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
        this.#histogram = new Float64Array(FIRST_BUCKETS);
        for (const value of this.#exact) this.#put(value);
        this.#exact = [];
      }
    } else {
      this.#put(ms);
    }
  }

  #put(ms: number): void {
    const bucket = bucketOf(ms);
    let histogram = this.#histogram!;
    if (bucket >= histogram.length) {
      const grown = new Float64Array(Math.max(bucket + 1, histogram.length * 2));
      grown.set(histogram);
      this.#histogram = histogram = grown;
    }
    histogram[bucket]++;
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
    const histogram = this.#histogram;
    if (histogram === undefined) {
      const sorted = this.#exact.slice().sort((a, b) => a - b);
      return sorted[rank - 1];
    }
    let seen = 0;
    let last = 0;
    for (let i = 0; i < histogram.length; i++) {
      if (histogram[i] === 0) continue;
      last = i;
      seen += histogram[i];
      if (seen >= rank) break;
    }
    return last === 0 ? 0 : Math.min(Number.MAX_VALUE, MIN_MS * GROWTH ** last);
  }
}

function bucketOf(ms: number): number {
  if (ms <= MIN_MS) return 0;
  return Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH);
}
