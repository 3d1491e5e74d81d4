// The shortcut help of <label-canvas> (part `help`): the live keymap for this project kind and mode,
// read from keymap.ts — what is listed is what the keys do. Opened with ? or the rail's ? button;
// Esc or the close button closes it.
import { html, nothing } from 'lit';
import { offeredBindings, type KeyState } from './keymap.js';

export function renderShortcutHelp(open: boolean, s: KeyState, close: () => void) {
  if (!open) return nothing;
  const rows = offeredBindings(s);
  return html`<div part="help" class="help" role="dialog" aria-label="Keyboard shortcuts">
    <div class="help-head">
      <strong>Keyboard shortcuts</strong>
      <button part="button" class="help-close" aria-label="Close keyboard shortcuts (Esc)" title="Close (Esc)" @click=${close}>✕</button>
    </div>
    <dl class="help-keys">
      ${rows.map((b) => html`<div class="help-row" data-command=${b.command}><dt><kbd>${b.keys}</kbd></dt><dd>${b.description}</dd></div>`)}
      ${
        s.mode !== 'classify' && s.mode !== 'view' && !s.frozen
          ? html`<div class="help-row"><dt><kbd>Drag</kbd></dt><dd>${s.mode === 'polygon' ? 'Click to add points; close on the first point, Enter or double-click' : 'Draw a box (a click selects)'}</dd></div>`
          : nothing
      }
      <div class="help-row"><dt><kbd>Wheel</kbd></dt><dd>Zoom around the pointer (two fingers on touch: pinch and pan)</dd></div>
    </dl>
  </div>`;
}
