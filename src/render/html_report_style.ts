/**
 * The stylesheet of the HTML report, inlined into every report and allowed by
 * its Content-Security-Policy through its SHA-256 hash. Light and dark themes
 * follow the system (`prefers-color-scheme`). No fonts are fetched: the
 * system's own UI and monospace fonts are used.
 *
 * @module
 */

/** The report's CSS, inlined into a `<style>` element. */
export const REPORT_STYLE: string = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f5f6f8;
  --surface: #ffffff;
  --surface-2: #f0f2f5;
  --border: #e1e4ea;
  --border-strong: #cdd2da;
  --text: #1b2230;
  --muted: #667085;
  --faint: #98a2b3;
  --accent: #3b6fe0;
  --accent-soft: rgba(59, 111, 224, 0.12);
  --ok: #2f9e6b;
  --bar-ok: #5b8def;
  --error: #d43d3d;
  --error-soft: rgba(212, 61, 61, 0.10);
  --flight: #c7850e;
  --flight-soft: rgba(199, 133, 14, 0.14);
  --decision: #7c4ddb;
  --decision-soft: rgba(124, 77, 219, 0.10);
  --other: #8a6fb8;
  --guide: rgba(27, 34, 48, 0.10);
  --grid: rgba(27, 34, 48, 0.06);
  --selected: rgba(59, 111, 224, 0.13);
  --hover: rgba(27, 34, 48, 0.04);
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.06), 0 1px 3px rgba(16, 24, 40, 0.08);
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
  --name-col: 34%;
  --row: 28px;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1116;
    --surface: #161a21;
    --surface-2: #1c212a;
    --border: #262c36;
    --border-strong: #343b47;
    --text: #e4e8ee;
    --muted: #9aa4b2;
    --faint: #6b7483;
    --accent: #6d9bff;
    --accent-soft: rgba(109, 155, 255, 0.16);
    --ok: #4cc38a;
    --bar-ok: #5b8def;
    --error: #ff6b6b;
    --error-soft: rgba(255, 107, 107, 0.13);
    --flight: #f0b44c;
    --flight-soft: rgba(240, 180, 76, 0.15);
    --decision: #b196ff;
    --decision-soft: rgba(177, 150, 255, 0.12);
    --other: #b59be0;
    --guide: rgba(228, 232, 238, 0.10);
    --grid: rgba(228, 232, 238, 0.05);
    --selected: rgba(109, 155, 255, 0.18);
    --hover: rgba(228, 232, 238, 0.04);
    --shadow: 0 1px 2px rgba(0, 0, 0, 0.3);
  }
}
* { box-sizing: border-box; }
html, body { height: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 14px/1.45 var(--sans);
  -webkit-font-smoothing: antialiased;
}
body.app { display: flex; flex-direction: column; overflow: hidden; }
button { font: inherit; color: inherit; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.mono { font-family: var(--mono); font-size: 12.5px; }
.muted { color: var(--muted); }
.hidden { display: none !important; }

/* Header */
.top { padding: 18px 24px 14px; background: var(--surface); border-bottom: 1px solid var(--border); }
.title-row { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.title-row h1 {
  margin: 0; font-size: 20px; font-weight: 650; letter-spacing: -0.01em; overflow-wrap: anywhere;
  display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; line-clamp: 2; overflow: hidden;
}
.brand { margin-left: auto; color: var(--faint); font-size: 12px; }
.sub { margin-top: 4px; color: var(--muted); font-size: 12.5px; display: flex; flex-wrap: wrap; gap: 4px 14px; }
.sub span { overflow-wrap: anywhere; }
.state { display: inline-flex; align-items: center; gap: 6px; padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.state::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: currentColor; }
.state.complete { color: var(--ok); background: rgba(47, 158, 107, 0.12); }
.state.crashed { color: var(--error); background: var(--error-soft); }
.state.running { color: var(--flight); background: var(--flight-soft); }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 14px; }
.stat { min-width: 96px; padding: 8px 12px; border: 1px solid var(--border); border-radius: 8px; background: var(--surface); }
.stat .k { display: block; color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; }
.stat .v { display: block; font-size: 16px; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; }
.stat .v small { font-size: 12px; font-weight: 500; color: var(--muted); }
.stat.bad .v { color: var(--error); }
.stat.warn .v { color: var(--flight); }
.meta { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 12px; max-height: 56px; overflow-y: auto; }
.chip { display: inline-flex; max-width: 100%; border: 1px solid var(--border); border-radius: 6px; font-size: 12px; overflow: hidden; }
.chip .ck { padding: 1px 7px; background: var(--surface-2); color: var(--muted); }
.chip .cv { padding: 1px 7px; font-family: var(--mono); font-size: 11.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 420px; }
.warnings { margin-top: 10px; font-size: 12.5px; color: var(--flight); }
.warnings summary { cursor: pointer; }
.warnings ul { margin: 4px 0 0; padding-left: 20px; color: var(--muted); }

/* Toolbar */
.toolbar { display: flex; align-items: center; gap: 12px; padding: 8px 24px; background: var(--surface); border-bottom: 1px solid var(--border); flex-wrap: wrap; }
.tabs { display: flex; gap: 2px; background: var(--surface-2); border-radius: 8px; padding: 3px; }
.tab { border: 0; background: transparent; padding: 4px 12px; border-radius: 6px; cursor: pointer; color: var(--muted); font-weight: 550; }
.tab[aria-selected="true"] { background: var(--surface); color: var(--text); box-shadow: var(--shadow); }
.tab .n { margin-left: 6px; color: var(--faint); font-weight: 500; font-variant-numeric: tabular-nums; }
.search { position: relative; flex: 1 1 280px; max-width: 520px; }
.search input {
  width: 100%; padding: 6px 34px 6px 30px; border: 1px solid var(--border-strong); border-radius: 8px;
  background: var(--bg); color: var(--text); font: inherit; font-size: 13.5px;
}
.search input:focus { outline: none; border-color: var(--accent); box-shadow: 0 0 0 3px var(--accent-soft); }
.search .glass { position: absolute; left: 10px; top: 50%; transform: translateY(-50%); color: var(--faint); font-size: 13px; pointer-events: none; }
.search kbd { position: absolute; right: 8px; top: 50%; transform: translateY(-50%); }
kbd { font-family: var(--mono); font-size: 11px; padding: 0 5px; border: 1px solid var(--border-strong); border-bottom-width: 2px; border-radius: 4px; color: var(--muted); background: var(--surface); }
.count { color: var(--muted); font-size: 12.5px; font-variant-numeric: tabular-nums; }
.jumps { display: flex; gap: 6px; margin-left: auto; }
.jump { border: 1px solid var(--border); background: var(--surface); border-radius: 999px; padding: 2px 10px; font-size: 12px; cursor: pointer; }
.jump.err { color: var(--error); border-color: var(--error-soft); background: var(--error-soft); }
.jump.flight { color: var(--flight); border-color: var(--flight-soft); background: var(--flight-soft); }
.jump:hover { filter: brightness(0.97); }

/* Main area */
main { flex: 1 1 auto; min-height: 0; display: flex; }
.pane { flex: 1 1 auto; min-height: 0; min-width: 0; display: flex; }
.waterfall { flex: 1 1 auto; min-width: 0; display: flex; flex-direction: column; background: var(--surface); border-right: 1px solid var(--border); position: relative; }
.axis { position: relative; height: 30px; flex: none; border-bottom: 1px solid var(--border); font-size: 11px; color: var(--muted); background: var(--surface); }
.axis .axis-name { position: absolute; left: 16px; top: 8px; text-transform: uppercase; letter-spacing: 0.05em; font-weight: 600; }
.axis .ticks { position: absolute; left: var(--name-col); right: 72px; top: 0; bottom: 0; }
.tick { position: absolute; top: 8px; transform: translateX(-50%); white-space: nowrap; font-variant-numeric: tabular-nums; }
.tick:first-child { transform: none; }
.viewport { position: relative; flex: 1 1 auto; overflow: auto; outline: none; }
.viewport:focus-visible { box-shadow: inset 0 0 0 2px var(--accent-soft); }
.grid { position: absolute; left: var(--name-col); right: 72px; top: 30px; bottom: 0; pointer-events: none; }
.grid i { position: absolute; top: 0; bottom: 0; width: 1px; background: var(--grid); }
.spacer { position: relative; width: 100%; }
.row {
  position: absolute; left: 0; right: 0; height: var(--row); display: flex; align-items: center;
  cursor: pointer; border-bottom: 1px solid transparent; user-select: none;
}
.row:hover { background: var(--hover); }
.row.selected { background: var(--selected); }
.row.selected .name { font-weight: 600; }
.row.ancestor .name, .row.ancestor .icon { opacity: 0.5; }
.row.ancestor .bar { opacity: 0.35; }
.cell-name {
  width: var(--name-col); flex: none; display: flex; align-items: center; gap: 6px; height: 100%;
  padding-right: 10px; overflow: hidden; white-space: nowrap;
  background-image: repeating-linear-gradient(90deg, transparent 0 7px, var(--guide) 7px 8px, transparent 8px 16px);
  background-repeat: no-repeat; background-position: 12px 0;
}
.caret { width: 16px; height: 16px; flex: none; display: inline-flex; align-items: center; justify-content: center; color: var(--muted); font-size: 10px; border-radius: 4px; }
.caret.has:hover { background: var(--surface-2); color: var(--text); }
.icon { width: 16px; flex: none; text-align: center; font-size: 12px; font-weight: 700; }
.icon.ok { color: var(--ok); }
.icon.error { color: var(--error); }
.icon.inflight { color: var(--flight); }
.icon.other { color: var(--other); }
.name { flex: 0 1 auto; overflow: hidden; text-overflow: ellipsis; min-width: 3em; }
.row.is-error .name { color: var(--error); }
.badge { flex: 0 3 auto; min-width: 2.5em; max-width: 14em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 10.5px; padding: 0 6px; border-radius: 4px; background: var(--surface-2); color: var(--muted); border: 1px solid var(--border); line-height: 16px; }
.badge.decision { color: var(--decision); background: var(--decision-soft); border-color: transparent; }
.badge.err-below { color: var(--error); background: var(--error-soft); border-color: transparent; }
/* A control or invisible character from the trace, shown as its \u escape (it could hide or reorder text). */
.esc { font-family: var(--mono); font-size: 0.9em; color: var(--error); background: var(--error-soft); border-radius: 3px; padding: 0 2px; unicode-bidi: isolate; }
.badge.flight { color: var(--flight); background: var(--flight-soft); border-color: transparent; }
.cell-bar { position: relative; flex: 1 1 auto; height: 100%; margin-right: 72px; }
.bar { position: absolute; top: 8px; height: 12px; min-width: 2px; border-radius: 3px; background: var(--bar-ok); }
.bar.error { background: var(--error); }
.bar.other { background: var(--other); }
.bar.inflight {
  background: repeating-linear-gradient(135deg, var(--flight) 0 6px, transparent 6px 10px);
  box-shadow: inset 0 0 0 1px var(--flight); border-top-right-radius: 0; border-bottom-right-radius: 0;
}
.bar.inflight { -webkit-mask-image: linear-gradient(90deg, #000 55%, transparent); mask-image: linear-gradient(90deg, #000 55%, transparent); }
.grid i.last { width: 0; background: none; border-left: 1px dashed var(--flight); opacity: 0.7; }
.tick.last { color: var(--flight); transform: translateX(-50%); }
.bar-label.inside { color: #fff !important; font-weight: 600; }
.bar-label { position: absolute; top: 6px; font-size: 11px; color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
.row.is-error .bar-label { color: var(--error); }
.row.is-inflight .bar-label { color: var(--flight); font-weight: 600; }
.empty { padding: 40px 24px; color: var(--muted); text-align: center; }

/* Detail */
.detail { width: 440px; flex: none; overflow: auto; background: var(--bg); padding: 18px 20px 40px; }
.detail h2 { margin: 0; font-size: 17px; font-weight: 650; overflow-wrap: anywhere; }
.d-head { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin-bottom: 10px; }
.pill { display: inline-flex; align-items: center; gap: 5px; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.pill.ok { color: var(--ok); background: rgba(47, 158, 107, 0.12); }
.pill.error { color: var(--error); background: var(--error-soft); }
.pill.inflight { color: var(--flight); background: var(--flight-soft); }
.pill.other { color: var(--other); background: var(--decision-soft); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 0 0 6px; font-size: 13px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.linkish { border: 0; background: none; padding: 0; color: var(--accent); cursor: pointer; text-align: left; }
.linkish:hover { text-decoration: underline; }
.card { margin-top: 14px; background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: 12px 14px; box-shadow: var(--shadow); }
.card h3 { margin: 0 0 8px; font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); font-weight: 650; display: flex; gap: 8px; align-items: baseline; }
.card h3 .n { color: var(--faint); font-weight: 500; }
.card.decision { border-left: 3px solid var(--decision); }
.card.error { border-left: 3px solid var(--error); }
.card.inflight { border-left: 3px solid var(--flight); }
.action { font-size: 16px; font-weight: 700; color: var(--decision); font-family: var(--mono); overflow-wrap: anywhere; }
.reason { margin: 6px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.conf { display: flex; align-items: center; gap: 8px; margin-top: 8px; font-size: 12px; color: var(--muted); }
.meter { width: 120px; height: 6px; border-radius: 3px; background: var(--surface-2); overflow: hidden; }
.meter i { display: block; height: 100%; background: var(--decision); }
.alts { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; align-items: center; font-size: 12px; color: var(--muted); }
.alt { font-family: var(--mono); font-size: 11.5px; padding: 1px 7px; border-radius: 5px; border: 1px dashed var(--border-strong); color: var(--text); }
.err-msg { color: var(--error); font-weight: 600; white-space: pre-wrap; overflow-wrap: anywhere; }
pre { margin: 6px 0 0; padding: 8px 10px; background: var(--surface-2); border-radius: 6px; font-family: var(--mono); font-size: 12px; line-height: 1.5; overflow: auto; max-height: 320px; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.stack { color: var(--muted); }
.kv { width: 100%; border-collapse: collapse; font-size: 12.5px; table-layout: fixed; }
.kv td { padding: 4px 0; vertical-align: top; border-top: 1px solid var(--border); }
.kv tr:first-child td { border-top: 0; }
.kv td.k { width: 34%; padding-right: 10px; color: var(--muted); font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; }
.kv td.v { overflow-wrap: anywhere; }
.kv pre { margin: 0; max-height: 220px; }
.v-str { white-space: pre-wrap; }
.v-num { font-family: var(--mono); font-size: 12px; color: var(--accent); }
.v-lit { font-family: var(--mono); font-size: 12px; color: var(--other); }
.more { margin-top: 4px; }
.from { margin: 10px 0 4px; font-size: 12px; color: var(--muted); }
.from:first-child { margin-top: 0; }
.from b { color: var(--text); font-weight: 600; }
.logs { list-style: none; margin: 0; padding: 0; }
.logs li { display: grid; grid-template-columns: 92px 1fr; gap: 10px; padding: 6px 0; border-top: 1px solid var(--border); }
.logs li:first-child { border-top: 0; padding-top: 0; }
.logs .t { font-family: var(--mono); font-size: 11.5px; color: var(--muted); line-height: 1.3; }
.logs .t small { display: block; color: var(--faint); }
.hint { color: var(--muted); }
.hint p { margin: 6px 0; }
.keys { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; margin-top: 16px; font-size: 12.5px; color: var(--muted); }

/* Decisions */
.decisions { flex: 1 1 auto; overflow: auto; padding: 16px 24px 40px; }
.dlist { max-width: 1100px; margin: 0 auto; }
.dcard { background: var(--surface); border: 1px solid var(--border); border-left: 3px solid var(--decision); border-radius: 10px; padding: 14px 16px; margin-bottom: 12px; box-shadow: var(--shadow); }
.dcard header { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.dcard .where { color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; }
.dcard .go { margin-left: auto; }
.dcard .saw { margin-top: 10px; }
.dcard .kv td.k { width: 22%; }
.dcard .saw > summary { cursor: pointer; color: var(--muted); font-size: 12.5px; }
.dcard .saw[open] > summary { margin-bottom: 6px; }
.showmore { display: block; margin: 8px auto; padding: 6px 16px; border: 1px solid var(--border-strong); border-radius: 8px; background: var(--surface); cursor: pointer; }
footer { flex: none; padding: 5px 24px; font-size: 11.5px; color: var(--faint); background: var(--surface); border-top: 1px solid var(--border); display: flex; gap: 16px; flex-wrap: wrap; }
footer kbd { font-size: 10.5px; }

@media (max-width: 900px) {
  body.app { overflow: auto; display: block; }
  main, .pane { display: block; }
  .waterfall { height: 70vh; border-right: 0; }
  .detail { width: auto; }
  :root { --name-col: 46%; }
}
@media (prefers-reduced-motion: no-preference) {
  .row { transition: background-color 80ms; }
}
`;
