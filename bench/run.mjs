#!/usr/bin/env node
// The benchmark suite: hot path, memory, reading, tail latency, start-up, each
// measured beside its peer in the same run. Prints Markdown tables (medians,
// and every figure's ratio to its peer) with the machine, the runtime versions
// and the date, and writes them to bench/results/latest.md and latest.json.
//
// Usage: node bench/run.mjs [--quick] [--only hot,memory,read,many,tail,startup,html,diff]
//   --quick  seconds instead of minutes: small counts and a small data set; checks
//            that every part of the bench still runs (CI), not how fast it is.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
  options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
});
const QUICK = flags.quick;
const ONLY = flags.only ? new Set(flags.only.split(",")) : undefined;
const wants = (part) => ONLY === undefined || ONLY.has(part);
const bin = (name) => join(root, "node_modules", ".bin", name);
const DENO = bin("deno");
const BUN = bin("bun");
const NODE = process.execPath;
const DIST = join(root, "dist", "bench");
const started = Date.now();
const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
delete env.AI_TRACE_DIR;
delete env.AI_TRACE_DISABLED;

const log = (text) => process.stderr.write(`bench: ${text}\n`);
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "–");
const ratio = (
  x,
  peer,
) => (Number.isFinite(x) && Number.isFinite(peer) && peer > 0 ? `×${(x / peer).toFixed(2)}` : "–");
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, env, encoding: "utf8", maxBuffer: 512 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${result.status}): ${result.stderr?.slice(-2000)}`);
  }
  return result.stdout;
}
const jsonLines = (text) => text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));

// ---------------------------------------------------------------- machine
function version(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" }).split("\n")[0].trim();
  } catch {
    return "missing";
  }
}
const cpus = os.cpus();
const machine = {
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  cpu: cpus[0]?.model ?? "unknown",
  cores: cpus.length,
  memory_gib: +(os.totalmem() / 1024 ** 3).toFixed(1),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  load_at_start: os.loadavg().map((x) => +x.toFixed(2)),
  deno: version(DENO, ["--version"]).replace(/^deno /, ""),
  bun: version(BUN, ["--version"]),
  node: process.version,
  jq: has("jq") ? version("jq", ["--version"]) : "missing",
  mode: QUICK ? "quick" : "full",
};
log(
  `${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB; deno ${machine.deno}, bun ${machine.bun}, node ${machine.node}`,
);

// ---------------------------------------------------------------- builds
// Node 20 cannot run .ts: the bench entries and the CLI are bundled for it with Bun,
// and the CLI is compiled into a standalone binary. All into the git-ignored dist/.
fs.mkdirSync(DIST, { recursive: true });
function bundle(entry, out) {
  run(BUN, ["build", entry, "--target=node", "--packages=external", "--outfile", join(DIST, out)]);
  return join(DIST, out);
}
log("building the Node bundles and the compiled binary");
const nodeHot = bundle("bench/hot_path.ts", "hot_path.mjs");
const nodeMemory = bundle("bench/memory.ts", "memory.mjs");
const nodeCli = bundle("cli.ts", "cli.mjs");
const compiled = join(DIST, "ai-trace");
run(BUN, ["build", "--compile", "cli.ts", "--outfile", compiled]);

const runtimes = [
  { name: "deno", ts: (file, args) => [DENO, ["run", "-A", file, ...args]] },
  { name: "bun", ts: (file, args) => [BUN, [file, ...args]] },
  {
    name: "node",
    ts: (file, args) => [NODE, [file === "bench/hot_path.ts" ? nodeHot : nodeMemory, ...args]],
  },
];
const cli = {
  deno: (args) => [DENO, ["run", "-A", "cli.ts", ...args]],
  bun: (args) => [BUN, ["cli.ts", ...args]],
  node: (args) => [NODE, [nodeCli, ...args]],
  binary: (args) => [compiled, args],
};

const results = { machine, hot: [], memory: [], read: [], many: [], tail: [], startup: [], html: [], diff: [] };
const sections = [];

// ---------------------------------------------------------------- 1. hot path
if (wants("hot")) {
  const args = QUICK
    ? ["--steps", "2000", "--runs", "2", "--fsync-steps", "50", "--disabled-steps", "100000"]
    : ["--steps", "20000", "--runs", "7", "--fsync-steps", "1000", "--disabled-steps", "2000000"];
  for (const rt of runtimes) {
    log(`hot path on ${rt.name}`);
    const [cmd, argv] = rt.ts("bench/hot_path.ts", args);
    results.hot.push(...jsonLines(run(cmd, argv)));
  }
  const cases = [...new Set(results.hot.map((r) => r.case))];
  const get = (rt, c) => results.hot.find((r) => r.runtime === rt && r.case === c)?.median_us ?? NaN;
  const lines = [
    `### 1. Hot path: CPU µs per step (median of ${QUICK ? 2 : 7} runs × ${QUICK ? "2,000" : "20,000"} steps)`,
    "",
    "One step: a name, 3 context fields, one log of 3 fields (one a 200-character string). Ratios: against the",
    "floor (same record, `JSON.stringify`, one write on an O_APPEND descriptor) and against pino (sync destination),",
    "measured in the same process, interleaved run by run.",
    "",
    `| case | ${runtimes.map((r) => `${r.name} µs | ×floor | ×pino`).join(" | ")} |`,
    `|---|${runtimes.map(() => "--:|--:|--:").join("|")}|`,
  ];
  for (const c of cases) {
    const cells = runtimes.map((r) => {
      const x = get(r.name, c);
      return `${fmt(x, x < 0.1 ? 4 : 2)} | ${ratio(x, get(r.name, "floor"))} | ${ratio(x, get(r.name, "pino sync"))}`;
    });
    lines.push(`| ${c} | ${cells.join(" | ")} |`);
  }
  lines.push("", "fsync: fewer steps per run (each one waits for the disk). Wall-clock medians are in latest.json.");
  sections.push(lines.join("\n"));
}

// ---------------------------------------------------------------- 2. memory
if (wants("memory")) {
  const steps = QUICK ? "20000" : "1000000";
  for (const rt of runtimes) {
    for (const c of ["ai-trace", "floor"]) {
      log(`memory on ${rt.name}: ${c}, ${steps} steps`);
      const [cmd, argv] = rt.ts("bench/memory.ts", ["--steps", steps, "--case", c]);
      results.memory.push(...jsonLines(run(cmd, argv)));
    }
  }
  const get = (rt, c) => results.memory.find((r) => r.runtime === rt && r.case === c);
  const lines = [
    `### 2. Memory: RSS growth over ${
      Number(steps).toLocaleString("en")
    } steps with auto-save on (after 10,000 warm-up steps)`,
    "",
    "| runtime | ai-trace growth MiB | floor growth MiB | ×floor | ai-trace peak RSS MiB | file written MiB |",
    "|---|--:|--:|--:|--:|--:|",
  ];
  for (const rt of runtimes) {
    const a = get(rt.name, "ai-trace");
    const f = get(rt.name, "floor");
    lines.push(
      `| ${rt.name} | ${fmt(a?.growth_mib, 1)} | ${fmt(f?.growth_mib, 1)} | ${ratio(a?.growth_mib, f?.growth_mib)} | ${
        fmt(a?.peak_mib, 1)
      } | ${fmt(a?.file_mib, 0)} |`,
    );
  }
  sections.push(lines.join("\n"));
}

// ---------------------------------------------------------------- 3. reading
const dataDir = join(root, "bench", "data", QUICK ? "quick" : "full");
function timed(cmd, args, options = {}) {
  // Wall time from here, peak RSS from GNU time when it is installed.
  const useTime = fs.existsSync("/usr/bin/time");
  const t0 = process.hrtime.bigint();
  const result = spawnSync(useTime ? "/usr/bin/time" : cmd, useTime ? ["-f", "%M", cmd, ...args] : args, {
    cwd: root,
    env,
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    ...options,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${result.stderr.slice(-1000)}`);
  const kb = useTime ? Number(result.stderr.trim().split("\n").pop()) : NaN;
  return { seconds, rss_mib: kb / 1024, stdout: result.stdout };
}
const dirBytes = (dir) => fs.readdirSync(dir).reduce((n, name) => n + fs.statSync(join(dir, name)).size, 0);

// jq computing the same stats as `ai-trace stats`: steps, ok, errors, and per step
// name count, errors, p50/p95 duration, tokens and cost. Lines that are not JSON
// (a cut-off last line) are skipped with `fromjson?`, as our reader skips them.
const JQ_STATS = `[inputs | fromjson? | select(type == "object" and (.type == null or .type == "step"))
  | {n: (.name | tostring), o: .outcome, d: (.duration_ms // 0),
     i: (.usage.input_tokens // 0), u: (.usage.output_tokens // 0), c: (.usage.cost_usd // 0)}]
| {steps: length, ok: (map(select(.o == "ok")) | length), errors: (map(select(.o == "error")) | length),
   by_name: (group_by(.n) | map({name: .[0].n, count: length, errors: (map(select(.o == "error")) | length),
     p50_ms: (map(.d) | sort | .[((length * 0.5) | ceil) - 1]), p95_ms: (map(.d) | sort | .[((length * 0.95) | ceil) - 1]),
     input_tokens: (map(.i) | add), output_tokens: (map(.u) | add), cost_usd: (map(.c) | add)}))}`;

if (wants("read")) {
  log(`generating ${QUICK ? "a small" : "the 1,000-session, 400 MB"} data set in ${dataDir} (kept between runs)`);
  run(DENO, [
    "run",
    "-A",
    "bench/generate.ts",
    "--out",
    dataDir,
    ...(QUICK ? ["--sessions", "20", "--mb", "4"] : ["--sessions", "1000", "--mb", "400"]),
  ], { stdio: ["ignore", "inherit", "inherit"] });
  const runs = QUICK ? 1 : 3;
  for (const format of ["ours", "python"]) {
    const dir = join(dataDir, format);
    const mb = dirBytes(dir) / 1e6;
    const files = fs.readdirSync(dir).map((name) => join(dir, name));
    const measure = (label, command, peer, make, n = runs) => {
      const samples = [];
      for (let i = 0; i < n; i++) samples.push(timed(...make()));
      const row = {
        format,
        label,
        command,
        peer,
        mb,
        seconds: median(samples.map((s) => s.seconds)),
        rss_mib: Math.max(...samples.map((s) => s.rss_mib)),
        runs: n,
      };
      row.mb_per_s = mb / row.seconds;
      results.read.push(row);
      log(
        `read ${format}: ${label} ${fmt(row.seconds, 2)} s, ${fmt(row.mb_per_s, 0)} MB/s, ${fmt(row.rss_mib, 0)} MiB`,
      );
      return row;
    };
    measure("cat (disk floor)", "cat", null, () => ["cat", files, { stdio: ["ignore", "ignore", "pipe"] }]);
    if (has("jq")) {
      measure("jq stats", "jq", null, () => ["jq", ["-nR", JQ_STATS, ...files]], 1);
    }
    for (const rt of ["deno", "bun", "node", "binary"]) {
      measure(`ai-trace stats (${rt})`, "stats", "jq", () => [...cli[rt](["--dir", dir, "stats", "--json"])]);
    }
    for (const rt of ["deno", "bun"]) {
      measure(`ai-trace list (${rt})`, "list", "cat", () => [...cli[rt](["--dir", dir, "list", "--json"])]);
    }
  }
  const lines = [
    `### 3. Reading: ${QUICK ? "20" : "1,000"} sessions per format, page cache warm (median of ${
      QUICK ? 1 : 3
    } runs; jq once)`,
    "",
    "| data | command | s | MB/s | peak RSS MiB | ×jq (time) | ×cat (time) |",
    "|---|---|--:|--:|--:|--:|--:|",
  ];
  for (const row of results.read) {
    const jq = results.read.find((r) => r.format === row.format && r.command === "jq");
    const cat = results.read.find((r) => r.format === row.format && r.command === "cat");
    lines.push(
      `| ${row.format} (${fmt(row.mb, 0)} MB) | ${row.label} | ${fmt(row.seconds, 3)} | ${fmt(row.mb_per_s, 0)} | ${
        fmt(row.rss_mib, 0)
      } | ${ratio(row.seconds, jq?.seconds)} | ${ratio(row.seconds, cat?.seconds)} |`,
    );
  }
  sections.push(lines.join("\n"));
}

// ---------------------------------------------------------------- 3b. many sessions, one agent
// A directory of many small complete sessions of 50 agents: plain `list` opens
// every file (its first and last line); `list --agent X` opens only X's, since
// the agent and the start time are in each file name.
if (wants("many")) {
  const count = QUICK ? 500 : 10_000;
  const agents = 50;
  const manyDir = join(root, "bench", "data", `many-${count}`);
  const stamp = join(manyDir, ".complete");
  if (!fs.existsSync(stamp)) {
    log(`generating ${count} sessions of ${agents} agents in ${manyDir} (kept between runs)`);
    fs.rmSync(manyDir, { recursive: true, force: true });
    fs.mkdirSync(manyDir, { recursive: true });
    const t0 = Date.UTC(2026, 0, 1) / 1000;
    for (let i = 0; i < count; i++) {
      const agent = `agent_${String(i % agents).padStart(2, "0")}`;
      const start = t0 + i * 60;
      const d = new Date(start * 1000).toISOString();
      const id = `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}_${d.slice(11, 13)}${d.slice(14, 16)}${
        d.slice(17, 19)
      }_${i.toString(36).padStart(4, "0")}`;
      const lines = [{ type: "session", schema: "ai-trace/1", agent, session_id: id, started_at: start, meta: {} }];
      for (let s = 1; s <= 5; s++) {
        lines.push({ type: "start", id: s, parent_id: null, name: `step_${s}`, context: { i }, started_at: start + s });
        lines.push({
          type: "step",
          id: s,
          parent_id: null,
          name: `step_${s}`,
          context: { i, text: "x".repeat(200) },
          started_at: start + s,
          finished_at: start + s + 0.5,
          duration_ms: 500,
          outcome: "ok",
          error: null,
          logs: [],
        });
      }
      lines.push({ type: "end", finished_at: start + 6, summary: { steps: 5, ok: 5, errors: 0, in_flight: 0 } });
      fs.writeFileSync(join(manyDir, `${agent}_${id}.jsonl`), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    }
    fs.writeFileSync(stamp, "");
  }
  const runs = QUICK ? 1 : 5;
  for (const rt of ["deno", "bun"]) {
    const time = (args) => median(Array.from({ length: runs }, () => timed(...cli[rt](args)).seconds));
    const floor = time(["--version"]);
    const plain = time(["--dir", manyDir, "list", "--json"]);
    const agent = time(["--dir", manyDir, "list", "--agent", "agent_07", "--json"]);
    const glob = time(["--dir", manyDir, "list", "--agent", "agent_0*", "--since", "2026-01-02", "--json"]);
    const row = { runtime: rt, sessions: count, version_s: floor, list_s: plain, agent_s: agent, glob_s: glob };
    results.many.push(row);
    log(`many ${rt}: list ${fmt(plain, 3)} s, list --agent ${fmt(agent, 3)} s, glob+since ${fmt(glob, 3)} s`);
  }
  const lines = [
    `### 3b. Many sessions: ${count.toLocaleString("en")} small sessions of ${agents} agents (median of ${runs} runs)`,
    "",
    "`list --agent agent_07` (1 agent in 50) and `list --agent 'agent_0*' --since 2026-01-02` beside plain `list`,",
    "each a whole CLI run (start-up included). The agent and the start time are in every file name, so the filters",
    "open only the files that can match (and `stat` only those). `--version` is the start-up floor of the same runtime.",
    "",
    "| runtime | --version s | list s | list --agent s | ×list | --agent glob --since s | ×list |",
    "|---|--:|--:|--:|--:|--:|--:|",
  ];
  for (const row of results.many) {
    lines.push(
      `| ${row.runtime} | ${fmt(row.version_s, 3)} | ${fmt(row.list_s, 3)} | ${fmt(row.agent_s, 3)} | ${
        ratio(row.agent_s, row.list_s)
      } | ${fmt(row.glob_s, 3)} | ${ratio(row.glob_s, row.list_s)} |`,
    );
  }
  sections.push(lines.join("\n"));
}

// ---------------------------------------------------------------- 4. tail latency
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function tailLatency(label, cmd, args, file, probes) {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "ignore"] });
  const seen = new Map();
  let buffer = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    const now = performance.now();
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf("\n")) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const m = /probe_(\d+)/.exec(line);
      if (m && !seen.has(Number(m[1]))) seen.set(Number(m[1]), now);
    }
  });
  const fd = fs.openSync(file, "a");
  // Wait until the follower shows a first line, so start-up is not counted.
  const deadline = performance.now() + 15_000;
  fs.writeSync(fd, probeLine(-1));
  while (!seen.has(-1) && performance.now() < deadline) await sleep(10);
  const sent = new Map();
  for (let k = 0; k < probes; k++) {
    await sleep(20 + Math.random() * 60);
    sent.set(k, performance.now());
    fs.writeSync(fd, probeLine(k));
  }
  const until = performance.now() + 2000;
  while (seen.size < probes + 1 && performance.now() < until) await sleep(10);
  fs.closeSync(fd);
  child.kill();
  const latencies = [...sent].map(([k, t]) => (seen.has(k) ? seen.get(k) - t : NaN));
  const missed = latencies.filter((x) => !Number.isFinite(x)).length;
  const ok = latencies.filter((x) => Number.isFinite(x));
  return { label, probes, missed, median_ms: median(ok), max_ms: Math.max(...ok) };
}
function probeLine(k) {
  const t = Date.now() / 1000;
  return `{"type":"step","id":${
    k + 10
  },"parent_id":null,"name":"probe_${k}","context":{"k":${k}},"started_at":${t},"finished_at":${t},"duration_ms":0.1,"outcome":"ok","error":null,"logs":[]}\n`;
}

if (wants("tail")) {
  const probes = QUICK ? 5 : 100;
  const followers = [
    ["coreutils tail -F (peer)", (file) => ["tail", ["-n", "0", "-F", file]]],
    ["ai-trace tail (deno)", (_file, dir) => cli.deno(["--dir", dir, "tail", "-n", "0"])],
    ["ai-trace tail (bun)", (_file, dir) => cli.bun(["--dir", dir, "tail", "-n", "0"])],
    ["ai-trace tail (binary)", (_file, dir) => cli.binary(["--dir", dir, "tail", "-n", "0"])],
  ];
  for (const [label, make] of followers) {
    const dir = fs.mkdtempSync(join(os.tmpdir(), "ai-trace-tail-"));
    const file = join(dir, "tail_agent_20260101_000000_abcd.jsonl");
    fs.writeFileSync(
      file,
      `{"type":"session","schema":"ai-trace/1","agent":"tail_agent","session_id":"20260101_000000_abcd","started_at":${
        Date.now() / 1000
      },"meta":{},"runtime":{"name":"bench","version":"1"},"pid":${process.pid},"host":"${os.hostname()}"}\n`,
    );
    log(`tail latency: ${label}, ${probes} lines`);
    const [cmd, args] = make(file, dir);
    results.tail.push(await tailLatency(label, cmd, args, file, probes));
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const peer = results.tail[0];
  const lines = [
    `### 4. Tail latency: from a line's write to its display (${probes} lines, 20–80 ms apart)`,
    "",
    "| follower | median ms | max ms | missed | ×tail -F (median) |",
    "|---|--:|--:|--:|--:|",
  ];
  for (const row of results.tail) {
    lines.push(
      `| ${row.label} | ${fmt(row.median_ms, 1)} | ${fmt(row.max_ms, 1)} | ${row.missed} | ${
        ratio(row.median_ms, peer.median_ms)
      } |`,
    );
  }
  sections.push(lines.join("\n"));
}

// ---------------------------------------------------------------- 5. start-up
if (wants("startup")) {
  const n = QUICK ? 2 : 10;
  // A small directory: 10 sessions of ours, 1 MB in all.
  run(DENO, [
    "run",
    "-A",
    "bench/generate.ts",
    "--out",
    join(root, "bench", "data", "small"),
    "--sessions",
    "10",
    "--mb",
    "1",
  ]);
  const small = join(root, "bench", "data", "small", "ours");
  const empty = join(DIST, "empty.mjs");
  fs.writeFileSync(empty, "");
  const time = (cmd, args) => {
    const samples = [];
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { cwd: root, env, stdio: "ignore" });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed`);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return median(samples);
  };
  const rows = [
    ["compiled binary (bun build --compile)", cli.binary, [BUN, [empty]]],
    ["deno run -A cli.ts", cli.deno, [DENO, ["run", "-A", empty]]],
    ["bun cli.ts", cli.bun, [BUN, [empty]]],
    ["node (bundle)", cli.node, [NODE, [empty]]],
  ];
  for (const [label, make, bare] of rows) {
    log(`start-up: ${label}`);
    results.startup.push({
      label,
      version_ms: time(...make(["--version"])),
      list_ms: time(...make(["--dir", small, "list"])),
      bare_ms: time(...bare),
    });
  }
  const lines = [
    `### 5. Start-up: ms per command (median of ${n}), against the bare runtime running an empty file`,
    "",
    "| how | --version ms | ×bare | list (10 sessions, 1 MB) ms | ×bare | bare runtime ms |",
    "|---|--:|--:|--:|--:|--:|",
  ];
  for (const row of results.startup) {
    lines.push(
      `| ${row.label} | ${fmt(row.version_ms, 0)} | ${ratio(row.version_ms, row.bare_ms)} | ${fmt(row.list_ms, 0)} | ${
        ratio(row.list_ms, row.bare_ms)
      } | ${fmt(row.bare_ms, 0)} |`,
    );
  }
  sections.push(lines.join("\n"));
}

// ---------------------------------------------------------------- 6. HTML report
if (wants("html")) {
  const steps = QUICK ? 1000 : 10000;
  if (!fs.existsSync(process.env.AI_TRACE_CHROMIUM ?? "/usr/bin/chromium")) {
    log("html report: skipped, no Chromium (apt-get install -y chromium)");
    sections.push("### 6. HTML report\n\nSkipped: Chromium is not installed (`apt-get install -y chromium`).");
  } else {
    log(`html report: ${steps} steps in Chromium`);
    const out = run(DENO, ["run", "-A", "bench/html_report.ts", "--steps", String(steps), "--runs", QUICK ? "1" : "5"]);
    results.html.push(...jsonLines(out));
    const lines = [
      `### 6. HTML report: a ${steps.toLocaleString("en")}-step report in Chromium (median of ${QUICK ? 1 : 5} runs)`,
      "",
      "From navigation to the page saying it is ready, and from typing a search to the list answering; the peer is a static",
      "page with one table row per step (no virtualized timeline).",
      "",
      "| page | size MB | open ms | script ready ms | search ms | ×table (open) |",
      "|---|--:|--:|--:|--:|--:|",
    ];
    for (const row of results.html) {
      lines.push(
        `| static table (peer) | – | ${fmt(row.table_load_ms, 0)} | – | – | ×1.00 |`,
        `| ai-trace report | ${fmt(row.bytes / 1e6, 1)} | ${fmt(row.load_ms, 0)} | ${fmt(row.script_ready_ms, 0)} | ${
          fmt(row.search_ms, 0)
        } | ${ratio(row.load_ms, row.table_load_ms)} |`,
      );
    }
    sections.push(lines.join("\n"));
  }
}

// ---------------------------------------------------------------- 7. diff
if (wants("diff")) {
  const runs = QUICK ? "3" : "21";
  const keep = fs.mkdtempSync(join(os.tmpdir(), "ai-trace-bench-diff-"));
  for (const rt of ["deno", "bun"]) {
    log(`diff of two 1,000-step runs on ${rt}`);
    const out = join(keep, rt);
    const command = rt === "deno"
      ? [DENO, ["run", "-A", "bench/diff.ts", "--runs", runs, "--keep", out]]
      : [BUN, ["bench/diff.ts", "--runs", runs, "--keep", out]];
    results.diff.push(...jsonLines(run(...command)));
  }
  // The whole command as a person runs it, start-up included, beside `--version` (the start-up floor).
  const { a, b } = results.diff[0];
  const n = QUICK ? 2 : 10;
  const wall = (args) => {
    const samples = [];
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(...args, { cwd: root, env, stdio: "ignore" });
      if (r.status !== 0 && r.status !== 1) throw new Error(`${args.flat().join(" ")} failed (${r.status})`);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return median(samples);
  };
  const processes = [
    ["compiled binary", cli.binary],
    ["deno run -A cli.ts", cli.deno],
    ["bun cli.ts", cli.bun],
  ].map(([label, make]) => ({ label, diff_ms: wall(make(["diff", a, b])), version_ms: wall(make(["--version"])) }));
  results.diff.push({ processes });
  fs.rmSync(keep, { recursive: true, force: true });
  const inProcess = results.diff.filter((row) => row.runtime !== undefined);
  const lines = [
    `### 7. diff: two runs of ${inProcess[0].steps.toLocaleString("en")} steps (median of ${runs} runs)`,
    "",
    `The second run decided differently half-way and retried one tool call later (first divergence: \`${
      inProcess[0].first_divergence
    }\`).`,
    "In-process: reading both files (the peer: any comparison pays it first), aligning and comparing, rendering the",
    "text; then the whole command as a process, start-up included, beside `--version` (the start-up floor).",
    "",
    "| runtime | read both ms (peer) | align + compare ms | render ms | total ms | ×read | `main(diff)` ms |",
    "|---|--:|--:|--:|--:|--:|--:|",
  ];
  for (const row of inProcess) {
    lines.push(
      `| ${row.runtime} | ${fmt(row.read_ms, 1)} | ${fmt(row.diff_ms, 1)} | ${fmt(row.render_ms, 1)} | ${
        fmt(row.total_ms, 1)
      } | ${ratio(row.total_ms, row.read_ms)} | ${fmt(row.cli_in_process_ms, 1)} |`,
    );
  }
  lines.push("", "| process | `ai-trace diff a b` ms | `--version` ms | ×--version |", "|---|--:|--:|--:|");
  for (const row of processes) {
    lines.push(
      `| ${row.label} | ${fmt(row.diff_ms, 0)} | ${fmt(row.version_ms, 0)} | ${ratio(row.diff_ms, row.version_ms)} |`,
    );
  }
  sections.push(lines.join("\n"));
}

// ---------------------------------------------------------------- targets
const targets = [];
const check = (name, ok, detail) =>
  targets.push(`- ${ok === undefined ? "–" : ok ? "met" : "NOT met"}: ${name} (${detail})`);
if (results.hot.length) {
  for (const rt of runtimes.map((r) => r.name)) {
    const g = (c) => results.hot.find((r) => r.runtime === rt && r.case === c)?.median_us ?? NaN;
    const [d, s, off, f, p] = [
      g("ai-trace default"),
      g("ai-trace startLines: false"),
      g("ai-trace disabled"),
      g("floor"),
      g("pino sync"),
    ];
    check(
      `${rt}: default below pino sync and within 2× the floor`,
      d < p && d <= 2 * f,
      `${fmt(d)} µs, pino ${fmt(p)}, floor ${fmt(f)}: ${ratio(d, f)}`,
    );
    check(`${rt}: start lines off within 1.3× the floor`, s <= 1.3 * f, `${fmt(s)} µs: ${ratio(s, f)}`);
    check(`${rt}: disabled under 0.05 µs`, off < 0.05, `${fmt(off, 4)} µs`);
  }
}
for (const m of results.memory.filter((r) => r.case === "ai-trace")) {
  check(
    `${m.runtime}: RSS growth under 16 MiB over ${m.steps.toLocaleString("en")} steps`,
    m.growth_mib < 16,
    `${fmt(m.growth_mib, 1)} MiB`,
  );
}
for (const row of results.read.filter((r) => r.command === "stats" && /deno|bun/.test(r.label))) {
  const jq = results.read.find((r) => r.format === row.format && r.command === "jq");
  check(
    `${row.label} on ${row.format}: ≥ 10× faster than jq, ≥ 300 MB/s, peak RSS < 100 MiB`,
    jq ? jq.seconds / row.seconds >= 10 && row.mb_per_s >= 300 && row.rss_mib < 100 : undefined,
    `${fmt(jq ? jq.seconds / row.seconds : NaN, 1)}× jq, ${fmt(row.mb_per_s, 0)} MB/s, ${fmt(row.rss_mib, 0)} MiB`,
  );
}
for (const row of results.read.filter((r) => r.command === "list" && r.format === "ours")) {
  check(`${row.label} over our sessions under 0.3 s`, row.seconds < 0.3, `${fmt(row.seconds, 3)} s`);
}
for (const row of results.many) {
  check(
    `${row.runtime}: list --agent (1 agent in 50) of ${row.sessions.toLocaleString("en")} sessions ≤ 0.5× plain list`,
    QUICK ? undefined : row.agent_s <= 0.5 * row.list_s, // 500 sessions: start-up is most of either
    `${fmt(row.agent_s, 3)} s vs ${fmt(row.list_s, 3)} s: ${ratio(row.agent_s, row.list_s)}`,
  );
}
for (const row of results.tail.filter((r) => r.label.startsWith("ai-trace"))) {
  check(
    `${row.label}: median under 20 ms, worst under 100 ms`,
    row.median_ms < 20 && row.max_ms < 100 && row.missed === 0,
    `${fmt(row.median_ms, 1)} / ${fmt(row.max_ms, 1)} ms, ${row.missed} missed`,
  );
}

for (const row of results.html) {
  check(
    `HTML report of ${row.steps.toLocaleString("en")} steps: opens and answers a search in under a second`,
    row.load_ms < 1000 && row.search_ms < 1000,
    `${fmt(row.load_ms, 0)} ms to open, ${fmt(row.search_ms, 0)} ms to search`,
  );
}

for (const row of results.diff.filter((r) => r.runtime !== undefined)) {
  check(
    `diff of two ${row.steps.toLocaleString("en")}-step runs on ${row.runtime} (read, align, render) under 100 ms`,
    row.total_ms < 100,
    `${fmt(row.total_ms, 1)} ms, of which reading ${fmt(row.read_ms, 1)} ms`,
  );
}

machine.load_at_end = os.loadavg().map((x) => +x.toFixed(2));
machine.seconds = Math.round((Date.now() - started) / 1000);
const header = [
  `## Results (${machine.mode} run, ${machine.date})`,
  "",
  `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB RAM, ${machine.os}`,
  `- Runtimes: Deno ${machine.deno}, Bun ${machine.bun}, Node ${machine.node}; ${machine.jq}`,
  `- Load average at start ${machine.load_at_start.join(" ")}, at end ${
    machine.load_at_end.join(" ")
  }; the whole run took ${machine.seconds} s`,
].join("\n");
const markdown = [header, ...sections, ["### Targets", "", ...targets].join("\n")].join("\n\n") + "\n";
fs.mkdirSync(join(root, "bench", "results"), { recursive: true });
fs.writeFileSync(join(root, "bench", "results", `latest${QUICK ? "-quick" : ""}.md`), markdown);
fs.writeFileSync(
  join(root, "bench", "results", `latest${QUICK ? "-quick" : ""}.json`),
  JSON.stringify(results, null, 2),
);
process.stdout.write(markdown);
