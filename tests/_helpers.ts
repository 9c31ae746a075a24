/**
 * Helpers shared by the tests: temporary directories, reading what the
 * tracer wrote, and running a script on the runtime the tests run on.
 *
 * @module
 */

import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** A new empty directory under the system's temporary directory. */
export function tempDir(prefix = "ai-trace-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a directory tree, ignoring errors. */
export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** The names of files in `dir` that end with `suffix`, sorted. */
export function filesIn(dir: string, suffix = ""): string[] {
  return readdirSync(dir).filter((name) => name.endsWith(suffix)).sort();
}

/** The JSON records of a JSONL file (every line must parse). */
export function readRecords(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, "utf8");
  return text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}

/** Whether the tests run on Deno. */
export const onDeno = "Deno" in globalThis;

/** The command that runs a TypeScript file on the runtime the tests run on. */
export function scriptCommand(script: string, args: string[] = []): [string, string[]] {
  return onDeno ? [process.execPath, ["run", "-A", script, ...args]] : [process.execPath, [script, ...args]];
}

/** Runs a script to its end. */
export function runScript(
  script: string,
  options: { args?: string[]; cwd?: string; env?: Record<string, string> } = {},
): { status: number | null; stdout: string; stderr: string } {
  const [command, args] = scriptCommand(script, options.args);
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts a script; resolves `waitFor(text)` once its stdout has printed `text`. */
export function startScript(
  script: string,
  options: { args?: string[]; cwd?: string; env?: Record<string, string> } = {},
) {
  const [command, args] = scriptCommand(script, options.args);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters.splice(0)) {
      if (stdout.includes(waiter.text)) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  child.stderr.on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  );
  return {
    child,
    exited,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    /** Resolves when stdout contains `text`; rejects if the script exits first. */
    waitFor(text: string): Promise<void> {
      if (stdout.includes(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ text, resolve });
        exited.then(({ code, signal }) => {
          if (!stdout.includes(text)) {
            reject(new Error(`script exited (${code ?? signal}) before printing "${text}": ${stderr}`));
          }
        });
      });
    },
  };
}

/** A `session` record of the format, with defaults for what a test does not care about. */
export function sessionRecord(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "session",
    schema: "ai-trace/1",
    agent: "a",
    session_id: "20260101_000000_abcdef",
    started_at: 1,
    meta: {},
    runtime: { name: "x", version: "1" },
    pid: 1,
    host: "elsewhere",
    ...fields,
  };
}
