/**
 * Helpers for the CLI tests: run `main()` in-process with captured output,
 * compare output with golden files (`npm run golden` rewrites them), and
 * poll for a condition with a deadline.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type MemoryIo, memoryIo } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";

/** `tests/testdata/`, absolute. */
export const TESTDATA: string = fileURLToPath(new URL("./testdata/", import.meta.url)).replace(/[\\/]$/, "");
/** The original Python tracer's files. */
export const PYTHON_SEED: string = join(TESTDATA, "python-seed");
/** Sessions in our format: one complete with nesting, one crashed with steps in flight. */
export const OURS: string = join(TESTDATA, "cli");
/** The CLI entry. */
export const CLI: string = fileURLToPath(new URL("../cli.ts", import.meta.url));
/** A fixed "now" for golden output: 2026-11-26 00:00:00 UTC, after every test session. */
export const NOW: number = Date.UTC(2026, 10, 26);

/** What a CLI run left. */
export interface CliResult {
  /** The exit code. */
  code: number;
  /** Standard output. */
  out: string;
  /** Standard error. */
  err: string;
  /** The Io it ran with. */
  io: MemoryIo;
}

/** Runs the CLI in-process, with colors off and a fixed clock unless told otherwise. */
export async function cli(
  args: string[],
  options: { env?: Record<string, string>; isTTY?: boolean; now?: () => number; signal?: AbortSignal } = {},
): Promise<CliResult> {
  const io = memoryIo({
    env: options.env ?? {},
    isTTY: options.isTTY,
    now: options.now ?? (() => NOW),
    signal: options.signal,
  });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err(), io };
}

/** Replaces the absolute test-data path with `<testdata>` so golden files are portable. */
export function normalize(text: string): string {
  return text.split(TESTDATA).join("<testdata>").replaceAll("\\", "/");
}

/**
 * Asserts that `actual` equals the golden file `tests/testdata/golden/<name>`.
 * Tests never write golden files: a missing or outdated one fails, and
 * `npm run golden` (scripts/update_golden.ts) rewrites them on purpose.
 */
export function assertGolden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`./testdata/golden/${name}`, import.meta.url));
  if (!existsSync(path)) assert.fail(`golden file ${name} is missing (npm run golden writes it)`);
  assert.equal(
    normalize(actual),
    readFileSync(path, "utf8"),
    `output differs from golden file ${name} (npm run golden rewrites it; read the diff before committing)`,
  );
}

/** Asserts that a failure was reported as one `error:` line (plus a hint for usage errors), no stack. */
export function assertOneLineError(err: string, pattern: RegExp): void {
  const lines = err.trimEnd().split("\n");
  const errorLine = lines.find((line) => line.startsWith("error: "));
  assert.ok(errorLine, `no "error:" line in ${JSON.stringify(err)}`);
  assert.match(errorLine, pattern);
  assert.ok(!/^\s+at /m.test(err), `stack trace printed: ${err}`);
  assert.ok(lines.length <= 2, `more than two lines: ${err}`);
}

/**
 * Polls `condition` every 5 ms until it holds; fails after `timeoutMs`. The deadline only bounds a hang: keep it
 * generous (the tests share two busy cores), never a claim about speed.
 */
export async function until(condition: () => boolean, timeoutMs = 60_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
