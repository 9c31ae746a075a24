import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { assertOneLineError, cli, NOW, OURS, until } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";

/** The trace embedded in an HTML report. */
function embedded(html: string): { session: { agent: string }; steps: unknown[]; generated_at: number } {
  const match = /<script type="application\/json" id="ai-trace-data">([^<]*)<\/script>/.exec(html);
  assert.ok(match, "the report embeds its trace");
  return JSON.parse(match[1]);
}

describe("ai-trace export --format html", () => {
  const dir = tempDir("ai-trace-export-html-");
  after(() => removeDir(dir));

  test("export() --format html prints a self-contained report", async () => {
    const { code, out } = await cli(["--dir", OURS, "export", "crawler", "--format", "html"]);
    assert.equal(code, 0);
    assert.match(out, /^<!doctype html>\n/);
    assert.match(out, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    const data = embedded(out);
    assert.equal(data.session.agent, "crawler");
    assert.equal(data.generated_at, NOW);
    assert.ok(data.steps.length > 0);
  });

  test("export() -o FILE.html picks the HTML format from the extension", async () => {
    const path = join(dir, "crawler.html");
    const { code, out, err } = await cli(["--dir", OURS, "export", "crawler", "-o", path]);
    assert.equal(code, 0);
    assert.equal(out, "");
    assert.match(err, /^Wrote html of "[^"]+" to .*crawler\.html \(\d+ bytes\)\n$/);
    assert.equal(embedded(readFileSync(path, "utf8")).session.agent, "crawler");
  });

  test("export() --open without -o is a usage error", async () => {
    const { code, err } = await cli(["--dir", OURS, "export", "crawler", "--format", "html", "--open"]);
    assert.equal(code, 2);
    assertOneLineError(err, /^error: Option "--open" needs -o FILE$/);
  });

  test("export() --open works only with the HTML format", async () => {
    const { code, err } = await cli(["--dir", OURS, "export", "crawler", "--format", "md", "--open"]);
    assert.equal(code, 2);
    assertOneLineError(err, /--open.*--format html/);
  });

  test("export() --open opens the written file with $BROWSER", { skip: process.platform === "win32" }, async () => {
    const opened = join(dir, "opened.txt");
    const browser = join(dir, "fake-browser");
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(browser, 0o755);
    const path = join(dir, "open me.html");
    const { code, err } = await cli(["--dir", OURS, "export", "crawler", "-o", path, "--open"], {
      env: { BROWSER: browser },
    });
    assert.equal(code, 0, err);
    await until(() => existsSync(opened), 60_000, "the browser to be started");
    assert.equal(readFileSync(opened, "utf8"), path);
  });

  test("export() --open without a browser writes the file, warns in one line, and exits 0", async () => {
    const path = join(dir, "unopened.html");
    const { code, err } = await cli(["--dir", OURS, "export", "crawler", "-o", path, "--open"], {
      env: { BROWSER: join(dir, "no-such-browser") },
    });
    assert.equal(code, 0, err);
    const lines = err.trimEnd().split("\n");
    assert.match(lines[0], /^Wrote html of /);
    assert.match(lines[1], /^warning: Cannot open ".*unopened\.html": no ".*no-such-browser" to open it with/);
    assert.equal(lines.length, 2, err);
    assert.ok(readdirSync(dir).includes("unopened.html"), "the report is written all the same");
  });
});
