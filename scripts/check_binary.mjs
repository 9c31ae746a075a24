#!/usr/bin/env node
/**
 * Checks the standalone linux-x64 binary (`dist/bin/ai-trace-linux-x64`,
 * built by `scripts/build_bins.mjs linux-x64` when missing) with an empty
 * PATH, so no Deno, Bun or Node can be found: every command runs on the
 * original tracer's files with the documented output and exit codes.
 *
 * Usage: node scripts/check_binary.mjs [path/to/binary]   (exit 0 when all checks pass)
 */

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const binary = process.argv[2] ?? join(root, "dist", "bin", "ai-trace-linux-x64");
const fixtures = join(root, "tests", "testdata", "python-seed");

if (!existsSync(binary)) {
  const build = spawnSync(process.execPath, [join(root, "scripts", "build_bins.mjs"), "linux-x64"], {
    stdio: "inherit",
  });
  if (build.status !== 0) process.exit(1);
}

let failures = 0;
function run(args) {
  // An empty PATH and environment: nothing but the binary itself.
  return spawnSync(binary, args, { encoding: "utf8", env: { PATH: "", NO_COLOR: "1" } });
}
function check(what, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) {
    failures++;
    if (detail) console.log(detail);
  }
}

const stats = run(["--dir", fixtures, "stats"]);
check(
  "stats: 4 sessions, 308 steps, 281 ok, 27 errors",
  stats.status === 0 && /^Sessions:\s+4\nSteps:\s+308\nOK:\s+281\nErrors:\s+27\n/.test(stats.stdout),
  stats.stdout + stats.stderr,
);
check(
  "stats: the cut-off line is a warning",
  /crashy_agent_20261124_220807\.jsonl:3: last line is cut off/.test(stats.stderr),
);
const json = run(["--dir", fixtures, "stats", "--json"]);
let parsed;
try {
  parsed = JSON.parse(json.stdout);
} catch {
  parsed = undefined;
}
check("stats --json parses", parsed?.steps === 308, json.stdout);
const list = run(["--dir", fixtures, "list"]);
check("list: four sessions", list.status === 0 && list.stdout.trim().split("\n").length === 5, list.stdout);
for (const session of ["crashy", "research", "trading", "weird"]) {
  const view = run(["--dir", fixtures, "view", session]);
  check(`view ${session}`, view.status === 0 && view.stdout.includes("20261124_"), view.stderr);
}
const tail = run(["--dir", fixtures, "tail", "--no-follow"]);
check("tail --no-follow", tail.status === 0 && tail.stdout.includes("── crashy_agent"), tail.stdout + tail.stderr);
const out = mkdtempSync(join(tmpdir(), "ai-trace-bin-"));
try {
  const exported = run(["--dir", fixtures, "export", "trading", "-o", join(out, "t.md")]);
  check(
    "export -o t.md",
    exported.status === 0 && readFileSync(join(out, "t.md"), "utf8").startsWith("# Trace: trading"),
    exported.stderr,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
const usage = run(["nope"]);
check("unknown command exits 2", usage.status === 2 && usage.stderr.startsWith('error: Unknown command "nope"'));
const missing = run(["--dir", "/nonexistent", "list"]);
check(
  "missing directory exits 1",
  missing.status === 1 && missing.stderr.startsWith("error: Cannot read trace directory"),
);
const version = run(["--version"]);
check("--version", version.status === 0 && /^ai-trace \d+\.\d+\.\d+\n$/.test(version.stdout), version.stdout);

// serve: the page and the API from the binary alone, then Ctrl-C.
{
  const server = spawn(binary, ["--dir", fixtures, "serve", "--port", "0"], {
    env: { PATH: "", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  server.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => server.on("close", (code) => resolve(code)));
  const first = await new Promise((resolve) => {
    server.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0]);
    });
    server.on("close", () => resolve(stdout.split("\n")[0]));
  });
  const url = /^Listening on (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(first)?.[1];
  check("serve: the first line says where it listens", url !== undefined, first + stderr);
  if (url !== undefined) {
    const page = await fetch(url).then((r) => r.text()).catch((e) => String(e));
    check("serve: the page", page.startsWith("<!doctype html>") && page.includes("servePage"), page.slice(0, 200));
    const sessions = await fetch(url + "api/sessions").then((r) => r.json()).catch(() => undefined);
    check("serve: /api/sessions lists the four sessions", sessions?.sessions?.length === 4, JSON.stringify(sessions));
  }
  server.kill("SIGINT");
  check("serve: Ctrl-C exits 0", (await exited) === 0, stderr);
}

console.log(failures === 0 ? `All checks passed (${binary})` : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
