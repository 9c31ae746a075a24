/**
 * The version of ai-trace, as in `deno.json` and `package.json`.
 *
 * @module
 */

/** The version of this package. */
export const VERSION = "0.1.0";
