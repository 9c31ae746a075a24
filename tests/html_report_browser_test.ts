/// <reference lib="dom" />
/**
 * The HTML report in a real browser: Debian's Chromium driven by
 * playwright-core (never a downloaded browser). Runs on Deno and on Bun.
 *
 * Without `/usr/bin/chromium` these tests are skipped with the reason printed,
 * except in CI (`CI` set), where a missing browser fails the run. Screenshots
 * for a person to look at go to `tests/output/` (git-ignored).
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { renderHtml } from "../src/render/html_report.ts";
import { readSession, Tracer } from "../mod.ts";
import type { Session } from "../src/format/types.ts";
import { chromiumSkipReason, launchChromium } from "./_chromium.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { bigLines, demoSession, PAYLOADS, sessionFrom, xssLines } from "./_html_report_sessions.ts";

const skip = chromiumSkipReason();
if (skip) console.warn(`Skipping the HTML report browser tests: ${skip}`);

const OUTPUT = fileURLToPath(new URL("./output/", import.meta.url));

/** What a page did that a report must never do. */
interface Incidents {
  dialogs: string[];
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
}

interface Opened {
  page: Page;
  context: BrowserContext;
  incidents: Incidents;
  /** Milliseconds from navigation to the report being drawn, measured here. */
  loadMs: number;
}

interface RowInfo {
  name: string;
  depth: number;
  classes: string;
  selected: boolean;
}

// Bun's default of 5 s per test is too short for a browser session.
// Without a browser (never in CI), one test stands for the group, visibly skipped on Deno and Bun alike
// (Bun shows nothing for a skipped describe).
if (skip) test("renderHtml() in Chromium", { skip }, () => {});
else {describe("renderHtml() in Chromium", { timeout: 60_000 }, () => {
    let browser: Browser;
    let dir: string;
    let demo: Session;

    before(async () => {
      mkdirSync(OUTPUT, { recursive: true });
      dir = tempDir("ai-trace-html-browser-");
      demo = await demoSession();
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      if (dir) removeDir(dir);
    });

    async function open(
      session: Session,
      file: string,
      options: { colorScheme?: "light" | "dark"; bypassCSP?: boolean } = {},
    ): Promise<Opened> {
      const path = join(OUTPUT, file);
      writeFileSync(path, renderHtml(session));
      const url = pathToFileURL(path).href;
      const context = await browser.newContext({
        viewport: { width: 1440, height: 900 },
        colorScheme: options.colorScheme ?? "light",
        bypassCSP: options.bypassCSP ?? false,
      });
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
      const started = performance.now();
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      return { page, context, incidents, loadMs: Math.round(performance.now() - started) };
    }

    function rows(page: Page): Promise<RowInfo[]> {
      return page.$$eval(".row", (elements) =>
        elements
          .map((row) => row as HTMLElement)
          .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
          .map((row) => ({
            name: row.querySelector(".name")?.textContent ?? "",
            depth: Number(row.dataset.depth),
            classes: row.className,
            selected: row.getAttribute("aria-selected") === "true",
          })));
    }

    const names = async (page: Page) => (await rows(page)).map((row) => row.name);
    const selectedName = async (page: Page) => (await rows(page)).find((row) => row.selected)?.name;

    async function searchFor(page: Page, text: string, matches: number): Promise<void> {
      await page.fill("#search", text);
      await page.waitForFunction((query) => document.getElementById("count")?.dataset.query === query, text);
      assert.equal(await page.getAttribute("#count", "data-matches"), String(matches), `matches of "${text}"`);
    }

    /** Waits until the page has drawn two more frames (a search is applied on the next one). */
    function nextFrames(page: Page): Promise<void> {
      return page.evaluate(() =>
        new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))
      );
    }

    function assertClean(incidents: Incidents): void {
      assert.deepEqual(incidents.dialogs, [], "no dialog opened");
      assert.deepEqual(incidents.pageErrors, [], "no script error");
      assert.deepEqual(incidents.consoleErrors, [], "no console error or warning");
      assert.deepEqual(incidents.requests, [], "no network request");
    }

    test("renderHtml() draws every step, nested under its parent", async () => {
      const { page, context, incidents } = await open(demo, "demo_report.html");
      const drawn = await rows(page);
      assert.deepEqual(drawn.map((row) => [row.name, row.depth]), [
        ["run_cycle", 0],
        ["market_scan", 1],
        ["fetch_prices", 2],
        ["fetch_news", 2],
        ["analyze_market", 1],
        ["decide_entry", 1],
        ["risk_check", 2],
        ["place_order", 1],
        ["place_order", 1],
        ["summarize_cycle", 1],
        ["notify_slack", 0],
      ]);
      assert.equal(await page.textContent("#agent"), "trading_agent");
      assert.equal(await page.textContent("#state"), "crashed");
      assert.match(
        (await page.textContent("#stats")) ?? "",
        /Steps10.*Errors1.*In flight1.*Tokens4,622 in · 450 out.*Cost\$0\.0067/,
      );
      assert.match((await page.textContent("#meta")) ?? "", /modelclaude-haiku-4-5/);
      assertClean(incidents);
      await context.close();
    });

    test("renderHtml() marks the failed step and the step in flight", async () => {
      const { page, context, incidents } = await open(demo, "demo_report.html");
      const drawn = await rows(page);
      assert.deepEqual(drawn.filter((row) => row.classes.includes("is-error")).map((row) => row.name), ["place_order"]);
      assert.deepEqual(drawn.filter((row) => row.classes.includes("is-inflight")).map((row) => row.name), [
        "notify_slack",
      ]);
      assert.equal(await page.locator(".row.is-error .icon.error").textContent(), "✕");
      assert.equal(await page.locator(".row.is-error .bar.error").count(), 1);
      assert.equal(await page.locator(".row.is-inflight .bar.inflight").count(), 1);
      assert.match((await page.locator(".row.is-inflight").textContent()) ?? "", /in flight/);
      await page.click(".jump.err");
      assert.equal(await selectedName(page), "place_order");
      assertClean(incidents);
      await context.close();
    });

    test("renderHtml() narrows the list as a search is typed", async () => {
      const { page, context, incidents } = await open(demo, "demo_report.html");
      await searchFor(page, "place_order", 2);
      assert.deepEqual(await names(page), ["run_cycle", "place_order", "place_order"]);
      assert.match(
        (await page.locator(".row.ancestor").textContent()) ?? "",
        /run_cycle/,
        "the parent is shown, dimmed",
      );
      assert.equal(await page.textContent("#count"), "2 of 11 steps match");
      await searchFor(page, "is:error", 1);
      assert.deepEqual(await names(page), ["run_cycle", "place_order"]);
      await searchFor(page, "TRADING-ALERTS", 1); // a context value, any case
      assert.deepEqual(await names(page), ["notify_slack"]);
      await searchFor(page, "ord_8f3a21", 1); // a logged value
      assert.deepEqual(await names(page), ["run_cycle", "place_order"]);
      await searchFor(page, "no such thing", 0);
      assert.deepEqual(await names(page), []);
      assert.match((await page.textContent("#spacer")) ?? "", /No step matches/);
      await page.press("#search", "Escape");
      await page.waitForSelector('#count[data-matches="11"]');
      assert.equal((await rows(page)).length, 11);
      assertClean(incidents);
      await context.close();
    });

    test("renderHtml() shows a selected step's context, logs, decision, usage and error", async () => {
      const { page, context, incidents } = await open(demo, "demo_report.html");
      await page.click('.row:has-text("decide_entry")');
      let detail = (await page.textContent("#detail")) ?? "";
      assert.match(detail, /decide_entry/);
      assert.match(detail, /ENTER_LONG/);
      assert.match(detail, /RSI 61 is under the 70 overbought line/);
      assert.match(detail, /confidence.*87%/);
      assert.match(detail, /HOLD.*ENTER_SHORT/);
      assert.match(detail, /risk_budget_usd.*500/);
      assert.match(detail, /Logs1.*10:32:07\.620.*\+40\.0 ms.*rsi.*61/);
      assert.match(detail, /Inherited context1.*run_cycle.*cycle.*17/);
      await page.click(".row.is-error");
      detail = (await page.textContent("#detail")) ?? "";
      assert.match(detail, /TimeoutError: exchange did not acknowledge the order within 1500 ms/);
      assert.match(detail, /at placeOrder \(file:\/\/\/app\/src\/exchange\.ts:88:11\)/);
      assert.match(detail, /Duration1\.50 s/);
      await page.click('.row:has-text("analyze_market")');
      detail = (await page.textContent("#detail")) ?? "";
      assert.match(detail, /Modelclaude-haiku-4-5.*Input tokens3,412.*Output tokens286.*Cost\$0\.0048/);
      await page.click('.row:has-text("notify_slack")');
      assert.match((await page.textContent("#detail")) ?? "", /never ended/);
      assertClean(incidents);
      await context.close();
    });

    test("renderHtml() shows provider, response model, cache and reasoning tokens, per step and summed", async () => {
      const dir = tempDir();
      const tracer = new Tracer("llm_agent", { traceDir: dir });
      tracer.step("openai.chat", {}, { kind: "llm" }, (step) =>
        step.usage({
          model: "gpt-4o-mini",
          response_model: "gpt-4o-mini-2024-07-18",
          provider: "openai",
          input_tokens: 1200,
          output_tokens: 80,
          cache_read_input_tokens: 1024,
          cache_creation_input_tokens: 64,
          reasoning_tokens: 32,
        }));
      await tracer.close();
      const session = await readSession(tracer.path!);
      removeDir(dir);
      const { page, context, incidents } = await open(session, "usage_report.html");
      assert.match(
        (await page.textContent("#stats")) ?? "",
        /Cache \/ reasoning1,024 cache read · 64 cache write · 32 reasoning/,
      );
      await page.click('.row:has-text("openai.chat")');
      const detail = (await page.textContent("#detail")) ?? "";
      assert.match(
        detail,
        /Modelgpt-4o-mini.*Answered bygpt-4o-mini-2024-07-18.*Provideropenai.*Input tokens1,200.*Output tokens80.*Cache read tokens1,024.*Cache write tokens64.*Reasoning tokens32/,
      );
      assertClean(incidents);
      await context.close();
    });

    test("renderHtml() can be used from the keyboard", async () => {
      const { page, context, incidents } = await open(demo, "demo_report.html");
      await page.keyboard.press("j");
      assert.equal(await selectedName(page), "run_cycle");
      await page.keyboard.press("j");
      await page.keyboard.press("ArrowDown");
      assert.equal(await selectedName(page), "fetch_prices");
      await page.keyboard.press("k");
      assert.equal(await selectedName(page), "market_scan");
      await page.keyboard.press("ArrowLeft"); // folds market_scan
      assert.equal((await rows(page)).length, 9);
      await page.keyboard.press("Enter"); // unfolds it again
      assert.equal((await rows(page)).length, 11);
      await page.keyboard.press("ArrowRight"); // to its first child
      assert.equal(await selectedName(page), "fetch_prices");
      await page.keyboard.press("ArrowLeft"); // a leaf: to its parent
      assert.equal(await selectedName(page), "market_scan");
      await page.keyboard.press("End");
      assert.equal(await selectedName(page), "notify_slack");
      await page.keyboard.press("e");
      assert.equal(await selectedName(page), "place_order");
      assert.match((await page.textContent("#detail")) ?? "", /TimeoutError/);
      await page.keyboard.press("/");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "search");
      await page.keyboard.type("risk_c");
      await page.waitForFunction(() => document.getElementById("count")?.dataset.query === "risk_c");
      await page.keyboard.press("Enter"); // selects the first match and leaves the search box
      assert.equal(await selectedName(page), "risk_check");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "viewport");
      await page.keyboard.press("Escape"); // clears the search
      await page.waitForSelector('#count[data-matches="11"]');
      assert.equal(await selectedName(page), "risk_check");
      await page.keyboard.press("Escape"); // then the selection
      assert.equal(await selectedName(page), undefined);
      assert.match((await page.textContent("#detail")) ?? "", /Select a step/);
      assertClean(incidents);
      await context.close();
    });

    test("renderHtml() lists decisions with their reasons and what the agent saw", async () => {
      const { page, context, incidents } = await open(demo, "demo_report.html");
      await page.click("#tab-decisions");
      const cards = page.locator(".dcard");
      assert.equal(await cards.count(), 1);
      const text = (await cards.first().textContent()) ?? "";
      assert.match(text, /ENTER_LONG.*at decide_entry #6/);
      assert.match(text, /SOLUSDT is up 4\.2%/);
      assert.match(text, /What the agent saw.*its own context.*risk_budget_usd.*inherited from run_cycle #1.*symbols/);
      await page.click(".dcard .go");
      assert.equal(await page.isVisible("#timeline"), true);
      assert.equal(await selectedName(page), "decide_entry");
      assertClean(incidents);
      await context.close();
    });

    test("renderHtml() looks right in light and dark (screenshots in tests/output/)", async () => {
      for (const colorScheme of ["light", "dark"] as const) {
        const { page, context, incidents } = await open(demo, "demo_report.html", { colorScheme });
        await page.click(colorScheme === "light" ? '.row:has-text("decide_entry")' : ".row.is-error");
        const file = join(OUTPUT, `html_report_${colorScheme}.png`);
        await page.screenshot({ path: file });
        assert.ok(statSync(file).size > 20_000, `a screenshot was written to ${file}`);
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.equal(background, colorScheme === "light" ? "rgb(245, 246, 248)" : "rgb(14, 17, 22)");
        assertClean(incidents);
        await context.close();
      }
    });

    for (const bypassCSP of [false, true]) {
      const label = bypassCSP
        ? "even with its Content-Security-Policy switched off"
        : "under its Content-Security-Policy";
      test(`renderHtml() shows hostile trace strings as text, ${label}`, async () => {
        const session = await sessionFrom(dir, "xss_20250114_103205_xss1.jsonl", xssLines());
        const file = bypassCSP ? "xss_report_no_csp.html" : "xss_report.html";
        const { page, context, incidents } = await open(session, file, { bypassCSP });
        // Use the page as a person would: search, select, keys, both tabs.
        for (const payload of PAYLOADS) {
          await page.fill("#search", payload);
          await nextFrames(page);
        }
        await page.press("#search", "Escape");
        await page.waitForSelector(`#count[data-matches="${session.steps.length}"]`);
        for (let i = 0; i < session.steps.length; i++) {
          await page.keyboard.press(i % 2 ? "j" : "ArrowDown");
          await page.keyboard.press("Enter");
          await page.keyboard.press("Enter");
        }
        await page.keyboard.press("e");
        for (const row of await page.locator(".row").all()) await row.click();
        while (await page.locator("#detail button.more").count()) {
          await page.locator("#detail button.more").first().click();
        }
        await page.click("#tab-decisions");
        while (await page.locator("#dlist button.more").count()) {
          await page.locator("#dlist button.more").first().click();
        }
        await page.click("#tab-timeline");
        await page.keyboard.press("/");
        await page.keyboard.type("<script>");
        await page.keyboard.press("Enter");
        await page.keyboard.press("Escape");

        const dom = await page.evaluate(() => ({
          scripts: document.querySelectorAll("script").length,
          injected: document.querySelectorAll("img, svg, iframe, link[rel=stylesheet], a, object, embed").length,
          handlers: document.querySelectorAll("[onerror], [onload], [onclick]").length,
          text: document.body.textContent ?? "",
          title: document.title,
          agent: document.querySelector("#agent")?.textContent ?? "",
        }));
        assert.equal(dom.scripts, 2, "only the data element and the report's own script");
        assert.equal(dom.injected, 0, "no element was made from a trace string");
        assert.equal(dom.handlers, 0);
        assert.ok(dom.agent.includes("<script>alert(1)</script>"), "the agent name is shown as text");
        assert.ok(dom.text.includes("</script><script>alert(1)</script>"));
        assert.ok(dom.text.includes("javascript:alert(1)"));
        assert.ok(dom.title.startsWith("agent <script>alert(1)</script>"));
        assertClean(incidents);
        await context.close();
      });
    }

    // How fast it opens and searches is measured against a static table in the benchmark (bench section 6), never
    // asserted here: a test on a busy machine cannot tell slow code from a slow machine.
    test("renderHtml() keeps 10,000 steps usable: drawn lazily, searched, walked with the keyboard", async () => {
      const count = 10_000;
      const session = await sessionFrom(dir, "load_test_agent_20250114_103205_big1.jsonl", bigLines(count));
      assert.equal(session.steps.length, count);
      const { page, context, incidents, loadMs } = await open(session, "big_report.html");
      const readyMs = Number(await page.getAttribute("body", "data-ready-ms"));
      assert.equal(await page.textContent("#count"), "10,000 steps");
      const drawn = await page.locator(".row").count();
      assert.ok(drawn > 10 && drawn < 150, `only the rows in view are drawn (${drawn})`);

      let started = performance.now();
      await searchFor(page, "step_4242", 1);
      const searchMs = Math.round(performance.now() - started);
      assert.deepEqual(await names(page), ["step_4201", "step_4242"]);
      started = performance.now();
      await searchFor(page, "shard-3 summarize", 625);
      const broadMs = Math.round(performance.now() - started);
      await searchFor(page, "is:error", 103);
      await page.press("#search", "Escape");
      await page.waitForSelector(`#count[data-matches="${count}"]`);
      await page.keyboard.press("End");
      assert.equal(await selectedName(page), `step_${count}`);
      console.log(
        `HTML report, ${count.toLocaleString("en-US")} steps: opened in ${loadMs} ms ` +
          `(script done ${readyMs} ms after navigation), search "step_4242" answered in ${searchMs} ms, ` +
          `"shard-3 summarize" (625 matches) in ${broadMs} ms`,
      );
      assertClean(incidents);
      await context.close();
    });
  });}
