// The keymap of <label-canvas>: one table from key to command, in the order keys are tried. The
// element runs the command; the shortcut help and the tool rail read the same table, so what they
// show is what the keys do. `offer` says whether the project kind and mode take a command at all
// (a box project is never offered P or U); `when` whether it applies right now.
import type { ShapeKind } from './label-canvas.component.js';

export type CommandId =
  | 'undo'
  | 'redo'
  | 'select-all'
  | 'escape'
  | 'space'
  | 'finish-polygon'
  | 'accept'
  | 'remove-point'
  | 'delete-all'
  | 'delete'
  | 'label'
  | 'nudge'
  | 'box'
  | 'polygon'
  | 'edit'
  | 'lock'
  | 'template'
  | 'vertex'
  | 'zoom-in'
  | 'zoom-out'
  | 'fit'
  | 'next-frame'
  | 'prev-frame'
  | 'reject'
  | 'actual-size'
  | 'help';

/** What the keymap needs to know of the canvas at the moment a key is pressed. */
export interface KeyState {
  readonly mode: 'classify' | 'box' | 'polygon' | 'view';
  readonly frozen: boolean;
  readonly shapes: readonly ShapeKind[];
  readonly drafting: boolean;
  /** Some of the selection are prelabels; all of them are. */
  readonly somePrelabels: boolean;
  readonly allPrelabels: boolean;
  readonly frame: number;
  readonly frames: number;
  /** A label answers to this digit. */
  readonly labelFor: (digit: string) => boolean;
}

/** A key press, normalized: single characters lower-cased. */
export interface KeyPress {
  readonly key: string;
  readonly mod: boolean;
  readonly shift: boolean;
}

export interface KeyBinding {
  readonly command: CommandId;
  /** The keys as people read them, for the help and tooltips. */
  readonly keys: string;
  readonly description: string;
  readonly match: (k: KeyPress) => boolean;
  /** Does this project kind / mode take the command? (Shown in the help only when true.) */
  readonly offer?: (s: KeyState) => boolean;
  /** Does it apply now? */
  readonly when?: (s: KeyState) => boolean;
}

const plain =
  (...keys: string[]) =>
  (k: KeyPress) =>
    !k.mod && keys.includes(k.key);
const regions = (s: KeyState) => s.mode !== 'classify';
const drawsBoxes = (s: KeyState) => regions(s) && s.shapes.includes('box');
const drawsPolygons = (s: KeyState) => regions(s) && s.shapes.includes('polygon');

export const KEYMAP: readonly KeyBinding[] = [
  { command: 'redo', keys: 'Ctrl+Shift+Z', description: 'Redo', match: (k) => k.mod && k.shift && k.key === 'z' },
  { command: 'undo', keys: 'Ctrl+Z', description: 'Undo', match: (k) => k.mod && !k.shift && k.key === 'z' },
  { command: 'redo', keys: 'Ctrl+Y', description: 'Redo', match: (k) => k.mod && k.key === 'y' },
  { command: 'select-all', keys: 'Ctrl+A', description: 'Select every region', match: (k) => k.mod && k.key === 'a' },
  { command: 'escape', keys: 'Esc', description: 'Cancel the shape in progress, else clear the selection', match: plain('Escape') },
  { command: 'space', keys: 'Space+drag', description: 'Pan', match: plain(' ') },
  { command: 'finish-polygon', keys: 'Enter', description: 'Close the polygon in progress', match: plain('Enter'), offer: drawsPolygons, when: (s) => s.drafting },
  { command: 'accept', keys: 'Enter', description: 'Accept the selected prelabels', match: plain('Enter'), when: (s) => s.allPrelabels },
  {
    command: 'remove-point',
    keys: 'Backspace',
    description: 'Remove the last point of the polygon in progress',
    match: plain('Backspace'),
    offer: drawsPolygons,
    when: (s) => s.drafting,
  },
  {
    command: 'delete-all',
    keys: 'Shift+Delete',
    description: 'Delete every region',
    match: (k) => !k.mod && k.shift && (k.key === 'Delete' || k.key === 'Backspace'),
    offer: (s) => !s.frozen,
  },
  { command: 'delete', keys: 'Delete', description: 'Delete the selection (reject selected prelabels)', match: plain('Delete', 'Backspace'), offer: (s) => !s.frozen },
  {
    command: 'label',
    keys: '1–9, 0',
    description: 'Label of the selection; with nothing selected (or right after drawing), the label of the next shape',
    match: (k) => !k.mod && /^[0-9]$/.test(k.key),
  },
  { command: 'nudge', keys: 'Arrows', description: 'Nudge the selection 1 px (Shift: 10 px); with nothing selected, pan', match: (k) => !k.mod && k.key.startsWith('Arrow') },
  { command: 'box', keys: 'R', description: 'Rectangle (box) tool', match: plain('r'), offer: drawsBoxes },
  { command: 'polygon', keys: 'P', description: 'Polygon tool', match: plain('p'), offer: drawsPolygons },
  { command: 'edit', keys: 'M', description: 'Select / move tool', match: plain('m') },
  { command: 'lock', keys: 'L', description: 'Lock / unlock existing regions', match: plain('l'), offer: regions },
  { command: 'template', keys: 'T', description: 'Template box: the size of the last box, at the pointer', match: plain('t'), offer: (s) => drawsBoxes(s) && !s.frozen },
  { command: 'vertex', keys: 'U', description: 'Point editing: click an edge to add a point, a vertex to remove it', match: plain('u'), offer: drawsPolygons },
  { command: 'zoom-in', keys: '+', description: 'Zoom in', match: plain('+', '=') },
  { command: 'zoom-out', keys: '−', description: 'Zoom out', match: plain('-', '_') },
  { command: 'actual-size', keys: '', description: 'Actual size (1:1, one image pixel per screen pixel)', match: () => false, offer: () => false },
  { command: 'fit', keys: '0 / F', description: 'Fit the image (0 picks the tenth label when there is one)', match: plain('0', 'f') },
  { command: 'next-frame', keys: 'Page Down', description: 'Next page or frame', match: plain('PageDown'), offer: (s) => s.frames > 1, when: (s) => s.frame < s.frames - 1 },
  { command: 'prev-frame', keys: 'Page Up', description: 'Previous page or frame', match: plain('PageUp'), offer: (s) => s.frames > 1, when: (s) => s.frame > 0 },
  { command: 'accept', keys: 'A', description: 'Accept the selected prelabels', match: plain('a'), when: (s) => s.somePrelabels },
  { command: 'help', keys: '?', description: 'Show or hide this list of keys', match: (k) => !k.mod && k.key === '?' },
  { command: 'reject', keys: 'X', description: 'Reject the selected prelabels', match: plain('x'), when: (s) => s.somePrelabels },
];

/** The binding a key press runs now, if any (the first in table order that matches and applies). */
export function bindingFor(k: KeyPress, s: KeyState): KeyBinding | undefined {
  return KEYMAP.find((b) => b.match(k) && (b.offer?.(s) ?? true) && (b.when?.(s) ?? true) && (b.command !== 'label' || s.labelFor(k.key)));
}

/** The order the shortcut help lists commands in: tools, labels, editing, the view, history. */
const HELP_ORDER: readonly CommandId[] = [
  'box',
  'polygon',
  'edit',
  'vertex',
  'template',
  'lock',
  'label',
  'finish-polygon',
  'remove-point',
  'escape',
  'accept',
  'reject',
  'nudge',
  'delete',
  'delete-all',
  'select-all',
  'zoom-in',
  'zoom-out',
  'fit',
  'space',
  'next-frame',
  'prev-frame',
  'undo',
  'redo',
  'help',
];

/** The bindings this kind and mode offer, for the shortcut help (one line per command and keys). */
export function offeredBindings(s: KeyState): KeyBinding[] {
  const seen = new Set<string>();
  return KEYMAP.filter((b) => {
    const id = `${b.command}:${b.keys}`;
    if (seen.has(id) || !(b.offer?.(s) ?? true)) return false;
    seen.add(id);
    return true;
  }).sort((a, b) => HELP_ORDER.indexOf(a.command) - HELP_ORDER.indexOf(b.command));
}

/** The keys shown for a command (the first binding offered), e.g. for a tool rail tooltip. */
export function keysOf(command: CommandId): string {
  return KEYMAP.find((b) => b.command === command)?.keys ?? '';
}
