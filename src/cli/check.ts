/**
 * `ai-trace check <session> [--baseline S] [rules]`: budgets and expectations
 * for CI. One line per rule, pass or fail, with the measured value and the
 * limit. Exit 0 when every rule holds, 1 when one fails, 2 for usage errors
 * and unreadable input.
 *
 * @module
 */

import { type CheckResult, type CheckRules, checkSession } from "../compare/check.ts";
import { NotFoundError, PermissionError, readTextFile } from "../runtime.ts";
import { parseJsonLine } from "../format/parse_line.ts";
import { type Command, COMMON_HELP, type OptionValues, printJson, stringFlag } from "./command.ts";
import { formatDuration, printable, type Style, table } from "./format.ts";
import { formatWarning } from "./list.ts";
import { describeFailure, EXIT_USAGE, UsageError } from "./usage_error.ts";
import { AGENT_OPTION, lookupOptions, resolveSession, SESSION_HELP } from "./view.ts";

const HELP = "ai-trace check --help";

/** The numeric rules: flag name, field of {@linkcode CheckRules}, whether it must be a whole number. */
const NUMBERS: [string, keyof CheckRules, "count" | "amount" | "percent"][] = [
  ["max-errors", "maxErrors", "count"],
  ["max-cost", "maxCost", "amount"],
  ["max-tokens", "maxTokens", "count"],
  ["max-duration", "maxDuration", "amount"],
  ["max-p95", "maxP95", "amount"],
  ["max-steps", "maxSteps", "count"],
  ["max-cost-increase", "maxCostIncrease", "percent"],
  ["max-duration-increase", "maxDurationIncrease", "percent"],
];
const SWITCHES: [string, keyof CheckRules][] = [["no-in-flight", "noInFlight"], ["same-decisions", "sameDecisions"]];
const RULE_KEYS = [
  ...NUMBERS.map(([flag]) => flag),
  ...SWITCHES.map(([flag]) => flag),
  "require-step",
  "require-decision",
];

/** A rules file that cannot be used: a usage error naming the file. */
function rulesError(path: string, problem: string): UsageError {
  return new UsageError(`Cannot use rules file "${path}": ${problem}`, HELP);
}

function parseNumber(text: unknown, kind: "count" | "amount" | "percent", where: string): number {
  const value = typeof text === "number" ? text : typeof text === "string" && text.trim() !== "" ? Number(text) : NaN;
  const ok = Number.isFinite(value) &&
    (kind === "percent" || value >= 0) &&
    (kind !== "count" || Number.isInteger(value));
  if (!ok) {
    const expected = kind === "count" ? "a whole number ≥ 0" : kind === "amount" ? "a number ≥ 0" : "a number";
    throw new UsageError(`${where} must be ${expected}, not ${JSON.stringify(text) ?? String(text)}`, HELP);
  }
  return value;
}

function parseDecision(text: string, where: string): { step: string; action: string } {
  const at = text.lastIndexOf("=");
  if (at <= 0 || at === text.length - 1) {
    throw new UsageError(`${where} must be STEP=ACTION, not ${JSON.stringify(text)}`, HELP);
  }
  return { step: text.slice(0, at), action: text.slice(at + 1) };
}

/**
 * Reads a rules file: a JSON object whose keys are the rule flags without
 * their dashes, e.g. `{ "max-errors": 0, "require-step": ["plan"],
 * "require-decision": { "choose_tool": "search" } }`.
 *
 * @param path The file.
 * @returns The rules.
 * @throws {UsageError} naming the file and what is wrong with it.
 */
export function readRulesFile(path: string): CheckRules {
  let text: string;
  try {
    text = readTextFile(path);
  } catch (err) {
    if (err instanceof NotFoundError) throw rulesError(path, "no such file");
    if (err instanceof PermissionError) throw rulesError(path, "permission denied");
    throw err;
  }
  let value: unknown;
  try {
    value = parseJsonLine(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw rulesError(path, "it is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw rulesError(path, 'it must hold a JSON object such as { "max-errors": 0 }');
  }
  const rules: CheckRules = {};
  for (const [key, raw] of Object.entries(value)) {
    const where = `"${key}" in "${path}"`;
    const number = NUMBERS.find(([flag]) => flag === key);
    const toggle = SWITCHES.find(([flag]) => flag === key);
    if (number) {
      (rules[number[1]] as number) = parseNumber(raw, number[2], where);
    } else if (toggle) {
      if (typeof raw !== "boolean") throw new UsageError(`${where} must be true or false`, HELP);
      (rules[toggle[1]] as boolean) = raw;
    } else if (key === "require-step") {
      const names = typeof raw === "string" ? [raw] : raw;
      if (!Array.isArray(names) || !names.every((name) => typeof name === "string" && name !== "")) {
        throw new UsageError(`${where} must be a step name or a list of step names`, HELP);
      }
      rules.requireSteps = names as string[];
    } else if (key === "require-decision") {
      if (Array.isArray(raw) && raw.every((item) => typeof item === "string")) {
        rules.requireDecisions = raw.map((item) => parseDecision(item as string, where));
      } else if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
        rules.requireDecisions = Object.entries(raw).map(([step, action]) => {
          if (typeof action !== "string" || action === "") {
            throw new UsageError(`${where} must map each step to an action (a string)`, HELP);
          }
          return { step, action };
        });
      } else {
        throw new UsageError(`${where} must be { "STEP": "ACTION", … } or [ "STEP=ACTION", … ]`, HELP);
      }
    } else {
      throw rulesError(path, `unknown rule "${key}" (the rules are ${RULE_KEYS.join(", ")})`);
    }
  }
  return rules;
}

function strings(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** The rules of a command line: the rules file first, then the flags (which win, and add to its lists). */
export function rulesFromFlags(values: OptionValues): CheckRules {
  const file = stringFlag(values, "rules");
  const rules: CheckRules = file === undefined ? {} : readRulesFile(file);
  for (const [flag, field, kind] of NUMBERS) {
    const text = stringFlag(values, flag);
    if (text !== undefined) (rules[field] as number) = parseNumber(text, kind, `--${flag}`);
  }
  for (const [flag, field] of SWITCHES) if (values[flag] === true) (rules[field] as boolean) = true;
  const steps = strings(values, "require-step");
  if (steps.some((step) => step === "")) throw new UsageError("--require-step needs a step name", HELP);
  if (steps.length > 0) rules.requireSteps = [...(rules.requireSteps ?? []), ...steps];
  const decisions = strings(values, "require-decision").map((text) => parseDecision(text, "--require-decision"));
  if (decisions.length > 0) rules.requireDecisions = [...(rules.requireDecisions ?? []), ...decisions];
  return rules;
}

function money(usd: number): string {
  return `$${Number(usd.toFixed(6))}`;
}

/** A rule's value or limit, for people: dollars, durations, percentages, counts. */
function shown(result: CheckResult, value: CheckResult["value"]): string {
  if (value === null) return "-";
  if (typeof value !== "number") return printable(String(value));
  switch (result.rule) {
    case "max-cost":
      return money(value);
    case "max-duration":
    case "max-p95":
      return formatDuration(value);
    case "max-cost-increase":
    case "max-duration-increase":
      return `${value > 0 ? "+" : ""}${value}%`;
    default:
      return String(value);
  }
}

/** The relation a rule's limit stands in. */
function relation(result: CheckResult): string {
  if (result.rule === "require-step") return "≥";
  if (result.rule === "require-decision") return "=";
  return "≤";
}

/**
 * Renders a check report as text: one line per rule, then the verdict.
 *
 * @param results The rules' outcomes.
 * @param style Colors, or none.
 * @returns The text.
 */
export function renderCheckText(results: CheckResult[], style: Style): string {
  const rows = results.map((result) => {
    const status = result.skipped !== undefined
      ? style.yellow("SKIP")
      : result.ok
      ? style.green("PASS")
      : style.red("FAIL");
    const rule = result.target === undefined ? result.rule : `${result.rule} ${printable(result.target)}`;
    const why = result.skipped ?? result.note ?? "";
    return [
      status,
      rule,
      shown(result, result.value),
      `${relation(result)} ${shown(result, result.limit)}`,
      printable(why),
    ];
  });
  const failed = results.filter((result) => !result.ok).length;
  const skipped = results.filter((result) => result.skipped !== undefined).length;
  const skippedText = skipped > 0 ? ` (${skipped} could not be checked on this session)` : "";
  const verdict = failed > 0
    ? style.red(`${failed} of ${results.length} rules failed${skippedText}`)
    : style.green(`All ${results.length} rules pass${skippedText}`);
  return table([["", "RULE", "VALUE", "LIMIT", ""], ...rows]) + verdict + "\n";
}

/** The `check` command. */
export const check: Command = {
  name: "check",
  summary: "Budgets and expectations for CI (errors, cost, tokens, p95, decisions)",
  help: `Usage: ai-trace check <session> [--baseline <session>] [rules] [--rules FILE] [--json]

Checks one run against budgets and expectations, for CI: one line per rule,
PASS or FAIL with the measured value and the limit. A rule that cannot apply
to the session (token, cost and decision rules on a file of the original
Python tracer, which records neither) is shown as SKIP and does not fail.

${SESSION_HELP}

Rules (each optional):
      --max-errors N              At most N failed steps
      --max-cost USD              At most this cost, in US dollars
      --max-tokens N              At most N tokens (input + output)
      --max-duration MS           At most this long from start to end
      --max-p95 MS                95th percentile step duration at most this
      --max-steps N               At most N completed steps
      --no-in-flight              The run completed, no step in flight (a
                                  crashed or still running run fails)
      --require-step NAME         A step NAME completed (repeatable)
      --require-decision STEP=ACTION
                                  A step STEP decided ACTION (repeatable)
With --baseline <session>:
      --max-cost-increase PCT     Cost grew by at most PCT percent
      --max-duration-increase PCT Duration grew by at most PCT percent
      --same-decisions            Every decision's action is the baseline's,
                                  step for step (aligned as "ai-trace diff" does;
                                  a decision only one run has is a change)

Options:
      --baseline <session>        The run to compare with
      --rules FILE                Rules from a JSON file, keys as the flags:
                                  { "max-errors": 0, "max-cost": 0.05,
                                    "require-step": ["plan"],
                                    "require-decision": { "choose_tool": "search" },
                                    "same-decisions": true }
                                  Flags on the command line win over the file.
      --agent NAME                With latest or latest~N: that agent's
                                  sessions only (repeatable)

--json prints { "ok": bool, "results": [{ "rule", "ok", "value", "limit" }] }
(and "target", "skipped", "note" where they apply).

Exit codes: 0 every rule holds, 1 a rule fails, 2 bad usage or a session or
rules file that cannot be found or read.

${COMMON_HELP}`,
  options: {
    baseline: { type: "string" },
    rules: { type: "string" },
    agent: AGENT_OPTION,
    ...Object.fromEntries(NUMBERS.map(([flag]) => [flag, { type: "string" as const }])),
    "no-in-flight": { type: "boolean" },
    "same-decisions": { type: "boolean" },
    "require-step": { type: "string", multiple: true },
    "require-decision": { type: "string", multiple: true },
  },
  maxPositionals: 1,
  async run({ io, dir, json, style, values, positionals }): Promise<number> {
    try {
      if (positionals.length === 0) throw new UsageError('Missing <session> (a session id, a file, or "latest")', HELP);
      const rules = rulesFromFlags(values);
      const baselineQuery = stringFlag(values, "baseline");
      const needsBaseline = [
        rules.maxCostIncrease !== undefined ? "--max-cost-increase" : "",
        rules.maxDurationIncrease !== undefined ? "--max-duration-increase" : "",
        rules.sameDecisions === true ? "--same-decisions" : "",
      ].filter((flag) => flag !== "");
      if (needsBaseline.length > 0 && baselineQuery === undefined) {
        throw new UsageError(`${needsBaseline.join(", ")} needs --baseline <session>`, HELP);
      }
      if (Object.keys(rules).length === 0) {
        throw new UsageError("No rules given (e.g. --max-errors 0, or --rules FILE)", HELP);
      }
      const lookup = lookupOptions(io, values, style);
      const session = await resolveSession(dir, positionals[0], io.now(), "check", lookup);
      const baseline = baselineQuery === undefined
        ? undefined
        : await resolveSession(dir, baselineQuery, io.now(), "check", lookup);
      for (const warning of [...session.warnings, ...(baseline?.warnings ?? [])]) {
        io.stderr(formatWarning(warning, style));
      }
      const report = checkSession(session, rules, baseline);
      if (json) printJson(io, report);
      else {
        const against = baseline ? ` against ${printable(baseline.path)}` : "";
        io.stdout(`${style.bold("check")} ${printable(session.path)} (${session.state})${against}\n`);
        io.stdout(renderCheckText(report.results, style));
      }
      return report.ok ? 0 : 1;
    } catch (err) {
      // 1 means "a rule failed": any trouble is 2.
      io.stderr(describeFailure(err).text);
      return EXIT_USAGE;
    }
  },
};
