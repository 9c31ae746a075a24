/**
 * `ai-trace list`: the sessions of the trace directory, newest first, with
 * their counts, duration, size and state.
 *
 * @module
 */

import { listSessionsReport } from "../read/directory_report.ts";
import { isFilterActive } from "../read/session_filter.ts";
import { listTraceFiles } from "../read/trace_dir.ts";
import { invalidTimes } from "../format/fields.ts";
import type { ReadWarning } from "../format/types.ts";
import { type Command, COMMON_HELP, printJson, stringFlag } from "./command.ts";
import { FILTER_HELP, FILTER_OPTIONS, parseFilterFlags } from "./filter_flags.ts";
import { formatDateTime, formatDuration, formatSize, printable, type Style, table } from "./format.ts";
import { UsageError } from "./usage_error.ts";

/** Parses a positive whole number flag, or throws a {@linkcode UsageError}. */
export function countFlag(value: string | undefined, flag: string, command: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`Option "${flag}" needs a whole number, got "${value}"`, `ai-trace ${command} --help`);
  }
  return Number(value);
}

/** Colors a session state. */
export function formatState(state: string, inFlight: number, style: Style): string {
  const text = inFlight > 0 ? `${state} (${inFlight} in flight)` : state;
  if (state === "complete") return style.green(text);
  if (state === "running") return style.yellow(text);
  return style.red(text);
}

/** Formats a warning for standard error. */
export function formatWarning(warning: ReadWarning, style: Style): string {
  const where = warning.line > 0 ? `${warning.path}:${warning.line}` : warning.path;
  return `${style.yellow("warning:")} ${printable(where)}: ${printable(warning.message)}\n`;
}

/** The `list` command. */
export const list: Command = {
  name: "list",
  summary: "Sessions, newest first: steps, errors, duration, size, state",
  help: `Usage: ai-trace list [-n N] [filters] [--json]

Lists the sessions in the trace directory, newest first: when each started
(UTC), agent, session id, steps, errors, duration, file size and state
(complete, crashed, or running). A complete session is summarized from the
first and last lines of its file alone, and a file whose name rules it out
(another agent, another time) is not opened at all.

Options:
  -n, --limit N         Show only the N newest sessions (that pass the filters)

${FILTER_HELP}

Example: ai-trace list --agent research_agent --state crashed --since 24h

${COMMON_HELP}`,
  options: { limit: { type: "string", short: "n" }, ...FILTER_OPTIONS },
  maxPositionals: 0,
  async run({ io, dir, json, style, values }): Promise<number> {
    const limit = countFlag(stringFlag(values, "limit"), "--limit", "list");
    const now = io.now();
    const filter = parseFilterFlags(values, "list", now);
    const report = await listSessionsReport(dir, filter, { now, limit });
    for (const warning of report.skipped) {
      io.stderr(formatWarning({ ...warning, message: `${warning.message}, skipped` }, style));
    }
    if (json) {
      printJson(io, report);
      return 0;
    }
    const entries = report.sessions;
    if (entries.length === 0) {
      const total = listTraceFiles(dir).files.length;
      if (limit === 0 && total > 0) {
        // Not "no sessions": there are some, -n 0 showed none of them.
        const of = isFilterActive(filter) ? "" : ` of ${total}`;
        io.stdout(`0${of} sessions shown (-n 0)\n`);
      } else {
        const which = isFilterActive(filter) ? "No sessions match the filters" : "No sessions";
        io.stdout(`${which} in "${printable(dir)}"\n`);
      }
      return 0;
    }
    const rows = [
      ["STARTED (UTC)", "AGENT", "SESSION", "STEPS", "ERRORS", "DURATION", "SIZE", "STATE"].map(style.bold),
    ];
    for (const entry of entries) {
      for (const message of invalidTimes(entry)) {
        io.stderr(formatWarning({ path: entry.path, line: 0, message }, style));
      }
      rows.push([
        formatDateTime(entry.started_at),
        style.cyan(printable(entry.agent)),
        printable(entry.session_id),
        String(entry.steps),
        entry.errors > 0 ? style.red(String(entry.errors)) : "0",
        formatDuration(entry.duration_ms),
        formatSize(entry.size),
        formatState(entry.state, entry.in_flight, style),
      ]);
    }
    io.stdout(table(rows, ["left", "left", "left", "right", "right", "right", "right", "left"]));
    return 0;
  },
};
