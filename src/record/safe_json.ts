/**
 * Makes any JavaScript value safe to write as JSON, without ever throwing:
 * cycles, BigInt, Errors, Maps and Sets, Dates, typed arrays, functions,
 * symbols, throwing getters and hostile proxies all become plain JSON. Long
 * strings are truncated with a visible marker and their original length, and
 * secrets are redacted on the way.
 *
 * @module
 */

import { NO_REDACTION, REDACTED, type Redactor } from "./redact.ts";
import type { JsonObject, JsonValue } from "../format/types.ts";

/** Limits applied while making values safe. */
export interface SafeJsonOptions {
  /** Strings longer than this are truncated. @default {10000} */
  maxStringLength?: number;
  /** Objects nested deeper than this are replaced by a marker. @default {16} */
  maxDepth?: number;
  /** Arrays and objects keep at most this many items. @default {1000} */
  maxItems?: number;
  /** The redaction rules. @default {no redaction} */
  redactor?: Redactor;
}

/** Turns arbitrary values into JSON-safe values under fixed limits. */
export class Sanitizer {
  readonly #maxString: number;
  readonly #maxDepth: number;
  readonly #maxItems: number;
  readonly #redactor: Redactor;
  readonly #stack: object[] = [];
  readonly #keys = new Map<string, string>(); // long keys, made safe

  /** Validates the limits once; sanitizing itself never throws. */
  constructor(options: SafeJsonOptions = {}) {
    this.#maxString = positive(options.maxStringLength, 10_000, "maxStringLength");
    this.#maxDepth = positive(options.maxDepth, 16, "maxDepth");
    this.#maxItems = positive(options.maxItems, 1000, "maxItems");
    this.#redactor = options.redactor ?? NO_REDACTION;
    this.plainBelow = Math.min(this.#redactor.shortest, this.#maxString + 1);
  }

  /** Strings shorter than this come out of {@linkcode Sanitizer.text} unchanged: no rule can touch them. */
  readonly plainBelow: number;

  /** A JSON-safe copy of `value`. */
  value(value: unknown): JsonValue {
    // No reset of the stack of objects being walked: a getter met on the way
    // may sanitize again (record a step), and the objects of the outer walk
    // must still count as cycles inside it. The walk always pops what it pushed.
    const clean = this.#clean(value, 0);
    return clean === undefined ? null : clean;
  }

  /**
   * A JSON-safe object: an object's own fields, or `{ value }` for anything
   * that is not a plain object (so a context or log entry is always an object).
   * With `time`, the object starts with `_t: time` (a log entry), whatever
   * `_t` the value holds.
   */
  object(value: unknown, time?: number): JsonObject {
    const out: JsonObject = time === undefined ? {} : { _t: time };
    if (value === undefined || value === null) return out;
    // A plain object is copied straight into `out`, with no intermediate copy.
    const clean = typeof value === "object" ? this.#object(value, 0, out) : this.#clean(value, 0);
    if (clean === out) {
      if (time !== undefined) out._t = time; // ours, even if the fields had one
      return out;
    }
    const object = typeof clean === "object" && clean !== null && !Array.isArray(clean)
      ? clean
      : { value: clean ?? null };
    if (time === undefined) return object;
    const entry: JsonObject = { _t: time, ...object }; // spread defines fields, never a prototype
    entry._t = time;
    return entry;
  }

  /** A redacted, truncated string; anything else is turned into text first. */
  text(value: unknown): string {
    if (typeof value !== "string") {
      const clean = this.value(value);
      value = typeof clean === "string" ? clean : JSON.stringify(clean);
    }
    return this.#string(value as string);
  }

  #string(text: string): string {
    const max = this.#maxString;
    if (text.length <= max) return this.#redactor.redactString(text);
    // Redact a little past the cut, so a secret that straddles it is still found whole.
    const whole = text.length <= max + 256;
    let kept = this.#redactor.redactString(whole ? text : text.slice(0, max + 256));
    if (whole && kept.length <= max) return kept; // redaction alone made it short enough
    if (kept.length > max) {
      let end = max;
      const last = kept.charCodeAt(end - 1);
      if (last >= 0xd800 && last <= 0xdbff) end--; // do not split a surrogate pair
      kept = kept.slice(0, end);
    }
    return `${kept}…[truncated, ${text.length} chars]`;
  }

  #clean(value: unknown, depth: number): JsonValue | undefined {
    switch (typeof value) {
      case "string":
        return this.#string(value);
      case "number":
        return Number.isFinite(value) ? value : String(value);
      case "boolean":
        return value;
      case "undefined":
        return undefined;
      case "bigint":
        return value.toString();
      case "symbol":
        return value.toString();
      case "function":
        return `[Function: ${safeName(value)}]`;
    }
    if (value === null) return null;
    return this.#object(value as object, depth);
  }

  #object(value: object, depth: number, into?: JsonObject): JsonValue {
    if (this.#stack.includes(value)) return "[Circular]";
    if (depth >= this.#maxDepth) return Array.isArray(value) ? "[Array]" : "[Object]";
    this.#stack.push(value);
    try {
      if (Object.getPrototypeOf(value) === Object.prototype && !("toJSON" in value)) {
        return this.#fields(value as Record<string, unknown>, depth + 1, into ?? {});
      }
      return this.#objectInner(value, depth + 1);
    } catch (err) {
      return `[Unserializable: ${this.#string(describe(err))}]`;
    } finally {
      this.#stack.pop();
    }
  }

  #objectInner(value: object, depth: number): JsonValue {
    if (Array.isArray(value)) return this.#array(value, depth);
    if (ArrayBuffer.isView(value)) {
      if (value instanceof DataView) return { type: "DataView", byteLength: value.byteLength };
      // Read in place: a 64 MB buffer must not become a 64-million-item array first.
      return this.#array(value as unknown as ArrayLike<unknown>, depth);
    }
    if (value instanceof Date) {
      return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
    }
    if (value instanceof Error) return this.#error(value, depth);
    if (value instanceof Map) {
      const out: JsonObject = {};
      let n = 0;
      for (const [key, item] of value) {
        if (n++ >= this.#maxItems) {
          out["…"] = `${value.size - this.#maxItems} more entries`;
          break;
        }
        const name = typeof key === "string" ? key : JSON.stringify(this.#clean(key, depth)) ?? String(key);
        this.#field(out, name, item, depth);
      }
      return out;
    }
    if (value instanceof Set) {
      const items: unknown[] = [];
      for (const item of value) {
        if (items.length >= this.#maxItems) break;
        items.push(item);
      }
      return this.#array(items, depth, value.size);
    }
    if (value instanceof RegExp) return value.toString();
    if (value instanceof ArrayBuffer) return { type: "ArrayBuffer", byteLength: value.byteLength };
    if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) {
      return `[${value.constructor.name}]`;
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const replaced = toJSON.call(value);
      if (replaced !== value) {
        const clean = this.#clean(replaced, depth);
        return clean === undefined ? null : clean;
      }
    }
    return this.#fields(value as Record<string, unknown>, depth, {});
  }

  #fields(value: Record<string, unknown>, depth: number, out: JsonObject): JsonObject {
    const keys = Object.keys(value);
    const limit = Math.min(keys.length, this.#maxItems);
    for (let i = 0; i < limit; i++) {
      const key = keys[i];
      let item: unknown;
      try {
        item = (value as Record<string, unknown>)[key];
      } catch (err) {
        this.#set(out, key, `[Thrown: ${this.#string(describe(err))}]`);
        continue;
      }
      this.#field(out, key, item, depth);
    }
    if (keys.length > limit) out["…"] = `${keys.length - limit} more keys`;
    // A header written as a record: { name: "Authorization", value: "…" }.
    if (Object.hasOwn(out, "value") && isSecretValue(out.value)) {
      const name = typeof out.name === "string" ? out.name : typeof out.key === "string" ? out.key : out.header;
      if (typeof name === "string" && this.#redactor.isSensitiveKey(name)) out.value = REDACTED;
    }
    return out;
  }

  #field(out: JsonObject, key: string, item: unknown, depth: number): void {
    if (item !== null && item !== undefined && typeof item !== "boolean" && this.#redactor.isSensitiveKey(key)) {
      this.#set(out, key, REDACTED);
      return;
    }
    const clean = typeof item === "string" ? this.#string(item) : this.#clean(item, depth);
    if (clean !== undefined) this.#set(out, key, clean);
  }

  // Keys are bounded and redacted like values (a token can be a map's key), and
  // a "__proto__" key stays an own field instead of setting the prototype.
  #set(out: JsonObject, key: string, value: JsonValue): void {
    if (key.length >= this.plainBelow) {
      let clean = this.#keys.get(key);
      if (clean === undefined) {
        clean = this.#string(key);
        if (this.#keys.size < 10_000) this.#keys.set(key, clean);
      }
      key = clean;
    } else if (key === "__proto__") {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      return;
    }
    out[key] = value;
  }

  #array(items: ArrayLike<unknown>, depth: number, total: number = items.length): JsonValue[] {
    const limit = Math.min(items.length, this.#maxItems);
    const out: JsonValue[] = new Array(limit);
    for (let i = 0; i < limit; i++) {
      let item: unknown;
      try {
        item = items[i];
      } catch (err) {
        out[i] = `[Thrown: ${this.#string(describe(err))}]`;
        continue;
      }
      out[i] = this.#clean(item, depth) ?? null;
    }
    if (total > limit) out.push(`… ${total - limit} more items`);
    // A header written as a pair: ["Authorization", "…"] (as in `new Headers([[name, value]])`).
    if (
      out.length === 2 && typeof out[0] === "string" && isSecretValue(out[1]) && this.#redactor.isSensitiveKey(out[0])
    ) {
      out[1] = REDACTED;
    }
    return out;
  }

  #error(error: Error, depth: number): JsonObject {
    const out: JsonObject = {
      name: this.#string(String(error.name)),
      message: this.#string(String(error.message)),
    };
    if (typeof error.stack === "string") out.stack = this.#string(error.stack);
    for (const key of Object.keys(error)) {
      if (key in out) continue;
      let item: unknown;
      try {
        item = (error as unknown as Record<string, unknown>)[key];
      } catch (err) {
        this.#set(out, key, `[Thrown: ${this.#string(describe(err))}]`);
        continue;
      }
      this.#field(out, key, item, depth);
    }
    if (error.cause !== undefined) this.#field(out, "cause", error.cause, depth);
    return out;
  }
}

// What a sensitive name redacts: anything but nothing (null, a flag).
function isSecretValue(value: JsonValue | undefined): boolean {
  return value !== null && value !== undefined && typeof value !== "boolean";
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Cannot use ${name} ${JSON.stringify(value)}: expected a positive whole number`);
  }
  return value;
}

function safeName(fn: unknown): string {
  try {
    return (fn as { name?: unknown }).name ? String((fn as { name: unknown }).name) : "anonymous";
  } catch {
    return "anonymous";
  }
}

/** A short description of a thrown value, without throwing. */
export function describe(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`;
    return String(err);
  } catch {
    return "unknown error";
  }
}
