/**
 * The deno.json tasks work after the README's set-up (`npm install`), where
 * `deno` comes from npm: `deno task` puts node_modules/.bin first on PATH and
 * runs an npm package's bin as JavaScript, so a task that calls a bare `deno`
 * (an ELF binary there) fails with "Invalid or unexpected token".
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const tasks: Record<string, string> = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).tasks;

describe("deno.json tasks", () => {
  test("deno.json tasks never call a bare deno or bun (each names node_modules/.bin/… or node)", () => {
    const bare = Object.entries(tasks).filter(([, command]) =>
      command.split(/&&|\|\||;/).some((part) => /^(deno|bun)\s/.test(part.trim()))
    );
    assert.deepEqual(bare, []);
  });

  test("deno.json tasks: `deno task doc:lint` runs from a checkout after npm install", () => {
    const result = spawnSync(join(ROOT, "node_modules", ".bin", "deno"), ["task", "doc:lint"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /SyntaxError/);
  });
});
