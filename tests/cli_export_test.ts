import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { formats } from "../src/cli/export.ts";
import { assertGolden, assertOneLineError, cli, OURS, PYTHON_SEED } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";

describe("ai-trace export", () => {
  test("export() --format md prints the Markdown report (golden)", async () => {
    const { code, out } = await cli(["--dir", PYTHON_SEED, "export", "trading", "--format", "md"]);
    assert.equal(code, 0);
    assert.match(out, /^# Trace: trading\\_agent — 20261124\\_220803\n/);
    assertGolden("export_trading.md", out);
  });

  test("export() --format json prints a snapshot that parses (golden)", async () => {
    const { code, out } = await cli(["--dir", OURS, "export", "crawler", "-f", "json"]);
    assert.equal(code, 0);
    assertGolden("export_crawler.json", out);
    const snapshot = JSON.parse(out);
    assert.equal(snapshot.agent, "crawler");
    assert.equal(snapshot.steps.filter((s: { in_flight?: boolean }) => s.in_flight).length, 2);
  });

  test("export() -o writes the file atomically and picks the format from its extension", async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "report.md");
      const { code, out, err } = await cli(["--dir", PYTHON_SEED, "export", "weird", "-o", path]);
      assert.equal(code, 0);
      assert.equal(out, "");
      assert.match(err, /^Wrote md of "20261124_220804" to .*report\.md \(\d+ bytes\)\n$/);
      assert.match(readFileSync(path, "utf8"), /^# Trace: weird names/);
      assert.deepEqual(readdirSync(dir), ["report.md"]); // no temporary file left
      const json = await cli(["--dir", PYTHON_SEED, "export", "weird", "-o", join(dir, "s.json"), "--json"]);
      const status = JSON.parse(json.out);
      assert.equal(status.format, "json");
      assert.equal(status.bytes, readFileSync(join(dir, "s.json")).length);
      // The longest extension wins: .otlp.json is OTLP, not the JSON snapshot.
      const otlp = await cli(["--dir", PYTHON_SEED, "export", "weird", "-o", join(dir, "t.otlp.json"), "--json"]);
      assert.equal(JSON.parse(otlp.out).format, "otlp");
      assert.ok("resourceSpans" in JSON.parse(readFileSync(join(dir, "t.otlp.json"), "utf8")));
    } finally {
      removeDir(dir);
    }
  });

  test("export() fails with exit 2 for a missing or unknown format", async () => {
    const missing = await cli(["--dir", PYTHON_SEED, "export", "trading"]);
    assert.equal(missing.code, 2);
    assertOneLineError(missing.err, /^error: Missing --format \(one of json, md/);
    const unknown = await cli(["--dir", PYTHON_SEED, "export", "trading", "--format", "pdf"]);
    assert.equal(unknown.code, 2);
    assertOneLineError(unknown.err, /^error: Unknown format "pdf"/);
  });

  test("export() fails with exit 1 when the output directory does not exist", async () => {
    const dir = tempDir();
    try {
      const { code, err } = await cli([
        "--dir",
        PYTHON_SEED,
        "export",
        "trading",
        "-f",
        "md",
        "-o",
        join(dir, "no", "x.md"),
      ]);
      assert.equal(code, 1);
      assertOneLineError(err, /^error: Cannot write ".*x\.md": its directory does not exist$/);
      mkdirSync(join(dir, "taken.md"));
      const onDir = await cli(["--dir", PYTHON_SEED, "export", "trading", "-o", join(dir, "taken.md")]);
      assert.equal(onDir.code, 1);
      assertOneLineError(onDir.err, /^error: Cannot write ".*taken\.md": it is a directory$/);
      assert.ok(!existsSync(join(dir, "no")));
    } finally {
      removeDir(dir);
    }
  });

  test("formats is a table a new format plugs into with one entry and its own flags", async () => {
    formats.upper = {
      extension: ".up",
      description: "test format",
      render: (session) => session.agent.toUpperCase() + "\n",
      options: { shout: { type: "boolean" } },
      optionsHelp: "      --shout     Test flag",
    };
    try {
      const { code, out } = await cli(["--dir", PYTHON_SEED, "export", "trading", "--format", "upper", "--shout"]);
      assert.equal(code, 0);
      assert.equal(out, "TRADING_AGENT\n");
      const help = await cli(["export", "--help"]);
      assert.match(help.out, /upper +test format/);
      assert.match(help.out, /--shout/);
      const wrong = await cli(["--dir", PYTHON_SEED, "export", "trading", "--format", "md", "--shout"]);
      assert.equal(wrong.code, 2);
      assertOneLineError(wrong.err, /^error: Option "--shout" works only with --format upper$/);
    } finally {
      delete formats.upper;
    }
  });

  test("export() -o FILE.otlp picks OTLP, and an unknown extension says which extension gives which format", async () => {
    const dir = tempDir();
    try {
      const otlp = await cli(["--dir", PYTHON_SEED, "export", "weird", "-o", join(dir, "run.otlp"), "--json"]);
      assert.equal(otlp.code, 0, otlp.err);
      assert.equal(JSON.parse(otlp.out).format, "otlp");
      assert.ok("resourceSpans" in JSON.parse(readFileSync(join(dir, "run.otlp"), "utf8")));
      const unknown = await cli(["--dir", PYTHON_SEED, "export", "weird", "-o", join(dir, "run.txt")]);
      assert.equal(unknown.code, 2);
      assertOneLineError(
        unknown.err,
        /^error: Missing --format: "run\.txt" has no known extension \(.*\.md → md.*\.otlp → otlp/,
      );
    } finally {
      removeDir(dir);
    }
  });
});
