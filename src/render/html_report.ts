/**
 * Renders one session as a single self-contained HTML file: a header with the
 * session's totals, a waterfall timeline of its steps nested under their
 * parents, a detail panel, a search box and a list of decisions with what
 * the agent saw. It opens from disk, offline, and never connects anywhere.
 *
 * Safety: the trace travels as JSON inside a `<script type="application/json">`
 * element with `<`, `>`, `&`, U+2028 and U+2029 escaped, so no value can
 * close the element; the page's script builds the DOM with `textContent`
 * only; and a Content-Security-Policy allows nothing but the report's own
 * inline script and style (by hash) and `data:` images, with Trusted Types
 * enforced so that no HTML string can reach the DOM even by mistake.
 *
 * @module
 */

import { basename } from "node:path";
import { diamondIcon, selfContainedPage, selfContainedPolicy } from "./html_safety.ts";
import { REPORT_SCRIPT } from "./html_report_script.ts";
import { REPORT_STYLE } from "./html_report_style.ts";
import type { Session } from "../format/types.ts";

/**
 * Options of {@linkcode renderHtml}.
 *
 * @example A title of your own and a date in the footer
 * ```ts
 * import { readSession, renderHtml, type RenderHtmlOptions, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", () => {});
 * await tracer.close();
 * const options: RenderHtmlOptions = { title: "Nightly run", generatedAt: Date.now() };
 * const html = renderHtml(await readSession(tracer.path!), options);
 * console.log(html.includes("<title>Nightly run</title>")); // true
 * ```
 */
export interface RenderHtmlOptions {
  /**
   * The page title.
   *
   * @default {"<agent> · <session id> · ai-trace"}
   */
  title?: string;
  /**
   * When the report was made, epoch milliseconds, shown in its footer (not shown when left out).
   *
   * @default {undefined}
   */
  generatedAt?: number;
}

// The script and style are constants: hash them once.
let policy: string | undefined;
function contentSecurityPolicy(): string {
  policy ??= selfContainedPolicy(REPORT_SCRIPT, REPORT_STYLE);
  return policy;
}

// A small diamond, so the browser asks for no favicon.
const FAVICON = diamondIcon("#7c4ddb");

// The page's skeleton: it holds no trace data; the script fills it in.
const BODY = `<header class="top">
<div class="title-row"><h1 id="agent"></h1><span id="state" class="state"></span><span class="brand">ai-trace report</span></div>
<div id="sub" class="sub"></div>
<div id="stats" class="stats"></div>
<div id="meta" class="meta"></div>
<div id="warnings" class="warnings"></div>
</header>
<div class="toolbar">
<div class="tabs" role="tablist">
<button type="button" class="tab" role="tab" id="tab-timeline" aria-selected="true" aria-controls="timeline">Timeline</button>
<button type="button" class="tab" role="tab" id="tab-decisions" aria-selected="false" aria-controls="decisions">Decisions<span class="n" id="ndecisions"></span></button>
</div>
<label class="search"><span class="glass" aria-hidden="true">&#x2315;</span>
<input id="search" type="search" autocomplete="off" spellcheck="false" aria-label="Search steps" placeholder="Search name, outcome, any value \u2014 is:error has:decision">
<kbd aria-hidden="true">/</kbd></label>
<span id="count" class="count" role="status" aria-live="polite"></span>
<div id="jumps" class="jumps"></div>
</div>
<main>
<section id="timeline" class="pane" role="tabpanel" aria-labelledby="tab-timeline">
<div class="waterfall">
<div class="axis"><span class="axis-name">Step</span><div id="ticks" class="ticks"></div></div>
<div id="grid" class="grid" aria-hidden="true"></div>
<div id="viewport" class="viewport" tabindex="0" role="tree" aria-label="Steps"><div id="spacer" class="spacer"></div></div>
</div>
<aside id="detail" class="detail" aria-label="Selected step" aria-live="polite"></aside>
</section>
<section id="decisions" class="decisions hidden" role="tabpanel" aria-labelledby="tab-decisions"><div id="dlist" class="dlist"></div></section>
</main>
<footer><span>Offline report: this file makes no network requests.</span><span id="generated"></span>
<span><kbd>\u2191</kbd> <kbd>\u2193</kbd> or <kbd>j</kbd> <kbd>k</kbd> move \u00b7 <kbd>\u2190</kbd> <kbd>\u2192</kbd> fold \u00b7 <kbd>/</kbd> search \u00b7 <kbd>E</kbd> next error \u00b7 <kbd>Esc</kbd> clear</span></footer>
<noscript><p class="empty">This report needs JavaScript to draw the trace; the trace itself is embedded in this file as JSON.</p></noscript>`;

/**
 * Renders a session as one self-contained HTML page (inline CSS and JS, the
 * trace embedded as JSON, no network access allowed).
 *
 * @param session The session, as {@linkcode readSession} returns it.
 * @param options The page title and when the report was made.
 * @returns The HTML text, ready to be written to a `.html` file.
 *
 * @example Render a session read from disk
 * ```ts
 * import { readSession, renderHtml, Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * tracer.step("market_scan", { symbol: "BTCUSDT" }, () => {});
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * await Deno.writeTextFile(`${tracer.traceDir}/report.html`, renderHtml(session)); // open it in a browser
 * ```
 */
export function renderHtml(session: Session, options: RenderHtmlOptions = {}): string {
  const title = options.title ?? `${session.agent} · ${session.session_id || "session"} · ai-trace`;
  const summary = { ...session.summary, by_name: undefined };
  const data = {
    title,
    generated_at: options.generatedAt ?? null,
    session: {
      agent: session.agent,
      session_id: session.session_id,
      schema: session.schema,
      format: session.format,
      file: session.path ? basename(session.path) : "",
      meta: session.meta,
      state: session.state,
      started_at: session.started_at,
      finished_at: session.finished_at,
      runtime: session.runtime,
      pid: session.pid,
      host: session.host,
      summary,
    },
    steps: session.steps,
    warnings: session.warnings.map((w) => ({ line: w.line, message: w.message })),
  };
  return selfContainedPage({
    title,
    policy: contentSecurityPolicy(),
    icon: FAVICON,
    style: REPORT_STYLE,
    bodyClass: "app",
    body: BODY,
    data,
    script: REPORT_SCRIPT,
  });
}
