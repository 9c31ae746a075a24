/**
 * `ai-trace stats`: totals across every session of the trace directory, and
 * per step name count, error rate, p50/p95 duration, tokens and cost.
 *
 * @module
 */

import { statsReport } from "../read/directory_report.ts";
import type { StatsReport } from "../read/stats.ts";
import { EXTRA_TOKEN_LABELS, extraTokenParts, hasUsage } from "../model/usage.ts";
import { type Command, COMMON_HELP, printJson } from "./command.ts";
import { FILTER_HELP, FILTER_OPTIONS, parseFilterFlags } from "./filter_flags.ts";
import { formatDuration, printable, type Style, table } from "./format.ts";
import { formatWarning } from "./list.ts";

/** Renders a stats report as text. */
export function renderStatsText(report: StatsReport, style: Style): string {
  const label = (text: string) => style.bold(text.padEnd(11));
  const lines = [
    label("Sessions:") + report.sessions,
    label("Steps:") + report.steps,
    label("OK:") + report.ok,
    label("Errors:") + (report.errors > 0 ? style.red(String(report.errors)) : "0"),
  ];
  if (report.other > 0) lines.push(label("Other:") + report.other);
  if (report.in_flight > 0) lines.push(label("In flight:") + style.yellow(String(report.in_flight)));
  lines.push(
    label("Duration:") +
      (report.steps === 0 ? "no steps" : `p50 ${formatDuration(report.p50_ms)} · p95 ${formatDuration(report.p95_ms)}`),
  );
  if (hasUsage(report)) {
    const extra = extraTokenParts(report);
    lines.push(
      label("Tokens:") + `${report.input_tokens} in / ${report.output_tokens} out` +
        (extra.length > 0 ? ` (${extra.join(", ")})` : ""),
    );
    lines.push(label("Cost:") + `$${report.cost_usd}`);
  }
  if (report.top_names.length > 0) {
    lines.push(
      label("Top names:") + report.top_names.map(({ name, count }) => `${printable(name)} (${count})`).join(", "),
    );
  }
  let text = lines.join("\n") + "\n";
  if (report.by_name.length > 0) {
    // The cache and reasoning columns only when some step reported them.
    const extra = EXTRA_TOKEN_LABELS.filter(([key]) => report[key] !== 0);
    const rows = [
      ["NAME", "COUNT", "ERRORS", "ERROR RATE", "P50", "P95", "TOKENS IN", "TOKENS OUT"]
        .concat(extra.map(([, label]) => label.toUpperCase()), ["COST"]).map(style.bold),
    ];
    for (const name of report.by_name) {
      const rate = `${(name.error_rate * 100).toFixed(1)}%`;
      rows.push([
        style.cyan(printable(name.name)),
        String(name.count),
        name.errors > 0 ? style.red(String(name.errors)) : "0",
        name.errors > 0 ? style.red(rate) : rate,
        formatDuration(name.p50_ms),
        formatDuration(name.p95_ms),
        String(name.input_tokens),
        String(name.output_tokens),
        ...extra.map(([key]) => String(name[key])),
        `$${name.cost_usd}`,
      ]);
    }
    const align: ("left" | "right")[] = ["left", ...rows[0].slice(1).map(() => "right" as const)];
    text += "\n" + table(rows, align);
  }
  return text;
}

/** The `stats` command. */
export const stats: Command = {
  name: "stats",
  summary: "Totals across sessions, and per step name: errors, p50/p95, tokens, cost",
  help: `Usage: ai-trace stats [filters] [--json]

Adds up every session in the trace directory: sessions, steps, ok, errors,
steps in flight, the most frequent step names; then per step name: count,
errors, error rate, p50 and p95 duration, tokens in and out, and cost.
Files are streamed, so memory stays flat however large the directory. A JSON
snapshot next to its JSONL file is the same session and is counted once.
Lines and files that cannot be read are skipped with a warning on standard
error. With filters, only the sessions that pass them are added up.

${FILTER_HELP}

${COMMON_HELP}`,
  options: { ...FILTER_OPTIONS },
  maxPositionals: 0,
  async run({ io, dir, json, style, values }): Promise<number> {
    const now = io.now();
    const filter = parseFilterFlags(values, "stats", now);
    const skip = (warning: { path: string; line: number; message: string }) =>
      io.stderr(formatWarning({ ...warning, message: `${warning.message}, skipped` }, style));
    const report = await statsReport(dir, filter, {
      now,
      onSkipped: skip,
      onWarning: (warning) => io.stderr(formatWarning(warning, style)),
    });
    if (json) printJson(io, report);
    else io.stdout(renderStatsText(report, style));
    return 0;
  },
};
