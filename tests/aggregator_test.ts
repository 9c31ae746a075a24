import { test } from "node:test";
import assert from "node:assert/strict";
import { Aggregator } from "../src/model/aggregator.ts";

test("Aggregator.summary() counts outcomes, tokens and cost per session and per name", () => {
  const builder = new Aggregator();
  builder.add({
    name: "a",
    outcome: "ok",
    duration_ms: 1,
    usage: { input_tokens: 10, output_tokens: 1, cost_usd: 0.1 },
  });
  builder.add({ name: "a", outcome: "error", duration_ms: 3 });
  builder.add({ name: "b", outcome: "skipped", duration_ms: 2, usage: { input_tokens: NaN } });
  const summary = builder.summary();
  assert.equal(summary.steps, 3);
  assert.equal(summary.ok, 1);
  assert.equal(summary.errors, 1);
  assert.equal(summary.avg_ms, 2);
  assert.equal(summary.input_tokens, 10);
  assert.deepEqual(summary.by_name.a, {
    count: 2,
    errors: 1,
    total_ms: 4,
    input_tokens: 10,
    output_tokens: 1,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0.1,
  });
});
