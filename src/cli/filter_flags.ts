/**
 * The session filter flags, the same on every command that takes them
 * (`list`, `stats`, `tail`, `push --all`, `prune`): `--agent NAME`
 * (repeatable, exact or glob), `--state`, `--since`, `--until`, `--errors`.
 * One parser, one help text.
 *
 * @module
 */

import type { SessionState } from "../format/types.ts";
import {
  DATE_TIME_FORMS,
  DURATION_FORMS,
  parseTimeBound,
  SESSION_STATES,
  type SessionFilter,
} from "../read/session_filter.ts";
import type { OptionsConfig, OptionValues } from "./command.ts";
import { UsageError } from "./usage_error.ts";

/** The filter flags, as `parseArgs` takes them. */
export const FILTER_OPTIONS: OptionsConfig = {
  agent: { type: "string", multiple: true },
  state: { type: "string", multiple: true },
  since: { type: "string" },
  until: { type: "string" },
  errors: { type: "boolean" },
};

/** The filter flags without `--errors` (for `prune`, where it would read as "delete failures"). */
export const AGENT_STATE_OPTIONS: OptionsConfig = {
  agent: FILTER_OPTIONS.agent,
  state: FILTER_OPTIONS.state,
};

/** The help lines of `--agent` and `--state`. */
export const AGENT_STATE_HELP = `      --agent NAME      Only this agent's sessions; exact, or a glob such as
                        "research_*" (repeatable: any of them)
      --state STATE     Only sessions in this state: complete, running or crashed
                        (repeatable: any of them)`;

/** The help lines of every filter flag. */
export const FILTER_HELP = `Filters (all that are given must hold):
${AGENT_STATE_HELP}
      --since WHEN      Only sessions started at or after WHEN: a duration back
                        from now (90m, 2h, 7d) or an ISO 8601 date/time
                        (2026-11-30, 2026-11-30T14:00; UTC unless an offset
                        such as +02:00 is given)
      --until WHEN      Only sessions started before WHEN (same forms)
      --errors          Only sessions with at least one failed step`;

function strings(values: OptionValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/**
 * Reads the filter flags of a command line.
 *
 * @param values The parsed flags.
 * @param command The command, for the usage hint.
 * @param now The time now, epoch milliseconds (durations count back from it).
 * @returns The filter.
 * @throws {UsageError} naming the accepted forms when a value is bad.
 */
export function parseFilterFlags(values: OptionValues, command: string, now: number): SessionFilter {
  const help = `ai-trace ${command} --help`;
  const filter: SessionFilter = {};
  const agents = strings(values, "agent");
  for (const agent of agents) {
    if (agent === "") throw new UsageError(`Option "--agent" needs a name or a glob such as "research_*"`, help);
  }
  if (agents.length > 0) filter.agents = agents;
  const states = strings(values, "state");
  for (const state of states) {
    if (!(SESSION_STATES as readonly string[]).includes(state)) {
      throw new UsageError(`Option "--state" needs complete, running or crashed, got "${state}"`, help);
    }
  }
  if (states.length > 0) filter.states = [...new Set(states)] as SessionState[];
  for (const name of ["since", "until"] as const) {
    const text = values[name];
    if (typeof text !== "string") continue;
    const time = parseTimeBound(text.trim(), now);
    if (time === undefined) {
      throw new UsageError(`Option "--${name}" needs ${DURATION_FORMS}, or ${DATE_TIME_FORMS}; got "${text}"`, help);
    }
    filter[name] = time;
  }
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
    throw new UsageError(`Option "--since" must be before "--until"`, help);
  }
  if (values.errors === true) filter.errors = true;
  return filter;
}
