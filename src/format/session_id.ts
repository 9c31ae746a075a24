/**
 * Session ids and safe file names.
 *
 * @module
 */

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

/** The longest agent name kept in a file name, in characters. */
export const MAX_NAME_LENGTH = 80;

/**
 * An agent name made safe for a file name: no path separators, no `..`, no
 * control or reserved characters, bounded length; spaces and `&` stay, as the
 * original kept them.
 */
export function safeFileName(name: string): string {
  let safe = String(name)
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g, "_")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "_")
    .replace(/\.{2,}/g, "_")
    .replace(/^[.\s]+|[.\s]+$/g, "");
  const chars = Array.from(safe);
  if (chars.length > MAX_NAME_LENGTH) safe = chars.slice(0, MAX_NAME_LENGTH).join("");
  return safe === "" ? "agent" : safe;
}
