/**
 * The escaping rule of `printable.ts` on a page: how every page's script
 * (the report, the diff page, `serve`'s page) shows text from a trace or a
 * server. Control characters and the invisible characters that reorder or hide
 * text (bidi controls, zero-width spaces) are shown as marked `\u…` escapes,
 * so a name cannot hide or reorder what follows it; line breaks and tabs stay
 * (the layout decides what they do). Text reaches the DOM through
 * `textContent` only.
 *
 * Browser code: never imported at run time. `scripts/build_browser_scripts.ts`
 * puts {@linkcode visibleText} into each page's script, called with
 * `UNSAFE_CLASS` and `escapeChar` of `printable.ts`, so it must stay
 * self-contained: no imports but types, nothing from outside the function.
 *
 * @module
 */

import type { escapeChar } from "./printable.ts";

/** How a page shows text: {@linkcode visibleText}'s answer. */
export interface VisibleText {
  /** Whether the text holds a character that is shown escaped. */
  has(text: string): boolean;
  /** Text for an attribute (a tooltip, the title): unsafe characters escaped. */
  plain(text: string): string;
  /**
   * Sets a node's text: unsafe characters become `\u…` escapes in a marked
   * span (class `esc`, the code point in its title).
   */
  set(node: Element, text: string): void;
  /** A node of text: a text node, or a span when the text holds unsafe characters. */
  node(text: string): Node;
}

/**
 * The escaping rule, for a page.
 *
 * @param unsafeClass The characters shown escaped, as a RegExp character class
 *   (`UNSAFE_CLASS` of `printable.ts`).
 * @param escape How one of them is shown (`escapeChar` of `printable.ts`).
 * @returns The page's ways of showing text.
 */
export function visibleText(unsafeClass: string, escape: typeof escapeChar): VisibleText {
  const UNSAFE = new RegExp(unsafeClass, "g");
  const UNSAFE_ONE = new RegExp(unsafeClass);
  const kept = (c: string): boolean => c === "\n" || c === "\t";
  const has = (text: string): boolean => UNSAFE_ONE.test(text);
  const plain = (text: string): string => has(text) ? text.replace(UNSAFE, (c) => kept(c) ? c : escape(c)) : text;
  const set = (node: Element, text: string): void => {
    if (!has(text)) {
      node.textContent = text;
      return;
    }
    const parts: Node[] = [];
    let last = 0;
    UNSAFE.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = UNSAFE.exec(text)) !== null) {
      const c = match[0];
      if (kept(c)) continue;
      if (match.index > last) parts.push(document.createTextNode(text.slice(last, match.index)));
      const mark = document.createElement("span");
      mark.className = "esc";
      mark.textContent = escape(c);
      mark.title = "U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + ", shown escaped";
      parts.push(mark);
      last = match.index + 1;
    }
    if (last < text.length) parts.push(document.createTextNode(text.slice(last)));
    node.replaceChildren(...parts);
  };
  const node = (text: string): Node => {
    if (!has(text)) return document.createTextNode(text);
    const span = document.createElement("span");
    set(span, text);
    return span;
  };
  return { has, plain, set, node };
}
