// Where the tracer writes (issue 12, findings 13 and 14): a long non-ASCII
// agent name used to exceed the 255-byte file-name limit, so the run was kept
// in memory only; a trace directory others can write was used silently.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readSession, Tracer } from "../../mod.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { figure } from "./_torture.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

test("Tracer keeps the run on disk for long non-ASCII agent names: file names within 255 bytes, valid UTF-8", async () => {
  const dir = tempDir("ai-trace-utf8-");
  const names = [
    "中".repeat(80), // 240 bytes
    "😀".repeat(100), // 400 bytes, surrogate pairs
    "é".repeat(200),
    "a" + "👩‍👩‍👧‍👦".repeat(30), // a family: code points joined by ZWJ
    "x".repeat(300),
    "ж".repeat(79) + "😀",
  ];
  try {
    let longest = 0;
    for (const name of names) {
      const errors: string[] = [];
      const tracer = new Tracer(name, { traceDir: dir, onError: (error) => errors.push(error.message) });
      tracer.step("s", () => {});
      const reports = [await tracer.save(), await tracer.saveMarkdown(), await tracer.saveHtml()];
      await tracer.close();
      assert.deepEqual(errors, [], `${name.slice(0, 8)}…: no error`);
      assert.ok(tracer.path !== undefined, `${name.slice(0, 8)}…: written to a file, not kept in memory`);
      for (const path of [tracer.path!, ...reports]) {
        assert.ok(path !== undefined);
        const base = path.slice(dir.length + 1);
        const bytes = encoder.encode(base);
        assert.ok(bytes.length <= 255, `${bytes.length} bytes`);
        assert.equal(decoder.decode(bytes), base, "valid UTF-8");
        longest = Math.max(longest, bytes.length);
      }
      const session = await readSession(tracer.path!);
      assert.equal(session.agent, name, "the name is whole inside the file");
      assert.equal(session.steps.length, 1);
    }
    assert.equal(readdirSync(dir).length, names.length * 4);
    figure(
      "utf8-names",
      `${names.length} long non-ASCII names: ${names.length * 4} files on disk, longest name ${longest} bytes`,
    );
  } finally {
    removeDir(dir);
  }
});

test("Tracer warns once through onError when the trace directory is writable by group or others", async () => {
  const dir = tempDir("ai-trace-mode-");
  try {
    const cases: [number, boolean][] = [[0o777, true], [0o775, true], [0o757, true], [0o755, false], [0o700, false]];
    const warned: string[] = [];
    for (const [mode, warns] of cases) {
      const traceDir = join(dir, mode.toString(8));
      mkdirSync(traceDir);
      chmodSync(traceDir, mode);
      const errors: string[] = [];
      const tracer = new Tracer("perm", { traceDir, onError: (error) => errors.push(error.message) });
      for (let i = 0; i < 3; i++) tracer.step("s", () => {});
      await tracer.save();
      await tracer.close();
      assert.equal(errors.length, warns ? 1 : 0, `mode ${mode.toString(8)}: ${errors.join("; ")}`);
      if (warns) {
        assert.match(errors[0], /^Trace directory ".*" is writable by (group|others|group and others) \(mode 0\d{3}\)/);
        warned.push(`${mode.toString(8)}: ${errors[0].replace(dir, "…")}`);
      }
      assert.ok(tracer.path !== undefined, "the run is still written");
    }
    figure("dir-mode", `${cases.length} modes, 1 warning each for ${warned.length} writable by group/others`);
  } finally {
    removeDir(dir);
  }
});

test("Tracer keeps bidi and zero-width characters out of file names (a U+202E reverses how ls shows a name)", async () => {
  const dir = tempDir("ai-trace-bidi-name-");
  try {
    const names = ["invoice\u202Egpj.exe", "a\u2066b\u2069c", "zero\u200Bwidth", "bom\uFEFF", "mark\u200F\u061C"];
    for (const name of names) {
      const tracer = new Tracer(name, { traceDir: dir });
      tracer.step("s", () => {});
      const paths = [tracer.path!, await tracer.saveHtml()];
      await tracer.close();
      for (const path of paths) {
        const base = path!.slice(dir.length + 1);
        assert.doesNotMatch(base, /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/, JSON.stringify(base));
      }
      assert.equal((await readSession(tracer.path!)).agent, name, "the name is whole inside the file");
    }
    figure("bidi-names", `${names.length} names with bidi or zero-width characters: none in a file name`);
  } finally {
    removeDir(dir);
  }
});
