/**
 * Totals across many sessions, for `ai-trace stats`: sessions, steps, ok,
 * errors, the most frequent step names, and per step name the count, error
 * rate, p50/p95 duration, tokens and cost. Files are streamed line by line,
 * so memory stays flat however many and however large they are.
 *
 * @module
 */

import { forEachLineSync } from "../format/line_reader.ts";
import { classifyLine, CUT_OFF_MESSAGE, LineWarnings, notATraceReason, skipReason } from "../format/record_line.ts";
import { asNumber, asObject, asText } from "../format/fields.ts";
import { readSession } from "./session_reader.ts";
import { Aggregator, type CountedStep, roundedUsageSums } from "../model/aggregator.ts";
import type { TraceFile } from "./trace_dir.ts";
import type { ReadWarning, UsageTotals } from "../format/types.ts";

/**
 * Totals of one step name across sessions.
 *
 * @example The error rate of one step name
 * ```ts
 * import { collectStats, listTraceFiles, type NameStats, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const tracer = new Tracer("crawler", { traceDir });
 * tracer.step("fetch", { url: "https://example.com" }, () => {});
 * tracer.step("fetch", { url: "https://example.org" }, (step) => step.fail("timeout"));
 * await tracer.close();
 * const report = await collectStats(listTraceFiles(traceDir).files);
 * const fetches: NameStats | undefined = report.by_name.find((stats) => stats.name === "fetch");
 * console.log(fetches?.count, fetches?.error_rate); // 2 0.5
 * ```
 */
export interface NameStats extends UsageTotals {
  /** The step name. */
  name: string;
  /** Completed steps with this name. */
  count: number;
  /** Of them, the ones whose outcome is `"error"`. */
  errors: number;
  /** `errors / count`, between 0 and 1. */
  error_rate: number;
  /** Median duration, milliseconds. */
  p50_ms: number;
  /** 95th percentile duration, milliseconds. */
  p95_ms: number;
}

/**
 * Totals across sessions.
 *
 * @example Totals of a directory
 * ```ts
 * import { collectStats, listTraceFiles, type StatsReport, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const tracer = new Tracer("crawler", { traceDir });
 * tracer.step("fetch", { url: "https://example.com" }, () => {});
 * tracer.step("fetch", { url: "https://example.org" }, (step) => step.fail("timeout"));
 * await tracer.close();
 * const report: StatsReport = await collectStats(listTraceFiles(traceDir).files);
 * console.log(report.sessions, report.steps, report.errors, report.top_names); // 1 2 1 [ { name: "fetch", count: 2 } ]
 * ```
 */
export interface StatsReport extends UsageTotals {
  /** Sessions read. */
  sessions: number;
  /** Completed steps. */
  steps: number;
  /** Steps whose outcome is `"ok"`. */
  ok: number;
  /** Steps whose outcome is `"error"`. */
  errors: number;
  /** Steps with another outcome the user chose. */
  other: number;
  /** Steps begun and never ended. */
  in_flight: number;
  /** Median step duration, milliseconds. */
  p50_ms: number;
  /** 95th percentile step duration, milliseconds. */
  p95_ms: number;
  /** The five most frequent step names. */
  top_names: { name: string; count: number }[];
  /** Every step name, the most frequent first. */
  by_name: NameStats[];
  /** Warnings met (bad lines, unreadable files). */
  warnings: number;
}

/**
 * Adds up steps and sessions in bounded memory (per step name: counters and
 * a duration histogram).
 *
 * @example
 * ```ts
 * import { StatsAggregator } from "./stats.ts";
 * const stats = new StatsAggregator();
 * stats.addSession();
 * stats.addStep({ name: "scan", outcome: "ok", duration_ms: 12 });
 * stats.addStep({ name: "scan", outcome: "error", duration_ms: 30 });
 * console.assert(stats.report().by_name[0].error_rate === 0.5);
 * ```
 */
export class StatsAggregator {
  #sessions = 0;
  #warnings = 0;
  #steps = new Aggregator({ namePercentiles: true });

  /** Counts one session. */
  addSession(): void {
    this.#sessions++;
  }

  /** Counts steps begun and never ended. */
  addInFlight(n: number): void {
    this.#steps.inFlight += n;
  }

  /** Counts warnings (one by default). */
  addWarning(count = 1): void {
    this.#warnings += count;
  }

  /** Counts one completed step. */
  addStep(step: CountedStep): void {
    this.#steps.add(step);
  }

  /** The totals so far. */
  report(): StatsReport {
    const byName: NameStats[] = [];
    for (const [name, totals] of this.#steps.names()) {
      byName.push({
        name,
        count: totals.count,
        errors: totals.errors,
        error_rate: totals.count === 0 ? 0 : totals.errors / totals.count,
        p50_ms: totals.quantile(0.5),
        p95_ms: totals.quantile(0.95),
        ...roundedUsageSums(totals.usage),
      });
    }
    byName.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const all = this.#steps.all;
    return {
      sessions: this.#sessions,
      steps: all.count,
      ok: all.ok,
      errors: all.errors,
      other: all.other,
      in_flight: this.#steps.inFlight,
      p50_ms: all.quantile(0.5),
      p95_ms: all.quantile(0.95),
      ...roundedUsageSums(all.usage),
      top_names: byName.slice(0, 5).map(({ name, count }) => ({ name, count })),
      by_name: byName,
      warnings: this.#warnings,
    };
  }
}

/**
 * Options of {@linkcode collectStats}.
 *
 * @example Print each bad line
 * ```ts
 * import { type CollectStatsOptions, collectStats, listTraceFiles } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const lines = ['{"name": "scan", "started_at": 1}', "not json", "{}"];
 * await Deno.writeTextFile(`${traceDir}/agent_20260301_120000.jsonl`, lines.join("\n") + "\n");
 * const options: CollectStatsOptions = { onWarning: (warning) => console.log(`${warning.line}: ${warning.message}`) };
 * const report = await collectStats(listTraceFiles(traceDir).files, options);
 * console.log(report.warnings); // 1
 * ```
 */
export interface CollectStatsOptions {
  /**
   * Called with each warning as it is met (bad line, unreadable file).
   *
   * @default {warnings are only counted}
   */
  onWarning?: (warning: ReadWarning) => void;
}

/**
 * Streams the steps of every file into one report. A bad line is skipped with
 * a warning; a file that cannot be read, or holds no session, is skipped with
 * a warning; neither stops the run.
 *
 * @example Totals of every session in a directory
 * ```ts
 * import { collectStats, listTraceFiles, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const tracer = new Tracer("crawler", { traceDir });
 * tracer.step("fetch", { url: "https://example.com" }, () => {});
 * tracer.step("fetch", { url: "https://example.org" }, (step) => step.fail("timeout"));
 * await tracer.close();
 * const report = await collectStats(listTraceFiles(traceDir).files);
 * console.log(report.sessions, report.steps, report.errors); // 1 2 1
 * ```
 *
 * @param files The sessions' files, each session once.
 * @param options Where warnings go.
 * @returns The totals.
 */
export async function collectStats(
  files: Iterable<TraceFile>,
  options: CollectStatsOptions = {},
): Promise<StatsReport> {
  const stats = new StatsAggregator();
  const warn = (warning: ReadWarning) => {
    stats.addWarning();
    options.onWarning?.(warning);
  };
  for (const file of files) {
    try {
      if (file.format === "json") await addSnapshot(file.path, stats, warn);
      else await addLines(file.path, stats, warn);
    } catch (err) {
      warn({ path: file.path, line: 0, message: `${skipReason(err)}, skipped` });
    }
  }
  return stats.report();
}

async function addSnapshot(path: string, stats: StatsAggregator, warn: (w: ReadWarning) => void): Promise<void> {
  const session = await readSession(path);
  for (const warning of session.warnings) warn(warning);
  stats.addSession();
  for (const step of session.steps) {
    if (step.in_flight) stats.addInFlight(1);
    else stats.addStep(step);
  }
}

function addLines(path: string, stats: StatsAggregator, warn: (w: ReadWarning) => void): void {
  const open = new Set<number>();
  let records = 0;
  // Past the first few, bad lines are only counted, and said in one warning
  // at the end: a million of them cost a counter, not a million lines.
  const limit = new LineWarnings(path);
  // Until the first record, warnings are held: a file with no record at all
  // is reported once, as not a trace, not line by line.
  const held: ReadWarning[] = [];
  const report = (warning: ReadWarning) => {
    if (!limit.admit(warning)) return;
    if (records > 0) warn(warning);
    else held.push(warning);
  };
  // A bad line is reported once we know whether anything valid follows it:
  // if nothing does, the file was cut off mid-line.
  let pendingBad: ReadWarning | undefined;
  // Synchronously, chunk by chunk: no promise per line. Each field is read the
  // way toSessionStep() reads it, without copying the step's context and logs.
  forEachLineSync(path, (line) => {
    const classified = classifyLine(path, line);
    switch (classified.kind) {
      case "blank":
        return;
      case "too-long":
        report(classified.warning);
        return;
      case "not-json":
        if (pendingBad) report(pendingBad);
        pendingBad = classified.warning;
        return;
    }
    if (pendingBad) report(pendingBad);
    pendingBad = undefined;
    if (classified.kind === "not-object" || classified.kind === "not-record") {
      report(classified.warning);
      return;
    }
    if (records++ === 0) { for (const warning of held.splice(0)) warn(warning); }
    if (classified.kind === "unknown") {
      report(classified.warning);
      return;
    }
    const { type, record } = classified;
    if (type === "start") {
      if (typeof record.id === "number") open.add(record.id);
    } else if (type === "step") {
      if (typeof record.id === "number") open.delete(record.id);
      // The fields as toSessionStep() reads them, without copying the step's context and logs.
      stats.addStep({
        name: asText(record.name),
        outcome: asText(record.outcome ?? "ok"),
        duration_ms: asNumber(record.duration_ms),
        usage: asObject(record.usage),
      });
    }
  });
  if (records === 0) {
    warn({ path, line: 0, message: `${notATraceReason(held[0] ?? pendingBad)}, skipped` });
    return;
  }
  if (pendingBad) {
    pendingBad.message = CUT_OFF_MESSAGE;
    warn(pendingBad); // the cut-off end is always said
  }
  const counted = limit.suppressed;
  const more = limit.summary();
  if (more) {
    warn(more);
    stats.addWarning(counted - 1);
  }
  stats.addSession();
  stats.addInFlight(open.size);
}
