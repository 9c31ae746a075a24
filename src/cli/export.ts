/**
 * `ai-trace export <session> --format F [-o FILE]`: one session in another
 * format. Formats are entries of one table, {@linkcode formats}: adding a
 * format (HTML, OTLP) is adding one entry, with its own flags if it needs
 * them (`--open` for HTML).
 *
 * @module
 */

import { basename } from "node:path";
import { renderHtml } from "../render/html_report.ts";
import { renderMarkdown } from "../render/markdown.ts";
import { toOtlp } from "../otlp/to_otlp.ts";
import { safeJsonText } from "../render/printable.ts";
import { CONVENTIONS_HELP, CONVENTIONS_OPTION, otlpOptions } from "./otlp_options.ts";
import { encodeOtlpRequest } from "../otlp/otlp_protobuf.ts";
import { makeDir, NotFoundError, openWithDefaultApp, PermissionError, statPath, writeFileAtomic } from "../runtime.ts";
import { renderSnapshot } from "../render/snapshot.ts";
import type { Session } from "../format/types.ts";
import { type Command, COMMON_HELP, type OptionsConfig, type OptionValues, printJson, stringFlag } from "./command.ts";
import { printable, type Style } from "./format.ts";
import type { Io } from "./io.ts";
import { lookupOptions, resolveSession, SESSION_HELP } from "./view.ts";
import { join } from "node:path";
import { loadSession } from "../read/session_index.ts";
import { filterToJson, isFilterActive, selectSessions, type SessionFilter } from "../read/session_filter.ts";
import { listTraceFiles } from "../read/trace_dir.ts";
import type { ReadWarning } from "../format/types.ts";
import { FILTER_HELP, FILTER_OPTIONS, parseFilterFlags } from "./filter_flags.ts";
import { formatWarning } from "./list.ts";
import { UsageError } from "./usage_error.ts";

const HELP = "ai-trace export --help";

/** What a format's functions get besides the session. */
export interface ExportContext {
  /** The time now, epoch milliseconds (stamped into reports as "generated at"). */
  now: number;
  /** All parsed flags of the command, including the format's own. */
  values: OptionValues;
  /** The world, e.g. to say where a file went. */
  io: Io;
  /** Colors for messages (none when off). */
  style: Style;
}

/** One export format: an entry of {@linkcode formats}. */
export interface ExportFormat {
  /** The file extension, with its dot, e.g. `".md"`. Also picks the format from `-o FILE`. */
  extension: string;
  /** More extensions that pick this format from `-o FILE`, e.g. `[".otlp"]`. */
  otherExtensions?: string[];
  /** One line for the help text. */
  description: string;
  /** Renders the session. */
  render(session: Session, context: ExportContext): string | Uint8Array | Promise<string | Uint8Array>;
  /** Flags only this format takes, e.g. `{ open: { type: "boolean" } }`. */
  options?: OptionsConfig;
  /** Help lines for those flags. */
  optionsHelp?: string;
  /** Runs after `-o FILE` was written, e.g. to open it in a browser. */
  afterWrite?(path: string, context: ExportContext): void | Promise<void>;
}

/**
 * The export formats, by `--format` name. To add one, add an entry.
 *
 * @example An entry
 * ```ts ignore
 * html: {
 *   extension: ".html",
 *   description: "a self-contained HTML report",
 *   render: (session, { now }) => renderHtml(session, now),
 *   options: { open: { type: "boolean" } },
 *   optionsHelp: "      --open      Open the written file in a browser",
 *   afterWrite: (path, { values }) => values.open === true ? openInBrowser(path) : undefined,
 * },
 * ```
 */
export const formats: Record<string, ExportFormat> = {
  json: {
    extension: ".json",
    description: "the JSON snapshot (the original's object plus schema, state and summary)",
    render: (session, { now }) => renderSnapshot(session, now),
  },
  md: {
    extension: ".md",
    description: "a Markdown report in the original's layout",
    render: (session, { now }) => renderMarkdown(session, now),
  },
  html: {
    extension: ".html",
    description: "a self-contained HTML report: timeline, search, decisions; opens offline",
    render: (session, { now, values }) => {
      if (values.open === true && (values.output === undefined || values.output === "-")) {
        throw new UsageError('Option "--open" needs -o FILE', "ai-trace export --help");
      }
      return renderHtml(session, { generatedAt: now });
    },
    options: { open: { type: "boolean" } },
    optionsHelp: "      --open          Open the written file in the default browser (or $BROWSER)",
    afterWrite: (path, { values, io }) =>
      values.open === true ? openWithDefaultApp(path, io.env("BROWSER") || undefined) : undefined,
  },
  otlp: {
    extension: ".otlp.json",
    otherExtensions: [".otlp"],
    description: "OTLP/HTTP JSON (ExportTraceServiceRequest) for an OpenTelemetry Collector",
    render: (session, { values, io, style }) =>
      safeJsonText(JSON.stringify(toOtlp(session, otlpOptions(values, io, style, HELP)(session)))) + "\n",
    options: CONVENTIONS_OPTION,
    optionsHelp: CONVENTIONS_HELP + " (otlp, otlp-proto)",
  },
  "otlp-proto": {
    extension: ".otlp.pb",
    description: "OTLP protobuf (ExportTraceServiceRequest), as OTLP/HTTP sends it by default",
    render: (session, { values, io, style }) => {
      if ((values.output === undefined || values.output === "-") && io.isTTY) {
        throw new UsageError(
          "The otlp-proto format is binary: give -o FILE, or redirect standard output",
          "ai-trace export --help",
        );
      }
      return encodeOtlpRequest(toOtlp(session, otlpOptions(values, io, style, HELP)(session)));
    },
    options: CONVENTIONS_OPTION,
  },
};

function formatOptions(): OptionsConfig {
  const options: OptionsConfig = {};
  for (const format of Object.values(formats)) Object.assign(options, format.options ?? {});
  return options;
}

function formatFromExtension(path: string): string | undefined {
  // The longest matching extension wins: "x.otlp.json" is otlp, not json.
  const lower = path.toLowerCase();
  let best: string | undefined;
  let bestLength = 0;
  for (const [name, format] of Object.entries(formats)) {
    for (const extension of [format.extension, ...(format.otherExtensions ?? [])]) {
      if (lower.endsWith(extension) && extension.length > bestLength) [best, bestLength] = [name, extension.length];
    }
  }
  return best;
}

/** Which extension gives which format: `.json → json, …, .otlp.json or .otlp → otlp`. */
function extensionsHelp(): string {
  return Object.entries(formats)
    .map(([name, format]) => `${[format.extension, ...(format.otherExtensions ?? [])].join(" or ")} → ${name}`)
    .join(", ");
}

/**
 * Writes a command's output file atomically (0600, as every file ai-trace
 * writes: a trace holds what the agent saw), with one clear error for a
 * directory, a missing parent or a permission problem.
 *
 * @param output The file.
 * @param rendered What to write.
 * @returns How many bytes were written.
 */
export function writeOutputFile(output: string, rendered: string | Uint8Array): number {
  let isDirectory = false;
  try {
    isDirectory = statPath(output).isDirectory;
  } catch {
    // Not there yet: the usual case.
  }
  if (isDirectory) throw new Error(`Cannot write "${output}": it is a directory`);
  try {
    writeFileAtomic(output, rendered);
  } catch (err) {
    if (err instanceof NotFoundError) throw new Error(`Cannot write "${output}": its directory does not exist`);
    if (err instanceof PermissionError) throw new Error(`Cannot write "${output}": permission denied`);
    throw err;
  }
  return typeof rendered === "string" ? new TextEncoder().encode(rendered).length : rendered.length;
}

/** The `export` command. */
export const exportCommand: Command = {
  name: "export",
  summary: "One session in another format: json, md, …",
  get help(): string {
    const list = Object.entries(formats)
      .map(([name, format]) => `  ${name.padEnd(12)}${format.description}`)
      .join("\n");
    const extra = Object.values(formats)
      .map((format) => format.optionsHelp)
      .filter((text) => text !== undefined)
      .join("\n");
    return `Usage: ai-trace export <session> --format ${Object.keys(formats).join("|")} [-o FILE] [--json]
       ai-trace export --all --format F -o DIR [filters] [--json]

Writes one session in another format, to standard output or, with -o, to a
file (atomically: a temporary file, flushed, then renamed). Without --format,
the format follows the extension of FILE: ${extensionsHelp()}.

With --all, every session of the trace directory that passes the filters is
written into DIR (created if needed), each as <agent>_<session id> with the
format's extension.

${SESSION_HELP}

Formats:
${list}

Options:
  -f, --format F      The format
  -o, --output FILE   Write to FILE instead of standard output
  -a, --all           Every session (that passes the filters) into the directory -o DIR
      --agent NAME    With --all: a filter (below); with latest or latest~N: that
                      agent's sessions only (repeatable)${extra ? "\n" + extra : ""}

${FILTER_HELP}

${COMMON_HELP}`;
  },
  get options(): OptionsConfig {
    return {
      format: { type: "string", short: "f" },
      output: { type: "string", short: "o" },
      all: { type: "boolean", short: "a" },
      ...FILTER_OPTIONS,
      ...formatOptions(),
    };
  },
  maxPositionals: 1,
  async run({ io, output: writeOut, dir, json, style, values, positionals }): Promise<number> {
    const output = stringFlag(values, "output");
    let name = stringFlag(values, "format");
    if (name === undefined && output !== undefined) name = formatFromExtension(output);
    const names = Object.keys(formats).join(", ");
    if (name === undefined && output !== undefined && output !== "-") {
      throw new UsageError(
        `Missing --format: "${basename(output)}" has no known extension (${extensionsHelp()})`,
        "ai-trace export --help",
      );
    }
    if (name === undefined) throw new UsageError(`Missing --format (one of ${names})`, "ai-trace export --help");
    const format = Object.hasOwn(formats, name) ? formats[name] : undefined;
    if (format === undefined) {
      throw new UsageError(`Unknown format "${name}" (expected one of ${names})`, "ai-trace export --help");
    }
    for (const [other, otherFormat] of Object.entries(formats)) {
      for (const flag of Object.keys(otherFormat.options ?? {})) {
        if (values[flag] !== undefined && !(flag in (format.options ?? {}))) {
          throw new UsageError(`Option "--${flag}" works only with --format ${other}`, "ai-trace export --help");
        }
      }
    }
    const filter = parseFilterFlags(values, "export", io.now());
    if (values.all === true) {
      if (positionals.length > 0) throw new UsageError("Give a session or --all, not both", HELP);
      return await exportAll({ io, dir, json, style, values }, name, format, filter, output);
    }
    if (Object.keys(filterToJson({ ...filter, agents: undefined })).length > 0) {
      throw new UsageError("The filters --state, --since, --until and --errors need --all", HELP);
    }
    const session = await resolveSession(dir, positionals[0], io.now(), "export", lookupOptions(io, values, style));
    const context: ExportContext = { now: io.now(), values, io, style };
    const rendered = await format.render(session, context);
    if (output === undefined || output === "-") {
      // The file's bytes, as -o would write them: each format escapes its own values.
      writeOut(rendered);
      return 0;
    }
    const bytes = writeOutputFile(output, rendered);
    if (json) printJson(io, { path: output, format: name, bytes, session: session.path });
    else io.stderr(`Wrote ${name} of "${printable(session.session_id)}" to ${printable(output)} (${bytes} bytes)\n`);
    try {
      await format.afterWrite?.(output, context);
    } catch (err) {
      // The file is written: what failed after it (opening a browser) is a warning, not a failure.
      const message = err instanceof Error ? err.message : String(err);
      io.stderr(`${style.yellow("warning:")} ${printable(message)}\n`);
    }
    return 0;
  },
};

/**
 * `export --all`: every session that passes the filter, each into its own
 * file in the directory `output`.
 */
async function exportAll(
  { io, dir, json, style, values }: { io: Io; dir: string; json: boolean; style: Style; values: OptionValues },
  name: string,
  format: ExportFormat,
  filter: SessionFilter,
  output: string | undefined,
): Promise<number> {
  if (output === undefined || output === "-") throw new UsageError('Option "--all" needs -o DIR', HELP);
  if (values.open === true) throw new UsageError('Option "--open" works with one session, not --all', HELP);
  const now = io.now();
  const skip = (warning: ReadWarning) =>
    io.stderr(formatWarning({ ...warning, message: `${warning.message}, skipped` }, style));
  const listing = listTraceFiles(dir, { filter });
  for (const warning of listing.skipped) skip(warning);
  const files = isFilterActive(filter)
    ? (await selectSessions(listing.files, filter, { now, onSkipped: skip })).map(({ file }) => file)
    : listing.files;
  try {
    if (!statPath(output).isDirectory) {
      throw new UsageError(`"${output}" is not a directory (--all writes into -o DIR)`, HELP);
    }
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    makeDir(output);
  }
  const written: { path: string; session: string; bytes: number }[] = [];
  const context: ExportContext = { now, values, io, style };
  for (const file of files) {
    let session: Session;
    try {
      session = await loadSession(file.path, { now });
    } catch (err) {
      skip({ path: file.path, line: 0, message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const rendered = await format.render(session, context);
    const path = join(output, file.name.replace(/\.jsonl?$/, "") + format.extension);
    writeFileAtomic(path, rendered);
    const bytes = typeof rendered === "string" ? new TextEncoder().encode(rendered).length : rendered.length;
    written.push({ path, session: file.path, bytes });
  }
  const total = written.reduce((sum, file) => sum + file.bytes, 0);
  if (json) printJson(io, { dir: output, format: name, filter: filterToJson(filter), files: written, bytes: total });
  else {
    const none = isFilterActive(filter) ? "No sessions match the filters" : "No sessions";
    io.stderr(
      written.length === 0
        ? `${none} in "${printable(dir)}": nothing written\n`
        : `Wrote ${name} of ${written.length} session${written.length === 1 ? "" : "s"} to ${
          printable(output)
        } (${total} bytes)\n`,
    );
  }
  return 0;
}
