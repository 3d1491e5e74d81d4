// The tool rail of <label-canvas> (part `rail`, role=toolbar): the tools the project kind takes,
// zoom, undo/redo, delete, window/level presets and the shortcut help. Every button names its key
// in its tooltip and accessible name, read from the keymap, so the rail says what the keys do.
// Arrow keys move between buttons (one tab stop), as a toolbar should.
import { css, html, nothing, svg, type SVGTemplateResult, type TemplateResult } from 'lit';
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

/** Line icons (20 × 20, currentColor): a font may lack a symbol, an SVG path never does. */
const ICONS: Record<string, SVGTemplateResult> = {
  edit: svg`<path d="M5 3l10 7-4.5 1 2.5 5-2 1-2.5-5L5 15z"/>`,
  box: svg`<rect x="3.5" y="5" width="13" height="10" rx="1"/>`,
  polygon: svg`<path d="M10 3l7 5-2.7 8H5.7L3 8z"/>`,
  vertex: svg`<path d="M4 15L10 4l6 11z"/><circle cx="4" cy="15" r="1.8"/><circle cx="10" cy="4" r="1.8"/><circle cx="16" cy="15" r="1.8"/>`,
  template: svg`<rect x="3" y="3" width="9" height="7" rx="1"/><rect x="8" y="10" width="9" height="7" rx="1" stroke-dasharray="2 1.5"/>`,
  lock: svg`<rect x="4.5" y="9" width="11" height="8" rx="1.5"/><path d="M7 9V6.5a3 3 0 016 0V9"/>`,
  'zoom-in': svg`<circle cx="8.5" cy="8.5" r="5"/><path d="M12.2 12.2L17 17M6 8.5h5M8.5 6v5"/>`,
  'zoom-out': svg`<circle cx="8.5" cy="8.5" r="5"/><path d="M12.2 12.2L17 17M6 8.5h5"/>`,
  fit: svg`<path d="M3 7V3h4M13 3h4v4M17 13v4h-4M7 17H3v-4"/>`,
  'actual-size': svg`<text x="10" y="14" text-anchor="middle" font-size="9" font-weight="700" fill="currentColor" stroke="none">1:1</text>`,
  undo: svg`<path d="M7 5L3 9l4 4"/><path d="M3 9h9a4.5 4.5 0 010 9H9"/>`,
  redo: svg`<path d="M13 5l4 4-4 4"/><path d="M17 9H8a4.5 4.5 0 000 9h3"/>`,
  delete: svg`<path d="M7 4h10v12H7L2 10z"/><path d="M10 8l4 4M14 8l-4 4"/>`,
  'delete-all': svg`<path d="M4 6h12M8 6V4h4v2M5.5 6l1 11h7l1-11M8.5 9v5M11.5 9v5"/>`,
  help: svg`<path d="M7.2 7.5a2.9 2.9 0 115 2c-1.2.9-2.2 1.4-2.2 3"/><circle cx="10" cy="16" r=".9" fill="currentColor"/>`,
};
const icon = (command: string) =>
  html`<svg class="icon" viewBox="0 0 20 20" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${ICONS[command]}</svg>`;

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
    mode: c.el.mode,
    tool: c.el.tool,
    shapes: c.el.shapes,
    frozen: c.frozen,
    locked: c.el.locked,
    vertexEdit: c.el.vertexEdit,
    canUndo: el.canUndo,
    canRedo: el.canRedo,
    hasSelection: c.selection.length > 0,
    hasRegions: c.model.items.length > 0,
    presets: el.presets,
    window: el.window,
    collapsed: c.railCollapsed,
    helpOpen: c.helpOpen,
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
    >${ICONS[t.command] ? icon(t.command) : html`<span aria-hidden="true">${t.icon}</span>`}</button>`;
  };
  const groups = s.collapsed ? [] : railTools(s);
  let first = true;
  return html`<div part="rail" class="rail ${s.collapsed ? 'collapsed' : ''}" role="toolbar" aria-label="Tools" aria-orientation="vertical" @keydown=${onRailKey}>
    <button part="rail-button button" class="rail-button rail-toggle" title=${s.collapsed ? 'Show tools' : 'Hide tools'} aria-label=${s.collapsed ? 'Show tools' : 'Hide tools'} aria-expanded=${String(!s.collapsed)} tabindex=${s.collapsed ? 0 : -1} @click=${a.toggleCollapsed}>
      <span aria-hidden="true">${s.collapsed ? '»' : '«'}</span>
    </button>
    ${groups.map(
      (g) =>
        html`<div class="rail-group" role="group">${g.map((t) => {
          const b = button(t, first && !t.disabled);
          if (!t.disabled) first = false;
          return b;
        })}</div>`,
    )}
    ${
      !s.collapsed && s.presets.length && !s.frozen
        ? html`<div class="rail-group" role="group" aria-label="Window presets">
          ${s.presets.slice(0, 4).map(
            (p) => html`<button part="rail-button button" class="rail-button preset" title=${`Window: ${p.label}`} aria-label=${`Window: ${p.label}`} tabindex="-1"
              aria-pressed=${String(!!s.window && s.window.center === p.window.center && s.window.width === p.window.width)} @click=${() => a.preset(p.id)}>W${s.presets.indexOf(p) + 1}</button>`,
          )}
        </div>`
        : nothing
    }
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
  buttons[next]!.tabIndex = 0;
  buttons[next]!.focus();
  e.preventDefault();
  e.stopPropagation();
}

/**
 * The rail's own styles, adopted by the canvas's shadow root when the rail first loads: pages that
 * never show a rail (classification, a bare canvas) do not carry them.
 */
export const toolRailStyles = css`
  /* Tool rail: a floating vertical toolbar, at the start or end edge. */
  .rail {
    position: absolute;
    top: 8px;
    left: 8px;
    display: flex;
    flex-direction: column;
    gap: 6px;
    padding: 4px;
    border-radius: 8px;
    background: var(--label-canvas-rail-background, var(--_chip-background));
    color: var(--_chip-color);
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.4);
    max-height: calc(100% - 16px);
    overflow-y: auto;
    z-index: 2;
  }
  :host([rail='end']) .rail {
    left: auto;
    right: 8px;
  }
  :host([rail='end'][region-list]) .rail {
    right: calc(var(--label-canvas-regions-width, 260px) + 16px);
  }
  .rail-group {
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .rail-group + .rail-group {
    border-top: 1px solid rgb(0 0 0 / 0.15);
    padding-top: 6px;
  }
  .rail-button {
    width: var(--label-canvas-rail-button-size, 32px);
    height: var(--label-canvas-rail-button-size, 32px);
    padding: 0;
    display: grid;
    place-items: center;
    font-size: 15px;
    border-color: transparent;
    background: transparent;
  }
  .rail-button:hover:not([disabled]) {
    background: rgb(0 0 0 / 0.08);
  }
  .rail-button[aria-pressed='true'] {
    background: var(--_selection-color);
    color: var(--_text-color);
  }
  .rail-button[disabled] {
    opacity: 0.4;
    cursor: default;
  }
  .rail-button .icon {
    width: 20px;
    height: 20px;
  }
  /* A short canvas: each group of the rail takes two columns, so every tool stays in view. */
  @container (max-height: 620px) {
    .rail-group:not(.rail-toggle-group) {
      display: grid;
      grid-template-columns: repeat(2, var(--label-canvas-rail-button-size, 32px));
    }
  }
  .rail-button.preset {
    font-size: 11px;
    font-weight: 600;
  }
`;
