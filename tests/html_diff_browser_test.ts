/// <reference lib="dom" />
/**
 * The comparison page (`ai-trace diff --html`) in a real browser: Debian's
 * Chromium driven by playwright-core (never a downloaded browser). Runs on
 * Deno and on Bun; skipped with the reason printed when Chromium is missing
 * (a failure in CI). Pages for a person to look at go to `tests/output/`.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { diffSessions, readSession, type Session } from "../mod.ts";
import { renderDiffHtml } from "../src/render/html_diff.ts";
import { chromiumSkipReason, launchChromium } from "./_chromium.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { PAYLOADS, sessionFrom, xssLines } from "./_html_report_sessions.ts";
import { later, writeRun } from "./_runs.ts";

const skip = chromiumSkipReason();
if (skip) console.warn(`Skipping the diff page browser tests: ${skip}`);

const OUTPUT = fileURLToPath(new URL("./output/", import.meta.url));

interface Incidents {
  dialogs: string[];
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
}

// Without a browser (never in CI), one test stands for the group, visibly skipped on Deno and Bun alike
// (Bun shows nothing for a skipped describe).
if (skip) test("renderDiffHtml() in Chromium", { skip }, () => {});
else {describe("renderDiffHtml() in Chromium", { timeout: 60_000 }, () => {
    let browser: Browser;
    let dir: string;
    let plain: Session;
    let browse: Session;
    const read = (path: string) => readSession(path, { now: later() });

    before(async () => {
      mkdirSync(OUTPUT, { recursive: true });
      dir = tempDir("ai-trace-diff-browser-");
      plain = await read(await writeRun(dir, "20261130_010000_plain"));
      browse = await read(await writeRun(dir, "20261130_010100_brwse", { tool: ["browse", "a page has it"] }));
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      if (dir) removeDir(dir);
    });

    async function open(
      a: Session,
      b: Session,
      file: string,
      bypassCSP = false,
    ): Promise<{ page: Page; context: BrowserContext; incidents: Incidents }> {
      const path = join(OUTPUT, file);
      writeFileSync(path, renderDiffHtml(a, b, diffSessions(a, b), { generatedAt: Date.UTC(2026, 10, 30) }));
      const url = pathToFileURL(path).href;
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP });
      const page = await context.newPage();
      const incidents: Incidents = { dialogs: [], consoleErrors: [], pageErrors: [], requests: [] };
      page.on("dialog", (dialog) => {
        incidents.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        dialog.dismiss().catch(() => {});
      });
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") incidents.consoleErrors.push(message.text());
      });
      page.on("pageerror", (error) => incidents.pageErrors.push(error.message));
      page.on("request", (request) => {
        if (request.url() !== url) incidents.requests.push(request.url());
      });
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      return { page, context, incidents };
    }

    function assertClean(incidents: Incidents): void {
      assert.deepEqual(incidents.dialogs, [], "no dialog opened");
      assert.deepEqual(incidents.pageErrors, [], "no script error");
      assert.deepEqual(incidents.consoleErrors, [], "no console error (a CSP violation is one)");
      assert.deepEqual(incidents.requests, [], "no request left the page");
    }

    const markers = (page: Page) =>
      page.$$eval(".row", (rows) => rows.map((row) => (row as HTMLElement).dataset.marker));

    test("renderDiffHtml() shows both timelines side by side, the changed decision highlighted with both reasons", async () => {
      const { page, context, incidents } = await open(plain, browse, "diff_demo.html");
      assert.match(await page.textContent("#verdict") ?? "", /^First divergence at choose_tool: decided differently/);
      assert.equal((await markers(page)).join(""), "==~========");
      const divergence = page.locator("#divergence");
      assert.equal(await divergence.getAttribute("data-marker"), "~");
      assert.match(await divergence.getAttribute("class") ?? "", /\bchanged\b.*\bdivergence\b.*\bselected\b/);
      assert.equal(await divergence.locator(".cell").nth(0).locator(".action").textContent(), "→ search");
      assert.equal(await divergence.locator(".cell").nth(1).locator(".action").textContent(), "→ browse");
      const detail = await page.textContent("#detail") ?? "";
      assert.ok(detail.includes("the question needs a fact"), detail);
      assert.ok(detail.includes("a page has it"), detail);
      // Bars are drawn inside their run's time span.
      const widths = await page.$$eval(
        ".bar",
        (bars) => bars.map((bar) => parseFloat((bar as HTMLElement).style.width)),
      );
      assert.equal(widths.length, 22);
      assert.ok(widths.every((w) => w >= 0 && w <= 100), String(widths));
      // Another row on a click; back with the button; only the differences on a tick.
      await page.locator(".row").nth(0).click();
      assert.match(await page.textContent("#detail") ?? "", /load_task.*the same in both runs/);
      await page.click("#jump-first");
      assert.match(await page.textContent("#detail h2") ?? "", /^choose_tool$/);
      await page.check("#only");
      assert.equal(await page.locator(".row:not(.hidden)").count(), 1);
      await page.screenshot({ path: join(OUTPUT, "diff_demo.png"), fullPage: true });
      assertClean(incidents);
      await context.close();
    });

    test("renderDiffHtml() says there is no difference between identical runs", async () => {
      const { page, context, incidents } = await open(plain, plain, "diff_same.html");
      assert.match(await page.textContent("#verdict") ?? "", /^No difference: the same 11 steps/);
      assert.equal(await page.locator("#divergence").count(), 0);
      assertClean(incidents);
      await context.close();
    });

    for (const bypassCSP of [false, true]) {
      test(`renderDiffHtml() runs nothing from hostile values in both runs (CSP ${bypassCSP ? "off" : "on"})`, async () => {
        const lines = xssLines();
        const a = await sessionFrom(dir, "xss_20250114_103205_xss1.jsonl", lines);
        // The second run: the same, with a decision and an outcome of its own (payloads too).
        const changed = lines.map((line) => {
          const record = JSON.parse(line);
          if (record.decision) record.decision = { action: `${PAYLOADS[2]} other`, reason: PAYLOADS[4] };
          return JSON.stringify(record);
        });
        const b = await sessionFrom(dir, "xss_20250114_103206_xss2.jsonl", changed);
        const { page, context, incidents } = await open(
          a,
          b,
          bypassCSP ? "diff_xss_no_csp.html" : "diff_xss.html",
          bypassCSP,
        );
        for (const row of await page.locator(".row").all()) await row.click();
        await page.check("#only");
        await page.keyboard.press("n");
        await page.click("#jump-first");
        const dom = await page.evaluate(() => ({
          scripts: document.querySelectorAll("script").length,
          injected: document.querySelectorAll("img, svg, iframe, link[rel=stylesheet], a, object, embed").length,
          handlers: document.querySelectorAll("[onerror], [onload], [onclick]").length,
          text: document.body.textContent ?? "",
          title: document.title,
        }));
        assert.equal(dom.scripts, 2, "only the data element and the page's own script");
        assert.equal(dom.injected, 0, "no element was made from a trace string");
        assert.equal(dom.handlers, 0);
        assert.ok(dom.text.includes("<script>alert(1)</script>"), "the payloads are shown as text");
        assert.ok(dom.title.startsWith("agent <script>alert(1)</script>"));
        assert.ok(await page.locator(".row").count() >= PAYLOADS.length);
        assertClean(incidents);
        await context.close();
      });
    }
  });}
