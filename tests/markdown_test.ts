import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readSession } from "../mod.ts";
import { code, escapeText, renderMarkdown } from "../src/render/markdown.ts";
import type { Session, SessionStep } from "../src/format/types.ts";
import { summarize } from "../src/model/session.ts";

const seed = join(import.meta.dirname!, "testdata", "python-seed");

function step(fields: Partial<SessionStep>): SessionStep {
  return {
    id: 1,
    parent_id: null,
    name: "s",
    context: {},
    started_at: 1795558083.5,
    finished_at: 1795558083.6,
    duration_ms: 100,
    outcome: "ok",
    error: null,
    logs: [],
    in_flight: false,
    ...fields,
  };
}

function session(steps: SessionStep[], agent = "agent"): Session {
  return {
    path: "",
    format: "jsonl",
    schema: "ai-trace/1",
    agent,
    session_id: "20260101_000000_abcdef",
    meta: {},
    started_at: 1,
    finished_at: 2,
    state: "complete",
    steps,
    summary: summarize([]),
    warnings: [],
  };
}

test("renderMarkdown() follows the original's layout on its own files", async () => {
  const md = renderMarkdown(
    await readSession(join(seed, "trading_agent_20261124_220803.jsonl")),
    Date.UTC(2026, 10, 24),
  );
  assert.match(md, /^# Trace: trading\\_agent — 20261124\\_220803\n\*Generated: 2026-11-24 00:00:00 UTC\*/);
  assert.match(md, /## Summary\n\| Steps \| OK \| Errors \|/);
  assert.match(md, /\| 4 \| 3 \| 1 \|/);
  // The original's JSONL has no metadata: it comes from the snapshot beside it.
  assert.match(md, /## Metadata\n- \*\*model\*\*: claude-haiku-4-5\n- \*\*version\*\*: 1.2/);
  assert.match(md, /### 1\. ✅ `market_scan` \(1\.08 ms\)\n\*\*Context:\*\*\n- `symbol`: `"BTCUSDT"`/);
  assert.match(md, /- `22:08:03\.530Z` — `signal=0\.87`, `confidence=0\.87`/);
  assert.match(md, /### 4\. ❌ `execute` \(3\.57 ms\)/);
  assert.match(md, /\*\*Error:\*\* `exchange timeout after 3 retries`/);
});

test("renderMarkdown() shows nesting, decisions, usage, stacks and in-flight steps", () => {
  const md = renderMarkdown(session([
    step({ id: 1, name: "plan", decision: { action: "BUY", reason: "cheap", confidence: 0.9 } }),
    step({
      id: 2,
      parent_id: 1,
      name: "fetch",
      usage: { model: "m", input_tokens: 3, output_tokens: 4, cost_usd: 0.01 },
    }),
    step({
      id: 3,
      parent_id: 1,
      name: "boom",
      outcome: "error",
      error: "bad",
      error_type: "TypeError",
      stack: "TypeError: bad\n    at x",
    }),
    step({ id: 4, name: "stuck", in_flight: true, outcome: null, finished_at: null, duration_ms: null }),
  ]));
  assert.match(md, /### 1\. ✅ `plan`/);
  assert.match(md, /### 1\.1\. ✅ `fetch`/);
  assert.match(md, /### 1\.2\. ❌ `boom`/);
  assert.match(md, /### 2\. ⏳ `stuck` \(in flight\)/);
  assert.match(md, /\*\*Decision:\*\* `BUY` \(confidence 0\.9\) — cheap/);
  assert.match(md, /\*\*Usage:\*\* `m`, 3 in \/ 4 out tokens, \$0\.01/);
  assert.ok(md.includes("**Error:** `TypeError`: `bad`\n```\nTypeError: bad\n    at x\n```"), md);
});

test("renderMarkdown() cannot be broken by values with backticks, pipes, newlines or headings", () => {
  const hostile = "`x` | y\n# Heading\n```\n<script>alert(1)</script>";
  const md = renderMarkdown(session([
    step({
      name: hostile,
      context: { [hostile]: hostile },
      logs: [{ _t: 1, [hostile]: hostile }],
      error: hostile,
      outcome: "error",
    }),
  ], hostile));
  // Every line of the document is one the renderer made: no value starts its own line.
  const headings = md.split("\n").filter((line) => line.startsWith("#"));
  assert.deepEqual(headings.map((h) => h.split(" ")[0]), ["#", "##", "##", "###"]);
  assert.ok(!md.includes("\n# Heading"));
  assert.ok(!md.includes("\n```\n<script>"));
  for (const line of md.split("\n").filter((l) => l.includes("<script>"))) {
    assert.ok(line.indexOf("`") < line.indexOf("<script>") && line.indexOf("`") !== -1, `raw HTML in: ${line}`);
  }
});

test("code() makes a code span that holds any text literally", () => {
  assert.equal(code("plain"), "`plain`");
  assert.equal(code("a`b"), "``a`b``");
  assert.equal(code("`edge`"), "`` `edge` ``");
  assert.equal(code("two\nlines"), "`two\\nlines`");
  assert.equal(escapeText("*bold* <b>&"), "\\*bold\\* \\<b\\>\\&");
});
