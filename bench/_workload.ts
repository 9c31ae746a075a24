/**
 * The workload every hot-path benchmark runs: one typical agent step (a
 * name, 3 context fields, one log with 3 fields of which one is a
 * 200-character string), written by ai-trace, by the floor (the same record,
 * `JSON.stringify`, one write on an O_APPEND file descriptor), by pino and by
 * the OpenTelemetry SDK.
 *
 * @module
 */

import * as fs from "node:fs";
import process from "node:process";

/** A 200-character string of prose: what an agent logs (a model's reply, a reason). */
export const TEXT: string = (
  "The market scan found a breakout on rising volume; risk stays inside the daily limit, so the agent " +
  "enters a small long position and sets a stop below the last swing low, pending the next funding update."
).slice(0, 200);

if (TEXT.length !== 200) throw new Error("TEXT must be 200 characters");

// Real agents log a different string on every step; a pool of distinct, flat
// strings keeps a runtime from reusing the work done on the previous one.
const POOL: string[] = Array.from({ length: 1024 }, (_, i) => {
  const words = TEXT.split(" ");
  const k = i % words.length;
  const rotated = [...words.slice(k), ...words.slice(0, k)].join(" ");
  return JSON.parse(JSON.stringify(`${rotated} ${i}`.slice(-200).padStart(200, ".")));
});

/** A 200-character string of prose, different for each `i` (1024 of them). */
export function text(i: number): string {
  return POOL[i & 1023];
}

/** The runtime running this file and its version. */
export function runtime(): { name: string; version: string } {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  if (deno) return { name: "deno", version: deno.version.deno };
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun) return { name: "bun", version: versions.bun };
  return { name: "node", version: process.versions.node };
}

/** The floor's record: what the original tracer writes for the step, built the same way. */
export function floorRecord(i: number): Record<string, unknown> {
  const t0 = performance.now();
  const startedAt = (performance.timeOrigin + t0) / 1000;
  const log = { _t: (performance.timeOrigin + performance.now()) / 1000, signal: 0.87, confidence: 0.9, note: text(i) };
  const t1 = performance.now();
  return {
    name: "market_scan",
    context: { symbol: "BTCUSDT", position: i, mode: "live" },
    started_at: startedAt,
    finished_at: (performance.timeOrigin + t1) / 1000,
    duration_ms: Math.round((t1 - t0) * 1000) / 1000,
    outcome: "ok",
    error: null,
    logs: [log],
  };
}

/** A writer on a file descriptor opened with O_APPEND, one write call per line. */
export interface LineSink {
  write(line: string): void;
  close(): void;
}

interface DenoFile {
  writeSync(p: Uint8Array): number;
  close(): void;
}
interface DenoNs {
  openSync(path: string, options: { append: boolean; create: boolean }): DenoFile;
}

/**
 * Opens `path` for appending. On Deno the fastest of Deno's own file API and
 * `node:fs` is used (`kind` picks one), on Bun and Node `node:fs`.
 */
export function openSink(path: string, kind: "node" | "deno" = "node"): LineSink {
  const deno = (globalThis as { Deno?: DenoNs }).Deno;
  if (kind === "deno" && deno) {
    const file = deno.openSync(path, { append: true, create: true });
    const encoder = new TextEncoder();
    let buffer = new Uint8Array(16 * 1024);
    return {
      write(line: string): void {
        if (line.length * 3 > buffer.length) buffer = new Uint8Array(line.length * 3);
        const { written } = encoder.encodeInto(line, buffer);
        let offset = 0;
        while (offset < written) offset += file.writeSync(buffer.subarray(offset, written));
      },
      close: () => file.close(),
    };
  }
  const fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o600);
  return {
    write(line: string): void {
      fs.writeSync(fd, line);
    },
    close: () => fs.closeSync(fd),
  };
}

/** The process's resident set size, bytes. */
export function rss(): number {
  return process.memoryUsage().rss;
}

/** The median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
