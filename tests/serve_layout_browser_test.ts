/**
 * `ai-trace serve`'s page as a person meets it (Debian's Chromium through
 * playwright-core): it fits a laptop's screen — at 1280 and 1440 pixels wide
 * nothing runs off the page, and the sessions list shows every column whole,
 * a crashed session's "crashed (2 in flight)" included — and "Diff with"
 * offers the open run's predecessor first, keeping the user's choice while the
 * list refreshes live.
 *
 * @module
 */

import assert from "node:assert/strict";
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { Tracer } from "../mod.ts";
import { type RunningServer, startServer } from "../src/serve/server.ts";
import { chromiumSkipReason, launchChromium } from "./_chromium.ts";
import { OURS, PYTHON_SEED } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";

const skip = chromiumSkipReason();

describe("ai-trace serve's page layout in Chromium", { timeout: 120_000 }, () => {
  let browser: Browser;
  let dir: string;
  let server: RunningServer;

  before(async () => {
    if (skip) return;
    dir = tempDir("ai-trace-serve-layout-");
    // The crawler's session crashed with 2 steps in flight: the longest state the list shows.
    for (const from of [OURS, PYTHON_SEED]) {
      for (const name of readdirSync(from)) {
        if (name.endsWith(".jsonl")) copyFileSync(join(from, name), join(dir, name));
      }
    }
    server = await startServer({ dir, port: 0, pollMs: 100 });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) removeDir(dir);
  });

  for (const [width, height] of [[1280, 800], [1440, 900]]) {
    test(`at ${width}×${height} nothing runs off the page and the list shows every column`, { skip }, async () => {
      const page = await browser.newPage({ viewport: { width, height } });
      try {
        await page.goto(server.url);
        await page.waitForSelector('body[data-ready="1"]');
        const layout = await page.evaluate(() => {
          const list = document.querySelector("#list-body")!.closest("table")!.parentElement!;
          const states = [...document.querySelectorAll<HTMLElement>("#list-body td.state")];
          return {
            page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
            list: [list.scrollWidth, list.clientWidth],
            states: states.map((cell) => cell.textContent),
            cut: states.filter((cell) => cell.scrollWidth > cell.clientWidth).map((cell) => cell.textContent),
          };
        });
        assert.ok(layout.states.includes("crashed (2 in flight)"), JSON.stringify(layout.states));
        assert.ok(
          layout.page[0] <= layout.page[1],
          `the page is ${layout.page[0]} px wide in a ${layout.page[1]} px window`,
        );
        assert.ok(
          layout.list[0] <= layout.list[1],
          `the list is ${layout.list[0]} px wide in its ${layout.list[1]} px pane`,
        );
        assert.deepEqual(layout.cut, []);
      } finally {
        await page.close();
      }
    });
  }
});

describe("ai-trace serve's Diff with in Chromium", { timeout: 120_000 }, () => {
  let browser: Browser;
  let dir: string;
  let server: RunningServer;
  const names: Record<string, string> = {};

  before(async () => {
    if (skip) return;
    dir = tempDir("ai-trace-serve-diffwith-");
    const hour = 3_600_000;
    const now = Date.now();
    // Newest first in the list: other (30 min ago), qa (1 h), qa (2 h), qa (3 h).
    for (
      const [key, agent, ago] of [["qa3", "qa", 3], ["qa2", "qa", 2], ["qa1", "qa", 1], [
        "other",
        "other",
        0.5,
      ]] as const
    ) {
      const tracer = new Tracer(agent, { traceDir: dir, startedAt: now - ago * hour });
      tracer.step("choose", {}, { startTime: now - ago * hour }).finish("ok", { endTime: now - ago * hour + 5 });
      await tracer.close({ endTime: now - ago * hour + 5 });
      names[key] = tracer.path!.split("/").pop()!;
    }
    server = await startServer({ dir, port: 0, pollMs: 100 });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) removeDir(dir);
  });

  test("Diff with offers the open session's previous run first, and keeps a choice across live refreshes", {
    skip,
  }, async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="1"]');
      await page.click(`#list-body tr[data-name="${names.qa2}"]`);
      const options = () => page.$$eval("#diff-with option", (list) => list.map((o) => (o as HTMLOptionElement).value));
      assert.deepEqual(await options(), [names.qa1, names.qa3, names.other]);
      assert.equal(await page.inputValue("#diff-with"), names.qa3);
      // The newest of an agent has its previous run chosen too.
      await page.click(`#list-body tr[data-name="${names.qa1}"]`);
      assert.equal(await page.inputValue("#diff-with"), names.qa2);
      // A choice survives the list refreshing for a new session.
      await page.selectOption("#diff-with", names.other);
      await page.waitForSelector("#live.on");
      const tracer = new Tracer("newcomer", { traceDir: dir });
      tracer.step("hello", () => {});
      await tracer.close();
      const added = tracer.path!.split("/").pop()!;
      // Bounded only against a hang: the server looks every 100 ms.
      await page.waitForSelector(`#list-body tr[data-name="${added}"]`, { timeout: 30_000 });
      assert.equal(await page.inputValue("#diff-with"), names.other);
    } finally {
      await page.close();
    }
  });
});
