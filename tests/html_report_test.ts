import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { renderHtml } from "../src/render/html_report.ts";
import { REPORT_SCRIPT } from "../src/render/html_report_script.ts";
import { REPORT_STYLE } from "../src/render/html_report_style.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { ALL_PAYLOADS, demoSession, PAYLOADS, sessionFrom, xssLines } from "./_html_report_sessions.ts";

const dir = tempDir("ai-trace-html-");
after(() => removeDir(dir));

const DATA_OPEN = '<script type="application/json" id="ai-trace-data">';

/** The embedded JSON text, and the page with it cut out. */
function split(html: string): { json: string; rest: string } {
  const start = html.indexOf(DATA_OPEN);
  assert.notEqual(start, -1, "the page embeds the trace");
  const end = html.indexOf("</script>", start);
  return {
    json: html.slice(start + DATA_OPEN.length, end),
    rest: html.slice(0, start) + html.slice(end + "</script>".length),
  };
}

function csp(html: string): Map<string, string> {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, "the page has a Content-Security-Policy meta tag");
  return new Map(
    match[1].split(";").map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values.join(" ")] as [string, string];
    }),
  );
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

test("renderHtml() embeds the trace as JSON that cannot close its script element", async () => {
  const session = await sessionFrom(dir, "xss_20250114_103205_xss1.jsonl", xssLines());
  const { json } = split(renderHtml(session));
  for (const char of ["<", ">", "&", "\u2028", "\u2029"]) {
    assert.equal(json.includes(char), false, `the JSON holds no raw ${JSON.stringify(char)}`);
  }
  assert.match(json, /\\u003c\/script\\u003e/);
  const data = JSON.parse(json);
  assert.equal(data.session.agent, `agent ${ALL_PAYLOADS}`);
  assert.deepEqual(data.steps.map((step: { name: string }) => step.name), session.steps.map((step) => step.name));
  assert.deepEqual(data.steps[0].context, session.steps[0].context);
  assert.ok(data.steps.some((step: { name: string }) => step.name.includes("line\u2028separator\u2029paragraph")));
});

test("renderHtml() puts no trace string into the page's markup", async () => {
  const session = await sessionFrom(dir, "xss_20250114_103205_xss2.jsonl", xssLines());
  const { rest } = split(renderHtml(session));
  // Outside the JSON, only the title carries trace text, and it is escaped.
  const title = /<title>([^<]*)<\/title>/.exec(rest);
  assert.ok(title, "the title holds no markup");
  assert.ok(title[1].startsWith("agent &lt;script&gt;alert(1)&lt;/script&gt;"));
  const markup = rest.replace(title[0], "");
  assert.equal(markup.match(/<script/g)?.length, 1, "one executable script, the report's own");
  assert.equal(markup.match(/<\/script>/g)?.length, 1);
  for (const tag of ["<img", "<svg", "<iframe", "<link rel=stylesheet", "<!--", "javascript:", "alert("]) {
    assert.equal(markup.includes(tag), false, `no ${tag} in the markup`);
  }
  for (const payload of PAYLOADS) {
    assert.equal(markup.includes(payload), false, `payload ${payload} is not in the markup`);
  }
});

test("renderHtml() escapes a title given in the options", async () => {
  const html = renderHtml(await demoSession(), { title: '</title><script>alert("t")</script>' });
  assert.ok(html.includes("<title>&lt;/title&gt;&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;</title>"));
});

test("renderHtml() sets a Content-Security-Policy that forbids every connection", async () => {
  const html = renderHtml(await demoSession());
  const policy = csp(html);
  assert.equal(policy.get("default-src"), "'none'");
  assert.equal(policy.get("connect-src"), "'none'");
  assert.equal(policy.get("img-src"), "data:");
  assert.equal(policy.get("base-uri"), "'none'");
  assert.equal(policy.get("form-action"), "'none'");
  assert.equal(policy.get("require-trusted-types-for"), "'script'");
  for (const [name, value] of policy) {
    assert.doesNotMatch(value, /unsafe|\*|https?:|'self'/, `${name} allows nothing broad`);
  }
});

test("renderHtml() allows exactly its own inline script and style, by hash", async () => {
  const html = renderHtml(await demoSession());
  const policy = csp(html);
  const script = /<script>([\s\S]*)<\/script>\s*<\/body>/.exec(html);
  const style = /<style>([\s\S]*)<\/style>/.exec(html);
  assert.ok(script && style);
  assert.equal(script[1], REPORT_SCRIPT);
  assert.equal(style[1], REPORT_STYLE);
  assert.equal(policy.get("script-src"), sha256(REPORT_SCRIPT));
  assert.equal(policy.get("style-src"), sha256(REPORT_STYLE));
  assert.equal(REPORT_SCRIPT.toLowerCase().includes("</script"), false);
  assert.equal(REPORT_STYLE.toLowerCase().includes("</style"), false);
});

test("renderHtml() refers to no resource outside the file", async () => {
  const html = renderHtml(await demoSession());
  const { rest } = split(html);
  const refs = [...rest.matchAll(/\b(?:src|href|action|srcset)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1]);
  assert.deepEqual(refs.filter((ref) => !ref.startsWith("data:")), []);
  assert.doesNotMatch(rest.replace(/data:image\/svg\+xml,[^"]*/, ""), /https?:\/\//);
  assert.doesNotMatch(REPORT_SCRIPT, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
});

test("renderHtml() renders a session with no steps", async () => {
  const session = await sessionFrom(dir, "empty_20250114_103205_none.jsonl", [
    JSON.stringify({ type: "session", schema: "ai-trace/1", agent: "empty", session_id: "s", started_at: 1, meta: {} }),
  ]);
  const data = JSON.parse(split(renderHtml(session)).json);
  assert.equal(data.session.agent, "empty");
  assert.deepEqual(data.steps, []);
});
