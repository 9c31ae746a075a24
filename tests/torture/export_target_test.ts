// `export -o` over a target that is not a regular file (issue 12, finding 3):
// `-o /dev/null` used to turn /dev/null into a 0600 regular file and
// `-o /dev/stdout` replaced the link and printed nothing, because the atomic
// write renames a temporary file over the target. Special files are written
// into instead. Tested with a FIFO (and a link to it) in a temporary
// directory, never on the real /dev.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tracer } from "../../mod.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { cli, figure } from "./_torture.ts";

const mkfifo = spawnSync("mkfifo", ["--version"]).status === 0;

/** Reads a FIFO in another process (the CLI's write blocks until a reader opens it). */
function readFifo(path: string): { text: Promise<string>; stop(): void } {
  const reader = spawn("cat", [path], { stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  reader.stdout.setEncoding("utf8");
  reader.stdout.on("data", (chunk: string) => text += chunk);
  return {
    text: new Promise((resolve, reject) => {
      reader.on("error", reject);
      reader.on("close", () => resolve(text));
    }),
    stop: () => reader.kill(),
  };
}

test("export -o writes into a FIFO and a link to one instead of replacing them", {
  skip: mkfifo ? false : "mkfifo is not available",
}, async () => {
  const dir = tempDir("ai-trace-target-");
  try {
    const traceDir = join(dir, "traces");
    const tracer = new Tracer("target", { traceDir });
    tracer.step("s", { v: 1 }, () => {});
    await tracer.close();
    const fifo = join(dir, "pipe");
    assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
    const link = join(dir, "link");
    symlinkSync(fifo, link);
    let runs = 0;
    for (const [target, format] of [[fifo, "md"], [link, "json"], [fifo, "otlp"]]) {
      const read = readFifo(fifo);
      const run = await cli(["--dir", traceDir, "export", "latest", "--format", format, "-o", target]);
      assert.equal(run.code, 0, run.err);
      if (!lstatSync(fifo).isFIFO()) {
        read.stop(); // it waits for a writer that will never come
        assert.fail(`export -o ${target} replaced the FIFO with a ${statSync(fifo).isFile() ? "regular file" : "?"}`);
      }
      const received = await read.text;
      const expected = await cli(["--dir", traceDir, "export", "latest", "--format", format]);
      const stamp = (text: string) => text.replace(/"saved_at": "[^"]*"/, "");
      assert.equal(stamp(received), stamp(expected.out), `what came through the FIFO is the ${format} export`);
      assert.ok(lstatSync(fifo).isFIFO(), "the FIFO is still a FIFO");
      assert.ok(lstatSync(link).isSymbolicLink(), "the link is still a link");
      runs++;
    }
    // No temporary file was left beside them.
    assert.deepEqual(readdirSync(dir).sort(), ["link", "pipe", "traces"]);
    // A regular file is still replaced atomically (a new inode, mode 0600).
    const file = join(dir, "report.md");
    writeFileSync(file, "old", { mode: 0o644 });
    const before = statSync(file).ino;
    const run = await cli(["--dir", traceDir, "export", "latest", "-o", file]);
    assert.equal(run.code, 0, run.err);
    assert.notEqual(statSync(file).ino, before);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(file, "utf8").startsWith("# Trace: target"));
    figure("export-special", `${runs} exports to a FIFO and a link to it: written through, both kept as they were`);
  } finally {
    removeDir(dir);
  }
});
