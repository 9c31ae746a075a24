/**
 * `ai-trace serve` in a real browser (Debian's Chromium through
 * playwright-core): the page lists the sessions, filters and searches them,
 * opens one as the report, follows a running agent live, and a trace full of
 * script payloads runs nothing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { copyFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Frame, Page } from "playwright-core";
import { Tracer } from "../mod.ts";
import { type RunningServer, startServer } from "../src/serve/server.ts";
import { chromiumSkipReason, launchChromium } from "./_chromium.ts";
import { OURS, PYTHON_SEED, until } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { xssLines } from "./_html_report_sessions.ts";

const skip = chromiumSkipReason();

/** What a page did that it must never do. */
interface Incidents {
  dialogs: string[];
  pageErrors: string[];
  foreignRequests: string[];
}

const NAMES = {
  planner: "planner_20261125_100000_abc123.jsonl",
  crawler: "crawler_20261125_110000_def456.jsonl",
  trading: "trading_agent_20261124_220803.jsonl",
  xss: "xss_20250114_103205_xss1.jsonl",
};

describe("ai-trace serve in Chromium", { timeout: 120_000 }, () => {
  let browser: Browser;
  let dir: string;
  let server: RunningServer;

  before(async () => {
    if (skip) return;
    dir = tempDir("ai-trace-serve-browser-");
    copyFileSync(join(OURS, NAMES.planner), join(dir, NAMES.planner));
    copyFileSync(join(OURS, NAMES.crawler), join(dir, NAMES.crawler));
    copyFileSync(join(PYTHON_SEED, NAMES.trading), join(dir, NAMES.trading));
    writeFileSync(join(dir, NAMES.xss), xssLines().join("\n") + "\n");
    server = await startServer({ dir, port: 0, pollMs: 100 });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (dir) removeDir(dir);
  });

  async function openPage(): Promise<{ page: Page; incidents: Incidents }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const incidents: Incidents = { dialogs: [], pageErrors: [], foreignRequests: [] };
    page.on("dialog", (dialog) => {
      incidents.dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
    page.on("pageerror", (error) => incidents.pageErrors.push(error.message));
    page.on("request", (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith("data:")) {
        incidents.foreignRequests.push(request.url());
      }
    });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="1"]');
    return { page, incidents };
  }

  const agents = (page: Page) => page.$$eval("#list-body tr .agent", (cells) => cells.map((c) => c.textContent));

  async function reportFrame(page: Page): Promise<Frame> {
    const handle = await page.waitForSelector("#report:not([hidden])");
    const frame = (await handle.contentFrame())!;
    await frame.waitForSelector('body[data-ready="true"]');
    return frame;
  }

  /** Waits (bounded only against a hang) until `selector` is in the report frame, which reloads on changes. */
  async function waitInReport(page: Page, selector: string): Promise<void> {
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const frame = await (await page.$("#report"))?.contentFrame();
      if (frame && (await frame.$(selector).catch(() => null))) return;
      await page.waitForTimeout(100);
    }
    assert.fail(`${selector} never appeared in the report`);
  }

  test("serve's page lists the sessions, filters them by agent and search, and shows the totals", {
    skip: skip ?? false,
  }, async () => {
    const { page, incidents } = await openPage();
    assert.equal((await agents(page)).length, 4);
    assert.equal(await page.textContent("#count"), "4 sessions");
    assert.match((await page.textContent("#totals"))!, /sessions/);
    assert.ok(((await page.$$("#names-body tr")).length) > 0, "per-step-name rows");
    await page.fill("#search", "crawl");
    assert.deepEqual(await agents(page), ["crawler"]);
    assert.equal(await page.textContent("#count"), "1 of 4 sessions");
    await page.fill("#search", "");
    await page.selectOption("#agent", "planner");
    assert.deepEqual(await agents(page), ["planner"]);
    await page.selectOption("#state", "crashed");
    assert.deepEqual(await agents(page), []);
    assert.deepEqual(incidents, { dialogs: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  });

  test(
    "serve's page opens a session as the report, with downloads, and goes back",
    { skip: skip ?? false },
    async () => {
      const { page, incidents } = await openPage();
      await page.click(`#list-body tr[data-name="${NAMES.planner}"]`);
      const frame = await reportFrame(page);
      assert.equal(await frame.textContent("#agent"), "planner");
      assert.match((await page.textContent("#session-title"))!, /^planner · /);
      const href = await page.getAttribute('a[data-format="md"]', "href");
      assert.equal(href, `/sessions/${NAMES.planner}/export?format=md`);
      assert.equal(new URL(page.url()).hash, `#${NAMES.planner}`);
      await page.click("#home-button");
      assert.equal(await page.isHidden("#report"), true);
      // A link to the session opens it directly.
      await page.goto(`${server.url}#${NAMES.crawler}`);
      await page.waitForSelector('body[data-ready="1"]');
      assert.equal(await (await reportFrame(page)).textContent("#agent"), "crawler");
      assert.deepEqual(incidents, { dialogs: [], pageErrors: [], foreignRequests: [] });
      await page.close();
    },
  );

  test("serve's page diffs the open session with another", { skip: skip ?? false }, async () => {
    const { page, incidents } = await openPage();
    await page.click(`#list-body tr[data-name="${NAMES.planner}"]`);
    await reportFrame(page);
    await page.selectOption("#diff-with", NAMES.crawler);
    await page.click("#diff-button");
    await waitInReport(page, "#verdict:not(:empty)");
    assert.deepEqual(incidents, { dialogs: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  });

  test("serve's page shows a new session without a reload, and a new step of the open one", {
    skip: skip ?? false,
  }, async () => {
    const { page, incidents } = await openPage();
    // Changes are told from when the page's live stream is open: wait for it, then start the agent.
    await page.waitForSelector("#live.on");
    const tracer = new Tracer("live_agent", { traceDir: dir });
    tracer.step("first_step", () => {});
    const name = tracer.path!.split("/").pop()!;
    // Bounded only against a hang: the server looks every 100 ms.
    await page.waitForSelector(`#list-body tr[data-name="${name}"]`, { timeout: 30_000 });
    await page.click(`#list-body tr[data-name="${name}"]`);
    await waitInReport(page, '.row:has-text("first_step")');
    // The step the user selected stays selected when the report reloads with new steps.
    const report = (await (await page.$("#report"))!.contentFrame())!;
    await report.click('.row:has-text("first_step")');
    await report.waitForSelector('.row.selected:has-text("first_step")');
    tracer.step("second_step", () => {});
    // The open report is reloaded when its file changes: the new step shows without a click.
    await waitInReport(page, '.row:has-text("second_step")');
    await waitInReport(page, '.row.selected:has-text("first_step")');
    await tracer.close();
    assert.deepEqual(incidents, { dialogs: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  });

  test("serve's page reads the directory once at a time however fast it changes, and shows the last change", {
    skip: skip ?? false,
  }, async () => {
    const { page, incidents } = await openPage();
    await page.waitForSelector("#live.on");
    // The totals take as long as we say: while they are held, every change must wait for them.
    const held: (() => void)[] = [];
    await page.route("**/api/stats", (route) => {
      held.push(() => route.continue().catch(() => {}));
    });
    // Counted from when the stream is open: a change written before that is never told to it.
    await page.evaluate(() =>
      new Promise<void>((resolve) => {
        const seen = globalThis as unknown as { changes: number };
        seen.changes = 0;
        const events = new EventSource("/api/events");
        events.addEventListener("change", () => seen.changes++);
        events.addEventListener("open", () => resolve(), { once: true });
      })
    );
    const changes = () => page.evaluate(() => (globalThis as unknown as { changes: number }).changes);
    const tracer = new Tracer("busy_agent", { traceDir: dir });
    for (let step = 0; step < 6; step++) {
      const before = await changes();
      tracer.step(`busy_${step}`, () => {});
      // Bounded only against a hang: the server looks every 100 ms.
      await page.waitForFunction((n) => (globalThis as unknown as { changes: number }).changes > n, before, {
        timeout: 50_000,
      });
      // The page gathers changes for 100 ms, then reads: the first read is held, the others must wait for it.
      await page.waitForTimeout(150);
      const deadline = Date.now() + 30_000;
      while (held.length === 0 && Date.now() < deadline) await page.waitForTimeout(20);
    }
    assert.equal(held.length, 1, `one read of the totals at a time, not ${held.length}`);
    await page.unroute("**/api/stats");
    for (const release of held.splice(0)) release();
    // The changes made meanwhile are read once more: the list ends with all six steps.
    const name = tracer.path!.split("/").pop()!;
    await page.waitForSelector(`#list-body tr[data-name="${name}"] td:nth-child(3):text-is("6")`, { timeout: 50_000 });
    await tracer.close();
    assert.deepEqual(incidents, { dialogs: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  });

  test("serve's page catches up after its live stream was cut, and survives a malformed address", {
    skip: skip ?? false,
  }, async () => {
    const { page, incidents } = await openPage();
    await page.waitForSelector("#live.on");
    // The server goes away (its streams cut) and comes back on the same port; meanwhile a session starts.
    const port = server.port;
    await server.close();
    await page.waitForSelector("#live.off");
    const tracer = new Tracer("while_away", { traceDir: dir });
    tracer.step("missed", () => {});
    await tracer.close();
    server = await startServer({ dir, port, pollMs: 100 });
    // Nothing changes after the reconnection: only a reload of the list shows the session.
    await page.waitForSelector('#list-body tr .agent:text-is("while_away")', { timeout: 60_000 });
    // An address the page cannot decode (`#%E0`) opens nothing and breaks nothing.
    await page.goto(`${server.url}#%E0`);
    await page.waitForSelector('body[data-ready="1"]');
    await page.evaluate(() => (location.hash = "%zz"));
    assert.equal(await page.isHidden("#report"), true);
    assert.deepEqual(incidents, { dialogs: [], pageErrors: [], foreignRequests: [] });
    await page.close();
  });

  test("a page of another origin can neither write through the receiver nor read the API", {
    skip: skip ?? false,
  }, async () => {
    // The attacker's page, on another port of 127.0.0.1 (another origin), tries every way a page has to send the
    // receiver a trace, and to read the sessions.
    const span = {
      traceId: "0123456789abcdef0123456789abcdef",
      spanId: "0123456789abcdef",
      name: "csrf",
      startTimeUnixNano: "1764000000000000000",
      endTimeUnixNano: "1764000001000000000",
    };
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
    const attack = `<!doctype html><body><iframe name="sink"></iframe>
<form id="f" method="post" enctype="text/plain" target="sink" action="${server.url}v1/traces">
<input name='${body.slice(0, -2)}' value='}}'></form><script>
const target = ${JSON.stringify(server.url)};
const body = ${JSON.stringify(body)};
window.results = {};
const tries = [
  ["fetch no-cors json", () => fetch(target + "v1/traces", { method: "POST", mode: "no-cors",
    headers: { "content-type": "application/json" }, body })],
  ["fetch no-cors blob", () => fetch(target + "v1/traces", { method: "POST", mode: "no-cors",
    body: new Blob([body], { type: "application/json" }) })],
  ["fetch cors json", () => fetch(target + "v1/traces", { method: "POST",
    headers: { "content-type": "application/json" }, body })],
  ["beacon", () => navigator.sendBeacon(target + "v1/traces", new Blob([body], { type: "text/plain" }))],
  ["read sessions", () => fetch(target + "api/sessions").then((r) => r.text())],
  ["read session", () => fetch(target + "api/stats").then((r) => r.text())],
];
Promise.all(tries.map(([name, run]) => Promise.resolve().then(run).then(
  (value) => { window.results[name] = typeof value === "string" ? value : "sent"; },
  (error) => { window.results[name] = "refused: " + error.message; },
))).then(() => { document.getElementById("f").submit(); window.done = true; });
</script>`;
    const evil = createServer((_, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(attack);
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    const page = await browser.newPage();
    const statuses: string[] = [];
    page.on("response", (response) => {
      if (response.url().startsWith(server.url)) statuses.push(`${response.request().method()} ${response.status()}`);
    });
    const before = readdirSync(dir).sort();
    try {
      const formPosted = page.waitForResponse((response) =>
        response.url().endsWith("/v1/traces") &&
        response.request().method() === "POST" &&
        response.request().postData()?.startsWith('{"resourceSpans"') === true &&
        response.request().headers()["content-type"]?.startsWith("text/plain") === true
      );
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const answer = await formPosted;
      assert.equal(answer.status(), 403, "the form post is refused");
      await page.waitForFunction(() => (globalThis as unknown as { done?: boolean }).done === true);
      const results = await page.evaluate(() => (globalThis as unknown as { results: Record<string, string> }).results);
      for (const name of ["read sessions", "read session", "fetch cors json"]) {
        assert.match(results[name], /^refused/, name);
      }
      // The requests that left the page (a form, two no-cors fetches, a beacon) were refused for their origin. The
      // beacon is sent in the background: its answer is waited for (the deadline only bounds a hang).
      await until(() => statuses.length >= 4, 60_000, "the answers to the form, the two fetches and the beacon");
      assert.ok(statuses.every((status) => status === "POST 403"), statuses.join(", "));
      // Whatever was sent, nothing was written: the server writes a trace at once when its root comes, before it answers.
      assert.deepEqual(readdirSync(dir).sort(), before);
    } finally {
      await page.close();
      await new Promise((resolve) => evil.close(resolve));
    }
  });

  test("serve's page says in one line why it cannot read the directory, and shows it once it can", {
    skip: skip ?? false,
  }, async () => {
    const missing = join(dir, "not_yet");
    const other = await startServer({ dir: missing, port: 0, pollMs: 100 });
    const page = await browser.newPage();
    try {
      await page.goto(other.url);
      await page.waitForSelector('#count:text-matches("^Cannot load")');
      assert.equal(
        await page.textContent("#count"),
        `Cannot load the sessions: Cannot read trace directory "${missing}": no such directory`,
      );
      // The agent starts: the directory and its first session appear without a reload.
      await page.waitForSelector("#live.on");
      const tracer = new Tracer("late_agent", { traceDir: missing });
      tracer.step("first", () => {});
      await page.waitForSelector('#list-body tr .agent:text-is("late_agent")', { timeout: 30_000 });
      await tracer.close();
    } finally {
      await page.close();
      await other.close();
    }
  });

  test("serve's page runs nothing from a trace full of script payloads", { skip: skip ?? false }, async () => {
    const { page, incidents } = await openPage();
    const row = `#list-body tr[data-name="${NAMES.xss}"]`;
    assert.match((await page.textContent(`${row} .agent`))!, /<script>alert\(1\)<\/script>/);
    await page.click(row);
    await reportFrame(page);
    await page.fill("#search", "<img src=x onerror=alert(1)>");
    await page.fill("#search", "");
    assert.deepEqual(incidents, { dialogs: [], pageErrors: [], foreignRequests: [] });
    assert.equal(await page.evaluate(() => document.querySelectorAll("script").length), 1);
    await page.close();
  });
});
