/**
 * The one way a duration is written for people, in the CLI and in the
 * Markdown report alike: three significant digits with their trailing zeros
 * (`0.42 ms`, `1.40 ms`, `12.3 ms`, `123 ms`, `1.23 s`, `12.3 s`), then
 * minutes, hours and days (`2m 05s`, `1h 02m`, `40d 03h`). The scripts of the HTML pages (the
 * report, the diff page, `serve`'s page) carry this very function
 * (`scripts/build_browser_scripts.ts` puts it in), so it must stay
 * self-contained: no imports, no helpers outside it.
 *
 * @module
 */

/**
 * A duration for people.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./duration.ts";
 * console.assert(formatDuration(1.4) === "1.40 ms");
 * console.assert(formatDuration(2400) === "2.40 s");
 * ```
 *
 * @param ms Milliseconds, or `null` when unknown.
 * @returns The text; `-` when unknown.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "-";
  if (ms <= 0) return "0 ms";
  // Each range is chosen by the value as rounded, so 9.996 is "10.0 ms", not "10.00 ms".
  if (ms < 9.995) return `${ms.toFixed(2)} ms`;
  if (ms < 99.95) return `${ms.toFixed(1)} ms`;
  if (ms < 999.5) return `${ms.toFixed(0)} ms`;
  const s = ms / 1000;
  if (s < 9.995) return `${s.toFixed(2)} s`;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const seconds = Math.round(s);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
  const hours = Math.round(minutes / 60);
  return `${Math.floor(hours / 24)}d ${String(hours % 24).padStart(2, "0")}h`;
}
