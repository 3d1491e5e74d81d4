// What <label-queue> shows around the work: the label palette and the classification grid. Pure
// templates over one `QueueView` the element builds per render; clicks go back through its actions.
import { html, nothing } from 'lit';
import { LabelkitError, type Annotation, type ItemView, type LabelClass, type ProjectStatus, type Stats, type Task, type TaskSize } from '@labelkit/core';
import { styleProps } from '../directives/style-props.js';
import { labelKey } from '../label-keys.js';

export interface QueueView {
  readonly task: Task | undefined;
  readonly labels: readonly LabelClass[];
  readonly classification: boolean;
  readonly work: ReadonlyMap<number, readonly Annotation[]>;
  readonly selected: ReadonlySet<number>;
  readonly focusIndex: number;
  readonly columns: number;
  /** The size the task on screen was asked with. */
  readonly taskSize: number;
  /** Regions: the label the next shape gets, and the labels of the selected shapes. */
  readonly activeLabel: string | undefined;
  readonly selectionLabels: readonly string[];
  /** Items tagged on the focused or selected images (classification). */
  readonly targets: readonly number[];
  url(path: string): string;
  /** The preloaded, decoded `<img>` to show for a path, if there is one (instead of a new one). */
  decoded(path: string): HTMLImageElement | undefined;
  applyLabel(id: string): void;
  tileClick(k: number, item: number, e: MouseEvent): void;
  toggleSelect(item: number): void;
  tileLoaded(it: ItemView, img: HTMLImageElement): void;
  imageFailed(it: ItemView, err: LabelkitError): void;
  /** Images per task asked for the next task. */
  readonly gridSize: TaskSize;
  readonly busy: boolean;
  readonly canSubmit: boolean;
  readonly needsReview: boolean;
  /** The labeler may requeue skipped items (reviewer role). */
  readonly canRequeue: boolean;
  setGrid(n: TaskSize): void;
  setReview(on: boolean): void;
  skip(): void;
  submit(): void;
  load(): void;
  requeueSkipped(): void;
}

export const GRID_SIZES: readonly TaskSize[] = [1, 4, 6, 9];

/** The bar with the project's name, the task's lane, the counts, the grid picker and the draft's state. */
export function renderHeader(v: QueueView, name: string, stats: Stats, draft: 'none' | 'saving' | 'saved') {
  const done = stats.counts.labeled + stats.counts['needs-review'];
  const left = stats.counts.todo + stats.counts.assigned;
  return html`<header part="header">
    <strong class="name">${name}</strong>
    ${v.task ? html`<span part="lane" class="lane lane-${v.task.lane}" title="Queue lane">${v.task.lane}</span>` : nothing}
    <span class="counts" aria-live="polite">${done} labeled · ${left} to go</span>
    <span class="spacer"></span>
    ${v.classification ? renderGridPicker(v) : nothing}
    <span part="draft-status" class="draft ${draft}">${draft === 'saved' ? 'Draft saved' : draft === 'saving' ? 'Saving…' : ''}</span>
  </header>`;
}

/** Images per task: the size asked for the next task (pressed), the size of the task on screen (`current`). */
export function renderGridPicker(v: QueueView) {
  const current = (n: number) => !!v.task && v.taskSize === n;
  return html`<span class="grid-pick" role="group" aria-label="Images per task">
      ${GRID_SIZES.map(
        (n) =>
          html`<button part="button" class="size ${current(n) ? 'current' : ''}" aria-pressed=${v.gridSize === n} @click=${() => v.setGrid(n)} title="${n} per task${current(n) ? ' (this task)' : ''}">${n}</button>`,
      )}
    </span>
    ${v.task && v.taskSize && v.gridSize !== v.taskSize ? html`<span part="grid-hint" class="grid-hint" role="status">${v.gridSize} per task from the next task</span>` : nothing}`;
}

/** The Skip / Review / Submit bar. */
export function renderActions(v: QueueView) {
  const grid = v.classification;
  const n = v.selected.size;
  return html`<div part="actions" class="actions ${grid ? 'sticky' : ''}">
    ${grid ? html`<span class="hint">${n ? `${n} selected` : 'Space selects · A all · 1–9, 0 tag'}</span>` : nothing}
    <span class="spacer"></span>
    <label class="review"><input type="checkbox" .checked=${v.needsReview} @change=${(e: Event) => v.setReview((e.target as HTMLInputElement).checked)} /> Needs review <kbd>V</kbd></label>
    <button part="button" class="skip" ?disabled=${v.busy} @click=${() => v.skip()}>Skip${grid && n ? ` ${n}` : ''} <kbd>S</kbd></button>
    <button part="button" class="submit primary" ?disabled=${v.busy || !v.canSubmit} @click=${() => v.submit()}>Submit <kbd>Enter</kbd></button>
  </div>`;
}

/** No task left: how far the project is, and (for a reviewer) requeueing the skipped items. */
export function renderEmpty(v: QueueView, s: Stats, status?: ProjectStatus) {
  // A stopped or archived project hands out no tasks: say so (with the owner's reason).
  const stopped = status && status.state !== 'active' ? `This project is ${status.state}${status.reason ? `: ${status.reason}` : ''}.` : '';
  return html`<div part="message" class="message empty" data-status=${status?.state ?? 'active'}>
    <p><strong>${stopped || 'No tasks left.'}</strong> ${s.total ? `${s.counts.labeled + s.counts['needs-review']} of ${s.total} items are labeled.` : 'This project has no items yet.'}</p>
    ${s.counts.skipped && v.canRequeue ? html`<button part="button" @click=${() => v.requeueSkipped()}>Requeue ${s.counts.skipped} skipped</button>` : nothing}
    <button part="button" @click=${() => v.load()}>Check again</button>
  </div>`;
}

/**
 * The labels with their keys. Classification: pressed = tagged on the focused or selected images.
 * Regions: pressed = the active label (what the next shape gets); the selected shapes' labels are
 * marked apart (part `in-selection`), and a line names both.
 */
export function renderPalette(v: QueueView) {
  const tagged = new Set(v.targets.flatMap((i) => (v.work.get(i) ?? []).map((a) => a.label)));
  const active = v.activeLabel ?? v.labels[0]?.id;
  const inSel = new Set(v.selectionLabels);
  const nameOf = (id: string | undefined) => v.labels.find((l) => l.id === id)?.name ?? '';
  return html`<div part="palette" class="palette" role="toolbar" aria-label="Labels">
    ${v.labels.map((l, i) => {
      const key = labelKey(v.labels, i);
      const marked = !v.classification && inSel.has(l.id);
      return html`<button
        part="label button${marked ? ' in-selection' : ''}"
        class="label ${marked ? 'in-selection' : ''}"
        ${styleProps({ '--c': l.color })}
        aria-pressed=${v.classification ? tagged.has(l.id) : active === l.id}
        aria-keyshortcuts=${key ?? nothing}
        title=${key ? `${l.name} (key ${key})` : l.name}
        ?disabled=${!v.task}
        @click=${() => v.applyLabel(l.id)}
      >${key ? html`<kbd aria-hidden="true">${key}</kbd> ` : nothing}<span class="label-name">${l.name}</span></button>`;
    })}
    ${
      !v.classification && v.task
        ? html`<span part="palette-state" class="palette-state">New shapes: <strong>${nameOf(active)}</strong>${
            v.selectionLabels.length ? html` · Selected: <strong>${v.selectionLabels.map(nameOf).join(', ')}</strong>` : nothing
          }</span>`
        : nothing
    }
  </div>`;
}

export function renderGrid(v: QueueView, task: Task) {
  const byId = new Map(v.labels.map((l) => [l.id, l]));
  const rows = Math.ceil(Math.max(v.taskSize, task.items.length) / v.columns);
  return html`<div part="grid" class="grid cols-${v.columns} rows-${rows}" role="listbox" aria-multiselectable="true" aria-label="Images of this task">
    ${task.items.map((it, k) => {
      const tags = v.work.get(it.index) ?? [];
      const sel = v.selected.has(it.index);
      const suggested = !!it.prelabels?.length && !decided(tags, it.prelabels);
      const url = v.url(it.path);
      return html`<div
        part="tile${sel ? ' selected' : ''}"
        class="tile ${sel ? 'selected' : ''} ${k === v.focusIndex ? 'focused' : ''}"
        role="option"
        aria-selected=${sel}
        tabindex=${k === v.focusIndex ? 0 : -1}
        data-item=${it.index}
        @click=${(e: MouseEvent) => v.tileClick(k, it.index, e)}
      >
        ${
          url && v.decoded(it.path)
            ? v.decoded(it.path)
            : url
              ? html`<img
              alt=${it.path}
              src=${url}
              draggable="false"
              @load=${(e: Event) => v.tileLoaded(it, e.target as HTMLImageElement)}
              @error=${() => v.imageFailed(it, new LabelkitError('E_CORRUPT_IMAGE', `The browser could not decode ${it.path}; it was set aside as unreadable.`))}
            />`
              : html`<span class="loading">…</span>`
        }
        <!-- A box to tick with the mouse (adds to the selection); not a control inside the option, whose aria-selected says it. -->
        <span class="check ${sel ? 'on' : ''}" aria-hidden="true" @click=${(e: Event) => {
          e.stopPropagation();
          v.toggleSelect(it.index);
        }}>${sel ? '✓' : ''}</span>
        <div class="tags">
          ${tags.map((a) => {
            const l = byId.get(a.label);
            return html`<span class="tag ${suggested ? 'suggested' : ''}" ${styleProps({ '--c': l?.color ?? '#888' })} title=${suggested ? 'Suggested by ML assist: submit to confirm, or press another key to correct' : ''}>${l?.name ?? a.label}</span>`;
          })}
        </div>
      </div>`;
    })}
  </div>`;
}

/** The tags on a tile are no longer the suggestion (the labeler pressed a key). */
function decided(now: readonly Annotation[], pre: readonly Annotation[]): boolean {
  return !(now.length === pre.length && now.every((a, i) => a.label === pre[i]?.label));
}
