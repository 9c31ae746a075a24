/**
 * Which sessions of a directory a command looks at: by agent (exact or a
 * glob), state, start time and errors. One filter for `list`, `stats`,
 * `tail`, `push --all`, `prune` and `latest:AGENT`.
 *
 * A file name carries the agent (made safe) and the start time, so most
 * files a filter rejects are never opened: {@linkcode fileMayMatch} decides
 * from the name, {@linkcode entryMatches} from the file's summary.
 *
 * @module
 */

import { fitsFileName } from "../format/session_id.ts";
import { UNSAFE_CLASS } from "../format/unsafe_chars.ts";
import type { ReadWarning, SessionState } from "../format/types.ts";
import { skipReason } from "../format/record_line.ts";
import { indexSession, type SessionEntry } from "./session_index.ts";
import type { TraceFile } from "./trace_dir.ts";

/**
 * Which sessions to keep. Every field left out keeps everything; the fields
 * given must all hold.
 *
 * @example Crashed runs of the research agents since a time
 * ```ts
 * import type { SessionFilter } from "@ai-trace/core";
 *
 * const filter: SessionFilter = {
 *   agents: ["research_*"],
 *   states: ["crashed"],
 *   since: Date.UTC(2026, 10, 29) / 1000,
 * };
 * console.log(filter.agents); // [ "research_*" ]
 * ```
 */
export interface SessionFilter {
  /** Agent names, each exact or a glob (`*` any characters, `?` one); a session matches any of them. */
  agents?: string[];
  /** States; a session matches any of them. */
  states?: SessionState[];
  /** Sessions that started at or after this time, epoch seconds. */
  since?: number;
  /** Sessions that started before this time, epoch seconds. */
  until?: number;
  /** Only sessions with at least one failed step. */
  errors?: boolean;
}

/** The session states a filter takes. */
export const SESSION_STATES: readonly SessionState[] = ["complete", "running", "crashed"];

/** Whether a filter selects anything less than everything. */
export function isFilterActive(filter: SessionFilter): boolean {
  return (filter.agents?.length ?? 0) > 0 || (filter.states?.length ?? 0) > 0 || filter.since !== undefined ||
    filter.until !== undefined || filter.errors === true;
}

/**
 * Whether `text` matches a glob: `*` any run of characters, `?` one
 * character, anything else itself. Linear in practice: no backtracking
 * beyond the last `*`.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === "?" || (p[pi] !== "*" && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/** Whether an agent name matches one of the filter's names (exact or glob). */
export function agentMatches(agents: readonly string[] | undefined, agent: string): boolean {
  if (agents === undefined || agents.length === 0) return true;
  return agents.some((pattern) =>
    pattern === agent || ((pattern.includes("*") || pattern.includes("?")) && globMatch(pattern, agent))
  );
}

/** A pattern whose characters all survive `safeFileName` unchanged, so it can be matched against a file name. */
function fileNameSafe(pattern: string): boolean {
  return !NOT_IN_FILE_NAMES.test(pattern) && fitsFileName(pattern);
}

// What safeFileName changes (`*` and `?` are glob characters here, not literal).
const NOT_IN_FILE_NAMES = new RegExp(`${UNSAFE_CLASS}|[/\\\\:"<>|]|\\.\\.|^[.\\s]|[.\\s]$`);

/**
 * Whether a file may hold a matching session, from its name alone: `false`
 * means it surely does not and need not be opened.
 *
 * @param filter The filter.
 * @param file The file, as listed.
 * @returns `false` when the name rules the session out.
 */
export function fileMayMatch(
  filter: SessionFilter,
  file: Pick<TraceFile, "agent" | "session_id" | "sortTime">,
): boolean {
  if (file.session_id === "") return true; // not our name: only the contents tell
  const agents = filter.agents;
  if (agents !== undefined && agents.length > 0 && fitsFileName(file.agent)) {
    // A name made safe may differ from the agent inside; only patterns that safeFileName leaves alone can rule out.
    if (agents.every((pattern) => fileNameSafe(pattern) && !agentMatches([pattern], file.agent))) return false;
  }
  // The name's time is the start time cut to the second.
  if (filter.since !== undefined && file.sortTime + 1 <= filter.since) return false;
  if (filter.until !== undefined && file.sortTime >= filter.until) return false;
  return true;
}

/**
 * Whether a session, as summarized by `indexSession`, passes the filter.
 *
 * @param filter The filter.
 * @param entry The session's summary.
 * @returns Whether it passes.
 */
export function entryMatches(filter: SessionFilter, entry: SessionEntry): boolean {
  if (!agentMatches(filter.agents, entry.agent)) return false;
  if (filter.states !== undefined && filter.states.length > 0 && !filter.states.includes(entry.state)) return false;
  if (filter.errors === true && entry.errors === 0) return false;
  if (filter.since !== undefined || filter.until !== undefined) {
    const started = entry.started_at;
    if (started === null) return false; // no start time: cannot be said to be in the window
    if (filter.since !== undefined && started < filter.since) return false;
    if (filter.until !== undefined && started >= filter.until) return false;
  }
  return true;
}

/** One session a filter kept: its file and its summary. */
export interface SelectedSession {
  /** The file. */
  file: TraceFile;
  /** Its summary. */
  entry: SessionEntry;
}

/** Options of {@linkcode selectSessions}. */
export interface SelectOptions {
  /** The time now, epoch milliseconds, for telling running from crashed. */
  now: number;
  /** Stop after this many sessions. */
  limit?: number;
  /** Called for each file that could not be summarized (it is left out). */
  onSkipped?: (warning: ReadWarning) => void;
}

/**
 * The sessions among `files` that pass the filter, in the order given
 * (newest first as listed). Files the name rules out are not opened; a
 * complete session is summarized from its first and last lines.
 *
 * @param files The files, as listed by `listTraceFiles`.
 * @param filter The filter.
 * @param options The time now, a limit, and where to report unreadable files.
 * @returns The sessions kept, each with its summary.
 */
export async function selectSessions(
  files: readonly TraceFile[],
  filter: SessionFilter,
  options: SelectOptions,
): Promise<SelectedSession[]> {
  const out: SelectedSession[] = [];
  const limit = options.limit ?? Infinity;
  for (const file of files) {
    if (out.length >= limit) break;
    if (!fileMayMatch(filter, file)) continue;
    let entry: SessionEntry;
    try {
      entry = await indexSession(file, { now: options.now });
    } catch (err) {
      options.onSkipped?.({ path: file.path, line: 0, message: skipReason(err) });
      continue;
    }
    if (entryMatches(filter, entry)) out.push({ file, entry });
  }
  return out;
}

/**
 * The filter as plain JSON, for `--json` outputs: only the fields given,
 * times as ISO 8601 (UTC).
 *
 * @param filter The filter.
 * @returns An object with `agent`, `state`, `since`, `until`, `errors` as given.
 */
export function filterToJson(filter: SessionFilter): Record<string, string | string[] | boolean> {
  const out: Record<string, string | string[] | boolean> = {};
  if (filter.agents !== undefined && filter.agents.length > 0) out.agent = [...filter.agents];
  if (filter.states !== undefined && filter.states.length > 0) out.state = [...filter.states];
  if (filter.since !== undefined) out.since = new Date(filter.since * 1000).toISOString();
  if (filter.until !== undefined) out.until = new Date(filter.until * 1000).toISOString();
  if (filter.errors === true) out.errors = true;
  return out;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The duration forms, for messages. */
export const DURATION_FORMS = "a duration such as 90m, 2h, 7d (units s, m, h, d, w)";
/** The date/time forms, for messages. */
export const DATE_TIME_FORMS = "an ISO 8601 date/time such as 2026-11-30, 2026-11-30T14:00 (UTC) or " +
  "2026-11-30T14:00:00+02:00";

/**
 * Parses a duration: `90m`, `2h`, `7d`, `1h30m` (units s, m, h, d, w).
 *
 * @param text What the user typed.
 * @returns Milliseconds, or `undefined` when `text` is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  if (!/^(?:\d+[smhdw])+$/.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/g)) total += Number(n) * UNIT_MS[unit];
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Parses an ISO 8601 date or date/time; UTC unless it carries an offset.
 *
 * @param text What the user typed, e.g. `2026-11-30`, `2026-11-30T14:00`, `2026-11-30 14:00:00+02:00`.
 * @returns Epoch milliseconds, or `undefined` when `text` is not one.
 */
export function parseDateTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i
    .exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (m[8] !== undefined && m[4] === undefined) return undefined; // an offset needs a time
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const back = new Date(utc);
  if (
    back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day ||
    hour > 23 || minute > 59 || second > 59
  ) return undefined;
  let offset = 0;
  if (m[8] !== undefined && m[8].toUpperCase() !== "Z") {
    const o = /^([+-])(\d{2}):?(\d{2})$/.exec(m[8])!;
    if (Number(o[2]) > 23 || Number(o[3]) > 59) return undefined;
    offset = (o[1] === "-" ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3])) * 60_000;
  }
  return utc - offset;
}

/**
 * Parses a point in time: a duration back from now (`90m`, `2h`, `7d`) or an
 * ISO 8601 date/time (UTC unless it carries an offset).
 *
 * @param text What the user typed.
 * @param now The time now, epoch milliseconds.
 * @returns Epoch seconds, or `undefined` when `text` is neither.
 */
export function parseTimeBound(text: string, now: number): number | undefined {
  const duration = parseDuration(text);
  if (duration !== undefined) return (now - duration) / 1000;
  const time = parseDateTime(text);
  return time === undefined ? undefined : time / 1000;
}
