import { css } from 'lit';

/** `<label-queue>`'s own rules; its tokens and host rules are `hostStyles('queue')` (styles/controls.styles.ts). */
export const styles = css`
  :host {
    /* Tiles fit the screen: as large as the rows leave room for (with the header, palette and
       actions: --label-queue-chrome-height), at least 140px, at most --label-queue-tile-size. */
    --_tile-max: var(--label-queue-tile-size, 480px);
    --_chrome: var(--label-queue-chrome-height, 290px);
  }
  /* The task the tab held, shown before the project is open (hint.ts): laid out as the real one. */
  .preview {
    display: contents;
  }

  header {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 8px 4px;
    flex-wrap: wrap;
  }
  .name { font-size: 15px; }
  .lane {
    text-transform: capitalize;
    font-size: 12px;
    padding: 2px 8px;
    border-radius: 999px;
    background: var(--_sunken);
    border: 1px solid var(--_border);
  }
  .lane-prelabeled { background: #fff4d6; border-color: #e0b84c; }
  .lane-clustered { background: #e6f2ff; border-color: #78a9e0; }
  .counts, .hint, .draft { color: var(--_muted); font-size: 12px; }
  .draft.saved::before { content: '✓ '; }
  button[aria-pressed='true'] { border-color: var(--_accent); box-shadow: inset 0 0 0 1px var(--_accent); }
  .tile:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  kbd {
    font: 11px ui-monospace, monospace;
    border: 1px solid var(--_border);
    border-bottom-width: 2px;
    border-radius: 4px;
    padding: 0 4px;
    margin: 0 4px;
    color: var(--_muted);
    background: var(--_surface);
  }
  .primary kbd { color: #fff; background: transparent; border-color: rgba(255, 255, 255, 0.6); }
  .grid-pick { display: inline-flex; gap: 2px; }
  .grid-pick .size { padding: 2px 8px; }
  /* The size chosen is filled (not just outlined, which read as focus); the current task's is underlined. */
  .grid-pick .size[aria-pressed='true'] { background: var(--_accent); color: #fff; }
  .grid-pick .size.current { text-decoration: underline 2px; text-underline-offset: 3px; }
  .grid-hint { font-size: 12px; color: var(--_muted); font-style: italic; }
  .label.in-selection { background: color-mix(in srgb, var(--c) 18%, var(--_surface)); }
  .label.in-selection::after { content: '●' / ''; color: var(--c); margin-left: 4px; }
  .palette-state { align-self: center; font-size: 12px; color: var(--_muted); }
  .instructions { margin: 4px 0 8px; border: 1px solid var(--_border); border-radius: 6px; padding: 6px 10px; }
  .instructions summary { cursor: pointer; font-weight: 600; }
  .md :first-child { margin-top: 4px; }
  .md :last-child { margin-bottom: 0; }
  .palette { display: flex; gap: 6px; flex-wrap: wrap; margin: 6px 0 10px; }
  .label { border-left: 6px solid var(--c); }
  .message { padding: 24px; text-align: center; color: var(--_muted); }
  .message.error { color: #b42318; background: #fef3f2; padding: 8px; border-radius: 6px; text-align: left; }
  .grid { display: grid; gap: 8px; justify-content: start; }
  .grid { --_rows: 1; --_edge: max(140px, min(var(--_tile-max), calc((100dvh - var(--_chrome)) / var(--_rows)))); }
  .grid.rows-2 { --_rows: 2; }
  .grid.rows-3 { --_rows: 3; }
  .grid.cols-1 { grid-template-columns: minmax(0, max(140px, min(calc(var(--_tile-max) * 1.5), calc(100dvh - var(--_chrome))))); }
  .grid.cols-2 { grid-template-columns: repeat(2, minmax(0, var(--_edge))); }
  .grid.cols-3 { grid-template-columns: repeat(3, minmax(0, var(--_edge))); }
  .tile {
    position: relative;
    aspect-ratio: 1;
    background: var(--_sunken);
    border: 2px solid var(--_border);
    border-radius: 8px;
    overflow: hidden;
    cursor: pointer;
    outline: none;
  }
  .tile.focused { border-color: var(--_muted); }
  .tile.selected { border-color: var(--_accent); box-shadow: 0 0 0 3px color-mix(in srgb, var(--_accent) 35%, transparent); }
  .tile img { width: 100%; height: 100%; object-fit: contain; image-rendering: pixelated; display: block; }
  .tile .loading { position: absolute; inset: 0; display: grid; place-items: center; }
  .tile .check {
    position: absolute; top: 6px; left: 6px; width: 18px; height: 18px; box-sizing: border-box;
    display: grid; place-items: center; font-size: 13px; line-height: 1; color: #fff;
    border: 2px solid var(--_muted); border-radius: 4px; background: var(--_surface);
  }
  .tile .check.on { background: var(--_accent); border-color: var(--_accent); }
  .tags { position: absolute; left: 4px; right: 4px; bottom: 4px; display: flex; flex-wrap: wrap; gap: 4px; }
  .tag {
    background: var(--c);
    color: #fff;
    font-size: 12px;
    font-weight: 600;
    padding: 2px 8px;
    border-radius: 999px;
    text-shadow: 0 1px 1px rgba(0, 0, 0, 0.4);
  }
  .tag.suggested { background: rgba(17, 24, 39, 0.72); border: 2px dashed var(--c); padding: 0 7px; }
  .tag.suggested::after { content: ' ?'; opacity: 0.8; }
  label-canvas { height: var(--label-queue-canvas-height, max(240px, min(460px, calc(100dvh - var(--_chrome))))); border-radius: 8px; }
  .actions { display: flex; align-items: center; gap: 8px; padding: 10px 0 4px; flex-wrap: wrap; }
  /* Submit stays in view: under a grid the actions stick to the bottom of the screen while the tiles
     scroll; a region task's canvas is sized to leave them room instead (nothing may cover the image). */
  .actions.sticky { position: sticky; bottom: 0; background: var(--_surface); z-index: 1; }
  /* Keyboard hints mean nothing on touch. */
  @media (pointer: coarse) { .hint, kbd { display: none; } }
  .review { display: inline-flex; align-items: center; gap: 4px; color: var(--_muted); }
`;
