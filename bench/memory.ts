/**
 * Memory: resident set size over a long run with auto-save on. After 10,000
 * warm-up steps the RSS is taken as the baseline; the figure is how far it
 * grows over the next `--steps` steps (the most it reached, and at the end).
 *
 * Usage: deno run -A bench/memory.ts [--steps 1000000] [--case ai-trace|floor]
 * Prints one JSON object on standard output.
 *
 * @module
 */

import * as fs from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { Tracer } from "../mod.ts";
import { floorRecord, openSink, rss, runtime, text } from "./_workload.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { steps: { type: "string", default: "1000000" }, case: { type: "string", default: "ai-trace" } },
});
const STEPS = Number(values.steps);
const WARMUP = 10_000;
const dir = fs.mkdtempSync(join(os.tmpdir(), "ai-trace-memory-"));

let step: (i: number) => void;
let close: () => void;
if (values.case === "floor") {
  const out = openSink(join(dir, "floor.jsonl"), runtime().name === "deno" ? "deno" : "node");
  step = (i) => out.write(`${JSON.stringify(floorRecord(i))}\n`);
  close = () => out.close();
} else {
  const tracer = new Tracer("memory_agent", { traceDir: dir });
  step = (i) =>
    tracer.step("market_scan", { symbol: "BTCUSDT", position: i, mode: "live" }, (s) => {
      s.log({ signal: 0.87, confidence: 0.9, note: text(i) });
    });
  close = () => tracer.closeSync();
}

for (let i = 0; i < WARMUP; i++) step(i);
const baseline = rss();
let peak = baseline;
const every = Math.max(1, Math.floor(STEPS / 20));
const t0 = performance.now();
for (let i = 0; i < STEPS; i++) {
  step(i);
  if (i % every === 0) peak = Math.max(peak, rss());
}
const seconds = (performance.now() - t0) / 1000;
const end = rss();
peak = Math.max(peak, end);
close();
let bytes = 0;
for (const name of fs.readdirSync(dir)) bytes += fs.statSync(join(dir, name)).size;
fs.rmSync(dir, { recursive: true, force: true });

const MiB = 1024 * 1024;
const info = runtime();
console.log(JSON.stringify({
  bench: "memory",
  runtime: info.name,
  version: info.version,
  case: values.case,
  steps: STEPS,
  baseline_mib: baseline / MiB,
  end_mib: end / MiB,
  peak_mib: peak / MiB,
  growth_mib: (peak - baseline) / MiB,
  file_mib: bytes / MiB,
  seconds,
}));
