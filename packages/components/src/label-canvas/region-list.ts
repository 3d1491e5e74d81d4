// The region list of <label-canvas> (part `regions`, role=list): every shape and prelabel with its
// label colour and name — select on click, relabel, hide/show, delete, and a prelabel's confidence
// with accept/reject. Rows are virtualized (only those in view are in the DOM), so 10,000 rows scroll
// as smoothly as 10. Arrow keys, Home and End move between rows; Delete deletes the focused row's shape.
import { css, html, nothing, render as renderInto, type TemplateResult } from 'lit';
import type { LabelClass } from '@labelkit/core';
import type { IdentifiedAnnotation } from '../events.js';
import type { CanvasInternals } from './internals.js';
import { styleProps } from '../directives/style-props.js';

export const ROW_HEIGHT = 34;
const OVERSCAN = 4;

export interface RegionListHost {
  readonly labels: readonly LabelClass[];
  readonly selection: readonly string[];
  readonly hidden: ReadonlySet<string>;
  readonly frozen: boolean;
  colorOf(label: string): string;
  nameOf(label: string): string;
  select(ids: readonly string[]): void;
  relabel(id: string, label: string): void;
  toggleHidden(id: string): void;
  remove(id: string): void;
  accept(id: string): void;
  reject(id: string): void;
  requestUpdate(): void;
}

export class RegionList {
  private scrollTop = 0;
  private height = 320;
  private focus = 0;
  private frame = 0;
  private focusAfterRender = false;
  private revealed: string | undefined;
  /** The rows, computed once per change of the shapes (a render per scrolled frame must not copy 100,000 of them). */
  private cache: { items: readonly unknown[]; prelabels: readonly unknown[]; rows: IdentifiedAnnotation[] } | undefined;
  /** The scroll viewport's height, told by a ResizeObserver (reading it after a render would force a layout). */
  private resize: ResizeObserver | undefined;
  private observed: HTMLElement | undefined;
  /** The rows' container: a scrolled frame renders the rows into it, not the whole element. */
  private rowsEl: HTMLElement | null | undefined;
  private host!: RegionListHost;
  private c!: CanvasInternals;

  /** Reads the element's shapes and edits them through its one edit path. */
  attach(c: CanvasInternals): void {
    const el = c.el;
    this.c = c;
    const one = (id: string) => c.model.get(id);
    this.host = {
      get labels() {
        return c.el.labels;
      },
      get selection() {
        return c.selection;
      },
      get hidden() {
        return c.hidden;
      },
      get frozen() {
        return c.frozen;
      },
      colorOf: (l) => c.colorOf(l),
      nameOf: (l) => c.nameOf(l),
      select: (ids) => c.setSelection(ids),
      relabel: (id, label) => {
        const a = one(id);
        if (a && a.label !== label) c.edit('update', [[a, { ...a, label }]], [], 'user');
      },
      toggleHidden: (id) => {
        const next = new Set(c.hidden);
        if (!next.delete(id)) next.add(id);
        c.setHidden(next);
      },
      remove: (id) => {
        if (c.model.isPrelabel(id)) return el.rejectPrelabels([id]);
        const a = one(id);
        if (a) c.edit('delete', [[a, null]], [], 'user');
      },
      accept: (id) => el.acceptPrelabels([id]),
      reject: (id) => el.rejectPrelabels([id]),
      requestUpdate: () => c.el.requestUpdate(),
    };
  }

  /** The rows: prelabels first (they wait for a decision), then the annotations; tags are not regions. */
  private rows(): IdentifiedAnnotation[] {
    const m = this.c.model;
    const c = this.cache;
    if (c && c.items === m.items && c.prelabels === m.prelabels) return c.rows;
    const rows = [...m.prelabels, ...m.items].filter((a) => a.kind !== 'class');
    this.cache = { items: m.items, prelabels: m.prelabels, rows };
    return rows;
  }

  /**
   * The rows in view, into the rows' container. Row i always goes into slot i mod S (S rows fit the
   * view with the overscan), so a scrolled frame rewrites only the rows that came into view: the
   * others keep their values, and Lit touches no DOM for them (no style, layout or paint).
   */
  private paint(): void {
    const box = this.rowsEl;
    if (!box?.isConnected) return;
    const rows = this.rows();
    const isPrelabel = (id: string) => this.c.model.isPrelabel(id);
    const h = this.host;
    const n = rows.length;
    this.focus = Math.min(this.focus, Math.max(0, n - 1));
    const slots = Math.min(n, Math.ceil(this.height / ROW_HEIGHT) + 2 * OVERSCAN + 1);
    const first = Math.max(0, Math.min(n - slots, Math.floor(this.scrollTop / ROW_HEIGHT) - OVERSCAN));
    const sel = new Set(h.selection);
    const kinds = { box: 'box', polygon: 'polygon', class: 'tag' } as const;
    const row = (a: IdentifiedAnnotation, i: number) => {
      const pre = isPrelabel(a.id);
      const hidden = h.hidden.has(a.id);
      const what = `${pre ? 'prelabel ' : ''}${kinds[a.kind]} ${i + 1}, ${h.nameOf(a.label)}`;
      return html`<div
        part="region${sel.has(a.id) ? ' region-selected' : ''}"
        class="region ${sel.has(a.id) ? 'selected' : ''} ${hidden ? 'hidden' : ''} ${pre ? 'pre' : ''}"
        role="listitem"
        aria-setsize=${n}
        aria-posinset=${i + 1}
        data-id=${a.id}
        ${styleProps({ transform: `translateY(${i * ROW_HEIGHT}px)`, '--c': h.colorOf(a.label) })}
      >
        <button class="region-name" aria-pressed=${String(sel.has(a.id))} tabindex=${i === this.focus ? 0 : -1} data-row=${i}
          @click=${(e: MouseEvent) => ((this.focus = i), h.select(e.shiftKey || e.ctrlKey || e.metaKey ? toggle(h.selection, a.id) : [a.id]))}
          @focus=${() => (this.focus = i)}
        ><span class="swatch" aria-hidden="true"></span><span class="region-text">${kinds[a.kind]} ${i + 1} · ${h.nameOf(a.label)}</span>${
          pre && a.confidence !== undefined ? html`<span class="confidence" title="Confidence">${Math.round(a.confidence * 100)} %</span>` : nothing
        }</button>
        ${
          pre
            ? h.frozen
              ? nothing
              : html`<button class="icon" title="Accept" aria-label=${`Accept ${what}`} tabindex="-1" @click=${() => h.accept(a.id)}>✓</button>
                <button class="icon" title="Reject" aria-label=${`Reject ${what}`} tabindex="-1" @click=${() => h.reject(a.id)}>✗</button>`
            : html`<select aria-label=${`Label of ${what}`} tabindex="-1" ?disabled=${h.frozen} @change=${(e: Event) => h.relabel(a.id, (e.target as HTMLSelectElement).value)}>
                ${h.labels.map((l) => html`<option value=${l.id} ?selected=${l.id === a.label}>${l.name}</option>`)}
              </select>
              <button class="icon" title=${hidden ? 'Show' : 'Hide'} aria-label=${`${hidden ? 'Show' : 'Hide'} ${what}`} aria-pressed=${String(hidden)} tabindex="-1" @click=${() => h.toggleHidden(a.id)}>${hidden ? '◌' : '●'}</button>
              ${h.frozen ? nothing : html`<button class="icon" title="Delete" aria-label=${`Delete ${what}`} tabindex="-1" @click=${() => h.remove(a.id)}>✕</button>`}`
        }
      </div>`;
    };
    renderInto(
      Array.from({ length: slots }, (_, k) => {
        const i = first + ((((k - first) % slots) + slots) % slots);
        return row(rows[i]!, i);
      }),
      box,
    );
  }

  render(): TemplateResult {
    const rows = this.rows();
    const n = rows.length;
    return html`<div part="regions" class="regions">
      <div class="regions-title" aria-hidden="true">Regions <span class="count">${n}</span></div>
      <div class="regions-scroll" @scroll=${this.onScroll} @keydown=${(e: KeyboardEvent) => this.onKey(e, rows)}>
        ${
          n
            ? html`<div class="regions-rows" role="list" aria-label=${`Regions (${n})`} ${styleProps({ height: `${n * ROW_HEIGHT}px` })}></div>`
            : html`<p class="regions-empty">No regions yet.</p>`
        }
      </div>
    </div>`;
  }

  /** After a render: the viewport's height, the focused row's button when keys moved it, and the row of a selection made on the canvas scrolled into view. */
  updated(root: ShadowRoot | null): void {
    const scroll = root?.querySelector<HTMLElement>('.regions-scroll');
    if (!scroll) return;
    const first = this.c.selection[0];
    if (first !== this.revealed) {
      this.revealed = first;
      if (first && !scroll.contains(root!.activeElement))
        this.reveal(
          scroll,
          this.rows().findIndex((a) => a.id === first),
        );
    }
    if (scroll !== this.observed) {
      this.observed = scroll;
      this.resize?.disconnect();
      this.resize = new ResizeObserver(([e]) => {
        const h = e?.contentRect.height;
        if (h && h !== this.height) {
          this.height = h;
          this.host.requestUpdate();
        }
      });
      this.resize.observe(scroll);
    }
    this.rowsEl = scroll.querySelector<HTMLElement>('.regions-rows');
    this.paint();
    if (this.focusAfterRender) {
      this.focusAfterRender = false;
      scroll.querySelector<HTMLElement>(`[data-row="${this.focus}"]`)?.focus({ preventScroll: true });
    }
  }

  /** Scrolls so that row `index` is in view. */
  private reveal(scroll: HTMLElement, index: number): void {
    if (index < 0) return;
    const top = index * ROW_HEIGHT;
    if (top < scroll.scrollTop || top + ROW_HEIGHT > scroll.scrollTop + scroll.clientHeight) {
      scroll.scrollTop = Math.max(0, top - scroll.clientHeight / 2);
      this.scrollTop = scroll.scrollTop; // painted right after, in updated()
    }
  }

  private readonly onScroll = (e: Event): void => {
    this.scrollTop = (e.currentTarget as HTMLElement).scrollTop;
    // One paint of the rows per frame however fast the wheel turns; the element does not render.
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  };

  private onKey(e: KeyboardEvent, rows: readonly IdentifiedAnnotation[]): void {
    const from = e.composedPath()[0];
    if (from instanceof HTMLSelectElement) return e.stopPropagation(); // the select's own keys
    const n = rows.length;
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    let next = this.focus;
    const move = moves[e.key];
    if (move !== undefined) next = Math.max(0, Math.min(n - 1, this.focus + move));
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = n - 1;
    else if ((e.key === 'Delete' || e.key === 'Backspace') && rows[this.focus] && !this.host.frozen) {
      this.host.remove(rows[this.focus]!.id);
      e.preventDefault();
      return e.stopPropagation();
    } else return; // other keys (1–9, 0 relabel the selection; Ctrl+Z) reach the canvas
    e.preventDefault();
    e.stopPropagation();
    this.focus = next;
    const scroll = e.currentTarget as HTMLElement;
    const top = next * ROW_HEIGHT;
    if (top < scroll.scrollTop) scroll.scrollTop = top;
    else if (top + ROW_HEIGHT > scroll.scrollTop + scroll.clientHeight) scroll.scrollTop = top + ROW_HEIGHT - scroll.clientHeight;
    this.scrollTop = scroll.scrollTop;
    this.focusAfterRender = true;
    this.host.requestUpdate();
  }
}

const toggle = (list: readonly string[], id: string) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);

/**
 * The list's own styles, adopted by the canvas's shadow root when the list first loads: a page that
 * never shows the list does not carry them (they count against the components' size budget).
 */
export const regionListStyles = css`
  /* Region list: a floating panel at the end edge; rows are virtualized (absolutely placed). */
  .regions {
    position: absolute;
    top: 8px;
    right: 8px;
    bottom: 8px;
    width: var(--label-canvas-regions-width, 260px);
    max-width: calc(100% - 72px);
    display: flex;
    flex-direction: column;
    border-radius: 8px;
    background: var(--label-canvas-regions-background, var(--_chip-background));
    color: var(--_chip-color);
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.4);
    font-size: 13px;
    z-index: 2;
  }
  .regions-title {
    padding: 6px 10px;
    font-weight: 600;
    border-bottom: 1px solid rgb(0 0 0 / 0.12);
  }
  .regions-title .count {
    font-weight: 400;
    opacity: 0.7;
  }
  .regions-scroll {
    flex: 1;
    overflow-y: auto;
    contain: strict;
  }
  .regions-rows {
    position: relative;
  }
  .regions-empty {
    margin: 10px;
    opacity: 0.7;
  }
  .region {
    position: absolute;
    left: 0;
    right: 0;
    top: 0;
    height: 34px;
    display: flex;
    align-items: center;
    gap: 2px;
    padding: 0 4px;
    box-sizing: border-box;
    contain: strict;
  }
  .region.selected {
    background: color-mix(in srgb, var(--_selection-color) 18%, transparent);
  }
  .region.hidden .region-text {
    opacity: 0.5;
    text-decoration: line-through;
  }
  .region-name {
    flex: 1;
    min-width: 0;
    display: flex;
    align-items: center;
    gap: 6px;
    border-color: transparent;
    background: transparent;
    text-align: left;
    padding: 3px 4px;
    min-height: 28px;
  }
  .region-text {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .swatch {
    flex: none;
    width: 12px;
    height: 12px;
    border-radius: 3px;
    background: var(--c);
  }
  .region.pre .swatch {
    background: transparent;
    border: 2px dashed var(--c);
    width: 8px;
    height: 8px;
  }
  .confidence {
    margin-left: auto;
    font-variant-numeric: tabular-nums;
    opacity: 0.8;
  }
  .region select {
    width: 84px;
    min-height: 26px;
  }
  .region .icon {
    min-width: 26px;
    min-height: 26px;
    padding: 0 4px;
  }
`;
