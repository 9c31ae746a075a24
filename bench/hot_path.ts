/**
 * Hot path: microseconds per step, on whatever runtime runs this file, for
 * ai-trace (default settings, start lines off, fsync, disabled) and its
 * peers (the floor, pino with a sync destination, the OpenTelemetry SDK with
 * a SimpleSpanProcessor and an exporter that appends JSON lines). Cases are
 * interleaved run by run, so a slow moment of the machine hits all of them.
 *
 * Usage: deno run -A bench/hot_path.ts [--steps N] [--runs N] [--fsync-steps N] [--disabled-steps N]
 * Prints one JSON object per case on standard output. The figure is CPU time
 * (user + system) per step, which a busy machine disturbs far less than wall
 * time; wall time is printed beside it.
 *
 * @module
 */

import * as fs from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import pino from "pino";
import { Tracer } from "../mod.ts";
import { floorRecord, type LineSink, median, openSink, runtime, text } from "./_workload.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    steps: { type: "string", default: "20000" },
    runs: { type: "string", default: "7" },
    "fsync-steps": { type: "string", default: "1000" },
    "disabled-steps": { type: "string", default: "2000000" },
    only: { type: "string" },
  },
});
const STEPS = Number(values.steps);
const RUNS = Number(values.runs);
const FSYNC_STEPS = Number(values["fsync-steps"]);
const DISABLED_STEPS = Number(values["disabled-steps"]);

const dir = fs.mkdtempSync(join(os.tmpdir(), "ai-trace-bench-"));
let serial = 0;
const freshPath = (name: string) => join(dir, `${name}_${++serial}.jsonl`);
// The floor writes the way that is fastest on this runtime: Deno's own file API on Deno.
const FAST: "deno" | "node" = runtime().name === "deno" ? "deno" : "node";
let sink = 0; // what the callbacks return, so the work cannot be optimized away

/** One benchmark case: set up outside the timing, then `step(i)` is timed. */
interface Case {
  name: string;
  steps: number;
  setup(): { step(i: number): void; close(): void };
}

function aiTrace(name: string, options: ConstructorParameters<typeof Tracer>[1], steps = STEPS): Case {
  return {
    name,
    steps,
    setup() {
      const tracer = new Tracer("bench_agent", { traceDir: join(dir, `${name}_${++serial}`), ...options });
      return {
        step(i: number): void {
          sink += tracer.step("market_scan", { symbol: "BTCUSDT", position: i, mode: "live" }, (step) => {
            step.log({ signal: 0.87, confidence: 0.9, note: text(i) });
            return 1;
          });
        },
        close: () => tracer.closeSync(),
      };
    },
  };
}

function floor(kind: "node" | "deno"): Case {
  return {
    name: kind === FAST ? "floor" : "floor (node:fs)",
    steps: STEPS,
    setup() {
      const out: LineSink = openSink(freshPath("floor"), kind);
      return {
        step(i: number): void {
          out.write(`${JSON.stringify(floorRecord(i))}\n`);
        },
        close: () => out.close(),
      };
    },
  };
}

function pinoSync(): Case {
  return {
    name: "pino sync",
    steps: STEPS,
    setup() {
      const destination = pino.destination({ dest: freshPath("pino"), sync: true });
      const logger = pino(destination);
      return {
        step(i: number): void {
          logger.info(floorRecord(i));
        },
        close: () => destination.end(),
      };
    },
  };
}

/** Appends each span as one JSON line, synchronously. */
class JsonLineExporter implements SpanExporter {
  #out: LineSink;
  constructor(out: LineSink) {
    this.#out = out;
  }
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    for (const span of spans) {
      const ctx = span.spanContext();
      this.#out.write(
        `${
          JSON.stringify({
            trace_id: ctx.traceId,
            span_id: ctx.spanId,
            parent_span_id: span.parentSpanContext?.spanId,
            name: span.name,
            start: span.startTime,
            end: span.endTime,
            duration: span.duration,
            status: span.status,
            attributes: span.attributes,
            events: span.events,
          })
        }\n`,
      );
    }
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    this.#out.close();
    return Promise.resolve();
  }
}

let otelContextSet = false;
function otel(): Case {
  return {
    name: "OpenTelemetry SDK",
    steps: STEPS,
    setup() {
      if (!otelContextSet) {
        // Parent-child across await needs a context manager, as ai-trace's AsyncLocalStorage gives.
        context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        otelContextSet = true;
      }
      const exporter = new JsonLineExporter(openSink(freshPath("otel"), FAST));
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      const tracer = provider.getTracer("bench");
      return {
        step(i: number): void {
          sink += tracer.startActiveSpan(
            "market_scan",
            { attributes: { symbol: "BTCUSDT", position: i, mode: "live" } },
            (span) => {
              span.addEvent("log", { signal: 0.87, confidence: 0.9, note: text(i) });
              span.end();
              return 1;
            },
          );
        },
        close: () => void provider.shutdown(),
      };
    },
  };
}

const cases: Case[] = [
  floor(FAST),
  ...(FAST === "deno" ? [floor("node")] : []),
  aiTrace("ai-trace default", {}),
  aiTrace("ai-trace startLines: false", { startLines: false }),
  aiTrace("ai-trace fsync: true", { fsync: true }, FSYNC_STEPS),
  aiTrace("ai-trace disabled", { enabled: false }, DISABLED_STEPS),
  pinoSync(),
  otel(),
].filter((c) => values.only === undefined || c.name.includes(values.only));

/** Microseconds per step: CPU time of this process (user + system), and wall time. */
function measure(c: Case): { cpu: number; wall: number } {
  const target = c.setup();
  const n = c.steps;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) target.step(i);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  target.close();
  return { cpu: (cpu.user + cpu.system) / n, wall: (wall * 1000) / n };
}

// Warm-up: every case once with a tenth of its steps, so the JIT has seen them all.
for (const c of cases) measure({ ...c, steps: Math.max(100, Math.floor(c.steps / 10)) });

const results = new Map<string, { cpu: number; wall: number }[]>(cases.map((c) => [c.name, []]));
for (let run = 0; run < RUNS; run++) {
  for (const c of cases) results.get(c.name)!.push(measure(c));
}
const round = (x: number) => Math.round(x * 10000) / 10000;

const info = runtime();
for (const c of cases) {
  const runs = results.get(c.name)!;
  console.log(JSON.stringify({
    bench: "hot_path",
    runtime: info.name,
    version: info.version,
    case: c.name,
    steps: c.steps,
    cpu_us: runs.map((x) => round(x.cpu)),
    wall_us: runs.map((x) => round(x.wall)),
    median_us: median(runs.map((x) => x.cpu)),
    median_wall_us: median(runs.map((x) => x.wall)),
  }));
}
fs.rmSync(dir, { recursive: true, force: true });
if (sink < 0) console.log(sink);
