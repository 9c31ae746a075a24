// Disk faults: a read-only trace directory, one deleted mid-run, a disk that
// fills up (and frees up again). The agent always finishes its work, onError
// fires once per fault, and the summary counts what was lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { readSession, Tracer } from "../../mod.ts";
import { removeDir, tempDir, tmpfsSkipReason } from "../_helpers.ts";
import { checkLines, figure } from "./_torture.ts";

/** Mounts a tmpfs (root only); `undefined` where that is not possible. */
function mountTmpfs(options: string): { path: string; dispose(): void } | undefined {
  const dir = tempDir("ai-trace-mount-");
  const path = join(dir, "mnt");
  mkdirSync(path);
  const mounted = process.getuid?.() === 0 &&
    spawnSync("mount", ["-t", "tmpfs", "-o", `${options},mode=0700`, "tmpfs", path]).status === 0;
  if (!mounted) {
    removeDir(dir);
    return undefined;
  }
  return {
    path,
    dispose() {
      spawnSync("umount", [path]);
      removeDir(dir);
    },
  };
}

test("Tracer in a read-only trace directory: the agent finishes, onError fires once, every record is counted lost", {
  skip: tmpfsSkipReason() ?? false,
}, async () => {
  const mount = mountTmpfs("ro,size=64k");
  assert.ok(mount, "mount a read-only tmpfs");
  try {
    const errors: Error[] = [];
    const tracer = new Tracer("readonly", { traceDir: join(mount.path, "traces"), onError: (e) => errors.push(e) });
    let done = 0;
    for (let i = 0; i < 100; i++) tracer.step("work", { i }, () => done++);
    await tracer.close();
    assert.equal(done, 100);
    assert.equal(errors.length, 1, errors.map((e) => e.message).join("\n"));
    assert.match(errors[0].message, /Cannot create trace file/);
    // The session line and 100 × (start + step); the end line holds this very count and is not attempted.
    assert.equal(tracer.summary().lost_records, 201);
    assert.equal(tracer.summary().steps, 100);
    figure(
      "disk-readonly",
      `100 steps, agent finished, onError 1 time, 201 of 201 records counted lost (session, starts, steps)`,
    );
  } finally {
    mount.dispose();
  }
});

test("Tracer notices its directory deleted mid-run on the first write a second later, counts what went with it and goes on in a new file", async () => {
  const dir = tempDir("ai-trace-deleted-");
  try {
    const errors: Error[] = [];
    const traceDir = join(dir, "traces");
    const tracer = new Tracer("deleted", { traceDir, onError: (e) => errors.push(e) });
    let steps = 0;
    for (; steps < 50; steps++) tracer.step("before", { i: steps }, () => {});
    rmSync(traceDir, { recursive: true, force: true });
    // Writes right after the deletion may go unnoticed: the file is checked at most once a second.
    for (let i = 0; i < 50; i++) tracer.step("during", { i: steps++ }, () => {});
    // Once a second has passed, the very next write notices.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    tracer.step("during", { i: steps++ }, () => {});
    assert.equal(errors.length, 1, "noticed on the first write a second after the deletion");
    assert.match(
      errors[0].message,
      /was removed while the run was recorded \(\d+ records lost\); continuing in a new file/,
    );
    for (let i = 0; i < 50; i++, steps++) tracer.step("after", { i }, () => {});
    await tracer.close();
    assert.equal(errors.length, 1);
    assert.ok(existsSync(tracer.path!), "a new file of the same name");
    const { records, partial } = checkLines(tracer.path!);
    assert.equal(partial, undefined);
    assert.equal(records[0].type, "session");
    assert.equal(records.at(-1)!.type, "end");
    assert.equal(records.filter((r) => r.type === "step" && r.name === "after").length, 50);
    const lost = tracer.summary().lost_records;
    // Every record is either in the new file or counted lost: 1 session + 2 per step + 1 end, plus the new session line.
    assert.equal(lost + records.length, 1 + 2 * steps + 1 + 1);
    const session = await readSession(tracer.path!);
    assert.deepEqual(session.warnings, []);
    assert.equal(session.state, "complete");
    figure(
      "disk-deleted",
      `${steps} steps, directory deleted after 50, noticed on the write path, onError 1 time, ${lost} records counted lost, ${records.length} lines in the new file, 0 unaccounted`,
    );
  } finally {
    removeDir(dir);
  }
});

// Non-ASCII text makes a short write shorter in bytes than in characters: it must be seen all the same.
for (const [label, blob] of [["ASCII", "x".repeat(700)], ["non-ASCII", "é🚀ü".repeat(175)]] as const) {
  test(
    `Tracer on a full disk that frees up again (${label} lines): the agent finishes, onError fires once per episode, lines stay whole`,
    {
      skip: tmpfsSkipReason() ?? false,
    },
    async () => {
      const mount = mountTmpfs("size=64k");
      assert.ok(mount, "mount a tmpfs");
      try {
        // A filler takes most of the disk; removing it later frees the space again.
        const filler = join(mount.path, "filler");
        writeFileSync(filler, new Uint8Array(40 * 1024));
        const errors: Error[] = [];
        const tracer = new Tracer("full", { traceDir: mount.path, onError: (e) => errors.push(e) });
        let done = 0;
        for (let i = 0; i < 200; i++) tracer.step("fill", { i, blob }, () => done++);
        assert.equal(errors.length, 1, errors.map((e) => e.message).join("\n"));
        assert.match(errors[0].message, /Cannot write trace/);
        const lostWhileFull = tracer.summary().lost_records;
        assert.ok(lostWhileFull > 0);
        rmSync(filler);
        for (let i = 0; i < 10; i++) tracer.step("after_free", { i }, () => done++);
        await tracer.close();
        assert.equal(done, 210);
        assert.equal(errors.length, 1, "the disk was full once");
        // At most one line is cut where the disk filled up; it is its own line, so every other line is whole.
        const text = readFileSync(tracer.path!, "utf8");
        assert.ok(text.endsWith("\n"));
        const lines = text.split("\n").slice(0, -1);
        const bad = lines.filter((line) => {
          try {
            JSON.parse(line);
            return false;
          } catch {
            return true;
          }
        });
        assert.ok(bad.length <= 1, `${bad.length} broken lines`);
        const session = await readSession(tracer.path!);
        assert.equal(session.warnings.length, bad.length);
        assert.equal(session.steps.filter((s) => s.name === "after_free" && !s.in_flight).length, 10);
        assert.equal(session.state, "complete");
        const end = JSON.parse(lines.at(-1)!);
        assert.equal(end.summary.lost_records, lostWhileFull);
        // Everything is on disk or counted: 1 session + 2 per step + end.
        assert.equal(lines.length - bad.length + lostWhileFull, 1 + 2 * 210 + 1);
        figure(
          "disk-full",
          `${label}: 210 steps on a 64 KiB tmpfs, agent finished, onError 1 time, ${lostWhileFull} records counted lost, ${bad.length} cut line kept apart, 0 unaccounted`,
        );
      } finally {
        mount.dispose();
      }
    },
  );
}
