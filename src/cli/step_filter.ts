/**
 * Which steps of one session `view` shows: `--errors`, `--in-flight`,
 * `--name`, `--kind`, `--decisions` pick steps (all that are given must
 * hold), their ancestors come along so the tree and what the agent saw stay
 * readable, and `--depth` cuts the tree.
 *
 * @module
 */

import type { SessionStep } from "../format/types.ts";
import { globMatch } from "../read/session_filter.ts";
import type { OptionsConfig, OptionValues } from "./command.ts";
import { countFlag } from "./list.ts";
import { UsageError } from "./usage_error.ts";

/** The steps to pick. */
export interface StepFilter {
  /** Failed steps (outcome `"error"`). */
  errors?: boolean;
  /** Steps begun and never ended. */
  inFlight?: boolean;
  /** Step names, exact or a glob. */
  name?: string;
  /** Step kinds, exact or a glob. */
  kind?: string;
  /** Steps with a decision. */
  decisions?: boolean;
  /** Levels of the tree to show: 1 is the top-level steps only. */
  depth?: number;
}

/** The flags of a step filter. */
export const STEP_FILTER_OPTIONS: OptionsConfig = {
  errors: { type: "boolean" },
  "in-flight": { type: "boolean" },
  name: { type: "string" },
  kind: { type: "string" },
  decisions: { type: "boolean" },
  depth: { type: "string" },
};

/** Their help lines. */
export const STEP_FILTER_HELP = `Step filters (all that are given must hold; the steps above a step shown
come along, with their context, so you see what the agent saw):
      --errors          Failed steps
      --in-flight       Steps begun and never ended
      --name PATTERN    Steps with this name, exact or a glob such as "fetch_*"
      --kind KIND       Steps of this kind (llm, tool, agent, …; a glob works too)
      --decisions       Steps with a decision
      --depth N         Show N levels of the tree (1: top-level steps only)
The totals in the header always describe the whole session.`;

function matches(pattern: string, text: string): boolean {
  return pattern === text || ((pattern.includes("*") || pattern.includes("?")) && globMatch(pattern, text));
}

/**
 * Reads the step filter flags.
 *
 * @param values The parsed flags.
 * @param command The command, for the usage hint.
 * @returns The filter.
 */
export function parseStepFilterFlags(values: OptionValues, command: string): StepFilter {
  const filter: StepFilter = {};
  if (values.errors === true) filter.errors = true;
  if (values["in-flight"] === true) filter.inFlight = true;
  if (values.decisions === true) filter.decisions = true;
  for (const key of ["name", "kind"] as const) {
    const value = values[key];
    if (typeof value !== "string") continue;
    if (value === "") throw new UsageError(`Option "--${key}" needs a value`, `ai-trace ${command} --help`);
    filter[key] = value;
  }
  const depth = countFlag(typeof values.depth === "string" ? values.depth : undefined, "--depth", command);
  if (depth !== undefined) {
    if (depth < 1) {
      throw new UsageError(`Option "--depth" needs 1 or more, got "${depth}"`, `ai-trace ${command} --help`);
    }
    filter.depth = depth;
  }
  return filter;
}

/** Whether the filter leaves anything out. */
export function isStepFilterActive(filter: StepFilter): boolean {
  return Object.keys(filter).length > 0;
}

/** The filter as plain JSON, for `--json` and the header line: only the flags given. */
export function stepFilterToJson(filter: StepFilter): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (filter.errors === true) out.errors = true;
  if (filter.inFlight === true) out.in_flight = true;
  if (filter.name !== undefined) out.name = filter.name;
  if (filter.kind !== undefined) out.kind = filter.kind;
  if (filter.decisions === true) out.decisions = true;
  if (filter.depth !== undefined) out.depth = filter.depth;
  return out;
}

/** The flags given, as typed, for the header line. */
export function describeStepFilter(filter: StepFilter): string {
  const parts: string[] = [];
  if (filter.errors === true) parts.push("--errors");
  if (filter.inFlight === true) parts.push("--in-flight");
  if (filter.name !== undefined) parts.push(`--name ${filter.name}`);
  if (filter.kind !== undefined) parts.push(`--kind ${filter.kind}`);
  if (filter.decisions === true) parts.push("--decisions");
  if (filter.depth !== undefined) parts.push(`--depth ${filter.depth}`);
  return parts.join(" ");
}

/** Whether a step is one the filter picks (before ancestors and depth). */
function picks(filter: StepFilter, step: SessionStep): boolean {
  if (filter.errors === true && step.outcome !== "error") return false;
  if (filter.inFlight === true && !step.in_flight) return false;
  if (filter.name !== undefined && !matches(filter.name, step.name)) return false;
  if (filter.kind !== undefined && !matches(filter.kind, step.kind ?? "")) return false;
  if (filter.decisions === true && !step.decision) return false;
  return true;
}

/** One step of a filtered tree. */
export interface ShownStep {
  /** The step. */
  step: SessionStep;
  /** Its depth in the whole tree (0 for a top-level step). */
  depth: number;
  /** Whether the filter picked it (else it is shown as an ancestor of a step picked). */
  picked: boolean;
}

/**
 * Filters a step tree (as ordered by `stepTree`): the steps picked, and the
 * ancestors of each, in tree order; then the depth cut.
 *
 * @param tree The steps in tree order, with their depth.
 * @param filter The filter.
 * @returns The steps to show.
 */
export function filterStepTree(tree: { step: SessionStep; depth: number }[], filter: StepFilter): ShownStep[] {
  const selective = filter.errors === true || filter.inFlight === true || filter.name !== undefined ||
    filter.kind !== undefined || filter.decisions === true;
  const maxDepth = filter.depth ?? Infinity;
  if (!selective) {
    return tree.filter(({ depth }) => depth < maxDepth).map(({ step, depth }) => ({ step, depth, picked: true }));
  }
  // In tree order each step's ancestors come before it at lower depths: a
  // stack of the current path gives them without following parent ids.
  const keep = new Set<number>();
  const picked = new Set<number>();
  const path: number[] = [];
  tree.forEach(({ step, depth }, index) => {
    path.length = Math.min(path.length, depth);
    path.push(index);
    if (picks(filter, step)) {
      picked.add(index);
      for (const i of path) keep.add(i);
    }
  });
  const out: ShownStep[] = [];
  tree.forEach(({ step, depth }, index) => {
    if (keep.has(index) && depth < maxDepth) out.push({ step, depth, picked: picked.has(index) });
  });
  return out;
}
