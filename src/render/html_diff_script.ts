/**
 * The script of the HTML comparison page (`ai-trace diff --html`), inlined
 * and allowed by the page's Content-Security-Policy through its hash. It
 * reads the comparison from the page's `<script type="application/json">`
 * element and builds the page with `createElement` and `textContent` only:
 * no string from either trace is ever parsed as markup, and none becomes a
 * link.
 *
 * Plain ES2020 without template literals, so it can live in this raw string.
 *
 * @module
 */

/** The comparison page's JavaScript, inlined into a `<script>` element. */
export const DIFF_SCRIPT: string = String.raw`
(function () {
  "use strict";
  var CLIP = 4000;
  var MARKS = { "=": "same", "~": "changed", "+": "added", "-": "missing" };
  var REASONS = {
    decision: "decided differently",
    outcome: "ended differently",
    context: "saw a different context",
    missing: "a step of a is missing from b",
    added: "b has a step that a does not"
  };

  function byId(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function num(v) { return typeof v === "number" && isFinite(v) ? v : null; }
  function str(v) {
    if (typeof v === "string") return v;
    if (v === null || v === undefined) return "";
    try { return JSON.stringify(v); } catch (e) { return String(v); }
  }
  function clip(text) { return text.length > CLIP ? text.slice(0, CLIP) + "\u2026 (" + text.length + " characters)" : text; }
  function pretty(v) {
    try { return clip(JSON.stringify(v, null, 2)); } catch (e) { return clip(str(v)); }
  }
  function fmtDur(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return "";
    var a = Math.abs(ms);
    if (a < 1) return ms.toFixed(2) + " ms";
    if (a < 10) return ms.toFixed(1).replace(/\.0$/, "") + " ms";
    if (a < 1000) return Math.round(ms) + " ms";
    if (a < 60000) return (ms / 1000).toFixed(2).replace(/\.?0+$/, "") + " s";
    return Math.floor(ms / 60000) + "m " + (Math.floor(ms / 1000) % 60) + "s";
  }
  function signed(x, f) {
    if (x === null || x === undefined || !isFinite(x)) return "";
    if (Math.abs(x) < 1e-9) return "=";
    return (x > 0 ? "+" : "\u2212") + f(Math.abs(x));
  }
  function money(x) { return "$" + String(Number(x.toFixed(6))); }
  function plain(x) { return String(Math.round(x * 1e6) / 1e6); }

  var data;
  try {
    data = JSON.parse(byId("ai-trace-data").textContent || "{}");
  } catch (e) {
    data = { rows: [], steps: { a: [], b: [] }, sessions: { a: {}, b: {} }, totals: { a: {}, b: {} }, first: -1 };
  }
  var rows = Array.isArray(data.rows) ? data.rows : [];
  var steps = data.steps || { a: [], b: [] };
  var sessions = data.sessions || { a: {}, b: {} };
  var totals = data.totals || { a: {}, b: {} };
  var rowNodes = [];
  var selected = -1;

  function stepOf(side, index) {
    var list = steps[side];
    return Array.isArray(list) && typeof index === "number" && index >= 0 && index < list.length ? list[index] : null;
  }

  // ---- header ----------------------------------------------------------
  byId("title").textContent = str(sessions.a.agent) + " \u00b7 " + str(sessions.a.session_id) + "  vs  " +
    str(sessions.b.agent) + " \u00b7 " + str(sessions.b.session_id);
  var verdict = byId("verdict");
  var differences = 0;
  for (var i = 0; i < rows.length; i++) if (rows[i][0] !== "=") differences++;
  if (data.identical) {
    verdict.className = "verdict same";
    verdict.textContent = "No difference: the same " + rows.length + " steps, outcomes and decisions in both runs.";
  } else {
    verdict.className = "verdict different";
    var first = rows[data.first];
    var where = first ? str(first[6]) : "";
    verdict.textContent = "First divergence at " + where + ": " + (REASONS[data.reason] || str(data.reason)) +
      " \u2014 " + differences + (differences === 1 ? " difference" : " differences") + " in " + rows.length + " aligned steps.";
  }

  function totalsRow(label, a, b, change) {
    var tr = el("tr");
    tr.appendChild(el("th", null, label));
    tr.appendChild(el("td", null, a));
    tr.appendChild(el("td", null, b));
    tr.appendChild(el("td", "change", change));
    return tr;
  }
  var table = byId("totals");
  var head = el("tr");
  head.appendChild(el("th", null, ""));
  head.appendChild(el("th", null, "a: " + str(sessions.a.file)));
  head.appendChild(el("th", null, "b: " + str(sessions.b.file)));
  head.appendChild(el("th", null, "change"));
  table.appendChild(head);
  var ta = totals.a || {};
  var tb = totals.b || {};
  table.appendChild(totalsRow("state", str(ta.state), str(tb.state), ta.state === tb.state ? "" : str(ta.state) + " \u2192 " + str(tb.state)));
  var counts = [["steps", "steps"], ["errors", "errors"], ["in flight", "in_flight"], ["decisions", "decisions"], ["tokens", "tokens"]];
  for (var c = 0; c < counts.length; c++) {
    var x = num(ta[counts[c][1]]) || 0;
    var y = num(tb[counts[c][1]]) || 0;
    table.appendChild(totalsRow(counts[c][0], plain(x), plain(y), signed(y - x, plain)));
  }
  var da = num(ta.duration_ms);
  var db = num(tb.duration_ms);
  table.appendChild(totalsRow("duration", fmtDur(da), fmtDur(db), da !== null && db !== null ? signed(db - da, fmtDur) : ""));
  var ca = num(ta.cost_usd) || 0;
  var cb = num(tb.cost_usd) || 0;
  table.appendChild(totalsRow("cost", money(ca), money(cb), signed(cb - ca, money)));

  // ---- timelines -------------------------------------------------------
  function span(side) {
    var s = sessions[side] || {};
    var start = num(s.started_at);
    var end = num(s.finished_at);
    var list = steps[side] || [];
    for (var k = 0; k < list.length; k++) {
      var t0 = num(list[k].started_at);
      var t1 = num(list[k].finished_at);
      if (t0 !== null && (start === null || t0 < start)) start = t0;
      if (t1 !== null && (end === null || t1 > end)) end = t1;
      if (t0 !== null && (end === null || t0 > end)) end = t0;
    }
    return { start: start, length: start !== null && end !== null && end > start ? end - start : 0 };
  }
  var spans = { a: span("a"), b: span("b") };

  function cell(side, step, depth) {
    var node = el("div", "cell");
    if (!step) {
      node.className = "cell empty";
      node.appendChild(el("div", "line", side === "a" ? "(not in a)" : "(not in b)"));
      return node;
    }
    if (step.in_flight) node.className += " outcome-flight";
    else if (step.outcome === "error") node.className += " outcome-error";
    var line = el("div", "line");
    line.style.paddingLeft = (8 + Math.min(depth, 30) * 14) + "px";
    line.appendChild(el("span", "name", str(step.name)));
    if (step.decision && typeof step.decision === "object") line.appendChild(el("span", "action", "\u2192 " + str(step.decision.action)));
    line.appendChild(el("span", "dur", step.in_flight ? "in flight" : fmtDur(num(step.duration_ms))));
    node.appendChild(line);
    var track = el("div", "track");
    track.style.marginLeft = (8 + Math.min(depth, 30) * 14) + "px";
    var bar = el("div", "bar");
    var sp = spans[side];
    var t0 = num(step.started_at);
    if (sp.length > 0 && t0 !== null) {
      var left = Math.max(0, Math.min(1, (t0 - sp.start) / sp.length));
      var dur = num(step.duration_ms);
      var width = step.in_flight ? 1 - left : dur === null ? 0 : Math.max(0, Math.min(1 - left, dur / 1000 / sp.length));
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

  var container = byId("rows");
  for (var r = 0; r < rows.length; r++) {
    var row = rows[r];
    var kind = MARKS[row[0]] || "same";
    var node = el("div", "row " + kind);
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
  }
  if (rows.length === 0) container.appendChild(el("div", "none", "Neither run has steps."));

  // ---- detail ----------------------------------------------------------
  function kv(list, key, value, cls) {
    list.appendChild(el("div", "k", key));
    list.appendChild(el("div", "v" + (cls ? " " + cls : ""), value));
  }
  function side(label, step) {
    var box = el("div", "side");
    box.dataset.side = label;
    box.appendChild(el("h3", null, label));
    if (!step) {
      box.appendChild(el("div", "none", "No such step in this run."));
      return box;
    }
    var list = el("div", "kv");
    kv(list, "step", str(step.name));
    if (step.kind) kv(list, "kind", str(step.kind));
    kv(list, "outcome", step.in_flight ? "in flight (never finished)" : str(step.outcome));
    if (!step.in_flight) kv(list, "duration", fmtDur(num(step.duration_ms)));
    if (step.context && typeof step.context === "object" && Object.keys(step.context).length > 0) kv(list, "context", pretty(step.context));
    var d = step.decision;
    if (d && typeof d === "object") {
      kv(list, "decision", str(d.action), "decision");
      if (d.reason !== undefined) kv(list, "reason", str(d.reason));
      if (num(d.confidence) !== null) kv(list, "confidence", String(d.confidence));
      if (Array.isArray(d.alternatives) && d.alternatives.length > 0) kv(list, "alternatives", d.alternatives.map(str).join(", "));
    }
    if (step.usage && typeof step.usage === "object") kv(list, "usage", pretty(step.usage));
    if (step.error !== null && step.error !== undefined) kv(list, "error", (step.error_type ? str(step.error_type) + ": " : "") + str(step.error), "error");
    if (Array.isArray(step.logs) && step.logs.length > 0) kv(list, "logs", pretty(step.logs));
    box.appendChild(list);
    return box;
  }
  function select(index, scroll) {
    if (index < 0 || index >= rows.length) return;
    if (selected >= 0) rowNodes[selected].classList.remove("selected");
    selected = index;
    var node = rowNodes[index];
    node.classList.add("selected");
    node.setAttribute("aria-selected", "true");
    if (scroll) node.scrollIntoView({ block: "center" });
    var row = rows[index];
    var detail = byId("detail");
    detail.textContent = "";
    detail.appendChild(el("h2", null, str(row[6])));
    var changes = Array.isArray(row[5]) ? row[5] : [];
    detail.appendChild(el("div", "verdict " + (changes.length ? "different" : "same"),
      changes.length ? changes.map(function (c) { return REASONS[c] || str(c); }).join("; ") : "the same in both runs"));
    detail.appendChild(side("a", stepOf("a", row[3])));
    detail.appendChild(side("b", stepOf("b", row[4])));
  }
  container.addEventListener("click", function (event) {
    var target = event.target;
    while (target && target !== container && !(target.dataset && target.dataset.index !== undefined)) target = target.parentNode;
    if (target && target !== container) select(Number(target.dataset.index), false);
  });
  function nextDifference(from) {
    for (var k = from + 1; k < rows.length; k++) if (rows[k][0] !== "=" && !rowNodes[k].classList.contains("hidden")) return k;
    return -1;
  }
  byId("jump-first").addEventListener("click", function () { select(data.first, true); });
  byId("jump-next").addEventListener("click", function () {
    var k = nextDifference(selected);
    if (k >= 0) select(k, true);
  });
  byId("only").addEventListener("change", function (event) {
    var only = event.target.checked;
    for (var k = 0; k < rows.length; k++) rowNodes[k].classList.toggle("hidden", only && rows[k][0] === "=");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "n" || event.key === "j" || event.key === "ArrowDown") {
      var k = event.key === "n" ? nextDifference(selected) : Math.min(rows.length - 1, selected + 1);
      if (k >= 0) { select(k, true); event.preventDefault(); }
    } else if (event.key === "k" || event.key === "ArrowUp") {
      if (selected > 0) { select(selected - 1, true); event.preventDefault(); }
    }
  });
  if (typeof data.generated_at === "number") {
    byId("generated").textContent = "Generated " + new Date(data.generated_at).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }
  if (data.first >= 0) select(data.first, true);
  else select(0, false);
  document.body.dataset.ready = "true";
})();
`;
