/**
 * Bytes read in chunks (a request body, an answer), joined into one array.
 *
 * @module
 */

/**
 * Joins chunks of bytes into one array.
 *
 * @example
 * ```ts
 * import { concatBytes } from "./bytes.ts";
 * console.assert(concatBytes([Uint8Array.of(1), Uint8Array.of(2, 3)]).length === 3);
 * ```
 *
 * @param chunks The chunks, in order.
 * @returns One array holding them all.
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
