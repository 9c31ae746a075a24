/**
 * Helpers of the torture suite: the long mode, the figures each test prints
 * (`FIGURE <name>: …`, collected into RELIABILITY.md), checking a JSONL file
 * line by line, and running the CLI in-process.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { main } from "../../cli.ts";
import { memoryIo } from "../../src/cli/io.ts";

/** `AI_TRACE_TORTURE_LONG=1` runs many more trials. */
export const LONG: boolean = process.env.AI_TRACE_TORTURE_LONG === "1";

/** The fixture agent. */
export const AGENT: string = join(import.meta.dirname!, "fixtures", "agent.ts");

/** The runtime the suite runs on, as printed in figures. */
export const RUNTIME: string = "Deno" in globalThis ? "deno" : "bun";

/** Prints one figure line, e.g. `FIGURE crash-sigkill [deno]: 50 trials, 12345 steps, 0 lost`. */
export function figure(name: string, text: string): void {
  console.log(`FIGURE ${name} [${RUNTIME}${LONG ? ", long" : ""}]: ${text}`);
}

/** What a JSONL file holds, line by line. */
export interface FileCheck {
  /** Every whole line, parsed (throws if a whole line is not JSON). */
  records: Record<string, unknown>[];
  /** The cut-off last line, if the file does not end with a newline. */
  partial: string | undefined;
}

/** Reads a JSONL file: every line but a cut-off last one must be whole JSON. */
export function checkLines(path: string): FileCheck {
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n");
  const last = lines.pop()!;
  const records = lines.map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`${path}: line ${i + 1} of ${lines.length} is not whole JSON: ${line.slice(0, 200)}`);
    }
  });
  return { records, partial: last === "" ? undefined : last };
}

/** What a CLI run printed. */
export interface CliRun {
  /** The exit code. */
  code: number;
  /** Standard output. */
  out: string;
  /** Standard error. */
  err: string;
}

/** Runs the CLI in-process with captured output, colors off. */
export async function cli(args: string[], signal?: AbortSignal): Promise<CliRun> {
  const io = memoryIo({ env: { NO_COLOR: "1" }, signal });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** Runs `fn` over `items` with at most `limit` running at once. */
export async function inBatches<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}
