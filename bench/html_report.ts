/// <reference lib="dom" />
/**
 * HTML report: how long a 10,000-step report takes to open in Chromium (from
 * navigation to the page saying it is ready) and to answer a search, beside
 * the peer: a static page with one table row per step (what a report without
 * a virtualized timeline costs the browser). Uses Debian's `/usr/bin/chromium` through
 * playwright-core, never a downloaded browser.
 *
 * Usage: deno run -A bench/html_report.ts [--steps N] [--runs N]
 * Prints one JSON object on standard output.
 *
 * @module
 */

import * as fs from "node:fs";
import * as os from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { renderHtml } from "../mod.ts";
import { bigLines, sessionFrom } from "../tests/_html_report_sessions.ts";
import { launchChromium } from "../tests/_chromium.ts";
import { median, runtime } from "./_workload.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { steps: { type: "string", default: "10000" }, runs: { type: "string", default: "5" } },
});
const STEPS = Number(values.steps);
const RUNS = Number(values.runs);

const dir = fs.mkdtempSync(join(os.tmpdir(), "ai-trace-bench-html-"));
const browser = await launchChromium();
try {
  const session = await sessionFrom(dir, "load_test_agent_20250114_103205_big1.jsonl", bigLines(STEPS));
  const report = join(dir, "report.html");
  fs.writeFileSync(report, renderHtml(session));
  // The peer: every step as a static table row, no script.
  const plain = join(dir, "plain.html");
  const size = fs.statSync(report).size;
  const escape = (text: string) => text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = session.steps.map((step) =>
    `<tr><td>${step.id}</td><td>${escape(step.name)}</td><td>${
      escape(step.outcome ?? "")
    }</td><td>${step.duration_ms}</td><td>${escape(JSON.stringify(step.context))}</td></tr>`
  );
  fs.writeFileSync(plain, `<!doctype html><title>plain</title><table>${rows.join("\n")}</table>`);

  const load: number[] = [];
  const ready: number[] = [];
  const search: number[] = [];
  const plainLoad: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    let started = performance.now();
    await page.goto(pathToFileURL(plain).href);
    plainLoad.push(performance.now() - started);
    started = performance.now();
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    load.push(performance.now() - started);
    ready.push(Number(await page.getAttribute("body", "data-ready-ms")));
    const query = `step_${Math.floor(STEPS / 2) + run}`;
    started = performance.now();
    await page.fill("#search", query);
    await page.waitForFunction((q) => document.getElementById("count")?.dataset.query === q, query);
    search.push(performance.now() - started);
    await context.close();
  }
  console.log(JSON.stringify({
    bench: "html_report",
    runtime: runtime().name,
    steps: STEPS,
    bytes: size,
    load_ms: median(load),
    script_ready_ms: median(ready),
    search_ms: median(search),
    table_load_ms: median(plainLoad),
    runs: RUNS,
  }));
} finally {
  await browser.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
