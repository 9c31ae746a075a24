/**
 * The original's trading-agent example, in TypeScript: a run with nested
 * steps, a decision, token usage and a failing order. Run it with
 * `npm run demo` (or `deno task demo`, or `bun examples/trading_agent.ts`),
 * then look at the trace with `ai-trace view latest`.
 *
 * `--signal X` sets the market signal (default 0.87): below 0.5 the agent
 * holds instead of entering, and sends no order. Run it twice, the second
 * time with `--signal 0.42`, and `ai-trace diff latest~1 latest` shows where
 * the second run decided differently, with both reasons.
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { Tracer } from "../mod.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { signal: { type: "string" } } });
const marketSignal = values.signal === undefined ? 0.87 : Number(values.signal);

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
  step.log({ signal: marketSignal, confidence: marketSignal, candles, book });
  return marketSignal;
});

tracer.step("risk_check", { symbol: "BTCUSDT", position: 0 }, (step) => {
  step.log({ max_loss: 12.5 });
});

const enter = signal >= 0.5;
tracer.step("decision", { signal }, (step) => {
  step.usage({ model: "claude-haiku-4-5", input_tokens: 1840, output_tokens: 96, cost_usd: 0.00232 });
  step.decide(enter ? "ENTER_LONG" : "HOLD", {
    reason: enter ? "SuperTrend bullish + volume spike" : "signal too weak for an entry",
    confidence: enter ? signal : Math.round((1 - signal) * 100) / 100,
    alternatives: enter ? ["HOLD", "ENTER_SHORT"] : ["ENTER_LONG", "ENTER_SHORT"],
  });
});

if (enter) {
  const execute = tracer.step("execute", { qty: 0.01, api_key: "sk-live-1234567890abcdefghij" });
  execute.start();
  execute.log({ order_id: "A-1" });
  execute.fail("exchange timeout after 3 retries");
}

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
