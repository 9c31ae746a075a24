/**
 * Aligns the steps of two runs by their place in the tree: a step is paired
 * with the step of the other run that has the same parent (itself paired),
 * the same name, and the same place among its siblings, tolerant of steps
 * inserted or missing on either side. Each list of siblings is aligned on its
 * own, like lines in `diff(1)`: equal runs at both ends are paired first, then
 * the middle by a longest-common-subsequence over names that prefers pairs
 * with the same outcome and decision, so one extra retry does not shift
 * everything after it.
 *
 * @module
 */

import type { SessionStep } from "../format/types.ts";

/** Two steps in the same place, or a step that only one run has. */
export interface AlignedPair {
  /** The step of the first run, or `null` when only the second run has it. */
  a: SessionStep | null;
  /** The step of the second run, or `null` when only the first run has it. */
  b: SessionStep | null;
  /** How deep in the tree: 0 for a top-level step. */
  depth: number;
  /** Its name, followed by `#k` when it is the k-th (k ≥ 2) sibling with that name. */
  segment: string;
  /** The pair it is a child of, or `null` at the top level. */
  parent: AlignedPair | null;
}

/** The middle of two sibling lists is aligned exactly up to this many cells (pairs of steps), then greedily. */
const EXACT_CELLS = 1_000_000;
/** How far the greedy alignment looks ahead for a step's match. */
const LOOKAHEAD = 64;

/** A run's steps as lists of children, in the order the steps began. */
interface Tree {
  roots: SessionStep[];
  children: Map<number, SessionStep[]>;
}

function treeOf(steps: SessionStep[]): Tree {
  const ids = new Set<number>();
  for (const step of steps) ids.add(step.id);
  const children = new Map<number, SessionStep[]>();
  const roots: SessionStep[] = [];
  for (const step of steps) {
    const parent = step.parent_id;
    if (parent === null || parent === step.id || !ids.has(parent)) roots.push(step);
    else {
      const list = children.get(parent);
      if (list) list.push(step);
      else children.set(parent, [step]);
    }
  }
  // Steps caught in a cycle of parents are reachable from no root: they count as top-level steps.
  const reached = new Set<number>();
  const stack = roots.map((step) => step.id);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const child of children.get(id) ?? []) stack.push(child.id);
  }
  for (const step of steps) {
    if (!reached.has(step.id)) {
      roots.push(step);
      reached.add(step.id);
      const below = [step.id];
      while (below.length > 0) {
        const id = below.pop()!;
        for (const child of children.get(id) ?? []) {
          if (!reached.has(child.id)) {
            reached.add(child.id);
            below.push(child.id);
          }
        }
      }
    }
  }
  return { roots, children };
}

/** Whether two steps with the same name ended the same way and decided the same. */
function sameEnd(a: SessionStep, b: SessionStep): boolean {
  return a.outcome === b.outcome && a.decision?.action === b.decision?.action;
}

/** How good a pair is (higher is better); `-1` when the names differ and they cannot pair. */
function weight(a: SessionStep, b: SessionStep): number {
  if (a.name !== b.name) return -1;
  return 4 + (a.outcome === b.outcome ? 1 : 0) + (a.decision?.action === b.decision?.action ? 1 : 0);
}

type Edit = [SessionStep | null, SessionStep | null];

/**
 * Aligns two lists of siblings.
 *
 * @param a The first run's siblings.
 * @param b The second run's siblings.
 * @returns Pairs and one-sided steps in an order that keeps both lists' order.
 */
export function alignSiblings(a: SessionStep[], b: SessionStep[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start].name === b[start].name && sameEnd(a[start], b[start])) {
    start++;
  }
  let endA = a.length;
  let endB = b.length;
  while (
    endA > start && endB > start && a[endA - 1].name === b[endB - 1].name && sameEnd(a[endA - 1], b[endB - 1])
  ) {
    endA--;
    endB--;
  }
  const edits: Edit[] = [];
  for (let i = 0; i < start; i++) edits.push([a[i], b[i]]);
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);
  if (middleA.length === 0) { for (const step of middleB) edits.push([null, step]); }
  else if (middleB.length === 0) { for (const step of middleA) edits.push([step, null]); }
  else if ((middleA.length + 1) * (middleB.length + 1) <= EXACT_CELLS) edits.push(...alignExact(middleA, middleB));
  else edits.push(...alignGreedy(middleA, middleB));
  for (let i = endA, j = endB; i < a.length; i++, j++) edits.push([a[i], b[j]]);
  return edits;
}

/** The best alignment by weight (a longest common subsequence of names, preferring like ends). */
function alignExact(a: SessionStep[], b: SessionStep[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const width = m + 1;
  // score[i * width + j]: the best total weight aligning a[i..] with b[j..].
  const score = new Int32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      let best = Math.max(score[(i + 1) * width + j], score[i * width + j + 1]);
      const w = weight(a[i], b[j]);
      if (w > 0) best = Math.max(best, w + score[(i + 1) * width + j + 1]);
      score[i * width + j] = best;
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const here = score[i * width + j];
    const w = weight(a[i], b[j]);
    if (w > 0 && here === w + score[(i + 1) * width + j + 1]) edits.push([a[i++], b[j++]]);
    else if (score[(i + 1) * width + j] >= score[i * width + j + 1]) edits.push([a[i++], null]);
    else edits.push([null, b[j++]]);
  }
  while (i < n) edits.push([a[i++], null]);
  while (j < m) edits.push([null, b[j++]]);
  return edits;
}

/** A linear-time alignment for very long sibling lists: pair equal names, looking a little ahead for a match. */
function alignGreedy(a: SessionStep[], b: SessionStep[]): Edit[] {
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i].name === b[j].name) {
      edits.push([a[i++], b[j++]]);
      continue;
    }
    let skipB = -1; // b[j + skipB] has a[i]'s name
    for (let k = 1; k <= LOOKAHEAD && j + k < b.length; k++) {
      if (b[j + k].name === a[i].name) {
        skipB = k;
        break;
      }
    }
    let skipA = -1; // a[i + skipA] has b[j]'s name
    for (let k = 1; k <= LOOKAHEAD && i + k < a.length; k++) {
      if (a[i + k].name === b[j].name) {
        skipA = k;
        break;
      }
    }
    if (skipA === -1 && skipB === -1) {
      edits.push([a[i++], null], [null, b[j++]]);
    } else if (skipB !== -1 && (skipA === -1 || skipB <= skipA)) {
      for (let k = 0; k < skipB; k++) edits.push([null, b[j++]]);
    } else {
      for (let k = 0; k < skipA; k++) edits.push([a[i++], null]);
    }
  }
  while (i < a.length) edits.push([a[i++], null]);
  while (j < b.length) edits.push([null, b[j++]]);
  return edits;
}

/**
 * Aligns the steps of two runs, depth first: each pair (or one-sided step)
 * followed by its children's alignment.
 *
 * @param a The first run's steps.
 * @param b The second run's steps.
 * @returns Every step of both runs, once, in tree order.
 */
export function alignSteps(a: SessionStep[], b: SessionStep[]): AlignedPair[] {
  const treeA = treeOf(a);
  const treeB = treeOf(b);
  const result: AlignedPair[] = [];
  // Depth first with an explicit stack (a run may nest deeper than the call
  // stack allows): each pair is emitted, then its children's alignment.
  const pending: AlignedPair[] = [];
  // Each step once, even where the parents make a cycle.
  const placed = new Set<SessionStep>();
  const expand = (allA: SessionStep[], allB: SessionStep[], depth: number, parent: AlignedPair | null) => {
    const listA = allA.filter((step) => !placed.has(step));
    const listB = allB.filter((step) => !placed.has(step));
    for (const step of listA) placed.add(step);
    for (const step of listB) placed.add(step);
    const seenA = new Map<string, number>();
    const seenB = new Map<string, number>();
    const level: AlignedPair[] = [];
    for (const [stepA, stepB] of alignSiblings(listA, listB)) {
      const name = (stepA ?? stepB)!.name;
      const ka = stepA ? (seenA.get(name) ?? 0) + 1 : 0;
      const kb = stepB ? (seenB.get(name) ?? 0) + 1 : 0;
      if (stepA) seenA.set(name, ka);
      if (stepB) seenB.set(name, kb);
      const k = stepA ? ka : kb;
      level.push({ a: stepA, b: stepB, depth, segment: k > 1 ? `${name}#${k}` : name, parent });
    }
    for (let i = level.length - 1; i >= 0; i--) pending.push(level[i]);
  };
  expand(treeA.roots, treeB.roots, 0, null);
  while (pending.length > 0) {
    const pair = pending.pop()!;
    result.push(pair);
    const childrenA = pair.a ? treeA.children.get(pair.a.id) ?? [] : [];
    const childrenB = pair.b ? treeB.children.get(pair.b.id) ?? [] : [];
    if (childrenA.length > 0 || childrenB.length > 0) expand(childrenA, childrenB, pair.depth + 1, pair);
  }
  return result;
}

/** The longest path {@linkcode pathOf} gives: deeper steps start with `"…"`. */
export const MAX_PATH = 32;

/**
 * Where a pair is in the tree: the segments from the top-level step down to
 * it, at most {@linkcode MAX_PATH} of them (deeper paths start with `"…"`).
 *
 * @param pair The pair.
 * @returns The segments, top first.
 */
export function pathOf(pair: AlignedPair): string[] {
  const path: string[] = [];
  for (let at: AlignedPair | null = pair; at !== null; at = at.parent) {
    if (path.length === MAX_PATH - 1 && at.parent !== null) {
      path.push("…");
      break;
    }
    path.push(at.segment);
  }
  return path.reverse();
}
