import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidTime, limitDepth } from "../src/format/fields.ts";

test("limitDepth() cuts what nests deeper than the limit with the writer's markers, and keeps the rest as it is", () => {
  const shallow = { a: [1, { b: "x" }], c: {} };
  assert.equal(limitDepth(shallow, 3), shallow);
  assert.deepEqual(shallow, { a: [1, { b: "x" }], c: {} });
  assert.deepEqual(limitDepth({ a: [1, { b: "x" }], c: {}, d: [] }, 2), { a: [1, "[Object]"], c: {}, d: [] });
  assert.deepEqual(limitDepth(JSON.parse("[".repeat(10_000) + "]".repeat(10_000)), 3), [[["[Array]"]]]);
  assert.equal(limitDepth("text", 0), "text");
});

test("limitDepth() replaces a parsed __proto__ field as a field, never touching a prototype", () => {
  const value = JSON.parse('{"__proto__": {"polluted": {"deep": 1}}, "ok": 1}');
  const bounded = limitDepth(value, 2) as Record<string, unknown>;
  assert.ok(Object.hasOwn(bounded, "__proto__"));
  assert.deepEqual(Object.getOwnPropertyDescriptor(bounded, "__proto__")?.value, { polluted: "[Object]" });
  assert.equal(Object.getPrototypeOf(bounded), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("isValidTime() accepts the times a Date can hold, in epoch seconds", () => {
  assert.ok(isValidTime(1_764_000_000.5));
  assert.ok(isValidTime(0));
  assert.ok(isValidTime(-8.64e12));
  assert.ok(!isValidTime(1_795_608_000_000_000)); // epoch microseconds by mistake
  assert.ok(!isValidTime(1e300));
  assert.ok(!isValidTime(Number.NaN));
  assert.ok(!isValidTime(null));
});
