/**
 * Session ids and safe file names.
 *
 * @module
 */

import { UNSAFE_CLASS } from "./unsafe_chars.ts";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A new session id: `YYYYMMDD_HHMMSS` (UTC, as the original) then `_` and six
 * random characters, so two runs in the same second never share a file.
 *
 * @param now the time to use, epoch milliseconds.
 */
export function newSessionId(now: number = Date.now()): string {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${
    p(d.getUTCMinutes())
  }${p(d.getUTCSeconds())}`;
  const random = crypto.getRandomValues(new Uint8Array(6));
  let suffix = "";
  for (const byte of random) suffix += ALPHABET[byte & 31];
  return `${stamp}_${suffix}`;
}

// Control and invisible characters (a U+202E in a name would reverse how `ls` shows it), path
// separators and the characters Windows reserves.
const UNSAFE_IN_NAME = new RegExp(`${UNSAFE_CLASS}|[/\\\\:*?"<>|]`, "g");

/** The longest agent name kept in a file name, in characters. */
export const MAX_NAME_LENGTH = 80;

/**
 * The longest agent name kept in a file name, in UTF-8 bytes: file systems
 * limit a name to 255 bytes, and the session id, the extension and the
 * temporary suffix of an atomic write take up to 60 more.
 */
export const MAX_NAME_BYTES = 160;

/** The UTF-8 length of a string, in bytes (a lone surrogate counts as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Whether `safeFileName` keeps a name of this length whole (shorter than both
 * limits), so a file's name shows the agent's name entire.
 */
export function fitsFileName(name: string): boolean {
  return name.length < MAX_NAME_LENGTH && utf8Length(name) < MAX_NAME_BYTES;
}

/**
 * An agent name made safe for a file name: no path separators, no `..`, no
 * control or reserved characters, bounded length (at most
 * {@linkcode MAX_NAME_LENGTH} characters and {@linkcode MAX_NAME_BYTES} bytes
 * of UTF-8, cut between characters so the name stays valid UTF-8); spaces and
 * `&` stay, as the original kept them.
 */
export function safeFileName(name: string): string {
  let safe = String(name)
    .replace(UNSAFE_IN_NAME, "_")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "_")
    .replace(/\.{2,}/g, "_")
    .replace(/^[.\s]+|[.\s]+$/g, "");
  if (safe.length > MAX_NAME_LENGTH || utf8Length(safe) > MAX_NAME_BYTES) {
    let kept = "";
    let bytes = 0;
    let count = 0;
    for (const char of safe) {
      const size = utf8Length(char);
      if (count === MAX_NAME_LENGTH || bytes + size > MAX_NAME_BYTES) break;
      kept += char;
      bytes += size;
      count++;
    }
    // A cut may leave a final dot or space, which some file systems drop.
    safe = kept.replace(/[.\s]+$/, "");
  }
  return safe === "" ? "agent" : safe;
}
