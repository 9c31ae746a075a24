/**
 * The `ai-trace` command line: list, view, tail, stats and export the
 * decision traces that `Tracer` writes (and those of the original Python
 * tracer). Run it with `deno run -A jsr:@ai-trace/core/cli`, `bunx ai-trace`,
 * or as a standalone binary.
 *
 * ```sh
 * ai-trace list                 # sessions, newest first
 * ai-trace view latest          # the newest session as a tree of steps
 * ai-trace tail                 # follow the newest session live
 * ai-trace stats                # totals and per step name
 * ai-trace export latest --format md -o report.md
 * ```
 *
 * @example Run the CLI from code and capture its output
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
 * const code = await main(["--dir", traceDir, "view", "latest"], io);
 * console.log(code, out); // 0, then the session as a tree of steps
 * ```
 *
 * @module
 */

import process from "node:process";
import { processArgs, processIo } from "./src/cli/io.ts";
import { main } from "./src/cli/main.ts";

export { main };
export type { Io } from "./src/cli/io.ts";

if ((import.meta as ImportMeta & { main?: boolean }).main) {
  const code = await main(processArgs(), processIo());
  process.exit(code);
}
