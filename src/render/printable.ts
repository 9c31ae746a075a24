/**
 * The one escaping rule for text shown to people, wherever it goes: the
 * terminal (every CLI command's output), the Markdown report, the HTML
 * report's text. Control characters (escape sequences a trace, a file name or
 * a server could carry) and the invisible characters that reorder or hide
 * text are shown as `\u…` escapes, as JSON would write them.
 *
 * @module
 */

import { UNSAFE_CLASS } from "../format/unsafe_chars.ts";

export { UNSAFE_CLASS };

const UNSAFE = new RegExp(UNSAFE_CLASS, "g");

/**
 * How one unsafe character is shown: `\n`, `\t`, `\r`, else `\uXXXX`.
 *
 * @param c One character of {@linkcode UNSAFE_CLASS}.
 * @returns Its visible escape.
 */
export function escapeChar(c: string): string {
  if (c === "\n") return "\\n";
  if (c === "\t") return "\\t";
  if (c === "\r") return "\\r";
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Makes text safe to show: control characters and invisible characters that
 * reorder or hide text become visible `\u…` escapes (`\u001b`, `\u202e`).
 *
 * @example
 * ```ts
 * import { printable } from "./printable.ts";
 * console.assert(printable("a\u001b[2Jb\u202e") === "a\\u001b[2Jb\\u202e");
 * ```
 *
 * @param text Any text.
 * @returns The text without control or invisible characters.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}
