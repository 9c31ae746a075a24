/**
 * `ai-trace diff <a> <b>`: two runs aligned step by step, the first place the
 * second run decided differently (with both sides' context, decision and
 * error), and a compact aligned tree with markers. Exit codes as `diff(1)`:
 * 0 the same, 1 different, 2 trouble.
 *
 * @module
 */

import { type DiffRow, diffSessions, type SessionDiff, type SessionTotals } from "../compare/diff.ts";
import type { Session, SessionStep } from "../format/types.ts";
import { type Command, COMMON_HELP, printJson, stringFlag } from "./command.ts";
import { writeOutputFile } from "./export.ts";
import { renderDiffHtml } from "../render/html_diff.ts";
import { formatDuration, plural, printable, type Style, table } from "./format.ts";
import { formatWarning } from "./list.ts";
import { describeFailure, EXIT_USAGE, UsageError } from "./usage_error.ts";
import { AGENT_OPTION, lookupOptions, resolveSession, SESSION_HELP, stepDetails, stepTitle } from "./view.ts";

/** Runs of this many or more same steps in a row are folded to their first and last two. */
const FOLD_AT = 6;
/** The widest a step's name prints in the aligned tree. */
const NAME_WIDTH = 40;

function signed(value: number, text: (n: number) => string): string {
  if (value === 0 || text(Math.abs(value)) === text(0)) return "=";
  return `${value > 0 ? "+" : "−"}${text(Math.abs(value))}`;
}

function money(usd: number): string {
  return `$${Number(usd.toFixed(6))}`;
}

/** The header: both runs' totals side by side, with the change. */
function totalsTable(a: SessionTotals, b: SessionTotals, style: Style): string {
  const count = (n: number) => String(n);
  const rows: string[][] = [["", style.bold("a"), style.bold("b"), style.bold("change")]];
  rows.push(["agent", printable(a.agent), printable(b.agent), a.agent === b.agent ? "" : "differs"]);
  rows.push(["session", printable(a.session_id), printable(b.session_id), ""]);
  rows.push(["state", a.state, b.state, a.state === b.state ? "" : `${a.state} → ${b.state}`]);
  const numeric = (label: string, x: number, y: number, text: (n: number) => string = count) =>
    rows.push([label, text(x), text(y), signed(Math.round((y - x) * 1e6) / 1e6, text)]);
  numeric("steps", a.steps, b.steps);
  numeric("errors", a.errors, b.errors);
  numeric("in flight", a.in_flight, b.in_flight);
  numeric("decisions", a.decisions, b.decisions);
  rows.push([
    "duration",
    formatDuration(a.duration_ms),
    formatDuration(b.duration_ms),
    a.duration_ms !== null && b.duration_ms !== null ? signed(b.duration_ms - a.duration_ms, formatDuration) : "",
  ]);
  numeric("tokens", a.tokens, b.tokens);
  numeric("cost", a.cost_usd, b.cost_usd, money);
  return table(rows).split("\n").map((line) => line === "" ? line : `  ${line}`).join("\n");
}

/** What changed at a row, in a few words. */
function changeText(row: DiffRow): string {
  const parts: string[] = [];
  const { a, b } = row;
  if (a === null) return "only in b";
  if (b === null) return "only in a";
  for (const change of row.changes) {
    if (change === "decision") {
      parts.push(`decision ${actionText(a)} → ${actionText(b)}`);
    } else if (change === "outcome") parts.push(`outcome ${outcomeText(a)} → ${outcomeText(b)}`);
    else if (change === "context") parts.push("context changed");
  }
  return parts.join(", ");
}

function actionText(step: SessionStep): string {
  return step.decision ? printable(cut(String(step.decision.action), 40)) : "(none)";
}

function outcomeText(step: SessionStep): string {
  return step.in_flight ? "in flight" : printable(cut(String(step.outcome), 40));
}

function cut(text: string, max: number): string {
  let count = 0;
  let end = 0;
  for (const char of text) {
    if (++count > max) return `${text.slice(0, end)}…`;
    end += char.length;
  }
  return text;
}

function tokensOf(step: SessionStep | null): number | undefined {
  if (step?.usage === undefined) return undefined;
  const sum = (step.usage.input_tokens ?? 0) + (step.usage.output_tokens ?? 0);
  return Number.isFinite(sum) ? sum : undefined;
}

/** Per-step duration and token figures: one side's, or both with the change. */
function deltaText(row: DiffRow): string {
  const parts: string[] = [];
  const da = row.a?.duration_ms ?? null;
  const db = row.b?.duration_ms ?? null;
  if (row.a !== null && row.b !== null) {
    if (da !== null && db !== null) {
      parts.push(`${formatDuration(da)} → ${formatDuration(db)} (${signed(db - da, formatDuration)})`);
    } else if (da !== null || db !== null) parts.push(`${formatDuration(da)} → ${formatDuration(db)}`);
  } else {
    const one = da ?? db;
    if (one !== null) parts.push(formatDuration(one));
  }
  const ta = tokensOf(row.a);
  const tb = tokensOf(row.b);
  if (ta !== undefined || tb !== undefined) {
    if (row.a !== null && row.b !== null) {
      parts.push(`tokens ${ta ?? 0} → ${tb ?? 0} (${signed((tb ?? 0) - (ta ?? 0), String)})`);
    } else parts.push(`tokens ${ta ?? tb}`);
  }
  return parts.join("  ");
}

function rowLine(row: DiffRow, style: Style): string {
  const indent = "  ".repeat(Math.min(row.depth, 20));
  const name = cut(printable(row.path[row.path.length - 1] ?? ""), NAME_WIDTH);
  const marker = row.marker === "="
    ? style.dim("=")
    : row.marker === "~"
    ? style.yellow("~")
    : row.marker === "+"
    ? style.green("+")
    : style.red("-");
  const change = row.marker === "=" ? "" : changeText(row);
  const pad = " ".repeat(Math.max(1, NAME_WIDTH + 2 - indent.length - [...name].length));
  const details = [change ? style.bold(change) : "", style.dim(deltaText(row))].filter((text) => text !== "");
  return `${marker} ${indent}${name}${pad}${details.join("  ")}`.trimEnd();
}

/** The aligned tree's lines, with long runs of same steps folded. */
function treeLines(rows: DiffRow[], style: Style): string[] {
  const lines: string[] = [];
  let i = 0;
  while (i < rows.length) {
    if (rows[i].marker !== "=") {
      lines.push(rowLine(rows[i++], style));
      continue;
    }
    let j = i;
    while (j < rows.length && rows[j].marker === "=") j++;
    if (j - i >= FOLD_AT) {
      lines.push(rowLine(rows[i], style), rowLine(rows[i + 1], style));
      lines.push(style.dim(`  … ${j - i - 4} same steps`));
      lines.push(rowLine(rows[j - 2], style), rowLine(rows[j - 1], style));
    } else {
      for (let k = i; k < j; k++) lines.push(rowLine(rows[k], style));
    }
    i = j;
  }
  return lines;
}

function sideBlock(label: string, step: SessionStep | null, number: number | undefined, style: Style): string[] {
  if (step === null) return [`  ${style.bold(label)}  ${style.dim("(no such step in this run)")}`];
  const lines = [`  ${style.bold(label)}  ${stepTitle(step, style)}${style.dim(` · step ${number} of ${label}`)}`];
  for (const line of stepDetails(step, style, 120)) lines.push(`       ${line}`);
  return lines;
}

/**
 * Renders a comparison as text: both runs' totals, the first divergence with
 * both sides, then the aligned tree up to the first divergence (or whole,
 * with `all`) and a summary of what follows.
 *
 * @param diff The comparison.
 * @param a The first run.
 * @param b The second run.
 * @param style Colors, or none.
 * @param all List every difference, not only up to the first one.
 * @returns The text.
 */
export function renderDiffText(diff: SessionDiff, a: Session, b: Session, style: Style, all = false): string {
  const out: string[] = [];
  out.push(`${style.bold("a")}  ${printable(a.path)}`, `${style.bold("b")}  ${printable(b.path)}`, "");
  out.push(totalsTable(diff.totals.a, diff.totals.b, style));
  const first = diff.first_divergence;
  if (first === null) {
    out.push(
      style.green(`No difference: the same ${plural(diff.rows.length, "step")}, outcomes and decisions in both runs.`),
    );
    return out.join("\n") + "\n";
  }
  const numbers = (session: Session) => new Map(session.steps.map((step, i) => [step, i + 1]));
  const numberA = numbers(a);
  const numberB = numbers(b);
  const where = printable(first.path.join(" > "));
  const why = first.reason === "missing"
    ? "a step of a is missing from b"
    : first.reason === "added"
    ? "b has a step that a does not"
    : first.reason === "decision"
    ? "decided differently"
    : first.reason === "outcome"
    ? "ended differently"
    : "saw a different context";
  out.push(`${style.bold(style.yellow("First divergence"))} at ${style.bold(where)}: ${why}`);
  out.push(...sideBlock("a", first.a, first.a ? numberA.get(first.a) : undefined, style));
  out.push(...sideBlock("b", first.b, first.b ? numberB.get(first.b) : undefined, style));
  out.push("", style.dim("Aligned steps (= same, ~ changed, + only in b, - only in a):"));
  const firstIndex = diff.rows.findIndex((row) => row.marker !== "=");
  const shown = all ? diff.rows : diff.rows.slice(0, firstIndex + 1);
  out.push(...treeLines(shown, style));
  const counts = (rows: DiffRow[]) => {
    const changed = rows.filter((row) => row.marker === "~").length;
    const added = rows.filter((row) => row.marker === "+").length;
    const missing = rows.filter((row) => row.marker === "-").length;
    return [
      changed > 0 ? `${changed} changed` : "",
      added > 0 ? `${added} only in b` : "",
      missing > 0 ? `${missing} only in a` : "",
    ].filter((part) => part !== "").join(", ");
  };
  if (!all) {
    const rest = diff.rows.slice(firstIndex + 1);
    const more = rest.filter((row) => row.marker !== "=").length;
    if (rest.length > 0) {
      out.push(
        style.dim(
          more > 0
            ? `… ${plural(rest.length, "more step")} after it, ${plural(more, "more difference")} (${
              counts(rest)
            }); --all lists them`
            : `… ${plural(rest.length, "more step")} after it, all the same`,
        ),
      );
    }
  }
  out.push("", `${plural(diff.differences.length, "difference")}: ${counts(diff.rows)}`);
  return out.join("\n") + "\n";
}

/** The comparison as `--json` prints it: the aligned tree by step id, not whole steps again. */
export function diffJson(diff: SessionDiff): unknown {
  return {
    identical: diff.identical,
    first_divergence: diff.first_divergence,
    totals: diff.totals,
    differences: diff.differences,
    aligned: diff.rows.map((row) => ({
      marker: row.marker,
      changes: row.changes,
      depth: row.depth,
      path: row.path,
      a: row.a?.id ?? null,
      b: row.b?.id ?? null,
    })),
  };
}

/** The `diff` command. */
export const diff: Command = {
  name: "diff",
  summary: "Two runs step by step: where the second first decided differently",
  help: `Usage: ai-trace diff <a> <b> [--context] [--all] [--html [-o FILE]] [--json]

Aligns the steps of two runs by their place in the tree (parent, name, and
place among the siblings with that name), tolerant of steps inserted or
missing on either side, and shows: both runs' totals with the change; the
first divergence — the first step whose decision's action or outcome
differs, or that only one run has — with both sides' context, decision
(action, reason, confidence, alternatives) and error; then the aligned tree
up to it, with markers:
  =  the same     ~  changed (decision, outcome, or context with --context)
  +  only in b    -  only in a
and per-step duration and token changes. Long runs of same steps are folded.

<a> and <b> are two sessions ("ai-trace diff latest~1 latest" compares the
newest run with the one before it); each, as <session> elsewhere:
${SESSION_HELP}

Options:
      --agent NAME    With latest or latest~N: that agent's sessions only (repeatable)
      --context       Count a step whose context differs as changed
      --all           List every difference, not only up to the first one
      --html          A self-contained HTML page instead: both timelines side
                      by side, the first divergence highlighted, both sides
                      of a step on a click (to -o FILE, or standard output)
  -o, --output FILE   Where --html writes (atomically)

--json prints { identical, first_divergence: { reason, path, a, b } | null,
totals: { a, b }, differences: [...], aligned: [...] }, steps as "view --json"
prints them.

Exit codes (as diff(1)): 0 the runs are the same, 1 they differ, 2 trouble
(bad usage, a session that cannot be found or read).

${COMMON_HELP}`,
  options: {
    agent: AGENT_OPTION,
    context: { type: "boolean" },
    all: { type: "boolean" },
    html: { type: "boolean" },
    output: { type: "string", short: "o" },
  },
  maxPositionals: 2,
  async run({ io, output: writeOut, dir, json, style, values, positionals }): Promise<number> {
    try {
      if (positionals.length < 2) {
        throw new UsageError(
          `Missing ${positionals.length === 0 ? "<a> and <b>" : "<b>"} (two sessions, e.g. "latest~1 latest")`,
          "ai-trace diff --help",
        );
      }
      const output = stringFlag(values, "output");
      if (output !== undefined && values.html !== true) {
        throw new UsageError('Option "--output" works only with --html', "ai-trace diff --help");
      }
      const lookup = lookupOptions(io, values, style);
      const a = await resolveSession(dir, positionals[0], io.now(), "diff", lookup);
      const b = await resolveSession(dir, positionals[1], io.now(), "diff", lookup);
      for (const warning of [...a.warnings, ...b.warnings]) io.stderr(formatWarning(warning, style));
      const result = diffSessions(a, b, { context: values.context === true });
      const code = result.identical ? 0 : 1;
      if (values.html === true) {
        const html = renderDiffHtml(a, b, result, { generatedAt: io.now() });
        if (output === undefined || output === "-") {
          writeOut(html); // the page's bytes, as -o writes them: it escapes its own values
          return code;
        }
        const bytes = writeOutputFile(output, html);
        if (json) printJson(io, { path: output, bytes, identical: result.identical, a: a.path, b: b.path });
        else io.stderr(`Wrote the comparison of the two runs to ${printable(output)} (${bytes} bytes)\n`);
        return code;
      }
      if (json) printJson(io, diffJson(result));
      else io.stdout(renderDiffText(result, a, b, style, values.all === true));
      return code;
    } catch (err) {
      // diff(1)'s convention: trouble is 2, whatever it was, so that 1 always means "different".
      io.stderr(describeFailure(err).text);
      return EXIT_USAGE;
    }
  },
};
