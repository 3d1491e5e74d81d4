import { css } from 'lit';

/** `<label-dashboard>`'s own rules; its tokens and host rules are `hostStyles('dashboard')` (styles/controls.styles.ts). */
export const styles = css`
  .tabs { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; border-bottom: 1px solid var(--_border); padding: 4px 0; }
  .tabs .title { margin-right: 12px; font-size: 15px; }
  .tablist { display: flex; gap: 4px; }
  .toast { display: flex; gap: 12px; align-items: center; padding: 8px 10px; margin: 8px 0 0; border-radius: 6px; background: #1f2937; color: #fff; }
  .toast .undo { margin-left: auto; }
  .item.pending { opacity: 0.45; }
  .tabs [role='tab'] { border: none; border-bottom: 3px solid transparent; border-radius: 0; background: none; padding: 6px 12px; }
  .tabs [role='tab'][aria-selected='true'] { border-bottom-color: var(--_accent); font-weight: 600; }
  section { padding: 12px 0; }
  .message { padding: 8px 10px; border-radius: 6px; margin: 8px 0 0; }
  .message.error { color: #b42318; background: #fef3f2; }
  .message.notice { color: #05603a; background: #ecfdf3; }
  .muted { color: var(--_muted); font-weight: normal; }
  .small { font-size: 12px; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; }
  .card { border: 1px solid var(--_border); border-radius: 8px; padding: 10px 14px; min-width: 0; }
  .card.wide { grid-column: 1 / -1; }
  .card h2 { margin: 0 0 8px; font-size: 14px; }
  .card h2 .muted { font-size: 12px; margin-left: 6px; }
  .stacked { margin: 0; }
  .stacked svg { width: 100%; height: 28px; display: block; border-radius: 4px; overflow: hidden; }
  .stacked .seg:hover { opacity: 0.8; }
  .legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin-top: 8px; font-size: 13px; }
  .legend i, .label-list i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
  .bars { display: grid; grid-template-columns: minmax(4ch, max-content) 1fr auto; gap: 4px 10px; align-items: center; font-size: 13px; }
  .bar-row { display: contents; }
  .bar-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 24ch; }
  .bar-track { background: var(--_sunken); height: 12px; border-radius: 3px; overflow: hidden; }
  .bar-fill { display: block; height: 100%; }
  .bar-value { font-variant-numeric: tabular-nums; min-width: 3ch; text-align: right; }
  .progress { background: var(--_sunken); height: 8px; border-radius: 4px; overflow: hidden; }
  .progress span { display: block; height: 100%; background: var(--_accent); }
  .table-scroll { overflow-x: auto; max-width: 100%; }
  table.runs { width: 100%; border-collapse: collapse; font-size: 13px; }
  .runs th, .runs td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--_border); vertical-align: top; }
  .cap { text-transform: capitalize; }
  .status { padding: 1px 6px; border-radius: 4px; background: var(--_sunken); }
  .status.completed { background: #d3f9d8; }
  .status.failed { background: #ffe3e3; }
  .status.running { background: #dbe4ff; }
  .error-text { color: #b42318; }
  .metric { white-space: nowrap; margin-right: 8px; }
  details.more { display: inline; }
  details.more summary { display: inline; cursor: pointer; color: var(--_muted); }
  .assist-lines { margin: 4px 0; padding-left: 18px; }
  .assist-lines li { margin: 2px 0; }
  .assist-settings { display: grid; gap: 6px; justify-items: start; }
  .assist-settings input[type='number'] { width: 5em; }
  .toolbar { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 10px; }
  .toolbar label { display: inline-flex; gap: 6px; align-items: center; }
  select, input, textarea { font: inherit; }
  .items { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
  .item { border: 1px solid var(--_border); border-radius: 8px; overflow: hidden; }
  .item.picked { border-color: var(--_accent); box-shadow: 0 0 0 2px var(--_accent); }
  .item label { position: relative; display: block; background: var(--_sunken); aspect-ratio: 4 / 3; cursor: pointer; }
  .item label input { position: absolute; top: 6px; left: 6px; }
  .item img { width: 100%; height: 100%; object-fit: contain; image-rendering: pixelated; display: block; }
  .item .shapes { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
  .item .meta { padding: 4px 6px 6px; font-size: 12px; }
  .item .path { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .state { display: inline-block; border-left: 4px solid var(--c); padding-left: 4px; color: var(--_muted); }
  .chips { display: flex; flex-wrap: wrap; gap: 3px; margin-top: 3px; }
  .flags .flag { display: block; margin-top: 3px; font-size: 0.85em; color: var(--_text); border-left: 3px solid #d97706; padding-left: 4px; }
  /* The label colour is a swatch beside dark text, so any label colour keeps the text readable. */
  .chip { background: var(--_surface); color: var(--_text); border: 1px solid var(--_border); border-left: 6px solid var(--c); border-radius: 999px; padding: 0 6px; font-weight: 600; }
  .pager { display: flex; gap: 10px; align-items: center; justify-content: center; margin-top: 10px; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0; font-size: 13px; }
  dt { color: var(--_muted); }
  dd { margin: 0; overflow-wrap: anywhere; }
  .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
  .label-list { list-style: none; padding: 0; margin: 0 0 8px; display: flex; flex-wrap: wrap; gap: 4px 12px; }
  .add-label { display: grid; gap: 6px; }
  fieldset { border: 1px solid var(--_border); border-radius: 6px; display: grid; gap: 2px; font-size: 13px; }
  textarea { width: 100%; box-sizing: border-box; }
  .md { border-top: 1px dashed var(--_border); margin-top: 6px; }
  kbd { font: 11px ui-monospace, monospace; border: 1px solid var(--_border); border-radius: 3px; padding: 0 3px; }
  .answers { list-style: none; padding: 0; margin: 4px 0 0; display: grid; gap: 2px; font-size: 12px; }
  .answers li { display: flex; gap: 4px; align-items: center; }
  .answers .who { color: var(--_muted); min-width: 3em; }
  .reviewed { font-size: 11px; color: var(--_muted); }
  .upload-card input[name='upload-prefix'] { width: 100%; box-sizing: border-box; }
  table.labelers td, table.labelers th { text-align: right; }
  table.labelers td:first-child, table.labelers th:first-child { text-align: left; }
`;
