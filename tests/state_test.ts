import { test } from "node:test";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import process from "node:process";
import {
  PID_TRUST_WINDOW_MS,
  RUNNING_WINDOW_MS,
  sessionState,
  snapshotState,
  type StateFacts,
} from "../src/model/state.ts";

const NOW = Date.UTC(2026, 10, 26);
const facts = (more: Partial<StateFacts>): StateFacts => ({
  ended: false,
  abnormalEnd: false,
  ours: true,
  cutOff: false,
  inFlight: 0,
  lastSeen: NOW / 1000,
  now: NOW,
  ...more,
});
const DEAD_PID = 2 ** 22 + 17; // above Linux's largest pid: never alive

test("sessionState() gives complete for a normal end, crashed for an end written as the process died", () => {
  assert.equal(sessionState(facts({ ended: true, inFlight: 3 })), "complete");
  assert.equal(sessionState(facts({ ended: true, abnormalEnd: true })), "crashed");
});

test("sessionState() follows the writer's process on this machine, for at most a day of quiet", () => {
  const self = { pid: process.pid, host: hostname() };
  assert.equal(sessionState(facts({ ...self, lastSeen: (NOW - RUNNING_WINDOW_MS * 10) / 1000 })), "running");
  assert.equal(sessionState(facts({ ...self, lastSeen: (NOW - PID_TRUST_WINDOW_MS - 1) / 1000 })), "crashed");
  assert.equal(sessionState(facts({ pid: DEAD_PID, host: hostname() })), "crashed", "even when just written");
});

test("sessionState() without a writer to ask: running for two minutes after the last sign of life", () => {
  const remote = { pid: 1, host: "another-machine" };
  assert.equal(sessionState(facts({ ...remote, lastSeen: (NOW - RUNNING_WINDOW_MS + 1000) / 1000 })), "running");
  assert.equal(sessionState(facts({ ...remote, lastSeen: (NOW - RUNNING_WINDOW_MS - 1000) / 1000 })), "crashed");
});

test("sessionState() reads the original's files as complete when whole, crashed when cut off or with a step in flight", () => {
  const old = { ours: false, lastSeen: (NOW - RUNNING_WINDOW_MS * 2) / 1000 };
  assert.equal(sessionState(facts(old)), "complete");
  assert.equal(sessionState(facts({ ...old, cutOff: true })), "crashed");
  assert.equal(sessionState(facts({ ...old, inFlight: 1 })), "crashed");
  assert.equal(sessionState(facts({ ours: false })), "running", "written in the last two minutes");
});

test("snapshotState() keeps complete and crashed, and applies the liveness rule to a running snapshot", () => {
  const base = { ours: true, inFlight: 1, lastSeen: NOW / 1000, now: NOW };
  assert.equal(snapshotState("complete", base), "complete");
  assert.equal(snapshotState("crashed", base), "crashed");
  assert.equal(snapshotState("running", { ...base, pid: process.pid, host: hostname() }), "running");
  assert.equal(snapshotState("running", { ...base, pid: DEAD_PID, host: hostname() }), "crashed");
  assert.equal(snapshotState("running", { ...base, now: NOW + RUNNING_WINDOW_MS + 1 }), "crashed");
  assert.equal(snapshotState(undefined, { ...base, ours: false, inFlight: 0 }), "complete", "the original's snapshot");
});

test("sessionState() takes a pid that names no single process (0, negative, fractional) as no live writer", () => {
  // process.kill(0, 0) and (-1, 0) signal a process group or every process: they succeed, and such a session stayed
  // "running" for a day (never pruned, never crashed).
  const quiet = (NOW - RUNNING_WINDOW_MS * 10) / 1000;
  for (const pid of [0, -1, -process.pid, 1.5]) {
    assert.equal(sessionState(facts({ pid, host: hostname(), lastSeen: quiet })), "crashed", `pid ${pid}`);
  }
});
