/**
 * The two kinds of failure a command reports: a user's mistake on the
 * command line ({@linkcode UsageError}, exit code 2) and anything else that
 * went wrong (exit code 1). Either way the user sees one line, never a stack
 * trace.
 *
 * @module
 */

import { AlreadyExistsError, NotFoundError, PermissionError } from "../runtime.ts";

/** Exit code of a command that failed at run time (missing file, unreadable trace, …). */
export const EXIT_FAILURE = 1;
/** Exit code of a command line that is wrong (unknown option, missing argument, …). */
export const EXIT_USAGE = 2;

/**
 * A mistake on the command line. The CLI prints `error: <message>` and a hint
 * to `--help`, and exits with code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 * const err = new UsageError('Unknown command "lsit"', "ai-trace --help");
 * console.assert(err.help === "ai-trace --help");
 * ```
 */
export class UsageError extends Error {
  /** The help command to suggest, e.g. `"ai-trace view --help"`. */
  help: string;

  /**
   * @param message What is wrong, sentence case, no final period.
   * @param help The help command to suggest.
   */
  constructor(message: string, help = "ai-trace --help") {
    super(message);
    this.name = "UsageError";
    this.help = help;
  }
}

/** What to print for a failure, and the exit code. */
export interface FailureReport {
  /** The lines to print on standard error, each ending with a newline. */
  text: string;
  /** The exit code. */
  code: number;
}

/**
 * Turns anything thrown by a command into one line for standard error and
 * an exit code: 2 for a {@linkcode UsageError} (plus a second line naming the
 * help to read), else 1. Commands suggested in the text (`"ai-trace list"`)
 * are written as the user runs the CLI: `program`.
 *
 * @param err What was thrown.
 * @param program How the user runs the CLI (see {@linkcode programName}).
 * @returns The text to print and the exit code.
 */
export function describeFailure(err: unknown, program = "ai-trace"): FailureReport {
  const as = (text: string) => asProgram(text, program);
  if (err instanceof UsageError) {
    const what = err.help.endsWith("--help") ? "for usage" : "to see the choices";
    return { text: as(`error: ${oneLine(err.message)}\nRun "${err.help}" ${what}.\n`), code: EXIT_USAGE };
  }
  return { text: as(`error: ${oneLine(failureMessage(err))}\n`), code: EXIT_FAILURE };
}

/**
 * How the user runs the CLI, for the commands that messages suggest:
 * `npm run cli --` from a checkout (npm says so in `npm_lifecycle_event`),
 * else `ai-trace` (the npm package's bin, the binary).
 *
 * @param env Reads an environment variable.
 * @returns The command to write before a subcommand.
 */
export function programName(env: (name: string) => string | undefined): string {
  return env("npm_lifecycle_event") === "cli" ? "npm run cli --" : "ai-trace";
}

/**
 * Writes the commands a message suggests (`"ai-trace list"`, in quotes) as the
 * user runs the CLI: the one rule for errors, usage hints and notes.
 *
 * @param text A message naming commands as `"ai-trace …"`.
 * @param program How the user runs the CLI (see {@linkcode programName}).
 * @returns The message with each quoted `ai-trace ` written as `program`.
 */
export function asProgram(text: string, program: string): string {
  return program === "ai-trace" ? text : text.replaceAll('"ai-trace ', `"${program} `);
}

function failureMessage(err: unknown): string {
  if (err instanceof NotFoundError) return `Cannot read "${err.path}": no such file or directory`;
  if (err instanceof PermissionError) return `Cannot read "${err.path}": permission denied`;
  if (err instanceof AlreadyExistsError) return `Cannot write "${err.path}": the file exists`;
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    if (code === "EISDIR") return `Cannot read a directory as a trace: ${err.message}`;
    if (code === "ENOSPC") return `The disk is full: ${err.message}`;
    return err.message || err.name;
  }
  return String(err);
}

/** The first line of a message, so an error never spans the screen. */
function oneLine(message: string): string {
  const line = message.split("\n", 1)[0].trim();
  return line === "" ? "Unknown error" : line;
}
