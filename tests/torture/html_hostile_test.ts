/// <reference lib="dom" />
// The HTML report against control and invisible characters (issue 12,
// findings 5 and 6): escape sequences, C1 controls and bidi or zero-width
// characters in a trace must not be drawn as nothing (hiding or reordering
// what follows them), nor sit raw in the file (`cat report.html`). The page
// shows each as a marked `\u…` escape. Checked in Chromium (playwright-core,
// Debian's browser; skipped visibly without it, failing in CI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Tracer } from "../../mod.ts";
import { chromiumSkipReason, launchChromium } from "../_chromium.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { figure } from "./_torture.ts";

const EVIL = "\x1b]0;pwned\x07\x1b[2J\x9b31m\x85\r\u202e\u2066\u2069\u200b\ufeff";
// Raw characters that must not appear (line breaks and tabs may).
// deno-lint-ignore no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

function firstRaw(text: string): string | undefined {
  const at = text.search(RAW);
  return at < 0
    ? undefined
    : `U+${text.codePointAt(at)!.toString(16)} in ${JSON.stringify(text.slice(at - 30, at + 10))}`;
}

const skip = chromiumSkipReason();

test("renderHtml() shows control and bidi characters as marked escapes, in the page and in the file", {
  skip: skip ?? false,
  timeout: 60_000,
}, async () => {
  const dir = tempDir("ai-trace-html-ctrl-");
  const browser = await launchChromium();
  try {
    const tracer = new Tracer(`agent${EVIL}`, { traceDir: dir, meta: { [`k${EVIL}`]: `v${EVIL}` } });
    tracer.step(`step${EVIL}`, { [`c${EVIL}`]: `v${EVIL}` }, (step) => {
      step.log({ [`l${EVIL}`]: EVIL });
      step.decide(`act${EVIL}`, { reason: `why${EVIL}` });
    });
    try {
      tracer.step(`fails${EVIL}`, () => {
        const error = new Error(`boom${EVIL}`);
        error.stack = `Error: boom${EVIL}\n    at evil (${EVIL}:1:1)`;
        throw error;
      });
    } catch {
      // recorded
    }
    const path = await tracer.saveHtml();
    await tracer.close();
    assert.ok(path);
    const file = readFileSync(path, "utf8");
    assert.equal(firstRaw(file), undefined, "the file holds no raw control or bidi character");

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    const shown: string[] = [];
    const look = async (what: string) => {
      const text = await page.evaluate(() => document.title + "\n" + document.body.innerText);
      assert.equal(firstRaw(text), undefined, `${what}: the page shows a raw character`);
      shown.push(what);
    };
    await look("header and timeline");
    // Each step's detail: name, context, logs, decision, error and stack.
    for (const index of [0, 1]) {
      await page.click(`.row[data-index="${index}"] .name`);
      await page.waitForSelector(".d-head");
      await look(`the detail of step ${index}`);
    }
    await page.click("#tab-decisions");
    await look("the decisions tab");
    const marks = await page.locator(".esc").count();
    assert.ok(marks > 0, "the characters are marked");
    assert.ok((await page.textContent("#agent"))?.includes("\\u202e"), "the agent name shows \\u202e");
    assert.deepEqual(errors, []);
    figure(
      "html-controls",
      `escape sequences, C1 and bidi in names, values, logs, decisions, errors, stacks: 0 raw in the file and in ${shown.length} views; ${marks} marked escapes in the last`,
    );
    await page.close();
  } finally {
    await browser.close();
    removeDir(dir);
  }
});
