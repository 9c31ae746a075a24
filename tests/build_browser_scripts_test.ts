// The scripts the HTML pages inline are generated from TypeScript browser modules
// (scripts/build_browser_scripts.ts): each generated module is current, each page inlines
// exactly its script and allows it by hash, and the build refuses a function that is not
// self-contained.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BROWSER_SCRIPTS, buildBrowserScript, transpileFunction } from "../scripts/build_browser_scripts.ts";
import { REPORT_SCRIPT } from "../src/render/html_report_script.ts";
import { DIFF_SCRIPT } from "../src/render/html_diff_script.ts";
import { SERVE_SCRIPT } from "../src/serve/page_script.ts";
import { renderHtml } from "../src/render/html_report.ts";
import { renderDiffHtml } from "../src/render/html_diff.ts";
import { PAGE_CSP, renderServePage } from "../src/serve/page.ts";
import { diffSessions } from "../mod.ts";
import { demoSession } from "./_html_report_sessions.ts";

const root = join(import.meta.dirname!, "..");
const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
const inlined = (html: string) => /<script>([\s\S]*)<\/script>\s*<\/body>/.exec(html)?.[1];
const scriptSrc = (csp: string) => /script-src ([^;]+)/.exec(csp)?.[1];

test("build_browser_scripts.ts --check: every generated script module is what the build makes of its browser module", () => {
  // The browser code is written (and type-checked, linted) as TypeScript; the inlined scripts are generated from it.
  const run = spawnSync(
    join(root, "node_modules", ".bin", "deno"),
    ["run", "-A", "scripts/build_browser_scripts.ts", "--check"],
    { cwd: root, encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(BROWSER_SCRIPTS.map((s) => s.target), [
    "src/render/html_report_script.ts",
    "src/render/html_diff_script.ts",
    "src/serve/page_script.ts",
  ]);
});

test("every browser module (src/**/*_browser.ts) is built into a page's script and left out of the package", () => {
  const modules = readdirSync(join(root, "src"), { recursive: true }).map(String)
    .filter((file) => file.endsWith("_browser.ts")).map((file) => `src/${file.replaceAll("\\", "/")}`).sort();
  const built = new Set(BROWSER_SCRIPTS.flatMap((s) => [s.source, ...s.helpers.map((h) => h.file)]));
  assert.deepEqual(modules.filter((file) => !built.has(file)), [], "a browser module no page's script is built from");
  assert.ok(modules.length >= 4, modules.join(", "));
  const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
  assert.deepEqual(config.publish.exclude, ["src/**/*_browser.ts"]);
});

for (
  const [constant, script, entry] of [
    ["REPORT_SCRIPT", REPORT_SCRIPT, "reportPage"],
    ["DIFF_SCRIPT", DIFF_SCRIPT, "diffPage"],
    ["SERVE_SCRIPT", SERVE_SCRIPT, "servePage"],
  ] as const
) {
  test(`${constant} is ${entry} without types, beside the shared escaping rule and formatDuration`, () => {
    assert.ok(script.includes(`\nfunction ${entry}(textRule, formatDuration) {`), "its types stripped");
    assert.ok(script.includes("\nfunction escapeChar(c) {"), "printable.ts's escapeChar");
    assert.ok(script.includes("\nfunction visibleText(unsafeClass, escape) {"), "text_browser.ts's visibleText");
    assert.ok(script.includes("\nfunction formatDuration(ms) {"), "duration.ts's formatDuration");
    assert.match(script, new RegExp(`\\n${entry}\\(visibleText\\("[^"\\n]+", escapeChar\\), formatDuration\\);\\n`));
    assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    assert.equal(script.toLowerCase().includes("<script"), false);
    assert.equal(script.toLowerCase().includes("</script"), false);
  });
}

test("every page inlines exactly its generated script and allows it by hash", async () => {
  const session = await demoSession();
  const report = renderHtml(session);
  assert.equal(inlined(report), REPORT_SCRIPT);
  assert.ok(report.includes(`script-src ${sha256(REPORT_SCRIPT)};`));
  const diff = renderDiffHtml(session, session, diffSessions(session, session));
  assert.equal(inlined(diff), DIFF_SCRIPT);
  assert.ok(diff.includes(`script-src ${sha256(DIFF_SCRIPT)};`));
  assert.equal(inlined(renderServePage("traces")), SERVE_SCRIPT);
  assert.equal(scriptSrc(PAGE_CSP), sha256(SERVE_SCRIPT));
});

test("transpileFunction() refuses a function that uses a value of its module from outside itself", () => {
  const module = `import { UNSAFE_CLASS } from "./printable.ts";
import type { Session } from "./types.ts";
const LIMIT = 10;
interface Row { name: string }
export function page(rows: Row[]): number {
  return rows.length + LIMIT;
}
export function other(): string {
  return UNSAFE_CLASS;
}
export function ok(rows: Row[], session: Session, limit: number): number {
  return rows.length + session.steps.length + limit;
}`;
  assert.throws(() => transpileFunction(module, "page", "x.ts"), /x\.ts:6: page uses "LIMIT" from outside itself/);
  assert.throws(() => transpileFunction(module, "other", "x.ts"), /other uses "UNSAFE_CLASS" from outside itself/);
  assert.throws(() => transpileFunction(module, "missing", "x.ts"), /x\.ts has no function missing/);
  // Types (interfaces, type-only imports) are stripped, so a function may use them.
  assert.equal(
    transpileFunction(module, "ok", "x.ts"),
    "function ok(rows, session, limit) {\n    return rows.length + session.steps.length + limit;\n}",
  );
});

test("buildBrowserScript() makes the generated module from the browser module as it reads it", () => {
  const [report] = BROWSER_SCRIPTS;
  const read = (file: string) => {
    const text = readFileSync(join(root, file), "utf8");
    return file === report.source ? text.replace("const ROW = 28;", "const ROW = 29;") : text;
  };
  const built = buildBrowserScript(report, read);
  assert.ok(built.includes("const ROW = 29;"));
  assert.ok(built.startsWith("// Generated by scripts/build_browser_scripts.ts from html_report_browser.ts"));
  assert.ok(built.includes("export const REPORT_SCRIPT: string = `"));
  assert.notEqual(built, readFileSync(join(root, report.target), "utf8"), "a changed module makes a stale script");
});
