/**
 * `ai-trace view <session>`: one session as a tree of steps, each with what
 * the agent saw (context), what it logged, what it decided and why, its usage
 * and its error; steps in flight when the session ended are marked.
 *
 * @module
 */

import { loadSession } from "../read/session_index.ts";
import { AmbiguousSessionError, findSession, type FindSessionOptions } from "../read/trace_dir.ts";
import type { Session, SessionStep } from "../format/types.ts";
import { extraTokenParts, formatTokens, hasUsage } from "../model/usage.ts";
import { type Command, COMMON_HELP, type OptionsConfig, type OptionValues, printJson } from "./command.ts";
import type { Io } from "./io.ts";
import {
  createStyle,
  formatClock,
  formatDateTime,
  formatDuration,
  formatFields,
  formatValue,
  plural,
  printable,
  type Style,
} from "./format.ts";
import { formatState, formatWarning } from "./list.ts";
import {
  describeStepFilter,
  filterStepTree,
  isStepFilterActive,
  parseStepFilterFlags,
  STEP_FILTER_HELP,
  STEP_FILTER_OPTIONS,
  type StepFilter,
  stepFilterToJson,
} from "./step_filter.ts";
import { asProgram, programName, UsageError } from "./usage_error.ts";

/** How many frames of an error's stack `view` shows. */
const STACK_FRAMES = 3;

/** The session argument's help, shared by `view` and `export`. */
export const SESSION_HELP = `<session> is a path, a file name in the trace directory, a session id, a
unique prefix of a session id or file name, "latest" (the newest session),
"latest~N" (the N-th before it), "latest:AGENT" (the newest session of an
agent; also "latest:AGENT~N"), or an agent's name (its newest session; a
note on standard error says so when it has several).`;

/**
 * Resolves the `<session>` argument and reads the session.
 *
 * @param dir The trace directory.
 * @param query What the user typed.
 * @param now The time now, epoch milliseconds.
 * @param command The command, for the usage hint.
 * @param options Agents to narrow `latest` to (`--agent`), and where the
 *   note goes when an agent's name stood for its newest session.
 * @returns The session.
 */
export async function resolveSession(
  dir: string,
  query: string | undefined,
  now: number,
  command: string,
  options: FindSessionOptions = {},
): Promise<Session> {
  if (query === undefined || query === "") {
    throw new UsageError(`Missing <session> (a session id, a file, or "latest")`, `ai-trace ${command} --help`);
  }
  if (options.agents !== undefined && options.agents.length > 0 && !/^latest(~\d+)?$/.test(query)) {
    throw new UsageError(
      `Option "--agent" works with latest or latest~N, not "${query}" (or write latest:AGENT)`,
      `ai-trace ${command} --help`,
    );
  }
  let path: string;
  try {
    path = findSession(dir, query, options).path;
  } catch (err) {
    if (err instanceof AmbiguousSessionError) {
      throw new UsageError(err.message, "ai-trace list");
    }
    throw err;
  }
  return await loadSession(path, { now });
}

/** The `--agent` flag of commands that take a `<session>`: it narrows `latest`. */
export const AGENT_OPTION: OptionsConfig[string] = { type: "string", multiple: true };

/**
 * The lookup options of a command line: `--agent` for `latest`, and a note on
 * standard error when an agent's name stood for its newest session.
 */
export function lookupOptions(io: Io, values: OptionValues, style: Style): FindSessionOptions {
  const agent = values.agent;
  const agents = Array.isArray(agent) ? agent.filter((a): a is string => typeof a === "string") : [];
  return {
    agents: agents.length > 0 ? agents : undefined,
    onNote: (message) =>
      io.stderr(`${style.yellow("note:")} ${printable(asProgram(message, programName((name) => io.env(name))))}\n`),
  };
}

/** Orders steps as a tree: each step followed by its children, with its depth. */
export function stepTree(steps: SessionStep[]): { step: SessionStep; depth: number }[] {
  const ids = new Set(steps.map((step) => step.id));
  const children = new Map<number, SessionStep[]>();
  const roots: SessionStep[] = [];
  for (const step of steps) {
    if (step.parent_id === null || step.parent_id === step.id || !ids.has(step.parent_id)) roots.push(step);
    else {
      const list = children.get(step.parent_id);
      if (list) list.push(step);
      else children.set(step.parent_id, [step]);
    }
  }
  const out: { step: SessionStep; depth: number }[] = [];
  const seen = new Set<SessionStep>();
  // An explicit stack: a file may nest deeper than the call stack allows.
  const stack = roots.slice().reverse().map((step) => ({ step, depth: 0 }));
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (seen.has(item.step)) continue;
    seen.add(item.step);
    out.push(item);
    const kids = children.get(item.step.id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ step: kids[i], depth: item.depth + 1 });
  }
  // Steps caught in a parent cycle are shown at the top level rather than lost.
  for (const step of steps) if (!seen.has(step)) out.push({ step, depth: 0 });
  return out;
}

/** The first line of a step: mark, name, kind, duration, start time. */
export function stepTitle(step: SessionStep, style: Style): string {
  const name = style.bold(printable(step.name));
  const kind = step.kind ? style.dim(` [${printable(step.kind)}]`) : "";
  if (step.in_flight) {
    return `${style.yellow("▶")} ${name}${kind}  ${style.yellow("IN FLIGHT")}  started ${
      formatClock(step.started_at)
    }, never finished`;
  }
  const mark = step.outcome === "ok" ? style.green("✓") : step.outcome === "error" ? style.red("✗") : style.yellow("•");
  const outcome = step.outcome !== "ok" && step.outcome !== "error" ? `  outcome=${formatValue(step.outcome)}` : "";
  return `${mark} ${name}${kind}  ${formatDuration(step.duration_ms)}  ${
    style.dim(`@ ${formatClock(step.started_at)}`)
  }${outcome}`;
}

/** The detail lines of a step (context, logs, decision, usage, error), without indentation. */
export function stepDetails(step: SessionStep, style: Style, max: number): string[] {
  const lines: string[] = [];
  const label = (text: string) => style.dim(text.padEnd(10));
  if (Object.keys(step.context).length > 0) lines.push(label("context") + formatFields(step.context, max));
  for (const entry of step.logs) {
    const { _t, ...fields } = entry;
    lines.push(label("log") + `${formatClock(typeof _t === "number" ? _t : null)}  ${formatFields(fields, max)}`);
  }
  if (step.decision) {
    const { action, reason, confidence, alternatives } = step.decision;
    let text = style.bold(printable(String(action)));
    if (reason !== undefined) text += ` — ${printable(String(reason))}`;
    const extra: string[] = [];
    if (typeof confidence === "number") extra.push(`confidence ${confidence}`);
    if (Array.isArray(alternatives) && alternatives.length > 0) {
      extra.push(`alternatives ${alternatives.map((a) => formatValue(a, 40)).join(", ")}`);
    }
    if (extra.length > 0) text += style.dim(` (${extra.join("; ")})`);
    lines.push(label("decision") + text);
  }
  if (step.usage) {
    const usage = step.usage;
    const { model, response_model, provider, input_tokens, output_tokens, cost_usd } = usage;
    const parts: string[] = [];
    if (model !== undefined || response_model !== undefined) {
      const answered = response_model !== undefined && response_model !== model ? String(response_model) : undefined;
      parts.push(
        printable(model === undefined ? String(answered) : String(model) + (answered ? ` → ${answered}` : "")),
      );
    }
    if (provider !== undefined) parts.push(printable(String(provider)));
    if (input_tokens !== undefined || output_tokens !== undefined || extraTokenParts(usage).length > 0) {
      parts.push(formatTokens(usage));
    }
    if (typeof cost_usd === "number") parts.push(`$${cost_usd}`);
    lines.push(label("usage") + parts.join(" · "));
  }
  if (step.error !== null || step.stack) {
    const type = step.error_type ? `${printable(step.error_type)}: ` : "";
    lines.push(label("error") + style.red(type + printable(step.error ?? "")));
    if (step.stack) {
      const frames = step.stack.split("\n").map((line) => line.trim()).filter((line) => line.startsWith("at "));
      for (const frame of frames.slice(0, STACK_FRAMES)) lines.push(" ".repeat(10) + style.dim(printable(frame)));
      if (frames.length > STACK_FRAMES) {
        lines.push(" ".repeat(10) + style.dim(`… ${plural(frames.length - STACK_FRAMES, "more frame")}`));
      }
    }
  }
  return lines;
}

/** The header lines of a session. */
export function sessionHeader(session: Session, style: Style, max: number): string[] {
  const label = (text: string) => style.dim(text.padEnd(10));
  const s = session.summary;
  const lines = [
    `${style.bold(style.cyan(printable(session.agent)))}  ${printable(session.session_id)}`,
    label("file") + printable(session.path),
    label("state") + [
      formatState(session.state, 0, style),
      plural(s.steps, "step"),
      `${s.ok} ok`,
      s.errors > 0 ? style.red(plural(s.errors, "error")) : "0 errors",
      s.in_flight > 0 ? style.yellow(`${s.in_flight} in flight`) : "0 in flight",
    ].join(" · "),
  ];
  const duration = session.started_at !== null && session.finished_at !== null
    ? ` · took ${formatDuration((session.finished_at - session.started_at) * 1000)}`
    : "";
  lines.push(label("started") + `${formatDateTime(session.started_at)} UTC${duration}`);
  const where: string[] = [];
  if (session.runtime) where.push(printable(`${session.runtime.name} ${session.runtime.version}`));
  if (session.pid !== undefined) where.push(`pid ${session.pid}`);
  if (session.host !== undefined) where.push(`host ${printable(session.host)}`);
  if (where.length > 0) lines.push(label("runtime") + where.join(" · "));
  if (Object.keys(session.meta).length > 0) lines.push(label("meta") + formatFields(session.meta, max));
  if (hasUsage(s)) lines.push(label("usage") + `${formatTokens(s)} · $${s.cost_usd}`);
  return lines;
}

/**
 * Renders a session as text: header, then the step tree. With a step
 * filter, the header still gives the whole session's totals, a line says
 * what the filter kept, and ancestors of the steps picked show their title
 * and context only.
 *
 * @param session The session.
 * @param style Colors, or none.
 * @param max The longest a value may print before it is cut.
 * @param filter Which steps to show.
 * @returns The text.
 */
export function renderSessionText(session: Session, style: Style, max = 120, filter: StepFilter = {}): string {
  const out = sessionHeader(session, style, max);
  const tree = stepTree(session.steps);
  const shown = filterStepTree(tree, filter);
  if (isStepFilterActive(filter)) {
    const picked = shown.filter((item) => item.picked).length;
    const above = shown.length - picked;
    out.push(
      style.dim("filter".padEnd(10)) +
        `${printable(describeStepFilter(filter))}: ${picked} of ${plural(tree.length, "step")} shown` +
        (above > 0 ? style.dim(` (and ${plural(above, "step")} above them)`) : ""),
    );
  }
  out.push("");
  if (session.steps.length === 0) out.push(style.dim("(no steps)"));
  else if (shown.length === 0) out.push(style.dim("(no step matches the filter)"));
  for (const { step, depth, picked } of shown) {
    const indent = "  ".repeat(Math.min(depth, 20));
    out.push(indent + (picked ? stepTitle(step, style) : style.dim(stepTitle(step, createStyle(false)))));
    const details = picked ? stepDetails(step, style, max) : stepDetails(
      { ...step, logs: [], decision: undefined, usage: undefined, error: null, stack: undefined },
      style,
      max,
    );
    for (const line of details) out.push(`${indent}    ${line}`);
  }
  return out.join("\n") + "\n";
}

/** The `view` command. */
export const view: Command = {
  name: "view",
  summary: "One session as a tree of steps: context, logs, decisions, errors",
  help: `Usage: ai-trace view <session> [--agent NAME] [step filters] [--full] [--json]

Shows one session: its header (agent, state, counts, runtime, meta), then
every step as a tree (children under their parents) with its context, logs
and their times, decision and reason, usage, and error with the top of its
stack. Steps that began and never ended are marked IN FLIGHT. Lines of the
file that could not be read are listed in a footer (on standard error with
--json).

${SESSION_HELP}

Options:
      --full            Print values whole (by default long values are cut at 120 characters)
      --agent NAME      With latest or latest~N: that agent's sessions only (exact
                        or a glob; repeatable)

${STEP_FILTER_HELP}

Example: ai-trace view latest:research_agent --errors

${COMMON_HELP}`,
  options: { full: { type: "boolean" }, agent: AGENT_OPTION, ...STEP_FILTER_OPTIONS },
  maxPositionals: 1,
  async run({ io, dir, json, style, values, positionals }): Promise<number> {
    const filter = parseStepFilterFlags(values, "view");
    const session = await resolveSession(dir, positionals[0], io.now(), "view", lookupOptions(io, values, style));
    if (json) {
      for (const warning of session.warnings) io.stderr(formatWarning(warning, style));
      if (isStepFilterActive(filter)) {
        const shown = filterStepTree(stepTree(session.steps), filter);
        printJson(io, {
          ...session,
          filter: stepFilterToJson(filter),
          steps: shown.map(({ step, picked }) => picked ? step : { ...step, filter_ancestor: true }),
        });
      } else printJson(io, session);
    } else {
      let text = renderSessionText(session, style, values.full === true ? Infinity : 120, filter);
      // Unreadable lines go in a footer, where a reader paging through the output sees them.
      if (session.warnings.length > 0) {
        text += "\n" + session.warnings.map((warning) => formatWarning(warning, style)).join("");
      }
      io.stdout(text);
    }
    return 0;
  },
};
