// The tool rail of <label-canvas> (part `rail`, role=toolbar): the tools the project kind takes,
// zoom, undo/redo, delete, window/level presets and the shortcut help. Every button names its key
// in its tooltip and accessible name, read from the keymap, so the rail says what the keys do.
// Arrow keys move between buttons (one tab stop), as a toolbar should.
import { html, nothing, type TemplateResult } from 'lit';
import type { CanvasMode, CanvasTool, LabelCanvas, ShapeKind } from './label-canvas.component.js';
import type { CanvasInternals } from './internals.js';
import { runCommand } from './commands.js';
import type { WindowPresetLike, Window } from './image-input.js';
import { keysOf, type CommandId } from './keymap.js';

export interface RailState {
  readonly mode: CanvasMode;
  readonly tool: CanvasTool;
  readonly shapes: readonly ShapeKind[];
  readonly frozen: boolean;
  readonly locked: boolean;
  readonly vertexEdit: boolean;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  readonly hasSelection: boolean;
  readonly hasRegions: boolean;
  readonly presets: readonly WindowPresetLike[];
  readonly window: Window | undefined;
  readonly collapsed: boolean;
  readonly helpOpen: boolean;
}

export interface RailActions {
  run(command: CommandId): void;
  preset(id: string): void;
  toggleCollapsed(): void;
}

interface Tool {
  readonly command: CommandId | 'help';
  readonly name: string;
  readonly icon: string;
  readonly pressed?: boolean;
  readonly disabled?: boolean;
}

/** The tools this state offers, in groups. */
export function railTools(s: RailState): Tool[][] {
  const regions = s.mode !== 'classify';
  const edit = regions && !s.frozen;
  const box = edit && s.shapes.includes('box');
  const polygon = edit && s.shapes.includes('polygon');
  const drawing = s.tool === 'draw';
  const groups: Tool[][] = [
    [
      ...(regions ? [{ command: 'edit' as const, name: 'Select and move', icon: '↖', pressed: !drawing || s.frozen }] : []),
      ...(box ? [{ command: 'box' as const, name: 'Box', icon: '▭', pressed: drawing && s.mode === 'box' }] : []),
      ...(polygon ? [{ command: 'polygon' as const, name: 'Polygon', icon: '⬠', pressed: drawing && s.mode === 'polygon' }] : []),
      ...(polygon ? [{ command: 'vertex' as const, name: 'Point editing', icon: '⋯', pressed: s.vertexEdit }] : []),
      ...(box ? [{ command: 'template' as const, name: 'Template box', icon: '⧉' }] : []),
      ...(edit ? [{ command: 'lock' as const, name: 'Lock regions', icon: '🔒︎', pressed: s.locked }] : []),
    ],
    [
      { command: 'zoom-in', name: 'Zoom in', icon: '+' },
      { command: 'zoom-out', name: 'Zoom out', icon: '−' },
      { command: 'fit', name: 'Fit', icon: '⤢' },
      { command: 'actual-size', name: 'Actual size 1:1', icon: '1:1' },
    ],
    s.frozen
      ? []
      : [
          { command: 'undo', name: 'Undo', icon: '↶', disabled: !s.canUndo },
          { command: 'redo', name: 'Redo', icon: '↷', disabled: !s.canRedo },
          ...(regions
            ? [
                { command: 'delete' as const, name: 'Delete selection', icon: '⌫', disabled: !s.hasSelection },
                { command: 'delete-all' as const, name: 'Delete all regions', icon: '🗑︎', disabled: !s.hasRegions },
              ]
            : []),
        ],
    [{ command: 'help', name: 'Keyboard shortcuts', icon: '?', pressed: s.helpOpen }],
  ];
  return groups.filter((g) => g.length);
}

/** "Box (R)": the name with its key, for the tooltip and the accessible name. */
export const withKey = (name: string, command: CommandId | 'help') => {
  const keys = command === 'help' ? '?' : keysOf(command);
  return keys ? `${name} (${keys})` : name;
};

/** The rail of an element: its state read from the element and its internals, its buttons running the keymap's commands. */
export function renderToolRail(el: LabelCanvas, c: CanvasInternals): TemplateResult {
  const s: RailState = {
    mode: c.el.mode, tool: c.el.tool, shapes: c.el.shapes, frozen: c.frozen, locked: c.el.locked, vertexEdit: c.el.vertexEdit,
    canUndo: el.canUndo, canRedo: el.canRedo, hasSelection: c.selection.length > 0, hasRegions: c.model.items.length > 0,
    presets: el.presets, window: el.window, collapsed: c.railCollapsed, helpOpen: c.helpOpen,
  };
  return rail(s, { run: (cmd) => runCommand(el, c, cmd), preset: (id) => el.applyPreset(id), toggleCollapsed: () => c.toggleRail() });
}

function rail(s: RailState, a: RailActions): TemplateResult {
  const button = (t: Tool, first: boolean) => {
    const label = withKey(t.name, t.command);
    return html`<button
      part="rail-button button"
      class="rail-button"
      data-command=${t.command}
      title=${label}
      aria-label=${label}
      aria-keyshortcuts=${(t.command === 'help' ? '?' : keysOf(t.command).split(' / ')[0]) || nothing}
      aria-pressed=${t.pressed === undefined ? nothing : String(t.pressed)}
      ?disabled=${t.disabled}
      tabindex=${first ? 0 : -1}
      @click=${() => a.run(t.command as CommandId)}
    ><span aria-hidden="true">${t.icon}</span></button>`;
  };
  const groups = s.collapsed ? [] : railTools(s);
  let first = true;
  return html`<div part="rail" class="rail ${s.collapsed ? 'collapsed' : ''}" role="toolbar" aria-label="Tools" aria-orientation="vertical" @keydown=${onRailKey}>
    <button part="rail-button button" class="rail-button rail-toggle" title=${s.collapsed ? 'Show tools' : 'Hide tools'} aria-label=${s.collapsed ? 'Show tools' : 'Hide tools'} aria-expanded=${String(!s.collapsed)} tabindex=${s.collapsed ? 0 : -1} @click=${a.toggleCollapsed}>
      <span aria-hidden="true">${s.collapsed ? '»' : '«'}</span>
    </button>
    ${groups.map((g) => html`<div class="rail-group" role="group">${g.map((t) => {
      const b = button(t, first && !t.disabled);
      if (!t.disabled) first = false;
      return b;
    })}</div>`)}
    ${!s.collapsed && s.presets.length && !s.frozen
      ? html`<div class="rail-group" role="group" aria-label="Window presets">
          ${s.presets.slice(0, 4).map(
            (p) => html`<button part="rail-button button" class="rail-button preset" title=${`Window: ${p.label}`} aria-label=${`Window: ${p.label}`} tabindex="-1"
              aria-pressed=${String(!!s.window && s.window.center === p.window.center && s.window.width === p.window.width)} @click=${() => a.preset(p.id)}>W${s.presets.indexOf(p) + 1}</button>`,
          )}
        </div>`
      : nothing}
  </div>`;
}

/** Arrow keys move between the rail's buttons; the canvas keys still work (they bubble). */
function onRailKey(e: KeyboardEvent): void {
  if (!['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
  const rail = e.currentTarget as HTMLElement;
  const buttons = [...rail.querySelectorAll<HTMLButtonElement>('button:not([disabled])')];
  const i = buttons.indexOf(e.composedPath()[0] as HTMLButtonElement);
  if (i < 0) return;
  const next = e.key === 'Home' ? 0 : e.key === 'End' ? buttons.length - 1 : (i + (e.key === 'ArrowUp' || e.key === 'ArrowLeft' ? -1 : 1) + buttons.length) % buttons.length;
  for (const b of buttons) b.tabIndex = -1;
  buttons[next].tabIndex = 0;
  buttons[next].focus();
  e.preventDefault();
  e.stopPropagation();
}
