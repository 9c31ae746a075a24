/**
 * TraceSessions: spans of a trace written as one session.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { TraceSessions } from "../src/otlp/trace_sessions.ts";
import { filesIn, readRecords, removeDir, tempDir } from "./_helpers.ts";

test("TraceSessions.add() writes a trace whose times are past any date without throwing, dated when written", () => {
  const dir = tempDir();
  try {
    const errors: Error[] = [];
    const sessions = new TraceSessions({ traceDir: dir, onError: (e) => errors.push(e) });
    const far = 1e294; // epoch ms: no Date holds it
    const before = Date.now();
    sessions.add([{
      traceId: "0123456789abcdef0123456789abcdef",
      spanId: "0123456789abcdef",
      name: "x",
      startTime: far,
      endTime: far,
    }]);
    const files = filesIn(dir);
    assert.equal(files.length, 1);
    assert.match(files[0], /^x_\d{8}_\d{6}_[0-9a-z]{6}\.jsonl$/);
    const [session] = readRecords(`${dir}/${files[0]}`);
    assert.ok((session.started_at as number) >= before / 1000, String(session.started_at));
    assert.deepEqual(errors, []);
  } finally {
    removeDir(dir);
  }
});
