import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { forEachLineSync, type Line, LineReader, LineSplitter, readLines } from "../src/format/line_reader.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { parseJsonLine } from "../src/format/parse_line.ts";

function lines(chunks: (string | Uint8Array)[], maxLine?: number): Line[] {
  const encoder = new TextEncoder();
  const splitter = new LineSplitter(maxLine);
  const out: Line[] = [];
  const collect = (line: Line) => out.push(line);
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? encoder.encode(chunk) : chunk, collect);
  splitter.end(collect);
  return out;
}

test("LineSplitter joins lines split across chunks, even inside a UTF-8 character", () => {
  const rocket = new TextEncoder().encode("🚀");
  const result = lines(["ab", "c\nd", rocket.slice(0, 2), rocket.slice(2), "\n"]);
  assert.deepEqual(result.map((l) => l.text), ["abc", "d🚀"]);
  assert.ok(result.every((l) => l.terminated));
});

test("LineSplitter drops a BOM and CR, and reports an unterminated last line", () => {
  const result = lines(["\ufeffone\r\ntwo\r\nthr"]);
  assert.deepEqual(result.map((l) => [l.text, l.number, l.terminated]), [["one", 1, true], ["two", 2, true], [
    "thr",
    3,
    false,
  ]]);
});

test("LineSplitter skips over-long lines without holding them", () => {
  const result = lines(["short\n", "x".repeat(30), "y".repeat(30), "\nafter\n"], 40);
  assert.deepEqual(result.map((l) => [l.text, l.tooLong]), [["short", false], ["", true], ["after", false]]);
});

test("LineSplitter turns invalid UTF-8 into replacement characters", () => {
  const result = lines([new Uint8Array([0x61, 0xff, 0x62, 0x0a])]);
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

test("LineReader reads a file in chunks, then only what was appended, holding an unterminated line", async () => {
  const dir = tempDir();
  try {
    const path = join(dir, "a.jsonl");
    // Lines that straddle the 256 KiB chunk edge, one of them with a character cut by it.
    const long = "x".repeat(256 * 1024 - 3);
    writeFileSync(path, `${long}\n🚀${long}\nthird`);
    const viaAsync: string[] = [];
    for await (const line of readLines(path)) viaAsync.push(line.text);
    const viaSync: string[] = [];
    forEachLineSync(path, (line) => viaSync.push(line.text));
    assert.deepEqual(viaAsync, [long, `🚀${long}`, "third"]);
    assert.deepEqual(viaSync, viaAsync);

    const reader = new LineReader(path);
    const seen: string[] = [];
    reader.read((line) => seen.push(line.text));
    assert.equal(seen.length, 2, "the unterminated last line waits for its line break");
    appendFileSync(path, " line\nfourth\n");
    reader.read((line) => seen.push(line.text));
    assert.deepEqual(seen.slice(2), ["third line", "fourth"]);
  } finally {
    removeDir(dir);
  }
});
