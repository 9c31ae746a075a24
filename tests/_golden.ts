/**
 * The golden CLI outputs: which command line each file in
 * `tests/testdata/golden/` holds the output of. The tests compare their output
 * with these files; only `scripts/update_golden.ts` writes them, on purpose
 * (`npm run golden`), never a test.
 *
 * @module
 */

import { OURS, PYTHON_SEED } from "./_cli.ts";

/** Each golden file and the CLI arguments whose standard output it holds. */
export const GOLDEN_CASES: Record<string, string[]> = {
  "list_python_seed.txt": ["--dir", PYTHON_SEED, "list"],
  "list_ours.txt": ["list", "--dir", OURS],
  "stats_python_seed.txt": ["--dir", PYTHON_SEED, "stats"],
  "stats_ours.txt": ["--dir", OURS, "stats"],
  "view_planner.txt": ["--dir", OURS, "view", "planner"],
  "view_crawler.txt": ["--dir", OURS, "view", "20261125_110000"],
  "view_crashy.txt": ["--dir", PYTHON_SEED, "view", "crashy_agent_20261124_220807.jsonl"],
  "tail_crawler.txt": ["--dir", OURS, "tail", "-n", "2", "--no-follow"],
  "export_trading.md": ["--dir", PYTHON_SEED, "export", "trading", "--format", "md"],
  "export_crawler.json": ["--dir", OURS, "export", "crawler", "-f", "json"],
};
