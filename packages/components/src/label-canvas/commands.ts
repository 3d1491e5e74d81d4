// Carrying out the commands of keymap.ts — from a key, or a button of the tool rail.
import { labelForKey } from '../label-keys.js';
import { clampToImage, translate } from './geometry.js';
import type { CanvasInternals } from './internals.js';
import type { CommandId, KeyState } from './keymap.js';
import type { CanvasMode, CanvasTool, LabelCanvas } from './label-canvas.component.js';
import type { Pair } from './model.js';

/** What the keymap needs to know of the canvas now. */
export function keyState(c: CanvasInternals, frame: number): KeyState {
  const sel = c.selection;
  return {
    mode: c.el.mode,
    frozen: c.frozen,
    shapes: c.el.shapes,
    drafting: !!c.input.draft,
    somePrelabels: sel.some((id) => c.model.isPrelabel(id)),
    allPrelabels: sel.length > 0 && sel.every((id) => c.model.isPrelabel(id)),
    frame,
    frames: c.loader.loaded?.frames ?? 1,
    labelFor: (d) => !!labelForKey(c.el.labels, d),
  };
}

export function runCommand(el: LabelCanvas, c: CanvasInternals, command: CommandId, key = '', shift = false): void {
  switch (command) {
    case 'undo':
      return el.undo();
    case 'redo':
      return el.redo();
    case 'select-all':
      return c.setSelection(c.el.locked ? [] : c.model.items.filter((a) => a.kind !== 'class' && !c.hidden.has(a.id)).map((a) => a.id));
    case 'escape':
      if (c.helpOpen) return c.toggleHelp();
      if (!c.input.cancelDraft() && c.selection.length) c.setSelection([]);
      if (el.vertexEdit) {
        el.vertexEdit = false;
        c.toolChanged();
      }
      return;
    case 'space':
      c.input.spaceDown = true;
      return c.input.updateCursor();
    case 'finish-polygon':
      return c.input.finishPolygon();
    case 'accept':
      return el.acceptPrelabels(c.selection);
    case 'reject':
      return el.rejectPrelabels(c.selection);
    case 'remove-point':
      if (!c.input.draft?.removeLast()) c.input.draft = null;
      c.setHint('');
      return c.renderer.edit();
    case 'delete-all':
      return el.deleteAll();
    case 'delete':
      return el.deleteSelected();
    case 'label': {
      const l = labelForKey(c.el.labels, key);
      return l && el.applyLabel(l.id);
    }
    case 'nudge':
      return nudge(c, key, shift ? 10 : 1);
    case 'box':
      return setTool(el, c, 'box', 'draw');
    case 'polygon':
      return setTool(el, c, 'polygon', 'draw');
    case 'edit':
      return setTool(el, c, el.mode, 'edit');
    case 'lock':
      el.locked = !el.locked;
      return c.toolChanged();
    case 'template':
      return c.templateBox();
    case 'vertex':
      el.vertexEdit = !el.vertexEdit;
      return c.toolChanged();
    case 'zoom-in':
      return el.zoomBy(1.25);
    case 'zoom-out':
      return el.zoomBy(0.8);
    case 'fit':
      return el.fit();
    case 'actual-size':
      return c.viewport.setView({ ...c.viewport.center, scale: 1 });
    case 'next-frame':
      el.frame = Math.min((c.loader.loaded?.frames ?? 1) - 1, el.frame + 1);
      return;
    case 'prev-frame':
      el.frame = Math.max(0, el.frame - 1);
      return;
    case 'help':
      return c.toggleHelp();
  }
}

/** R, P, M and the tool rail: switches tool and tells the host. */
function setTool(el: LabelCanvas, c: CanvasInternals, mode: CanvasMode, tool: CanvasTool): void {
  if (el.mode === mode && el.tool === tool) return;
  el.mode = mode;
  el.tool = tool;
  c.toolChanged();
}

/** Arrows: nudge the selection 1 px (Shift: 10 px); with nothing selected, pan. */
function nudge(c: CanvasInternals, key: string, step: number): void {
  const img = c.loader.loaded;
  const sel = c.selection.map((id) => c.model.get(id)!).filter((a) => a && !c.model.isPrelabel(a.id) && a.kind !== 'class');
  const [ux, uy] = key === 'ArrowLeft' ? [-1, 0] : key === 'ArrowRight' ? [1, 0] : key === 'ArrowUp' ? [0, -1] : [0, 1];
  if (!sel.length || c.frozen || !img) return c.viewport.panBy(-ux * 60, -uy * 60);
  c.edit(
    'update',
    sel.map((a) => [a, clampToImage(translate(a, ux * step, uy * step), img.width, img.height)] as Pair),
    [],
    'user',
  );
}
