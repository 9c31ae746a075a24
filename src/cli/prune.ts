/**
 * `ai-trace prune`: removes old sessions from the trace directory — by age,
 * by a count kept per agent, by the directory's total size. A dry run by
 * default; `--yes` deletes.
 *
 * @module
 */

import type { SessionState } from "../format/types.ts";
import { parseSize, pruneSessions } from "../read/prune.ts";
import { DURATION_FORMS, filterToJson, parseDuration } from "../read/session_filter.ts";
import { type Command, COMMON_HELP, printJson, stringFlag } from "./command.ts";
import { AGENT_STATE_HELP, AGENT_STATE_OPTIONS, parseFilterFlags } from "./filter_flags.ts";
import { formatDateTime, formatSize, plural, printable, table } from "./format.ts";
import { countFlag, formatState } from "./list.ts";
import { UsageError } from "./usage_error.ts";

const HELP = "ai-trace prune --help";

/** The `prune` command. */
export const prune: Command = {
  name: "prune",
  summary: "Remove old sessions (by age, count per agent, total size); a dry run unless --yes",
  help: `Usage: ai-trace prune [--older-than DURATION] [--keep N] [--max-size SIZE]
                      [--agent NAME] [--state STATE] [--yes] [--json]

Removes old sessions from the trace directory. Without --yes it is a dry run:
it lists what would go and the space it would free, and deletes nothing.

A session goes when it started longer ago than --older-than (if given) and is
not among the --keep newest of its agent (if given). Then, while the
directory's trace files add up to more than --max-size, the oldest sessions
left go too (still sparing the --keep newest of each agent). --agent and
--state narrow which sessions can go.

Never removed: a running session; a symbolic link (never followed either),
nor a session with one among its files. A session's .json, .md and .html
files go with its .jsonl.

Options:
      --older-than DURATION  Sessions started longer ago than this (90m, 12h, 30d)
      --keep N               Keep the N newest sessions of each agent
      --max-size SIZE        Bring the directory under SIZE (500M, 2G, 100K; binary units)
${AGENT_STATE_HELP}
  -y, --yes                  Delete (without it, only say what would go)

Example: ai-trace prune --older-than 30d --yes

${COMMON_HELP}`,
  options: {
    "older-than": { type: "string" },
    keep: { type: "string" },
    "max-size": { type: "string" },
    yes: { type: "boolean", short: "y" },
    ...AGENT_STATE_OPTIONS,
  },
  maxPositionals: 0,
  async run({ io, dir, json, style, values }): Promise<number> {
    const now = io.now();
    const olderText = stringFlag(values, "older-than");
    const olderThan = olderText === undefined ? undefined : parseDuration(olderText.trim());
    if (olderText !== undefined && olderThan === undefined) {
      throw new UsageError(`Option "--older-than" needs ${DURATION_FORMS}; got "${olderText}"`, HELP);
    }
    const keep = countFlag(stringFlag(values, "keep"), "--keep", "prune");
    const sizeText = stringFlag(values, "max-size");
    const maxSize = sizeText === undefined ? undefined : parseSize(sizeText);
    if (sizeText !== undefined && maxSize === undefined) {
      throw new UsageError(
        `Option "--max-size" needs a size such as 500M, 2G, 100K or a number of bytes; got "${sizeText}"`,
        HELP,
      );
    }
    const filter = parseFilterFlags(values, "prune", now);
    if (olderThan === undefined && keep === undefined && maxSize === undefined) {
      throw new UsageError("Say what to prune: --older-than, --keep or --max-size", HELP);
    }
    const dryRun = values.yes !== true;
    const result = await pruneSessions(dir, {
      olderThan,
      keep,
      maxSize,
      agents: filter.agents,
      states: filter.states as SessionState[] | undefined,
      dryRun,
      now,
    });
    for (const problem of result.problems) {
      io.stderr(`${style.yellow("warning:")} ${printable(problem.path)}: ${printable(problem.message)}\n`);
    }
    if (json) {
      const rules: Record<string, string | number> = {};
      if (olderText !== undefined) rules.older_than = olderText;
      if (keep !== undefined) rules.keep = keep;
      if (maxSize !== undefined) rules.max_size = maxSize;
      printJson(io, { dir, rules, filter: filterToJson(filter), ...result });
      return 0;
    }
    if (result.sessions.length > 0) {
      const rows = [["STARTED (UTC)", "AGENT", "SESSION", "STATE", "FILES", "SIZE", "WHY"].map(style.bold)];
      for (const session of result.sessions) {
        rows.push([
          formatDateTime(session.started_at),
          style.cyan(printable(session.agent)),
          printable(session.session_id),
          formatState(session.state, 0, style),
          String(session.files.length),
          formatSize(session.bytes),
          session.reason,
        ]);
      }
      io.stdout(table(rows, ["left", "left", "left", "left", "right", "right", "left"]));
    }
    const count = plural(result.sessions.length, "session");
    const freed = formatSize(result.freed_bytes);
    const of = `of ${formatSize(result.total_bytes)}`;
    if (dryRun) {
      io.stdout(
        result.sessions.length === 0
          ? `Nothing to prune in "${printable(dir)}"\n`
          : `Would remove ${count}, freeing ${freed} ${of} (dry run: add --yes to delete)\n`,
      );
    } else {
      io.stdout(`Removed ${count}, freed ${freed} ${of}\n`);
    }
    const spared: string[] = [];
    if (result.running > 0) spared.push(`${plural(result.running, "running session")} left alone`);
    if (result.symlinks.length > 0) spared.push(`${plural(result.symlinks.length, "symbolic link")} left alone`);
    if (spared.length > 0) io.stdout(style.dim(spared.join("; ")) + "\n");
    return 0;
  },
};
