#!/usr/bin/env node
// Runs the whole test suite on Deno and on Bun (both installed from npm as
// dev dependencies), streaming their output as it comes, then prints one
// closing line with the totals.
//
// Both runtimes count the same unit: a test case that has no test cases inside
// it (Deno reports a `describe` as one test with steps, Bun counts each `test`;
// both write JUnit XML, and the leaves are counted there). A skipped test is
// counted as skipped, never as passed, on both.
//
// Usage: node scripts/test.mjs [deno|bun] [test files or folders…]
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
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

/** Runs a command with its output streamed through; resolves to its exit code. */
function run(command, commandArgs) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", (error) => {
      console.error(`error: cannot start ${command}: ${error.message}`);
      resolve(1);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const unescape = (text) =>
  text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e]);

/**
 * Counts the leaf test cases of a JUnit XML report: passed, failed, skipped.
 * A case whose name is the prefix (`name > …`) of another case is a group (Deno
 * writes a `describe` as a case of its own), not a test.
 */
function countJunit(xml) {
  const cases = [];
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (let m; (m = re.exec(xml));) {
    const name = unescape(/\bname="([^"]*)"/.exec(m[1])?.[1] ?? "");
    const file = unescape(/\b(?:file|classname)="([^"]*)"/.exec(m[1])?.[1] ?? "");
    const body = m[3] ?? "";
    cases.push({ name, file, failed: /<(failure|error)\b/.test(body), skipped: /<skipped\b/.test(body) });
  }
  const groups = new Set();
  for (const c of cases) {
    const parts = c.name.split(" > ");
    for (let i = 1; i < parts.length; i++) groups.add(parts.slice(0, i).join(" > "));
  }
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const c of cases) {
    if (groups.has(c.name)) {
      // A group is counted only when it failed on its own (a hook, or a throw outside its tests).
      const inner = cases.filter((d) => d.name.startsWith(`${c.name} > `));
      if (c.failed && !inner.some((d) => d.failed)) counts.failed++;
      continue;
    }
    if (c.failed) counts.failed++;
    else if (c.skipped) counts.skipped++;
    else counts.passed++;
  }
  return counts;
}

const work = mkdtempSync(join(tmpdir(), "ai-trace-test-"));
const total = { passed: 0, failed: 0, skipped: 0 };
let crashed = false;
try {
  for (const runtime of runtimes) {
    const junit = join(work, `${runtime}.xml`);
    const command = runtime === "deno"
      ? ["test", "-A", "--no-prompt", `--junit-path=${junit}`, ...(paths.length ? paths : ["tests/"])]
      : [
        "test",
        "--timeout",
        "60000",
        "--reporter=junit",
        `--reporter-outfile=${junit}`,
        ...(paths.length ? paths.map((p) => `./${p}`) : ["./tests/"]),
      ];
    console.log(`\n=== ${runtime}: ${command.join(" ")}`);
    const code = await run(bin(runtime), command);
    const counts = existsSync(junit) ? countJunit(readFileSync(junit, "utf8")) : { passed: 0, failed: 0, skipped: 0 };
    if (code !== 0 && counts.failed === 0) {
      crashed = true;
      console.log(`${runtime}: exited with code ${code} without a failed test (a crash, or a file that did not load)`);
    }
    console.log(`${runtime}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    for (const k of Object.keys(total)) total[k] += counts[k];
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`\ntotal: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || crashed || total.passed === 0 ? 1 : 0);
