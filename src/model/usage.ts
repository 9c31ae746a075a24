/**
 * The fields of a step's usage: which are text (the last one given is kept;
 * the numbers, added up, are {@linkcode SUMMED_USAGE}), and how their sums are shown.
 *
 * @module
 */

import { SUMMED_USAGE } from "./aggregator.ts";
import type { UsageTotals } from "../format/types.ts";

/** Usage fields that are text: the last one given is kept. */
export const USAGE_TEXT_FIELDS = ["model", "response_model", "provider"] as const;

/** The cache and reasoning token counts, beside input and output: each field and how it is named. */
export const EXTRA_TOKEN_LABELS: [
  key: "cache_read_input_tokens" | "cache_creation_input_tokens" | "reasoning_tokens",
  label: string,
][] = [
  ["cache_read_input_tokens", "cache read"],
  ["cache_creation_input_tokens", "cache write"],
  ["reasoning_tokens", "reasoning"],
];

/**
 * The cache and reasoning token counts worth showing, e.g.
 * `["1024 cache read", "64 reasoning"]` (zero and absent counts left out).
 */
export function extraTokenParts(usage: Partial<UsageTotals>): string[] {
  const parts: string[] = [];
  for (const [key, label] of EXTRA_TOKEN_LABELS) {
    const value = usage[key];
    if (typeof value === "number" && value !== 0) parts.push(`${value} ${label}`);
  }
  return parts;
}

/** `"<in> in / <out> out tokens"`, then the cache and reasoning counts in parentheses when there are any. */
export function formatTokens(usage: Partial<UsageTotals>): string {
  const extra = extraTokenParts(usage);
  const base = `${usage.input_tokens ?? 0} in / ${usage.output_tokens ?? 0} out tokens`;
  return extra.length === 0 ? base : `${base} (${extra.join(", ")})`;
}

/** Whether any token count or the cost is non-zero. */
export function hasUsage(sums: UsageTotals): boolean {
  for (const key of SUMMED_USAGE) if (sums[key] !== 0) return true;
  return false;
}
