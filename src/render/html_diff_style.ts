/**
 * The stylesheet of the HTML comparison page (`ai-trace diff --html`),
 * inlined and allowed by the page's Content-Security-Policy through its hash.
 * Light and dark themes follow the system; no font is fetched.
 *
 * @module
 */

/** The comparison page's CSS, inlined into a `<style>` element. */
export const DIFF_STYLE: string = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --surface: #ffffff; --border: #e1e4ea; --text: #1b2230; --muted: #667085;
  --accent: #3b6fe0; --ok: #2f9e6b; --error: #d43d3d; --flight: #c7850e; --decision: #7c4ddb;
  --changed-soft: rgba(199, 133, 14, 0.14); --added-soft: rgba(47, 158, 107, 0.13); --missing-soft: rgba(212, 61, 61, 0.11);
  --bar: #5b8def; --selected: rgba(59, 111, 224, 0.16);
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111418; --surface: #1a1e24; --border: #2c323b; --text: #e4e7ec; --muted: #98a2b3;
    --bar: #4f7fe0; --selected: rgba(91, 141, 239, 0.22);
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 13px/1.45 var(--sans); }
header { padding: 16px 20px 8px; }
h1 { margin: 0 0 4px; font-size: 18px; font-weight: 650; overflow-wrap: anywhere; }
.verdict { font-size: 14px; margin: 6px 0 10px; overflow-wrap: anywhere; }
.esc { font-family: var(--mono); font-size: 0.9em; color: var(--error); background: var(--missing-soft); border-radius: 3px; padding: 0 2px; unicode-bidi: isolate; }
.verdict.same { color: var(--ok); }
.verdict.different { color: var(--flight); }
table.totals { border-collapse: collapse; background: var(--surface); border: 1px solid var(--border); border-radius: 6px; }
table.totals th, table.totals td { padding: 3px 12px; text-align: left; border-bottom: 1px solid var(--border); max-width: 420px; overflow-wrap: anywhere; }
table.totals th { color: var(--muted); font-weight: 500; }
table.totals td.change { color: var(--muted); font-family: var(--mono); }
.toolbar { display: flex; gap: 16px; align-items: center; padding: 8px 20px; border-top: 1px solid var(--border); border-bottom: 1px solid var(--border); background: var(--surface); position: sticky; top: 0; z-index: 2; }
.legend span { margin-right: 12px; font-family: var(--mono); }
.legend .m-changed, .legend .m-added, .legend .m-missing { padding: 0 4px; border-radius: 3px; }
button.jump { font: inherit; padding: 2px 10px; border: 1px solid var(--border); border-radius: 4px; background: var(--bg); color: var(--text); cursor: pointer; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(320px, 34%); gap: 12px; padding: 12px 20px 24px; }
.timelines { background: var(--surface); border: 1px solid var(--border); border-radius: 6px; overflow: hidden; }
.heads, .row { display: grid; grid-template-columns: 22px minmax(0, 1fr) minmax(0, 1fr); }
.heads { font-weight: 600; border-bottom: 1px solid var(--border); }
.heads > div { padding: 6px 8px; overflow-wrap: anywhere; }
.row { border-bottom: 1px solid var(--border); cursor: pointer; min-height: 26px; content-visibility: auto; contain-intrinsic-size: auto 35px; }
.row:hover { background: var(--selected); }
.row.changed { background: var(--changed-soft); }
.row.added { background: var(--added-soft); }
.row.missing { background: var(--missing-soft); }
.row.selected { outline: 2px solid var(--accent); outline-offset: -2px; }
.row.divergence { box-shadow: inset 4px 0 0 var(--flight); }
.row.divergence .marker::after { content: "\25c0"; color: var(--flight); margin-left: 2px; font-size: 10px; }
.marker { font-family: var(--mono); text-align: center; padding-top: 4px; font-weight: 700; }
.m-changed { color: var(--flight); } .m-added { color: var(--ok); } .m-missing { color: var(--error); }
.m-changed, .m-added, .m-missing { background: transparent; }
.cell { position: relative; padding: 4px 8px 4px 0; border-left: 1px solid var(--border); min-width: 0; }
.cell.empty { color: var(--muted); font-style: italic; }
.line { display: flex; gap: 8px; align-items: baseline; white-space: nowrap; overflow: hidden; }
.name { overflow: hidden; text-overflow: ellipsis; font-weight: 550; }
.dur, .action { color: var(--muted); font-family: var(--mono); font-size: 12px; }
.action { color: var(--decision); overflow: hidden; text-overflow: ellipsis; }
.outcome-error .name { color: var(--error); }
.outcome-flight .name { color: var(--flight); }
.track { position: relative; height: 4px; margin-top: 3px; background: var(--bg); border-radius: 2px; }
.bar { position: absolute; top: 0; height: 4px; min-width: 2px; border-radius: 2px; background: var(--bar); }
.outcome-error .bar { background: var(--error); }
.outcome-flight .bar { background: var(--flight); }
aside { position: sticky; top: 52px; align-self: start; max-height: calc(100vh - 64px); overflow: auto; background: var(--surface); border: 1px solid var(--border); border-radius: 6px; padding: 12px; }
aside h2 { font-size: 14px; margin: 0 0 8px; overflow-wrap: anywhere; }
.side { border-top: 1px solid var(--border); padding: 8px 0; }
.side h3 { font-size: 13px; margin: 0 0 6px; }
.kv { display: grid; grid-template-columns: 92px minmax(0, 1fr); gap: 2px 8px; }
.kv .k { color: var(--muted); }
.kv .v { overflow-wrap: anywhere; white-space: pre-wrap; font-family: var(--mono); font-size: 12px; max-height: 260px; overflow: auto; }
.kv .v.decision { color: var(--decision); font-weight: 600; }
.kv .v.error { color: var(--error); }
.none { color: var(--muted); font-style: italic; }
footer { color: var(--muted); padding: 0 20px 20px; display: flex; gap: 16px; flex-wrap: wrap; }
.hidden { display: none; }
`;
