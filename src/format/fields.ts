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

/** The largest time a `Date` holds: ±8.64e15 ms from the epoch (±275,760 years). */
const MAX_DATE_MS = 8.64e15;

/**
 * Whether a time in epoch seconds is one a `Date` can hold. A finite number
 * outside the range (epoch microseconds by mistake, `1e300`) is shown as an
 * invalid time, never formatted (`toISOString()` would throw).
 */
export function isValidTime(epochSeconds: number | null | undefined): epochSeconds is number {
  return typeof epochSeconds === "number" && Number.isFinite(epochSeconds) &&
    Math.abs(epochSeconds * 1000) <= MAX_DATE_MS;
}

/**
 * Whether a value is a time the writer takes: epoch milliseconds a `Date`
 * holds, from 1970 on (0 to 8.64e15). The times of a session id, a session
 * line and a step given by the caller; anything else is "now".
 *
 * @param value Any value.
 * @returns True for such a time.
 */
export function isDateMs(value: unknown): value is number {
  return typeof value === "number" && value >= 0 && value <= MAX_DATE_MS;
}

/** What is shown in place of a time no `Date` can hold. */
export const INVALID_TIME = "invalid time";

/**
 * The warnings for the times of a record (`started_at`, `finished_at`) that
 * are finite numbers no `Date` can hold: one wording for every reader.
 */
export function invalidTimes(record: Record<string, unknown>): string[] {
  const messages: string[] = [];
  for (const field of ["started_at", "finished_at"]) {
    const time = record[field];
    if (typeof time === "number" && Number.isFinite(time) && !isValidTime(time)) {
      messages.push(`${field} ${time} is not a valid time, shown as invalid`);
    }
  }
  return messages;
}

/**
 * How deep a value read from a file may nest: deeper arrays and objects are
 * replaced with `"[Array]"` / `"[Object]"`, the writer's markers, so that no
 * export, report or push recurses without bound (a 20 KB line can nest
 * 10,000 deep). The writer's own limit (`maxDepth`, 16 by default) keeps
 * what it writes far inside this one.
 */
export const MAX_READ_DEPTH = 64;

/**
 * Limits how deep `value` nests, in place: containers at `maxDepth` that are
 * not empty become the writer's markers. Recursion stops at `maxDepth`, so
 * this is safe on any input; a value within the limit is walked and left as
 * it is.
 *
 * @param value a value parsed from a file (its own copy: it is changed).
 * @param maxDepth the deepest level kept (the value itself is level 1).
 * @returns the value, bounded.
 */
export function limitDepth<T>(value: T, maxDepth: number = MAX_READ_DEPTH): T {
  if (typeof value !== "object" || value === null) return value;
  if (maxDepth <= 0) return marker(value) as T;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = limitDepth(value[i], maxDepth - 1);
    return value;
  }
  const object = value as Record<string, unknown>;
  // for…in allocates no key list; a parsed object has no inherited enumerable keys.
  for (const key in object) {
    const item = object[key];
    if (typeof item !== "object" || item === null) continue;
    const bounded = limitDepth(item, maxDepth - 1);
    // defineProperty: a "__proto__" key parsed from JSON is an own field, and plain assignment would hit the setter.
    if (bounded !== item) {
      Object.defineProperty(object, key, { value: bounded, writable: true, enumerable: true, configurable: true });
    }
  }
  return value;
}

function marker(value: object): unknown {
  if (Array.isArray(value)) return value.length === 0 ? value : "[Array]";
  for (const _ in value) return "[Object]";
  return value;
}
