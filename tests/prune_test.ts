import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { cli, NOW } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { writeFixtureSession, writeStandardSessions } from "./_session_fixtures.ts";
import { parseSize, pruneSessions } from "../src/read/prune.ts";

let root = "";
let dir = "";
let outside = "";
let paths: Record<string, string> = {};
let link = "";

beforeEach(async () => {
  root = tempDir();
  dir = join(root, "traces");
  outside = join(root, "elsewhere");
  mkdirSync(dir);
  mkdirSync(outside);
  paths = await writeStandardSessions(dir);
  // The 40-day-old session has its reports beside it.
  const stem = paths.trading_40d_big.replace(/\.jsonl$/, "");
  for (const ext of [".json", ".md", ".html"]) writeFileSync(stem + ext, "report");
  // An old session outside the directory, linked into it.
  const victim = await writeFixtureSession(outside, {
    agent: "victim",
    ago: 90 * 86400,
    state: "complete",
    suffix: "zz",
  });
  link = join(dir, victim.split(/[\\/]/).pop()!);
  symlinkSync(victim, link);
});
afterEach(() => removeDir(root));

const names = () => readdirSync(dir).sort();
const suffixes = (report: { sessions: { session_id: string }[] }) =>
  report.sessions.map((s) => s.session_id.split("_").pop());

describe("ai-trace prune", () => {
  test("prune is a dry run by default: it lists what would go and the space, and deletes nothing", async () => {
    const before = names();
    const { code, out, err } = await cli(["--dir", dir, "prune", "--older-than", "30d"]);
    assert.equal(code, 0, err);
    assert.match(out, /trading_agent .*t40d .*complete .*4 /);
    assert.match(out, /Would remove 1 session, freeing [\d.]+ KiB of [\d.]+ KiB \(dry run: add --yes to delete\)/);
    assert.match(out, /1 running session left alone; 1 symbolic link left alone/);
    assert.deepEqual(names(), before);
  });

  test("prune --older-than 30d --yes removes the session with its .json, .md and .html", async () => {
    const { code, out, err } = await cli(["--dir", dir, "prune", "--older-than", "30d", "--yes"]);
    assert.equal(code, 0, err);
    assert.match(out, /Removed 1 session, freed/);
    assert.ok(!names().some((name) => name.includes("t40d")), names().join(" "));
    assert.equal(names().length, 6); // five sessions and the link
    assert.ok(lstatSync(link).isSymbolicLink());
  });

  test("prune --keep 0 --yes spares the running session and the symlink and its target", async () => {
    const { code, out, err } = await cli(["--dir", dir, "prune", "--keep", "0", "--yes", "--json"]);
    assert.equal(code, 0, err);
    const report = JSON.parse(out);
    assert.equal(report.dry_run, false);
    assert.deepEqual(suffixes(report), ["t40d", "r3d", "r3h", "b2h", "r1h"]); // oldest first
    assert.equal(report.running, 1);
    assert.deepEqual(report.symlinks, [link]);
    assert.deepEqual(names(), [link.split(/[\\/]/).pop(), paths.trading_running.split(/[\\/]/).pop()].sort());
    assert.ok(existsSync(join(outside, link.split(/[\\/]/).pop()!)), "the link's target is untouched");
    assert.equal(report.freed_bytes, report.sessions.reduce((sum: number, s: { bytes: number }) => sum + s.bytes, 0));
  });

  test("prune --keep N keeps the N newest of each agent", async () => {
    const { out } = await cli(["--dir", dir, "prune", "--keep", "1", "--json"]);
    // research_agent keeps r1h, research_beta b2h, trading_agent its running session.
    assert.deepEqual(suffixes(JSON.parse(out)), ["t40d", "r3d", "r3h"]);
  });

  test("prune --older-than with --keep removes only what both rules allow", async () => {
    // Older than 2 h: t40d, r3d, r3h; but trading_agent keeps its 2 newest (t40d) and research_agent r1h and r3h.
    const { out } = await cli(["--dir", dir, "prune", "--older-than", "2h", "--keep", "2", "--json"]);
    assert.deepEqual(suffixes(JSON.parse(out)), ["r3d"]);
  });

  test("prune --max-size removes the oldest sessions until the directory fits", async () => {
    const { out } = await cli(["--dir", dir, "prune", "--max-size", "50K", "--json"]);
    const report = JSON.parse(out);
    assert.deepEqual(suffixes(report), ["t40d"]);
    assert.ok(report.total_bytes - report.freed_bytes <= 50 * 1024);
    const all = JSON.parse((await cli(["--dir", dir, "prune", "--max-size", "0", "--json"])).out);
    assert.deepEqual(suffixes(all), ["t40d", "r3d", "r3h", "b2h", "r1h"]);
  });

  test("prune --state and --agent narrow which sessions can go", async () => {
    const crashed = JSON.parse(
      (await cli(["--dir", dir, "prune", "--older-than", "1h", "--state", "crashed", "--json"])).out,
    );
    assert.deepEqual(suffixes(crashed), ["r3d", "r3h"]);
    assert.deepEqual(crashed.filter, { state: ["crashed"] });
    const beta = JSON.parse(
      (await cli(["--dir", dir, "prune", "--keep", "0", "--agent", "research_b*", "--json"])).out,
    );
    assert.deepEqual(suffixes(beta), ["b2h"]);
    const running = JSON.parse((await cli(["--dir", dir, "prune", "--keep", "0", "--state", "running", "--json"])).out);
    assert.deepEqual(suffixes(running), []);
  });

  for (
    const [flags, pattern] of [
      [[], /Say what to prune: --older-than, --keep or --max-size/],
      [["--older-than", "yesterday-ish"], /"--older-than" needs a duration such as 90m, 2h, 7d/],
      [["--max-size", "lots"], /"--max-size" needs a size such as 500M/],
      [["--keep", "-1"], /"--keep"/],
      [["--older-than", "1d", "--state", "sleeping"], /"--state" needs complete, running or crashed/],
    ] as const
  ) {
    test(`prune ${flags.join(" ") || "(no rule)"} exits 2 and deletes nothing`, async () => {
      const before = names();
      const { code, err } = await cli(["--dir", dir, "prune", ...flags, "--yes"]);
      assert.equal(code, 2);
      assert.match(err, pattern);
      assert.deepEqual(names(), before);
    });
  }
});

describe("pruneSessions()", () => {
  test("pruneSessions() deletes unless dryRun, never the running session", async () => {
    const dry = await pruneSessions(dir, { keep: 0, dryRun: true, now: NOW });
    assert.equal(dry.sessions.length, 5);
    assert.equal(names().length, 10);
    const done = await pruneSessions(dir, { olderThan: "1d", now: NOW });
    assert.deepEqual(done.sessions.map((s) => s.reason), ["older-than", "older-than"]);
    assert.ok(existsSync(paths.trading_running));
    assert.ok(!existsSync(paths.research_3d_crashed));
    assert.ok(lstatSync(link).isSymbolicLink());
  });

  test("pruneSessions() refuses bad options", async () => {
    await assert.rejects(pruneSessions(dir, {}), TypeError);
    await assert.rejects(pruneSessions(dir, { olderThan: "soon" }), SyntaxError);
    await assert.rejects(pruneSessions(dir, { maxSize: "big" }), SyntaxError);
    await assert.rejects(pruneSessions(dir, { keep: -1 }), RangeError);
    await assert.rejects(pruneSessions(join(dir, "missing"), { keep: 1 }), /no such directory/);
  });

  test("parseSize() reads bytes and binary units", () => {
    assert.equal(parseSize("4096"), 4096);
    assert.equal(parseSize("100K"), 102_400);
    assert.equal(parseSize("1.5M"), 1.5 * 1024 * 1024);
    assert.equal(parseSize("2GiB"), 2 * 1024 ** 3);
    assert.equal(parseSize("2gb"), 2 * 1024 ** 3);
    assert.equal(parseSize("10B"), 10);
    for (const bad of ["", "M", "lots", "-1K", "1X"]) assert.equal(parseSize(bad), undefined, bad);
  });
});
