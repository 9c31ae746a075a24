import { test } from "node:test";
import assert from "node:assert/strict";
import { splitLines } from "../src/format/line_reader.ts";
import { parseJsonLine } from "../src/format/parse_line.ts";

async function lines(chunks: (string | Uint8Array)[], maxLine?: number) {
  const encoder = new TextEncoder();
  async function* source() {
    for (const chunk of chunks) yield typeof chunk === "string" ? encoder.encode(chunk) : chunk;
  }
  const out = [];
  for await (const line of splitLines(source(), maxLine)) out.push(line);
  return out;
}

test("splitLines() joins lines split across chunks, even inside a UTF-8 character", async () => {
  const rocket = new TextEncoder().encode("🚀");
  const result = await lines(["ab", "c\nd", rocket.slice(0, 2), rocket.slice(2), "\n"]);
  assert.deepEqual(result.map((l) => l.text), ["abc", "d🚀"]);
  assert.ok(result.every((l) => l.terminated));
});

test("splitLines() drops a BOM and CR, and reports an unterminated last line", async () => {
  const result = await lines(["\ufeffone\r\ntwo\r\nthr"]);
  assert.deepEqual(result.map((l) => [l.text, l.number, l.terminated]), [["one", 1, true], ["two", 2, true], [
    "thr",
    3,
    false,
  ]]);
});

test("splitLines() skips over-long lines without holding them", async () => {
  const result = await lines(["short\n", "x".repeat(30), "y".repeat(30), "\nafter\n"], 40);
  assert.deepEqual(result.map((l) => [l.text, l.tooLong]), [["short", false], ["", true], ["after", false]]);
});

test("splitLines() turns invalid UTF-8 into replacement characters", async () => {
  const result = await lines([new Uint8Array([0x61, 0xff, 0x62, 0x0a])]);
  assert.equal(result[0].text, "a\ufffdb");
});

test("parseJsonLine() reads Python's NaN and Infinity literals, not inside strings", () => {
  assert.deepEqual(parseJsonLine('{"a": NaN, "b": -Infinity, "c": "NaN Infinity", "d": [Infinity]}'), {
    a: "NaN",
    b: "-Infinity",
    c: "NaN Infinity",
    d: ["Infinity"],
  });
  assert.deepEqual(parseJsonLine('{"q": "say \\"NaN\\"", "n": NaN}'), { q: 'say "NaN"', n: "NaN" });
  assert.throws(() => parseJsonLine('{"a": 1'), SyntaxError);
});
