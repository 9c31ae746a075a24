/**
 * Regenerates `docs/serve.png`, the README's picture of `ai-trace serve`: a
 * trace directory with the demo agent's runs beside the original Python
 * tracer's files and a crashed run, served on a free port, opened in Debian's
 * Chromium with one session selected.
 *
 *     deno run -A scripts/screenshot_serve.ts [out.png] [--dark]
 *
 * @module
 */

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { startServer } from "../src/serve/server.ts";
import { launchChromium } from "../tests/_chromium.ts";

const args = process.argv.slice(2);
const dark = args.includes("--dark");
const out = args.find((arg) => !arg.startsWith("--")) ?? fileURLToPath(new URL("../docs/serve.png", import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ai-trace-serve-shot-"));
try {
  for (const from of ["tests/testdata/python-seed", "tests/testdata/cli"]) {
    for (const name of readdirSync(join(root, from))) {
      if (name.endsWith(".jsonl")) copyFileSync(join(root, from, name), join(dir, name));
    }
  }
  for (let run = 0; run < 3; run++) {
    const result = spawnSync(process.execPath, ["run", "-A", join(root, "examples", "trading_agent.ts")], {
      env: { ...process.env, AI_TRACE_DIR: dir },
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(result.stderr);
  }
  const server = await startServer({ dir, port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({
      viewport: { width: 1440, height: 820 },
      colorScheme: dark ? "dark" : "light",
    });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="1"]');
    await page.click("#list-body tr:nth-child(2)");
    const frame = await (await page.waitForSelector("#report:not([hidden])")).contentFrame();
    await frame!.waitForSelector('body[data-ready="true"]');
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`Wrote ${out}`);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
