// The Markdown report against hostile traces (issue 12, findings 5 and 7):
// raw control characters (ESC, BEL, CR, C1) used to pass into stack fences
// and everywhere else, so `cat report.md` replayed title changes, screen
// clears, hyperlinks and clipboard writes; a chain of nested steps made the
// report grow with the square of its depth (16,000 steps: a 256 MB report).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readSession, Tracer } from "../../mod.ts";
import { renderMarkdown } from "../../src/render/markdown.ts";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { removeDir, scriptCommand, tempDir } from "../_helpers.ts";
import { cli, figure, LONG } from "./_torture.ts";

const EVIL =
  "\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\\x1b]52;c;cHduZWQ=\x07\x9b31m\x85\r\u202e\u2066\u200b";
// deno-lint-ignore no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

test("renderMarkdown() writes no raw control or bidi character, in stacks, values, names or keys", async () => {
  const dir = tempDir("ai-trace-md-ctrl-");
  try {
    const tracer = new Tracer(`agent${EVIL}`, { traceDir: dir, meta: { [`k${EVIL}`]: `v${EVIL}`, n: { x: EVIL } } });
    tracer.step(`step${EVIL}`, { [`c${EVIL}`]: `v${EVIL}` }, (step) => {
      step.log({ [`l${EVIL}`]: EVIL });
      step.decide(`act${EVIL}`, { reason: `why${EVIL}`, alternatives: [EVIL] });
      step.usage({ model: `m${EVIL}` });
    });
    try {
      tracer.step("fails", { kind: EVIL }, () => {
        const error = new Error(`boom${EVIL}`);
        error.name = `Err${EVIL}`;
        error.stack = `Err: boom${EVIL}\n    at evil (${EVIL}:1:1)\r\n    at x${EVIL}`;
        throw error;
      });
    } catch {
      // recorded
    }
    await tracer.close();
    const md = renderMarkdown(await readSession(tracer.path!), 0);
    const exported = await cli(["--dir", dir, "export", "latest", "--format", "md"]);
    assert.equal(exported.code, 0, exported.err);
    for (const [where, text] of [["renderMarkdown", md], ["export --format md", exported.out]]) {
      const at = text.search(RAW);
      assert.ok(
        at < 0,
        `${where}: raw U+${text.codePointAt(at)?.toString(16)} in ${JSON.stringify(text.slice(at - 40, at + 10))}`,
      );
    }
    assert.ok(md.includes("\\u001b]0;pwned\\u0007"), "the sequence is shown, escaped");
    assert.ok(md.includes("\\u202e"), "the bidi override is shown, escaped");
    figure(
      "markdown-controls",
      `escape sequences, C1, CR and bidi in 12 fields and a stack: 0 raw characters in the report`,
    );
  } finally {
    removeDir(dir);
  }
});

/** The peak resident set of one CLI run in a fresh process (tests/torture/fixtures/cli_memory.ts). */
function peakOf(args: string[]): number {
  const [command, commandArgs] = scriptCommand(join(import.meta.dirname!, "fixtures", "cli_memory.ts"), args);
  const result = spawnSync(command, commandArgs, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const match = /PEAK (\d+) CODE (\d+)/.exec(result.stdout);
  assert.ok(match, `${args.join(" ")}: ${result.stderr}`);
  assert.equal(match[2], "0", `${args.join(" ")} exits 0`);
  return Number(match[1]);
}

test("renderMarkdown() stays linear in the depth of nesting: a chain of nested steps", async () => {
  const dir = tempDir("ai-trace-md-deep-");
  try {
    const sizes: { depth: number; input: number; output: number }[] = [];
    for (const depth of LONG ? [4_000, 32_000] : [2_000, 16_000]) {
      const lines = [
        JSON.stringify({
          type: "session",
          schema: "ai-trace/1",
          agent: "deep",
          session_id: `d${depth}`,
          started_at: 1,
        }),
      ];
      for (let i = 1; i <= depth; i++) {
        lines.push(JSON.stringify({
          type: "step",
          id: i,
          parent_id: i === 1 ? null : i - 1,
          name: "s",
          context: {},
          started_at: 1 + i / 1e6,
          finished_at: 2,
          duration_ms: 1,
          outcome: "ok",
          error: null,
          logs: [],
        }));
      }
      const text = lines.join("\n") + "\n";
      const path = join(dir, `deep_d${depth}.jsonl`);
      writeFileSync(path, text);
      const run = await cli(["--dir", dir, "export", path, "--format", "md"]);
      assert.equal(run.code, 0, run.err.slice(0, 300));
      sizes.push({ depth, input: text.length, output: run.out.length });
    }
    const [small, large] = sizes;
    const perStepSmall = small.output / small.depth;
    const perStepLarge = large.output / large.depth;
    figure(
      "markdown-depth",
      sizes.map((s) =>
        `${s.depth} nested steps: ${(s.input / 1e6).toFixed(2)} MB trace → ${(s.output / 1e6).toFixed(2)} MB report`
      ).join("; "),
    );
    // Memory, in a fresh process each: the Markdown export of the deepest chain against the JSON export of the
    // same file (linear by construction), measured in the same run.
    const deepest = join(dir, `deep_d${large.depth}.jsonl`);
    const md = peakOf(["export", deepest, "--format", "md"]);
    const json = peakOf(["export", deepest, "--format", "json"]);
    figure(
      "markdown-depth-memory",
      `${large.depth} nested steps: peak RSS ${(md / 2 ** 20).toFixed(0)} MiB for md, ${
        (json / 2 ** 20).toFixed(0)
      } MiB for json`,
    );
    assert.ok(md <= 2 * json, `md export peaked at ${md} bytes, json at ${json}`);
    // Linear: each step costs the same bytes at any depth, and the report is not larger than the trace.
    assert.ok(
      perStepLarge <= 1.2 * perStepSmall,
      `${perStepSmall.toFixed(0)} bytes per step at ${small.depth}, ${perStepLarge.toFixed(0)} at ${large.depth}`,
    );
    assert.ok(large.output <= large.input, `${large.output} bytes of Markdown for ${large.input} of trace`);
  } finally {
    removeDir(dir);
  }
});
