#!/usr/bin/env node
// Builds the npm package "ai-trace" from the same sources as JSR: ESM
// JavaScript and .d.ts in dist/npm/, plus the `ai-trace` bin. Fails when the
// export maps of deno.json and package.json drift apart.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const read = (file) => JSON.parse(readFileSync(join(root, file), "utf8"));

// 1. The export maps name the same entry points.
const deno = read("deno.json");
const pkg = read("package.json");
const drift = [];
/** The CommonJS shim of an entry: `./dist/npm/cjs/index.cjs` for ".", `./dist/npm/cjs/cli.cjs` for "./cli". */
const shimOf = (entry) => `./dist/npm/cjs/${entry === "." ? "index" : entry.replace(/^\.\//, "")}.cjs`;
for (const [entry, source] of Object.entries(deno.exports)) {
  const built = `./dist/npm/${source.replace(/^\.\//, "").replace(/\.ts$/, ".js")}`;
  const target = pkg.exports?.[entry];
  if (
    target?.import !== built || target?.types !== built.replace(/\.js$/, ".d.ts") || target?.require !== shimOf(entry)
  ) {
    drift.push(
      `"${entry}": deno.json has ${source}, package.json should have { types: "${
        built.replace(/\.js$/, ".d.ts")
      }", import: "${built}", require: "${shimOf(entry)}" }`,
    );
  }
}
for (const entry of Object.keys(pkg.exports ?? {})) {
  if (!(entry in deno.exports)) drift.push(`"${entry}" is exported by package.json but not by deno.json`);
}
if (deno.version !== pkg.version) drift.push(`versions differ: deno.json ${deno.version}, package.json ${pkg.version}`);
if (drift.length > 0) {
  console.error(`error: deno.json and package.json have drifted apart:\n  ${drift.join("\n  ")}`);
  process.exit(1);
}

// 2. Compile.
rmSync(join(root, "dist", "npm"), { recursive: true, force: true });
const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// 2b. The pages' browser modules (src/**/*_browser.ts) are in no entry's import graph (their generated scripts are):
// the same compiler type-checks them too, with the DOM types of its version, emitting nothing.
const browser = readdirSync(join(root, "src"), { recursive: true })
  .map(String)
  .filter((file) => file.endsWith("_browser.ts"))
  .map((file) => join("src", file));
const tscBrowser = spawnSync(join(root, "node_modules", ".bin", "tsc"), [
  ...["--noEmit", "--strict", "--skipLibCheck", "--target", "ES2022", "--lib", "ES2023,DOM,DOM.Iterable"],
  ...["--module", "NodeNext", "--moduleResolution", "NodeNext", "--allowImportingTsExtensions", "--types", "node"],
  ...browser,
], { cwd: root, stdio: "inherit" });
if (browser.length === 0 || tscBrowser.status !== 0) {
  console.error(`error: the browser modules (${browser.join(", ") || "none found"}) do not type-check with tsc`);
  process.exit(1);
}

// 3. The bin: Node 20 has no import.meta.main, so it calls main() itself.
const bin = join(root, "dist", "npm", "bin.js");
writeFileSync(
  bin,
  `#!/usr/bin/env node
import process from "node:process";
import { processArgs, processIo } from "./src/cli/io.js";
import { main } from "./cli.js";

process.exitCode = await main(processArgs(), processIo());
`,
);
chmodSync(bin, 0o755);

// 4. CommonJS: each entry's `require` condition is a shim that loads the ES
// module (Node 20.19+ and 22.12+ can require() one without top-level await),
// and says in one clear sentence what to do where that is not possible,
// instead of Node's ERR_PACKAGE_PATH_NOT_EXPORTED.
mkdirSync(join(root, "dist", "npm", "cjs"), { recursive: true });
for (const [entry, source] of Object.entries(deno.exports)) {
  const name = entry === "." ? "ai-trace" : `ai-trace/${entry.replace(/^\.\//, "")}`;
  const target = `../${source.replace(/^\.\//, "").replace(/\.ts$/, ".js")}`;
  writeFileSync(
    join(root, shimOf(entry)),
    `"use strict";
// CommonJS entry of "${name}": the package is ES modules, loaded here with require() where Node can.
try {
  module.exports = require(${JSON.stringify(target)});
} catch (err) {
  const code = err && err.code;
  if (code === "ERR_REQUIRE_ESM" || code === "ERR_REQUIRE_ASYNC_MODULE") {
    throw new Error(
      ${
      JSON.stringify(
        `"${name}" is an ES module and cannot be loaded with require() here: use \`import … from "${name}"\`, ` +
          `or \`await import("${name}")\` from CommonJS (require() of "ai-trace" works on Node 20.19+ and 22.12+)`,
      )
    },
      { cause: err },
    );
  }
  throw err;
}
`,
  );
}
console.log(`built dist/npm (ai-trace ${pkg.version})`);
