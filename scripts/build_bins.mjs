#!/usr/bin/env node
/**
 * Builds standalone `ai-trace` binaries with `bun build --compile`, one per
 * target, into `dist/bin/`, and writes `dist/bin/sha256sums.txt`.
 *
 * Usage: node scripts/build_bins.mjs [target ...]
 *   (or `deno task build:bin`, `npm run build:bin`; runs on Node, Deno and Bun)
 * Targets: linux-x64 linux-arm64 darwin-x64 darwin-arm64 windows-x64 (default: all).
 * Targets other than this machine's need Bun to fetch that target's runtime
 * once from the npm registry; it is cached afterwards.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ALL = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"];

const targets = process.argv.slice(2);
for (const target of targets) {
  if (!ALL.includes(target)) {
    console.error(`error: Unknown target "${target}" (expected one of ${ALL.join(", ")})`);
    process.exit(2);
  }
}

/** The Bun to build with: this process if it is Bun, else the dev dependency, else `bun` on PATH. */
function bunBinary() {
  if (process.versions.bun) return process.execPath;
  const local = join(root, "node_modules", ".bin", process.platform === "win32" ? "bun.exe" : "bun");
  return existsSync(local) ? local : "bun";
}

const bun = bunBinary();
const outDir = join(root, "dist", "bin");
mkdirSync(outDir, { recursive: true });
const sums = [];
for (const target of targets.length > 0 ? targets : ALL) {
  const name = `ai-trace-${target}${target.startsWith("windows") ? ".exe" : ""}`;
  const outfile = join(outDir, name);
  const args = ["build", "--compile", `--target=bun-${target}`, "cli.ts", "--outfile", outfile];
  console.error(`$ bun ${args.join(" ")}`);
  const result = spawnSync(bun, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`error: Cannot build ${name}: bun exited with ${result.status ?? result.signal ?? result.error}`);
    process.exit(1);
  }
  const hash = createHash("sha256").update(readFileSync(outfile)).digest("hex");
  sums.push(`${hash}  ${name}`);
}
writeFileSync(join(outDir, "sha256sums.txt"), sums.join("\n") + "\n");
console.error(`Wrote ${sums.length} binaries and sha256sums.txt to ${outDir}`);
