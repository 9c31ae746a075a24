/**
 * The one place that counts steps: the tracer's `summary()` and `end` line,
 * `readSession`, `stats`, and the Markdown and HTML reports all add their
 * steps here, so a step, an error, an "other" outcome, a token and a
 * percentile mean the same thing everywhere. Constant memory per step name.
 *
 * @module
 */

import { DurationStats } from "./duration_stats.ts";
import { finite } from "../format/fields.ts";
import type { NameSummary, Summary, UsageTotals } from "../format/types.ts";

/** The usage fields summed per session and per step name (numbers; anything else counts as 0). */
export const SUMMED_USAGE = [
  "input_tokens",
  "output_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
  "reasoning_tokens",
  "cost_usd",
] as const satisfies readonly (keyof UsageTotals)[];

/** One of {@linkcode SUMMED_USAGE}. */
export type SummedUsageKey = typeof SUMMED_USAGE[number];

/** Sums ready to show: every count as it is, the cost rounded to 6 decimals (float noise off). */
export function roundedUsageSums(sums: UsageTotals): UsageTotals {
  return { ...sums, cost_usd: round6(sums.cost_usd) };
}

/** The fields of a finished step that are counted; `SessionStep` and a raw step record both fit. */
export interface CountedStep {
  /** The step's name. */
  name: string;
  /** Its outcome; `null` (or absent in a record) counts as `"ok"`. */
  outcome: string | null;
  /** Its duration, milliseconds; anything but a finite number ≥ 0 counts as 0. */
  duration_ms: number | null;
  /** Its usage, if any: each field of {@linkcode SUMMED_USAGE} that is a finite number is summed. */
  usage?: { readonly [K in SummedUsageKey]?: unknown };
}

/** Totals of a set of steps (a session's, or one step name's). */
export class StepTotals {
  /** Steps counted. */
  count = 0;
  /** Of them, outcome `"ok"`. */
  ok = 0;
  /** Of them, outcome `"error"`. */
  errors = 0;
  /** Of them, any other outcome (`"skipped"`, …). */
  other = 0;
  /** Durations summed, milliseconds. */
  totalMs = 0;
  /** Usage summed, per field of {@linkcode SUMMED_USAGE}. */
  readonly usage: UsageTotals;
  /** Duration percentiles, when kept. */
  readonly durations: DurationStats | undefined;

  /** @param percentiles whether to keep the durations for percentiles. */
  constructor(percentiles: boolean) {
    this.durations = percentiles ? new DurationStats() : undefined;
    this.usage = Object.fromEntries(SUMMED_USAGE.map((key) => [key, 0])) as Record<SummedUsageKey, number>;
  }

  /** Counts one step. */
  add(step: CountedStep, outcome: string, ms: number): void {
    this.count++;
    if (outcome === "ok") this.ok++;
    else if (outcome === "error") this.errors++;
    else this.other++;
    this.totalMs += ms;
    this.durations?.add(ms);
    const usage = step.usage;
    if (usage !== undefined) { for (const key of SUMMED_USAGE) this.usage[key] += finite(usage[key]); }
  }

  /** The `p`-quantile of the durations (0 when not kept or empty), rounded to 3 decimals. */
  quantile(p: number): number {
    return round3(this.durations?.quantile(p) ?? 0);
  }
}

/**
 * Options of {@linkcode Aggregator}.
 */
export interface AggregatorOptions {
  /**
   * Keep per step name the durations for percentiles (as `stats` shows them).
   *
   * @default {false}
   */
  namePercentiles?: boolean;
}

/**
 * Counts steps one at a time, in constant memory per step name: the session's
 * totals and each name's.
 */
export class Aggregator {
  readonly #all = new StepTotals(true);
  readonly #byName = new Map<string, StepTotals>();
  readonly #namePercentiles: boolean;
  /** Steps begun and not ended. */
  inFlight = 0;
  /** Records that could not be written. */
  lostRecords = 0;

  /** @param options what to keep per step name. */
  constructor(options: AggregatorOptions = {}) {
    this.#namePercentiles = options.namePercentiles === true;
  }

  /** Counts one finished step. */
  add(step: CountedStep): void {
    const outcome = step.outcome ?? "ok";
    const ms = typeof step.duration_ms === "number" && Number.isFinite(step.duration_ms) && step.duration_ms > 0
      ? step.duration_ms
      : 0;
    this.#all.add(step, outcome, ms);
    let byName = this.#byName.get(step.name);
    if (byName === undefined) {
      byName = new StepTotals(this.#namePercentiles);
      this.#byName.set(step.name, byName);
    }
    byName.add(step, outcome, ms);
  }

  /** The totals of every step counted. */
  get all(): StepTotals {
    return this.#all;
  }

  /** The totals per step name, in the order the names were first met. */
  names(): IterableIterator<[string, StepTotals]> {
    return this.#byName.entries();
  }

  /** The totals as a {@linkcode Summary}: what `summary()`, the `end` line and `readSession` give. */
  summary(): Summary {
    const byName: Record<string, NameSummary> = {};
    for (const [name, totals] of this.#byName) {
      const value: NameSummary = {
        count: totals.count,
        errors: totals.errors,
        total_ms: round3(totals.totalMs),
        ...roundedUsageSums(totals.usage),
      };
      // A step name is data: "__proto__" must be a key like any other, not the object's prototype.
      if (name === "__proto__") {
        Object.defineProperty(byName, name, { value, enumerable: true, writable: true, configurable: true });
      } else byName[name] = value;
    }
    const all = this.#all;
    return {
      steps: all.count,
      ok: all.ok,
      errors: all.errors,
      other: all.other,
      in_flight: this.inFlight,
      avg_ms: round3(all.count === 0 ? 0 : all.totalMs / all.count),
      p50_ms: all.quantile(0.5),
      p95_ms: all.quantile(0.95),
      ...roundedUsageSums(all.usage),
      lost_records: this.lostRecords,
      by_name: byName,
    };
  }
}

/** Rounds to 3 decimals (milliseconds to the microsecond), so totals stay readable. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Rounds to 6 decimals (dollars to the micro-dollar). */
export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
