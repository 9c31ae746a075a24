import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { indexSession, loadSession, NotATraceError } from "../src/read/session_index.ts";
import { describeTraceFile } from "../src/read/trace_dir.ts";
import { NOW, OURS, PYTHON_SEED } from "./_cli.ts";
import { removeDir, sessionRecord, tempDir } from "./_helpers.ts";

describe("session_index", () => {
  test("indexSession() reads a complete session of ours from its head and tail alone", async () => {
    const entry = await indexSession(describeTraceFile(join(OURS, "planner_20261125_100000_abc123.jsonl")), {
      now: NOW,
    });
    assert.equal(entry.fast, true);
    assert.deepEqual([entry.agent, entry.steps, entry.ok, entry.errors, entry.state], ["planner", 3, 2, 1, "complete"]);
  });

  test("indexSession() reads other files in full: crashed sessions, the original's files, snapshots", async () => {
    const crawler = await indexSession(describeTraceFile(join(OURS, "crawler_20261125_110000_def456.jsonl")), {
      now: NOW,
    });
    assert.deepEqual([crawler.fast, crawler.state, crawler.in_flight], [false, "crashed", 2]);
    const original = await indexSession(describeTraceFile(join(PYTHON_SEED, "research_agent_20261124_220805.jsonl")), {
      now: NOW,
    });
    assert.deepEqual([original.fast, original.steps, original.state], [false, 300, "complete"]);
    const snapshot = await indexSession(describeTraceFile(join(PYTHON_SEED, "trading_agent_20261124_220803.json")), {
      now: NOW,
    });
    assert.deepEqual([snapshot.format, snapshot.steps, snapshot.errors], ["json", 4, 1]);
  });

  test("indexSession() falls back to the full read when the last line is cut off", async () => {
    const dir = tempDir();
    try {
      const path = join(dir, "a_20261125_000000_x.jsonl");
      writeFileSync(
        path,
        JSON.stringify(sessionRecord({ session_id: "20261125_000000_x", meta: undefined, runtime: undefined })) + "\n",
      );
      appendFileSync(path, JSON.stringify({ type: "end", finished_at: 2, summary: { steps: 9 } }).slice(0, 20));
      const entry = await indexSession(describeTraceFile(path), { now: NOW });
      assert.equal(entry.fast, false);
      assert.equal(entry.state, "crashed");
    } finally {
      removeDir(dir);
    }
  });

  test("loadSession() refuses an empty file and a file with no record", async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, "empty.jsonl"), "\n\n");
      await assert.rejects(loadSession(join(dir, "empty.jsonl")), NotATraceError);
      writeFileSync(join(dir, "junk.jsonl"), "hello\n");
      await assert.rejects(loadSession(join(dir, "junk.jsonl")), /not a trace file \(line 1 is not a JSON record\)/);
    } finally {
      removeDir(dir);
    }
  });
});
