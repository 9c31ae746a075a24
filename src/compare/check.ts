/**
 * Budgets and expectations for one run, for CI: errors, cost, tokens,
 * duration, p95, steps, steps in flight, required steps and decisions, and,
 * against a baseline run, cost and duration increases and the same decisions
 * (by the alignment of `diffSessions`).
 *
 * @module
 */

import { diffSessions, totalsOf } from "./diff.ts";
import type { JsonValue, Session } from "../format/types.ts";

/**
 * The rules {@linkcode checkSession} applies; each is optional. The baseline
 * rules (`maxCostIncrease`, `maxDurationIncrease`, `sameDecisions`) need a
 * baseline session.
 *
 * @example Budgets for a run
 * ```ts
 * import { type CheckRules, checkSession, readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("qa_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("answer", (step) => step.usage({ input_tokens: 900, output_tokens: 100, cost_usd: 0.004 }));
 * await tracer.close();
 * const rules: CheckRules = { maxErrors: 0, maxCost: 0.01, maxTokens: 2000, requireSteps: ["answer"] };
 * console.log(checkSession(await readSession(tracer.path!), rules).ok); // true
 * ```
 */
export interface CheckRules {
  /** At most this many failed steps. */
  maxErrors?: number;
  /** At most this cost, US dollars. */
  maxCost?: number;
  /** At most this many tokens (input and output). */
  maxTokens?: number;
  /** At most this long from start to end, milliseconds. */
  maxDuration?: number;
  /** The 95th percentile of step durations at most this, milliseconds. */
  maxP95?: number;
  /** At most this many completed steps. */
  maxSteps?: number;
  /** The run completed, with no step in flight (a crashed or running run fails). */
  noInFlight?: boolean;
  /** Each of these step names completed at least once. */
  requireSteps?: string[];
  /** A step of each name decided that action. */
  requireDecisions?: { step: string; action: string }[];
  /** The cost grew by at most this percentage over the baseline's. */
  maxCostIncrease?: number;
  /** The duration grew by at most this percentage over the baseline's. */
  maxDurationIncrease?: number;
  /**
   * Every decision's action is the baseline's, step for step (as `diffSessions` aligns them); a step with a
   * decision that only one of the runs has counts as a change.
   */
  sameDecisions?: boolean;
}

/**
 * The outcome of one rule.
 *
 * @example The rules that failed
 * ```ts
 * import { type CheckResult, checkSession, readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("qa_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("fetch", (step) => step.fail("HTTP 503"));
 * await tracer.close();
 * const report = checkSession(await readSession(tracer.path!), { maxErrors: 0 });
 * const failed: CheckResult[] = report.results.filter((result) => !result.ok);
 * console.log(failed.map((result) => [result.rule, result.value, result.limit])); // [ [ "max-errors", 1, 0 ] ]
 * ```
 */
export interface CheckResult {
  /** The rule, as its command-line flag is named: `"max-errors"`, `"require-step"`, … */
  rule: string;
  /** The step name a `require-step` or `require-decision` rule is about. */
  target?: string;
  /** Whether it holds (a rule that could not be checked holds, with `skipped` saying why). */
  ok: boolean;
  /** What was measured, or `null` when it could not be. */
  value: JsonValue;
  /** The limit, or what was expected. */
  limit: JsonValue;
  /** Why the rule could not be checked on this session. */
  skipped?: string;
  /** What a person should know about the result, e.g. which decision changed. */
  note?: string;
}

/**
 * What {@linkcode checkSession} found: whether every rule holds, and each rule's outcome.
 *
 * @example Gate a CI job on a run
 * ```ts
 * import { checkSession, type CheckReport, readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("qa_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("answer", () => {});
 * await tracer.close();
 * const report: CheckReport = checkSession(await readSession(tracer.path!), { noInFlight: true });
 * if (!report.ok) throw new Error("the run broke a rule");
 * console.log(report.results[0].rule, report.results[0].ok); // no-in-flight true
 * ```
 */
export interface CheckReport {
  /** Whether every rule holds. */
  ok: boolean;
  /** One result per rule, in the order of {@linkcode CheckRules}. */
  results: CheckResult[];
}

/** Whether a session comes from the original Python tracer (no schema) and records nothing of a kind. */
function originalWithout(session: Session, what: "usage" | "decision"): boolean {
  return session.schema === null && !session.steps.some((step) => step[what] !== undefined);
}

const NO_USAGE = "the original Python tracer records no token usage or cost";
const NO_DECISIONS = "the original Python tracer records no decisions";

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The percentage `now` grew over `before`, or `null` when `before` is 0 and `now` is not. */
function increase(before: number, now: number): number | null {
  if (before === 0) return now === 0 ? 0 : null;
  return round(((now - before) / before) * 100, 1);
}

/**
 * Checks a run against budgets and expectations, and against a baseline run
 * when given. A rule that cannot apply to the session (token or decision
 * rules on a file of the original Python tracer, which records neither) holds
 * and says so in `skipped`.
 *
 * @example A run against its baseline
 * ```ts
 * import { checkSession, readSession, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const paths: string[] = [];
 * for (const [action, cost] of [["search", 0.002], ["browse", 0.003]] as const) {
 *   const tracer = new Tracer("qa_agent", { traceDir });
 *   tracer.step("choose_tool", (step) => {
 *     step.decide(action);
 *     step.usage({ cost_usd: cost });
 *   });
 *   await tracer.close();
 *   paths.push(tracer.path!);
 * }
 * const [baseline, run] = [await readSession(paths[0]), await readSession(paths[1])];
 * const report = checkSession(run, { maxCostIncrease: 25, sameDecisions: true }, baseline);
 * for (const result of report.results) console.log(result.rule, result.ok, result.value, result.limit);
 * // max-cost-increase false 50 25
 * // same-decisions false 1 0
 * ```
 *
 * @param session The run, as {@linkcode readSession} returns it.
 * @param rules The rules; those left out are not checked.
 * @param baseline The run to compare with, for the baseline rules.
 * @returns Whether every rule holds, and each rule's outcome.
 * @throws {TypeError} when a baseline rule is given without a baseline.
 */
export function checkSession(session: Session, rules: CheckRules, baseline?: Session): CheckReport {
  const results: CheckResult[] = [];
  const totals = totalsOf(session);
  const atMost = (rule: string, value: number | null, limit: number, skipped?: string) => {
    if (skipped !== undefined) results.push({ rule, ok: true, value: null, limit, skipped });
    else results.push({ rule, ok: value !== null && value <= limit, value, limit });
  };
  const noUsage = originalWithout(session, "usage") ? NO_USAGE : undefined;
  const noDecisions = originalWithout(session, "decision") ? NO_DECISIONS : undefined;
  if (rules.maxErrors !== undefined) atMost("max-errors", totals.errors, rules.maxErrors);
  if (rules.maxCost !== undefined) atMost("max-cost", totals.cost_usd, rules.maxCost, noUsage);
  if (rules.maxTokens !== undefined) atMost("max-tokens", totals.tokens, rules.maxTokens, noUsage);
  if (rules.maxDuration !== undefined) {
    const value = totals.duration_ms === null ? null : round(totals.duration_ms, 3);
    atMost("max-duration", value, rules.maxDuration);
    if (value === null) results[results.length - 1].note = "the session's duration is unknown";
  }
  if (rules.maxP95 !== undefined) atMost("max-p95", totals.p95_ms, rules.maxP95);
  if (rules.maxSteps !== undefined) atMost("max-steps", totals.steps, rules.maxSteps);
  if (rules.noInFlight === true) {
    const ok = totals.in_flight === 0 && session.state === "complete";
    const result: CheckResult = { rule: "no-in-flight", ok, value: totals.in_flight, limit: 0 };
    if (session.state !== "complete") {
      const inFlight = totals.in_flight > 0 ? ` with ${totals.in_flight} step(s) in flight` : "";
      result.note = session.state === "running"
        ? `the session is still running${inFlight}`
        : `the session crashed${inFlight}`;
    }
    results.push(result);
  }
  for (const name of rules.requireSteps ?? []) {
    let count = 0;
    for (const step of session.steps) if (step.name === name && !step.in_flight) count++;
    results.push({ rule: "require-step", target: name, ok: count > 0, value: count, limit: 1 });
  }
  for (const { step: name, action } of rules.requireDecisions ?? []) {
    if (noDecisions !== undefined) {
      results.push({
        rule: "require-decision",
        target: name,
        ok: true,
        value: null,
        limit: action,
        skipped: noDecisions,
      });
      continue;
    }
    const actions: string[] = [];
    for (const step of session.steps) {
      if (step.name === name && step.decision !== undefined) actions.push(step.decision.action);
    }
    const result: CheckResult = {
      rule: "require-decision",
      target: name,
      ok: actions.includes(action),
      value: actions.length === 0 ? null : [...new Set(actions)].join(", "),
      limit: action,
    };
    if (actions.length === 0) {
      result.note = session.steps.some((step) => step.name === name)
        ? `no step "${name}" decided anything`
        : `no step is named "${name}"`;
    }
    results.push(result);
  }
  const baselineRules = rules.maxCostIncrease !== undefined || rules.maxDurationIncrease !== undefined ||
    rules.sameDecisions === true;
  if (baselineRules && baseline === undefined) {
    throw new TypeError("The rules max-cost-increase, max-duration-increase and same-decisions need a baseline");
  }
  if (baseline !== undefined) {
    const before = totalsOf(baseline);
    if (rules.maxCostIncrease !== undefined) {
      const skipped = noUsage ?? (originalWithout(baseline, "usage") ? NO_USAGE : undefined);
      atMost("max-cost-increase", increase(before.cost_usd, totals.cost_usd), rules.maxCostIncrease, skipped);
      const result = results[results.length - 1];
      if (skipped === undefined && result.value === null) result.note = "the baseline cost nothing";
    }
    if (rules.maxDurationIncrease !== undefined) {
      const value = before.duration_ms === null || totals.duration_ms === null
        ? null
        : increase(before.duration_ms, totals.duration_ms);
      atMost("max-duration-increase", value, rules.maxDurationIncrease);
      if (value === null) results[results.length - 1].note = "a duration is unknown or the baseline's is 0";
    }
    if (rules.sameDecisions === true) {
      const skipped = noDecisions ?? (originalWithout(baseline, "decision") ? NO_DECISIONS : undefined);
      if (skipped !== undefined) {
        results.push({ rule: "same-decisions", ok: true, value: null, limit: 0, skipped });
      } else {
        const changed = diffSessions(baseline, session).rows.filter((row) =>
          (row.a?.decision !== undefined || row.b?.decision !== undefined) &&
          row.a?.decision?.action !== row.b?.decision?.action
        );
        const result: CheckResult = {
          rule: "same-decisions",
          ok: changed.length === 0,
          value: changed.length,
          limit: 0,
        };
        const first = changed[0];
        if (first !== undefined) {
          const action = (side: typeof first.a) => side === null ? "(no such step)" : side.decision?.action ?? "(none)";
          result.note = `first at ${first.path.join(" > ")}: ${action(first.a)} → ${action(first.b)}`;
        }
        results.push(result);
      }
    }
  }
  return { ok: results.every((result) => result.ok), results };
}
