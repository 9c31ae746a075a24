import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tracer } from "../mod.ts";
import { Sanitizer } from "../src/record/safe_json.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { createRedactor } from "../src/record/redact.ts";

const clean = (value: unknown, options = {}) => new Sanitizer(options).value(value);

test("Sanitizer.value() turns values JSON cannot hold into JSON", () => {
  const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
  assert.deepEqual(clean({ n: 10n ** 20n, nan: NaN, inf: -Infinity, date, bad: new Date(NaN) }), {
    n: "100000000000000000000",
    nan: "NaN",
    inf: "-Infinity",
    date: "2026-01-02T03:04:05.000Z",
    bad: "Invalid Date",
  });
  assert.deepEqual(clean({ m: new Map<unknown, unknown>([["a", 1], [2, "b"]]), s: new Set([1, 2]) }), {
    m: { a: 1, "2": "b" },
    s: [1, 2],
  });
  assert.deepEqual(clean({ bytes: new Uint8Array([1, 2]), f: function named() {}, sym: Symbol("x"), u: undefined }), {
    bytes: [1, 2],
    f: "[Function: named]",
    sym: "Symbol(x)",
  });
  assert.deepEqual(clean([undefined, () => {}]), [null, "[Function: anonymous]"]);
  assert.equal(clean(undefined), null);
});

test("Sanitizer.value() records an Error's name, message, stack and cause", () => {
  const error = new TypeError("outer", { cause: new Error("inner") });
  const value = clean(error) as Record<string, unknown>;
  assert.equal(value.name, "TypeError");
  assert.equal(value.message, "outer");
  assert.match(value.stack as string, /outer/);
  assert.equal((value.cause as Record<string, unknown>).message, "inner");
});

test("Sanitizer.value() marks cycles but not shared references", () => {
  const shared = { k: 1 };
  const a: Record<string, unknown> = { shared, again: shared };
  a.self = a;
  assert.deepEqual(clean(a), { shared: { k: 1 }, again: { k: 1 }, self: "[Circular]" });
});

test("Sanitizer.value() survives throwing getters, hostile proxies and toJSON", () => {
  const proxy = new Proxy({}, {
    ownKeys() {
      throw new Error("no keys for you");
    },
  });
  const getter = Object.defineProperty({}, "x", {
    enumerable: true,
    get() {
      throw new Error("nope");
    },
  });
  const throwingToJSON = {
    toJSON() {
      throw new Error("bad toJSON");
    },
  };
  assert.deepEqual(clean({ proxy, getter, throwingToJSON, ok: { toJSON: () => "fine" } }), {
    proxy: "[Unserializable: Error: no keys for you]",
    getter: { x: "[Thrown: Error: nope]" },
    throwingToJSON: "[Unserializable: Error: bad toJSON]",
    ok: "fine",
  });
});

test("Sanitizer.value() cuts deep nesting and long collections", () => {
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 100; i++) {
    deep.next = {};
    deep = deep.next as Record<string, unknown>;
  }
  const text = JSON.stringify(clean(root, { maxDepth: 5 }));
  assert.equal(text, '{"next":{"next":{"next":{"next":{"next":"[Object]"}}}}}');
  const long = clean(Array.from({ length: 2000 }, (_, i) => i), { maxItems: 3 });
  assert.deepEqual(long, [0, 1, 2, "… 1997 more items"]);
});

test("Sanitizer.value() truncates long strings with a marker and the original length", () => {
  const value = clean("a".repeat(50), { maxStringLength: 10 });
  assert.equal(value, "aaaaaaaaaa…[truncated, 50 chars]");
  // A surrogate pair is never split in half.
  const emoji = clean("🚀".repeat(10), { maxStringLength: 5 }) as string;
  assert.equal(emoji, "🚀🚀…[truncated, 20 chars]");
});

test("Sanitizer.value() keeps lone surrogates as valid JSON", () => {
  const text = JSON.stringify(clean({ s: "a\ud800b" }));
  assert.deepEqual(JSON.parse(text), { s: "a\ud800b" });
});

test("Sanitizer.object() always gives an object", () => {
  const s = new Sanitizer();
  assert.deepEqual(s.object(undefined), {});
  assert.deepEqual(s.object(5), { value: 5 });
  assert.deepEqual(s.object([1]), { value: [1] });
  assert.deepEqual(s.object({ a: 1 }), { a: 1 });
});

test("Sanitizer redacts by key and by value shape, before truncating", () => {
  const s = new Sanitizer({ redactor: createRedactor(), maxStringLength: 20 });
  const secret = "sk-ant-" + "a".repeat(30);
  assert.deepEqual(s.value({ password: "hunter2", note: `key ${secret}`, tokens: 5 }), {
    password: "[REDACTED]",
    note: "key [REDACTED]",
    tokens: 5,
  });
  // The secret straddles the truncation point: it is still removed whole.
  const text = s.text("x".repeat(15) + secret);
  assert.ok(!text.includes("sk-ant"), text);
});

test("new Sanitizer() rejects invalid limits at construction", () => {
  assert.throws(() => new Sanitizer({ maxStringLength: 0 }), RangeError);
  assert.throws(() => new Sanitizer({ maxDepth: 1.5 }), RangeError);
});

test("Sanitizer keeps finding cycles when a getter sanitizes again on the way (issue 11 #11)", async () => {
  const dir = tempDir();
  const tracer = new Tracer("agent", { traceDir: dir, onError: () => {} });
  let getterCalls = 0;
  const context: Record<string, unknown> = {};
  context.self = context;
  context.again = context;
  Object.defineProperty(context, "probe", {
    enumerable: true,
    get() {
      getterCalls++;
      tracer.step("inner", context, () => {}); // a getter that records a step with the same object
      return "probed";
    },
  });
  tracer.step("outer", context, () => {});
  await tracer.close();
  const lines = readFileSync(tracer.path!, "utf8").trim().split("\n");
  assert.ok(getterCalls <= 4, `${getterCalls} getter calls`);
  assert.ok(lines.length <= 12, `${lines.length} lines`);
  assert.ok(lines.some((line) => line.includes('"self":"[Circular]"')));
  removeDir(dir);
});
