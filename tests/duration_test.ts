import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatDuration } from "../src/render/duration.ts";
import { renderMarkdown } from "../src/render/markdown.ts";
import { REPORT_SCRIPT } from "../src/render/html_report_script.ts";
import { DIFF_SCRIPT } from "../src/render/html_diff_script.ts";
import { SERVE_SCRIPT } from "../src/serve/page_script.ts";
import { cli, OURS } from "./_cli.ts";

describe("formatDuration()", () => {
  test("formatDuration() shows three significant digits, trailing zeros kept, in every range", () => {
    const cases: [number, string][] = [
      [0, "0 ms"],
      [0.004, "0.00 ms"],
      [0.42, "0.42 ms"],
      [1.4, "1.40 ms"],
      [1.41, "1.41 ms"],
      [9.996, "10.0 ms"],
      [12.34, "12.3 ms"],
      [99.96, "100 ms"],
      [123.4, "123 ms"],
      [999.6, "1.00 s"],
      [1234, "1.23 s"],
      [2400, "2.40 s"],
      [12_340, "12.3 s"],
      [59_960, "1m 00s"],
      [125_000, "2m 05s"],
      [3_720_000, "1h 02m"],
      [86_340_000, "23h 59m"],
      [86_400_000, "1d 00h"],
      [40 * 86_400_000 + 3 * 3_600_000, "40d 03h"],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
    assert.equal(formatDuration(null), "-");
    assert.equal(formatDuration(Number.NaN), "-");
    assert.equal(formatDuration(-5), "0 ms");
  });

  test("formatDuration() is the one rule of the CLI and the Markdown report", async () => {
    const md = await cli(["--dir", OURS, "export", "crawler", "--format", "md"]);
    const view = await cli(["--dir", OURS, "view", "crawler"]);
    const durations = (text: string) => [...text.matchAll(/\d+(?:\.\d+)? m?s\b/g)].map((m) => m[0]);
    for (const text of [...durations(md.out), ...durations(view.out)]) {
      const digits = text.replace(/\D/g, "").replace(/^0+/, "");
      assert.ok(digits.length === 3 || /^0(\.\d\d)? ms$/.test(text), `not one rule: ${text}`);
    }
    assert.ok(durations(md.out).length > 0 && durations(view.out).length > 0);
  });

  test("renderMarkdown() prints durations with formatDuration()", () => {
    const md = renderMarkdown({
      path: "x.jsonl",
      format: "jsonl",
      schema: "ai-trace/1",
      agent: "a",
      session_id: "s",
      meta: {},
      started_at: 1,
      finished_at: 2,
      state: "complete",
      steps: [{
        id: 1,
        parent_id: null,
        name: "scan",
        context: {},
        started_at: 1,
        finished_at: 1.0014,
        duration_ms: 1.4,
        outcome: "ok",
        error: null,
        logs: [],
        in_flight: false,
      }],
      summary: {
        steps: 1,
        ok: 1,
        errors: 0,
        in_flight: 0,
        total_ms: 1.4,
        avg_ms: 1.4,
        p50_ms: 1.4,
        p95_ms: 2400,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
        by_name: {},
      },
      warnings: [],
    } as never, 0);
    assert.match(md, /\| 1\.40 ms \| 1\.40 ms \| 2\.40 s \|/);
    assert.match(md, /`scan` \(1\.40 ms\)/);
  });

  for (
    const [page, script, entry] of [
      ["the HTML report", REPORT_SCRIPT, "reportPage"],
      ["the diff page", DIFF_SCRIPT, "diffPage"],
      ["serve's page", SERVE_SCRIPT, "servePage"],
    ]
  ) {
    test(`formatDuration() is the rule of ${page} too: its script calls ${entry} with it`, () => {
      assert.match(script, /\nfunction formatDuration\(ms\) \{/);
      assert.match(script, new RegExp(`\\n${entry}\\([^\\n]*, formatDuration\\);\\n`));
      assert.doesNotMatch(script, /toFixed\(1\)\.replace|\bmin \$\{/, "no rule of its own");
    });
  }
});
