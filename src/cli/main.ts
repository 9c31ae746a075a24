/**
 * The CLI's entry: global options, then a table that dispatches to one
 * command per file. {@linkcode main} returns an exit code and never exits
 * the process, so tests run it in-process with an in-memory {@linkcode Io}.
 *
 * @module
 */

import { VERSION } from "../version.ts";
import { type Command, makeContext, parseCommandArgs } from "./command.ts";
import { check } from "./check.ts";
import { diff } from "./diff.ts";
import { exportCommand } from "./export.ts";
import { terminalSafe } from "./format.ts";
import { type Io, processIo } from "./io.ts";
import { list } from "./list.ts";
import { prune } from "./prune.ts";
import { push } from "./push.ts";
import { stats } from "./stats.ts";
import { tail } from "./tail.ts";
import { describeFailure, programName, UsageError } from "./usage_error.ts";
import { serve } from "./serve.ts";
import { view } from "./view.ts";

/** The commands, by name. */
export const commands: Record<string, Command> = {
  list,
  view,
  tail,
  stats,
  export: exportCommand,
  push,
  prune,
  serve,
  diff,
  check,
};

/** The global help text. */
export function globalHelp(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length)) + 2;
  const lines = Object.values(commands).map((command) => `  ${command.name.padEnd(width)}${command.summary}`);
  return `ai-trace ${VERSION} — read the decision traces of AI agents

Usage: ai-trace [--dir DIR] <command> [options]

Commands:
${lines.join("\n")}

Global options:
  -d, --dir DIR   Trace directory (default: $AI_TRACE_DIR, else "traces")
      --json      Machine-readable output (JSON), never colored
  -h, --help      Show help; "ai-trace <command> --help" for a command
  -V, --version   Show the version

Colors are used only when standard output is a terminal and NO_COLOR is unset.
Exit codes: 0 success, 1 failure (missing or unreadable file or directory),
2 usage error (unknown command or option, missing or bad argument).
diff and check, as diff(1): 1 means the runs differ or a rule failed, and
any trouble (usage, an unreadable session) is 2.
`;
}

/** The command nearest to a mistyped name (at most two edits away), if any. */
function closest(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of Object.keys(commands)) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, counting a swap of neighbours as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * Runs the CLI.
 *
 * @example Run a command in-process and read its output
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { type Io, main } from "@ai-trace/core/cli";
 *
 * const traceDir = await Deno.makeTempDir();
 * const tracer = new Tracer("trading_agent", { traceDir });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 *
 * let out = "";
 * const io: Io = {
 *   stdout: (text) => {
 *     out += typeof text === "string" ? text : new TextDecoder().decode(text);
 *   },
 *   stderr: (text) => console.error(text),
 *   isTTY: false,
 *   env: () => undefined,
 *   now: () => Date.now(),
 * };
 * const code = await main(["--dir", traceDir, "stats", "--json"], io);
 * const report = JSON.parse(out);
 * console.log(code, report.sessions, report.steps); // 0 1 1
 * ```
 *
 * @param args The arguments, without the program name.
 * @param io The world to run in: the process's own (`processIo()`) when left out.
 * @returns The exit code: 0 success, 1 failure, 2 usage error.
 */
export async function main(args: string[], io: Io = processIo()): Promise<number> {
  try {
    // Global options come before the command; everything after it is the command's.
    const global: Record<string, string | boolean> = {};
    let i = 0;
    for (; i < args.length; i++) {
      const arg = args[i];
      if (arg === "--") {
        i++;
        break;
      }
      if (!arg.startsWith("-") || arg === "-") break;
      if (arg === "-h" || arg === "--help") global.help = true;
      else if (arg === "-V" || arg === "--version") global.version = true;
      else if (arg === "--json") global.json = true;
      else if (arg === "-d" || arg === "--dir") {
        const value = args[++i];
        if (value === undefined) throw new UsageError(`Option "--dir" needs a value`);
        global.dir = value;
      } else if (arg.startsWith("--dir=")) global.dir = arg.slice("--dir=".length);
      else throw new UsageError(`Unknown option "${arg}"`);
    }
    if (global.version) {
      io.stdout(global.json ? JSON.stringify({ name: "ai-trace", version: VERSION }) + "\n" : `ai-trace ${VERSION}\n`);
      return 0;
    }
    let name: string | undefined = args[i];
    let rest = args.slice(i + 1);
    if (name === "help") {
      // `ai-trace help view` is `ai-trace view --help`.
      if (rest.length === 0) {
        name = undefined;
        global.help = true;
      } else {
        name = rest[0];
        rest = ["--help"];
      }
    }
    if (name === undefined) {
      if (global.help) {
        io.stdout(globalHelp());
        return 0;
      }
      io.stderr(globalHelp());
      throw new UsageError("Missing <command>");
    }
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (command === undefined) {
      const guess = closest(name);
      throw new UsageError(`Unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ""}`);
    }
    if (global.help) rest = ["--help", ...rest];
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values.help === true) {
      io.stdout(command.help + "\n");
      return 0;
    }
    const merged = { ...values };
    if (merged.dir === undefined && typeof global.dir === "string") merged.dir = global.dir;
    if (global.json === true) merged.json = true;
    return await command.run(makeContext(io, merged, positionals));
  } catch (err) {
    const failure = describeFailure(err, programName((name) => io.env(name)));
    io.stderr(terminalSafe(failure.text, false)); // the output boundary, as for every command's output
    return failure.code;
  }
}
