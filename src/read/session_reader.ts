/**
 * Reads one session back from its file: our JSONL, our JSON snapshot, and the
 * original Python tracer's JSONL and JSON as it writes them. A bad line is
 * skipped with a warning naming the file and line; it never stops the read.
 *
 * @module
 */

import { basename } from "node:path";
import { parseJsonLine } from "../format/parse_line.ts";
import { readTextFile, statPath } from "../runtime.ts";
import { asNumber, asObject } from "../format/fields.ts";
import { lastFinish, lastSeen, readSessionLines, sortSteps, summarize, toSessionStep } from "../model/session.ts";
import { snapshotState } from "../model/state.ts";
import type { JsonObject, ReadWarning, Session, SessionStep } from "../format/types.ts";

/** The agent and session id that a file's name gives, as `<agent>_<YYYYMMDD_HHMMSS[_suffix]>.jsonl`. */
export function parseTraceFileName(path: string): { agent: string; session_id: string } | undefined {
  const match = /^(.*)_(\d{8}_\d{6}(?:_[A-Za-z0-9]+)?)\.jsonl?$/.exec(basename(path));
  return match ? { agent: match[1], session_id: match[2] } : undefined;
}

/** Whether a file name is one a reader looks at: `.jsonl` or `.json`. */
export function isTraceFileName(name: string): boolean {
  return name.endsWith(".jsonl") || name.endsWith(".json");
}

/**
 * Options of {@linkcode readSession}.
 *
 * @example Decide "running or crashed" as of a given time
 * ```ts
 * import { readSession, type ReadSessionOptions, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * await tracer.close();
 * const options: ReadSessionOptions = { now: Date.now() + 60_000 };
 * console.log((await readSession(tracer.path!, options)).state); // complete
 * ```
 */
export interface ReadSessionOptions {
  /**
   * The time "now" is, epoch milliseconds, for telling running from crashed.
   *
   * @default {Date.now()}
   */
  now?: number;
}

/**
 * Reads a whole session from a `.jsonl` or `.json` file.
 *
 * @example Read back what a tracer wrote
 * ```ts
 * import { readSession, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.decide("HOLD", { reason: "no signal" }));
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * console.log(session.state, session.steps[0].decision?.reason, session.summary.steps); // complete no signal 1
 * ```
 *
 * @param path The `.jsonl` file (ours or the original's) or `.json` snapshot.
 * @param options The time "now" is, for telling a running session from a crashed one.
 * @returns The session: its steps ordered by start time, its totals, and a
 *   warning for each line that could not be read.
 * @throws {NotFoundError} / {PermissionError} when the file cannot be opened,
 *   and `SyntaxError` when a `.json` snapshot is not JSON.
 */
export async function readSession(path: string, options: ReadSessionOptions = {}): Promise<Session> {
  const info = statPath(path);
  if (!info.isFile) throw new TypeError(`Cannot read trace "${path}": not a file`);
  if (path.endsWith(".json")) return readSnapshot(path, options.now ?? Date.now());
  const fromName = parseTraceFileName(path);
  const seed = {
    agent: fromName?.agent ?? basename(path).replace(/\.jsonl$/, ""),
    session_id: fromName?.session_id ?? "",
  };
  const session = await readSessionLines(path, seed, options.now ?? Date.now());
  if (session.schema === null) session.meta = siblingMeta(path);
  return session;
}

/** The original tracer keeps `meta` only in its JSON snapshot: take it from there when it is beside the JSONL. */
function siblingMeta(path: string): JsonObject {
  const sibling = path.replace(/\.jsonl$/, ".json");
  try {
    if (!statPath(sibling).isFile) return {}; // a FIFO there would block the read forever
    const snapshot = asObject(parseJsonLine(readTextFile(sibling)));
    return asObject(snapshot?.meta) ?? {};
  } catch {
    return {};
  }
}

/** Reads a JSON snapshot (ours or the original's). */
function readSnapshot(path: string, now: number): Session {
  const text = readTextFile(path);
  let value: unknown;
  try {
    value = parseJsonLine(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new SyntaxError(`Cannot read trace "${path}": the file is not JSON`);
  }
  const record = asObject(value);
  if (!record || !Array.isArray(record.steps)) {
    throw new SyntaxError(`Cannot read trace "${path}": not a trace snapshot (no "steps" list)`);
  }
  const fromName = parseTraceFileName(path);
  const warnings: ReadWarning[] = [];
  const steps: SessionStep[] = [];
  record.steps.forEach((entry, index) => {
    const object = asObject(entry);
    if (!object) {
      warnings.push({ path, line: 0, message: `step ${index + 1} is not a JSON object, skipped` });
      return;
    }
    steps.push(toSessionStep(object, index + 1, object.in_flight === true));
  });
  sortSteps(steps);
  const session: Session = {
    path,
    format: "json",
    schema: typeof record.schema === "string" ? record.schema : null,
    agent: typeof record.agent === "string" ? record.agent : fromName?.agent ?? basename(path),
    session_id: typeof record.session_id === "string" ? record.session_id : fromName?.session_id ?? "",
    meta: asObject(record.meta) ?? {},
    started_at: asNumber(record.started_at),
    finished_at: asNumber(record.finished_at),
    state: "complete",
    steps,
    summary: summarize(steps),
    warnings,
  };
  if (session.started_at === null && steps.length > 0) session.started_at = steps[0].started_at;
  if (session.finished_at === null) session.finished_at = lastFinish(steps);
  if (typeof record.pid === "number") session.pid = record.pid;
  if (typeof record.host === "string") session.host = record.host;
  const savedAt = typeof record.saved_at === "string" ? Date.parse(record.saved_at) / 1000 : NaN;
  session.state = snapshotState(record.state, {
    ours: session.schema !== null,
    inFlight: session.summary.in_flight,
    lastSeen: Number.isFinite(savedAt) ? Math.max(savedAt, lastSeen(session)) : lastSeen(session),
    pid: session.pid,
    host: session.host,
    now,
  });
  return session;
}
