#!/usr/bin/env node
// Runs the whole test suite on Deno and on Bun (both installed from npm as
// dev dependencies), then prints one closing line with the totals.
// Usage: node scripts/test.mjs [deno|bun] [test files or folders…]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);
const args = process.argv.slice(2);
const runtimes = ["deno", "bun"].filter((r) =>
  args.length === 0 || !["deno", "bun"].includes(args[0]) || args[0] === r
);
const paths = args.filter((a) => a !== "deno" && a !== "bun");

for (const runtime of runtimes) {
  if (!existsSync(bin(runtime))) {
    console.error(`error: ${runtime} is not installed: run "npm install" first`);
    process.exit(2);
  }
}

// Deno colors its output whenever FORCE_COLOR is set at all: drop it.
const { FORCE_COLOR: _force, ...inherited } = process.env;
const env = { ...inherited, NO_COLOR: "1" };
let passed = 0;
let failed = 0;
let crashed = false;
for (const runtime of runtimes) {
  const command = runtime === "deno"
    ? [bin("deno"), ["test", "-A", "--no-prompt", ...(paths.length ? paths : ["tests/"])]]
    : [bin("bun"), ["test", "--timeout", "60000", ...(paths.length ? paths.map((p) => `./${p}`) : ["./tests/"])]];
  console.log(`\n=== ${runtime}: ${command[1].join(" ")}`);
  const result = spawnSync(command[0], command[1], { cwd: root, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  // deno-lint-ignore no-control-regex
  const output = `${result.stdout}\n${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
  let p = 0;
  let f = 0;
  if (runtime === "deno") {
    const m = /(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(output);
    if (m) [p, f] = [Number(m[1]), Number(m[2])];
  } else {
    const mp = /^\s*(\d+) pass$/m.exec(output);
    const mf = /^\s*(\d+) fail$/m.exec(output);
    if (mp) p = Number(mp[1]);
    if (mf) f = Number(mf[1]);
  }
  if (result.status !== 0 && f === 0) crashed = true;
  console.log(`${runtime}: ${p} passed, ${f} failed`);
  passed += p;
  failed += f;
}
console.log(`\ntotal: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || crashed || passed === 0 ? 1 : 0);
