/**
 * Helpers shared by the tests: temporary directories, reading what the
 * tracer wrote, and running a script on the runtime the tests run on.
 *
 * @module
 */

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import assert from "node:assert/strict";
import type { SessionStep } from "../mod.ts";

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

let tmpfsReason: string | undefined | null = null;

/**
 * Why a test that mounts a tmpfs (a real small or read-only disk) cannot run
 * here, or `undefined` where it can. Decided once, when the test file loads, so
 * the test is declared skipped with its reason and the runners count it as
 * skipped (a skip decided inside the test is reported as a pass by Deno).
 */
export function tmpfsSkipReason(): string | undefined {
  if (tmpfsReason !== null) return tmpfsReason;
  tmpfsReason = "mounting a tmpfs needs root";
  if (process.getuid?.() === 0) {
    const dir = tempDir("ai-trace-mount-probe-");
    try {
      if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", dir]).status === 0) {
        spawnSync("umount", [dir]);
        tmpfsReason = undefined;
      } else {
        tmpfsReason = "mount -t tmpfs failed (no CAP_SYS_ADMIN in this container)";
      }
    } finally {
      removeDir(dir);
    }
  }
  return tmpfsReason;
}

/** The first of the usual paths where setpriv(1) lives, if any. */
export const SETPRIV: string | undefined = ["/usr/bin/setpriv", "/bin/setpriv"].find((path) => existsSync(path));

/**
 * A copy of the CLI's sources (cli.ts, mod.ts, src/) in a directory anyone can
 * read, for tests that run the CLI as an unprivileged user: the checkout itself
 * may lie in a private directory (mode 0700) that such a user cannot enter.
 */
export function readableCliCopy(root: string): string {
  const app = join(root, "app");
  const checkout = join(import.meta.dirname!, "..");
  mkdirSync(app, { recursive: true });
  for (const entry of ["cli.ts", "mod.ts", "src"]) cpSync(join(checkout, entry), join(app, entry), { recursive: true });
  for (const dir of [root, app]) chmodSync(dir, 0o755);
  spawnSync("chmod", ["-R", "a+rX", app]);
  return join(app, "cli.ts");
}

/** Every item of an async stream, in order. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** A step's log entries merged into one object (later fields win). */
export function logOf(step: SessionStep): Record<string, unknown> {
  return Object.assign({}, ...step.logs);
}

/** What a promise rejects with; fails the test when it resolves. */
export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected the call to throw");
}
