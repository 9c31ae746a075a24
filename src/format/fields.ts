/**
 * Reading the fields of a record that came from a file: every field may have
 * any shape, so each is taken as the type the format gives it, or a default.
 * The one home of these small coercions for every reader.
 *
 * @module
 */

import type { JsonObject } from "./types.ts";

/** A JSON object, or `undefined` for anything else (an array, `null`, a number, …). */
export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value as JsonObject : undefined;
}

/** A finite number, or `null`. */
export function asNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A finite number, or 0 (for counts and sums). */
export function finite(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** A string as it is; `null` and `undefined` as `""`; anything else as its JSON text. */
export function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return JSON.stringify(value);
}

/**
 * A field of any value — a record, or an object a caller or a framework
 * handed over — or `undefined` when it is not an object or the read throws
 * (a getter, a proxy): reading never throws.
 */
export function field(value: unknown, key: string | symbol): unknown {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  try {
    return (value as Record<string | symbol, unknown>)[key];
  } catch {
    return undefined;
  }
}
