/**
 * `ai-trace tail [-n N]`: the last N steps of the newest session, then every
 * new line of it as it is written, moving on to a newer session when one
 * starts. Only whole lines are printed: a line written in several pieces is
 * held until its line break arrives.
 *
 * @module
 */

import { classifyLine, LineWarnings } from "../format/record_line.ts";
import { type Line, LineReader } from "../format/line_reader.ts";
import { NotFoundError, type PathInfo, statPath, type Watch, watchPath } from "../runtime.ts";
import { toSessionStep } from "../model/session.ts";
import { holdsTrace, listTraceFiles, type TraceFile } from "../read/trace_dir.ts";
import type { JsonObject, SessionStep } from "../format/types.ts";
import { invalidTimes } from "../format/fields.ts";
import { isFilterActive, selectSessions, type SessionFilter } from "../read/session_filter.ts";
import { type Command, COMMON_HELP, stringFlag } from "./command.ts";
import { FILTER_HELP, FILTER_OPTIONS, parseFilterFlags } from "./filter_flags.ts";
import { formatClock, formatDuration, formatFields, formatValue, plural, printable, type Style } from "./format.ts";
import type { Io } from "./io.ts";
import { countFlag, formatWarning } from "./list.ts";

/** How often the file is checked when no watch event came. */
const POLL_MS = 100;
/** How often the directory is checked for a newer session. */
const DIR_CHECK_MS = 500;

/**
 * Reads what is appended to a file, as whole lines: a line written in
 * pieces is passed on once, when its line break has arrived. Memory stays
 * bounded by one chunk and one line, whatever the size of the file; a line
 * longer than the limit of {@linkcode LineReader} is passed on as
 * `tooLong`, with its number, and its text is not held.
 */
export class LineFollower {
  readonly #reader: LineReader;
  #identity: string | undefined; // the followed file's device and inode, once seen

  /**
   * @param path The file to follow, from its start.
   * @param maxLine Lines longer than this many characters are skipped (default: 64 Mi).
   */
  constructor(path: string, maxLine?: number) {
    this.#reader = new LineReader(path, { maxLine });
  }

  /** The file. */
  get path(): string {
    return this.#reader.path;
  }

  /** Bytes of the file read so far. */
  get position(): number {
    return this.#reader.position;
  }

  /**
   * Reads what was appended since the last call, chunk by chunk, calling
   * `onLine` with each whole line (never with an unterminated last line).
   * A file that is not there (yet, or any more) reads as nothing new; a file
   * that is not a regular file (a FIFO put in its place) is never opened.
   * When the file was replaced (another file under its name, told by its
   * inode, whatever its size) or truncated, reading starts over from its
   * first byte, and `onRestart` is called first.
   */
  read(onLine: (line: Line) => void, onRestart?: () => void): void {
    let info: PathInfo;
    try {
      info = statPath(this.path);
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
    if (!info.isFile) return;
    const replaced = this.#identity !== undefined && info.identity !== "" && info.identity !== this.#identity;
    this.#identity = info.identity;
    if (replaced || info.size < this.#reader.position) {
      this.#reader.restart();
      onRestart?.();
    }
    if (info.size === this.#reader.position) return;
    try {
      this.#reader.read(onLine);
    } catch (err) {
      if (err instanceof NotFoundError) return; // deleted since the stat
      throw err;
    }
  }
}

/** One line of a session, as `tail` shows it. */
export type TailEvent =
  | { type: "session"; path: string; record: JsonObject }
  | { type: "start" | "step"; path: string; step: SessionStep; depth: number }
  | { type: "end"; path: string; record: JsonObject }
  | { type: "warning"; path: string; line: number; message: string };

/** Turns the lines of one file into events, keeping track of nesting. */
class EventReader {
  #path: string;
  #count = 0;
  #depths = new Map<number, number>();
  #warnings: LineWarnings;
  #pending: TailEvent[] = []; // warnings about a record that is shown all the same

  constructor(path: string) {
    this.#path = path;
    this.#warnings = new LineWarnings(path);
  }

  event(line: Line): TailEvent | undefined {
    const classified = classifyLine(this.#path, line);
    if (classified.kind === "blank") return undefined;
    if (classified.kind !== "record") {
      // Past the first few, bad lines are counted and said in one warning (see more()).
      return this.#warnings.admit(classified.warning) ? { type: "warning", ...classified.warning } : undefined;
    }
    const { type, record } = classified;
    for (const message of invalidTimes(record)) {
      const warning = { path: this.#path, line: line.number, message };
      if (this.#warnings.admit(warning)) this.#pending.push({ type: "warning", ...warning });
    }
    if (type === "session" || type === "end") return { type, path: this.#path, record };
    const inFlight = type === "start";
    const step = toSessionStep(record, ++this.#count, inFlight);
    const parentDepth = step.parent_id === null ? undefined : this.#depths.get(step.parent_id);
    const depth = parentDepth === undefined ? 0 : parentDepth + 1;
    if (inFlight) this.#depths.set(step.id, depth);
    else this.#depths.delete(step.id);
    return { type, path: this.#path, step, depth };
  }

  /**
   * The warnings held since the last call: about records shown all the same
   * (a time no date can hold), and one for the bad lines only counted.
   */
  more(): TailEvent[] {
    const out = this.#pending;
    this.#pending = [];
    const summary = this.#warnings.summary();
    if (summary !== undefined) out.push({ type: "warning", ...summary });
    return out;
  }
}

/**
 * Formats one event as a line of text.
 *
 * @param event The event.
 * @param style Colors, or none.
 * @returns The text, ending with a newline.
 */
export function formatTailEvent(event: TailEvent, style: Style): string {
  switch (event.type) {
    case "session": {
      const { record } = event;
      const agent = typeof record.agent === "string" ? record.agent : "?";
      const id = typeof record.session_id === "string" ? record.session_id : "";
      return style.bold(`── ${printable(agent)} ${printable(id)} ──`) + "\n";
    }
    case "end": {
      const summary =
        (typeof event.record.summary === "object" && event.record.summary !== null
          ? event.record.summary
          : {}) as JsonObject;
      const steps = typeof summary.steps === "number" ? summary.steps : 0;
      const errors = typeof summary.errors === "number" ? summary.errors : 0;
      const time = typeof event.record.finished_at === "number" ? event.record.finished_at : null;
      return style.bold(
        `── ${formatClock(time)} session ended: ${plural(steps, "step")}, ${plural(errors, "error")} ──`,
      ) +
        "\n";
    }
    case "warning":
      return "";
    case "start":
    case "step": {
      const { step } = event;
      const indent = "  ".repeat(Math.min(event.depth, 20));
      const name = style.bold(printable(step.name));
      const context = Object.keys(step.context).length > 0 ? "  " + style.dim(formatFields(step.context, 80)) : "";
      if (event.type === "start") {
        return `${formatClock(step.started_at)}  ${indent}${style.yellow("▶")} ${name}  started${context}\n`;
      }
      const mark = step.outcome === "ok"
        ? style.green("✓")
        : step.outcome === "error"
        ? style.red("✗")
        : style.yellow("•");
      let text = `${formatClock(step.finished_at ?? step.started_at)}  ${indent}${mark} ${name}  ${
        formatDuration(step.duration_ms)
      }${context}`;
      if (step.outcome !== "ok" && step.outcome !== "error") text += `  outcome=${formatValue(step.outcome)}`;
      if (step.decision) text += `  → ${printable(String(step.decision.action))}`;
      if (step.error !== null) text += "  " + style.red(`error: ${printable(step.error)}`);
      return text + "\n";
    }
  }
}

/** Calls back when woken, or after a timeout, or when aborted. */
class Waker {
  #wake: (() => void) | undefined;
  #pending = false;

  wake(): void {
    this.#pending = true;
    this.#wake?.();
  }

  wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#pending || signal?.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#wake = undefined;
        this.#pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done);
      this.#wake = done;
    });
  }
}

/**
 * The newest JSONL file of the directory that passes the filter (newer than
 * `after`, when given). Only a JSONL file grows; a snapshot alone is a
 * finished session.
 */
async function newestLineFile(
  dir: string,
  filter: SessionFilter,
  now: number,
  after?: TraceFile,
  followed?: Set<string>,
): Promise<TraceFile | undefined> {
  let files = listTraceFiles(dir, { filter }).files.filter((file) => file.format === "jsonl");
  if (!isFilterActive(filter)) return files.find(holdsTrace);
  // Only files not followed yet, and not older than the one followed now: the check stays cheap.
  if (after !== undefined) {
    files = files.filter((file) => file.sortTime >= after.sortTime && !followed?.has(file.path));
  }
  return (await selectSessions(files, filter, { now, limit: 1 }))[0]?.file;
}

/** Options of {@linkcode runTail}. */
export interface TailOptions {
  /** How many steps of the backlog to show. */
  lines: number;
  /** Whether to follow the file after the backlog. */
  follow: boolean;
  /** Which sessions to show: the newest one that passes. */
  filter?: SessionFilter;
}

/**
 * Prints the last steps of the newest session and follows it until
 * `io.signal` is aborted.
 *
 * @param io The world; `io.signal` stops following.
 * @param dir The trace directory.
 * @param style Colors, or none.
 * @param json Whether to print events as JSON lines.
 * @param options How many lines, and whether to follow.
 * @returns The exit code, 0.
 */
export async function runTail(
  io: Io,
  dir: string,
  style: Style,
  json: boolean,
  options: TailOptions,
): Promise<number> {
  // Taken first: on the real process this is what starts catching Ctrl-C.
  const signal = options.follow ? io.signal : undefined;
  const print = (event: TailEvent) => {
    if (event.type === "warning") {
      io.stderr(formatWarning(event, style));
      return;
    }
    if (!json) {
      io.stdout(formatTailEvent(event, style));
      return;
    }
    if ("step" in event) {
      io.stdout(JSON.stringify({ type: event.type, path: event.path, step: event.step }) + "\n");
    } else io.stdout(JSON.stringify({ type: event.type, path: event.path, record: event.record }) + "\n");
  };

  const filter = options.filter ?? {};
  let current = await newestLineFile(dir, filter, io.now());
  let follower: LineFollower | undefined;
  let reader: EventReader | undefined;
  const followed = new Set<string>();

  const open = (file: TraceFile, backlog: number) => {
    followed.add(file.path);
    follower = new LineFollower(file.path);
    const events = reader = new EventReader(file.path);
    const header: TailEvent = {
      type: "session",
      path: file.path,
      record: { agent: file.agent, session_id: file.session_id },
    };
    if (backlog === Infinity) {
      // All of it: printed as it is read, like lines that arrive later, so
      // memory stays flat whatever the size of the file.
      let headed = false;
      follower.read((line) => {
        const event = events.event(line);
        if (event === undefined) return;
        if (event.type === "session") headed = true;
        else if (event.type !== "warning" && !headed) {
          headed = true;
          print(header);
        }
        print(event);
      });
      for (const warning of events.more()) print(warning);
      if (!headed) print(header);
      return;
    }
    // The backlog: the session line, the last `backlog` steps (a start whose
    // step came later is replaced by it), and the end line if there is one.
    // Only those are kept while the file is read, chunk by chunk.
    let head: TailEvent | undefined;
    let end: TailEvent | undefined;
    const recent = new Map<string, TailEvent>();
    let serial = 0;
    follower.read((line) => {
      const event = events.event(line);
      if (event === undefined) return;
      if (event.type === "session") head = event;
      else if (event.type === "end") end = event;
      else if (event.type === "warning") print(event);
      else {
        if (event.type === "step") recent.delete(`start:${event.step.id}`);
        recent.set(event.type === "start" ? `start:${event.step.id}` : `step:${serial++}`, event);
        while (recent.size > backlog) recent.delete(recent.keys().next().value!);
      }
    });
    for (const warning of events.more()) print(warning);
    print(head ?? header);
    for (const event of recent.values()) print(event);
    if (end) print(end);
  };

  if (current) open(current, options.lines);
  const filtered = isFilterActive(filter);
  if (!options.follow) {
    if (!current) {
      io.stderr(`${filtered ? "No session that matches the filters" : "No sessions"} in "${printable(dir)}"\n`);
    }
    return 0;
  }
  if (!current) {
    io.stderr(`Waiting for a session${filtered ? " that matches the filters" : ""} in "${printable(dir)}"…\n`);
  }

  const waker = new Waker();
  const dirWatch: Watch | undefined = watchPath(dir, () => waker.wake());
  let fileWatch: Watch | undefined = current ? watchPath(current.path, () => waker.wake()) : undefined;
  let lastDirCheck = io.now();
  try {
    while (!signal?.aborted) {
      await waker.wait(POLL_MS, signal);
      if (signal?.aborted) break;
      if (follower && reader) {
        let events = reader;
        const path = follower.path;
        follower.read((line) => {
          const event = events.event(line);
          if (event) print(event);
        }, () => {
          // Another file under the same name: a new session, read from its start.
          for (const warning of events.more()) print(warning);
          events = reader = new EventReader(path);
        });
        for (const warning of events.more()) print(warning);
      }
      const now = io.now();
      if (now - lastDirCheck >= DIR_CHECK_MS || current === undefined) {
        lastDirCheck = now;
        let newest: TraceFile | undefined;
        try {
          newest = await newestLineFile(dir, filter, now, current, followed);
        } catch {
          newest = undefined; // the directory is gone for a moment: keep following
        }
        if (
          newest && !followed.has(newest.path) &&
          (current === undefined || newest.sortTime >= current.sortTime)
        ) {
          current = newest;
          fileWatch?.close();
          open(current, Infinity);
          fileWatch = watchPath(current.path, () => waker.wake());
        }
      }
    }
  } finally {
    fileWatch?.close();
    dirWatch?.close();
  }
  return 0;
}

/** The `tail` command. */
export const tail: Command = {
  name: "tail",
  summary: "The last steps of the newest session, then follow it live",
  help: `Usage: ai-trace tail [-n N] [--no-follow] [filters] [--json]

Prints the last N steps of the newest session, then every new step as its
line is written, until Ctrl-C (exit code 0). Steps begun and not yet ended
show as "▶ name started". When a newer session starts in the directory, tail
moves on to it. With filters, only sessions that pass them are followed
(e.g. --agent research_agent follows that agent's runs only). Only whole lines are printed: a line written in pieces shows
once, when it is complete.

Options:
  -n, --lines N     How many steps to show first (default: 10)
      --no-follow   Print the last steps and exit

${FILTER_HELP}

With --json, each line is one JSON object: {"type", "path", "step"} or
{"type", "path", "record"}.

${COMMON_HELP}`,
  options: { lines: { type: "string", short: "n" }, "no-follow": { type: "boolean" }, ...FILTER_OPTIONS },
  maxPositionals: 0,
  async run({ io, dir, json, style, values }): Promise<number> {
    const lines = countFlag(stringFlag(values, "lines"), "--lines", "tail") ?? 10;
    const filter = parseFilterFlags(values, "tail", io.now());
    listTraceFiles(dir); // fails now, with a clear message, if the directory is not there
    return await runTail(io, dir, style, json, { lines, follow: values["no-follow"] !== true, filter });
  },
};
