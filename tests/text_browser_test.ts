/**
 * The helpers every page's script shares (the escaping rule of
 * `text_browser.ts` and `printable.ts`, `formatDuration` of `duration.ts`), in
 * a real browser (Debian's Chromium through playwright-core): the diff page
 * and `serve`'s page show control and invisible characters as marked `\u…`
 * escapes, as the report does, and write durations by the CLI's rule. Runs on
 * Deno and on Bun; skipped with the reason printed when Chromium is missing (a
 * failure in CI).
 *
 * @module
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { diffSessions } from "../mod.ts";
import { formatDuration } from "../src/render/duration.ts";
import { renderDiffHtml } from "../src/render/html_diff.ts";
import { type RunningServer, startServer } from "../src/serve/server.ts";
import { chromiumSkipReason, launchChromium } from "./_chromium.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { sessionFrom } from "./_html_report_sessions.ts";

const skip = chromiumSkipReason();
if (skip) console.warn(`Skipping the shared page helpers' browser tests: ${skip}`);

const OUTPUT = fileURLToPath(new URL("./output/", import.meta.url));

/** A run whose agent and first step carry a bidi override and a zero-width space; durations of 12.34 ms and 125 s. */
function lines(sessionId: string, second: string): string[] {
  const step = (id: string, name: string, start: number, ms: number) =>
    JSON.stringify({
      type: "step",
      id,
      parent_id: null,
      name,
      context: {},
      started_at: start,
      finished_at: start + ms / 1000,
      duration_ms: ms,
      outcome: "ok",
      logs: [],
    });
  return [
    JSON.stringify({
      type: "session",
      schema: "ai-trace/1",
      agent: "spy\u202eagent",
      session_id: sessionId,
      started_at: 1000,
      meta: {},
    }),
    step("1", "scan\u202eevil\u200b", 1000, 12.34),
    step("2", second, 1001, 125_000),
    JSON.stringify({ type: "end", finished_at: 1126, summary: {} }),
  ];
}

/** What the page shows of the unsafe characters: the escapes, their titles, and whether any is left raw. */
function escapes(page: Page): Promise<{ marks: string[]; titles: string[]; raw: boolean }> {
  return page.evaluate(() => {
    const marks = [...document.querySelectorAll(".esc")];
    return {
      marks: marks.map((m) => m.textContent ?? ""),
      titles: marks.map((m) => (m as HTMLElement).title),
      raw: /[\u200b\u202e]/.test(document.body.textContent ?? ""),
    };
  });
}

// Without a browser (never in CI), one test stands for the group, visibly skipped on Deno and Bun alike.
if (skip) test("visibleText() and formatDuration() on the pages, in Chromium", { skip }, () => {});
else {
  describe("visibleText() and formatDuration() on the pages, in Chromium", { timeout: 60_000 }, () => {
    let browser: Browser;
    let dir: string;

    before(async () => {
      mkdirSync(OUTPUT, { recursive: true });
      dir = tempDir("ai-trace-text-browser-");
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      if (dir) removeDir(dir);
    });

    test("visibleText() marks control and invisible characters on the diff page; formatDuration() writes its durations", async () => {
      const a = await sessionFrom(dir, "spy_20261130_000000_bidia.jsonl", lines("20261130_000000_bidia", "wait"));
      const b = await sessionFrom(dir, "spy_20261130_000001_bidib.jsonl", lines("20261130_000001_bidib", "sleep"));
      const path = join(OUTPUT, "diff_escapes.html");
      writeFileSync(path, renderDiffHtml(a, b, diffSessions(a, b)));
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(pathToFileURL(path).href);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      const shown = await escapes(page);
      assert.equal(shown.raw, false, "no bidi override or zero-width space is left raw");
      assert.ok(shown.marks.includes("\\u202e") && shown.marks.includes("\\u200b"), shown.marks.join(" "));
      assert.ok(shown.titles.includes("U+202E, shown escaped"));
      assert.equal(
        await page.locator(".row").nth(0).locator(".cell").nth(0).locator(".name").textContent(),
        "scan\\u202eevil\\u200b",
      );
      const durations = await page.$$eval(".row .cell .dur", (cells) => cells.map((c) => c.textContent));
      assert.ok(durations.includes(formatDuration(12.34)), durations.join(" | "));
      assert.ok(durations.includes(formatDuration(125_000)), durations.join(" | "));
      assert.deepEqual([formatDuration(12.34), formatDuration(125_000)], ["12.3 ms", "2m 05s"]);
      assert.deepEqual(errors, []);
      await context.close();
    });

    test("visibleText() marks control and invisible characters on serve's page; formatDuration() writes its durations", async () => {
      const served = join(dir, "served");
      mkdirSync(served);
      writeFileSync(
        join(served, "spy_20261130_000002_bidic.jsonl"),
        lines("20261130_000002_bidic", "wait").join("\n") + "\n",
      );
      let server: RunningServer | undefined;
      const context = await browser.newContext();
      try {
        server = await startServer({ dir: served, port: 0, pollMs: 100 });
        const listed = await (await fetch(new URL("api/sessions", server.url))).json() as {
          sessions: { duration_ms: number | null }[];
        };
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(error.message));
        await page.goto(server.url);
        await page.waitForSelector('body[data-ready="1"]', { timeout: 20_000 });
        const shown = await escapes(page);
        assert.equal(shown.raw, false, "no bidi override is left raw");
        assert.ok(shown.marks.includes("\\u202e"), shown.marks.join(" "));
        assert.equal(await page.textContent("#list-body .agent"), "spy\\u202eagent");
        // An option holds text only: the escape is plain text there, and in the row's tooltip.
        const options = await page.$$eval("#agent option", (list) => list.map((o) => o.textContent));
        assert.ok(options.includes("spy\\u202eagent"), options.join(" | "));
        assert.match(await page.getAttribute("#list-body tr", "title") ?? "", /^spy\\u202eagent · /);
        // The duration column (the fifth) is formatDuration's, and so are the step names' p50 and p95.
        const duration = await page.textContent("#list-body tr td:nth-child(5)");
        assert.equal(duration, formatDuration(listed.sessions[0].duration_ms));
        const p50s = await page.$$eval("#names-body tr td:nth-child(5)", (cells) => cells.map((c) => c.textContent));
        assert.ok(p50s.includes(formatDuration(125_000)), p50s.join(" | "));
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
        await server?.close();
      }
    });
  });
}
