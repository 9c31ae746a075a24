/**
 * The browser code of the comparison page (`ai-trace diff --html`), as a real
 * TypeScript module that `deno check` and `deno lint` see. It is never
 * imported at run time: `scripts/build_browser_scripts.ts` transpiles
 * {@linkcode diffPage} into the string constant of `html_diff_script.ts`,
 * which every comparison page inlines and its Content-Security-Policy allows
 * by hash; CI and a test fail when that file is not current. So the function
 * must stay self-contained: no imports but types, nothing from outside the
 * function but the helpers it is called with.
 *
 * It reads the comparison from the page's `<script type="application/json">`
 * element (as `renderDiffHtml` of `html_diff.ts` writes it) and builds the
 * page with `createElement` and `textContent` only: no string from either
 * trace is ever parsed as markup, and none becomes a link. Control characters
 * and the invisible characters that reorder or hide text are shown as marked
 * `\u…` escapes, as in the report.
 *
 * @module
 */

import type { formatDuration as formatDurationRule } from "./duration.ts";
import type { VisibleText } from "./text_browser.ts";

/** A JSON object from a trace: any field may hold anything. */
type Obj = Record<string, unknown>;
/** One aligned row: [marker, depth, name, step index in a or -1, step index in b or -1, changes, path]. */
type Row = [string, number, string, number, number, string[], string];
/** What a side ("a" or "b") has of each kind. */
type Sides<T> = { a: T; b: T };
/** The page's data, as far as the page trusts its shape (every value in it may be anything). */
interface DiffData {
  generated_at?: unknown;
  identical?: unknown;
  first: number;
  reason?: unknown;
  sessions: Sides<Obj>;
  totals: Sides<Obj>;
  rows: Row[];
  steps: Sides<Obj[]>;
}

/**
 * Builds the comparison page from the embedded data.
 *
 * @param textRule How text from the traces is shown: `visibleText` of
 *   `text_browser.ts` with the escaping rule of `printable.ts`, put in the
 *   page by the build.
 * @param formatDuration How durations are written: `formatDuration` of
 *   `duration.ts` (the rule of the CLI's `diff` and of the report), put in the
 *   page by the build.
 */
export function diffPage(textRule: VisibleText, formatDuration: typeof formatDurationRule): void {
  const CLIP = 4000;
  const MARKS: Record<string, string> = { "=": "same", "~": "changed", "+": "added", "-": "missing" };
  const REASONS: Record<string, string> = {
    decision: "decided differently",
    outcome: "ended differently",
    context: "saw a different context",
    missing: "a step of a is missing from b",
    added: "b has a step that a does not",
  };

  function byId<T extends HTMLElement = HTMLElement>(id: string): T {
    return document.getElementById(id) as T;
  }
  function el<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    cls?: string | null,
    text?: unknown,
  ): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) textRule.set(node, String(text));
    return node;
  }
  function isObject(v: unknown): v is Obj {
    return v !== null && typeof v === "object";
  }
  function num(v: unknown): number | null {
    return typeof v === "number" && isFinite(v) ? v : null;
  }
  function str(v: unknown): string {
    if (typeof v === "string") return v;
    if (v === null || v === undefined) return "";
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  function clip(text: string): string {
    return text.length > CLIP ? text.slice(0, CLIP) + "\u2026 (" + text.length + " characters)" : text;
  }
  function pretty(v: unknown): string {
    try {
      return clip(JSON.stringify(v, null, 2));
    } catch {
      return clip(str(v));
    }
  }
  // The one rule of durations (render/duration.ts), passed in by the build; "" when unknown.
  function fmtDur(ms: number | null): string {
    if (ms === null || !isFinite(ms)) return "";
    return formatDuration(Math.abs(ms));
  }
  function signed(x: number | null, f: (x: number) => string): string {
    if (x === null || !isFinite(x)) return "";
    if (Math.abs(x) < 1e-9) return "=";
    return (x > 0 ? "+" : "\u2212") + f(Math.abs(x));
  }
  function money(x: number): string {
    return "$" + String(Number(x.toFixed(6)));
  }
  function plain(x: number): string {
    return String(Math.round(x * 1e6) / 1e6);
  }

  let data: DiffData;
  try {
    data = JSON.parse(byId("ai-trace-data").textContent || "{}");
  } catch {
    data = { rows: [], steps: { a: [], b: [] }, sessions: { a: {}, b: {} }, totals: { a: {}, b: {} }, first: -1 };
  }
  const rows: Row[] = Array.isArray(data.rows) ? data.rows : [];
  const steps: Sides<Obj[]> = data.steps || { a: [], b: [] };
  const sessions: Sides<Obj> = data.sessions || { a: {}, b: {} };
  const totals: Sides<Obj> = data.totals || { a: {}, b: {} };
  const rowNodes: HTMLElement[] = [];
  let selected = -1;

  function stepOf(side: "a" | "b", index: unknown): Obj | null {
    const list = steps[side];
    return Array.isArray(list) && typeof index === "number" && index >= 0 && index < list.length ? list[index] : null;
  }

  // ---- header ----------------------------------------------------------
  textRule.set(
    byId("title"),
    str(sessions.a.agent) + " \u00b7 " + str(sessions.a.session_id) + "  vs  " +
      str(sessions.b.agent) + " \u00b7 " + str(sessions.b.session_id),
  );
  const verdict = byId("verdict");
  let differences = 0;
  for (const row of rows) if (row[0] !== "=") differences++;
  if (data.identical) {
    verdict.className = "verdict same";
    verdict.textContent = "No difference: the same " + rows.length + " steps, outcomes and decisions in both runs.";
  } else {
    verdict.className = "verdict different";
    const first = rows[data.first];
    const where = first ? str(first[6]) : "";
    textRule.set(
      verdict,
      "First divergence at " + where + ": " + (REASONS[str(data.reason)] || str(data.reason)) +
        " \u2014 " + differences + (differences === 1 ? " difference" : " differences") + " in " + rows.length +
        " aligned steps.",
    );
  }

  function totalsRow(label: string, a: string, b: string, change: string): HTMLTableRowElement {
    const tr = el("tr");
    tr.appendChild(el("th", null, label));
    tr.appendChild(el("td", null, a));
    tr.appendChild(el("td", null, b));
    tr.appendChild(el("td", "change", change));
    return tr;
  }
  const table = byId("totals");
  const head = el("tr");
  head.appendChild(el("th", null, ""));
  head.appendChild(el("th", null, "a: " + str(sessions.a.file)));
  head.appendChild(el("th", null, "b: " + str(sessions.b.file)));
  head.appendChild(el("th", null, "change"));
  table.appendChild(head);
  const ta = totals.a || {};
  const tb = totals.b || {};
  table.appendChild(
    totalsRow(
      "state",
      str(ta.state),
      str(tb.state),
      ta.state === tb.state ? "" : str(ta.state) + " \u2192 " + str(tb.state),
    ),
  );
  const counts = [["steps", "steps"], ["errors", "errors"], ["in flight", "in_flight"], ["decisions", "decisions"], [
    "tokens",
    "tokens",
  ]];
  for (const [label, key] of counts) {
    const x = num(ta[key]) || 0;
    const y = num(tb[key]) || 0;
    table.appendChild(totalsRow(label, plain(x), plain(y), signed(y - x, plain)));
  }
  const da = num(ta.duration_ms);
  const db = num(tb.duration_ms);
  table.appendChild(
    totalsRow("duration", fmtDur(da), fmtDur(db), da !== null && db !== null ? signed(db - da, fmtDur) : ""),
  );
  const ca = num(ta.cost_usd) || 0;
  const cb = num(tb.cost_usd) || 0;
  table.appendChild(totalsRow("cost", money(ca), money(cb), signed(cb - ca, money)));

  // ---- timelines -------------------------------------------------------
  function span(side: "a" | "b"): { start: number | null; length: number } {
    const s = sessions[side] || {};
    let start = num(s.started_at);
    let end = num(s.finished_at);
    const list = steps[side] || [];
    for (const step of list) {
      const t0 = num(step.started_at);
      const t1 = num(step.finished_at);
      if (t0 !== null && (start === null || t0 < start)) start = t0;
      if (t1 !== null && (end === null || t1 > end)) end = t1;
      if (t0 !== null && (end === null || t0 > end)) end = t0;
    }
    return { start, length: start !== null && end !== null && end > start ? end - start : 0 };
  }
  const spans = { a: span("a"), b: span("b") };

  function cell(side: "a" | "b", step: Obj | null, depth: number): HTMLElement {
    const node = el("div", "cell");
    if (!step) {
      node.className = "cell empty";
      node.appendChild(el("div", "line", side === "a" ? "(not in a)" : "(not in b)"));
      return node;
    }
    if (step.in_flight) node.className += " outcome-flight";
    else if (step.outcome === "error") node.className += " outcome-error";
    const line = el("div", "line");
    line.style.paddingLeft = (8 + Math.min(depth, 30) * 14) + "px";
    line.appendChild(el("span", "name", str(step.name)));
    if (isObject(step.decision)) line.appendChild(el("span", "action", "\u2192 " + str(step.decision.action)));
    line.appendChild(el("span", "dur", step.in_flight ? "in flight" : fmtDur(num(step.duration_ms))));
    node.appendChild(line);
    const track = el("div", "track");
    track.style.marginLeft = (8 + Math.min(depth, 30) * 14) + "px";
    const bar = el("div", "bar");
    const sp = spans[side];
    const t0 = num(step.started_at);
    if (sp.start !== null && sp.length > 0 && t0 !== null) {
      const left = Math.max(0, Math.min(1, (t0 - sp.start) / sp.length));
      const dur = num(step.duration_ms);
      const width = step.in_flight
        ? 1 - left
        : dur === null
        ? 0
        : Math.max(0, Math.min(1 - left, dur / 1000 / sp.length));
      bar.style.left = (left * 100).toFixed(3) + "%";
      bar.style.width = (width * 100).toFixed(3) + "%";
    } else {
      bar.style.left = "0";
      bar.style.width = "100%";
    }
    track.appendChild(bar);
    node.appendChild(track);
    return node;
  }

  const container = byId("rows");
  rows.forEach((row, r) => {
    const kind = MARKS[row[0]] || "same";
    const node = el("div", "row " + kind);
    node.setAttribute("role", "row");
    node.dataset.index = String(r);
    node.dataset.marker = String(row[0]);
    if (r === data.first) {
      node.className += " divergence";
      node.id = "divergence";
    }
    node.appendChild(el("div", "marker m-" + kind, row[0]));
    node.appendChild(cell("a", stepOf("a", row[3]), num(row[1]) || 0));
    node.appendChild(cell("b", stepOf("b", row[4]), num(row[1]) || 0));
    container.appendChild(node);
    rowNodes.push(node);
  });
  if (rows.length === 0) container.appendChild(el("div", "none", "Neither run has steps."));

  // ---- detail ----------------------------------------------------------
  function kv(list: HTMLElement, key: string, value: string, cls?: string): void {
    list.appendChild(el("div", "k", key));
    list.appendChild(el("div", "v" + (cls ? " " + cls : ""), value));
  }
  function side(label: "a" | "b", step: Obj | null): HTMLElement {
    const box = el("div", "side");
    box.dataset.side = label;
    box.appendChild(el("h3", null, label));
    if (!step) {
      box.appendChild(el("div", "none", "No such step in this run."));
      return box;
    }
    const list = el("div", "kv");
    kv(list, "step", str(step.name));
    if (step.kind) kv(list, "kind", str(step.kind));
    kv(list, "outcome", step.in_flight ? "in flight (never finished)" : str(step.outcome));
    if (!step.in_flight) kv(list, "duration", fmtDur(num(step.duration_ms)));
    if (isObject(step.context) && Object.keys(step.context).length > 0) kv(list, "context", pretty(step.context));
    const d = step.decision;
    if (isObject(d)) {
      kv(list, "decision", str(d.action), "decision");
      if (d.reason !== undefined) kv(list, "reason", str(d.reason));
      if (num(d.confidence) !== null) kv(list, "confidence", String(d.confidence));
      if (Array.isArray(d.alternatives) && d.alternatives.length > 0) {
        kv(list, "alternatives", d.alternatives.map(str).join(", "));
      }
    }
    if (isObject(step.usage)) kv(list, "usage", pretty(step.usage));
    if (step.error !== null && step.error !== undefined) {
      kv(list, "error", (step.error_type ? str(step.error_type) + ": " : "") + str(step.error), "error");
    }
    if (Array.isArray(step.logs) && step.logs.length > 0) kv(list, "logs", pretty(step.logs));
    box.appendChild(list);
    return box;
  }
  function select(index: number, scroll: boolean): void {
    if (index < 0 || index >= rows.length) return;
    if (selected >= 0) rowNodes[selected].classList.remove("selected");
    selected = index;
    const node = rowNodes[index];
    node.classList.add("selected");
    node.setAttribute("aria-selected", "true");
    if (scroll) node.scrollIntoView({ block: "center" });
    const row = rows[index];
    const detail = byId("detail");
    detail.textContent = "";
    detail.appendChild(el("h2", null, str(row[6])));
    const changes = Array.isArray(row[5]) ? row[5] : [];
    detail.appendChild(
      el(
        "div",
        "verdict " + (changes.length ? "different" : "same"),
        changes.length ? changes.map((c) => REASONS[str(c)] || str(c)).join("; ") : "the same in both runs",
      ),
    );
    detail.appendChild(side("a", stepOf("a", row[3])));
    detail.appendChild(side("b", stepOf("b", row[4])));
  }
  container.addEventListener("click", (event) => {
    let target = event.target as Node | null;
    while (target && target !== container && !(target instanceof HTMLElement && target.dataset.index !== undefined)) {
      target = target.parentNode;
    }
    if (target instanceof HTMLElement && target !== container) select(Number(target.dataset.index), false);
  });
  function nextDifference(from: number): number {
    for (let k = from + 1; k < rows.length; k++) {
      if (rows[k][0] !== "=" && !rowNodes[k].classList.contains("hidden")) return k;
    }
    return -1;
  }
  byId("jump-first").addEventListener("click", () => select(data.first, true));
  byId("jump-next").addEventListener("click", () => {
    const k = nextDifference(selected);
    if (k >= 0) select(k, true);
  });
  byId<HTMLInputElement>("only").addEventListener("change", (event) => {
    const only = (event.target as HTMLInputElement).checked;
    for (let k = 0; k < rows.length; k++) rowNodes[k].classList.toggle("hidden", only && rows[k][0] === "=");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "n" || event.key === "j" || event.key === "ArrowDown") {
      const k = event.key === "n" ? nextDifference(selected) : Math.min(rows.length - 1, selected + 1);
      if (k >= 0) {
        select(k, true);
        event.preventDefault();
      }
    } else if (event.key === "k" || event.key === "ArrowUp") {
      if (selected > 0) {
        select(selected - 1, true);
        event.preventDefault();
      }
    }
  });
  if (typeof data.generated_at === "number") {
    byId("generated").textContent = "Generated " +
      new Date(data.generated_at).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }
  if (data.first >= 0) select(data.first, true);
  else select(0, false);
  document.body.dataset.ready = "true";
}
