/**
 * `ai-trace push <session>... | --all --endpoint URL`: sends sessions to an
 * OpenTelemetry Collector (or any OTLP/HTTP endpoint) as OTLP/HTTP JSON.
 * The only command that opens a network connection, and only to the
 * endpoint it is given.
 *
 * @module
 */

import { type OtlpExportRequest, toOtlp } from "../otlp/to_otlp.ts";
import {
  type OtlpCompression,
  type OtlpProtocol,
  OtlpPushError,
  otlpTracesUrl,
  pushOtlp,
  redactUrl,
} from "../otlp/push.ts";
import { loadSession } from "../read/session_index.ts";
import { listTraceFiles } from "../read/trace_dir.ts";
import type { ReadWarning, Session } from "../format/types.ts";
import { type Command, COMMON_HELP, type OptionValues, printJson, stringFlag } from "./command.ts";
import { plural, printable } from "./format.ts";
import { CONVENTIONS_OPTION, otlpOptions } from "./otlp_options.ts";
import { formatWarning } from "./list.ts";
import { UsageError } from "./usage_error.ts";
import { lookupOptions, resolveSession, SESSION_HELP } from "./view.ts";
import { filterToJson, isFilterActive, selectSessions } from "../read/session_filter.ts";
import { FILTER_HELP, FILTER_OPTIONS, parseFilterFlags } from "./filter_flags.ts";

const HELP_COMMAND = "ai-trace push --help";

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses `--header` values, `NAME=VALUE` or curl's `NAME: VALUE` (split at
 * whichever of `=` and `:` comes first), into a header record. A message
 * about a bad header names it but never shows its value.
 */
export function parseHeaderFlags(values: OptionValues): Record<string, string> {
  const raw = values.header;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const headers: Record<string, string> = {};
  for (const item of list) {
    const text = String(item);
    const at = text.search(/[=:]/);
    const name = at > 0 ? text.slice(0, at).trim() : "";
    if (!HEADER_NAME.test(name)) {
      const shown = at > 0 ? ` (got "${printable(text.slice(0, Math.min(at, 40)))}" before the "${text[at]}")` : "";
      throw new UsageError(`Option "--header" needs NAME=VALUE or "NAME: VALUE"${shown}`, HELP_COMMAND);
    }
    const value = text.slice(at + 1).trim();
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(`Option "--header" value for "${name}" has a line break`, HELP_COMMAND);
    }
    setHeader(headers, name, value);
  }
  return headers;
}

/** Sets a header, replacing one of the same name in any case. */
function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
  headers[name] = value;
}

/**
 * Parses `OTEL_EXPORTER_OTLP_HEADERS`: `k=v,k2=v2`, keys and values
 * URL-decoded (W3C Baggage style, as the OpenTelemetry specification says).
 */
function parseHeaderVariable(variable: string, text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const item of text.split(",")) {
    if (item.trim() === "") continue;
    const at = item.indexOf("=");
    let name = "";
    let value = "";
    try {
      name = decodeURIComponent(at > 0 ? item.slice(0, at) : "").trim();
      value = decodeURIComponent(item.slice(at + 1)).trim();
    } catch {
      throw new UsageError(`Variable ${variable} holds a header that is not URL-encoded`, HELP_COMMAND);
    }
    if (!HEADER_NAME.test(name)) {
      throw new UsageError(`Variable ${variable} needs name=value pairs separated by commas`, HELP_COMMAND);
    }
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(`Variable ${variable}: the value for "${name}" has a line break`, HELP_COMMAND);
    }
    setHeader(headers, name, value);
  }
  return headers;
}

/** Where and how `push` sends: flags first, then the `OTEL_EXPORTER_OTLP_*` variables, then defaults. */
export interface PushSettings {
  /** The endpoint as given. */
  endpoint: string;
  /** Use it as it is (from `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). */
  exactEndpoint: boolean;
  /** Headers: the variables' merged with the flags' (flags win). */
  headers: Record<string, string>;
  /** `http/protobuf` or `http/json`. */
  protocol: OtlpProtocol;
  /** Where the endpoint and the protocol came from: `--endpoint`, a variable's name, or `default`. */
  from: { endpoint: string; protocol: string };
  /** `gzip` or `none`. */
  compression: OtlpCompression;
  /** Milliseconds per try, when a variable sets it. */
  timeoutMs?: number;
}

/** Reads the flags and the `OTEL_EXPORTER_OTLP_*` variables; flags win, the traces-specific variables win over the general ones. */
export function pushSettings(values: OptionValues, env: (name: string) => string | undefined): PushSettings {
  const variable = (name: string): [string, string] | undefined => {
    for (const full of [`OTEL_EXPORTER_OTLP_TRACES_${name}`, `OTEL_EXPORTER_OTLP_${name}`]) {
      const value = env(full);
      if (value !== undefined && value.trim() !== "") return [full, value.trim()];
    }
    return undefined;
  };

  let endpoint = stringFlag(values, "endpoint");
  let exactEndpoint = false;
  let endpointFrom = "--endpoint";
  if (endpoint === "") throw new UsageError('Option "--endpoint" needs a URL', HELP_COMMAND);
  if (endpoint === undefined) {
    const traces = env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")?.trim();
    const general = env("OTEL_EXPORTER_OTLP_ENDPOINT")?.trim();
    if (traces) {
      endpoint = traces;
      exactEndpoint = true;
      endpointFrom = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    } else if (general) {
      endpoint = general;
      endpointFrom = "OTEL_EXPORTER_OTLP_ENDPOINT";
    }
  }
  if (endpoint === undefined) {
    throw new UsageError(
      "Missing --endpoint URL (e.g. http://localhost:4318), or set OTEL_EXPORTER_OTLP_ENDPOINT",
      HELP_COMMAND,
    );
  }

  const protocolFlag = stringFlag(values, "protocol");
  const protocolVar = variable("PROTOCOL");
  const protocol = protocolFlag ?? protocolVar?.[1] ?? "http/protobuf";
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    const where = protocolFlag !== undefined ? 'Option "--protocol"' : `Variable ${protocolVar![0]}`;
    const grpc = protocol === "grpc" ? " (gRPC is not supported: point at the OTLP/HTTP port, usually 4318)" : "";
    throw new UsageError(
      `${where} must be http/protobuf or http/json, got "${printable(protocol)}"${grpc}`,
      HELP_COMMAND,
    );
  }

  const compressionFlag = stringFlag(values, "compression");
  const compressionVar = variable("COMPRESSION");
  const compression = compressionFlag ?? compressionVar?.[1] ?? "none";
  if (compression !== "gzip" && compression !== "none") {
    const where = compressionFlag !== undefined ? 'Option "--compression"' : `Variable ${compressionVar![0]}`;
    throw new UsageError(`${where} must be gzip or none, got "${printable(compression)}"`, HELP_COMMAND);
  }

  let timeoutMs: number | undefined;
  const timeoutVar = variable("TIMEOUT");
  if (timeoutVar !== undefined) {
    timeoutMs = Number(timeoutVar[1]);
    if (!/^\d+$/.test(timeoutVar[1]) || timeoutMs <= 0) {
      throw new UsageError(`Variable ${timeoutVar[0]} must be a number of milliseconds`, HELP_COMMAND);
    }
  }

  const headers: Record<string, string> = {};
  for (const name of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"]) {
    const text = env(name);
    if (text !== undefined) {
      for (const [key, value] of Object.entries(parseHeaderVariable(name, text))) setHeader(headers, key, value);
    }
  }
  for (const [key, value] of Object.entries(parseHeaderFlags(values))) setHeader(headers, key, value);

  const from = {
    endpoint: endpointFrom,
    protocol: protocolFlag !== undefined ? "--protocol" : protocolVar?.[0] ?? "default",
  };
  return {
    endpoint,
    exactEndpoint,
    headers,
    protocol,
    from,
    compression,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

/** The `push` command. */
export const push: Command = {
  name: "push",
  summary: "Send sessions to an OpenTelemetry Collector or backend (OTLP/HTTP)",
  help: `Usage: ai-trace push <session>... [--endpoint URL] [--header NAME=VALUE ...] [--json]
       ai-trace push --all [--endpoint URL] [--header NAME=VALUE ...] [--json]

Sends sessions to an OTLP/HTTP endpoint, such as an OpenTelemetry Collector,
Arize Phoenix or Langfuse: POST <URL>/v1/traces, as OTLP protobuf by default
(what the OpenTelemetry SDKs send; "ai-trace export --format otlp-proto")
or JSON (--protocol http/json), in batches. Answers 429, 502, 503 and 504
are retried with backoff, honouring Retry-After; any other error answer
stops the push with exit code 1. Spans the server rejects in a partial
success are reported.

This is the only command that opens a network connection; it connects to
URL and nowhere else: a redirect is followed only to the same scheme, host
and port. What is sent: each step's name, times, outcome, error and stack,
context, logs, decision and usage, and the session's agent name, session
id, meta, host name, process id and runtime. Not sent: the file's path, and
anything not in the file. The tracer redacts secrets when it writes a trace
(unless that was turned off); push sends what the file holds.

Limits: each try ends after 30 s (or OTEL_EXPORTER_OTLP_TIMEOUT ms), at
most 1 MiB of each answer is read, at most 6 tries per request, and the
whole push gives up after 5 minutes.

${SESSION_HELP}

Options:
  -e, --endpoint URL          The OTLP/HTTP endpoint, e.g. http://localhost:4318
                              (/v1/traces is added unless the URL ends with it)
  -H, --header NAME=VALUE     A request header, also "NAME: VALUE" (repeatable);
                              values are never printed
      --protocol P            http/protobuf (default) or http/json
      --compression C         none (default) or gzip
      --conventions C         Semantic conventions to write: both (default), genai
                              (OpenTelemetry gen_ai.*) or openinference (Phoenix, Arize)
  -a, --all                   Push every session of the trace directory (that
                              passes the filters)
      --agent NAME            With --all: a filter (below); with latest or
                              latest~N: that agent's sessions only

${FILTER_HELP}

Environment (flags win):
  OTEL_EXPORTER_OTLP_ENDPOINT          base URL; /v1/traces is added
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT   the traces URL, used as it is
  OTEL_EXPORTER_OTLP_HEADERS           name=value,name2=value2 (URL-encoded)
  OTEL_EXPORTER_OTLP_PROTOCOL          http/protobuf or http/json
  OTEL_EXPORTER_OTLP_COMPRESSION       gzip or none
  OTEL_EXPORTER_OTLP_TIMEOUT           milliseconds per try
  (each also as OTEL_EXPORTER_OTLP_TRACES_*, which wins)

${COMMON_HELP}`,
  options: {
    endpoint: { type: "string", short: "e" },
    header: { type: "string", short: "H", multiple: true },
    protocol: { type: "string" },
    compression: { type: "string" },
    ...CONVENTIONS_OPTION,
    all: { type: "boolean", short: "a" },
    ...FILTER_OPTIONS,
  },
  maxPositionals: Number.MAX_SAFE_INTEGER,
  async run({ io, dir, json, style, values, positionals }): Promise<number> {
    const settings = pushSettings(values, (name) => io.env(name));
    let url: string;
    try {
      url = redactUrl(otlpTracesUrl(settings.endpoint, settings.exactEndpoint));
    } catch (err) {
      const where = settings.from.endpoint === "--endpoint" ? "" : ` (from ${settings.from.endpoint})`;
      throw new UsageError(`${(err as Error).message}${where}`, HELP_COMMAND);
    }
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
      const listing = listTraceFiles(dir, { filter });
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

    const options = otlpOptions(values, io, style, HELP_COMMAND);
    const documents: OtlpExportRequest[] = sessions.map((session) => toOtlp(session, options(session)));
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
        endpoint: settings.endpoint,
        exactEndpoint: settings.exactEndpoint,
        headers: settings.headers,
        protocol: settings.protocol,
        compression: settings.compression,
        ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
        onRetry: ({ delayMs, reason }) => {
          io.stderr(`${style.yellow("retrying")} in ${(delayMs / 1000).toFixed(1)} s: ${printable(reason)}\n`);
        },
      });
    } catch (err) {
      if (!(err instanceof OtlpPushError)) throw err;
      let message = err.message;
      if (err.status === 415) {
        const source = settings.from.protocol;
        const undo = source === "--protocol" ? "leave out --protocol http/json" : `unset ${source}`;
        message += settings.protocol === "http/json"
          ? ` (the server does not take OTLP JSON: ${undo}, protobuf is the default)`
          : " (the server does not take OTLP protobuf: try --protocol http/json)";
      }
      if (err.result.requests > 0) {
        const sent = err.result.spans;
        message += ` (${plural(sent, "span")} ${sent === 1 ? "was" : "were"} sent before)`;
      }
      throw new OtlpPushError(message, err.result, err.status);
    }

    if (json) {
      printJson(io, {
        url,
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
        `Pushed ${plural(sessions.length, "session")} (${plural(result.spans, "span")}) to ${printable(url)}` +
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
