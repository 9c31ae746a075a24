/**
 * The one rule for a session's state — complete, crashed or running — used by
 * the readers (a JSONL file, a JSON snapshot, the quick index of `list`) and
 * by the tracer for the reports it saves of itself.
 *
 * @module
 */

import { hostname, isProcessAlive } from "../runtime.ts";
import type { SessionState } from "../format/types.ts";

/**
 * A session without an `end`, whose writer is not known to be alive on this
 * machine, is running while its last sign of life is younger than this;
 * older ones crashed.
 */
export const RUNNING_WINDOW_MS = 120_000;

/**
 * A session whose writer's process id is alive on this machine is running,
 * unless its last sign of life is older than this (a day): by then the id has
 * likely been reused by another process.
 */
export const PID_TRUST_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What is known about a session, for {@linkcode sessionState}. */
export interface StateFacts {
  /** It has an `end` (an `end` line, or a closed tracer). */
  ended: boolean;
  /** That end was written as the process died of a signal or an uncaught error. */
  abnormalEnd: boolean;
  /** Written by ai-trace (`schema` known); `false` for the original Python tracer's files. */
  ours: boolean;
  /** The file's last line is cut off mid-line. */
  cutOff: boolean;
  /** Steps begun and never ended. */
  inFlight: number;
  /** The last sign of life (a record's time, a snapshot's `saved_at`), epoch seconds, or `null`. */
  lastSeen: number | null;
  /** The writing process's id, when known. */
  pid?: number;
  /** The writing machine's host name, when known. */
  host?: string;
  /** The time now, epoch milliseconds. */
  now: number;
}

/**
 * The state of a session:
 * - complete: it ended normally (an `end` line; for the original's files,
 *   which have none, a whole file with no step in flight once its writer is gone);
 * - running: no end yet, and its writer is alive on this machine (for at most
 *   a day of quiet), or, when the writer cannot be checked, a sign of life
 *   within the last two minutes;
 * - crashed: anything else (an end written as the process died, a writer
 *   gone without an end, a cut-off file of the original's).
 */
export function sessionState(facts: StateFacts): SessionState {
  if (facts.ended) return facts.abnormalEnd ? "crashed" : "complete";
  if (facts.cutOff && !facts.ours) return "crashed";
  const lastMs = (facts.lastSeen ?? 0) * 1000;
  if (facts.pid !== undefined && facts.host !== undefined && facts.host === hostname()) {
    const alive = isProcessAlive(facts.pid) && facts.now - lastMs < PID_TRUST_WINDOW_MS;
    return alive ? "running" : "crashed";
  }
  if (facts.now - lastMs < RUNNING_WINDOW_MS) return "running";
  if (!facts.ours && facts.inFlight === 0) return "complete";
  return "crashed";
}

/**
 * The state of a session read from a JSON snapshot that recorded `recorded`
 * when it was saved: complete and crashed are final; a snapshot saved while
 * its session was running follows the rule of {@linkcode sessionState} (its
 * `saved_at` is its last sign of life), so it does not stay running once its
 * writer is gone. A snapshot with no state is the original tracer's.
 */
export function snapshotState(
  recorded: unknown,
  facts: Omit<StateFacts, "ended" | "abnormalEnd" | "cutOff">,
): SessionState {
  if (recorded === "complete" || recorded === "crashed") return recorded;
  if (recorded === "running") return sessionState({ ...facts, ended: false, abnormalEnd: false, cutOff: false });
  return sessionState({ ...facts, ours: false, ended: false, abnormalEnd: false, cutOff: false, lastSeen: null });
}
