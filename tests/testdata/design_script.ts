// The API of DESIGN.md, used as an agent author would: nothing here knows
// the implementation. Prints the paths it wrote, then the summary as JSON.
import { Tracer } from "@ai-trace/core";

const analyze = async (data: { price: number }) => {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return data.price > 100 ? 0.87 : 0.1;
};

const tracer = new Tracer("trading_agent", { meta: { model: "claude-haiku-4-5" } });

// callback form
const signal = await tracer.step("market_scan", { symbol: "BTCUSDT" }, async (step) => {
  const s = await analyze({ price: 101 });
  step.log({ signal: s, confidence: 0.87 });
  return s;
});

// nested steps under Promise.all
await tracer.step("research", { sources: 2 }, async () => {
  await Promise.all(["news", "social"].map((source) =>
    tracer.step("fetch", { source }, async (step) => {
      await analyze({ price: 50 });
      step.usage({ model: "gpt-4o-mini", input_tokens: 120, output_tokens: 30, cost_usd: 0.0001 });
    })
  ));
});

// decide
tracer.step("decision", { signal }, (step) => {
  step.decide("ENTER_LONG", { reason: "SuperTrend bullish + volume spike", confidence: 0.87, alternatives: ["HOLD"] });
});

// manual form, as the original
const step = tracer.step("scan");
step.start();
step.log({ markets_scanned: 142 });
step.finish();

// a failing step
const order = tracer.step("execute", { qty: 0.01 });
order.start();
order.fail("timeout");
try {
  await tracer.step("tool_call", async () => {
    await analyze({ price: 1 });
    throw new Error("rate limited");
  });
} catch (err) {
  console.log(`caught: ${(err as Error).message}`);
}

const json = await tracer.save();
const md = await tracer.saveMarkdown();
const summary = tracer.summary();
await tracer.close();
console.log(`JSONL ${tracer.path}`);
console.log(`JSON ${json}`);
console.log(`MD ${md}`);
console.log(`SUMMARY ${JSON.stringify(summary)}`);
