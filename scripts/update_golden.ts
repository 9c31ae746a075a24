/**
 * Rewrites the golden CLI outputs in tests/testdata/golden/ from the command
 * lines in tests/_golden.ts. Run it on purpose when an output changes, then
 * read the diff before committing: `npm run golden`.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, normalize, TESTDATA } from "../tests/_cli.ts";
import { GOLDEN_CASES } from "../tests/_golden.ts";

for (const [name, args] of Object.entries(GOLDEN_CASES)) {
  const { code, out, err } = await cli(args);
  if (code !== 0) throw new Error(`ai-trace ${args.join(" ")} exited ${code}: ${err}`);
  writeFileSync(join(TESTDATA, "golden", name), normalize(out));
  console.log(`wrote tests/testdata/golden/${name}`);
}
