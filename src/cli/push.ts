/**
 * `ai-trace push <session>... | --all --endpoint URL`: sends sessions to an
 * OpenTelemetry Collector (or any OTLP/HTTP endpoint) as OTLP/HTTP JSON.
 * The only command that opens a network connection, and only to the
 * endpoint it is given.
 *
 * @module
 */

import { type OtlpExportRequest, toOtlp } from "../otlp/to_otlp.ts";
import { OtlpPushError, otlpTracesUrl, pushOtlp } from "../otlp/push.ts";
import { loadSession } from "../read/session_index.ts";
import { listTraceFiles } from "../read/trace_dir.ts";
import type { ReadWarning, Session } from "../format/types.ts";
import { type Command, COMMON_HELP, type OptionValues, printJson, stringFlag } from "./command.ts";
import { plural, printable } from "./format.ts";
import { formatWarning } from "./list.ts";
import { UsageError } from "./usage_error.ts";
import { lookupOptions, resolveSession, SESSION_HELP } from "./view.ts";
import { filterToJson, isFilterActive, selectSessions } from "../read/session_filter.ts";
import { FILTER_HELP, FILTER_OPTIONS, parseFilterFlags } from "./filter_flags.ts";

const HELP_COMMAND = "ai-trace push --help";

/** Parses `--header K=V` values into a header record. */
export function parseHeaderFlags(values: OptionValues): Record<string, string> {
  const raw = values.header;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const headers: Record<string, string> = {};
  for (const item of list) {
    const text = String(item);
    const at = text.indexOf("=");
    const name = at > 0 ? text.slice(0, at).trim() : "";
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new UsageError(`Option "--header" needs NAME=VALUE, got "${printable(text)}"`, HELP_COMMAND);
    }
    const value = text.slice(at + 1).trim();
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(`Option "--header" value for "${name}" has a line break`, HELP_COMMAND);
    }
    headers[name] = value;
  }
  return headers;
}

/** The `push` command. */
export const push: Command = {
  name: "push",
  summary: "Send sessions to an OpenTelemetry Collector (OTLP/HTTP JSON)",
  help: `Usage: ai-trace push <session>... --endpoint URL [--header NAME=VALUE ...] [--json]
       ai-trace push --all --endpoint URL [--header NAME=VALUE ...] [--json]

Sends sessions to an OTLP/HTTP endpoint, such as an OpenTelemetry Collector,
as OTLP/HTTP JSON (the same document as "ai-trace export --format otlp"):
POST <URL>/v1/traces, Content-Type: application/json, in batches. Answers
429, 502, 503 and 504 are retried with backoff, honouring Retry-After; any
other error answer stops the push with exit code 1. Spans the server rejects
in a partial success are reported.

This is the only command that opens a network connection; it connects to
URL and nowhere else. What is sent: each step's name, times, outcome, error
and stack, context, logs, decision and usage, and the session's agent name,
session id, meta, host name, process id and runtime. Not sent: the file's
path, and anything not in the file. The tracer redacts secrets when it
writes a trace (unless that was turned off); push sends what the file holds.

${SESSION_HELP}

Options:
  -e, --endpoint URL          The OTLP/HTTP endpoint, e.g. http://localhost:4318
                              (/v1/traces is added unless the URL ends with it)
  -H, --header NAME=VALUE     A request header, e.g. "Authorization=Bearer ..." (repeatable)
  -a, --all                   Push every session of the trace directory (that
                              passes the filters)
      --agent NAME            With --all: a filter (below); with latest or
                              latest~N: that agent's sessions only

${FILTER_HELP}

${COMMON_HELP}`,
  options: {
    endpoint: { type: "string", short: "e" },
    header: { type: "string", short: "H", multiple: true },
    all: { type: "boolean", short: "a" },
    ...FILTER_OPTIONS,
  },
  maxPositionals: Number.MAX_SAFE_INTEGER,
  async run({ io, dir, json, style, values, positionals }): Promise<number> {
    const endpoint = stringFlag(values, "endpoint");
    if (endpoint === undefined || endpoint === "") {
      throw new UsageError("Missing --endpoint URL (e.g. http://localhost:4318)", HELP_COMMAND);
    }
    let url: string;
    try {
      url = otlpTracesUrl(endpoint);
    } catch (err) {
      throw new UsageError((err as Error).message, HELP_COMMAND);
    }
    const headers = parseHeaderFlags(values);
    const all = values.all === true;
    if (all && positionals.length > 0) throw new UsageError("Give sessions or --all, not both", HELP_COMMAND);
    if (!all && positionals.length === 0) {
      throw new UsageError(`Missing <session> (a session id, a file, or "latest") or --all`, HELP_COMMAND);
    }

    const now = io.now();
    const filter = parseFilterFlags(values, "push", now);
    if (!all && Object.keys(filterToJson({ ...filter, agents: undefined })).length > 0) {
      throw new UsageError("The filters --state, --since, --until and --errors need --all", HELP_COMMAND);
    }
    const sessions: Session[] = [];
    if (all) {
      const listing = listTraceFiles(dir);
      for (const warning of listing.skipped) io.stderr(formatWarning(warning, style));
      let files = listing.files;
      if (isFilterActive(filter)) {
        const skip = (warning: ReadWarning) =>
          io.stderr(formatWarning({ ...warning, message: `${warning.message}, skipped` }, style));
        files = (await selectSessions(files, filter, { now, onSkipped: skip })).map(({ file }) => file);
      }
      for (const file of files) {
        try {
          sessions.push(await loadSession(file.path, { now }));
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          io.stderr(formatWarning({ path: file.path, line: 0, message: `${message}, skipped` }, style));
        }
      }
    } else {
      const lookup = lookupOptions(io, values, style);
      for (const query of positionals) sessions.push(await resolveSession(dir, query, now, "push", lookup));
    }

    const documents: OtlpExportRequest[] = sessions.map(toOtlp);
    const spanCounts = documents.map((doc) => doc.resourceSpans[0].scopeSpans[0].spans.length);
    if (sessions.length === 0) {
      if (json) {
        printJson(io, {
          url,
          filter: filterToJson(filter),
          sessions: [],
          requests: 0,
          spans: 0,
          rejected_spans: 0,
          messages: [],
          retries: 0,
        });
      } else {
        const which = isFilterActive(filter) ? "No sessions that match the filters" : "No sessions";
        io.stderr(`${which} in "${printable(dir)}" to push\n`);
      }
      return 0;
    }

    let result;
    try {
      result = await pushOtlp(documents, {
        endpoint: url,
        headers,
        onRetry: ({ delayMs, reason }) => {
          io.stderr(`${style.yellow("retrying")} in ${(delayMs / 1000).toFixed(1)} s: ${printable(reason)}\n`);
        },
      });
    } catch (err) {
      if (err instanceof OtlpPushError && err.result.requests > 0) {
        const sent = err.result.spans;
        throw new OtlpPushError(
          `${err.message} (${plural(sent, "span")} ${sent === 1 ? "was" : "were"} sent before)`,
          err.result,
          err.status,
        );
      }
      throw err;
    }

    if (json) {
      printJson(io, {
        url: result.url,
        filter: filterToJson(filter),
        sessions: sessions.map((session, i) => ({
          path: session.path,
          agent: session.agent,
          session_id: session.session_id,
          spans: spanCounts[i],
        })),
        requests: result.requests,
        spans: result.spans,
        rejected_spans: result.rejectedSpans,
        messages: result.messages,
        retries: result.retries,
      });
    } else {
      io.stdout(
        `Pushed ${plural(sessions.length, "session")} (${plural(result.spans, "span")}) to ${printable(result.url)}` +
          ` in ${plural(result.requests, "request")}\n`,
      );
    }
    if (result.rejectedSpans > 0 || result.messages.length > 0) {
      const why = result.messages.length > 0 ? `: ${result.messages.map(printable).join("; ")}` : "";
      io.stderr(`${style.yellow("warning:")} the server rejected ${plural(result.rejectedSpans, "span")}${why}\n`);
    }
    return 0;
  },
};
