// The keymap of <label-queue>: one table from key to command, in the order keys are tried — the
// shape of <label-canvas>'s keymap. Region projects take only the task keys (Enter, S, V); the
// canvas has its own keys for the shapes.
import type { KeyPress } from '../label-canvas/keymap.js';
import { labelForKey } from '../label-keys.js';
import type { GridSelection } from './grid.js';
import { GRID_SIZES, type QueueView } from './views.js';

export type QueueCommand = 'submit' | 'select-all' | 'label' | 'skip' | 'review' | 'clear' | 'toggle' | 'move' | 'grid';

export interface QueueKeyBinding {
  readonly command: QueueCommand;
  /** The keys as people read them. */
  readonly keys: string;
  readonly description: string;
  readonly match: (k: KeyPress) => boolean;
  /** Classification grids only. */
  readonly grid?: boolean;
}

const plain =
  (...keys: string[]) =>
  (k: KeyPress) =>
    !k.mod && keys.includes(k.key);

export const QUEUE_KEYMAP: readonly QueueKeyBinding[] = [
  { command: 'submit', keys: 'Enter', description: 'Submit the task', match: plain('Enter') },
  { command: 'select-all', keys: 'Ctrl+A', description: 'Select all images', match: (k) => k.mod && k.key === 'a', grid: true },
  { command: 'label', keys: '1–9, 0', description: 'Tag the selection (or the focused image) with a label', match: (k) => !k.mod && /^[0-9]$/.test(k.key), grid: true },
  { command: 'skip', keys: 'S', description: 'Skip the selected images (or the task)', match: plain('s') },
  { command: 'review', keys: 'V', description: 'Mark the task for review', match: plain('v') },
  { command: 'select-all', keys: 'A', description: 'Select all images', match: plain('a'), grid: true },
  { command: 'clear', keys: 'Esc', description: 'Clear the selection', match: plain('Escape'), grid: true },
  { command: 'toggle', keys: 'Space', description: 'Select the focused image', match: plain(' '), grid: true },
  { command: 'move', keys: 'Arrows', description: 'Move the focus', match: plain('ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'), grid: true },
  { command: 'grid', keys: 'G', description: 'Images per task: 1, 4, 6, 9', match: plain('g'), grid: true },
];

/** The binding a key press runs, if any. */
export function queueBinding(k: KeyPress, classification: boolean): QueueKeyBinding | undefined {
  return QUEUE_KEYMAP.find((b) => (classification || !b.grid) && b.match(k));
}

/** Carries out a command of the keymap on the queue (through its view's actions) and its grid. */
export function runQueueKey(command: QueueCommand, key: string, v: QueueView, grid: GridSelection): void {
  switch (command) {
    case 'submit':
      return v.submit();
    case 'skip':
      return v.skip();
    case 'review':
      return v.setReview(!v.needsReview);
    case 'select-all':
      return grid.selectAll();
    case 'clear':
      grid.selected = new Set();
      return;
    case 'label': {
      const l = labelForKey(v.labels, key);
      return l && v.applyLabel(l.id);
    }
    case 'toggle':
      return grid.toggleFocused();
    case 'move':
      return grid.move(key);
    case 'grid':
      return v.setGrid(GRID_SIZES[(GRID_SIZES.indexOf(v.gridSize) + 1) % GRID_SIZES.length]!);
  }
}
