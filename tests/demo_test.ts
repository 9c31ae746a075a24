import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { filesIn, removeDir, runScript, tempDir } from "./_helpers.ts";

const demo = fileURLToPath(new URL("../examples/trading_agent.ts", import.meta.url));

test("the demo agent (npm run demo) leaves reports that say complete (issue 11 #6)", () => {
  const dir = tempDir();
  try {
    const result = runScript(demo, { env: { AI_TRACE_DIR: dir } });
    assert.equal(result.status, 0, result.stderr);
    const files = filesIn(dir);
    const named = (extension: string) => {
      const name = files.find((file) => file.endsWith(extension));
      assert.ok(name, `a ${extension} file in ${files.join(", ")}`);
      return readFileSync(join(dir, name), "utf8");
    };
    assert.equal(JSON.parse(named(".json")).state, "complete");
    assert.match(named(".md"), /\| complete \|/);
    assert.match(named(".html"), /"state":"complete"/);
  } finally {
    removeDir(dir);
  }
});
