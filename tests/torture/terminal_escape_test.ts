// Nothing a trace, a file name or a server says reaches the terminal raw
// (issue 12, findings 4 and 6): escape sequences in a push server's error
// body and in file names named in errors, and the invisible characters that
// reorder or hide text (bidi controls, zero-width spaces) in view, list,
// tail and stats. Every command's output goes through one function at the
// output boundary (terminalSafe); these tests check what the user sees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Tracer } from "../../mod.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { cli, type CliRun, figure } from "./_torture.ts";

/** Escape sequences an attacker would send: title change, screen clear, hyperlink, clipboard write, CSI in C1. */
const EVIL = "\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\\x1b]52;c;cHduZWQ=\x07\x9b31m\r";
/** Characters that reorder or hide text. */
const INVISIBLE = ["\u202e", "\u202a", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\u200f", "\ufeff", "\u2060"];

// deno-lint-ignore no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

function assertSafe(run: CliRun, what: string): void {
  for (const [stream, text] of [["stdout", run.out], ["stderr", run.err]]) {
    const at = text.search(RAW);
    assert.ok(
      at < 0,
      `${what}: raw U+${text.codePointAt(at)?.toString(16).padStart(4, "0")} on ${stream}: ${
        JSON.stringify(text.slice(Math.max(0, at - 60), at + 20))
      }`,
    );
  }
}

test("A push server's error body never reaches the terminal raw, plain or in a JSON message", async () => {
  const bodies = [EVIL, JSON.stringify({ message: EVIL }), JSON.stringify({ error: { message: EVIL } })];
  let answer = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const body = bodies[answer++ % bodies.length];
      response.writeHead(400, { "content-type": body.startsWith("{") ? "application/json" : "text/plain" });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const dir = tempDir("ai-trace-push-esc-");
  try {
    const tracer = new Tracer("agent", { traceDir: dir });
    tracer.step("s", () => {});
    await tracer.close();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let shown = 0;
    for (let i = 0; i < bodies.length; i++) {
      for (const protocol of ["http/protobuf", "http/json"]) {
        const run = await cli(["--dir", dir, "push", "latest", "--endpoint", url, "--protocol", protocol]);
        assert.equal(run.code, 1, run.err);
        assert.match(run.err, /^error: Cannot push/);
        if (run.err.includes("\\u001b")) shown++;
        assertSafe(run, `push answered with body #${i}`);
      }
    }
    assert.ok(shown > 0, "the server's message is shown (escaped), not dropped");
    figure(
      "escape-push",
      `${answer} pushes answered 400 with escape sequences: ${shown} showed the body, escaped; 0 raw`,
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    removeDir(dir);
  }
});

test("File names holding escape sequences are shown escaped in every error that names them", async () => {
  const dir = tempDir("ai-trace-name-esc-");
  try {
    const evilName = `evil${EVIL.replaceAll("/", "_")}`;
    const line = (id: string) =>
      JSON.stringify({ type: "session", schema: "ai-trace/1", agent: "a", session_id: id, started_at: 1 }) + "\n";
    writeFileSync(join(dir, `${evilName}_20261125_100000_aaa111.jsonl`), line("20261125_100000_aaa111"));
    writeFileSync(join(dir, `${evilName}_20261125_100000_aaa222.jsonl`), line("20261125_100000_aaa222"));
    writeFileSync(join(dir, `bad${EVIL.replaceAll("/", "_")}.json`), "not json at all");
    mkdirSync(join(dir, `dir${EVIL.replaceAll("/", "_")}.jsonl`));
    const runs: [string, string[]][] = [
      ["a prefix matching 2 sessions", ["view", "20261125_100000"]],
      ["a prefix of the evil name", ["view", "evil"]],
      ["a non-JSON .json", ["view", join(dir, `bad${EVIL.replaceAll("/", "_")}.json`)]],
      ["a directory named .jsonl", ["view", join(dir, `dir${EVIL.replaceAll("/", "_")}.jsonl`)]],
      ["list", ["list"]],
      ["stats", ["stats"]],
      ["list --json", ["list", "--json"]],
      ["export", ["export", join(dir, `bad${EVIL.replaceAll("/", "_")}.json`), "--format", "md"]],
      ["a missing file", ["view", join(dir, `gone${EVIL}.jsonl`)]],
    ];
    let failures = 0;
    for (const [what, args] of runs) {
      const run = await cli(["--dir", dir, ...args]);
      if (run.code !== 0) failures++;
      assertSafe(run, what);
    }
    assert.ok(failures >= 5, `${failures} of the runs failed with an error naming the file`);
    figure("escape-names", `${runs.length} commands over file names with escape sequences (${failures} errors): 0 raw`);
  } finally {
    removeDir(dir);
  }
});

test("view, list, tail and stats make bidi and zero-width characters visible", async () => {
  const dir = tempDir("ai-trace-bidi-");
  try {
    const hidden = INVISIBLE.join("");
    const tracer = new Tracer(`agent${hidden}txt.exe`, { traceDir: dir, meta: { [`k${hidden}`]: `v${hidden}` } });
    tracer.step(`step${hidden}`, { [`ctx${hidden}`]: `value${hidden}` }, (step) => {
      step.log({ note: `log${hidden}` });
      step.decide(`act${hidden}`, { reason: `why${hidden}` });
    });
    try {
      tracer.step("fails", () => {
        throw new Error(`boom${hidden}${EVIL}`);
      });
    } catch {
      // recorded
    }
    await tracer.close();
    const commands = [
      ["view", "latest"],
      ["view", "latest", "--full"],
      ["view", "latest", "--json"],
      ["list"],
      ["list", "--json"],
      ["stats"],
      ["stats", "--json"],
      ["tail", "--no-follow", "-n", "5"],
      ["tail", "--no-follow", "--json"],
    ];
    for (const command of commands) {
      const run = await cli(["--dir", dir, ...command]);
      assert.equal(run.code, 0, `${command.join(" ")}: ${run.err}`);
      assertSafe(run, command.join(" "));
      if (command[0] !== "stats" || command.length === 1) {
        assert.ok(run.out.includes("\\u202e"), `${command.join(" ")} shows U+202E as \\u202e`);
      }
    }
    // --json output stays the same JSON: escaped characters mean what they meant.
    const json = await cli(["--dir", dir, "view", "latest", "--json"]);
    assert.equal(JSON.parse(json.out).agent, `agent${hidden}txt.exe`);
    figure(
      "escape-invisible",
      `${INVISIBLE.length} bidi/zero-width characters × ${commands.length} commands: all shown escaped`,
    );
  } finally {
    removeDir(dir);
  }
});

test("export writes no raw control or bidi character in any text format, to standard output or to a file", async () => {
  const dir = tempDir("ai-trace-export-esc-");
  try {
    const hidden = INVISIBLE.join("");
    const tracer = new Tracer(`agent${hidden}${EVIL}`, { traceDir: dir, meta: { [`k${EVIL}`]: `v${hidden}` } });
    tracer.step(`step${EVIL}`, { [`c${hidden}`]: `v${EVIL}` }, (step) => step.log({ note: `log${EVIL}${hidden}` }));
    const snapshot = await tracer.save();
    await tracer.close();
    const outputs: [string, string][] = [["save()", readFileSync(snapshot!, "utf8")]];
    for (const format of ["json", "md", "html", "otlp"]) {
      const run = await cli(["--dir", dir, "export", tracer.path!, "--format", format]);
      assert.equal(run.code, 0, run.err);
      outputs.push([`export --format ${format}`, run.out]);
    }
    for (const [what, text] of outputs) {
      assertSafe({ code: 0, out: text, err: "" }, what);
    }
    // The same data: JSON escapes mean what the characters meant.
    assert.equal(JSON.parse(outputs[1][1]).agent, `agent${hidden}${EVIL}`);
    figure(
      "escape-exports",
      `${outputs.length} exports (save(), json, md, html, otlp): 0 raw control or bidi characters`,
    );
  } finally {
    removeDir(dir);
  }
});
