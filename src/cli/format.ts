/**
 * Text formatting for the CLI: colors (only on a terminal, never with
 * `NO_COLOR` or `--json`), durations, sizes, times, values and tables.
 *
 * @module
 */

import { INVALID_TIME, isValidTime } from "../format/fields.ts";
import type { JsonValue } from "../format/types.ts";
import type { Io } from "./io.ts";
import { escapeChar, printable, UNSAFE_CLASS } from "../render/printable.ts";

/** Colors and emphasis; every method is the identity when colors are off. */
export interface Style {
  /** Whether colors are on. */
  enabled: boolean;
  /** Bold text. */
  bold(text: string): string;
  /** Dim text, for secondary details. */
  dim(text: string): string;
  /** Red text, for errors. */
  red(text: string): string;
  /** Green text, for success. */
  green(text: string): string;
  /** Yellow text, for warnings and steps in flight. */
  yellow(text: string): string;
  /** Cyan text, for names. */
  cyan(text: string): string;
}

// The SGR codes each style opens and closes with: the only escape sequences the CLI writes.
const SGR = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

function sgr(open: number, close: number): (text: string) => string {
  return (text) => `\x1b[${open}m${text}\x1b[${close}m`;
}

const identity = (text: string): string => text;

/**
 * Makes a {@linkcode Style}.
 *
 * @param enabled Whether to color.
 * @returns The style.
 */
export function createStyle(enabled: boolean): Style {
  if (!enabled) {
    return { enabled, bold: identity, dim: identity, red: identity, green: identity, yellow: identity, cyan: identity };
  }
  return {
    enabled,
    bold: sgr(...SGR.bold),
    dim: sgr(...SGR.dim),
    red: sgr(...SGR.red),
    green: sgr(...SGR.green),
    yellow: sgr(...SGR.yellow),
    cyan: sgr(...SGR.cyan),
  };
}

/**
 * Whether a command's output gets colors: standard output is a terminal,
 * `NO_COLOR` is unset or empty (https://no-color.org), and it is not `--json`.
 *
 * @param io Where the output goes.
 * @param json Whether `--json` was given.
 * @returns Whether to color.
 */
export function useColor(io: Io, json: boolean): boolean {
  if (json || !io.isTTY) return false;
  const noColor = io.env("NO_COLOR");
  return noColor === undefined || noColor === "";
}

/** A duration for people: the one rule of {@linkcode formatDuration} in `render/duration.ts`. */
export { formatDuration } from "../render/duration.ts";

/**
 * A size for people: `674 B`, `117.4 KiB`, `12.0 MiB`.
 *
 * @param bytes The size.
 * @returns The text.
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A date and time in UTC, `2026-11-24 22:08:03`.
 *
 * @param epochSeconds The time, or `null`.
 * @returns The text; `-` when unknown, `invalid time` when no date can hold it.
 */
export function formatDateTime(epochSeconds: number | null | undefined): string {
  if (epochSeconds === null || epochSeconds === undefined || !Number.isFinite(epochSeconds)) return "-";
  if (!isValidTime(epochSeconds)) return INVALID_TIME;
  const iso = new Date(epochSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * A time of day in UTC with milliseconds, `22:08:03.530`.
 *
 * @param epochSeconds The time, or `null`.
 * @returns The text; `-` when unknown, `invalid time` when no date can hold it.
 */
export function formatClock(epochSeconds: number | null | undefined): string {
  if (epochSeconds === null || epochSeconds === undefined || !Number.isFinite(epochSeconds)) return "-";
  if (!isValidTime(epochSeconds)) return INVALID_TIME;
  return new Date(epochSeconds * 1000).toISOString().slice(11, 23);
}

/**
 * Makes text safe to print on a terminal: control characters (escape
 * sequences a trace could carry) and invisible characters that reorder or
 * hide text (bidi controls, zero-width spaces) are shown escaped, as JSON
 * would (`\u001b`, `\u202e`). The one escaping rule of ai-trace (the
 * Markdown and HTML reports use it too): values go through it, and
 * {@linkcode terminalSafe} applies it to everything a command prints.
 */
export { printable };

// The sequences a Style writes, which terminalSafe keeps when colors are on (and line breaks).
const OWN_SGR = `\x1b\\[(?:${[...new Set(Object.values(SGR).flat())].join("|")})m`;
const OUTPUT_UNSAFE = new RegExp(`${OWN_SGR}|\n|${UNSAFE_CLASS}`, "g");
const OUTPUT_UNSAFE_NO_COLOR = new RegExp(`\n|${UNSAFE_CLASS}`, "g");

/**
 * The output boundary of the CLI: a command's whole output (standard output
 * and standard error, text and `--json`) goes through this before it is
 * written, so no message can forget {@linkcode printable}. Line breaks stay,
 * and with `colors` the color sequences of {@linkcode Style} stay; every other
 * control or invisible character is escaped. JSON stays the same JSON: those
 * characters only occur inside its strings, where `\u…` means the same.
 *
 * @param text What a command prints.
 * @param colors Whether the command's colors are on.
 * @returns The text, safe for a terminal.
 */
export function terminalSafe(text: string, colors: boolean): string {
  return text.replace(
    colors ? OUTPUT_UNSAFE : OUTPUT_UNSAFE_NO_COLOR,
    (c) => c.length > 1 || c === "\n" ? c : escapeChar(c),
  );
}

/**
 * A value, compactly and on one line: strings quoted, objects as JSON,
 * cut to `max` characters with a visible `…`.
 *
 * @param value Any JSON value.
 * @param max The longest text to return.
 * @returns The text.
 */
export function formatValue(value: JsonValue | undefined, max = 120): string {
  let text: string;
  if (value === undefined) text = "undefined";
  else if (typeof value === "string") text = JSON.stringify(value);
  else text = JSON.stringify(value) ?? String(value);
  text = printable(text);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The fields of an object as `key=value` pairs on one line.
 *
 * @param object The fields.
 * @param max The longest text for one value.
 * @returns The text, empty when there are no fields.
 */
export function formatFields(object: { [key: string]: JsonValue | undefined }, max = 120): string {
  return Object.entries(object).map(([key, value]) => `${printable(key)}=${formatValue(value, max)}`).join(" ");
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** How many columns a text takes (colors count 0, each code point 1). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const _ of text.replace(ANSI, "")) width++;
  return width;
}

/** How a table column is aligned. */
export type Align = "left" | "right";

/**
 * Lays out rows as columns separated by two spaces; the last column is not
 * padded. Cells may hold colors.
 *
 * @param rows The rows, the header first.
 * @param align Alignment per column. @default {all left}
 * @returns The lines, each ending with a newline.
 */
export function table(rows: string[][], align: Align[] = []): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
    });
  }
  let out = "";
  for (const row of rows) {
    const cells = row.map((cell, i) => {
      const gap = " ".repeat(widths[i] - displayWidth(cell));
      if (align[i] === "right") return gap + cell;
      return i === row.length - 1 ? cell : cell + gap;
    });
    out += cells.join("  ").trimEnd() + "\n";
  }
  return out;
}

/**
 * A plural: `1 step`, `2 steps`.
 *
 * @param n The count.
 * @param word The singular.
 * @returns The text.
 */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
