/**
 * The script of the HTML report, inlined into every report and allowed by its
 * Content-Security-Policy through its SHA-256 hash. It reads the trace from
 * the page's `<script type="application/json">` element and builds the page
 * with `createElement` and `textContent` only: no string from the trace is
 * ever parsed as markup, and none becomes a link. The step list is
 * virtualized (only the rows in view exist in the DOM), and each step's
 * lowercase search text is built once, on the first search.
 *
 * Plain ES2020 without template literals, so it can live in this raw string.
 *
 * @module
 */

/** The report's JavaScript, inlined into a `<script>` element. */
export const REPORT_SCRIPT: string = String.raw`
(function () {
  "use strict";
  var ROW = 28;
  var OVERSCAN = 10;
  var CHUNK = 100;
  var STRING_CLIP = 4000;

  function byId(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return parent;
  }
  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function num(v) { return typeof v === "number" && isFinite(v) ? v : null; }
  function str(v) {
    if (typeof v === "string") return v;
    if (v === null || v === undefined) return "";
    try { return JSON.stringify(v); } catch (e) { return String(v); }
  }
  function pad(n, w) { var s = String(n); while (s.length < (w || 2)) s = "0" + s; return s; }

  // ---- formatting -------------------------------------------------------
  function fmtDur(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return "";
    var a = Math.abs(ms);
    if (a === 0) return "0 ms";
    if (a < 1) return ms.toFixed(2) + " ms";
    if (a < 10) return ms.toFixed(1).replace(/\.0$/, "") + " ms";
    if (a < 1000) return Math.round(ms) + " ms";
    if (a < 10000) return (ms / 1000).toFixed(2).replace(/\.?0+$/, "") + " s";
    if (a < 60000) return (ms / 1000).toFixed(1).replace(/\.0$/, "") + " s";
    if (a < 3600000) return Math.floor(ms / 60000) + "m " + pad(Math.floor(ms / 1000) % 60) + "s";
    return Math.floor(ms / 3600000) + "h " + pad(Math.floor(ms / 60000) % 60) + "m";
  }
  function fmtClock(sec, withDate) {
    if (num(sec) === null) return "";
    var d = new Date(sec * 1000);
    if (isNaN(d.getTime())) return "";
    var t = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + "." +
      pad(d.getUTCMilliseconds(), 3);
    if (!withDate) return t;
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " + t + " UTC";
  }
  var USAGE_COUNTS = [
    ["input_tokens", "Input tokens"],
    ["output_tokens", "Output tokens"],
    ["cache_read_input_tokens", "Cache read tokens"],
    ["cache_creation_input_tokens", "Cache write tokens"],
    ["reasoning_tokens", "Reasoning tokens"],
  ];
  var USAGE_SHOWN = {
    model: 1, response_model: 1, provider: 1, input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 1,
    cache_creation_input_tokens: 1, reasoning_tokens: 1, cost_usd: 1,
  };
  function fmtInt(n) { return num(n) === null ? "0" : Math.round(n).toLocaleString("en-US"); }
  function fmtCost(c) {
    if (num(c) === null || c === 0) return "$0";
    if (Math.abs(c) < 0.01) return "$" + c.toPrecision(2);
    return "$" + c.toFixed(2);
  }

  // ---- data -------------------------------------------------------------
  var data;
  try {
    data = JSON.parse(byId("ai-trace-data").textContent || "{}");
  } catch (e) {
    data = { session: {}, steps: [] };
  }
  var session = isObject(data.session) ? data.session : {};
  var steps = Array.isArray(data.steps) ? data.steps.filter(isObject) : [];
  var n = steps.length;

  var indexOfId = new Map();
  for (var i = 0; i < n; i++) {
    var sid = steps[i].id;
    if (!indexOfId.has(sid)) indexOfId.set(sid, i);
  }
  var parent = new Int32Array(n).fill(-1);
  for (i = 0; i < n; i++) {
    var pid = steps[i].parent_id;
    if (pid !== null && pid !== undefined && indexOfId.has(pid)) {
      var p = indexOfId.get(pid);
      if (p !== i) parent[i] = p;
    }
  }
  // Depths, cutting any parent cycle a malformed file might hold.
  var depth = new Int32Array(n).fill(-1);
  var seen = new Uint8Array(n);
  for (i = 0; i < n; i++) {
    if (depth[i] !== -1) continue;
    var path = [];
    var j = i;
    while (j !== -1 && depth[j] === -1) {
      if (seen[j]) { parent[path[path.length - 1]] = -1; break; }
      seen[j] = 1;
      path.push(j);
      j = parent[j];
    }
    for (var k = path.length - 1; k >= 0; k--) {
      var q = parent[path[k]];
      depth[path[k]] = q === -1 ? 0 : depth[q] + 1;
    }
  }
  var kids = new Array(n);
  var roots = [];
  for (i = 0; i < n; i++) {
    if (parent[i] === -1) roots.push(i);
    else (kids[parent[i]] || (kids[parent[i]] = [])).push(i);
  }
  // Tree order: each step followed by its children, in start order.
  var order = new Int32Array(n);
  var orderPos = new Int32Array(n);
  var oc = 0;
  var stack = roots.slice().reverse();
  while (stack.length) {
    var top = stack.pop();
    orderPos[top] = oc;
    order[oc++] = top;
    var ch = kids[top];
    if (ch) for (k = ch.length - 1; k >= 0; k--) stack.push(ch[k]);
  }

  function status(s) {
    if (s.in_flight) return "inflight";
    if (s.outcome === "error") return "error";
    if (s.outcome === "ok" || s.outcome === null || s.outcome === undefined) return "ok";
    return "other";
  }
  var statusOf = new Array(n);
  var errorBelow = new Uint8Array(n);
  var errors = [];
  var inflight = [];
  var decisions = [];
  for (i = 0; i < n; i++) statusOf[i] = status(steps[i]);
  for (k = n - 1; k >= 0; k--) {
    i = order[k];
    if ((statusOf[i] === "error" || errorBelow[i]) && parent[i] !== -1) errorBelow[parent[i]] = 1;
  }
  for (k = 0; k < n; k++) {
    i = order[k];
    if (statusOf[i] === "error") errors.push(i);
    if (statusOf[i] === "inflight") inflight.push(i);
  }
  for (i = 0; i < n; i++) if (isObject(steps[i].decision)) decisions.push(i);

  // The time axis: from the session's start to the last moment anything is known.
  var t0 = Infinity;
  var t1 = -Infinity;
  function endOf(s) {
    var f = num(s.finished_at);
    if (f !== null) return f;
    var st = num(s.started_at);
    var d = num(s.duration_ms);
    return st !== null && d !== null ? st + d / 1000 : null;
  }
  for (i = 0; i < n; i++) {
    var st = num(steps[i].started_at);
    if (st !== null) { t0 = Math.min(t0, st); t1 = Math.max(t1, st); }
    var en = endOf(steps[i]);
    if (en !== null) t1 = Math.max(t1, en);
    var logs = steps[i].logs;
    if (Array.isArray(logs)) {
      for (var li = 0; li < logs.length; li++) {
        var lt = isObject(logs[li]) ? num(logs[li]._t) : null;
        if (lt !== null) t1 = Math.max(t1, lt);
      }
    }
  }
  if (num(session.started_at) !== null) { t0 = Math.min(t0, session.started_at); t1 = Math.max(t1, session.started_at); }
  if (num(session.finished_at) !== null) t1 = Math.max(t1, session.finished_at);
  if (!isFinite(t0)) { t0 = 0; t1 = 1; }
  if (t1 - t0 < 0.001) t1 = t0 + 0.001;
  // Steps in flight run on past the last record: leave them room to show it.
  var lastKnown = t1;
  if (inflight.length) t1 += (t1 - t0) * 0.06;
  var span = t1 - t0;
  function pct(sec) { return Math.max(0, Math.min(100, ((sec - t0) / span) * 100)); }

  // ---- search -----------------------------------------------------------
  var hay = null;
  function collect(v, out, d) {
    if (d > 12) return;
    if (typeof v === "string") out.push(v);
    else if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
    else if (v === null) out.push("null");
    else if (Array.isArray(v)) for (var a = 0; a < v.length; a++) collect(v[a], out, d + 1);
    else if (typeof v === "object") {
      for (var key in v) {
        if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
        if (key !== "_t") out.push(key);
        collect(v[key], out, d + 1);
      }
    }
  }
  function haystack(idx) {
    if (hay === null) {
      hay = new Array(n);
      for (var h = 0; h < n; h++) {
        var s = steps[h];
        var out = [str(s.name), s.in_flight ? "in flight inflight running" : str(s.outcome), str(s.kind),
          str(s.error), str(s.error_type), str(s.stack), "#" + str(s.id)];
        collect(s.context, out, 0);
        collect(s.logs, out, 0);
        collect(s.decision, out, 0);
        collect(s.usage, out, 0);
        hay[h] = out.join("\n").toLowerCase();
      }
    }
    return hay[idx];
  }
  var FILTERS = {
    "is:error": function (x) { return statusOf[x] === "error"; },
    "is:ok": function (x) { return statusOf[x] === "ok"; },
    "is:inflight": function (x) { return statusOf[x] === "inflight"; },
    "has:decision": function (x) { return isObject(steps[x].decision); },
    "has:usage": function (x) { return isObject(steps[x].usage); },
  };
  var terms = [];
  function matches(idx) {
    var text = null;
    for (var t = 0; t < terms.length; t++) {
      var term = terms[t];
      var f = Object.prototype.hasOwnProperty.call(FILTERS, term) ? FILTERS[term] : null;
      if (f) { if (!f(idx)) return false; continue; }
      if (text === null) text = haystack(idx);
      if (text.indexOf(term) === -1) return false;
    }
    return true;
  }

  // ---- state ------------------------------------------------------------
  var collapsed = new Uint8Array(n);
  var marked = new Uint8Array(n); // 1: matches the search, 2: shown as the ancestor of a match
  var visible = new Int32Array(n);
  var rowOf = new Int32Array(n).fill(-1);
  var vcount = 0;
  var matchCount = n;
  var selected = -1;
  var activeTab = "timeline";

  var viewport = byId("viewport");
  var spacer = byId("spacer");
  var detail = byId("detail");
  var search = byId("search");
  var countEl = byId("count");

  function recompute() {
    var searching = terms.length > 0;
    if (searching) {
      marked.fill(0);
      matchCount = 0;
      for (var a = 0; a < n; a++) {
        if (!matches(a)) continue;
        marked[a] = 1;
        matchCount++;
        var up = parent[a];
        while (up !== -1 && marked[up] === 0) { marked[up] = 2; up = parent[up]; }
      }
    } else {
      matchCount = n;
    }
    rowOf.fill(-1);
    vcount = 0;
    var skip = -1;
    for (var b = 0; b < n; b++) {
      var x = order[b];
      if (skip !== -1) {
        if (depth[x] > skip) continue;
        skip = -1;
      }
      if (searching && marked[x] === 0) continue;
      rowOf[x] = vcount;
      visible[vcount++] = x;
      if (!searching && collapsed[x] && kids[x]) skip = depth[x];
    }
    var label = searching
      ? fmtInt(matchCount) + " of " + fmtInt(n) + (n === 1 ? " step" : " steps") + " match"
      : fmtInt(n) + (n === 1 ? " step" : " steps");
    countEl.textContent = label;
    countEl.dataset.visible = String(vcount);
    countEl.dataset.matches = String(matchCount);
    countEl.dataset.query = search.value;
    spacer.style.height = vcount * ROW + "px";
  }

  // ---- timeline rows ----------------------------------------------------
  var ICON = { ok: "\u2713", error: "\u2715", inflight: "\u25CC", other: "\u25CF" };
  function makeRow(r) {
    var x = visible[r];
    var s = steps[x];
    var stat = statusOf[x];
    var row = el("div", "row is-" + stat);
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

    var name = el("div", "cell-name");
    name.style.paddingLeft = 12 + depth[x] * 16 + "px";
    name.style.backgroundSize = depth[x] * 16 + "px 100%";
    var caret = el("span", "caret");
    if (kids[x]) {
      caret.classList.add("has");
      caret.dataset.toggle = "1";
      var open = terms.length > 0 || !collapsed[x];
      caret.textContent = open ? "\u25BE" : "\u25B8";
      row.setAttribute("aria-expanded", open ? "true" : "false");
    }
    add(name, caret, el("span", "icon " + stat, ICON[stat]));
    var label = el("span", "name", str(s.name) || "(unnamed)");
    label.title = str(s.name);
    add(name, label);
    if (s.kind) add(name, el("span", "badge", str(s.kind)));
    if (isObject(s.decision)) add(name, el("span", "badge decision", "\u25C6 " + str(s.decision.action)));
    if (stat === "inflight") add(name, el("span", "badge flight", "in flight"));
    if (errorBelow[x] && stat !== "error" && kids[x] && collapsed[x] && !terms.length) {
      add(name, el("span", "badge err-below", "error inside"));
    }

    var cell = el("div", "cell-bar");
    var start = num(s.started_at);
    if (start !== null) {
      var end = stat === "inflight" ? t1 : endOf(s);
      if (end === null) end = start;
      var left = pct(start);
      var width = Math.max(0, pct(end) - left);
      var bar = el("div", "bar " + stat);
      bar.style.left = left + "%";
      bar.style.width = width + "%";
      var text;
      if (stat === "inflight") {
        var ran = (lastKnown - start) * 1000;
        text = ran >= 1 ? "in flight \u2265 " + fmtDur(ran) : "in flight, never ended";
      } else {
        text = fmtDur(num(s.duration_ms) !== null ? s.duration_ms : (end - start) * 1000);
      }
      var lab = el("span", "bar-label", text);
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

  var frame = 0;
  function renderRows() {
    frame = 0;
    var height = viewport.clientHeight || 600;
    var first = Math.max(0, Math.floor(viewport.scrollTop / ROW) - OVERSCAN);
    var last = Math.min(vcount, Math.ceil((viewport.scrollTop + height) / ROW) + OVERSCAN);
    var rows = [];
    for (var r = first; r < last; r++) rows.push(makeRow(r));
    spacer.replaceChildren.apply(spacer, rows);
    if (vcount === 0) {
      spacer.appendChild(el("div", "empty", n === 0 ? "No steps were recorded in this session." : "No step matches the search."));
    }
    if (selected !== -1 && rowOf[selected] !== -1) viewport.setAttribute("aria-activedescendant", "row-" + selected);
    else viewport.removeAttribute("aria-activedescendant");
  }
  function scheduleRows() {
    if (!frame) frame = requestAnimationFrame(renderRows);
  }
  viewport.addEventListener("scroll", scheduleRows, { passive: true });
  window.addEventListener("resize", scheduleRows);

  function scrollToRow(r) {
    var y = r * ROW;
    var h = viewport.clientHeight;
    if (y < viewport.scrollTop) viewport.scrollTop = y;
    else if (y + ROW > viewport.scrollTop + h) viewport.scrollTop = y + ROW - h;
  }

  function refresh() {
    recompute();
    if (selected !== -1 && rowOf[selected] !== -1) scrollToRow(rowOf[selected]);
    renderRows();
    if (activeTab === "decisions") renderDecisions();
  }

  // ---- axis -------------------------------------------------------------
  function renderAxis() {
    var ticks = byId("ticks");
    var grid = byId("grid");
    var spanMs = span * 1000;
    var raw = spanMs / 6;
    var pow = Math.pow(10, Math.floor(Math.log10(raw)));
    var stepMs = pow;
    var mults = [1, 2, 2.5, 5, 10];
    for (var m = 0; m < mults.length; m++) {
      if (pow * mults[m] >= raw) { stepMs = pow * mults[m]; break; }
    }
    var tickEls = [];
    var lines = [];
    for (var t = 0; t <= spanMs + 1e-9 && tickEls.length < 20; t += stepMs) {
      var at = (t / spanMs) * 100;
      if (at > (inflight.length ? 84 : 96) && t > 0) break;
      var tick = el("span", "tick", fmtDur(t));
      tick.style.left = at + "%";
      tickEls.push(tick);
      var line = el("i");
      line.style.left = at + "%";
      lines.push(line);
    }
    if (inflight.length) {
      var at2 = pct(lastKnown);
      var mark = el("i", "last");
      mark.style.left = at2 + "%";
      mark.title = "last record written";
      lines.push(mark);
      var lastTick = el("span", "tick last", "last record");
      lastTick.style.left = at2 + "%";
      tickEls.push(lastTick);
    }
    ticks.replaceChildren.apply(ticks, tickEls);
    grid.replaceChildren.apply(grid, lines);
  }

  // ---- values -----------------------------------------------------------
  function clipText(text) {
    var node = el("span", "v-str");
    if (text.length <= STRING_CLIP) { node.textContent = text; return node; }
    node.textContent = text.slice(0, STRING_CLIP) + "\u2026";
    var wrap = el("span");
    var more = el("button", "linkish more", "show all " + fmtInt(text.length) + " characters");
    more.type = "button";
    more.addEventListener("click", function () { node.textContent = text; more.remove(); });
    return add(wrap, node, el("br"), more);
  }
  function valueNode(v) {
    if (typeof v === "string") return clipText(v);
    if (typeof v === "number") return el("span", "v-num", String(v));
    if (typeof v === "boolean" || v === null || v === undefined) return el("span", "v-lit", String(v));
    var json;
    try { json = JSON.stringify(v, null, 2); } catch (e) { json = String(v); }
    if (json.length > STRING_CLIP * 4) json = json.slice(0, STRING_CLIP * 4) + "\n\u2026 (" + fmtInt(json.length) + " characters)";
    return el("pre", "", json);
  }
  function kvTable(obj, skip) {
    var table = el("table", "kv");
    var body = el("tbody");
    var keys = Object.keys(obj);
    for (var a = 0; a < keys.length; a++) {
      if (skip && skip[keys[a]]) continue;
      var tr = el("tr");
      add(tr, el("td", "k", keys[a]), add(el("td", "v"), valueNode(obj[keys[a]])));
      body.appendChild(tr);
    }
    return add(table, body);
  }
  function card(title, cls, count) {
    var c = el("section", "card" + (cls ? " " + cls : ""));
    var h = el("h3", "", title);
    if (count !== undefined) add(h, el("span", "n", String(count)));
    return add(c, h);
  }
  function stepLink(x) {
    var b = el("button", "linkish", (str(steps[x].name) || "(unnamed)") + " #" + str(steps[x].id));
    b.type = "button";
    b.addEventListener("click", function () { select(x, true); });
    return b;
  }
  function ancestors(x) {
    var out = [];
    var up = parent[x];
    while (up !== -1 && out.length < n) { out.push(up); up = parent[up]; }
    return out;
  }
  function sawNode(x) {
    var box = el("div");
    var s = steps[x];
    var any = false;
    if (isObject(s.context) && Object.keys(s.context).length) {
      add(box, add(el("div", "from"), "its own context"), kvTable(s.context));
      any = true;
    }
    var ups = ancestors(x);
    for (var a = 0; a < ups.length; a++) {
      var ctx = steps[ups[a]].context;
      if (!isObject(ctx) || !Object.keys(ctx).length) continue;
      add(box, add(el("div", "from"), "inherited from ", el("b", "", str(steps[ups[a]].name)), " #" + str(steps[ups[a]].id)), kvTable(ctx));
      any = true;
    }
    if (!any) add(box, el("div", "muted", "No context was recorded for this step or its parents."));
    return box;
  }
  function decisionBody(dec, box) {
    add(box, el("div", "action", str(dec.action) || "(no action)"));
    var conf = num(dec.confidence);
    if (conf !== null) {
      var meter = el("span", "meter");
      var fill = el("i");
      fill.style.width = Math.max(0, Math.min(1, conf)) * 100 + "%";
      meter.appendChild(fill);
      add(box, add(el("div", "conf"), "confidence", meter, el("span", "", conf <= 1 ? Math.round(conf * 100) + "%" : String(conf))));
    }
    if (dec.reason !== undefined && dec.reason !== null && dec.reason !== "") add(box, el("p", "reason", str(dec.reason)));
    else add(box, el("p", "reason muted", "No reason was given."));
    if (Array.isArray(dec.alternatives) && dec.alternatives.length) {
      var alts = add(el("div", "alts"), "instead of");
      for (var a = 0; a < dec.alternatives.length; a++) add(alts, el("span", "alt", str(dec.alternatives[a])));
      add(box, alts);
    }
    return box;
  }

  // ---- detail -----------------------------------------------------------
  var PILL = { ok: "ok", error: "error", inflight: "in flight", other: "" };
  function renderDetail() {
    if (selected === -1) { renderHint(); return; }
    var x = selected;
    var s = steps[x];
    var stat = statusOf[x];
    var parts = [];
    var head = el("div", "d-head");
    add(head, el("h2", "", str(s.name) || "(unnamed)"), el("span", "pill " + stat, stat === "other" ? str(s.outcome) : PILL[stat]));
    if (s.kind) add(head, el("span", "badge", str(s.kind)));
    parts.push(head);

    var facts = el("dl", "facts");
    function fact(k, v) { add(facts, el("dt", "", k), add(el("dd"), v)); }
    fact("Step", "#" + str(s.id));
    if (parent[x] !== -1) fact("Parent", stepLink(parent[x]));
    if (kids[x]) fact("Children", fmtInt(kids[x].length));
    var st = num(s.started_at);
    if (st !== null) fact("Started", fmtClock(st, true) + "  (+" + fmtDur((st - t0) * 1000) + ")");
    if (s.in_flight) fact("Finished", "never \u2014 still running, or the process died");
    else if (num(s.finished_at) !== null) fact("Finished", fmtClock(s.finished_at, true));
    if (num(s.duration_ms) !== null) fact("Duration", fmtDur(s.duration_ms));
    parts.push(facts);

    if (s.in_flight) {
      var fl = card("In flight", "inflight");
      add(fl, el("p", "reason", "This step began and never ended: it was running when the trace was last written (" +
        str(session.state) + " session). It is often the step to look at first."));
      parts.push(fl);
    }
    if (isObject(s.decision)) parts.push(decisionBody(s.decision, card("Decision", "decision")));
    var hasError = s.error !== null && s.error !== undefined && s.error !== "";
    if (hasError || s.error_type || s.stack) {
      var ec = card("Error", "error");
      var msg = el("div", "err-msg");
      if (s.error_type) add(msg, el("span", "", str(s.error_type) + ": "));
      add(msg, hasError ? str(s.error) : "");
      add(ec, msg);
      if (s.stack) add(ec, el("pre", "stack", str(s.stack)));
      parts.push(ec);
    }
    if (isObject(s.usage) && Object.keys(s.usage).length) {
      var uc = card("Usage");
      var u = s.usage;
      var ut = el("dl", "facts");
      if (u.model !== undefined) add(ut, el("dt", "", "Model"), el("dd", "mono", str(u.model)));
      if (u.response_model !== undefined) add(ut, el("dt", "", "Answered by"), el("dd", "mono", str(u.response_model)));
      if (u.provider !== undefined) add(ut, el("dt", "", "Provider"), el("dd", "", str(u.provider)));
      for (var uk = 0; uk < USAGE_COUNTS.length; uk++) {
        var ukey = USAGE_COUNTS[uk][0];
        if (u[ukey] !== undefined) add(ut, el("dt", "", USAGE_COUNTS[uk][1]), el("dd", "", fmtInt(u[ukey])));
      }
      if (u.cost_usd !== undefined) add(ut, el("dt", "", "Cost"), el("dd", "", fmtCost(u.cost_usd)));
      add(uc, ut, kvTable(u, USAGE_SHOWN));
      parts.push(uc);
    }
    var ctxKeys = isObject(s.context) ? Object.keys(s.context).length : 0;
    var cc = card("Context", "", ctxKeys);
    add(cc, ctxKeys ? kvTable(s.context) : el("div", "muted", "No context."));
    parts.push(cc);
    var ups = ancestors(x).filter(function (a) { return isObject(steps[a].context) && Object.keys(steps[a].context).length; });
    if (ups.length) {
      var ic = card("Inherited context", "", ups.length);
      for (var a = 0; a < ups.length; a++) {
        add(ic, add(el("div", "from"), "from ", el("b", "", str(steps[ups[a]].name)), " #" + str(steps[ups[a]].id)), kvTable(steps[ups[a]].context));
      }
      parts.push(ic);
    }
    var logs = Array.isArray(s.logs) ? s.logs.filter(isObject) : [];
    var lc = card("Logs", "", logs.length);
    if (!logs.length) add(lc, el("div", "muted", "Nothing was logged."));
    else {
      var ul = el("ul", "logs");
      var shown = Math.min(logs.length, 500);
      for (var l = 0; l < shown; l++) {
        var entry = logs[l];
        var t = num(entry._t);
        var time = el("div", "t", t !== null ? fmtClock(t) : "");
        if (t !== null && st !== null) add(time, el("small", "", "+" + fmtDur((t - st) * 1000)));
        add(ul, add(el("li"), time, kvTable(entry, { _t: 1 })));
      }
      add(lc, ul);
      if (logs.length > shown) add(lc, el("div", "muted", fmtInt(logs.length - shown) + " more entries not shown."));
    }
    parts.push(lc);
    detail.replaceChildren.apply(detail, parts);
    detail.scrollTop = 0;
  }
  function renderHint() {
    var box = el("div", "hint");
    add(box, el("h2", "", "Select a step"));
    add(box, el("p", "", "Click a row, or move with the keys below, to see what the step saw, logged and decided, its usage, and its error and stack."));
    if (errors.length) add(box, el("p", "", fmtInt(errors.length) + (errors.length === 1 ? " step" : " steps") + " failed: press E to jump to the next error."));
    if (inflight.length) add(box, el("p", "", fmtInt(inflight.length) + (inflight.length === 1 ? " step was" : " steps were") + " still in flight when the trace was last written."));
    var keys = el("div", "keys");
    var list = [["\u2191 \u2193  j k", "move the selection"], ["\u2190 \u2192", "fold, unfold, go to parent"], ["Enter / Space", "select, fold"], ["/", "search"], ["E", "next error"], ["Esc", "clear search, then selection"]];
    for (var a = 0; a < list.length; a++) add(keys, el("kbd", "", list[a][0]), el("span", "", list[a][1]));
    add(box, keys);
    detail.replaceChildren(box);
  }

  // ---- selection --------------------------------------------------------
  function reveal(x) {
    var opened = false;
    var up = parent[x];
    while (up !== -1) {
      if (collapsed[up]) { collapsed[up] = 0; opened = true; }
      up = parent[up];
    }
    if (terms.length && marked[x] === 0) {
      search.value = "";
      terms = [];
      opened = true;
    }
    if (opened) recompute();
  }
  function select(x, showTimeline) {
    if (x < 0 || x >= n) return;
    if (showTimeline && activeTab !== "timeline") setTab("timeline");
    reveal(x);
    selected = x;
    if (rowOf[x] !== -1) scrollToRow(rowOf[x]);
    renderRows();
    renderDetail();
  }
  function clearSelection() {
    selected = -1;
    renderRows();
    renderDetail();
  }
  function moveBy(delta) {
    if (!vcount) return;
    var r = selected !== -1 && rowOf[selected] !== -1 ? rowOf[selected] + delta : delta > 0 ? 0 : vcount - 1;
    r = Math.max(0, Math.min(vcount - 1, r));
    select(visible[r]);
  }
  function toggle(x, open) {
    if (!kids[x] || terms.length) return;
    var next = open === undefined ? !collapsed[x] : !open;
    collapsed[x] = next ? 1 : 0;
    recompute();
    if (selected !== -1 && rowOf[selected] !== -1) scrollToRow(rowOf[selected]);
    renderRows();
  }
  function nextOf(list) {
    if (!list.length) return;
    var pos = selected === -1 ? -1 : orderPos[selected];
    for (var a = 0; a < list.length; a++) {
      if (orderPos[list[a]] > pos) { select(list[a], true); viewport.focus(); return; }
    }
    select(list[0], true);
    viewport.focus();
  }

  spacer.addEventListener("click", function (ev) {
    var target = ev.target;
    var row = target && target.closest ? target.closest(".row") : null;
    if (!row) return;
    var x = Number(row.dataset.index);
    if (target.closest(".caret") && kids[x]) toggle(x);
    else select(x);
    viewport.focus();
  });

  // ---- decisions --------------------------------------------------------
  var decShown = CHUNK;
  function renderDecisions() {
    var list = byId("dlist");
    var chosen = terms.length ? decisions.filter(function (x) { return marked[x] === 1; }) : decisions;
    var nodes = [];
    if (!decisions.length) {
      nodes.push(el("div", "empty", "No decisions were recorded. A step records one with step.decide(action, { reason })."));
    } else if (!chosen.length) {
      nodes.push(el("div", "empty", "No decision matches the search."));
    }
    var upto = Math.min(chosen.length, decShown);
    for (var a = 0; a < upto; a++) nodes.push(decisionCard(chosen[a]));
    if (chosen.length > upto) {
      var more = el("button", "showmore", "Show " + fmtInt(Math.min(CHUNK, chosen.length - upto)) + " more of " + fmtInt(chosen.length - upto));
      more.type = "button";
      more.addEventListener("click", function () { decShown += CHUNK; renderDecisions(); });
      nodes.push(more);
    }
    list.replaceChildren.apply(list, nodes);
  }
  function decisionCard(x) {
    var s = steps[x];
    var c = el("article", "dcard");
    c.dataset.index = String(x);
    var header = el("header");
    var st = num(s.started_at);
    add(header, el("span", "action", str(s.decision.action) || "(no action)"),
      el("span", "where", "at " + (str(s.name) || "(unnamed)") + " #" + str(s.id) + (st !== null ? " \u00B7 +" + fmtDur((st - t0) * 1000) : "")));
    var go = el("button", "linkish go", "Show in timeline \u2192");
    go.type = "button";
    go.addEventListener("click", function () { select(x, true); viewport.focus(); });
    add(header, go);
    add(c, header);
    var body = el("div");
    decisionBody(s.decision, body);
    body.firstChild.remove();
    add(c, body);
    var saw = el("details", "saw");
    saw.open = true;
    add(saw, el("summary", "", "What the agent saw"), sawNode(x));
    add(c, saw);
    return c;
  }

  // ---- tabs, search, keys ----------------------------------------------
  function setTab(name) {
    activeTab = name;
    byId("tab-timeline").setAttribute("aria-selected", name === "timeline" ? "true" : "false");
    byId("tab-decisions").setAttribute("aria-selected", name === "decisions" ? "true" : "false");
    byId("timeline").classList.toggle("hidden", name !== "timeline");
    byId("decisions").classList.toggle("hidden", name !== "decisions");
    if (name === "decisions") renderDecisions();
    else scheduleRows();
  }
  byId("tab-timeline").addEventListener("click", function () { setTab("timeline"); });
  byId("tab-decisions").addEventListener("click", function () { setTab("decisions"); });

  var searchFrame = 0;
  search.addEventListener("input", function () {
    if (searchFrame) return;
    searchFrame = requestAnimationFrame(function () {
      searchFrame = 0;
      terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      decShown = CHUNK;
      viewport.scrollTop = 0;
      refresh();
    });
  });
  function applySearchNow() {
    if (searchFrame) { cancelAnimationFrame(searchFrame); searchFrame = 0; }
    terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    refresh();
  }
  function clearSearch() {
    search.value = "";
    applySearchNow();
  }

  function isTyping(t) {
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function isActivatable(t) {
    return t && (t.tagName === "BUTTON" || t.tagName === "SUMMARY" || t.tagName === "A");
  }
  function moveDecisionFocus(delta) {
    var cards = Array.prototype.slice.call(document.querySelectorAll("#dlist .dcard .go"));
    if (!cards.length) return;
    var at = cards.indexOf(document.activeElement);
    var to = at === -1 ? (delta > 0 ? 0 : cards.length - 1) : Math.max(0, Math.min(cards.length - 1, at + delta));
    cards[to].focus();
    cards[to].closest(".dcard").scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    var key = ev.key;
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
          for (var r = 0; r < vcount; r++) {
            if (!terms.length || marked[visible[r]] === 1) { select(visible[r]); break; }
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
      if (key === "ArrowDown" || key === "j") { ev.preventDefault(); moveDecisionFocus(1); }
      else if (key === "ArrowUp" || key === "k") { ev.preventDefault(); moveDecisionFocus(-1); }
      return;
    }
    var page = Math.max(1, Math.floor(viewport.clientHeight / ROW) - 1);
    var handled = true;
    if (key === "ArrowDown" || key === "j") moveBy(1);
    else if (key === "ArrowUp" || key === "k") moveBy(-1);
    else if (key === "PageDown") moveBy(page);
    else if (key === "PageUp") moveBy(-page);
    else if (key === "Home") { if (vcount) select(visible[0]); }
    else if (key === "End") { if (vcount) select(visible[vcount - 1]); }
    else if (key === "ArrowLeft" || key === "h") {
      if (selected === -1) moveBy(1);
      else if (kids[selected] && !collapsed[selected] && !terms.length) toggle(selected, false);
      else if (parent[selected] !== -1) select(parent[selected]);
    } else if (key === "ArrowRight" || key === "l") {
      if (selected === -1) moveBy(1);
      else if (kids[selected] && collapsed[selected]) toggle(selected, true);
      else if (kids[selected]) select(kids[selected][0]);
    } else if (key === "Enter" || key === " ") {
      if (selected === -1 || rowOf[selected] === -1) moveBy(1);
      else if (kids[selected]) toggle(selected);
    } else if (key === "e" || key === "E") nextOf(errors);
    else handled = false;
    if (handled) {
      ev.preventDefault();
      if (document.activeElement !== viewport) viewport.focus({ preventScroll: true });
    }
  });

  // ---- header -----------------------------------------------------------
  function stat(label, value, cls, small) {
    var box = el("div", "stat" + (cls ? " " + cls : ""));
    var v = el("span", "v", value);
    if (small) add(v, " ", el("small", "", small));
    return add(box, el("span", "k", label), v);
  }
  function renderHeader() {
    var sum = isObject(session.summary) ? session.summary : {};
    document.title = str(data.title) || document.title;
    var agent = byId("agent");
    agent.textContent = str(session.agent) || "(unnamed agent)";
    agent.title = str(session.agent);
    var state = str(session.state) || "complete";
    var badge = byId("state");
    badge.textContent = state;
    badge.className = "state " + (["complete", "crashed", "running"].indexOf(state) !== -1 ? state : "crashed");
    var sub = byId("sub");
    var bits = [];
    if (session.session_id) bits.push(el("span", "mono", str(session.session_id)));
    if (num(session.started_at) !== null) bits.push(el("span", "", "started " + fmtClock(session.started_at, true)));
    if (isObject(session.runtime)) bits.push(el("span", "", str(session.runtime.name) + " " + str(session.runtime.version)));
    if (session.host) bits.push(el("span", "", "host " + str(session.host)));
    if (num(session.pid) !== null) bits.push(el("span", "", "pid " + session.pid));
    if (session.file) bits.push(el("span", "mono", str(session.file)));
    if (session.schema) bits.push(el("span", "", str(session.schema)));
    sub.replaceChildren.apply(sub, bits);

    var stats = byId("stats");
    var dur = num(session.finished_at) !== null && num(session.started_at) !== null
      ? (session.finished_at - session.started_at) * 1000
      : span * 1000;
    var cards = [
      stat("Steps", fmtInt(sum.steps)),
      stat("OK", fmtInt(sum.ok)),
      stat("Errors", fmtInt(sum.errors), sum.errors ? "bad" : ""),
      stat("In flight", fmtInt(sum.in_flight), sum.in_flight ? "warn" : ""),
      stat("Duration", fmtDur(dur) || "\u2014"),
      stat("p50 / p95", fmtDur(sum.p50_ms) || "0 ms", "", "/ " + (fmtDur(sum.p95_ms) || "0 ms")),
      stat("Tokens", fmtInt(sum.input_tokens), "", "in \u00B7 " + fmtInt(sum.output_tokens) + " out"),
      stat("Cost", fmtCost(sum.cost_usd)),
    ];
    if (num(sum.cache_read_input_tokens) || num(sum.cache_creation_input_tokens) || num(sum.reasoning_tokens)) {
      cards.splice(cards.length - 1, 0, stat("Cache / reasoning", fmtInt(sum.cache_read_input_tokens), "",
        "cache read \u00B7 " + fmtInt(sum.cache_creation_input_tokens) + " cache write \u00B7 " +
        fmtInt(sum.reasoning_tokens) + " reasoning"));
    }
    if (decisions.length) cards.splice(4, 0, stat("Decisions", fmtInt(decisions.length)));
    stats.replaceChildren.apply(stats, cards);

    var meta = byId("meta");
    var chips = [];
    if (isObject(session.meta)) {
      var keys = Object.keys(session.meta);
      for (var a = 0; a < keys.length && a < 60; a++) {
        var value = session.meta[keys[a]];
        var chip = el("span", "chip");
        var cv = el("span", "cv", typeof value === "string" ? value : str(value));
        cv.title = typeof value === "string" ? value : str(value);
        add(chip, el("span", "ck", keys[a]), cv);
        chips.push(chip);
      }
    }
    meta.replaceChildren.apply(meta, chips);
    meta.classList.toggle("hidden", chips.length === 0);

    var warnings = Array.isArray(data.warnings) ? data.warnings.filter(isObject) : [];
    var wbox = byId("warnings");
    if (warnings.length) {
      var det = el("details");
      add(det, el("summary", "", "\u26A0 " + fmtInt(warnings.length) + (warnings.length === 1 ? " line" : " lines") + " of the file could not be read"));
      var ul = el("ul");
      for (var w = 0; w < warnings.length && w < 200; w++) {
        add(ul, el("li", "", (warnings[w].line ? "line " + warnings[w].line + ": " : "") + str(warnings[w].message)));
      }
      add(det, ul);
      wbox.replaceChildren(det);
    } else wbox.classList.add("hidden");

    if (num(data.generated_at) !== null) {
      byId("generated").textContent = "Generated " + fmtClock(data.generated_at / 1000, true).replace(/\.\d+ UTC$/, " UTC");
    }
    byId("ndecisions").textContent = fmtInt(decisions.length);
    var jumps = byId("jumps");
    var jb = [];
    if (errors.length) {
      var je = el("button", "jump err", "\u2715 " + fmtInt(errors.length) + (errors.length === 1 ? " error" : " errors"));
      je.type = "button";
      je.title = "Jump to the next error (E)";
      je.addEventListener("click", function () { nextOf(errors); });
      jb.push(je);
    }
    if (inflight.length) {
      var jf = el("button", "jump flight", "\u25CC " + fmtInt(inflight.length) + " in flight");
      jf.type = "button";
      jf.title = "Jump to the next step in flight";
      jf.addEventListener("click", function () { nextOf(inflight); });
      jb.push(jf);
    }
    jumps.replaceChildren.apply(jumps, jb);
  }

  renderHeader();
  renderAxis();
  recompute();
  renderRows();
  renderHint();
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = "true";
})();
`;
