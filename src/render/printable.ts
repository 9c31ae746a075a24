/**
 * The one escaping rule for text shown to people, wherever it goes: the
 * terminal (every CLI command's output), the Markdown report, the HTML
 * report's text. Control characters (escape sequences a trace, a file name or
 * a server could carry) and the invisible characters that reorder or hide
 * text are shown as `\u…` escapes, as JSON would write them.
 *
 * @module
 */

/**
 * The characters never shown raw, as a RegExp character class: C0 and C1
 * controls (title changes, screen clears, hyperlinks, clipboard writes), the
 * line and paragraph separators, and the invisible ones that reorder or hide
 * text (bidi controls U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C;
 * zero-width U+200B–U+200D, U+2060–U+2064, U+FEFF; U+180E).
 */
export const UNSAFE_CLASS =
  "[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]";

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
