/**
 * Compares two runs step by step: where the second run first decided
 * differently from the first, every step that changed, was added or went
 * missing, and both runs' totals.
 *
 * @module
 */

import { type AlignedPair, alignSteps, pathOf } from "./align.ts";
import type { JsonValue, Session, SessionState, SessionStep } from "../format/types.ts";

/**
 * Why a step counts as different: its decision's action, its outcome, its
 * context (only with `context: true`), or it is in one run only — `"missing"`
 * from the second run, or `"added"` by it.
 *
 * @example The reason of a first divergence
 * ```ts
 * import { diffSessions, type DivergenceReason, readSession, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const paths: string[] = [];
 * for (const action of ["BUY", "SELL"]) {
 *   const tracer = new Tracer("trader", { traceDir });
 *   tracer.step("decide", (step) => step.decide(action));
 *   await tracer.close();
 *   paths.push(tracer.path!);
 * }
 * const diff = diffSessions(await readSession(paths[0]), await readSession(paths[1]));
 * const reason: DivergenceReason | undefined = diff.first_divergence?.reason;
 * console.log(reason); // decision
 * ```
 */
export type DivergenceReason = "decision" | "outcome" | "missing" | "added" | "context";

/**
 * How a step of the aligned tree compares: `=` the same, `~` changed, `+`
 * only in the second run, `-` only in the first.
 *
 * @example Count the markers of a comparison
 * ```ts
 * import { diffSessions, type DiffMarker, readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trader", { traceDir: await Deno.makeTempDir() });
 * tracer.step("scan", () => {});
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * const markers: DiffMarker[] = diffSessions(session, session).rows.map((row) => row.marker);
 * console.log(markers); // [ "=" ]
 * ```
 */
export type DiffMarker = "=" | "~" | "+" | "-";

/**
 * One place of the aligned tree: a step of each run, or a step of one run only.
 *
 * @example The aligned tree, as text
 * ```ts
 * import { diffSessions, type DiffRow, readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trader", { traceDir: await Deno.makeTempDir() });
 * tracer.step("scan", () => tracer.step("fetch", () => {}));
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * const rows: DiffRow[] = diffSessions(session, session).rows;
 * for (const row of rows) console.log(row.marker, "  ".repeat(row.depth) + row.path.at(-1));
 * // = scan
 * // =   fetch
 * ```
 */
export interface DiffRow {
  /** `=` the same, `~` changed, `+` only in the second run, `-` only in the first. */
  marker: DiffMarker;
  /** Why it differs, most telling first; empty when the same. */
  changes: DivergenceReason[];
  /** How deep in the tree: 0 for a top-level step. */
  depth: number;
  /**
   * Where it is: the step names from the top down to this one, each followed
   * by `#k` when it is the k-th (k ≥ 2) sibling with that name. At most 32
   * names; deeper paths start with `"…"`.
   */
  path: string[];
  /** The first run's step, or `null`. */
  a: SessionStep | null;
  /** The second run's step, or `null`. */
  b: SessionStep | null;
}

/**
 * A step that differs between the two runs.
 *
 * @example Every difference, one line each
 * ```ts
 * import { diffSessions, readSession, type StepDifference, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const paths: string[] = [];
 * for (const retries of [0, 1]) {
 *   const tracer = new Tracer("fetcher", { traceDir });
 *   for (let i = 0; i <= retries; i++) tracer.step("fetch", () => {});
 *   await tracer.close();
 *   paths.push(tracer.path!);
 * }
 * const diff = diffSessions(await readSession(paths[0]), await readSession(paths[1]));
 * const differences: StepDifference[] = diff.differences;
 * for (const d of differences) console.log(d.reason, d.path.join(" > ")); // added fetch#2
 * ```
 */
export interface StepDifference {
  /** The most telling reason: `added`/`missing`, then `decision`, `outcome`, `context`. */
  reason: DivergenceReason;
  /** Every reason, most telling first. */
  changes: DivergenceReason[];
  /** Where it is in the tree (see {@linkcode DiffRow.path}). */
  path: string[];
  /** The first run's step, or `null` when only the second run has it. */
  a: SessionStep | null;
  /** The second run's step, or `null` when only the first run has it. */
  b: SessionStep | null;
}

/**
 * One run's totals, as the comparison shows them side by side.
 *
 * @example Cost and tokens of both runs
 * ```ts
 * import { diffSessions, readSession, type SessionTotals, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("writer", { traceDir: await Deno.makeTempDir() });
 * tracer.step("draft", (step) => step.usage({ input_tokens: 100, output_tokens: 20, cost_usd: 0.001 }));
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * const totals: SessionTotals = diffSessions(session, session).totals.b;
 * console.log(totals.tokens, totals.cost_usd); // 120 0.001
 * ```
 */
export interface SessionTotals {
  /** The agent's name. */
  agent: string;
  /** The session id. */
  session_id: string;
  /** The file it was read from. */
  path: string;
  /** complete, crashed or running. */
  state: SessionState;
  /** Completed steps. */
  steps: number;
  /** Steps whose outcome is `"error"`. */
  errors: number;
  /** Steps begun and never ended. */
  in_flight: number;
  /** From the session's start to its end, milliseconds, or `null` when unknown. */
  duration_ms: number | null;
  /** 95th percentile of step durations, milliseconds. */
  p95_ms: number;
  /** Input tokens summed. */
  input_tokens: number;
  /** Output tokens summed. */
  output_tokens: number;
  /** Input and output tokens summed. */
  tokens: number;
  /** Cost summed, US dollars. */
  cost_usd: number;
  /** Steps with a decision. */
  decisions: number;
}

/**
 * Where the second run first decided differently: the first step, in tree
 * order, whose decision's action or outcome differs (or its context, with
 * `context: true`), or that only one run has.
 *
 * @example Both reasons of the first different decision
 * ```ts
 * import { diffSessions, type FirstDivergence, readSession, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const paths: string[] = [];
 * for (const [action, reason] of [["BUY", "breakout"], ["HOLD", "volume too low"]]) {
 *   const tracer = new Tracer("trader", { traceDir });
 *   tracer.step("decide", (step) => step.decide(action, { reason }));
 *   await tracer.close();
 *   paths.push(tracer.path!);
 * }
 * const diff = diffSessions(await readSession(paths[0]), await readSession(paths[1]));
 * const first: FirstDivergence | null = diff.first_divergence;
 * console.log(first?.a?.decision?.reason, "→", first?.b?.decision?.reason); // breakout → volume too low
 * ```
 */
export interface FirstDivergence {
  /** Why the step differs (its most telling reason). */
  reason: DivergenceReason;
  /** Where it is in the tree (see {@linkcode DiffRow.path}). */
  path: string[];
  /** The first run's step, or `null`. */
  a: SessionStep | null;
  /** The second run's step, or `null`. */
  b: SessionStep | null;
}

/**
 * Two runs compared by {@linkcode diffSessions}.
 *
 * @example Decide whether two runs are the same
 * ```ts
 * import { diffSessions, readSession, type SessionDiff, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trader", { traceDir: await Deno.makeTempDir() });
 * tracer.step("decide", (step) => step.decide("HOLD"));
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * const diff: SessionDiff = diffSessions(session, session);
 * console.log(diff.identical, diff.first_divergence, diff.differences.length); // true null 0
 * ```
 */
export interface SessionDiff {
  /** Whether no step differs (times, tokens and costs may still differ). */
  identical: boolean;
  /** The first step that differs, in tree order, or `null` when none does. */
  first_divergence: FirstDivergence | null;
  /** Both runs' totals. */
  totals: { a: SessionTotals; b: SessionTotals };
  /** Every step that differs, in tree order. */
  differences: StepDifference[];
  /** The aligned tree: every step of both runs once, in tree order. */
  rows: DiffRow[];
}

/**
 * Options of {@linkcode diffSessions}.
 *
 * @example Count a changed context as a difference
 * ```ts
 * import { diffSessions, type DiffOptions, readSession, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const paths: string[] = [];
 * for (const symbol of ["BTCUSDT", "ETHUSDT"]) {
 *   const tracer = new Tracer("trader", { traceDir });
 *   tracer.step("scan", { symbol }, () => {});
 *   await tracer.close();
 *   paths.push(tracer.path!);
 * }
 * const [a, b] = [await readSession(paths[0]), await readSession(paths[1])];
 * const options: DiffOptions = { context: true };
 * console.log(diffSessions(a, b).identical, diffSessions(a, b, options).identical); // true false
 * ```
 */
export interface DiffOptions {
  /**
   * Count a step whose context differs as changed.
   *
   * @default {false}
   */
  context?: boolean;
}

const REASON_ORDER: DivergenceReason[] = ["missing", "added", "decision", "outcome", "context"];

/** Whether two JSON values are equal, without recursion (contexts may nest deeply). */
export function jsonEqual(x: JsonValue | undefined, y: JsonValue | undefined): boolean {
  const stack: [JsonValue | undefined, JsonValue | undefined][] = [[x, y]];
  while (stack.length > 0) {
    const [p, q] = stack.pop()!;
    if (p === q) continue;
    if (typeof p !== "object" || typeof q !== "object" || p === null || q === null) {
      if (typeof p === "number" && typeof q === "number" && Number.isNaN(p) && Number.isNaN(q)) continue;
      return false;
    }
    if (Array.isArray(p) !== Array.isArray(q)) return false;
    if (Array.isArray(p)) {
      const r = q as JsonValue[];
      if (p.length !== r.length) return false;
      for (let i = 0; i < p.length; i++) stack.push([p[i], r[i]]);
      continue;
    }
    const objectQ = q as { [key: string]: JsonValue };
    const keys = Object.keys(p);
    if (keys.length !== Object.keys(objectQ).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(objectQ, key)) return false;
      stack.push([p[key], objectQ[key]]);
    }
  }
  return true;
}

/** Why two aligned steps differ, most telling first. */
function changesOf(pair: AlignedPair, options: DiffOptions): DivergenceReason[] {
  if (pair.a === null) return ["added"];
  if (pair.b === null) return ["missing"];
  const changes: DivergenceReason[] = [];
  if (pair.a.decision?.action !== pair.b.decision?.action) changes.push("decision");
  if (pair.a.outcome !== pair.b.outcome || pair.a.in_flight !== pair.b.in_flight) changes.push("outcome");
  if (options.context === true && !jsonEqual(pair.a.context, pair.b.context)) changes.push("context");
  return changes.sort((x, y) => REASON_ORDER.indexOf(x) - REASON_ORDER.indexOf(y));
}

/**
 * A run's totals.
 *
 * @param session The session.
 * @returns Its totals.
 */
export function totalsOf(session: Session): SessionTotals {
  const s = session.summary;
  let decisions = 0;
  for (const step of session.steps) if (step.decision !== undefined) decisions++;
  const duration = session.started_at !== null && session.finished_at !== null
    ? Math.max(0, Math.round((session.finished_at - session.started_at) * 1e6) / 1e3)
    : null;
  return {
    agent: session.agent,
    session_id: session.session_id,
    path: session.path,
    state: session.state,
    steps: s.steps,
    errors: s.errors,
    in_flight: s.in_flight,
    duration_ms: duration,
    p95_ms: s.p95_ms,
    input_tokens: s.input_tokens,
    output_tokens: s.output_tokens,
    tokens: s.input_tokens + s.output_tokens,
    cost_usd: s.cost_usd,
    decisions,
  };
}

/**
 * Compares two runs step by step. Steps are aligned by their place in the
 * tree (parent, name, and place among the siblings with that name), tolerant
 * of steps inserted or missing on either side; each pair is compared by its
 * decision's action and its outcome (and its context, with `context: true`).
 *
 * @example Where the second run first decided differently, and why
 * ```ts
 * import { diffSessions, readSession, Tracer } from "@ai-trace/core";
 *
 * const traceDir = await Deno.makeTempDir();
 * const paths: string[] = [];
 * for (const [action, reason] of [["ENTER_LONG", "breakout"], ["HOLD", "volume too low"]]) {
 *   const tracer = new Tracer("trading_agent", { traceDir });
 *   tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 *   tracer.step("decision", (step) => step.decide(action, { reason }));
 *   await tracer.close();
 *   paths.push(tracer.path!);
 * }
 * const diff = diffSessions(await readSession(paths[0]), await readSession(paths[1]));
 * const first = diff.first_divergence!;
 * console.log(first.reason, first.path.join(" > ")); // decision decision
 * console.log(first.a?.decision?.reason, "→", first.b?.decision?.reason); // breakout → volume too low
 * console.log(diff.rows.map((row) => row.marker).join("")); // =~
 * ```
 *
 * @param a The first run (the baseline), as {@linkcode readSession} returns it.
 * @param b The second run.
 * @param options Whether a changed context counts as a difference.
 * @returns The first divergence, every difference, the aligned tree, and both runs' totals.
 */
export function diffSessions(a: Session, b: Session, options: DiffOptions = {}): SessionDiff {
  const rows: DiffRow[] = [];
  const differences: StepDifference[] = [];
  for (const pair of alignSteps(a.steps, b.steps)) {
    const changes = changesOf(pair, options);
    const marker: DiffMarker = pair.a === null ? "+" : pair.b === null ? "-" : changes.length > 0 ? "~" : "=";
    const path = pathOf(pair);
    rows.push({ marker, changes, depth: pair.depth, path, a: pair.a, b: pair.b });
    if (changes.length > 0) differences.push({ reason: changes[0], changes, path, a: pair.a, b: pair.b });
  }
  const first = differences[0];
  return {
    identical: differences.length === 0,
    first_divergence: first ? { reason: first.reason, path: first.path, a: first.a, b: first.b } : null,
    totals: { a: totalsOf(a), b: totalsOf(b) },
    differences,
    rows,
  };
}
