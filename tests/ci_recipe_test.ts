// The README's CI recipe, as it is run: the example agent against a mock
// model (examples/ci/run_agent.ts), then `ai-trace check` against the baseline
// trace kept in the repository with the rules file beside it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { cli } from "./_cli.ts";
import { removeDir, runScript, tempDir } from "./_helpers.ts";

const example = (name: string) => fileURLToPath(new URL(`../examples/ci/${name}`, import.meta.url));

function runAgent(dir: string, env: Record<string, string> = {}): string {
  const result = runScript(example("run_agent.ts"), { env: { AI_TRACE_DIR: dir, ...env } });
  assert.equal(result.status, 0, result.stderr);
  const path = /trace: (.+)$/m.exec(result.stdout)?.[1];
  assert.ok(path, result.stdout);
  return path;
}

test("the CI recipe: check against the baseline passes for the same agent and fails when it decides differently", async () => {
  const dir = tempDir("ai-trace-ci-recipe-");
  try {
    const args = (
      path: string,
    ) => ["check", path, "--baseline", example("baseline.jsonl"), "--rules", example("rules.json")];
    const same = await cli(args(runAgent(dir)));
    assert.equal(same.code, 0, same.out + same.err);
    assert.match(same.out, /^All 9 rules pass$/m);

    const changed = runAgent(dir, { MOCK_TOOL: "search" });
    const failed = await cli(args(changed));
    assert.equal(failed.code, 1);
    assert.match(failed.out, /^FAIL {2}require-decision choose_tool +search += calculator$/m);
    assert.match(failed.out, /^FAIL {2}same-decisions +1 +≤ 0 +first at choose_tool: calculator → search$/m);
    // The recipe's last step: where the run first decided differently.
    const diff = await cli(["diff", example("baseline.jsonl"), changed]);
    assert.equal(diff.code, 1);
    assert.match(diff.out, /First divergence at choose_tool: decided differently/);
  } finally {
    removeDir(dir);
  }
});
