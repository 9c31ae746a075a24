/**
 * The `--conventions` flag of `export --format otlp|otlp-proto` and `push`,
 * and where `toOtlp()`'s warnings go: one line each on standard error,
 * naming the file.
 *
 * @module
 */

import type { OtlpConventions, ToOtlpOptions } from "../otlp/to_otlp.ts";
import type { Session } from "../format/types.ts";
import { type OptionsConfig, type OptionValues, stringFlag } from "./command.ts";
import type { Style } from "./format.ts";
import type { Io } from "./io.ts";
import { formatWarning } from "./list.ts";
import { UsageError } from "./usage_error.ts";

/** The flag, for a command's options table. */
export const CONVENTIONS_OPTION: OptionsConfig = { conventions: { type: "string" } };

/** Its help line. */
export const CONVENTIONS_HELP = "      --conventions C  Semantic conventions to write: both (default), genai\n" +
  "                       (OpenTelemetry gen_ai.*) or openinference (Phoenix, Arize)";

const NAMES: readonly OtlpConventions[] = ["both", "genai", "openinference"];

/** The `toOtlp()` options for one session: the conventions asked for, warnings to `io`. */
export function otlpOptions(
  values: OptionValues,
  io: Io,
  style: Style,
  help: string,
): (session: Session) => ToOtlpOptions {
  const given = stringFlag(values, "conventions");
  if (given !== undefined && !(NAMES as readonly string[]).includes(given)) {
    throw new UsageError(`Option "--conventions" must be both, genai or openinference, got "${given}"`, help);
  }
  const conventions = (given ?? "both") as OtlpConventions;
  return (session) => ({
    conventions,
    onWarning: (message) => io.stderr(formatWarning({ path: session.path, line: 0, message }, style)),
  });
}
