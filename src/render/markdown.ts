/**
 * The Markdown report of a session, in the original's layout: title, Summary
 * table, Metadata, numbered Steps with ✅/❌, Context, Logs, Error. Nesting
 * shows in the numbers (`2.1`), and every value is escaped so that no value
 * can break the document.
 *
 * @module
 */

import type { JsonValue, Session, SessionStep } from "../format/types.ts";
import { formatDuration } from "./duration.ts";
import type { UsageTotals } from "../format/types.ts";
import { INVALID_TIME, isValidTime } from "../format/fields.ts";
import { extraTokenParts, formatTokens } from "../model/usage.ts";
import { printable } from "./printable.ts";

/** How many lines of a stack the report shows. */
const STACK_LINES = 12;

/**
 * Renders a session as Markdown.
 *
 * @param session the session, as read back.
 * @param generatedAt the time printed under the title, epoch milliseconds.
 */
export function renderMarkdown(session: Session, generatedAt: number = Date.now()): string {
  const out: string[] = [];
  const s = session.summary;
  out.push(`# Trace: ${escapeText(session.agent)} — ${escapeText(session.session_id)}`);
  out.push(`*Generated: ${formatUtc(generatedAt)}*`, "");
  out.push("## Summary");
  out.push("| Steps | OK | Errors | In flight | Avg duration | p50 | p95 | Tokens in / out | Cost | State |");
  out.push("|---|---|---|---|---|---|---|---|---|---|");
  out.push(
    `| ${s.steps} | ${s.ok} | ${s.errors} | ${s.in_flight} | ${ms(s.avg_ms)} | ${ms(s.p50_ms)} | ${
      ms(s.p95_ms)
    } | ${s.input_tokens} / ${s.output_tokens}${extraTokens(s)} | $${s.cost_usd.toFixed(4)} | ${session.state} |`,
  );
  out.push("");
  const metaKeys = Object.keys(session.meta);
  if (metaKeys.length > 0) {
    out.push("## Metadata");
    for (const key of metaKeys) out.push(`- **${escapeText(key)}**: ${inlineValue(session.meta[key])}`);
    out.push("");
  }
  if (session.warnings.length > 0) {
    out.push("## Warnings");
    for (const w of session.warnings) out.push(`- line ${w.line}: ${escapeText(w.message)}`);
    out.push("");
  }
  out.push("## Steps", "");
  const numbers = numberSteps(session.steps);
  for (const step of session.steps) renderStep(out, step, numbers.get(step) ?? "?");
  return out.join("\n").replace(/\n+$/, "\n");
}

// The cache and reasoning tokens of a summary, for the Summary table: "" when there are none.
function extraTokens(sums: UsageTotals): string {
  const extra = extraTokenParts(sums);
  return extra.length === 0 ? "" : ` (${extra.join(", ")})`;
}

function renderStep(out: string[], step: SessionStep, number: string): void {
  const icon = step.in_flight ? "⏳" : step.outcome === "ok" ? "✅" : step.outcome === "error" ? "❌" : "⚠️";
  const timing = step.in_flight ? "in flight" : ms(step.duration_ms ?? 0);
  const outcome = !step.in_flight && step.outcome !== "ok" && step.outcome !== "error"
    ? ` — ${code(step.outcome ?? "")}`
    : "";
  const kind = step.kind ? ` *${escapeText(step.kind)}*` : "";
  out.push(`### ${number}. ${icon} ${code(step.name)}${kind} (${timing})${outcome}`);
  const contextKeys = Object.keys(step.context);
  if (contextKeys.length > 0) {
    out.push("**Context:**");
    for (const key of contextKeys) out.push(`- ${code(key)}: ${code(json(step.context[key]))}`);
    out.push("");
  }
  if (step.logs.length > 0) {
    out.push("**Logs:**");
    for (const entry of step.logs) {
      const fields = Object.keys(entry).filter((key) => key !== "_t")
        .map((key) => code(`${key}=${json(entry[key])}`));
      out.push(`- ${code(formatTime(entry._t))} — ${fields.join(", ")}`);
    }
    out.push("");
  }
  if (step.decision) {
    const d = step.decision;
    let line = `**Decision:** ${code(d.action)}`;
    if (d.confidence !== undefined) line += ` (confidence ${d.confidence})`;
    if (d.reason !== undefined) line += ` — ${escapeText(d.reason)}`;
    out.push(line);
    if (d.alternatives && d.alternatives.length > 0) {
      out.push(`*Alternatives:* ${d.alternatives.map((a) => code(json(a))).join(", ")}`);
    }
    out.push("");
  }
  if (step.usage) {
    const u = step.usage;
    const parts: string[] = [];
    if (u.model !== undefined) parts.push(code(u.model));
    if (u.response_model !== undefined && u.response_model !== u.model) {
      parts.push(`answered by ${code(u.response_model)}`);
    }
    if (u.provider !== undefined) parts.push(`via ${code(u.provider)}`);
    if (u.input_tokens !== undefined || u.output_tokens !== undefined || extraTokenParts(u).length > 0) {
      parts.push(formatTokens(u));
    }
    if (u.cost_usd !== undefined) parts.push(`$${u.cost_usd}`);
    out.push(`**Usage:** ${parts.join(", ")}`, "");
  }
  if (step.error !== null) {
    const type = step.error_type ? `${code(step.error_type)}: ` : "";
    out.push(`**Error:** ${type}${code(step.error)}`);
    if (step.stack) {
      // Each line escaped like any value: a fence shows its content raw.
      const lines = step.stack.split("\n").slice(0, STACK_LINES).map(printable).join("\n");
      out.push(fence(lines));
    }
    out.push("");
  }
  if (step.in_flight) out.push("**In flight:** this step began and never ended.", "");
}

/**
 * How many levels a step's number shows: deeper steps are numbered
 * `1.2.3.4.5.6.7.…[level 40].2` — the first levels, the depth, and the step's
 * place among its siblings — so a chain of 16,000 nested steps gives a report
 * linear in its size, not 16,000 numbers of up to 16,000 parts.
 */
export const MAX_NUMBER_LEVELS = 8;

/** Hierarchical numbers: top-level steps 1, 2, 3; their children 2.1, 2.2; at most {@linkcode MAX_NUMBER_LEVELS} shown. */
function numberSteps(steps: SessionStep[]): Map<SessionStep, string> {
  const numbers = new Map<SessionStep, string>();
  // Per step id: its number, its depth (1 = top level), and the number of its ancestor at the last shown level.
  const byId = new Map<number, { text: string; depth: number; head: string }>();
  const counters = new Map<number | null, number>();
  for (const step of steps) {
    const parent = step.parent_id === null ? undefined : byId.get(step.parent_id);
    const key = parent === undefined ? null : step.parent_id;
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    const depth = parent === undefined ? 1 : parent.depth + 1;
    let text: string;
    if (parent === undefined) text = String(n);
    else if (depth <= MAX_NUMBER_LEVELS) text = `${parent.text}.${n}`;
    else text = `${parent.head}.…[level ${depth}].${n}`;
    const head = depth < MAX_NUMBER_LEVELS ? text : parent!.head;
    numbers.set(step, text);
    byId.set(step.id, { text, depth, head });
  }
  return numbers;
}

/** JSON text of a value, on one line. */
function json(value: JsonValue | undefined): string {
  return value === undefined ? "undefined" : JSON.stringify(value);
}

function inlineValue(value: JsonValue): string {
  return typeof value === "string" ? escapeText(value) : code(json(value));
}

// Control and invisible characters are shown escaped (`\u001b`, `\u202e`): `cat report.md` must
// not replay a title change or a screen clear, nor reorder text.
const visible = printable;

/**
 * An inline code span that holds `text` literally: the fence is one backtick
 * longer than the longest run inside, and control characters are shown escaped.
 */
export function code(text: string): string {
  const value = visible(text);
  if (value === "") return "` `";
  let longest = 0;
  for (const run of value.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = "`".repeat(longest + 1);
  const pad = value.startsWith("`") || value.endsWith("`") || value.startsWith(" ") ? " " : "";
  return `${ticks}${pad}${value}${pad}${ticks}`;
}

/** Plain text with every Markdown and HTML special character escaped, on one line. */
export function escapeText(text: string): string {
  return visible(text).replace(/[\\`*_[\]<>&|~]/g, (c) => `\\${c}`);
}

function fence(text: string): string {
  let longest = 2;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = "`".repeat(longest + 1);
  return `${ticks}\n${text}\n${ticks}`;
}

function ms(value: number): string {
  return formatDuration(value);
}

function formatUtc(epochMs: number): string {
  if (!isValidTime(epochMs / 1000)) return INVALID_TIME;
  return new Date(epochMs).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function formatTime(epochSeconds: number): string {
  if (typeof epochSeconds !== "number" || !Number.isFinite(epochSeconds)) return "—";
  if (!isValidTime(epochSeconds)) return INVALID_TIME;
  return new Date(epochSeconds * 1000).toISOString().slice(11, 23) + "Z";
}
