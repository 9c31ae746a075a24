/**
 * `ai-trace serve`'s HTTP server: the page, its JSON API, live updates as
 * server-sent events, one session's report and downloads, and an OTLP/HTTP
 * receiver (`POST /v1/traces`) that writes each received trace as a session.
 * The trace directory is the database: every answer is read from the files
 * when asked.
 *
 * Safety: it binds to 127.0.0.1 unless told otherwise; requests whose `Host`
 * is not the address it listens on are refused (DNS rebinding); a request
 * reaches the file system only as the name of a file listed in the trace
 * directory; every response says `X-Content-Type-Options: nosniff`, and pages
 * carry a strict Content-Security-Policy.
 *
 * @module
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename } from "node:path";
import type { Session } from "../format/types.ts";
import { listSessionsReport, statsReport } from "../read/directory_report.ts";
import { loadSession } from "../read/session_index.ts";
import { listTraceFiles, type TraceFile } from "../read/trace_dir.ts";
import { encodeOtlpRequest } from "../otlp/otlp_protobuf.ts";
import { toOtlp } from "../otlp/to_otlp.ts";
import { diffSessions } from "../compare/diff.ts";
import { renderDiffHtml } from "../render/html_diff.ts";
import { renderHtml } from "../render/html_report.ts";
import { renderMarkdown } from "../render/markdown.ts";
import { printable } from "../render/printable.ts";
import { renderSnapshot } from "../render/snapshot.ts";
import { writeStderr } from "../runtime.ts";
import { TraceSessions } from "../otlp/trace_sessions.ts";
import { type DirectoryChange, DirectoryWatch } from "./directory_watch.ts";
import { BodyBudget, handleOtlpTraces } from "./otlp_receiver.ts";
import { PAGE_CSP, renderServePage } from "./page.ts";

/** Options of {@linkcode startServer}. */
export interface ServeOptions {
  /** The trace directory. */
  dir: string;
  /** The address to bind. @default {"127.0.0.1"} */
  host?: string;
  /** The port; 0 picks a free one. @default {6006} */
  port?: number;
  /** The clock, epoch milliseconds (running vs crashed). @default {Date.now} */
  now?: () => number;
  /** How often the directory is looked at for live updates, in milliseconds. @default {250} */
  pollMs?: number;
  /** The largest OTLP request body taken, in bytes (compressed or inflated). @default {33554432} */
  maxBody?: number;
  /**
   * A trace received over OTLP whose root span has not come is written as it stands after this many
   * milliseconds without a new span. @default {10000}
   */
  traceIdleMs?: number;
  /**
   * Where problems writing received traces, and the server's own errors once it listens, are reported.
   * @default {one line on standard error}
   */
  onError?: (error: Error) => void;
}

/** A server that runs. */
export interface RunningServer {
  /** Its address, `http://HOST:PORT/`. */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Stops it: closes every connection, live streams included. */
  close(): Promise<void>;
}

/** A download: its content type and how to render it. */
const DOWNLOADS: Record<
  string,
  { type: string; extension: string; render(s: Session, now: number): string | Uint8Array }
> = {
  json: { type: "application/json", extension: ".json", render: (s, now) => renderSnapshot(s, now) },
  md: { type: "text/markdown; charset=utf-8", extension: ".md", render: (s, now) => renderMarkdown(s, now) },
  html: {
    type: "text/html; charset=utf-8",
    extension: ".html",
    render: (s, now) => renderHtml(s, { generatedAt: now }),
  },
  otlp: { type: "application/json", extension: ".otlp.json", render: (s) => JSON.stringify(toOtlp(s)) + "\n" },
  "otlp-proto": { type: "application/x-protobuf", extension: ".otlp.pb", render: (s) => encodeOtlpRequest(toOtlp(s)) },
};

/** How many bytes may wait for a client of the event stream that does not read them. */
const MAX_STREAM_BACKLOG = 1024 * 1024;

/**
 * Headers of the pages shown in the page's frame (a report, a diff): their own policy is in a `<meta>` tag, which
 * cannot say who may frame them; this header does (only this server's page), and is enforced beside the tag's.
 */
const FRAMED_PAGE = { "content-security-policy": "frame-ancestors 'self'" };

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The loopback addresses and name: a server bound to one of them is reachable from this machine only. */
const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

/**
 * Whether an address to bind is a loopback one (`127.0.0.1`, `localhost`, `::1`).
 *
 * @param host The address.
 * @returns True when only this machine can reach it.
 */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.includes(host);
}

/**
 * Which `Host` header values (and origins' `host:port`) a server bound to `host:port` answers to: its own
 * address, the loopback names when it listens on a loopback or every address, and any address literal when it
 * listens on every address. Never a name it does not know (DNS rebinding).
 *
 * @param host The address it is bound to.
 * @param port The port it listens on.
 * @returns A test of one `Host` value.
 */
export function allowedHosts(host: string, port: number): (value: string | undefined) => boolean {
  const wildcard = host === "0.0.0.0" || host === "::";
  const bracketed = (name: string) => name.includes(":") ? `[${name}]` : name;
  const names = new Set([bracketed(host)]);
  if (wildcard || isLoopbackHost(host)) { for (const name of LOOPBACK) names.add(bracketed(name)); }
  const authorities = new Set([...names].map((name) => `${name}:${port}`));
  // Port 80 is the default: a browser leaves it out.
  if (port === 80) { for (const name of names) authorities.add(name); }
  return (value) => {
    if (value === undefined) return false;
    const lower = value.toLowerCase();
    if (authorities.has(lower)) return true;
    // Bound to every address: any address literal (a name could be an attacker's rebinding DNS).
    return wildcard && (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(lower) || /^\[[0-9a-f:.]+\]:\d+$/.test(lower));
  };
}

/** The file of the trace directory with exactly this name: the only way a request reaches the disk. */
function fileNamed(dir: string, name: string): TraceFile {
  const file = listTraceFiles(dir).files.find((f) => f.name === name);
  if (file === undefined) throw new HttpError(404, `No session file named "${name}"`);
  return file;
}

function send(response: ServerResponse, status: number, type: string, body: string | Uint8Array, extra = {}): void {
  response.writeHead(status, {
    "content-type": type,
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    ...extra,
  });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, "application/json; charset=utf-8", JSON.stringify(value));
}

/**
 * Starts the server and resolves once it listens.
 *
 * @param options The directory, address and port.
 * @returns The running server.
 */
export function startServer(options: ServeOptions): Promise<RunningServer> {
  const dir = options.dir;
  const host = options.host ?? "127.0.0.1";
  const now = options.now ?? Date.now;
  const watch = new DirectoryWatch(dir, options.pollMs ?? 250);
  const streams = new Set<ServerResponse>();
  // Spans received over OTLP, held per trace until its root span comes, then written as a session.
  const received = new TraceSessions({ traceDir: dir, onError: options.onError });
  const idleMs = options.traceIdleMs ?? 10_000;
  const maxBody = options.maxBody ?? 32 * 1024 * 1024;
  // Request bodies held at once, all requests together: four of the largest, and at least 64 MiB.
  const bodies = new BodyBudget(Math.max(4 * maxBody, 64 * 1024 * 1024));
  const report = options.onError ?? ((error: Error) => writeStderr(`warning: ${printable(error.message)}\n`));
  // Writes the held traces (those quiet for `idle` ms, or all): a failure is reported, never thrown (not from a timer,
  // and not from close(), which must still stop the server).
  const flushHeld = (idle?: number): void => {
    try {
      received.flush(idle);
    } catch (err) {
      report(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const idleFlush = setInterval(() => flushHeld(idleMs), Math.max(50, Math.min(idleMs, 1000)));
  (idleFlush as { unref?: () => void }).unref?.();
  let hostAllowed: (value: string | undefined) => boolean = () => false;

  const routes = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    if (path === "/v1/traces") {
      if (request.method !== "POST") throw new HttpError(405, "Send OTLP traces with POST");
      return handleOtlpTraces(request, response, {
        maxBody,
        budget: bodies,
        record: (spans) => received.add(spans),
      });
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      throw new HttpError(405, `Method ${request.method} is not allowed on ${path}`);
    }
    if (path === "/") {
      return send(response, 200, "text/html; charset=utf-8", renderServePage(dir), {
        "content-security-policy": PAGE_CSP,
      });
    }
    if (path === "/api/sessions") return sendJson(response, 200, await listSessionsReport(dir, {}, { now: now() }));
    if (path === "/api/stats") return sendJson(response, 200, await statsReport(dir, {}, { now: now() }));
    if (path === "/api/events") {
      // HEAD asks what a GET would answer: a stream, which it does not open.
      if (request.method === "HEAD") return send(response, 200, "text/event-stream; charset=utf-8", "");
      return openEventStream(response);
    }
    if (path === "/diff") {
      // Two sessions of the directory, compared step by step: the same page as `ai-trace diff --html`.
      const [a, b] = await Promise.all(["a", "b"].map((key) => {
        const name = url.searchParams.get(key);
        if (name === null) throw new HttpError(400, `Missing the session "${key}"`);
        return loadSession(fileNamed(dir, name).path, { now: now() });
      }));
      return send(response, 200, "text/html; charset=utf-8", renderDiffHtml(a, b, diffSessions(a, b)), FRAMED_PAGE);
    }
    const match = /^\/(?:api\/)?sessions\/([^/]+)(?:\/([a-z.]+))?$/.exec(path);
    if (match !== null) {
      let name: string;
      try {
        name = decodeURIComponent(match[1]);
      } catch {
        throw new HttpError(400, "Bad session name");
      }
      const file = fileNamed(dir, name);
      const session = await loadSession(file.path, { now: now() });
      const what = match[2];
      if (what === undefined) return sendJson(response, 200, session);
      if (what === "report.html") {
        return send(response, 200, "text/html; charset=utf-8", renderHtml(session), FRAMED_PAGE);
      }
      if (what === "export") {
        const format = url.searchParams.get("format") ?? "";
        const download = Object.hasOwn(DOWNLOADS, format) ? DOWNLOADS[format] : undefined;
        if (download === undefined) {
          throw new HttpError(400, `Unknown format "${format}" (one of ${Object.keys(DOWNLOADS).join(", ")})`);
        }
        const stem = basename(file.name).replace(/\.jsonl?$/, "");
        return send(response, 200, download.type, download.render(session, now()), {
          "content-disposition": `attachment; filename="${stem.replace(/[^\w.-]/g, "_")}${download.extension}"`,
        });
      }
    }
    throw new HttpError(404, `Nothing at ${path}`);
  };

  // One change, as every stream sends it: written once, however many pages listen.
  const eventTexts = new WeakMap<DirectoryChange, string>();
  const eventText = (change: DirectoryChange): string => {
    let text = eventTexts.get(change);
    if (text === undefined) {
      text = `event: change\ndata: ${JSON.stringify(change)}\n\n`;
      eventTexts.set(change, text);
    }
    return text;
  };

  const openEventStream = (response: ServerResponse): void => {
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      connection: "keep-alive",
    });
    // A client that stops reading is let go once a backlog waits for it (else its share of memory grows with every
    // change); a page's EventSource reconnects and reloads what it shows.
    const write = (text: string): void => {
      if (response.writableLength > MAX_STREAM_BACKLOG) response.destroy();
      else response.write(text);
    };
    write(": ai-trace live\n\n");
    streams.add(response);
    const stop = watch.listen((change) => write(eventText(change)));
    const ping = setInterval(() => write(": ping\n\n"), 15_000);
    response.on("close", () => {
      clearInterval(ping);
      stop();
      streams.delete(response);
    });
  };

  const server: Server = createServer((request, response) => {
    const fail = (status: number, message: string) => sendJson(response, status, { error: message });
    // The target is a path ("/api/sessions") or, as HTTP allows, a whole URL whose host stands for the Host header.
    const target = request.url ?? "/";
    const path = target.startsWith("/");
    let url: URL;
    try {
      url = new URL(path ? `http://ai-trace.invalid${target}` : target);
    } catch {
      return fail(400, "Bad request target");
    }
    if (!hostAllowed(path ? request.headers.host : url.protocol === "http:" ? url.host : undefined)) {
      return fail(403, "Host not allowed: this server answers only to the address it listens on");
    }
    // A page of another origin gets nothing, and can send nothing (a form or a no-cors fetch to the receiver).
    const origin = request.headers.origin;
    if (origin !== undefined && !(origin.startsWith("http://") && hostAllowed(origin.slice("http://".length)))) {
      return fail(403, `Cross-origin requests are refused (Origin "${origin}")`);
    }
    routes(request, response, url).catch((err: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (err instanceof HttpError) return fail(err.status, err.message);
      fail(500, err instanceof Error ? err.message : String(err));
    });
  });

  return new Promise((resolve, reject) => {
    server.once("error", (err) => {
      // Nothing runs for a server that never listened.
      clearInterval(idleFlush);
      reject(err);
    });
    server.listen(options.port ?? 6006, host, () => {
      server.removeAllListeners("error");
      // A listening server's later errors (an accept that fails when descriptors run out) are reported, never thrown.
      server.on("error", (err) => report(err));
      const port = (server.address() as AddressInfo).port;
      hostAllowed = allowedHosts(host, port);
      const shown = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done) => {
            clearInterval(idleFlush);
            flushHeld();
            watch.stop();
            for (const stream of streams) stream.destroy();
            server.close(() => done());
            (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
  });
}
