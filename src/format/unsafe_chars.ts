/**
 * The characters that must never reach a person raw, wherever text goes (a
 * terminal, a report, a file name): C0 and C1 controls (escape sequences:
 * title changes, screen clears, hyperlinks, clipboard writes), the line and
 * paragraph separators, and the invisible ones that reorder or hide text
 * (bidi controls U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C;
 * zero-width U+200B–U+200D, U+2060–U+2064, U+FEFF; U+180E). Defined once:
 * `printable()` shows them escaped, `safeFileName()` keeps them out of file
 * names.
 *
 * @module
 */

/** The unsafe characters, as the source of a RegExp character class. */
export const UNSAFE_CLASS =
  "[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]";
