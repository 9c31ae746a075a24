/**
 * The browser code of the HTML report, as a real TypeScript module that
 * `deno check` and `deno lint` see. It is never imported at run time:
 * `scripts/build_browser_scripts.ts` transpiles {@linkcode reportPage} (with
 * the TypeScript compiler of the dev dependencies) into the string constant of
 * `html_report_script.ts`, which every report inlines and its
 * Content-Security-Policy allows by hash; CI and a test fail when that file is
 * not current. So the function must stay self-contained: no imports but types,
 * nothing from outside the function but the helpers it is called with.
 *
 * It reads the trace from the page's `<script type="application/json">`
 * element and builds the page with `createElement` and `textContent` only: no
 * string from the trace is ever parsed as markup, and none becomes a link.
 * Control characters and the invisible characters that reorder or hide text
 * (bidi controls, zero-width spaces) are shown as marked `\u…` escapes. The
 * step list is virtualized (only the rows in view exist in the DOM), and each
 * step's lowercase search text is built once, on the first search.
 *
 * @module
 */

import type { formatDuration as formatDurationRule } from "./duration.ts";
import type { VisibleText } from "./text_browser.ts";

/** A JSON object from the trace: any field may hold anything. */
type Obj = Record<string, unknown>;
/** What may be added to an element: nodes, text, or nothing. */
type Child = Node | string | null | undefined | false;
/** A step's state as the page shows it. */
type Status = "ok" | "error" | "inflight" | "other";

/**
 * Builds the report page from the embedded trace.
 *
 * @param textRule How text from the trace is shown: `visibleText` of
 *   `text_browser.ts` with the escaping rule of `printable.ts`, put in the
 *   page by the build, so the rule is written once.
 * @param formatDuration How durations are written: `formatDuration` of
 *   `duration.ts`, put in the page by the build, so the CLI, the Markdown
 *   report and this page follow one rule.
 */
export function reportPage(textRule: VisibleText, formatDuration: typeof formatDurationRule): void {
  const ROW = 28;
  const OVERSCAN = 10;
  const CHUNK = 100;
  const STRING_CLIP = 4000;
  const { plain, set: setText, node: textNode } = textRule;

  function byId<T extends HTMLElement = HTMLElement>(id: string): T {
    return document.getElementById(id) as T;
  }
  function el<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    cls?: string,
    text?: string | null,
  ): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) setText(node, String(text));
    return node;
  }
  function add<T extends Node>(parent: T, ...children: Child[]): T {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      parent.appendChild(typeof child === "string" ? textNode(child) : child);
    }
    return parent;
  }
  function isObject(v: unknown): v is Obj {
    return v !== null && typeof v === "object" && !Array.isArray(v);
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
  function pad(n: number, w?: number): string {
    let s = String(n);
    while (s.length < (w || 2)) s = "0" + s;
    return s;
  }

  // ---- formatting -------------------------------------------------------
  // The one rule of durations (render/duration.ts), passed in by the build; "" when unknown.
  function fmtDur(ms: number | null | undefined): string {
    if (ms === null || ms === undefined || !isFinite(ms)) return "";
    return formatDuration(Math.abs(ms));
  }
  function fmtClock(sec: unknown, withDate?: boolean): string {
    const s = num(sec);
    if (s === null) return "";
    const d = new Date(s * 1000);
    if (isNaN(d.getTime())) return "";
    const t = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + "." +
      pad(d.getUTCMilliseconds(), 3);
    if (!withDate) return t;
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " + t + " UTC";
  }
  const USAGE_COUNTS: [string, string][] = [
    ["input_tokens", "Input tokens"],
    ["output_tokens", "Output tokens"],
    ["cache_read_input_tokens", "Cache read tokens"],
    ["cache_creation_input_tokens", "Cache write tokens"],
    ["reasoning_tokens", "Reasoning tokens"],
  ];
  const USAGE_SHOWN: Record<string, 1> = {
    model: 1,
    response_model: 1,
    provider: 1,
    input_tokens: 1,
    output_tokens: 1,
    cache_read_input_tokens: 1,
    cache_creation_input_tokens: 1,
    reasoning_tokens: 1,
    cost_usd: 1,
  };
  function fmtInt(v: unknown): string {
    const n = num(v);
    return n === null ? "0" : Math.round(n).toLocaleString("en-US");
  }
  function fmtCost(v: unknown): string {
    const c = num(v);
    if (c === null || c === 0) return "$0";
    if (Math.abs(c) < 0.01) return "$" + c.toPrecision(2);
    return "$" + c.toFixed(2);
  }

  // ---- data -------------------------------------------------------------
  let data: Obj;
  try {
    const parsed: unknown = JSON.parse(byId("ai-trace-data").textContent || "{}");
    data = isObject(parsed) ? parsed : {};
  } catch {
    data = { session: {}, steps: [] };
  }
  const session: Obj = isObject(data.session) ? data.session : {};
  const steps: Obj[] = Array.isArray(data.steps) ? data.steps.filter(isObject) : [];
  const n = steps.length;

  const indexOfId = new Map<unknown, number>();
  for (let i = 0; i < n; i++) {
    const sid = steps[i].id;
    if (!indexOfId.has(sid)) indexOfId.set(sid, i);
  }
  const parent = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const pid = steps[i].parent_id;
    if (pid !== null && pid !== undefined && indexOfId.has(pid)) {
      const p = indexOfId.get(pid)!;
      if (p !== i) parent[i] = p;
    }
  }
  // Depths, cutting any parent cycle a malformed file might hold.
  const depth = new Int32Array(n).fill(-1);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (depth[i] !== -1) continue;
    const path: number[] = [];
    let j = i;
    while (j !== -1 && depth[j] === -1) {
      if (seen[j]) {
        parent[path[path.length - 1]] = -1;
        break;
      }
      seen[j] = 1;
      path.push(j);
      j = parent[j];
    }
    for (let k = path.length - 1; k >= 0; k--) {
      const q = parent[path[k]];
      depth[path[k]] = q === -1 ? 0 : depth[q] + 1;
    }
  }
  const kids: (number[] | undefined)[] = new Array(n);
  const roots: number[] = [];
  for (let i = 0; i < n; i++) {
    if (parent[i] === -1) roots.push(i);
    else (kids[parent[i]] || (kids[parent[i]] = [])).push(i);
  }
  // Tree order: each step followed by its children, in start order.
  const order = new Int32Array(n);
  const orderPos = new Int32Array(n);
  let oc = 0;
  const stack = roots.slice().reverse();
  while (stack.length) {
    const top = stack.pop()!;
    orderPos[top] = oc;
    order[oc++] = top;
    const ch = kids[top];
    if (ch) { for (let k = ch.length - 1; k >= 0; k--) stack.push(ch[k]); }
  }

  function status(s: Obj): Status {
    if (s.in_flight) return "inflight";
    if (s.outcome === "error") return "error";
    if (s.outcome === "ok" || s.outcome === null || s.outcome === undefined) return "ok";
    return "other";
  }
  const statusOf: Status[] = new Array(n);
  const errorBelow = new Uint8Array(n);
  const errors: number[] = [];
  const inflight: number[] = [];
  const decisions: number[] = [];
  for (let i = 0; i < n; i++) statusOf[i] = status(steps[i]);
  for (let k = n - 1; k >= 0; k--) {
    const i = order[k];
    if ((statusOf[i] === "error" || errorBelow[i]) && parent[i] !== -1) errorBelow[parent[i]] = 1;
  }
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (statusOf[i] === "error") errors.push(i);
    if (statusOf[i] === "inflight") inflight.push(i);
  }
  for (let i = 0; i < n; i++) if (isObject(steps[i].decision)) decisions.push(i);

  // The time axis: from the session's start to the last moment anything is known.
  let t0 = Infinity;
  let t1 = -Infinity;
  function endOf(s: Obj): number | null {
    const f = num(s.finished_at);
    if (f !== null) return f;
    const st = num(s.started_at);
    const d = num(s.duration_ms);
    return st !== null && d !== null ? st + d / 1000 : null;
  }
  for (let i = 0; i < n; i++) {
    const st = num(steps[i].started_at);
    if (st !== null) {
      t0 = Math.min(t0, st);
      t1 = Math.max(t1, st);
    }
    const en = endOf(steps[i]);
    if (en !== null) t1 = Math.max(t1, en);
    const logs = steps[i].logs;
    if (Array.isArray(logs)) {
      for (const entry of logs) {
        const lt = isObject(entry) ? num(entry._t) : null;
        if (lt !== null) t1 = Math.max(t1, lt);
      }
    }
  }
  const sessionStart = num(session.started_at);
  const sessionEnd = num(session.finished_at);
  if (sessionStart !== null) {
    t0 = Math.min(t0, sessionStart);
    t1 = Math.max(t1, sessionStart);
  }
  if (sessionEnd !== null) t1 = Math.max(t1, sessionEnd);
  if (!isFinite(t0)) {
    t0 = 0;
    t1 = 1;
  }
  if (t1 - t0 < 0.001) t1 = t0 + 0.001;
  // Steps in flight run on past the last record: leave them room to show it.
  const lastKnown = t1;
  if (inflight.length) t1 += (t1 - t0) * 0.06;
  const span = t1 - t0;
  function pct(sec: number): number {
    return Math.max(0, Math.min(100, ((sec - t0) / span) * 100));
  }

  // ---- search -----------------------------------------------------------
  let hay: string[] | null = null;
  function collect(v: unknown, out: string[], d: number): void {
    if (d > 12) return;
    if (typeof v === "string") out.push(v);
    else if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
    else if (v === null) out.push("null");
    else if (Array.isArray(v)) { for (const item of v) collect(item, out, d + 1); }
    else if (typeof v === "object") {
      for (const key in v) {
        if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
        if (key !== "_t") out.push(key);
        collect((v as Obj)[key], out, d + 1);
      }
    }
  }
  function haystack(idx: number): string {
    if (hay === null) {
      const built: string[] = new Array(n);
      for (let h = 0; h < n; h++) {
        const s = steps[h];
        const out = [
          str(s.name),
          s.in_flight ? "in flight inflight running" : str(s.outcome),
          str(s.kind),
          str(s.error),
          str(s.error_type),
          str(s.stack),
          "#" + str(s.id),
        ];
        collect(s.context, out, 0);
        collect(s.logs, out, 0);
        collect(s.decision, out, 0);
        collect(s.usage, out, 0);
        built[h] = out.join("\n").toLowerCase();
      }
      hay = built;
    }
    return hay[idx];
  }
  const FILTERS: Record<string, (x: number) => boolean> = {
    "is:error": (x) => statusOf[x] === "error",
    "is:ok": (x) => statusOf[x] === "ok",
    "is:inflight": (x) => statusOf[x] === "inflight",
    "has:decision": (x) => isObject(steps[x].decision),
    "has:usage": (x) => isObject(steps[x].usage),
  };
  let terms: string[] = [];
  function matches(idx: number): boolean {
    let text: string | null = null;
    for (const term of terms) {
      const f = Object.prototype.hasOwnProperty.call(FILTERS, term) ? FILTERS[term] : null;
      if (f) {
        if (!f(idx)) return false;
        continue;
      }
      if (text === null) text = haystack(idx);
      if (text.indexOf(term) === -1) return false;
    }
    return true;
  }

  // ---- state ------------------------------------------------------------
  const collapsed = new Uint8Array(n);
  const marked = new Uint8Array(n); // 1: matches the search, 2: shown as the ancestor of a match
  const visible = new Int32Array(n);
  const rowOf = new Int32Array(n).fill(-1);
  let vcount = 0;
  let matchCount = n;
  let selected = -1;
  let activeTab = "timeline";

  const viewport = byId("viewport");
  const spacer = byId("spacer");
  const detail = byId("detail");
  const search = byId<HTMLInputElement>("search");
  const countEl = byId("count");

  function recompute(): void {
    const searching = terms.length > 0;
    if (searching) {
      marked.fill(0);
      matchCount = 0;
      for (let a = 0; a < n; a++) {
        if (!matches(a)) continue;
        marked[a] = 1;
        matchCount++;
        let up = parent[a];
        while (up !== -1 && marked[up] === 0) {
          marked[up] = 2;
          up = parent[up];
        }
      }
    } else {
      matchCount = n;
    }
    rowOf.fill(-1);
    vcount = 0;
    let skip = -1;
    for (let b = 0; b < n; b++) {
      const x = order[b];
      if (skip !== -1) {
        if (depth[x] > skip) continue;
        skip = -1;
      }
      if (searching && marked[x] === 0) continue;
      rowOf[x] = vcount;
      visible[vcount++] = x;
      if (!searching && collapsed[x] && kids[x]) skip = depth[x];
    }
    const label = searching
      ? fmtInt(matchCount) + " of " + fmtInt(n) + (n === 1 ? " step" : " steps") + " match"
      : fmtInt(n) + (n === 1 ? " step" : " steps");
    countEl.textContent = label;
    countEl.dataset.visible = String(vcount);
    countEl.dataset.matches = String(matchCount);
    countEl.dataset.query = search.value;
    spacer.style.height = vcount * ROW + "px";
  }

  // ---- timeline rows ----------------------------------------------------
  const ICON: Record<Status, string> = { ok: "\u2713", error: "\u2715", inflight: "\u25CC", other: "\u25CF" };
  function makeRow(r: number): HTMLElement {
    const x = visible[r];
    const s = steps[x];
    const stat = statusOf[x];
    const row = el("div", "row is-" + stat);
    row.id = "row-" + x;
    row.setAttribute("role", "treeitem");
    row.setAttribute("aria-level", String(depth[x] + 1));
    row.setAttribute("aria-selected", x === selected ? "true" : "false");
    row.dataset.index = String(x);
    row.dataset.id = str(s.id);
    row.dataset.depth = String(depth[x]);
    row.style.top = r * ROW + "px";
    if (x === selected) row.classList.add("selected");
    if (marked[x] === 2 && terms.length) row.classList.add("ancestor");

    const name = el("div", "cell-name");
    name.style.paddingLeft = 12 + depth[x] * 16 + "px";
    name.style.backgroundSize = depth[x] * 16 + "px 100%";
    const caret = el("span", "caret");
    if (kids[x]) {
      caret.classList.add("has");
      caret.dataset.toggle = "1";
      const open = terms.length > 0 || !collapsed[x];
      caret.textContent = open ? "\u25BE" : "\u25B8";
      row.setAttribute("aria-expanded", open ? "true" : "false");
    }
    add(name, caret, el("span", "icon " + stat, ICON[stat]));
    const label = el("span", "name", str(s.name) || "(unnamed)");
    label.title = plain(str(s.name));
    add(name, label);
    if (s.kind) add(name, el("span", "badge", str(s.kind)));
    const decision = s.decision;
    if (isObject(decision)) add(name, el("span", "badge decision", "\u25C6 " + str(decision.action)));
    if (stat === "inflight") add(name, el("span", "badge flight", "in flight"));
    if (errorBelow[x] && stat !== "error" && kids[x] && collapsed[x] && !terms.length) {
      add(name, el("span", "badge err-below", "error inside"));
    }

    const cell = el("div", "cell-bar");
    const start = num(s.started_at);
    if (start !== null) {
      let end = stat === "inflight" ? t1 : endOf(s);
      if (end === null) end = start;
      const left = pct(start);
      const width = Math.max(0, pct(end) - left);
      const bar = el("div", "bar " + stat);
      bar.style.left = left + "%";
      bar.style.width = width + "%";
      let text: string;
      if (stat === "inflight") {
        const ran = (lastKnown - start) * 1000;
        text = ran >= 1 ? "in flight \u2265 " + fmtDur(ran) : "in flight, never ended";
      } else {
        const duration = num(s.duration_ms);
        text = fmtDur(duration !== null ? duration : (end - start) * 1000);
      }
      const lab = el("span", "bar-label", text);
      if (left + width <= 80) {
        lab.style.left = left + width + "%";
        lab.style.marginLeft = "6px";
      } else if (width >= 14 && stat !== "inflight") {
        lab.classList.add("inside");
        lab.style.right = 100 - left - width + "%";
        lab.style.marginRight = "6px";
      } else {
        lab.style.right = 100 - left + "%";
        lab.style.marginRight = "6px";
      }
      add(cell, bar, lab);
    }
    add(row, name, cell);
    return row;
  }

  let frame = 0;
  function renderRows(): void {
    frame = 0;
    const height = viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(viewport.scrollTop / ROW) - OVERSCAN);
    const last = Math.min(vcount, Math.ceil((viewport.scrollTop + height) / ROW) + OVERSCAN);
    const rows: HTMLElement[] = [];
    for (let r = first; r < last; r++) rows.push(makeRow(r));
    spacer.replaceChildren(...rows);
    if (vcount === 0) {
      spacer.appendChild(
        el("div", "empty", n === 0 ? "No steps were recorded in this session." : "No step matches the search."),
      );
    }
    if (selected !== -1 && rowOf[selected] !== -1) viewport.setAttribute("aria-activedescendant", "row-" + selected);
    else viewport.removeAttribute("aria-activedescendant");
  }
  function scheduleRows(): void {
    if (!frame) frame = requestAnimationFrame(renderRows);
  }
  viewport.addEventListener("scroll", scheduleRows, { passive: true });
  globalThis.addEventListener("resize", scheduleRows);

  function scrollToRow(r: number): void {
    const y = r * ROW;
    const h = viewport.clientHeight;
    if (y < viewport.scrollTop) viewport.scrollTop = y;
    else if (y + ROW > viewport.scrollTop + h) viewport.scrollTop = y + ROW - h;
  }

  function refresh(): void {
    recompute();
    if (selected !== -1 && rowOf[selected] !== -1) scrollToRow(rowOf[selected]);
    renderRows();
    if (activeTab === "decisions") renderDecisions();
  }

  // ---- axis -------------------------------------------------------------
  function renderAxis(): void {
    const ticks = byId("ticks");
    const grid = byId("grid");
    const spanMs = span * 1000;
    const raw = spanMs / 6;
    const pow = Math.pow(10, Math.floor(Math.log10(raw)));
    let stepMs = pow;
    for (const mult of [1, 2, 2.5, 5, 10]) {
      if (pow * mult >= raw) {
        stepMs = pow * mult;
        break;
      }
    }
    const tickEls: HTMLElement[] = [];
    const lines: HTMLElement[] = [];
    for (let t = 0; t <= spanMs + 1e-9 && tickEls.length < 20; t += stepMs) {
      const at = (t / spanMs) * 100;
      if (at > (inflight.length ? 84 : 96) && t > 0) break;
      const tick = el("span", "tick", fmtDur(t));
      tick.style.left = at + "%";
      tickEls.push(tick);
      const line = el("i");
      line.style.left = at + "%";
      lines.push(line);
    }
    if (inflight.length) {
      const at2 = pct(lastKnown);
      const mark = el("i", "last");
      mark.style.left = at2 + "%";
      mark.title = "last record written";
      lines.push(mark);
      const lastTick = el("span", "tick last", "last record");
      lastTick.style.left = at2 + "%";
      tickEls.push(lastTick);
    }
    ticks.replaceChildren(...tickEls);
    grid.replaceChildren(...lines);
  }

  // ---- values -----------------------------------------------------------
  function clipText(text: string): HTMLElement {
    const node = el("span", "v-str");
    if (text.length <= STRING_CLIP) {
      setText(node, text);
      return node;
    }
    setText(node, text.slice(0, STRING_CLIP) + "\u2026");
    const wrap = el("span");
    const more = el("button", "linkish more", "show all " + fmtInt(text.length) + " characters");
    more.type = "button";
    more.addEventListener("click", () => {
      setText(node, text);
      more.remove();
    });
    return add(wrap, node, el("br"), more);
  }
  function valueNode(v: unknown): HTMLElement {
    if (typeof v === "string") return clipText(v);
    if (typeof v === "number") return el("span", "v-num", String(v));
    if (typeof v === "boolean" || v === null || v === undefined) return el("span", "v-lit", String(v));
    let json: string;
    try {
      json = JSON.stringify(v, null, 2);
    } catch {
      json = String(v);
    }
    if (json.length > STRING_CLIP * 4) {
      json = json.slice(0, STRING_CLIP * 4) + "\n\u2026 (" + fmtInt(json.length) + " characters)";
    }
    return el("pre", "", json);
  }
  function kvTable(obj: Obj, skip?: Record<string, 1>): HTMLElement {
    const table = el("table", "kv");
    const body = el("tbody");
    for (const key of Object.keys(obj)) {
      if (skip && skip[key]) continue;
      const tr = el("tr");
      add(tr, el("td", "k", key), add(el("td", "v"), valueNode(obj[key])));
      body.appendChild(tr);
    }
    return add(table, body);
  }
  function card(title: string, cls?: string, count?: number): HTMLElement {
    const c = el("section", "card" + (cls ? " " + cls : ""));
    const h = el("h3", "", title);
    if (count !== undefined) add(h, el("span", "n", String(count)));
    return add(c, h);
  }
  function stepLink(x: number): HTMLElement {
    const b = el("button", "linkish", (str(steps[x].name) || "(unnamed)") + " #" + str(steps[x].id));
    b.type = "button";
    b.addEventListener("click", () => select(x, true));
    return b;
  }
  function ancestors(x: number): number[] {
    const out: number[] = [];
    let up = parent[x];
    while (up !== -1 && out.length < n) {
      out.push(up);
      up = parent[up];
    }
    return out;
  }
  function contextOf(x: number): Obj | null {
    const ctx = steps[x].context;
    return isObject(ctx) && Object.keys(ctx).length ? ctx : null;
  }
  function sawNode(x: number): HTMLElement {
    const box = el("div");
    let any = false;
    const own = contextOf(x);
    if (own) {
      add(box, add(el("div", "from"), "its own context"), kvTable(own));
      any = true;
    }
    for (const up of ancestors(x)) {
      const ctx = contextOf(up);
      if (!ctx) continue;
      add(
        box,
        add(el("div", "from"), "inherited from ", el("b", "", str(steps[up].name)), " #" + str(steps[up].id)),
        kvTable(ctx),
      );
      any = true;
    }
    if (!any) add(box, el("div", "muted", "No context was recorded for this step or its parents."));
    return box;
  }
  function decisionBody(dec: Obj, box: HTMLElement): HTMLElement {
    add(box, el("div", "action", str(dec.action) || "(no action)"));
    const conf = num(dec.confidence);
    if (conf !== null) {
      const meter = el("span", "meter");
      const fill = el("i");
      fill.style.width = Math.max(0, Math.min(1, conf)) * 100 + "%";
      meter.appendChild(fill);
      add(
        box,
        add(
          el("div", "conf"),
          "confidence",
          meter,
          el("span", "", conf <= 1 ? Math.round(conf * 100) + "%" : String(conf)),
        ),
      );
    }
    if (dec.reason !== undefined && dec.reason !== null && dec.reason !== "") {
      add(box, el("p", "reason", str(dec.reason)));
    } else add(box, el("p", "reason muted", "No reason was given."));
    if (Array.isArray(dec.alternatives) && dec.alternatives.length) {
      const alts = add(el("div", "alts"), "instead of");
      for (const alt of dec.alternatives) add(alts, el("span", "alt", str(alt)));
      add(box, alts);
    }
    return box;
  }

  // ---- detail -----------------------------------------------------------
  const PILL: Record<Status, string> = { ok: "ok", error: "error", inflight: "in flight", other: "" };
  function renderDetail(): void {
    if (selected === -1) {
      renderHint();
      return;
    }
    const x = selected;
    const s = steps[x];
    const stat = statusOf[x];
    const parts: HTMLElement[] = [];
    const head = el("div", "d-head");
    add(
      head,
      el("h2", "", str(s.name) || "(unnamed)"),
      el("span", "pill " + stat, stat === "other" ? str(s.outcome) : PILL[stat]),
    );
    if (s.kind) add(head, el("span", "badge", str(s.kind)));
    parts.push(head);

    const facts = el("dl", "facts");
    const fact = (k: string, v: Child) => add(facts, el("dt", "", k), add(el("dd"), v));
    fact("Step", "#" + str(s.id));
    if (parent[x] !== -1) fact("Parent", stepLink(parent[x]));
    const children = kids[x];
    if (children) fact("Children", fmtInt(children.length));
    const st = num(s.started_at);
    if (st !== null) fact("Started", fmtClock(st, true) + "  (+" + fmtDur((st - t0) * 1000) + ")");
    if (s.in_flight) fact("Finished", "never \u2014 still running, or the process died");
    else if (num(s.finished_at) !== null) fact("Finished", fmtClock(s.finished_at, true));
    const duration = num(s.duration_ms);
    if (duration !== null) fact("Duration", fmtDur(duration));
    parts.push(facts);

    if (s.in_flight) {
      const fl = card("In flight", "inflight");
      add(
        fl,
        el(
          "p",
          "reason",
          "This step began and never ended: it was running when the trace was last written (" +
            str(session.state) + " session). It is often the step to look at first.",
        ),
      );
      parts.push(fl);
    }
    const decision = s.decision;
    if (isObject(decision)) parts.push(decisionBody(decision, card("Decision", "decision")));
    const hasError = s.error !== null && s.error !== undefined && s.error !== "";
    if (hasError || s.error_type || s.stack) {
      const ec = card("Error", "error");
      const msg = el("div", "err-msg");
      if (s.error_type) add(msg, el("span", "", str(s.error_type) + ": "));
      add(msg, hasError ? str(s.error) : "");
      add(ec, msg);
      if (s.stack) add(ec, el("pre", "stack", str(s.stack)));
      parts.push(ec);
    }
    const u = s.usage;
    if (isObject(u) && Object.keys(u).length) {
      const uc = card("Usage");
      const ut = el("dl", "facts");
      if (u.model !== undefined) add(ut, el("dt", "", "Model"), el("dd", "mono", str(u.model)));
      if (u.response_model !== undefined) {
        add(ut, el("dt", "", "Answered by"), el("dd", "mono", str(u.response_model)));
      }
      if (u.provider !== undefined) add(ut, el("dt", "", "Provider"), el("dd", "", str(u.provider)));
      for (const [key, label] of USAGE_COUNTS) {
        if (u[key] !== undefined) add(ut, el("dt", "", label), el("dd", "", fmtInt(u[key])));
      }
      if (u.cost_usd !== undefined) add(ut, el("dt", "", "Cost"), el("dd", "", fmtCost(u.cost_usd)));
      add(uc, ut, kvTable(u, USAGE_SHOWN));
      parts.push(uc);
    }
    const own = isObject(s.context) ? s.context : null;
    const ctxKeys = own ? Object.keys(own).length : 0;
    const cc = card("Context", "", ctxKeys);
    add(cc, own && ctxKeys ? kvTable(own) : el("div", "muted", "No context."));
    parts.push(cc);
    const ups = ancestors(x).filter((a) => contextOf(a) !== null);
    if (ups.length) {
      const ic = card("Inherited context", "", ups.length);
      for (const up of ups) {
        add(
          ic,
          add(el("div", "from"), "from ", el("b", "", str(steps[up].name)), " #" + str(steps[up].id)),
          kvTable(contextOf(up)!),
        );
      }
      parts.push(ic);
    }
    const logs = Array.isArray(s.logs) ? s.logs.filter(isObject) : [];
    const lc = card("Logs", "", logs.length);
    if (!logs.length) add(lc, el("div", "muted", "Nothing was logged."));
    else {
      const ul = el("ul", "logs");
      const shown = Math.min(logs.length, 500);
      for (let l = 0; l < shown; l++) {
        const entry = logs[l];
        const t = num(entry._t);
        const time = el("div", "t", t !== null ? fmtClock(t) : "");
        if (t !== null && st !== null) add(time, el("small", "", "+" + fmtDur((t - st) * 1000)));
        add(ul, add(el("li"), time, kvTable(entry, { _t: 1 })));
      }
      add(lc, ul);
      if (logs.length > shown) add(lc, el("div", "muted", fmtInt(logs.length - shown) + " more entries not shown."));
    }
    parts.push(lc);
    detail.replaceChildren(...parts);
    detail.scrollTop = 0;
  }
  function renderHint(): void {
    const box = el("div", "hint");
    add(box, el("h2", "", "Select a step"));
    add(
      box,
      el(
        "p",
        "",
        "Click a row, or move with the keys below, to see what the step saw, logged and decided, its usage, and its error and stack.",
      ),
    );
    if (errors.length) {
      add(
        box,
        el(
          "p",
          "",
          fmtInt(errors.length) + (errors.length === 1 ? " step" : " steps") +
            " failed: press E to jump to the next error.",
        ),
      );
    }
    if (inflight.length) {
      add(
        box,
        el(
          "p",
          "",
          fmtInt(inflight.length) + (inflight.length === 1 ? " step was" : " steps were") +
            " still in flight when the trace was last written.",
        ),
      );
    }
    const keys = el("div", "keys");
    const list: [string, string][] = [
      ["\u2191 \u2193  j k", "move the selection"],
      ["\u2190 \u2192", "fold, unfold, go to parent"],
      ["Enter / Space", "select, fold"],
      ["/", "search"],
      ["E", "next error"],
      ["Esc", "clear search, then selection"],
    ];
    for (const [key, what] of list) add(keys, el("kbd", "", key), el("span", "", what));
    add(box, keys);
    detail.replaceChildren(box);
  }

  // ---- selection --------------------------------------------------------
  function reveal(x: number): void {
    let opened = false;
    let up = parent[x];
    while (up !== -1) {
      if (collapsed[up]) {
        collapsed[up] = 0;
        opened = true;
      }
      up = parent[up];
    }
    if (terms.length && marked[x] === 0) {
      search.value = "";
      terms = [];
      opened = true;
    }
    if (opened) recompute();
  }
  // A page that shows this report in a frame (ai-trace serve) is told which step is selected, so that it can
  // select it again when it reloads the report with new steps; the report selects the step named by
  // `#step=<id>` when it opens (a link to a step works from disk too).
  function tellSelection(): void {
    const host = globalThis.parent;
    if (!host || host === globalThis.self) return;
    const id = selected === -1 ? null : num(steps[selected].id);
    try {
      host.postMessage({ aiTrace: "select", step: id }, "*");
    } catch {
      // No parent to tell.
    }
  }
  function select(x: number, showTimeline?: boolean): void {
    if (x < 0 || x >= n) return;
    if (showTimeline && activeTab !== "timeline") setTab("timeline");
    reveal(x);
    selected = x;
    if (rowOf[x] !== -1) scrollToRow(rowOf[x]);
    renderRows();
    renderDetail();
    tellSelection();
  }
  function clearSelection(): void {
    selected = -1;
    renderRows();
    renderDetail();
    tellSelection();
  }
  function moveBy(delta: number): void {
    if (!vcount) return;
    let r = selected !== -1 && rowOf[selected] !== -1 ? rowOf[selected] + delta : delta > 0 ? 0 : vcount - 1;
    r = Math.max(0, Math.min(vcount - 1, r));
    select(visible[r]);
  }
  function toggle(x: number, open?: boolean): void {
    if (!kids[x] || terms.length) return;
    const next = open === undefined ? !collapsed[x] : !open;
    collapsed[x] = next ? 1 : 0;
    recompute();
    if (selected !== -1 && rowOf[selected] !== -1) scrollToRow(rowOf[selected]);
    renderRows();
  }
  function nextOf(list: number[]): void {
    if (!list.length) return;
    const pos = selected === -1 ? -1 : orderPos[selected];
    for (const x of list) {
      if (orderPos[x] > pos) {
        select(x, true);
        viewport.focus();
        return;
      }
    }
    select(list[0], true);
    viewport.focus();
  }

  spacer.addEventListener("click", (ev) => {
    const target = ev.target instanceof Element ? ev.target : null;
    const row = target ? target.closest<HTMLElement>(".row") : null;
    if (!target || !row) return;
    const x = Number(row.dataset.index);
    if (target.closest(".caret") && kids[x]) toggle(x);
    else select(x);
    viewport.focus();
  });

  // ---- decisions --------------------------------------------------------
  let decShown = CHUNK;
  function renderDecisions(): void {
    const list = byId("dlist");
    const chosen = terms.length ? decisions.filter((x) => marked[x] === 1) : decisions;
    const nodes: HTMLElement[] = [];
    if (!decisions.length) {
      nodes.push(
        el("div", "empty", "No decisions were recorded. A step records one with step.decide(action, { reason })."),
      );
    } else if (!chosen.length) {
      nodes.push(el("div", "empty", "No decision matches the search."));
    }
    const upto = Math.min(chosen.length, decShown);
    for (let a = 0; a < upto; a++) nodes.push(decisionCard(chosen[a]));
    if (chosen.length > upto) {
      const more = el(
        "button",
        "showmore",
        "Show " + fmtInt(Math.min(CHUNK, chosen.length - upto)) + " more of " + fmtInt(chosen.length - upto),
      );
      more.type = "button";
      more.addEventListener("click", () => {
        decShown += CHUNK;
        renderDecisions();
      });
      nodes.push(more);
    }
    list.replaceChildren(...nodes);
  }
  function decisionCard(x: number): HTMLElement {
    const s = steps[x];
    const decision = isObject(s.decision) ? s.decision : {};
    const c = el("article", "dcard");
    c.dataset.index = String(x);
    const header = el("header");
    const st = num(s.started_at);
    add(
      header,
      el("span", "action", str(decision.action) || "(no action)"),
      el(
        "span",
        "where",
        "at " + (str(s.name) || "(unnamed)") + " #" + str(s.id) +
          (st !== null ? " \u00B7 +" + fmtDur((st - t0) * 1000) : ""),
      ),
    );
    const go = el("button", "linkish go", "Show in timeline \u2192");
    go.type = "button";
    go.addEventListener("click", () => {
      select(x, true);
      viewport.focus();
    });
    add(header, go);
    add(c, header);
    const body = el("div");
    decisionBody(decision, body);
    body.firstChild?.remove();
    add(c, body);
    const saw = el("details", "saw");
    saw.open = true;
    add(saw, el("summary", "", "What the agent saw"), sawNode(x));
    add(c, saw);
    return c;
  }

  // ---- tabs, search, keys ----------------------------------------------
  function setTab(name: string): void {
    activeTab = name;
    byId("tab-timeline").setAttribute("aria-selected", name === "timeline" ? "true" : "false");
    byId("tab-decisions").setAttribute("aria-selected", name === "decisions" ? "true" : "false");
    byId("timeline").classList.toggle("hidden", name !== "timeline");
    byId("decisions").classList.toggle("hidden", name !== "decisions");
    if (name === "decisions") renderDecisions();
    else scheduleRows();
  }
  byId("tab-timeline").addEventListener("click", () => setTab("timeline"));
  byId("tab-decisions").addEventListener("click", () => setTab("decisions"));

  let searchFrame = 0;
  search.addEventListener("input", () => {
    if (searchFrame) return;
    searchFrame = requestAnimationFrame(() => {
      searchFrame = 0;
      terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      decShown = CHUNK;
      viewport.scrollTop = 0;
      refresh();
    });
  });
  function applySearchNow(): void {
    if (searchFrame) {
      cancelAnimationFrame(searchFrame);
      searchFrame = 0;
    }
    terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    refresh();
  }
  function clearSearch(): void {
    search.value = "";
    applySearchNow();
  }

  function isTyping(t: HTMLElement | null): boolean {
    return !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function isActivatable(t: HTMLElement | null): boolean {
    return !!t && (t.tagName === "BUTTON" || t.tagName === "SUMMARY" || t.tagName === "A");
  }
  function moveDecisionFocus(delta: number): void {
    const cards = Array.from(document.querySelectorAll<HTMLElement>("#dlist .dcard .go"));
    if (!cards.length) return;
    const at = cards.indexOf(document.activeElement as HTMLElement);
    const to = at === -1 ? (delta > 0 ? 0 : cards.length - 1) : Math.max(0, Math.min(cards.length - 1, at + delta));
    cards[to].focus();
    cards[to].closest(".dcard")?.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target instanceof HTMLElement ? ev.target : null;
    const key = ev.key;
    if (t === search) {
      if (key === "Escape") {
        ev.preventDefault();
        if (search.value) clearSearch();
        else search.blur();
        viewport.focus();
      } else if (key === "Enter" || key === "ArrowDown") {
        ev.preventDefault();
        applySearchNow();
        if (activeTab === "timeline") {
          for (let r = 0; r < vcount; r++) {
            if (!terms.length || marked[visible[r]] === 1) {
              select(visible[r]);
              break;
            }
          }
          viewport.focus();
        } else moveDecisionFocus(1);
      }
      return;
    }
    if (isTyping(t)) return;
    if (key === "/") {
      ev.preventDefault();
      search.focus();
      search.select();
      return;
    }
    if (key === "Escape") {
      if (search.value) clearSearch();
      else if (selected !== -1) clearSelection();
      return;
    }
    if ((key === "Enter" || key === " ") && isActivatable(t)) return;
    if (activeTab === "decisions") {
      if (key === "ArrowDown" || key === "j") {
        ev.preventDefault();
        moveDecisionFocus(1);
      } else if (key === "ArrowUp" || key === "k") {
        ev.preventDefault();
        moveDecisionFocus(-1);
      }
      return;
    }
    const page = Math.max(1, Math.floor(viewport.clientHeight / ROW) - 1);
    let handled = true;
    const children = selected === -1 ? undefined : kids[selected];
    if (key === "ArrowDown" || key === "j") moveBy(1);
    else if (key === "ArrowUp" || key === "k") moveBy(-1);
    else if (key === "PageDown") moveBy(page);
    else if (key === "PageUp") moveBy(-page);
    else if (key === "Home") {
      if (vcount) select(visible[0]);
    } else if (key === "End") {
      if (vcount) select(visible[vcount - 1]);
    } else if (key === "ArrowLeft" || key === "h") {
      if (selected === -1) moveBy(1);
      else if (children && !collapsed[selected] && !terms.length) toggle(selected, false);
      else if (parent[selected] !== -1) select(parent[selected]);
    } else if (key === "ArrowRight" || key === "l") {
      if (selected === -1) moveBy(1);
      else if (children && collapsed[selected]) toggle(selected, true);
      else if (children) select(children[0]);
    } else if (key === "Enter" || key === " ") {
      if (selected === -1 || rowOf[selected] === -1) moveBy(1);
      else if (children) toggle(selected);
    } else if (key === "e" || key === "E") nextOf(errors);
    else handled = false;
    if (handled) {
      ev.preventDefault();
      if (document.activeElement !== viewport) viewport.focus({ preventScroll: true });
    }
  });

  // ---- header -----------------------------------------------------------
  function stat(label: string, value: string, cls?: string, small?: string): HTMLElement {
    const box = el("div", "stat" + (cls ? " " + cls : ""));
    const v = el("span", "v", value);
    if (small) add(v, " ", el("small", "", small));
    return add(box, el("span", "k", label), v);
  }
  function renderHeader(): void {
    const sum: Obj = isObject(session.summary) ? session.summary : {};
    document.title = plain(str(data.title)) || document.title;
    const agent = byId("agent");
    setText(agent, str(session.agent) || "(unnamed agent)");
    agent.title = plain(str(session.agent));
    const state = str(session.state) || "complete";
    const badge = byId("state");
    setText(badge, state);
    badge.className = "state " + (["complete", "crashed", "running"].indexOf(state) !== -1 ? state : "crashed");
    const sub = byId("sub");
    const bits: HTMLElement[] = [];
    if (session.session_id) bits.push(el("span", "mono", str(session.session_id)));
    if (sessionStart !== null) bits.push(el("span", "", "started " + fmtClock(sessionStart, true)));
    const runtime = session.runtime;
    if (isObject(runtime)) bits.push(el("span", "", str(runtime.name) + " " + str(runtime.version)));
    if (session.host) bits.push(el("span", "", "host " + str(session.host)));
    if (num(session.pid) !== null) bits.push(el("span", "", "pid " + session.pid));
    if (session.file) bits.push(el("span", "mono", str(session.file)));
    if (session.schema) bits.push(el("span", "", str(session.schema)));
    sub.replaceChildren(...bits);

    const stats = byId("stats");
    const dur = sessionEnd !== null && sessionStart !== null ? (sessionEnd - sessionStart) * 1000 : span * 1000;
    const cards = [
      stat("Steps", fmtInt(sum.steps)),
      stat("OK", fmtInt(sum.ok)),
      stat("Errors", fmtInt(sum.errors), sum.errors ? "bad" : ""),
      stat("In flight", fmtInt(sum.in_flight), sum.in_flight ? "warn" : ""),
      stat("Duration", fmtDur(dur) || "\u2014"),
      stat("p50 / p95", fmtDur(num(sum.p50_ms)) || "0 ms", "", "/ " + (fmtDur(num(sum.p95_ms)) || "0 ms")),
      stat("Tokens", fmtInt(sum.input_tokens), "", "in \u00B7 " + fmtInt(sum.output_tokens) + " out"),
      stat("Cost", fmtCost(sum.cost_usd)),
    ];
    if (num(sum.cache_read_input_tokens) || num(sum.cache_creation_input_tokens) || num(sum.reasoning_tokens)) {
      cards.splice(
        cards.length - 1,
        0,
        stat(
          "Cache / reasoning",
          fmtInt(sum.cache_read_input_tokens),
          "",
          "cache read \u00B7 " + fmtInt(sum.cache_creation_input_tokens) + " cache write \u00B7 " +
            fmtInt(sum.reasoning_tokens) + " reasoning",
        ),
      );
    }
    if (decisions.length) cards.splice(4, 0, stat("Decisions", fmtInt(decisions.length)));
    stats.replaceChildren(...cards);

    const meta = byId("meta");
    const chips: HTMLElement[] = [];
    const sessionMeta = session.meta;
    if (isObject(sessionMeta)) {
      const keys = Object.keys(sessionMeta);
      for (let a = 0; a < keys.length && a < 60; a++) {
        const value = sessionMeta[keys[a]];
        const text = typeof value === "string" ? value : str(value);
        const chip = el("span", "chip");
        const cv = el("span", "cv", text);
        cv.title = plain(text);
        add(chip, el("span", "ck", keys[a]), cv);
        chips.push(chip);
      }
    }
    meta.replaceChildren(...chips);
    meta.classList.toggle("hidden", chips.length === 0);

    const warnings = Array.isArray(data.warnings) ? data.warnings.filter(isObject) : [];
    const wbox = byId("warnings");
    if (warnings.length) {
      const det = el("details");
      add(
        det,
        el(
          "summary",
          "",
          "\u26A0 " + fmtInt(warnings.length) + (warnings.length === 1 ? " line" : " lines") +
            " of the file could not be read",
        ),
      );
      const ul = el("ul");
      for (let w = 0; w < warnings.length && w < 200; w++) {
        const warning = warnings[w];
        add(ul, el("li", "", (warning.line ? "line " + warning.line + ": " : "") + str(warning.message)));
      }
      add(det, ul);
      wbox.replaceChildren(det);
    } else wbox.classList.add("hidden");

    const generated = num(data.generated_at);
    if (generated !== null) {
      byId("generated").textContent = "Generated " +
        fmtClock(generated / 1000, true).replace(/\.\d+ UTC$/, " UTC");
    }
    byId("ndecisions").textContent = fmtInt(decisions.length);
    const jumps = byId("jumps");
    const jb: HTMLElement[] = [];
    if (errors.length) {
      const je = el(
        "button",
        "jump err",
        "\u2715 " + fmtInt(errors.length) + (errors.length === 1 ? " error" : " errors"),
      );
      je.type = "button";
      je.title = "Jump to the next error (E)";
      je.addEventListener("click", () => nextOf(errors));
      jb.push(je);
    }
    if (inflight.length) {
      const jf = el("button", "jump flight", "\u25CC " + fmtInt(inflight.length) + " in flight");
      jf.type = "button";
      jf.title = "Jump to the next step in flight";
      jf.addEventListener("click", () => nextOf(inflight));
      jb.push(jf);
    }
    jumps.replaceChildren(...jb);
  }

  renderHeader();
  renderAxis();
  recompute();
  renderRows();
  renderHint();
  const wanted = /^#step=(\d{1,15})$/.exec(location.hash);
  if (wanted !== null) {
    const x = steps.findIndex((step) => num(step.id) === Number(wanted[1]));
    if (x !== -1) select(x, true);
  }
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = "true";
}
