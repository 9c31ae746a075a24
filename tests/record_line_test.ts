import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyLine } from "../src/format/record_line.ts";

const line = (text: string, tooLong = false) => ({ text, number: 7, terminated: true, tooLong });

test("classifyLine() tells records by type, a line without type being a step", () => {
  assert.deepEqual(classifyLine("f", line('{"name":"a","outcome":"ok"}')), {
    kind: "record",
    type: "step",
    record: { name: "a", outcome: "ok" },
  });
  assert.equal(classifyLine("f", line('{"name":"a","started_at":1}')).kind, "record");
  for (const type of ["session", "start", "step", "end"]) {
    const classified = classifyLine("f", line(JSON.stringify({ type })));
    assert.equal(classified.kind === "record" && classified.type, type);
  }
  assert.equal(classifyLine("f", line('{"name": "a", "duration_ms": NaN, "outcome": "ok"}')).kind, "record");
});

test("classifyLine() skips blank lines and warns for the rest, naming file and line", () => {
  assert.equal(classifyLine("f", line("  \t")).kind, "blank");
  assert.equal(classifyLine("f", line("")).kind, "blank");
  const cases: [string, boolean, string, RegExp][] = [
    ["", true, "too-long", /too long/],
    ['{"a":', false, "not-json", /not JSON/],
    ["[1,2]", false, "not-object", /not a JSON object/],
    ["42", false, "not-object", /not a JSON object/],
    ['{"type":"mystery"}', false, "unknown", /unknown record type "mystery"/],
    ['{"level":30,"msg":"server started"}', false, "not-record", /not a trace record/],
    ['{"name":"a"}', false, "not-record", /not a trace record/],
    ["{}", false, "not-record", /not a trace record/],
  ];
  for (const [text, tooLong, kind, message] of cases) {
    const classified = classifyLine("trace.jsonl", line(text, tooLong));
    assert.equal(classified.kind, kind, text);
    assert.ok("warning" in classified);
    assert.equal(classified.warning.path, "trace.jsonl");
    assert.equal(classified.warning.line, 7);
    assert.match(classified.warning.message, message);
  }
});
