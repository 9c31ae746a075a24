/**
 * Launches Debian's Chromium through playwright-core for the browser tests
 * and the screenshot script. Nothing here ever downloads a browser: the
 * executable is the system's `/usr/bin/chromium` (installed with apt-get),
 * or the one named by `AI_TRACE_CHROMIUM`.
 *
 * @module
 */

import { existsSync } from "node:fs";
import process from "node:process";
import { type Browser, chromium } from "playwright-core";

/** The Chromium executable the tests drive. */
export const CHROMIUM_PATH: string = process.env.AI_TRACE_CHROMIUM ?? "/usr/bin/chromium";

/** Flags for a quiet, offline, headless Chromium (no update checks, no sync, no sandbox in containers). */
export const CHROMIUM_ARGS: string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Why browser tests cannot run here, or `undefined` when they can. In CI a
 * missing browser is a failure, not a reason to skip: it throws.
 */
export function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `Chromium is not installed at "${CHROMIUM_PATH}" (apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`${reason}; browser tests must run in CI`);
  return reason;
}

/** Starts headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
