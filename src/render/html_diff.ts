/**
 * Renders the comparison of two runs (`ai-trace diff a b --html`) as one
 * self-contained HTML page: both runs' totals, the two timelines side by
 * side, row for row as `diffSessions` aligns them, with the first divergence
 * highlighted and both sides of the selected step in a detail panel.
 *
 * Safety, as the report's: the data travels as JSON inside a
 * `<script type="application/json">` element with `<`, `>`, `&`, U+2028 and
 * U+2029 escaped; the page's script builds the DOM with `textContent` only;
 * the Content-Security-Policy allows nothing but the page's own inline script
 * and style (by hash), with Trusted Types enforced.
 *
 * @module
 */

import { basename } from "node:path";
import type { SessionDiff } from "../compare/diff.ts";
import type { Session, SessionStep } from "../format/types.ts";
import { DIFF_SCRIPT } from "./html_diff_script.ts";
import { DIFF_STYLE } from "./html_diff_style.ts";
import { diamondIcon, selfContainedPage, selfContainedPolicy } from "./html_safety.ts";

/** Options of {@linkcode renderDiffHtml}. */
export interface RenderDiffHtmlOptions {
  /**
   * When the page was made, epoch milliseconds, shown in its footer.
   *
   * @default {undefined}
   */
  generatedAt?: number;
}

let policy: string | undefined;

const FAVICON = diamondIcon("#c7850e");

// The page's skeleton: it holds no trace data; the script fills it in.
const BODY = `<header>
<h1 id="title"></h1>
<div id="verdict" class="verdict"></div>
<table id="totals" class="totals"></table>
</header>
<div class="toolbar">
<span class="legend"><span class="m-same">= same</span><span class="m-changed">~ changed</span><span class="m-added">+ only in b</span><span class="m-missing">- only in a</span></span>
<button type="button" class="jump" id="jump-first">First divergence</button>
<button type="button" class="jump" id="jump-next">Next difference (n)</button>
<label><input type="checkbox" id="only"> Only differences</label>
</div>
<main>
<section class="timelines" aria-label="Both runs, step by step">
<div class="heads"><div></div><div>a</div><div>b</div></div>
<div id="rows" role="grid"></div>
</section>
<aside id="detail" aria-label="The selected step in both runs" aria-live="polite"></aside>
</main>
<footer><span>Offline page: this file makes no network requests.</span><span id="generated"></span></footer>
<noscript><p>This page needs JavaScript to draw the comparison; the data is embedded in this file as JSON.</p></noscript>`;

function sessionInfo(session: Session) {
  return {
    agent: session.agent,
    session_id: session.session_id,
    file: session.path ? basename(session.path) : "",
    state: session.state,
    started_at: session.started_at,
    finished_at: session.finished_at,
  };
}

/**
 * Renders a comparison as one self-contained HTML page.
 *
 * @param a The first run.
 * @param b The second run.
 * @param diff Their comparison, as `diffSessions(a, b)` returns it.
 * @param options When the page was made.
 * @returns The HTML text, ready to be written to a `.html` file.
 */
export function renderDiffHtml(a: Session, b: Session, diff: SessionDiff, options: RenderDiffHtmlOptions = {}): string {
  policy ??= selfContainedPolicy(DIFF_SCRIPT, DIFF_STYLE);
  const indexes = (steps: SessionStep[]) => new Map(steps.map((step, i) => [step, i]));
  const indexA = indexes(a.steps);
  const indexB = indexes(b.steps);
  const first = diff.first_divergence === null ? -1 : diff.rows.findIndex((row) => row.marker !== "=");
  const data = {
    generated_at: options.generatedAt ?? null,
    identical: diff.identical,
    first,
    reason: diff.first_divergence?.reason ?? null,
    sessions: { a: sessionInfo(a), b: sessionInfo(b) },
    totals: diff.totals,
    // [marker, depth, name, step index in a or -1, step index in b or -1, changes, path]
    rows: diff.rows.map((row) => [
      row.marker,
      row.depth,
      row.path[row.path.length - 1] ?? "",
      row.a ? indexA.get(row.a) ?? -1 : -1,
      row.b ? indexB.get(row.b) ?? -1 : -1,
      row.changes,
      row.path.join(" > "),
    ]),
    steps: { a: a.steps, b: b.steps },
  };
  const title = `${a.agent} ${a.session_id} vs ${b.agent} ${b.session_id} · ai-trace diff`;
  return selfContainedPage({ title, policy, icon: FAVICON, style: DIFF_STYLE, body: BODY, data, script: DIFF_SCRIPT });
}
