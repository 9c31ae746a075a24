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
 * How one unsafe character is shown: `\n`, `\t`, `\r`, else `\uXXXX`. The
 * scripts of the HTML pages carry this very function
 * (`scripts/build_browser_scripts.ts` puts it in), so it must stay
 * self-contained.
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

/**
 * JSON text with no unsafe character raw: inside its strings they become
 * `\uXXXX` escapes, which every JSON parser reads back as the same
 * characters (JSON.stringify escapes C0 controls itself but leaves C1,
 * separators, bidi and zero-width characters raw). Line breaks outside
 * strings (indentation) stay. Exports use it, so `cat export.json` replays
 * nothing.
 *
 * @example
 * ```ts
 * import { safeJsonText } from "./printable.ts";
 * const text = safeJsonText(JSON.stringify({ name: "a\u202eb" }));
 * console.assert(text === '{"name":"a\\u202eb"}' && JSON.parse(text).name === "a\u202eb");
 * ```
 *
 * @param json Text from `JSON.stringify`.
 * @returns The same JSON, with those characters escaped.
 */
export function safeJsonText(json: string): string {
  return json.replace(UNSAFE, (c) => c === "\n" ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
