// Hostile files for the CLI: a corpus of broken trace files generated here.
// Every command exits with a documented code (0, or 1 with a one-line
// message), never prints a stack trace or a raw control character, and
// memory stays bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { Tracer } from "../../mod.ts";
import { readableCliCopy, removeDir, scriptCommand, SETPRIV, tempDir } from "../_helpers.ts";

/** Whether the tests run as root, who reads a file whatever its mode. */
const ROOT_READS_ANYTHING = process.getuid?.() === 0;
import { cli, type CliRun, figure, LONG } from "./_torture.ts";

const HUGE_LINE = 50 * 1024 * 1024;

/** A valid session, as text, to cut and mangle. */
async function validSession(dir: string): Promise<string> {
  const tracer = new Tracer("valid", { traceDir: dir, meta: { model: "m" } });
  for (let i = 0; i < 5; i++) {
    await tracer.step("outer", { i }, (step) => {
      step.log({ i });
      tracer.step("inner", { i }, (inner) => inner.decide("GO", { reason: "r", confidence: 0.5 }));
    });
  }
  await tracer.close();
  const { readFileSync, rmSync } = await import("node:fs");
  const text = readFileSync(tracer.path!, "utf8");
  rmSync(tracer.path!);
  return text;
}

function randomBytes(n: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    bytes[i] = s >>> 16;
  }
  return bytes;
}

/** Writes the corpus into `dir`; returns the names of its entries. */
async function writeCorpus(dir: string): Promise<string[]> {
  const valid = await validSession(join(dir, ".."));
  const lines = valid.split("\n");
  const name = (stem: string, ext = "jsonl") => `${stem}_20260101_000000_${stem.replace(/[^a-z0-9]/g, "")}.${ext}`;
  const files: Record<string, string | Uint8Array> = {
    [name("truncated")]: valid.slice(0, Math.floor(valid.length * 0.6)),
    [name("truncatedmid")]: lines.slice(0, 4).join("\n") + "\n" + lines[4].slice(0, 20) + "\n" +
      lines.slice(5).join("\n"),
    [name("random")]: randomBytes(256 * 1024, 1),
    [name("randomlines")]: Uint8Array.from(randomBytes(64 * 1024, 2), (b, i) => (i % 97 === 0 ? 10 : b)),
    [name("invalidutf")]: new Uint8Array([
      ...new TextEncoder().encode(lines[0] + "\n"),
      ...new TextEncoder().encode('{"type":"step","id":1,"name":"'),
      0xff,
      0xfe,
      0xc3,
      0x28,
      0xed,
      0xa0,
      0x80,
      ...new TextEncoder().encode('","context":{},"logs":[]}\n'),
    ]),
    [name("bom")]: "\ufeff" + valid,
    [name("crlf")]: valid.replaceAll("\n", "\r\n"),
    [name("empty")]: "",
    [name("blank")]: "\n\n  \n\t\n",
    [name("nul")]: new Uint8Array(4096),
    [name("arrays")]: "[1,2,3]\n[]\n[{}]\n",
    [name("numbers")]: "42\n-1e308\n1e999\nNaN\n",
    [name("scalars")]: '"text"\nnull\ntrue\n',
    [name("wrongshape")]: [
      '{"type":"session","schema":5,"agent":{"a":1},"meta":[1,2],"runtime":"x","pid":"p","started_at":"now"}',
      '{"type":"start","id":"x","parent_id":{},"name":["n"],"context":[1],"started_at":"t"}',
      '{"type":"step","id":1e308,"parent_id":-1,"name":{"nested":{"deep":1}},"context":"ctx","logs":"l","duration_ms":"fast","started_at":null,"finished_at":{},"outcome":7,"error":{"e":1},"decision":"d","usage":{"input_tokens":"many","cost_usd":"free"},"kind":5}',
      '{"type":"step","id":2,"parent_id":2,"name":"self-parent","context":{},"logs":[1,"x",null],"decision":{"action":{"a":1},"confidence":"high","alternatives":"none"}}',
      '{"type":"step","id":3,"parent_id":4,"name":"cycle-a"}',
      '{"type":"step","id":4,"parent_id":3,"name":"cycle-b"}',
      '{"name":"__proto__","context":{"__proto__":{"polluted":true}},"constructor":{"prototype":{"x":1}}}',
      '{"type":"mystery"}',
      '{"type":"end","summary":"not a summary","finished_at":"later"}',
    ].join("\n") + "\n",
    [name("wrongend")]: lines[0] +
      '\n{"type":"end","finished_at":1,"summary":{"steps":"many","ok":-5,"errors":null,"in_flight":{}}}\n',
    [name("deepnest")]: "[".repeat(1_000_000) + "\n" + "{".repeat(200_000) + "\n",
    [name("escapes")]: lines[0].replace('"valid"', '"\\u001b]0;pwned\\u0007\\u001b[2J evil\\r\\n"') + "\n" +
      '{"type":"step","id":1,"parent_id":null,"name":"\\u001b[31mred\\u001b[0m\\u0000","context":{"\\u001b[1m":"\\u009b2J"},"logs":[],"started_at":1,"finished_at":2,"duration_ms":1,"outcome":"\\u001bok","error":"\\u001b[2J"}\n',
    [name("snapshot", "json")]: '{"steps":"not a list"}',
    [name("snapshotarray", "json")]: "[1,2,3]",
    [name("snapshotsteps", "json")]:
      '{"agent":{"x":1},"steps":[1,null,{"name":{}},{"name":"ok","context":[],"logs":{}}]}',
    [name("snapshotrandom", "json")]: randomBytes(10_000, 3),
    [name("snapshotbom", "json")]: '\ufeff{"agent":"a","steps":[]}',
    [name("hugeline")]: "",
    "x.jsonl": "",
    [`evil\u001b[2J\u0007_20260101_000000_evilname.jsonl`]: valid,
  };
  for (const [file, content] of Object.entries(files)) {
    if (file === "x.jsonl") continue;
    if (file === name("hugeline")) {
      // A 50 MB line: one step whose context holds 50 MB, then more lines after it.
      const head = lines[0] + '\n{"type":"step","id":1,"parent_id":null,"name":"huge","context":{"blob":"';
      const tail = '"},"logs":[],"started_at":1,"finished_at":2,"duration_ms":1,"outcome":"ok","error":null}\n' +
        lines.slice(1).join("\n");
      const blob = new Uint8Array(HUGE_LINE).fill(0x61);
      writeFileSync(join(dir, file), new Uint8Array([...new TextEncoder().encode(head)]));
      const { appendFileSync } = await import("node:fs");
      appendFileSync(join(dir, file), blob);
      appendFileSync(join(dir, file), tail);
      continue;
    }
    writeFileSync(join(dir, file), content);
  }
  // A directory that looks like a trace file, symlink loops, a dangling link, an unreadable file.
  mkdirSync(join(dir, "x.jsonl"));
  mkdirSync(join(dir, name("isdir")));
  symlinkSync(name("loopb"), join(dir, name("loopa")));
  symlinkSync(name("loopa"), join(dir, name("loopb")));
  symlinkSync(name("self"), join(dir, name("self")));
  symlinkSync("/nonexistent/trace.jsonl", join(dir, name("dangling")));
  symlinkSync("/dev/zero", join(dir, name("devzero")));
  writeFileSync(join(dir, name("unreadable")), valid);
  chmodSync(join(dir, name("unreadable")), 0o000);
  const { readdirSync } = await import("node:fs");
  return readdirSync(dir).sort();
}

function assertClean(run: CliRun, what: string): void {
  assert.ok(run.code === 0 || run.code === 1, `${what}: exit code ${run.code}\n${run.err}`);
  if (run.code !== 0) {
    assert.match(run.err, /^error: [^\n]+\n$/, `${what}: one line on stderr`);
  }
  // Text meant for a terminal shows no control character raw (C0, DEL, C1: an escape sequence could
  // rewrite the screen); machine output (--json, exports) is JSON or a file format, where only C0 matters.
  const machine = /--json|export/.test(what);
  for (const [stream, text] of [["stdout", run.out], ["stderr", run.err]]) {
    assert.ok(!/^\s+at .*[(:]\d+/m.test(text), `${what}: a stack trace on ${stream}:\n${text.slice(0, 2000)}`);
    const raw = (stream === "stdout" && machine
      // deno-lint-ignore no-control-regex
      ? /[\u0000-\u0008\u000b-\u001f]/
      // deno-lint-ignore no-control-regex
      : /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/).exec(text);
    assert.equal(raw, null, `${what}: a raw control character on ${stream} at ${raw?.index}`);
  }
}

test("ai-trace list, view, stats, export and tail survive a corpus of broken files", async () => {
  const root = tempDir("ai-trace-corpus-");
  const dir = join(root, "traces");
  mkdirSync(dir);
  try {
    const entries = await writeCorpus(dir);
    const runs: { what: string; run: CliRun }[] = [];
    const run = async (args: string[], signal?: AbortSignal) => {
      const result = await cli(["--dir", dir, ...args], signal);
      assertClean(result, args.join(" "));
      runs.push({ what: args.join(" "), run: result });
      return result;
    };
    for (const json of [[], ["--json"]]) {
      await run(["list", ...json]);
      await run(["stats", ...json]);
    }
    for (const entry of entries) {
      const path = join(dir, entry);
      await run(["view", path]);
      await run(["view", path, "--json"]);
      for (const format of ["json", "md", "html", "otlp"]) await run(["export", path, "--format", format]);
    }
    for (const n of ["5", "0"]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      await run(["tail", "-n", n], controller.signal);
    }
    const failures = runs.filter((r) => r.run.code === 1);
    // What must fail does, with a one-line message: directories, loops, dangling links, not-a-snapshot.
    for (
      const stem of [
        "isdir",
        "loopa",
        "self",
        "dangling",
        "snapshot_",
        "snapshotarray",
        "snapshotrandom",
        ...(ROOT_READS_ANYTHING ? [] : ["unreadable"]),
      ]
    ) {
      assert.ok(
        failures.some((f) => f.what.startsWith("view") && f.what.includes(`/${stem}`)),
        `view of ${stem} fails cleanly`,
      );
    }
    // What is a trace, however damaged, is shown and exported: every command exits 0 on it.
    for (
      const stem of [
        "truncated_",
        "truncatedmid",
        "invalidutf",
        "bom",
        "crlf",
        "wrongshape",
        "wrongend",
        "escapes",
        "hugeline",
        "evil",
        "snapshotsteps",
        "snapshotbom",
        // chmod 000 stops everyone but root (CAP_DAC_OVERRIDE reads any file).
        ...(ROOT_READS_ANYTHING ? ["unreadable"] : []),
      ]
    ) {
      const mine = runs.filter((r) => r.what.includes(`/${stem}`));
      assert.equal(mine.length, 6, stem);
      for (const r of mine) assert.equal(r.run.code, 0, `${r.what}: ${r.run.err}`);
    }
    assert.ok(
      failures.some((f) => f.what.includes("/devzero") && f.run.err.includes("it is a character device, not a file")),
      "a device is not called a directory",
    );
    figure(
      "hostile-files",
      `${entries.length} broken files, ${runs.length} CLI runs: ${
        runs.length - failures.length
      } exit 0, ${failures.length} exit 1 with a one-line message, 0 stack traces, 0 raw control characters`,
    );
    if (LONG) console.log(failures.map((f) => `${f.what.replace(dir, "<dir>")}: ${f.run.err.trim()}`).join("\n"));
  } finally {
    removeDir(root);
  }
});

// chmod 000 stops nobody who runs as root, so the CLI runs as "nobody" through setpriv.
const asNobodySkip = !ROOT_READS_ANYTHING
  ? "runs the CLI as another user, which needs root"
  : SETPRIV === undefined
  ? "setpriv is not installed"
  : false;

test("ai-trace skips an unreadable file in list and fails on it in view, run as an unprivileged user", {
  skip: asNobodySkip,
}, async () => {
  const setpriv = SETPRIV!;
  const root = tempDir("ai-trace-unreadable-");
  const dir = join(root, "traces");
  try {
    mkdirSync(dir);
    chmodSync(root, 0o755);
    chmodSync(dir, 0o755);
    const text = await validSession(root);
    writeFileSync(join(dir, "locked_20260101_000000_locked.jsonl"), text, { mode: 0o000 });
    writeFileSync(join(dir, "open_20260101_000000_open.jsonl"), text, { mode: 0o644 });
    chmodSync(join(dir, "locked_20260101_000000_locked.jsonl"), 0o000);
    // The checkout may lie in a directory "nobody" cannot enter (a private clone): run a readable copy.
    const cliPath = readableCliCopy(root);
    const as = (args: string[]) => {
      const [command, commandArgs] = scriptCommand(cliPath, ["--dir", dir, ...args]);
      const result = spawnSync(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", command, ...commandArgs], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", DENO_DIR: join(root, "deno"), HOME: root },
      });
      return { code: result.status ?? -1, out: result.stdout, err: result.stderr };
    };
    mkdirSync(join(root, "deno"), { mode: 0o777 });
    chmodSync(join(root, "deno"), 0o777);
    const list = as(["list"]);
    assert.equal(list.code, 0, list.err);
    assert.equal(list.out.trim().split("\n").length, 2, "the header and the readable session");
    assert.match(list.err, /locked_20260101_000000_locked\.jsonl: permission denied, skipped/);
    const view = as(["view", join(dir, "locked_20260101_000000_locked.jsonl")]);
    assert.equal(view.code, 1);
    assert.match(view.err, /^error: Cannot read ".*locked_20260101_000000_locked\.jsonl": permission denied\n$/);
    const stats = as(["stats"]);
    assert.equal(stats.code, 0, stats.err);
    figure(
      "unreadable",
      "an unreadable file (as an unprivileged user): list/stats skip it with a warning, view exits 1 with one line",
    );
  } finally {
    removeDir(root);
  }
});

test("ai-trace reads a 50 MB line with memory bounded by a small multiple of the line, in every command", () => {
  const root = tempDir("ai-trace-memory-");
  const dir = join(root, "traces");
  mkdirSync(dir);
  try {
    const path = join(dir, "huge_20260101_000000_huge.jsonl");
    const head =
      '{"type":"session","schema":"ai-trace/1","agent":"huge","session_id":"20260101_000000_huge","started_at":1,"meta":{}}\n' +
      '{"type":"step","id":1,"parent_id":null,"name":"huge","context":{"blob":"';
    writeFileSync(path, head);
    appendFileSync(path, new Uint8Array(HUGE_LINE).fill(0x61));
    appendFileSync(path, '"},"logs":[],"started_at":1,"finished_at":2,"duration_ms":1,"outcome":"ok","error":null}\n');
    const script = join(import.meta.dirname!, "fixtures", "cli_memory.ts");
    const baseline = peakOf(script, ["--version"]);
    let worst = 0;
    let worstCommand = "";
    for (
      const args of [
        ["list"],
        ["stats"],
        ["view", path],
        ["view", path, "--json"],
        ...["json", "md", "html", "otlp"].map((f) => ["export", path, "--format", f]),
      ]
    ) {
      const peak = peakOf(script, ["--dir", dir, ...args]) - baseline;
      assert.ok(peak < 12 * HUGE_LINE, `${args.join(" ")}: ${Math.round(peak / 1048576)} MB for a 50 MB line`);
      if (peak > worst) [worst, worstCommand] = [peak, args.filter((a) => a !== path).join(" ")];
    }
    figure(
      "memory",
      `a 50 MB line through 8 commands: worst peak +${Math.round(worst / 1048576)} MB (${worstCommand}) ` +
        `over the CLI at rest (bound: 12 × the line)`,
    );
  } finally {
    removeDir(root);
  }
});

function peakOf(script: string, args: string[]): number {
  const [command, commandArgs] = scriptCommand(script, args);
  const result = spawnSync(command, commandArgs, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const match = /PEAK (\d+) CODE (\d+)/.exec(result.stdout);
  assert.ok(match, `${args.join(" ")}: ${result.stderr}`);
  assert.equal(match[2], "0", `${args.join(" ")} exits 0`);
  return Number(match[1]);
}
