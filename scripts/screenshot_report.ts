/**
 * Regenerates `docs/report.png`, the README's picture of the HTML report:
 * renders the demo session in `tests/testdata/` (nested steps, a decision, an
 * error, a step in flight), opens it in Debian's Chromium and takes a
 * screenshot with the decision selected.
 *
 *     deno run -A scripts/screenshot_report.ts [out.png] [--dark]
 *     bun scripts/screenshot_report.ts [out.png] [--dark]
 *
 * The rendered page is left in `tests/output/report_demo.html` to look at.
 *
 * @module
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { renderHtml } from "../src/render/html_report.ts";
import { launchChromium } from "../tests/_chromium.ts";
import { demoSession } from "../tests/_html_report_sessions.ts";

const args = process.argv.slice(2);
const dark = args.includes("--dark");
const out = args.find((arg) => !arg.startsWith("--")) ??
  fileURLToPath(new URL("../docs/report.png", import.meta.url));
const html = fileURLToPath(new URL("../tests/output/report_demo.html", import.meta.url));

mkdirSync(dirname(html), { recursive: true });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(html, renderHtml(await demoSession()));

const browser = await launchChromium();
try {
  const page = await browser.newPage({
    viewport: { width: 1440, height: 760 },
    colorScheme: dark ? "dark" : "light",
  });
  await page.goto(pathToFileURL(html).href);
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('.row:has-text("decide_entry")');
  await page.screenshot({ path: out });
  console.log(`Wrote ${out}`);
} finally {
  await browser.close();
}
