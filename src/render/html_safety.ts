/**
 * What every HTML page of ai-trace (the report, the diff page, `serve`'s page)
 * needs to stay safe with hostile values: escaping for text and attributes,
 * JSON that cannot close its `<script>` element, and hashes of the inline
 * script and style for the Content-Security-Policy.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { escapeChar, UNSAFE_CLASS } from "./printable.ts";

/**
 * A CSP source for an inline script or style: `'sha256-…'` of its text.
 *
 * @param text The exact text between the tags.
 * @returns The quoted hash source.
 */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

const UNSAFE = new RegExp(UNSAFE_CLASS, "g");

/**
 * Escapes text for an HTML text node or a quoted attribute. Control
 * characters (not allowed in HTML text) and the invisible characters that
 * reorder or hide text are shown as `\uXXXX`, the rule of `printable()`;
 * line breaks and tabs stay.
 *
 * @param text Any text.
 * @returns The text, safe between tags and inside quotes.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])
    .replace(UNSAFE, (c) => c === "\n" || c === "\t" ? c : escapeChar(c));
}

/**
 * Serializes a value as JSON that is safe inside a `<script>` element: `<`,
 * `>`, `&`, C1 controls, U+2028, U+2029 and the bidi and zero-width
 * characters become `\uXXXX` escapes, which JSON.parse reads back as the
 * same characters.
 *
 * @param value Any JSON value.
 * @returns The JSON text.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(SCRIPT_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

// Besides what could close the element: C1 controls and bidi and zero-width characters (JSON.stringify
// escapes C0 itself), so the file holds none raw and `cat report.html` replays nothing.
const SCRIPT_UNSAFE = new RegExp(`[<>&]|${UNSAFE_CLASS}`, "g");

/**
 * The Content-Security-Policy of a self-contained page: nothing but its own
 * inline script and style (by hash) and `data:` images, no connection of any
 * kind, and Trusted Types enforced so that no HTML string can reach the DOM.
 *
 * @param script The page's inline script, exactly.
 * @param style The page's inline style, exactly.
 * @returns The policy, for a `<meta http-equiv="Content-Security-Policy">`.
 */
export function selfContainedPolicy(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${cspHash(script)}`,
    `style-src ${cspHash(style)}`,
    "img-src data:",
    "connect-src 'none'",
    "font-src 'none'",
    "media-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "manifest-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join("; ");
}
