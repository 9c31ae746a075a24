/**
 * `ai-trace serve`: every session of the trace directory in the browser,
 * live, from a small local HTTP server.
 *
 * @module
 */

import { openWithDefaultApp } from "../runtime.ts";
import { isLoopbackHost, startServer } from "../serve/server.ts";
import { type Command, COMMON_HELP, stringFlag } from "./command.ts";
import { parseSize } from "../read/prune.ts";
import { printable } from "./format.ts";
import { countFlag } from "./list.ts";
import { UsageError } from "./usage_error.ts";

const HELP_COMMAND = "ai-trace serve --help";

/** The `serve` command. */
export const serve: Command = {
  name: "serve",
  summary: "Every session of the directory in the browser, live",
  help: `Usage: ai-trace serve [--port N] [--host H] [--open]

Serves the trace directory as a web page: the sessions (newest first, with a
search and agent and state filters), the totals per step name, and any
session's timeline (the same report as "export --format html"). Running
sessions update live, and new sessions appear as they start. The files stay
the source of truth: nothing is imported or copied.

It is also an OTLP/HTTP receiver: a program in any language, instrumented with
OpenTelemetry, records into the directory with one variable,
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:6006
(POST /v1/traces, application/x-protobuf or application/json, gzip or not).
Each trace becomes a session file once its root span has come (or after 10 s
without a new span), through the same mapping as the OpenTelemetry exporter.

The first line on standard output is "Listening on http://HOST:PORT/".
Ctrl-C stops the server (exit 0).

A JSON API serves the page and scripts alike:
  GET /api/sessions          the sessions, as "ai-trace list --json"
  GET /api/sessions/FILE     one session, as "ai-trace view --json"
  GET /api/stats             the totals, as "ai-trace stats --json"
  GET /api/events            changes in the directory (server-sent events)
  GET /sessions/FILE/export?format=json|md|html|otlp|otlp-proto

Options:
  -p, --port N      The port (default 6006; 0 picks a free one)
      --host H      The address to bind (default 127.0.0.1). Any other address
                    makes your traces reachable from other machines: they may
                    hold sensitive data
      --open        Open the page in the default browser (or $BROWSER)
      --max-body SIZE
                    The largest OTLP request taken, compressed or inflated
                    (default 32M; bytes, or K, M, G); larger ones get 413

${COMMON_HELP}`,
  options: {
    port: { type: "string", short: "p" },
    host: { type: "string" },
    open: { type: "boolean" },
    "max-body": { type: "string" },
  },
  maxPositionals: 0,
  async run({ io, dir, values }): Promise<number> {
    const port = countFlag(stringFlag(values, "port"), "--port", "serve") ?? 6006;
    if (port > 65535) throw new UsageError(`Option "--port" takes 0 to 65535, got ${port}`, HELP_COMMAND);
    const host = stringFlag(values, "host") ?? "127.0.0.1";
    if (host === "") throw new UsageError('Option "--host" needs an address', HELP_COMMAND);
    const maxBodyText = stringFlag(values, "max-body");
    const maxBody = maxBodyText === undefined ? undefined : parseSize(maxBodyText);
    if (maxBody === undefined && maxBodyText !== undefined || maxBody === 0) {
      throw new UsageError(
        `Option "--max-body" takes a size such as 32M or 1048576, got "${maxBodyText}"`,
        HELP_COMMAND,
      );
    }
    const signal = io.signal;
    let server;
    try {
      server = await startServer({
        dir,
        host,
        port,
        maxBody,
        now: () => io.now(),
        onError: (error) => io.stderr(`warning: ${printable(error.message)}\n`),
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "EADDRINUSE") throw new Error(`Cannot listen on ${host}:${port}: the port is in use (try --port 0)`);
      if (code === "EADDRNOTAVAIL") throw new Error(`Cannot listen on ${host}:${port}: no such address here`);
      throw err;
    }
    io.stdout(`Listening on ${server.url}\n`);
    if (!isLoopbackHost(host)) {
      io.stderr(
        `warning: serving on ${host}: anyone who can reach this address can read every trace in "${dir}", ` +
          "which may hold sensitive data\n",
      );
    }
    if (values.open === true) {
      try {
        await openWithDefaultApp(server.url, io.env("BROWSER") || undefined);
      } catch (err) {
        io.stderr(`warning: ${(err as Error).message}; open ${server.url} yourself\n`);
      }
    }
    await new Promise<void>((resolve) => {
      if (signal === undefined || signal.aborted) return resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await server.close();
    return 0;
  },
};
