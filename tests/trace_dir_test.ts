import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  AmbiguousSessionError,
  findSession,
  listTraceFiles,
  sessionIdTime,
  SessionNotFoundError,
  TraceDirError,
} from "../src/read/trace_dir.ts";
import { PYTHON_SEED } from "./_cli.ts";
import { removeDir, tempDir } from "./_helpers.ts";

describe("trace_dir", () => {
  test("listTraceFiles() lists each session once, newest first, preferring the JSONL file", () => {
    const { files, skipped } = listTraceFiles(PYTHON_SEED);
    assert.deepEqual(files.map((f) => f.name), [
      "crashy_agent_20261124_220807.jsonl",
      "research_agent_20261124_220805.jsonl",
      "weird names & chars_20261124_220804.jsonl",
      "trading_agent_20261124_220803.jsonl",
    ]);
    assert.deepEqual(skipped, []);
    assert.equal(files[2].agent, "weird names & chars");
    assert.equal(files[2].session_id, "20261124_220804");
  });

  test("listTraceFiles() keeps a lone snapshot, skips directories and other files, sorts unnamed files by mtime", () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, "a_20261125_100000_x1.json"), "{}");
      writeFileSync(join(dir, "notes.txt"), "hello");
      writeFileSync(join(dir, "old.jsonl"), "");
      writeFileSync(join(dir, "new.jsonl"), "");
      utimesSync(join(dir, "old.jsonl"), 1000, 1000);
      utimesSync(join(dir, "new.jsonl"), 2000, 2000);
      mkdirSync(join(dir, "x.jsonl"));
      const { files, skipped } = listTraceFiles(dir);
      assert.deepEqual(files.map((f) => f.name), ["a_20261125_100000_x1.json", "new.jsonl", "old.jsonl"]);
      assert.deepEqual(skipped.map((s) => [s.path, s.message]), [[join(dir, "x.jsonl"), "a directory, not a file"]]);
    } finally {
      removeDir(dir);
    }
  });

  test("listTraceFiles() throws TraceDirError for a missing directory or a file", () => {
    assert.throws(() => listTraceFiles("/nonexistent/dir"), TraceDirError);
    assert.throws(
      () => listTraceFiles(join(PYTHON_SEED, "trading_agent_20261124_220803.jsonl")),
      /Cannot read trace directory ".*": not a directory/,
    );
  });

  test("findSession() finds by latest, path, file name, id, stem and unique prefix", () => {
    const byName = (query: string) => findSession(PYTHON_SEED, query).name;
    assert.equal(byName("latest"), "crashy_agent_20261124_220807.jsonl");
    assert.equal(
      byName(join(PYTHON_SEED, "research_agent_20261124_220805.json")),
      "research_agent_20261124_220805.json",
    );
    assert.equal(byName("research_agent_20261124_220805.json"), "research_agent_20261124_220805.json");
    assert.equal(byName("20261124_220805"), "research_agent_20261124_220805.jsonl");
    assert.equal(byName("weird names & chars_20261124_220804"), "weird names & chars_20261124_220804.jsonl");
    assert.equal(byName("trading_agent_20261124_220803.jsonl"), "trading_agent_20261124_220803.jsonl");
    assert.equal(byName("wei"), "weird names & chars_20261124_220804.jsonl");
  });

  test("findSession() throws for an ambiguous prefix, no match, an empty directory, and a directory path", () => {
    assert.throws(() => findSession(PYTHON_SEED, "20261124"), AmbiguousSessionError);
    assert.throws(() => findSession(PYTHON_SEED, "zzz"), SessionNotFoundError);
    const dir = tempDir();
    try {
      assert.throws(() => findSession(dir, "latest"), /No trace files in/);
      mkdirSync(join(dir, "x.jsonl"));
      assert.throws(() => findSession(dir, "x.jsonl"), /Cannot read trace ".*x\.jsonl": it is a directory, not a file/);
    } finally {
      removeDir(dir);
    }
  });

  test("sessionIdTime() reads the UTC time at the start of a session id", () => {
    assert.equal(sessionIdTime("20261124_220803"), Date.UTC(2026, 10, 24, 22, 8, 3) / 1000);
    assert.equal(sessionIdTime("20261124_220803_ab12"), Date.UTC(2026, 10, 24, 22, 8, 3) / 1000);
    assert.equal(sessionIdTime("nope"), undefined);
  });
});
