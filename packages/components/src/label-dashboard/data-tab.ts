// The Data tab of <label-dashboard>: browse items with their labels, filter by state and label, and
// (as a reviewer) reject with undo, approve or requeue. Its state lives here; the element renders it.
import { html, nothing, svg } from 'lit';
import type { ItemState, ItemView, Project } from '@labelkit/core';
import { emit } from '../events.js';
import { styleProps } from '../directives/style-props.js';
import { STATE_COLORS } from './charts.js';
import type { DashboardContext } from './context.js';
import { consensusAnswers } from './consensus-answers.js';
import { type FlagFilter, flagMatches, flagNote, flagSelect } from './flags.js';

type StateFilter = ItemState | 'done' | 'all';
const PAGE = 24;
const STATE_OPTIONS: readonly (readonly [StateFilter, string])[] = [
  ['done', 'Labeled (incl. review)'],
  ['labeled', 'Labeled'],
  ['needs-review', 'Needs review'],
  ['skipped', 'Skipped'],
  ['todo', 'Not yet done'],
  ['assigned', 'In a task'],
  ['unreadable', 'Unreadable'],
  ['all', 'All'],
];

export class DataTab {
  #stateFilter: StateFilter = 'done';
  #labelFilter = '';
  #labelerFilter = '';
  #flagFilter: FlagFilter = '';
  #page = 0;
  #picked = new Set<number>();
  /** A Reject waiting out its undo time: the items, and the timer that records it. */
  #pendingReject: { items: readonly number[]; timer: ReturnType<typeof setTimeout> } | undefined;
  #pageCache: { key: string; items: ItemView[]; more: boolean; total: number } | undefined;

  constructor(private readonly c: DashboardContext) {}

  #update(): void {
    this.c.host.requestUpdate();
  }

  /** Forgets the selection (a new project, a reject done). */
  unpick(): void {
    this.#picked = new Set();
    this.#update();
  }

  /** Reject shows a toast with Undo and records the reject when its time is up (at once with no undo time). */
  scheduleReject(items: readonly number[]): void {
    this.flushReject();
    this.unpick();
    if (this.c.rejectUndoMs <= 0) return void this.c.reject(items);
    this.#pendingReject = { items, timer: setTimeout(() => this.flushReject(), this.c.rejectUndoMs) };
  }

  /** Records a pending Reject now (its time is up, another one comes, the tab changes, the element goes). */
  flushReject(): void {
    const p = this.#pendingReject;
    if (!p) return;
    clearTimeout(p.timer);
    this.#pendingReject = undefined;
    this.#update();
    void this.c.reject(p.items);
  }

  undoReject(): void {
    const p = this.#pendingReject;
    if (!p) return;
    clearTimeout(p.timer);
    this.#pendingReject = undefined;
    this.#picked = new Set(p.items);
    this.#update();
  }

  /** "N items will be rejected" with Undo, while a Reject waits (shown above the panel, on every tab). */
  renderToast() {
    const p = this.#pendingReject;
    if (!p) return nothing;
    return html`<div part="toast" class="toast" role="status">
      <span>${p.items.length} item${p.items.length === 1 ? '' : 's'} will be rejected and go back to the queue.</span>
      <button part="button" class="undo" @click=${() => this.undoReject()}>Undo</button>
    </div>`;
  }

  /** The page of items shown: computed once per project change, filter and page. */
  #pageItems(p: Project): { items: ItemView[]; more: boolean; total: number } {
    const flags = this.c.assist?.flags;
    const key = `${this.c.pc.version}|${this.#stateFilter}|${this.#labelFilter}|${this.#labelerFilter}|${this.#flagFilter}|${flags?.at}|${this.#page}`;
    if (this.#pageCache?.key === key) return this.#pageCache;
    const f = this.#stateFilter;
    const states: ItemState[] | undefined = f === 'all' ? undefined : f === 'done' ? ['labeled', 'needs-review'] : [f];
    const skip = this.#page * PAGE;
    let seen = 0;
    const items: ItemView[] = [];
    let more = false;
    for (const it of p.items(states ? { states } : undefined)) {
      if (this.#labelFilter && !it.annotations.some((a) => a.label === this.#labelFilter)) continue;
      if (this.#labelerFilter && !byLabeler(p, it, this.#labelerFilter)) continue;
      if (!flagMatches(flags, this.#flagFilter, it)) continue;
      if (seen++ < skip) continue;
      if (items.length === PAGE) {
        more = true;
        // The total: from the counts when only the state filters; else by counting the rest.
        if (!this.#labelFilter && !this.#labelerFilter && !this.#flagFilter) break;
        continue;
      }
      items.push(it);
    }
    const stats = this.c.pc.stats!;
    const total = this.#labelFilter || this.#labelerFilter || this.#flagFilter ? seen : states ? states.reduce((n, st) => n + stats.counts[st], 0) : stats.total;
    this.#pageCache = { key, items, more, total };
    return this.#pageCache;
  }

  #filter(state: StateFilter, label: string, labeler = this.#labelerFilter): void {
    this.#stateFilter = state;
    this.#labelFilter = label;
    this.#labelerFilter = labeler;
    this.#page = 0;
    this.unpick();
  }

  #pick(item: number, on: boolean): void {
    const next = new Set(this.#picked);
    if (on) next.add(item);
    else next.delete(item);
    this.#picked = next;
    this.#update();
  }

  #turn(by: number): void {
    this.#page += by;
    this.#update();
  }

  render(p: Project) {
    const { items, more, total } = this.#pageItems(p);
    const pages = Math.max(1, Math.ceil(total / PAGE));
    const byId = new Map(p.labels.map((l) => [l.id, l]));
    const canReview = p.can('reviewer');
    return html`
      <div class="toolbar">
        <label>State
          <select name="state" @change=${(e: Event) => this.#filter((e.target as HTMLSelectElement).value as StateFilter, this.#labelFilter)}>
            ${STATE_OPTIONS.map(([v, n]) => html`<option value=${v} ?selected=${this.#stateFilter === v}>${n}</option>`)}
          </select>
        </label>
        <label>Label
          <select name="label" @change=${(e: Event) => this.#filter(this.#stateFilter, (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!this.#labelFilter}>Any</option>
            ${p.labels.map((l) => html`<option value=${l.id} ?selected=${this.#labelFilter === l.id}>${l.name}</option>`)}
          </select>
        </label>
        <label>Labeler
          <select name="labeler" @change=${(e: Event) => this.#filter(this.#stateFilter, this.#labelFilter, (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!this.#labelerFilter}>Anyone</option>
            ${p.labelerStats().map((l) => html`<option value=${l.labeler} ?selected=${this.#labelerFilter === l.labeler}>${l.labeler}</option>`)}
          </select>
        </label>
        ${flagSelect(this.c.assist?.flags, this.#flagFilter, (v) => {
          this.#flagFilter = v;
          this.#filter(this.#stateFilter, this.#labelFilter);
        })}
        <span class="spacer"></span>
        ${canReview ? this.#reviewButtons(p, items) : nothing}
      </div>
      ${
        items.length
          ? html`<ul class="items">
            ${items.map((it) => this.#item(p, it, byId, canReview))}
          </ul>`
          : html`<p class="muted">No items match.</p>`
      }
      <div class="pager">
        <button part="button" ?disabled=${this.#page === 0} @click=${() => this.#turn(-1)}>Previous</button>
        <span>Page ${this.#page + 1} of ${pages} · ${total.toLocaleString()} item${total === 1 ? '' : 's'}</span>
        <button part="button" ?disabled=${!more} @click=${() => this.#turn(1)}>Next</button>
      </div>
    `;
  }

  #reviewButtons(p: Project, items: readonly ItemView[]) {
    const picked = items.filter((i) => this.#picked.has(i.index));
    const busy = this.c.commands.busy;
    const some = (...states: ItemState[]) => picked.some((i) => states.includes(i.state));
    const of = (s: ItemState) => picked.filter((i) => i.state === s).map((i) => i.index);
    const changed = (action: 'approve' | 'requeue', ids: readonly number[]) => {
      this.unpick();
      emit(this.c.host, 'label-items-change', { action, items: ids });
    };
    // Approve marks labels reviewed: items in review and labeled ones not yet reviewed (a consensus disagreement needs its answer chosen).
    const approvable = picked.filter((i) => (i.state === 'labeled' || i.state === 'needs-review') && !i.reviewed && !isOpenDisagreement(p, i.index)).map((i) => i.index);
    return html`<button part="button" class="reject" ?disabled=${!some('labeled', 'needs-review') || busy} @click=${() => this.scheduleReject(picked.map((i) => i.index))}>
        Reject${picked.length ? ` ${picked.length}` : ''}
      </button>
      <button part="button" class="approve" ?disabled=${!approvable.length || busy}
        @click=${() =>
          this.c.commands.run('approve', async () => {
            const ids = approvable;
            await p.approve(ids);
            changed('approve', ids);
          })}>Approve</button>
      <button part="button" class="requeue" title="Put skipped and unreadable items back in the queue" ?disabled=${!some('skipped', 'unreadable') || busy}
        @click=${() =>
          this.c.commands.run('requeue', async () => {
            const [skipped, unreadable] = [of('skipped'), of('unreadable')];
            if (skipped.length) await p.requeueSkipped(skipped);
            if (unreadable.length) await p.requeueUnreadable(unreadable);
            changed('requeue', [...skipped, ...unreadable]);
          })}>Requeue</button>`;
  }

  #item(p: Project, it: ItemView, byId: Map<string, { name: string; color: string }>, canReview: boolean) {
    const on = this.#picked.has(it.index);
    const url = this.c.images.peek(it.path);
    if (!url && this.c.source)
      void this.c.images.get(it.path).then(
        () => this.#update(),
        () => undefined,
      );
    const pending = !!this.#pendingReject?.items.includes(it.index);
    return html`<li part="item" class="item ${on ? 'picked' : ''} ${pending ? 'pending' : ''}" data-item=${it.index} data-path=${it.path}>
      <label>
        ${canReview ? html`<input type="checkbox" .checked=${on} aria-label="Select ${it.path}" @change=${(e: Event) => this.#pick(it.index, (e.target as HTMLInputElement).checked)} />` : nothing}
        ${url ? html`<img src=${url} alt="" loading="lazy" />` : html`<span class="noimg"></span>`}
        ${shapesOverlay(it, byId)}
      </label>
      <div class="meta">
        <div class="path" title=${it.path}>${it.path.split('/').pop()}</div>
        <span class="state" ${styleProps({ '--c': STATE_COLORS[it.state] })}>${it.state}</span>${it.reviewed ? html` <span class="reviewed">reviewed</span>` : nothing}
        <div class="chips">
          ${summarize(it).map(([label, n]) => {
            const l = byId.get(label);
            return html`<span class="chip" ${styleProps({ '--c': l?.color ?? '#888' })}>${l?.name ?? label}${n > 1 ? ` ×${n}` : ''}</span>`;
          })}
        </div>
        ${flagNote(this.c.assist?.flags, it, byId)}
        ${it.state === 'needs-review' || lateIn(p, it.index) ? consensusAnswers(this.c, p, it.index, p.consensusOf(it.index), byId) : nothing}
      </div>
    </li>`;
  }
}

/** Boxes and polygons drawn over a thumbnail (in image pixels, scaled with the image by the viewBox). */
function shapesOverlay(it: ItemView, byId: Map<string, { color: string }>) {
  const shapes = it.annotations.filter((a) => a.kind !== 'class');
  if (!shapes.length || !it.width || !it.height) return nothing;
  const sw = Math.max(it.width, it.height) / 80;
  return html`<svg class="shapes" viewBox="0 0 ${it.width} ${it.height}" preserveAspectRatio="xMidYMid meet" aria-hidden="true">
    ${shapes.map((a) => {
      const c = byId.get(a.label)?.color ?? '#888';
      return a.kind === 'box'
        ? svg`<rect x=${a.x} y=${a.y} width=${a.w} height=${a.h} fill=${c} fill-opacity="0.2" stroke=${c} stroke-width=${sw}></rect>`
        : a.kind === 'polygon'
          ? svg`<polygon points=${a.points.join(' ')} fill=${c} fill-opacity="0.2" stroke=${c} stroke-width=${sw}></polygon>`
          : nothing;
    })}
  </svg>`;
}

/** Whether `labeler` labeled the item, or gave one of its consensus answers. */
function byLabeler(p: Project, it: ItemView, labeler: string): boolean {
  return it.labeledBy === labeler || !!p.consensusOf(it.index)?.answers.some((a) => a.by === labeler);
}

function summarize(it: ItemView): [string, number][] {
  const m = new Map<string, number>();
  for (const a of it.annotations) m.set(a.label, (m.get(a.label) ?? 0) + 1);
  return [...m];
}

/** A consensus disagreement without labels: a reviewer resolves it (an agreed label a late answer disputed can be approved). */
function isOpenDisagreement(p: Project, i: number): boolean {
  const v = p.consensusOf(i);
  return v?.status === 'disagreed' && !v.final;
}

/** Whether an item's consensus has an answer that came after its decision (shown on labeled items too). */
function lateIn(p: Project, i: number): boolean {
  return !!p.consensusOf(i)?.answers.some((a) => a.late);
}
