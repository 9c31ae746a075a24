import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import process from "node:process";
import { join } from "node:path";
import { readSession } from "../mod.ts";
import { parseTraceFileName } from "../src/read/session_reader.ts";
import { removeDir, sessionRecord, tempDir } from "./_helpers.ts";

const seed = join(import.meta.dirname!, "testdata", "python-seed");

test("readSession() reads the original tracer's JSONL, cut-off last line reported, not fatal", async () => {
  const session = await readSession(join(seed, "crashy_agent_20261124_220807.jsonl"));
  assert.equal(session.agent, "crashy_agent");
  assert.equal(session.session_id, "20261124_220807");
  assert.equal(session.schema, null);
  assert.equal(session.steps.length, 2);
  assert.equal(session.state, "crashed");
  assert.equal(session.warnings.length, 1);
  assert.equal(session.warnings[0].line, 3);
  assert.match(session.warnings[0].message, /cut off/);
});

test("readSession() reads NaN literals, big numbers and names with spaces and &", async () => {
  const session = await readSession(join(seed, "weird names & chars_20261124_220804.jsonl"));
  assert.equal(session.agent, "weird names & chars");
  assert.equal(session.state, "complete");
  assert.equal(session.steps[1].logs[0].nan, "NaN");
  assert.equal(session.steps[1].logs[0].big, 1e30);
  assert.equal(session.steps[0].context.html, "<script>alert(1)</script>");
});

test("readSession() reads the original's JSON snapshot like its JSONL", async () => {
  const fromJson = await readSession(join(seed, "research_agent_20261124_220805.json"));
  const fromJsonl = await readSession(join(seed, "research_agent_20261124_220805.jsonl"));
  assert.equal(fromJson.format, "json");
  assert.deepEqual(fromJson.meta, { model: "gpt-4o-mini" });
  assert.equal(fromJson.steps.length, 300);
  assert.deepEqual(fromJson.summary, fromJsonl.summary);
  assert.equal(fromJson.summary.errors, 26);
});

test("readSession() pairs start and step lines, and shows a start without end as in flight", async () => {
  const dir = tempDir();
  const path = join(dir, "a_20260101_000000_abcdef.jsonl");
  const lines = [
    sessionRecord(),
    { type: "start", id: 1, parent_id: null, name: "outer", context: { a: 1 }, started_at: 2 },
    { type: "start", id: 2, parent_id: 1, name: "inner", context: {}, started_at: 3 },
    {
      type: "step",
      id: 2,
      parent_id: 1,
      name: "inner",
      context: {},
      started_at: 3,
      finished_at: 4,
      duration_ms: 1000,
      outcome: "ok",
      error: null,
      logs: [],
    },
    { type: "start", id: 3, parent_id: 1, name: "stuck", context: {}, started_at: 5 },
  ];
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join("\n") + "\n\n");
  const session = await readSession(path, { now: 10_000_000 });
  assert.deepEqual(session.steps.map((s) => [s.name, s.parent_id, s.in_flight]), [
    ["outer", null, true],
    ["inner", 1, false],
    ["stuck", 1, true],
  ]);
  assert.equal(session.state, "crashed");
  assert.equal(session.summary.in_flight, 2);
  assert.equal(session.host, "elsewhere");
  // The same file, freshly written, is running.
  assert.equal((await readSession(path, { now: 6_000 })).state, "running");
  removeDir(dir);
});

test("readSession() skips bad lines with a warning naming the line, and odd shapes never stop it", async () => {
  const dir = tempDir();
  const path = join(dir, "odd.jsonl");
  writeFileSync(
    path,
    [
      "\ufeff" +
      JSON.stringify({
        name: "first",
        context: {},
        started_at: 1,
        finished_at: 2,
        duration_ms: 1,
        outcome: "ok",
        error: null,
        logs: [],
      }),
      "[1,2]",
      "not json",
      JSON.stringify({ name: { nested: true }, context: "nope", logs: "x", outcome: "error", error: 5 }),
      JSON.stringify({ type: "mystery" }),
    ].join("\r\n") + "\r\n",
  );
  const session = await readSession(path);
  assert.deepEqual(session.steps.map((s) => s.name), ["first", '{"nested":true}']);
  assert.deepEqual(session.steps[1].context, {});
  assert.equal(session.steps[1].error, "5");
  assert.deepEqual(session.warnings.map((w) => w.line), [2, 3, 5]);
  removeDir(dir);
});

test("parseTraceFileName() splits agent and session id, as the original names files", () => {
  assert.deepEqual(parseTraceFileName("/x/weird names & chars_20261124_220804.jsonl"), {
    agent: "weird names & chars",
    session_id: "20261124_220804",
  });
  assert.deepEqual(parseTraceFileName("a_b_20261126_031859_9w70wk.jsonl"), {
    agent: "a_b",
    session_id: "20261126_031859_9w70wk",
  });
  assert.equal(parseTraceFileName("notes.jsonl"), undefined);
});

test("readSession() trusts a live process id on this machine only while the file is recent", async () => {
  const dir = tempDir();
  const path = join(dir, "a_20260101_000000_abcdef.jsonl");
  const startedAt = 1_800_000_000;
  writeFileSync(
    path,
    // The writer is alive: this very process, on this machine.
    JSON.stringify(sessionRecord({ started_at: startedAt, pid: process.pid, host: hostname() })) + "\n",
  );
  assert.equal((await readSession(path, { now: startedAt * 1000 + 60_000 })).state, "running");
  // Two days quiet: the id has likely been reused by another process.
  assert.equal((await readSession(path, { now: startedAt * 1000 + 2 * 86_400_000 })).state, "crashed");
  removeDir(dir);
});

test("readSession() takes an end line followed by more records as not the last (an error the program handled)", async () => {
  const dir = tempDir();
  const path = join(dir, "a_20260101_000000_abcdef.jsonl");
  const lines = [
    sessionRecord({ session_id: "x", runtime: undefined }),
    {
      type: "step",
      id: 1,
      parent_id: null,
      name: "before",
      context: {},
      started_at: 2,
      finished_at: 3,
      duration_ms: 1,
      outcome: "ok",
      error: null,
      logs: [],
    },
    { type: "end", finished_at: 3, summary: {}, reason: "uncaught", error: "Error: handled" },
    {
      type: "step",
      id: 2,
      parent_id: null,
      name: "after",
      context: {},
      started_at: 4,
      finished_at: 5,
      duration_ms: 1,
      outcome: "ok",
      error: null,
      logs: [],
    },
    { type: "end", finished_at: 6, summary: {} },
  ];
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const session = await readSession(path, { now: 10_000_000 });
  assert.equal(session.state, "complete");
  assert.deepEqual(session.steps.map((s) => s.name), ["before", "after"]);
  // Without the last end line, the interim one does not count: no end, writer gone: crashed.
  writeFileSync(path, lines.slice(0, 4).map((l) => JSON.stringify(l)).join("\n") + "\n");
  const cut = await readSession(path, { now: 10_000_000 });
  assert.equal(cut.state, "crashed");
  assert.equal(cut.finished_at, 5);
  removeDir(dir);
});
