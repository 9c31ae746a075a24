/**
 * Reading the objects frameworks hand to the integrations, and the spans the
 * OpenTelemetry mapping takes: every read is guarded, since tracing must never
 * throw into the agent (a getter that throws, a proxy, a value of the wrong
 * type all read as `undefined`). Beneath both `integrations/` and `otlp/`.
 *
 * @module
 */

import { field as get } from "./fields.ts";

/** A field of a value, or `undefined` when it is not an object or the read throws. */
export { get };

/** A nested field: `path(event, "usage", "inputTokens")`. */
export function path(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) current = get(current, key);
  return current;
}

/** The value if it is a non-empty string. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The value if it is a finite number (a numeric string too, as some exporters send them). */
export function num(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Whether a value is an array (false for a proxy that throws). */
export function isArray(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** The elements of an array, at most `max` of them; `[]` for anything else. */
export function items(value: unknown, max = 1000): unknown[] {
  if (!isArray(value)) return [];
  try {
    return value.slice(0, max);
  } catch {
    return [];
  }
}

/** The own keys of an object, at most `max`; `[]` for anything else or when listing throws. */
export function keys(value: unknown, max = 1000): string[] {
  if (value === null || typeof value !== "object" || isArray(value)) return [];
  try {
    return Object.keys(value).slice(0, max);
  } catch {
    return [];
  }
}

/**
 * The names of the tools a call offers: the keys of a tool set object, or the
 * `name` (else `toolName`) of each entry of a tool list.
 */
export function toolNames(tools: unknown): string[] {
  if (isArray(tools)) {
    const names: string[] = [];
    for (const tool of items(tools)) {
      const name = str(get(tool, "name")) ?? str(get(tool, "toolName"));
      if (name !== undefined) names.push(name);
    }
    return names;
  }
  return keys(tools);
}

/** Epoch milliseconds from a Date, an ISO string or a number; `undefined` otherwise. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value !== "") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  try {
    if (value instanceof Date) {
      const ms = value.getTime();
      return Number.isNaN(ms) ? undefined : ms;
    }
  } catch {
    // A proxy whose traps throw is no date.
  }
  return undefined;
}

/** A JSON string parsed, or the string itself when it is not JSON (tool inputs arrive both ways). */
export function parseJsonish(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (text === "" || !'{["'.includes(text[0]) && !/^(?:-?\d|true$|false$|null$)/.test(text)) return value;
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

/** A context object for a step: the value itself when it is a plain object, else `{ [key]: value }`. */
export function asContext(value: unknown, key: string): Record<string, unknown> {
  if (value !== null && typeof value === "object" && !isArray(value)) return value as Record<string, unknown>;
  return value === undefined ? {} : { [key]: value };
}

/**
 * A table's own entry for a key that came from outside, or `undefined`: never
 * an inherited name (`constructor`, `toString`, `__proto__` are not entries).
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Runs tracing work, swallowing its errors: the agent must never see them. */
export function quietly(work: () => void): void {
  try {
    work();
  } catch {
    // Tracing never throws into the agent; the tracer reports its own failures through onError.
  }
}
