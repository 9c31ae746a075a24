/**
 * The two reports about a whole trace directory, as `list --json` and
 * `stats --json` print them and as `ai-trace serve` answers `/api/sessions`
 * and `/api/stats`: one implementation for both.
 *
 * @module
 */

import type { ReadWarning } from "../format/types.ts";
import { filterToJson, isFilterActive, selectSessions, type SessionFilter } from "./session_filter.ts";
import type { SessionEntry } from "./session_index.ts";
import { collectStats, type StatsReport } from "./stats.ts";
import { listTraceFiles, type TraceFile } from "./trace_dir.ts";

/** One session of a {@linkcode SessionListReport}: its summary, with warnings counted. */
export type ListedSession = Omit<SessionEntry, "warnings"> & { warnings: number };

/** The sessions of a directory that pass a filter, newest first (`list --json`). */
export interface SessionListReport {
  /** The directory. */
  dir: string;
  /** The filter applied, as given (see `filterToJson`). */
  filter: Record<string, string | string[] | boolean>;
  /** The sessions, newest first. */
  sessions: ListedSession[];
  /** Files left out because they could not be read as traces. */
  skipped: ReadWarning[];
}

/** Options of {@linkcode listSessionsReport} and {@linkcode statsReport}. */
export interface DirectoryReportOptions {
  /** The time now, epoch milliseconds (running vs crashed). */
  now: number;
  /** At most this many sessions (list only). */
  limit?: number;
  /** Called for each file left out. */
  onSkipped?: (warning: ReadWarning) => void;
  /** Called for each line that could not be read (stats only). */
  onWarning?: (warning: ReadWarning) => void;
}

/**
 * The sessions of `dir` that pass `filter`, newest first, each summarized.
 *
 * @param dir The trace directory.
 * @param filter The filter (`{}` for all).
 * @param options The time now, a limit, where to report files left out.
 * @returns The report, as `list --json` prints it.
 */
export async function listSessionsReport(
  dir: string,
  filter: SessionFilter,
  options: DirectoryReportOptions,
): Promise<SessionListReport> {
  const listing = listTraceFiles(dir, { filter });
  const skipped: ReadWarning[] = [...listing.skipped];
  for (const warning of listing.skipped) options.onSkipped?.(warning);
  const selected = await selectSessions(listing.files, filter, {
    now: options.now,
    limit: options.limit,
    onSkipped: (warning) => {
      skipped.push(warning);
      options.onSkipped?.(warning);
    },
  });
  return {
    dir,
    filter: filterToJson(filter),
    sessions: selected.map(({ entry: { warnings, ...entry } }) => ({ ...entry, warnings: warnings.length })),
    skipped,
  };
}

/** Totals across the sessions of a directory (`stats --json`). */
export type DirectoryStatsReport = { dir: string; filter: Record<string, string | string[] | boolean> } & StatsReport;

/**
 * Totals and per-step-name numbers across the sessions of `dir` that pass
 * `filter`.
 *
 * @param dir The trace directory.
 * @param filter The filter (`{}` for all).
 * @param options The time now, where to report files left out and unreadable lines.
 * @returns The report, as `stats --json` prints it.
 */
export async function statsReport(
  dir: string,
  filter: SessionFilter,
  options: DirectoryReportOptions,
): Promise<DirectoryStatsReport> {
  const listing = listTraceFiles(dir, { filter });
  for (const warning of listing.skipped) options.onSkipped?.(warning);
  let files: TraceFile[] = listing.files;
  if (isFilterActive(filter)) {
    files = (await selectSessions(listing.files, filter, { now: options.now, onSkipped: options.onSkipped }))
      .map(({ file }) => file);
  }
  const report = await collectStats(files, { onWarning: options.onWarning });
  return { dir, filter: filterToJson(filter), ...report };
}
