/**
 * The HTML page of `ai-trace serve`: a skeleton that holds no trace data, its
 * style, and its script (generated from `page_browser.ts` by
 * `scripts/build_browser_scripts.ts`). The page reads
 * everything from the server's JSON API and shows one session's report (the
 * same page as `export --format html`) in a sandboxed frame.
 *
 * @module
 */

import { diamondIcon, escapeHtml, selfContainedPolicy } from "../render/html_safety.ts";
import { SERVE_SCRIPT as SCRIPT } from "./page_script.ts";

const STYLE = `
:root{color-scheme:light dark;--bg:#fbfaf8;--fg:#1d1b19;--muted:#6b6660;--line:#e4e0da;--panel:#fff;--accent:#7c4ddb;
--ok:#1f7a4d;--bad:#b3261e;--warn:#9a6700;--hover:#f1ecfb;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#151413;--fg:#ece8e3;--muted:#a39d96;--line:#2e2b28;--panel:#1c1b19;
--hover:#2a2437;--ok:#5cc48a;--bad:#ff8a80;--warn:#e3b341}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);height:100vh;display:flex;flex-direction:column}
header{display:flex;align-items:center;gap:16px;padding:10px 16px;border-bottom:1px solid var(--line);background:var(--panel)}
header h1{font-size:15px;margin:0;font-weight:650;letter-spacing:.01em}
header h1 span{color:var(--accent)}
.dir{color:var(--muted);font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;overflow:hidden;
text-overflow:ellipsis;white-space:nowrap;max-width:40vw}
.live{margin-left:auto;font-size:12px;padding:2px 8px;border-radius:999px;border:1px solid var(--line)}
.live.on{color:var(--ok)}.live.on::before{content:"\\25cf  "}.live.off{color:var(--warn)}
.layout{flex:1;display:grid;grid-template-columns:minmax(680px,48%) minmax(0,1fr);min-height:0}
aside{border-right:1px solid var(--line);display:flex;flex-direction:column;min-height:0;background:var(--panel)}
.controls{display:flex;gap:8px;padding:10px 12px;border-bottom:1px solid var(--line);flex-wrap:wrap}
.controls input{flex:1;min-width:140px}
input,select,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:4px 8px}
button{cursor:pointer}button:hover{background:var(--hover)}
.count{padding:6px 12px;color:var(--muted);font-size:12px}
.scroll{overflow:auto;flex:1}
table{border-collapse:collapse;width:100%}
th{position:sticky;top:0;white-space:nowrap;background:var(--panel);text-align:left;font-weight:600;font-size:12px;color:var(--muted);
padding:6px 8px;border-bottom:1px solid var(--line)}
td{padding:6px 8px;border-bottom:1px solid var(--line);white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:180px}
#list-body td.who{max-width:220px}#list-body .id{color:var(--muted);overflow:hidden;text-overflow:ellipsis}
#list-body .agent{overflow:hidden;text-overflow:ellipsis}
#list-body td{font-size:13px;padding:5px 7px}
#list-body .day{color:var(--muted);font-size:11px}
.state{font-size:12px}#list-body td.state{max-width:none;white-space:normal;min-width:64px}
tbody tr{cursor:pointer}tbody tr:hover,tbody tr:focus{background:var(--hover);outline:none}
tr.open{background:var(--hover);box-shadow:inset 3px 0 0 var(--accent)}
.num{text-align:right;font-variant-numeric:tabular-nums}
.time,.id{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
.agent{font-weight:600}
.bad{color:var(--bad);font-weight:600}
.esc{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;color:var(--bad);border:1px solid var(--line);
border-radius:3px;padding:0 2px;unicode-bidi:isolate}
.state.complete{color:var(--ok)}.state.crashed{color:var(--bad);font-weight:600}.state.running{color:var(--warn)}
section{display:flex;flex-direction:column;min-height:0}
#home{padding:16px 20px;overflow:auto}
#home h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:18px 0 8px}
.totals{display:flex;flex-wrap:wrap;gap:10px}
.total{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:110px}
.total .value{display:block;font-size:20px;font-weight:650;font-variant-numeric:tabular-nums}
.total .label{color:var(--muted);font-size:12px}
.toolbar{display:flex;align-items:center;gap:10px;padding:8px 12px;border-bottom:1px solid var(--line);background:var(--panel);
flex-wrap:wrap}
#session-title{font-weight:650;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:40%}
.downloads a{color:var(--accent);text-decoration:none;margin-right:8px}.downloads a:hover{text-decoration:underline}
.spacer{flex:1}
iframe{flex:1;border:0;width:100%;background:var(--bg)}
[hidden]{display:none!important}
`;

/**
 * The Content-Security-Policy of the page: its own script and style by hash,
 * requests to its own origin only (the API and the event stream), frames from
 * its own origin only (the reports, sandboxed), and Trusted Types enforced so
 * no HTML string can reach the DOM.
 */
export const PAGE_CSP: string = selfContainedPolicy(SCRIPT, STYLE, { sameOrigin: true });

const FAVICON = diamondIcon("#7c4ddb");

/**
 * The page for a trace directory.
 *
 * @param dir The trace directory, shown in the header.
 * @returns The HTML text.
 */
export function renderServePage(dir: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>ai-trace · ${escapeHtml(dir)}</title>
<link rel="icon" href="${FAVICON}">
<style>${STYLE}</style>
</head>
<body>
<header><h1><span>&#x25c6;</span> ai-trace</h1><span class="dir" title="${escapeHtml(dir)}">${escapeHtml(dir)}</span>
<span id="live" class="live off">connecting…</span></header>
<div class="layout">
<aside aria-label="Sessions">
<div class="controls">
<input id="search" type="search" placeholder="Search agent, session, state  ( / )" aria-label="Search sessions" autocomplete="off" spellcheck="false">
<select id="agent" aria-label="Agent"><option value="">All agents</option></select>
<select id="state" aria-label="State"><option value="">Any state</option><option value="complete">complete</option>
<option value="running">running</option><option value="crashed">crashed</option></select>
</div>
<div id="count" class="count" role="status" aria-live="polite">Loading…</div>
<div class="scroll"><table><thead><tr><th>Started</th><th>Agent · session</th><th class="num">Steps</th>
<th class="num">Errors</th><th class="num">Duration</th><th class="num">Tokens</th><th class="num">Cost</th><th>State</th>
</tr></thead><tbody id="list-body"></tbody></table></div>
</aside>
<section aria-label="Details">
<div id="home">
<h2>All sessions</h2><div id="totals" class="totals"></div>
<h2>By step name</h2>
<table><thead><tr><th>Step</th><th class="num">Count</th><th class="num">Errors</th><th class="num">Error rate</th>
<th class="num">p50</th><th class="num">p95</th><th class="num">Tokens</th><th class="num">Cost</th></tr></thead>
<tbody id="names-body"></tbody></table>
</div>
<div id="toolbar" class="toolbar" hidden>
<button id="home-button" type="button" title="All sessions">&#x2190; All</button>
<span id="session-title"></span>
<span class="downloads">Download <a data-format="json" download>JSON</a><a data-format="md" download>Markdown</a><a
 data-format="html" download>HTML</a><a data-format="otlp" download>OTLP</a></span>
<span class="spacer"></span>
<label>Diff with <select id="diff-with" aria-label="Session to compare with"></select></label>
<button id="diff-button" type="button">Diff</button>
</div>
<iframe id="report" title="Session report" sandbox="allow-scripts" hidden></iframe>
</section>
</div>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
