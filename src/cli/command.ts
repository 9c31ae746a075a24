/**
 * What every command of the CLI is: a name, its help text, its flags, and a
 * function from parsed arguments to an exit code. The dispatch table in
 * `main.ts` holds one per command.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { traceDirFromEnv } from "../format/trace_dir_env.ts";
import { createStyle, type Style, terminalSafe, useColor } from "./format.ts";
import type { Io } from "./io.ts";
import { UsageError } from "./usage_error.ts";

/** The flags a command declares, as `node:util` `parseArgs` takes them. */
export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** The parsed values of a command's flags. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command runs with. */
export interface CommandContext {
  /**
   * The world: output streams, environment, clock, stop signal. Everything
   * written to its standard output and error goes through
   * {@linkcode terminalSafe}: no control or invisible character from a trace,
   * a file name or a server reaches the terminal raw.
   */
  io: Io;
  /** Writes a file's content (an export to standard output) exactly as it is. */
  output(content: string | Uint8Array): void;
  /** The trace directory (`--dir`, else `AI_TRACE_DIR`, else `traces`). */
  dir: string;
  /** Whether `--json` was given. */
  json: boolean;
  /** Colors, or none. */
  style: Style;
  /** The command's parsed flags. */
  values: OptionValues;
  /** The command's positional arguments. */
  positionals: string[];
}

/** One command of the CLI. */
export interface Command {
  /** The command's name, e.g. `"list"`. */
  name: string;
  /** One line for the global help. */
  summary: string;
  /** The command's own help text (`ai-trace <name> --help`). */
  help: string;
  /** Its flags besides the common ones (`--dir`, `--json`, `--help`). */
  options: OptionsConfig;
  /** The most positional arguments it takes. */
  maxPositionals: number;
  /** Runs the command; returns the exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Flags every command takes. */
export const COMMON_OPTIONS: OptionsConfig = {
  dir: { type: "string", short: "d" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** The help lines for the common flags, for each command's help text. */
export const COMMON_HELP = `Common options:
  -d, --dir DIR   Trace directory (default: $AI_TRACE_DIR, else "traces")
      --json      Machine-readable output (JSON), never colored
  -h, --help      Show this help`;

/**
 * Parses a command's arguments, turning every parse error into a
 * {@linkcode UsageError}.
 *
 * @param command The command.
 * @param args The arguments after the command's name.
 * @returns The flags and positionals.
 */
export function parseCommandArgs(
  command: Command,
  args: string[],
): { values: OptionValues; positionals: string[] } {
  const help = `ai-trace ${command.name} --help`;
  const options = { ...COMMON_OPTIONS, ...command.options };
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, options),
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(parseErrorMessage(err), help);
  }
  if (parsed.values.help !== true && parsed.positionals.length > command.maxPositionals) {
    const extra = parsed.positionals[command.maxPositionals];
    throw new UsageError(`Unexpected argument "${extra}" for "${command.name}"`, help);
  }
  return { values: parsed.values as OptionValues, positionals: parsed.positionals };
}

/**
 * `-n -1` as `--lines=-1`: a value that looks like a negative number is the
 * option's value (which the command then checks), where `parseArgs` would
 * take it for an option and say the value is missing.
 */
function joinNegativeValues(args: string[], options: OptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    const name = arg.startsWith("--")
      ? arg.slice(2)
      : /^-\w$/.test(arg)
      ? Object.keys(options).find((key) => options[key].short === arg.slice(1))
      : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Node's parse errors, shortened to one plain sentence. */
function parseErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `Unknown option "${unknown[1]}"`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return `Option "${missing[1]}" needs a value`;
  const ambiguous = /Option '(-\w|--[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) return `Option "${ambiguous[1]}" needs a value`;
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return `Option "${noValue[1]}" takes no value`;
  return message.split("\n", 1)[0].replace(/\.$/, "");
}

/**
 * Builds the context a command runs with.
 *
 * @param io The world.
 * @param values The parsed flags (with `--dir` and `--json` from before the command merged in).
 * @param positionals The positional arguments.
 * @returns The context.
 */
export function makeContext(io: Io, values: OptionValues, positionals: string[]): CommandContext {
  const json = values.json === true;
  const dir = typeof values.dir === "string" ? values.dir : traceDirFromEnv(io.env("AI_TRACE_DIR"));
  const style = createStyle(useColor(io, json));
  return {
    io: safeIo(io, style.enabled),
    output: (content) => io.stdout(content),
    dir,
    json,
    style,
    values,
    positionals,
  };
}

/**
 * The output boundary: an {@linkcode Io} whose standard output and error pass
 * through {@linkcode terminalSafe}.
 *
 * @param io The world.
 * @param colors Whether colors are on (their sequences are kept).
 * @returns The same world, with safe output.
 */
export function safeIo(io: Io, colors: boolean): Io {
  return {
    stdout: (text) => io.stdout(typeof text === "string" ? terminalSafe(text, colors) : text),
    stderr: (text) => io.stderr(terminalSafe(text, colors)),
    get isTTY(): boolean {
      return io.isTTY;
    },
    env: (name) => io.env(name),
    now: () => io.now(),
    get signal(): AbortSignal | undefined {
      return io.signal;
    },
  };
}

/** Writes `value` as JSON on one line or indented, with a final newline. */
export function printJson(io: Io, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + "\n");
}

/** Reads a flag that must be a string, or `undefined`. */
export function stringFlag(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}
