// Hostile values: property-based tests (fast-check) that throw arbitrary
// values at every entry point of the tracer. It must never throw, and every
// line it writes must be JSON that readSession reads back without a warning.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { readSession, Tracer } from "../../mod.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { checkLines, figure, LONG } from "./_torture.ts";

const RUNS = LONG ? 5000 : 300;

function thrower(): never {
  throw new Error("hostile trap");
}

/** Values built by hand that JSON, String() or property access choke on. */
function hostileValues(): unknown[] {
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  cycle.list = [cycle, { back: cycle }];
  const errorCycle = new Error("cyclic cause");
  (errorCycle as { cause?: unknown }).cause = errorCycle;
  const trapAll = new Proxy({}, {
    get: thrower,
    has: thrower,
    ownKeys: thrower,
    getPrototypeOf: thrower,
    getOwnPropertyDescriptor: thrower,
    set: thrower,
    defineProperty: thrower,
    apply: thrower,
  });
  const trapFn = new Proxy(() => {}, { get: thrower, getPrototypeOf: thrower, apply: thrower });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const revokedArray = Proxy.revocable([], {});
  revokedArray.revoke();
  const getter = Object.defineProperty({}, "boom", { get: thrower, enumerable: true });
  const badError = Object.defineProperties(new Error("x"), {
    message: { get: thrower },
    name: { get: thrower },
    stack: { get: thrower },
  });
  const badToJson = { toJSON: thrower };
  const cycleToJson = { toJSON: () => cycle };
  const badPrimitive = { [Symbol.toPrimitive]: thrower, toString: thrower, valueOf: thrower };
  const nullProto = Object.assign(Object.create(null), { k: 1, toString: 5 });
  let deep: unknown = "bottom";
  for (let i = 0; i < 100_000; i++) deep = { d: deep };
  let deepArray: unknown = [];
  for (let i = 0; i < 100_000; i++) deepArray = [deepArray];
  const namedBadly = Object.defineProperty(function () {}, "name", { get: thrower });
  const sparse: unknown[] = [];
  sparse[2 ** 32 - 2] = 1;
  const badArrayItem = Object.defineProperty([1, 2, 3], 1, { get: thrower });
  const protoKey = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}}');
  return [
    cycle,
    errorCycle,
    trapAll,
    trapFn,
    revocable.proxy,
    revokedArray.proxy,
    getter,
    badError,
    badToJson,
    cycleToJson,
    badPrimitive,
    nullProto,
    deep,
    deepArray,
    namedBadly,
    sparse,
    badArrayItem,
    protoKey,
    10n ** 40n,
    -0,
    NaN,
    Infinity,
    Symbol("sym"),
    Symbol.iterator,
    { [Symbol("k")]: 1, s: Symbol("v") },
    "\ud800",
    "a\udfffb",
    "\u0000\u001b[31m\u2028\u2029",
    new Date(NaN),
    /re/g,
    new Map<unknown, unknown>([[{ k: 1 }, 1], [Symbol("m"), 2], [trapAll, 3]]),
    new Set([cycle, trapAll]),
    new WeakMap(),
    Promise.resolve(1),
    new ArrayBuffer(8),
    new DataView(new ArrayBuffer(8)),
    new BigInt64Array([1n, -1n]),
    new Float64Array([NaN, Infinity]),
    globalThis,
    undefined,
    null,
  ];
}

// Values are boxed in functions, so that fast-check never touches the hostile ones itself.
type Box = () => unknown;
const HOSTILE = hostileValues();
const hostile: fc.Arbitrary<Box> = fc.nat(HOSTILE.length - 1).map((i) => () => HOSTILE[i]);
const anything: fc.Arbitrary<Box> = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  stringUnit: "binary",
  maxDepth: 4,
}).map((v) => () => v);
const dictionary: fc.Arbitrary<Box> = fc.dictionary(fc.string({ unit: "binary" }), fc.oneof(anything, hostile)).map(
  (boxes) => () => Object.fromEntries(Object.entries(boxes).map(([key, box]) => [key, box()])),
);
const value: fc.Arbitrary<Box> = fc.oneof(anything, hostile, dictionary);
const name: fc.Arbitrary<Box> = fc.oneof(fc.string({ unit: "binary" }).map((v) => () => v), hostile, anything);

test(`Tracer never throws on arbitrary values (${RUNS} runs of fast-check) and writes only readable JSON`, async () => {
  const dir = tempDir("ai-trace-hostile-");
  let inputs = 0;
  let lines = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          agent: name,
          meta: value,
          stepName: name,
          context: value,
          log: value,
          action: name,
          options: value,
          usage: value,
          outcome: fc.oneof(name, fc.constant(undefined)),
          fail: fc.boolean(),
          failWith: value,
          childName: name,
          wrapArgs: fc.array(value, { maxLength: 3 }),
        }),
        async (boxes) => {
          inputs += 13;
          const input = Object.fromEntries(
            Object.entries(boxes).map(([key, box]) => [key, typeof box === "function" ? box() : box]),
          ) as Record<string, unknown> & { fail: boolean; wrapArgs: Box[] };
          const wrapArgs = input.wrapArgs.map((box) => box());
          // A function in the context's place is the step's callback (another overload): wrap it.
          if (typeof input.context === "function") input.context = { fn: input.context };
          const errors: Error[] = [];
          const tracer = new Tracer(input.agent as string, {
            traceDir: dir,
            meta: input.meta as Record<string, unknown>,
            onError: (e) => errors.push(e),
          });
          const step = tracer.step(input.stepName as string, input.context as Record<string, unknown>);
          step.start();
          step.log(input.log as Record<string, unknown>);
          step.decide(input.action as string, input.options as { reason?: string });
          step.usage(input.usage as { model?: string });
          tracer.step(input.childName as string, input.context as Record<string, unknown>, (child) => {
            child.log(input.log as Record<string, unknown>);
            child.decide(input.action as string, input.options as { reason?: string });
          });
          const wrapped = tracer.wrap(input.childName as string, (...args: unknown[]) => args[0]);
          const result = wrapped(...wrapArgs);
          try {
            if (result instanceof Promise) await result.catch(() => {}); // a promise passed through: let its step end
          } catch {
            // The hostile value itself, not the tracer, throws on instanceof.
          }
          if (input.fail) step.fail(input.failWith);
          else step.finish(input.outcome as string);
          tracer.summary();
          await tracer.close();
          assert.deepEqual(errors.map((e) => e.message), []);
          const { records, partial } = checkLines(tracer.path!);
          assert.equal(partial, undefined);
          lines += records.length;
          const session = await readSession(tracer.path!);
          assert.deepEqual(session.warnings, []);
          assert.equal(session.state, "complete");
          assert.equal(session.summary.steps, 3);
        },
      ),
      { numRuns: RUNS },
    );
  } finally {
    removeDir(dir);
  }
  figure(
    "hostile-values",
    `${RUNS} fast-check runs, ${inputs} hostile inputs, ${lines} lines written, 0 throws, 0 unreadable lines`,
  );
});

test("Tracer never throws on values every entry point gets wrong, including huge ones", async () => {
  const dir = tempDir("ai-trace-hostile-");
  try {
    const values = [
      ...hostileValues(),
      "s".repeat(20 * 1024 * 1024),
      { key: "k".repeat(5 * 1024 * 1024) },
      { ["long key ".repeat(1_000_000)]: 1 },
      new Uint8Array(64 * 1024 * 1024),
      new Set(Array.from({ length: 2_000_000 }, (_, i) => i)),
      Array.from({ length: 2_000_000 }, (_, i) => i),
      Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i])),
    ];
    let tried = 0;
    for (const v of values) {
      const tracer = new Tracer(v as string, { traceDir: dir, meta: v as Record<string, unknown>, onError: thrower });
      const context = typeof v === "function" ? { fn: v } : v as Record<string, unknown>;
      const step = tracer.step(v as string, context);
      step.log(v as Record<string, unknown>);
      step.decide(v as string, v as { reason?: string });
      step.usage(v as { model?: string });
      step.fail(v);
      step.finish(v as string);
      tracer.step(v as string, context, () => v);
      tracer.wrap(v as string, (_arg: unknown) => v)(v);
      await tracer.close();
      const { records } = checkLines(tracer.path!);
      for (const record of records) {
        assert.ok(JSON.stringify(record).length < 2_000_000, `value ${tried} is bounded in a ${record.type} line`);
      }
      const session = await readSession(tracer.path!);
      assert.deepEqual(session.warnings, []);
      tried++;
    }
    figure("hostile-values-fixed", `${tried} hand-made hostile values × 8 entry points, 0 throws`);
  } finally {
    removeDir(dir);
  }
});
