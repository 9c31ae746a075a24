/**
 * What a CLI command may touch of the outside world besides trace files:
 * standard output and error, whether output goes to a terminal, environment
 * variables, the clock, and a signal that stops long-running commands.
 * Commands take an {@linkcode Io} so that tests run them in-process and read
 * what they printed.
 *
 * @module
 */

import process from "node:process";
import { env, stdoutIsTerminal, writeStderr, writeStdout } from "../runtime.ts";

/**
 * The world a command runs in.
 *
 * @example Run a command with output captured in a string
 * ```ts
 * import { type Io, main } from "@ai-trace/core/cli";
 *
 * let out = "";
 * const io: Io = {
 *   stdout: (text) => {
 *     out += typeof text === "string" ? text : new TextDecoder().decode(text);
 *   },
 *   stderr: (text) => console.error(text),
 *   isTTY: false, // no colors
 *   env: (name) => (name === "NO_COLOR" ? "1" : undefined),
 *   now: () => Date.now(),
 * };
 * const code = await main(["--dir", await Deno.makeTempDir(), "stats", "--json"], io);
 * console.log(code, JSON.parse(out).sessions); // 0 0
 * ```
 */
export interface Io {
  /** Writes to standard output. */
  stdout(text: string | Uint8Array): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Whether standard output is a terminal (colors are allowed). */
  isTTY: boolean;
  /** Reads an environment variable. */
  env(name: string): string | undefined;
  /** The time now, epoch milliseconds. */
  now(): number;
  /** Aborted to stop a command that runs until stopped (`tail`), e.g. on Ctrl-C. */
  signal?: AbortSignal;
}

/**
 * The real world: the process's standard streams, environment and clock.
 * Output to a closed pipe (`ai-trace list | head -1`) is dropped quietly;
 * any other failure to write standard output (a full disk) throws a
 * {@linkcode StdoutError}, which the CLI reports in one line with exit code 1.
 *
 * Its `signal` is created on first use, and only then is Ctrl-C (SIGINT)
 * caught: the first Ctrl-C aborts the signal (so `tail` returns and the CLI
 * exits 0), a second one exits at once. Commands that never look at the
 * signal keep the default Ctrl-C behaviour.
 *
 * @returns An {@linkcode Io} over the process.
 */
export function processIo(): Io {
  let closed = false;
  let controller: AbortController | undefined;
  return {
    stdout(text: string | Uint8Array): void {
      if (closed) return;
      try {
        writeStdout(text); // bytes as they are: `export --format otlp-proto` is binary
      } catch (err) {
        const code = (err as { code?: string } | null)?.code;
        // The reader went away (EPIPE): nothing more to say to it, and nothing wrong.
        if (code === "EPIPE" || (err as Error | null)?.name === "BrokenPipe") closed = true;
        else throw new StdoutError(err);
      }
    },
    stderr: writeStderr,
    isTTY: stdoutIsTerminal(),
    env,
    now: () => Date.now(),
    get signal(): AbortSignal {
      if (controller === undefined) {
        const created = new AbortController();
        controller = created;
        try {
          process.on("SIGINT", () => {
            if (created.signal.aborted) process.exit(130);
            created.abort();
          });
        } catch {
          // No signals here (some platforms): the process ends the usual way.
        }
      }
      return controller.signal;
    },
  };
}

/**
 * Standard output could not be written (a full disk, an I/O error): the
 * command fails with one line and exit code 1. A reader that went away
 * (EPIPE) is not an error: output just stops.
 */
export class StdoutError extends Error {
  /** @param cause The runtime's error. */
  constructor(cause: unknown) {
    const code = (cause as { code?: string } | null)?.code;
    const raw = cause instanceof Error ? cause.message : String(cause);
    const why = STDOUT_REASONS[code ?? ""] ?? raw.replace(/ \(os error \d+\)$/, "").replace(/^\w+: /, "");
    super(`Cannot write to standard output: ${why}${code ? ` (${code})` : ""}`, { cause });
    this.name = "StdoutError";
  }
}

const STDOUT_REASONS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EIO: "input/output error",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EBADF: "it is closed",
};

/** An {@linkcode Io} that keeps what is written, for tests and embedding. */
export interface MemoryIo extends Io {
  /** Everything written to standard output so far. */
  out(): string;
  /** Everything written to standard error so far. */
  err(): string;
}

/** Options of {@linkcode memoryIo}. */
export interface MemoryIoOptions {
  /**
   * Pretend standard output is a terminal.
   *
   * @default {false}
   */
  isTTY?: boolean;
  /**
   * The environment.
   *
   * @default {no variables}
   */
  env?: Record<string, string>;
  /**
   * The clock, epoch milliseconds.
   *
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Stops long-running commands.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Called after each write to standard output, with all output so far.
   *
   * @default {undefined}
   */
  onStdout?: (all: string) => void;
}

/**
 * Creates an {@linkcode Io} that records output in memory.
 *
 * @example Capture a command's output
 * ```ts
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ env: { NO_COLOR: "1" } });
 * io.stdout("hello\n");
 * console.assert(io.out() === "hello\n");
 * ```
 *
 * @param options The environment, clock and terminal flag to pretend.
 * @returns An {@linkcode Io} with `out()` and `err()`.
 */
export function memoryIo(options: MemoryIoOptions = {}): MemoryIo {
  let out = "";
  let err = "";
  const variables = options.env ?? {};
  return {
    stdout(text: string | Uint8Array): void {
      out += typeof text === "string" ? text : new TextDecoder().decode(text);
      options.onStdout?.(out);
    },
    stderr(text: string): void {
      err += text;
    },
    isTTY: options.isTTY ?? false,
    env: (name) => variables[name],
    now: options.now ?? (() => Date.now()),
    signal: options.signal,
    out: () => out,
    err: () => err,
  };
}

/** The command-line arguments of this process. */
export function processArgs(): string[] {
  return process.argv.slice(2);
}
