/**
 * Parses one line of a trace file. Plain JSON takes the fast path; the
 * original Python tracer's `NaN`, `Infinity` and `-Infinity` literals are
 * read as the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (the way our own
 * writer records non-finite numbers).
 *
 * @module
 */

/**
 * Parses `text` as JSON, accepting Python's non-finite literals.
 *
 * @throws {SyntaxError} when the text is not JSON even so.
 */
export function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
    return JSON.parse(quoteNonFinite(text));
  }
}

/** Rewrites bare `NaN`, `Infinity` and `-Infinity` tokens outside strings as JSON strings. */
export function quoteNonFinite(text: string): string {
  let out = "";
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    let token: string | undefined;
    if (c === 0x4e && text.startsWith("NaN", i)) token = "NaN";
    else if (c === 0x49 && text.startsWith("Infinity", i)) token = "Infinity";
    else if (c === 0x2d && text.startsWith("-Infinity", i)) token = "-Infinity";
    if (token !== undefined) {
      out += text.slice(last, i) + `"${token}"`;
      i += token.length - 1;
      last = i + 1;
    }
  }
  return out + text.slice(last);
}
