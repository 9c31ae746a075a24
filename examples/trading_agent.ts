/**
 * The original's trading-agent example, in TypeScript: a run with nested
 * steps, a decision, token usage and a failing order. Run it with
 * `npm run demo` (or `deno task demo`, or `bun examples/trading_agent.ts`),
 * then look at the trace with `ai-trace view latest`.
 *
 * @module
 */

import { Tracer } from "../mod.ts";

const tracer = new Tracer("trading_agent", { meta: { model: "claude-haiku-4-5", version: "1.2" } });

const signal = await tracer.step("market_scan", { symbol: "BTCUSDT" }, async (step) => {
  const [candles, book] = await Promise.all([
    tracer.step("fetch_candles", { interval: "1h", limit: 200 }, async (s) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      s.log({ candles: 200 });
      return 200;
    }),
    tracer.step("fetch_order_book", { depth: 50 }, async (s) => {
      await new Promise((resolve) => setTimeout(resolve, 3));
      s.log({ bids: 50, asks: 50 });
      return 50;
    }),
  ]);
  step.log({ signal: 0.87, confidence: 0.87, candles, book });
  return 0.87;
});

tracer.step("risk_check", { symbol: "BTCUSDT", position: 0 }, (step) => {
  step.log({ max_loss: 12.5 });
});

tracer.step("decision", { signal }, (step) => {
  step.usage({ model: "claude-haiku-4-5", input_tokens: 1840, output_tokens: 96, cost_usd: 0.00232 });
  step.decide("ENTER_LONG", {
    reason: "SuperTrend bullish + volume spike",
    confidence: signal,
    alternatives: ["HOLD", "ENTER_SHORT"],
  });
});

const execute = tracer.step("execute", { qty: 0.01, api_key: "sk-live-1234567890abcdefghij" });
execute.start();
execute.log({ order_id: "A-1" });
execute.fail("exchange timeout after 3 retries");

const summary = tracer.summary();
await tracer.close(); // first: reports saved after close() say "complete"
const json = await tracer.save();
const markdown = await tracer.saveMarkdown();
const html = await tracer.saveHtml();

console.log(`Recorded ${summary.steps} steps (${summary.ok} ok, ${summary.errors} failed) of "${tracer.agent}".`);
console.log(`  trace:    ${tracer.path}`);
console.log(`  snapshot: ${json}`);
console.log(`  report:   ${markdown}`);
console.log(`  timeline: ${html}  (open it in a browser)`);
console.log("Look at it with: npm run cli -- view latest   (the CLI: ai-trace view latest)");
