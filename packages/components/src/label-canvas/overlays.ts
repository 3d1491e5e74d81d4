// The HTML drawn over the canvas of <label-canvas>: class tags, prelabel actions and bar, the media
// bar (window presets, frames), the tool state (U) and hints. Template functions, no state.
import { html, nothing } from 'lit';
import type { CanvasInternals } from './internals.js';
import type { IdentifiedAnnotation } from '../events.js';
import { styleProps } from '../directives/style-props.js';
import type { LoadedImage, Window, WindowPresetLike } from './image-input.js';
import { bounds, union, type Rect } from './geometry.js';
import type { CanvasModel } from './model.js';
import type { Viewport } from './viewport.js';

/** Where the accept/reject buttons of selected prelabels go (screen px), or null when the selection is not all prelabels or the view moves. */
export function prelabelActionsAt(ids: readonly string[], m: CanvasModel, vp: Viewport): [number, number] | null {
  if (!ids.length || vp.moving || !ids.every((id) => m.isPrelabel(id))) return null;
  let b: Rect | null = null;
  for (const id of ids) b = union(b, bounds(m.get(id)!));
  if (!b) return null;
  const [x, y] = vp.toScreen(b.x, b.y);
  return [Math.max(0, Math.min(vp.vw - 160, x)), Math.max(34, y)];
}

interface Labels {
  colorOf(label: string): string;
  nameOf(label: string): string;
}

/** Class tags (classification), prelabel tags dashed with their confidence. */
export function renderTags(tags: readonly IdentifiedAnnotation[], preTags: readonly IdentifiedAnnotation[], l: Labels) {
  if (!tags.length && !preTags.length) return nothing;
  return html`<div part="tags" class="tags">
    ${tags.map((t) => html`<span part="tag" class="tag" ${styleProps({ '--tag-color': l.colorOf(t.label) })}>${l.nameOf(t.label)}</span>`)}
    ${preTags.map(
      (t) =>
        html`<span part="tag prelabel" class="tag" ${styleProps({ '--tag-color': l.colorOf(t.label), 'border-left-style': 'dashed' })}
          >${l.nameOf(t.label)}${t.confidence !== undefined ? ` ${Math.round(t.confidence * 100)}%` : ''}?</span
        >`,
    )}
  </div>`;
}

/** Accept / reject beside the selected prelabels, and "Accept all / Reject all" while there are any. */
export function renderPrelabelActions(at: readonly [number, number] | null, count: number, accept: (all: boolean) => void, reject: (all: boolean) => void) {
  return html`${
    at
      ? html`<div part="prelabel-actions" class="actions" ${styleProps({ left: `${at[0]}px`, top: `${at[1]}px` })}>
        <button part="button" @click=${() => accept(false)} title="Accept (Enter)">✓ Accept</button>
        <button part="button" @click=${() => reject(false)} title="Reject (Delete)">✗ Reject</button>
      </div>`
      : nothing
  }
  ${
    count
      ? html`<div part="prelabel-bar" class="bar">
        <span>${count} prelabel${count === 1 ? '' : 's'}</span>
        <button part="button" @click=${() => accept(true)}>Accept all</button>
        <button part="button" @click=${() => reject(true)}>Reject all</button>
      </div>`
      : nothing
  }`;
}

/** Window presets (DICOM, > 8-bit grey) and frame switching (multi-page TIFF, multi-frame DICOM). */
export function renderMediaBar(
  img: LoadedImage | null,
  presets: readonly WindowPresetLike[],
  w: Window | undefined,
  frame: number,
  applyPreset: (id: string) => void,
  setFrame: (f: number) => void,
) {
  if (!img || (img.frames < 2 && !presets.length)) return nothing;
  const current = w && presets.find((p) => p.window.center === w.center && p.window.width === w.width);
  return html`<div part="media-bar" class="bar media">
    ${
      presets.length
        ? html`<select part="presets" aria-label="Window preset" @change=${(e: Event) => applyPreset((e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!current} disabled>${w ? `W ${Math.round(w.width)} / L ${Math.round(w.center)}` : 'Window'}</option>
          ${presets.map((p) => html`<option value=${p.id} ?selected=${current === p}>${p.label}</option>`)}
        </select>`
        : nothing
    }
    ${
      img.frames > 1
        ? html`<button part="button" aria-label="Previous frame (Page Up)" ?disabled=${frame <= 0} @click=${() => setFrame(Math.max(0, frame - 1))}>‹</button>
          <span>${frame + 1} / ${img.frames}</span>
          <button part="button" aria-label="Next frame (Page Down)" ?disabled=${frame >= img.frames - 1} @click=${() => setFrame(Math.min(img.frames - 1, frame + 1))}>›</button>`
        : nothing
    }
  </div>`;
}

/** Point editing (U) on, and a hint such as a polygon that needs more points. */
export function renderToolState(vertexEdit: boolean, hint: string) {
  return html`${
    vertexEdit
      ? html`<div part="tool-state" class="tool-state">Point editing <kbd>U</kbd>: click an edge of the selected polygon to add a point, a vertex to remove it</div>`
      : nothing
  }
  ${hint ? html`<div part="hint" class="hint">${hint}</div>` : nothing}`;
}

/** What the live region says about the selection. */
export function describeSelection(
  sel: readonly (IdentifiedAnnotation | undefined)[],
  drafting: boolean,
  isPrelabel: (id: string) => boolean,
  nameOf: (l: string) => string,
): string {
  if (!sel.length) return drafting ? 'Drawing a polygon' : 'No selection';
  if (sel.length > 1) return `${sel.length} shapes selected`;
  const a = sel[0];
  if (!a) return 'No selection';
  const pre = isPrelabel(a.id) ? 'Prelabel ' : 'Selected ';
  const conf = a.confidence !== undefined ? `, confidence ${Math.round(a.confidence * 100)} %` : '';
  const name = nameOf(a.label);
  if (a.kind === 'box') return `${pre}box ${name} at ${Math.round(a.x)}, ${Math.round(a.y)}, ${Math.round(a.w)} by ${Math.round(a.h)} pixels${conf}`;
  if (a.kind === 'polygon') return `${pre}polygon ${name} with ${a.points.length / 2} points${conf}`;
  return `${pre}tag ${name}${conf}`;
}

/** Everything drawn over the canvas but the rail, the region list and the help. */
export function renderOverlays(c: CanvasInternals, ui: { hint: string; actionsAt: readonly [number, number] | null; helpOpen: boolean }) {
  const { el, model: m, loader } = c;
  const classify = el.mode === 'classify';
  const state = loader.state;
  const message = state === 'loading' ? 'Loading image…' : state === 'error' ? loader.error : state === 'empty' ? 'No image' : '';
  const labels = { colorOf: (l: string) => c.colorOf(l), nameOf: (l: string) => c.nameOf(l) };
  const live =
    ui.hint ||
    describeSelection(
      c.selection.map((id) => m.get(id)),
      !!c.input.draft,
      (id) => m.isPrelabel(id),
      labels.nameOf,
    );
  return html`${renderTags(classify ? m.items.filter((a) => a.kind === 'class') : [], classify ? m.prelabels.filter((a) => a.kind === 'class') : [], labels)}
    ${renderPrelabelActions(
      c.frozen ? null : ui.actionsAt,
      c.frozen ? 0 : m.prelabels.length,
      (all) => el.acceptPrelabels(all ? undefined : c.selection),
      (all) => el.rejectPrelabels(all ? undefined : c.selection),
    )}
    ${renderMediaBar(
      state === 'ready' ? loader.loaded : null,
      loader.presets,
      el.window,
      el.frame,
      (id) => el.applyPreset(id),
      (f) => (el.frame = f),
    )}
    ${message ? html`<div part="message" class="message">${message}</div>` : nothing}
    ${renderToolState(el.vertexEdit && !c.frozen && !classify, ui.hint)}
    <div part="status" class="sr-only" role="status" aria-live="polite">${live}</div>`;
}
