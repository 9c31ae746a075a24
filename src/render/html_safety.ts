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
 * With `sameOrigin` (a page served by `ai-trace serve`), it may also ask its
 * own origin for data and show its own pages in a frame, and no other page may
 * frame it (an HTTP header policy: `frame-ancestors` is ignored in a `<meta>`).
 *
 * @param script The page's inline script, exactly.
 * @param style The page's inline style, exactly.
 * @param options `sameOrigin`: requests and frames to the page's own origin.
 * @returns The policy.
 */
export function selfContainedPolicy(script: string, style: string, options: { sameOrigin?: boolean } = {}): string {
  const own = options.sameOrigin === true ? "'self'" : "'none'";
  return [
    "default-src 'none'",
    `script-src ${cspHash(script)}`,
    `style-src ${cspHash(style)}`,
    "img-src data:",
    `connect-src ${own}`,
    "font-src 'none'",
    "media-src 'none'",
    "object-src 'none'",
    `frame-src ${own}`,
    "worker-src 'none'",
    "manifest-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    ...(options.sameOrigin === true ? ["frame-ancestors 'none'"] : []),
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join("; ");
}

/**
 * The favicon of ai-trace's pages, a small diamond as a `data:` URL, so that a
 * browser asks the network for none.
 *
 * @param color The fill, `#rrggbb`.
 * @returns The `href` of a `<link rel="icon">`.
 */
export function diamondIcon(color: string): string {
  return "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E" +
    `%3Cpath d='M8 1l7 7-7 7-7-7z' fill='${color.replace("#", "%23")}'/%3E%3C/svg%3E`;
}

/** What {@linkcode selfContainedPage} puts together. */
export interface SelfContainedPage {
  /** The page's title (escaped here). */
  title: string;
  /** Its Content-Security-Policy ({@linkcode selfContainedPolicy} of `script` and `style`). */
  policy: string;
  /** Its favicon ({@linkcode diamondIcon}). */
  icon: string;
  /** Its inline style, exactly as hashed. */
  style: string;
  /** The `class` of `<body>`, if any. */
  bodyClass?: string;
  /** The skeleton markup: no trace data. */
  body: string;
  /** The data, embedded as script-safe JSON in `#ai-trace-data`. */
  data: unknown;
  /** Its inline script, exactly as hashed. */
  script: string;
}

/**
 * One self-contained HTML page (the report, the comparison of two runs): the
 * same head, policy and data element for each, so no page can forget one.
 *
 * @param page What goes into it.
 * @returns The whole document.
 */
export function selfContainedPage(page: SelfContainedPage): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${page.policy}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="ai-trace">
<title>${escapeHtml(page.title)}</title>
<link rel="icon" href="${page.icon}">
<style>${page.style}</style>
</head>
<body${page.bodyClass === undefined ? "" : ` class="${page.bodyClass}"`}>
${page.body}
<script type="application/json" id="ai-trace-data">${scriptSafeJson(page.data)}</script>
<script>${page.script}</script>
</body>
</html>
`;
}
