/**
 * Where traces go when no directory is given: `AI_TRACE_DIR`, else
 * `traces`. One rule for the tracer and the CLI: an empty `AI_TRACE_DIR=` is
 * the same as unset.
 *
 * @module
 */

/** The trace directory when neither the option nor `AI_TRACE_DIR` names one. */
export const DEFAULT_TRACE_DIR = "traces";

/**
 * The trace directory that `AI_TRACE_DIR` names, or `traces` when it is unset or empty.
 *
 * @example
 * ```ts
 * import { traceDirFromEnv } from "./trace_dir_env.ts";
 * console.assert(traceDirFromEnv("") === "traces");
 * console.assert(traceDirFromEnv("/var/traces") === "/var/traces");
 * ```
 *
 * @param value The value of `AI_TRACE_DIR`.
 * @returns The directory.
 */
export function traceDirFromEnv(value: string | undefined): string {
  return value === undefined || value === "" ? DEFAULT_TRACE_DIR : value;
}
