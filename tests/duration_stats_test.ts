import { test } from "node:test";
import assert from "node:assert/strict";
import { DurationStats } from "../src/model/duration_stats.ts";

test("DurationStats.quantile() is exact for small runs (nearest rank)", () => {
  const stats = new DurationStats();
  for (const ms of [5, 1, 4, 2, 3]) stats.add(ms);
  assert.equal(stats.quantile(0.5), 3);
  assert.equal(stats.quantile(0.95), 5);
  assert.equal(stats.mean, 3);
});

test("DurationStats.quantile() stays within 1% for a million durations, in fixed memory", () => {
  const stats = new DurationStats();
  for (let i = 1; i <= 1_000_000; i++) stats.add(i / 1000);
  assert.ok(Math.abs(stats.quantile(0.5) - 500) / 500 < 0.011, String(stats.quantile(0.5)));
  assert.ok(Math.abs(stats.quantile(0.95) - 950) / 950 < 0.011, String(stats.quantile(0.95)));
  assert.equal(stats.count, 1_000_000);
});

// Nearest rank, as DurationStats defines it.
function exactQuantile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

for (const [label, base] of [["10-hour", 36_000_000], ["30-day", 2.6e9], ["millennium", 3.2e13]] as const) {
  test(`DurationStats.quantile() stays within 1% for ${label} steps past the exact limit (issue 11 #12)`, () => {
    const stats = new DurationStats();
    const values: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const ms = base + (i % 1000) * (base / 7200); // spread over about 14% above the base
      values.push(ms);
      stats.add(ms);
    }
    for (const p of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(values, p);
      const got = stats.quantile(p);
      assert.ok(Math.abs(got - exact) / exact <= 0.01, `p${p * 100}: ${got} against an exact ${exact}`);
    }
  });
}
