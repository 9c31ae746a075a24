/**
 * Writes the reading benchmark's data: a directory of sessions in the
 * original Python tracer's JSONL format (`python/`, with a few `NaN`
 * literals and cut-off last lines, as it really writes them) and one in ours
 * (`ours/`: session, start, step and end lines, a few crashed sessions).
 * Deterministic: the same arguments give the same bytes. Skips the work when
 * the directory already holds data made with the same arguments.
 *
 * Usage: deno run -A bench/generate.ts [--out bench/data] [--sessions 1000] [--mb 400]
 *
 * @module
 */

import * as fs from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { Aggregator } from "../src/model/aggregator.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    out: { type: "string", default: "bench/data" },
    sessions: { type: "string", default: "1000" },
    mb: { type: "string", default: "400" },
  },
});
const OUT = values.out!;
const SESSIONS = Number(values.sessions);
const TOTAL_BYTES = Number(values.mb) * 1024 * 1024;
const VERSION = 2; // bump when the generated content changes

const marker = join(OUT, "params.json");
const params = JSON.stringify({ version: VERSION, sessions: SESSIONS, mb: Number(values.mb) });
if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === params) {
  console.log(`generate: ${OUT} is up to date`);
  process.exit(0);
}

// A small deterministic PRNG (mulberry32).
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const AGENTS = ["trading_agent", "research_agent", "support_bot", "code_reviewer", "planner"];
const NAMES = [
  "market_scan",
  "risk_check",
  "decision",
  "execute",
  "llm:plan",
  "llm:summarize",
  "tool:search",
  "tool:fetch",
  "retrieve",
  "rerank",
  "answer",
  "validate",
];
const WORDS = ("the agent read the order book and found a breakout on rising volume so it checked the daily risk " +
  "limit fetched three pages ranked them by relevance and wrote a short answer with citations while the model " +
  "kept its reasoning brief and cheap").split(" ");

function sentence(chars: number): string {
  let out = "";
  while (out.length < chars) out += (out ? " " : "") + pick(WORDS);
  return out.slice(0, chars);
}

/** Python's `json.dumps` separators: `", "` and `": "`. */
function pythonJson(value: unknown): string {
  return JSON.stringify(value).replace(/"(?:[^"\\]|\\.)*"|[,:]/g, (m) => (m === "," ? ", " : m === ":" ? ": " : m));
}

interface FakeStep {
  name: string;
  context: Record<string, unknown>;
  started_at: number;
  finished_at: number;
  duration_ms: number;
  outcome: string;
  error: string | null;
  logs: Record<string, unknown>[];
  usage?: Record<string, unknown>;
  decision?: Record<string, unknown>;
}

function fakeStep(t: number, i: number): FakeStep {
  const name = pick(NAMES);
  const duration = Math.round(Math.exp(random() * 7) * 1000) / 1000; // 1 ms to ~1 s
  const failed = random() < 0.03;
  const logs: Record<string, unknown>[] = [];
  const nLogs = 1 + Math.floor(random() * 2);
  for (let k = 0; k < nLogs; k++) {
    logs.push({
      _t: t + k * 0.001,
      signal: Math.round(random() * 1000) / 1000,
      note: sentence(120 + Math.floor(random() * 160)),
    });
  }
  const step: FakeStep = {
    name,
    context: {
      i,
      symbol: pick(["BTCUSDT", "ETHUSDT", "SOLUSDT"]),
      prompt_len: Math.floor(random() * 4000),
      query: sentence(40),
    },
    started_at: t,
    finished_at: t + duration / 1000,
    duration_ms: duration,
    outcome: failed ? "error" : "ok",
    error: failed ? pick(["exchange timeout after 3 retries", "rate limited (429)", "tool returned no results"]) : null,
    logs,
  };
  if (name.startsWith("llm:")) {
    const input = 200 + Math.floor(random() * 3000);
    const output = 20 + Math.floor(random() * 500);
    step.usage = {
      model: "claude-haiku-4-5",
      input_tokens: input,
      output_tokens: output,
      cost_usd: (input + output * 5) / 1e6,
    };
  }
  if (name === "decision") {
    step.decision = { action: pick(["ENTER_LONG", "HOLD", "EXIT"]), reason: sentence(60), confidence: 0.8 };
  }
  return step;
}

function sessionId(t: number, n: number): string {
  const d = new Date(t * 1000);
  const p = (x: number, w = 2) => String(x).padStart(w, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}_${p(d.getUTCHours())}${
    p(d.getUTCMinutes())
  }${p(d.getUTCSeconds())}_${n.toString(36).padStart(4, "0")}`;
}

function writePython(dir: string, n: number, bytes: number, t0: number): number {
  const lines: string[] = [];
  let size = 0;
  let t = t0;
  for (let i = 0; size < bytes; i++) {
    const step = fakeStep(t, i);
    t = step.finished_at + 0.001;
    let line = pythonJson({
      name: step.name,
      context: step.context,
      started_at: step.started_at,
      finished_at: step.finished_at,
      duration_ms: step.duration_ms,
      outcome: step.outcome,
      error: step.error,
      logs: step.logs,
    });
    if (n % 50 === 7 && i === 3) line = line.replace(/"signal": [0-9.]+/, '"signal": NaN'); // Python writes NaN
    lines.push(line);
    size += line.length + 1;
  }
  let text = lines.join("\n") + "\n";
  if (n % 40 === 13) text = text.slice(0, text.length - 1 - Math.floor(lines[lines.length - 1].length / 2)); // cut off
  // The original names files <agent>_<YYYYMMDD_HHMMSS>.jsonl.
  const id = sessionId(t0, n).slice(0, 15);
  fs.writeFileSync(join(dir, `${AGENTS[n % AGENTS.length]}_${id}.jsonl`), text);
  return text.length;
}

function writeOurs(dir: string, n: number, bytes: number, t0: number): number {
  const agent = AGENTS[n % AGENTS.length];
  const id = sessionId(t0, n);
  const crashed = n % 100 === 42;
  const summary = new Aggregator();
  const lines: string[] = [
    JSON.stringify({
      type: "session",
      schema: "ai-trace/1",
      agent,
      session_id: id,
      started_at: t0,
      meta: { model: "claude-haiku-4-5", version: "1.0" },
      runtime: { name: "deno", version: "2.9.6" },
      pid: 100000 + n,
      host: "bench-host",
    }),
  ];
  let size = lines[0].length + 1;
  let t = t0;
  let last = 0;
  for (let i = 1; size < bytes; i++) {
    const step = fakeStep(t, i);
    t = step.finished_at + 0.001;
    const prefix = `"id":${i},"parent_id":null,"name":${JSON.stringify(step.name)},"context":${
      JSON.stringify(step.context)
    },"started_at":${step.started_at}`;
    const start = `{"type":"start",${prefix}}`;
    let line =
      `{"type":"step",${prefix},"finished_at":${step.finished_at},"duration_ms":${step.duration_ms},"outcome":${
        JSON.stringify(step.outcome)
      },"error":${JSON.stringify(step.error)},"logs":${JSON.stringify(step.logs)}`;
    if (step.decision) line += `,"decision":${JSON.stringify(step.decision)}`;
    if (step.usage) line += `,"usage":${JSON.stringify(step.usage)}`;
    line += "}";
    lines.push(start, line);
    size += start.length + line.length + 2;
    summary.add({
      name: step.name,
      outcome: step.outcome,
      duration_ms: step.duration_ms,
      usage: step.usage as { input_tokens?: number },
    });
    last = i;
  }
  if (crashed) {
    lines.push(`{"type":"start","id":${last + 1},"parent_id":null,"name":"execute","context":{},"started_at":${t}}`);
    summary.inFlight = 1;
  } else {
    lines.push(JSON.stringify({ type: "end", finished_at: t, summary: summary.summary() }));
  }
  const text = lines.join("\n") + "\n";
  fs.writeFileSync(join(dir, `${agent}_${id}.jsonl`), text);
  return text.length;
}

const started = performance.now();
const totals: Record<string, number> = {};
for (const format of ["python", "ours"] as const) {
  const dir = join(OUT, format);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  seed = 0x5eed;
  let total = 0;
  const mean = TOTAL_BYTES / SESSIONS;
  for (let n = 0; n < SESSIONS; n++) {
    const bytes = mean * (0.5 + random()); // between half and 1.5 times the mean
    const t0 = 1795558000 + n * 3600 + Math.floor(random() * 600);
    total += format === "python" ? writePython(dir, n, bytes, t0) : writeOurs(dir, n, bytes, t0);
  }
  totals[format] = total;
}
fs.writeFileSync(marker, params);
console.log(
  `generate: ${SESSIONS} sessions each in ${OUT}/python (${
    (totals.python / 1048576).toFixed(0)
  } MiB) and ${OUT}/ours (${(totals.ours / 1048576).toFixed(0)} MiB) in ${
    ((performance.now() - started) / 1000).toFixed(1)
  } s`,
);
