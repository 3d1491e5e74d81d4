import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import {
  isClassificationKind,
  type AssistActivity,
  type AssistMonitor,
  type DataSource,
  type IngestReport,
  type ItemState,
  type ItemView,
  type LabelAddMode,
  type Project,
  type RunRecord,
} from '@labelkit/core';
import { emit } from '../events.js';
import { styleProps } from '../directives/style-props.js';
import { ProjectController } from '../controllers/project-controller.js';
import { ImageUrls } from '../controllers/image-url.js';
import { loadMarkdown, markdownHtml } from '../controllers/lazy.js';
import { barList, progress, stackedBar, type Segment } from './charts.js';
import { KEY_METRICS, METRIC_NAMES, activityText, assistSummary } from './assist-status.js';
import { styles } from './label-dashboard.styles.js';
import { controlStyles } from '../styles/controls.styles.js';

export type DashboardTab = 'dashboard' | 'data' | 'details';

/** Colours of item states on every chart. */
export const STATE_COLORS: Readonly<Record<ItemState, string>> = {
  labeled: '#2f9e44',
  'needs-review': '#e8590c',
  skipped: '#868e96',
  unreadable: '#c92a2a',
  assigned: '#74c0fc',
  todo: '#d0d7e2',
};
const LANE_COLORS = { manual: '#4e79a7', clustered: '#76b7b2', prelabeled: '#edc948' } as const;

type StateFilter = ItemState | 'done' | 'all';
const PAGE = 24;

/**
 * The manager's screen, in three tabs as in Azure ML: **Dashboard** (progress, queue by lane,
 * progress to the next training run, ML runs, label distribution), **Data** (browse items with
 * their labels, filter by label and state, reject or approve), **Details** (project, sources and
 * refresh, where labels are stored, add a label, edit instructions, ML assist on/off, export).
 * What the actor's role may not do is not offered.
 *
 * @summary Follow and manage a labeling project.
 *
 * @fires {CustomEvent<ItemsChangeDetail>} label-items-change - Items were rejected, approved or requeued.
 * @fires {CustomEvent<ExportDetail>} label-export - An export was made and offered for download.
 * @fires {CustomEvent<ErrorDetail>} label-error - A command failed (the message is also shown).
 *
 * @csspart tabs - The tab bar.
 * @csspart tab - One tab button; the open one also has part `tab-selected`.
 * @csspart panel - The open tab's content.
 * @csspart card - A titled box of the Dashboard tab.
 * @csspart progress-chart - The stacked bar of item states.
 * @csspart assist-card - The ML assist card: what runs now, the model's accuracy, why no suggestions.
 * @csspart assist-progress - The progress bar of featurization or inference (with `assist` set).
 * @csspart item - One item of the Data tab.
 * @csspart button - Every button.
 * @csspart message - Notices and errors.
 * @csspart toast - "N items will be rejected" with Undo, while a Reject waits out `reject-undo-ms`.
 *
 * @cssprop --label-dashboard-accent - Primary buttons and the open tab (falls back to --label-accent).
 * @cssprop --label-dashboard-surface - Background (falls back to --label-surface).
 * @cssprop --label-dashboard-text - Text colour (falls back to --label-text).
 */
export class LabelDashboard extends LitElement {
  static override styles = [controlStyles, styles];

  /** The project (opened with the viewer as actor; their role decides what is offered). */
  @property({ attribute: false }) project: Project | undefined;
  /** The project's data source: shown in Details, refreshed from there, and used for thumbnails. */
  @property({ attribute: false }) source: DataSource | undefined;
  /** The open tab. */
  @property({ reflect: true }) tab: DashboardTab = 'dashboard';
  /**
   * What ML assist is doing in this browser (e.g. what `attachAssist` from `@labelkit/ml` returns):
   * the dashboard then shows its progress bar. Without it, the status comes from the run records.
   */
  @property({ attribute: false }) assist: AssistMonitor | undefined;
  /** Milliseconds during which a Reject from the Data tab can be undone (a toast) before it is recorded; 0 rejects at once. */
  @property({ type: Number, attribute: 'reject-undo-ms' }) rejectUndoMs = 5000;

  @state() private stateFilter: StateFilter = 'done';
  @state() private labelFilter = '';
  @state() private page = 0;
  @state() private picked = new Set<number>();
  @state() private notice = '';
  /** A Reject waiting out its undo time: the items, and the timer that records it. */
  @state() private pendingReject: { items: readonly number[]; timer: ReturnType<typeof setTimeout> } | undefined;
  @state() private error = '';
  @state() private busy = false;
  @state() private refreshEvery = 0;
  @state() private lastRefresh: IngestReport | undefined;
  @state() private draftInstructions: string | undefined;
  @state() private newLabel = '';
  @state() private addMode: LabelAddMode = 'continue';
  @state() private activity: AssistActivity | undefined;
  private stopActivity: (() => void) | undefined;

  private readonly pc = new ProjectController(this);
  private readonly images = new ImageUrls(undefined);
  private stopRefresh: (() => void) | undefined;
  private pageCache: { key: string; items: ItemView[]; more: boolean; total: number } | undefined;

  /** Milliseconds the last render took (the benchmark reads it). */
  lastRenderMs = 0;
  #renderStart = 0;

  // ——— public API ———

  /** Rejects items: their labels are removed and they go back to the queue. Needs the reviewer role. */
  async reject(items: readonly number[]): Promise<void> {
    await this.command('reject', async () => {
      await this.project!.reject(items);
      this.picked = new Set();
      this.notice = `${items.length} item${items.length === 1 ? '' : 's'} rejected and back in the queue.`;
      emit(this, 'label-items-change', { action: 'reject', items });
    });
  }

  /** The Data tab's Reject: shows a toast with Undo and records the reject when its time is up. */
  private scheduleReject(items: readonly number[]): void {
    this.flushReject();
    this.picked = new Set();
    if (this.rejectUndoMs <= 0) return void this.reject(items);
    this.pendingReject = { items, timer: setTimeout(() => this.flushReject(), this.rejectUndoMs) };
  }

  /** Records a pending Reject now (its time is up, another one comes, the tab changes, the element goes). */
  private flushReject(): void {
    const p = this.pendingReject;
    if (!p) return;
    clearTimeout(p.timer);
    this.pendingReject = undefined;
    void this.reject(p.items);
  }

  private undoReject(): void {
    const p = this.pendingReject;
    if (!p) return;
    clearTimeout(p.timer);
    this.pendingReject = undefined;
    this.picked = new Set(p.items);
  }

  /** Exports the project as COCO JSON and offers the file for download. Resolves with the file. */
  async exportCoco(): Promise<Blob | undefined> {
    let out: Blob | undefined;
    await this.command('export', async () => {
      const { exportCoco } = await import('@labelkit/core/export');
      const stream = exportCoco(this.project!);
      const chunks: Uint8Array[] = [];
      for await (const c of stream) chunks.push(c);
      out = new Blob(chunks as Uint8Array<ArrayBuffer>[], { type: stream.contentType });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(out);
      a.download = stream.fileName;
      this.renderRoot.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
      this.notice = `Exported ${stream.fileName}.`;
      emit(this, 'label-export', { format: 'coco', file: out, fileName: stream.fileName });
    });
    return out;
  }

  // ——— lifecycle ———

  /** The Details tab shows the instructions: it renders once their renderer (loaded with import()) is there. */
  protected override async scheduleUpdate(): Promise<void> {
    if (this.tab === 'details') await loadMarkdown().catch(() => undefined); // a failure shows as label-error on render
    super.scheduleUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#renderStart = performance.now();
    if (changed.has('project')) {
      this.pc.project = this.project;
      this.stopRefresh?.();
      this.stopRefresh = undefined;
      this.refreshEvery = 0;
      this.draftInstructions = undefined;
      this.picked = new Set();
    }
    if (changed.has('source')) this.images.source = this.source;
    if (changed.has('assist')) this.watchAssist();
    // A notice belongs to the tab it was given on; a pending Reject is recorded when the tab changes.
    if (changed.has('tab') && changed.get('tab') !== undefined) {
      this.notice = '';
      this.flushReject();
    }
  }

  protected override updated(): void {
    this.lastRenderMs = performance.now() - this.#renderStart;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.assist && !this.stopActivity) this.watchAssist();
  }

  private watchAssist(): void {
    this.stopActivity?.();
    this.stopActivity = this.assist?.subscribe((a) => (this.activity = a));
    this.activity = this.assist?.activity;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopActivity?.();
    this.stopActivity = undefined;
    this.flushReject();
    this.stopRefresh?.();
    this.stopRefresh = undefined;
  }

  private fail(err: unknown, during: string): void {
    this.error = err instanceof Error ? err.message : String(err);
    emit(this, 'label-error', { error: err, during });
  }

  private async command(during: string, fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = '';
    this.notice = '';
    try {
      await fn();
    } catch (err) {
      this.fail(err, during);
    } finally {
      this.busy = false;
      this.pageCache = undefined;
    }
  }

  // ——— rendering ———

  protected override render() {
    const p = this.project;
    if (!p) return html`<div part="message" class="message">No project.</div>`;
    const tabs: [DashboardTab, string][] = [
      ['dashboard', 'Dashboard'],
      ['data', 'Data'],
      ['details', 'Details'],
    ];
    return html`
      <div part="tabs" class="tabs">
        <strong class="title">${p.name}</strong>
        <div class="tablist" role="tablist" aria-label="Project">
        ${tabs.map(
          ([id, name]) =>
            html`<button part="tab${this.tab === id ? ' tab-selected' : ''}" role="tab" id="tab-${id}" aria-selected=${this.tab === id} @click=${() => (this.tab = id)}>
              ${name}
            </button>`,
        )}
        </div>
        <span class="spacer"></span>
        ${p.can('reviewer') ? html`<button part="button" class="export" ?disabled=${this.busy} @click=${() => this.exportCoco()}>Export COCO</button>` : nothing}
      </div>
      ${this.error ? html`<div part="message" class="message error" role="alert">${this.error}</div>` : nothing}
      ${this.notice ? html`<div part="message" class="message notice" role="status">${this.notice}</div>` : nothing}
      ${
        this.pendingReject
          ? html`<div part="toast" class="toast" role="status">
            <span>${this.pendingReject.items.length} item${this.pendingReject.items.length === 1 ? '' : 's'} will be rejected and go back to the queue.</span>
            <button part="button" class="undo" @click=${() => this.undoReject()}>Undo</button>
          </div>`
          : nothing
      }
      <section part="panel" role="tabpanel" aria-labelledby="tab-${this.tab}">
        ${this.tab === 'dashboard' ? this.renderDashboard(p) : this.tab === 'data' ? this.renderData(p) : this.renderDetails(p)}
      </section>
    `;
  }

  private renderDashboard(p: Project) {
    const s = this.pc.stats!;
    const c = s.counts;
    const segments: Segment[] = [
      { key: 'labeled', name: 'Labeled', value: c.labeled, color: STATE_COLORS.labeled },
      { key: 'needs-review', name: 'Needs review', value: c['needs-review'], color: STATE_COLORS['needs-review'] },
      { key: 'skipped', name: 'Skipped', value: c.skipped, color: STATE_COLORS.skipped },
      ...(c.unreadable ? [{ key: 'unreadable', name: 'Unreadable', value: c.unreadable, color: STATE_COLORS.unreadable }] : []),
      { key: 'todo', name: 'Not yet done', value: c.todo + c.assigned, color: STATE_COLORS.todo },
    ];
    const multi = p.kind === 'image-classification-multilabel';
    const done = c.labeled + c['needs-review'];
    return html`<div class="cards">
      <div part="card" class="card wide">
        <h2>Progress <span class="muted">${done.toLocaleString()} of ${s.total.toLocaleString()} labeled${s.total ? ` (${((100 * done) / s.total).toFixed(1)} %)` : ''}</span></h2>
        <div part="progress-chart">${stackedBar(segments, 'Items by state')}</div>
      </div>
      <div part="card" class="card">
        <h2>Queue by lane</h2>
        ${barList((['manual', 'clustered', 'prelabeled'] as const).map((l) => ({ key: l, name: l[0].toUpperCase() + l.slice(1), value: s.lanes[l], color: LANE_COLORS[l] })))}
        <p class="small muted">${c.assigned.toLocaleString()} in open tasks.</p>
      </div>
      <div part="card" class="card">
        <h2>Next training run</h2>
        ${
          s.labelsToNextRun === undefined
            ? html`<p class="muted">ML assist is off.${
                p.can('owner')
                  ? html` Turn it on in <a href="#" @click=${(e: Event) => {
                      e.preventDefault();
                      this.tab = 'details';
                    }}>Details</a>.`
                  : nothing
              }</p>`
            : this.trainingProgress(p, s.labelsToNextRun)
        }
      </div>
      ${p.assist.enabled ? this.assistCard(p) : nothing}
      <div part="card" class="card wide">
        <h2>Label distribution <span class="muted">${multi ? '(an image may carry several labels, so totals may exceed items)' : 'of completed tasks'}</span></h2>
        ${barList(
          s.labelDistribution.map((d) => ({
            key: d.label,
            name: d.name,
            value: isClassificationKind(p.kind) ? d.items : d.shapes,
            color: p.labels.find((l) => l.id === d.label)?.color ?? '#888',
          })),
          { empty: 'No labels yet.', note: isClassificationKind(p.kind) ? 'Images per label.' : 'Shapes per label.' },
        )}
      </div>
      <div part="card" class="card wide">
        <h2>ML runs</h2>
        ${this.runsTable(p.runs)}
      </div>
    </div>`;
  }

  private trainingProgress(p: Project, left: number) {
    const a = p.assist;
    const need = p.runs.some((r) => r.kind === 'training' && r.status === 'completed') ? a.retrainEvery : a.firstTrainingAt;
    const have = Math.max(0, need - left);
    return progress(have, need, left ? `${left.toLocaleString()} more labels until the next training run (${have} of ${need}).` : 'Enough labels: a training run is due.');
  }

  private saveAssist(e: Event, p: Project): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    void this.command('assist', async () => {
      await p.updateAssist({
        firstTrainingAt: Number(f.get('firstTrainingAt')),
        retrainEvery: Number(f.get('retrainEvery')),
        targetPrecision: Number(f.get('targetPrecision')),
        clustering: f.get('clustering') === 'on',
      });
      this.notice = 'ML assist settings saved.';
    });
  }

  /** ML assist in words: what runs now (with a progress bar), how good the model is, why no suggestions. */
  private assistCard(p: Project) {
    const now = activityText(this.activity);
    const lines = assistSummary(p.runs, p.assist.targetPrecision);
    const lastModel = [...p.runs].reverse().find((r) => r.status === 'completed' && (r.kind === 'featurization' || r.kind === 'detection'));
    return html`<div part="card assist-card" class="card wide assist-card">
      <h2>ML assist</h2>
      ${
        now
          ? now.total
            ? html`<div part="assist-progress">${progress(now.done ?? 0, now.total, now.text)}</div>`
            : html`<p class="small ${this.activity?.state === 'failed' ? 'error-text' : ''}" role="status">${now.text}</p>`
          : nothing
      }
      <ul class="assist-lines">${lines.map((l) => html`<li>${l}</li>`)}</ul>
      ${lastModel?.device ? html`<p class="small muted">The last ${lastModel.kind} ran on ${lastModel.device === 'webgpu' ? 'a GPU (WebGPU)' : lastModel.device === 'wasm' ? 'a CPU (WebAssembly)' : lastModel.device}, in a labeler's browser.</p>` : nothing}
    </div>`;
  }

  private runsTable(runs: readonly RunRecord[]) {
    if (!runs.length) return html`<p class="muted">No runs yet. Featurization, training, validation and inference runs appear here.</p>`;
    // The table scrolls sideways on its own on a narrow screen; the page does not.
    return html`<div class="table-scroll" tabindex="0" role="region" aria-label="ML runs"><table class="runs">
      <thead><tr><th>Run</th><th>Status</th><th>Started</th><th>Duration</th><th>Device</th><th>Metrics</th></tr></thead>
      <tbody>
        ${[...runs].reverse().map(
          (r) => html`<tr>
            <td class="cap">${r.kind}</td>
            <td><span class="status ${r.status}">${r.status}</span>${r.error ? html`<div class="small error-text">${r.error}</div>` : nothing}</td>
            <td>${new Date(r.startedAt).toLocaleString()}</td>
            <td>${r.finishedAt ? formatMs(r.finishedAt - r.startedAt) : '—'}</td>
            <td>${r.device ?? '—'}</td>
            <td class="small">${r.metrics ? this.metricsCell(r) : '—'}</td>
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }

  /** The metrics a person reads, named in words; every other one (timings, internals) behind "more". */
  private metricsCell(r: RunRecord) {
    const m = r.metrics ?? {};
    const key = (KEY_METRICS[r.kind] ?? []).filter((k) => m[k] !== undefined && m[k] !== null && m[k] !== '');
    const rest = Object.keys(m).filter((k) => !key.includes(k));
    return html`${key.map((k) => html`<span class="metric">${METRIC_NAMES[k] ?? k}: <b>${formatMetric(m[k])}</b></span> `)}${
      rest.length ? html`<details class="more"><summary>more</summary>${rest.map((k) => html`<span class="metric">${k}: <b>${formatMetric(m[k])}</b></span> `)}</details>` : nothing
    }`;
  }

  // ——— Data ———

  private pageItems(p: Project): { items: ItemView[]; more: boolean; total: number } {
    const key = `${this.pc.version}|${this.stateFilter}|${this.labelFilter}|${this.page}`;
    if (this.pageCache?.key === key) return this.pageCache;
    const states: ItemState[] | undefined = this.stateFilter === 'all' ? undefined : this.stateFilter === 'done' ? ['labeled', 'needs-review'] : [this.stateFilter];
    const skip = this.page * PAGE;
    let seen = 0;
    const items: ItemView[] = [];
    let more = false;
    for (const it of p.items(states ? { states } : undefined)) {
      if (this.labelFilter && !it.annotations.some((a) => a.label === this.labelFilter)) continue;
      if (seen++ < skip) continue;
      if (items.length === PAGE) {
        more = true;
        // The total: from the counts when only the state filters; else by counting the rest.
        if (!this.labelFilter) break;
        continue;
      }
      items.push(it);
    }
    const c = this.pc.stats!.counts;
    const total = this.labelFilter ? seen : states ? states.reduce((n, st) => n + c[st], 0) : this.pc.stats!.total;
    this.pageCache = { key, items, more, total };
    return this.pageCache;
  }

  private renderData(p: Project) {
    const { items, more, total } = this.pageItems(p);
    const pages = Math.max(1, Math.ceil(total / PAGE));
    const byId = new Map(p.labels.map((l) => [l.id, l]));
    const canReview = p.can('reviewer');
    const picked = items.filter((i) => this.picked.has(i.index));
    const filterChanged = () => {
      this.page = 0;
      this.picked = new Set();
    };
    return html`
      <div class="toolbar">
        <label>State
          <select name="state" @change=${(e: Event) => {
            this.stateFilter = (e.target as HTMLSelectElement).value as StateFilter;
            filterChanged();
          }}>
            ${(
              [
                ['done', 'Labeled (incl. review)'],
                ['labeled', 'Labeled'],
                ['needs-review', 'Needs review'],
                ['skipped', 'Skipped'],
                ['todo', 'Not yet done'],
                ['assigned', 'In a task'],
                ['unreadable', 'Unreadable'],
                ['all', 'All'],
              ] as const
            ).map(([v, n]) => html`<option value=${v} ?selected=${this.stateFilter === v}>${n}</option>`)}
          </select>
        </label>
        <label>Label
          <select name="label" @change=${(e: Event) => {
            this.labelFilter = (e.target as HTMLSelectElement).value;
            filterChanged();
          }}>
            <option value="" ?selected=${!this.labelFilter}>Any</option>
            ${p.labels.map((l) => html`<option value=${l.id} ?selected=${this.labelFilter === l.id}>${l.name}</option>`)}
          </select>
        </label>
        <span class="spacer"></span>
        ${
          canReview
            ? html`<button part="button" class="reject" ?disabled=${!picked.some((i) => i.state === 'labeled' || i.state === 'needs-review') || this.busy} @click=${() => this.scheduleReject(picked.map((i) => i.index))}>
                Reject${picked.length ? ` ${picked.length}` : ''}
              </button>
              <button part="button" class="approve" ?disabled=${!picked.some((i) => i.state === 'needs-review') || this.busy}
                @click=${() =>
                  this.command('approve', async () => {
                    const ids = picked.filter((i) => i.state === 'needs-review').map((i) => i.index);
                    await p.approve(ids);
                    this.picked = new Set();
                    emit(this, 'label-items-change', { action: 'approve', items: ids });
                  })}>Approve</button>
              <button part="button" class="requeue" title="Put skipped and unreadable items back in the queue" ?disabled=${!picked.some((i) => i.state === 'skipped' || i.state === 'unreadable') || this.busy}
                @click=${() =>
                  this.command('requeue', async () => {
                    const of = (s: string) => picked.filter((i) => i.state === s).map((i) => i.index);
                    const [skipped, unreadable] = [of('skipped'), of('unreadable')];
                    if (skipped.length) await p.requeueSkipped(skipped);
                    if (unreadable.length) await p.requeueUnreadable(unreadable);
                    this.picked = new Set();
                    emit(this, 'label-items-change', { action: 'requeue', items: [...skipped, ...unreadable] });
                  })}>Requeue</button>`
            : nothing
        }
      </div>
      ${
        items.length
          ? html`<ul class="items">
            ${items.map((it) => {
              const on = this.picked.has(it.index);
              const url = this.images.peek(it.path);
              if (!url && this.source)
                void this.images.get(it.path).then(
                  () => this.requestUpdate(),
                  () => undefined,
                );
              const pending = !!this.pendingReject?.items.includes(it.index);
              return html`<li part="item" class="item ${on ? 'picked' : ''} ${pending ? 'pending' : ''}" data-item=${it.index} data-path=${it.path}>
                <label>
                  ${canReview ? html`<input type="checkbox" .checked=${on} aria-label="Select ${it.path}" @change=${(e: Event) => this.pick(it.index, (e.target as HTMLInputElement).checked)} />` : nothing}
                  ${url ? html`<img src=${url} alt="" loading="lazy" />` : html`<span class="noimg"></span>`}
                  ${shapesOverlay(it, byId)}
                </label>
                <div class="meta">
                  <div class="path" title=${it.path}>${it.path.split('/').pop()}</div>
                  <span class="state" ${styleProps({ '--c': STATE_COLORS[it.state] })}>${it.state}</span>
                  <div class="chips">
                    ${summarize(it).map(([label, n]) => {
                      const l = byId.get(label);
                      return html`<span class="chip" ${styleProps({ '--c': l?.color ?? '#888' })}>${l?.name ?? label}${n > 1 ? ` ×${n}` : ''}</span>`;
                    })}
                  </div>
                </div>
              </li>`;
            })}
          </ul>`
          : html`<p class="muted">No items match.</p>`
      }
      <div class="pager">
        <button part="button" ?disabled=${this.page === 0} @click=${() => this.page--}>Previous</button>
        <span>Page ${this.page + 1} of ${pages} · ${total.toLocaleString()} item${total === 1 ? '' : 's'}</span>
        <button part="button" ?disabled=${!more} @click=${() => this.page++}>Next</button>
      </div>
    `;
  }

  private pick(item: number, on: boolean): void {
    const next = new Set(this.picked);
    if (on) next.add(item);
    else next.delete(item);
    this.picked = next;
  }

  // ——— Details ———

  private renderDetails(p: Project) {
    const owner = p.can('owner');
    const s = this.pc.stats!;
    const instructions = this.draftInstructions ?? p.instructions;
    return html`<div class="cards">
      <div part="card" class="card">
        <h2>Project</h2>
        <dl>
          <dt>Name</dt><dd>${p.name}</dd>
          <dt>Kind</dt><dd>${p.kind}</dd>
          <dt>Id</dt><dd><code>${p.id}</code></dd>
          <dt>Created</dt><dd>${new Date(p.createdAt).toLocaleString()}</dd>
          <dt>Items</dt><dd>${s.total.toLocaleString()}</dd>
          <dt>Your role</dt><dd>${p.role}</dd>
          <dt>Labels stored in</dt><dd class="store">${p.store.description} · <code>projects/${p.id}/</code></dd>
        </dl>
      </div>
      <div part="card" class="card">
        <h2>Data source</h2>
        ${
          this.source
            ? html`<p class="source">${this.source.description}</p>
              ${
                owner
                  ? html`<div class="row">
                    <button part="button" class="refresh" ?disabled=${this.busy} @click=${() =>
                      this.command('refresh', async () => {
                        this.lastRefresh = await p.refresh(this.source!);
                        this.notice = refreshText(this.lastRefresh);
                      })}>Refresh now</button>
                    <label>Every
                      <select name="refresh-interval" @change=${(e: Event) => this.setRefresh(Number((e.target as HTMLSelectElement).value))}>
                        ${[
                          [0, 'off'],
                          [60_000, '1 minute'],
                          [300_000, '5 minutes'],
                          [3_600_000, '1 hour'],
                        ].map(([v, n]) => html`<option value=${v} ?selected=${this.refreshEvery === v}>${n}</option>`)}
                      </select>
                    </label>
                  </div>`
                  : nothing
              }
              ${this.lastRefresh ? html`<p class="small muted">Last refresh: ${refreshText(this.lastRefresh)}</p>` : nothing}`
            : html`<p class="muted">No source given to the dashboard.</p>`
        }
      </div>
      <div part="card" class="card">
        <h2>Labels</h2>
        <ul class="label-list">${p.labels.map((l) => html`<li><i ${styleProps({ background: l.color })}></i>${l.name}${l.key ? html` <kbd>${l.key}</kbd>` : nothing}</li>`)}</ul>
        ${
          owner
            ? html`<form class="add-label" @submit=${(e: Event) => {
                e.preventDefault();
                void this.addLabel(p);
              }}>
              <input name="label-name" placeholder="New label" .value=${this.newLabel} @input=${(e: Event) => (this.newLabel = (e.target as HTMLInputElement).value)} />
              <fieldset>
                <legend>Labels given so far</legend>
                ${(
                  [
                    ['continue', 'Keep them and continue'],
                    ['start-over-keep', 'Start over, keeping them as suggestions'],
                    ['start-over-remove', 'Start over without them'],
                  ] as const
                ).map(([v, n]) => html`<label><input type="radio" name="mode" value=${v} .checked=${this.addMode === v} @change=${() => (this.addMode = v)} /> ${n}</label>`)}
              </fieldset>
              <button part="button" class="primary" ?disabled=${!this.newLabel.trim() || this.busy}>Add label</button>
            </form>`
            : nothing
        }
      </div>
      <div part="card" class="card">
        <h2>ML assist</h2>
        <label class="row"><input type="checkbox" name="assist" .checked=${p.assist.enabled} ?disabled=${!owner || this.busy}
          @change=${(e: Event) =>
            this.command('assist', async () => {
              await p.updateAssist({ enabled: (e.target as HTMLInputElement).checked });
            })} />
          ${p.assist.enabled ? 'On' : 'Off'}</label>
        ${
          owner
            ? html`<form class="assist-settings" @submit=${(e: Event) => this.saveAssist(e, p)}>
              <label>First training after <input type="number" name="firstTrainingAt" min="1" step="1" required .value=${String(p.assist.firstTrainingAt)} /> labels</label>
              <label>then every <input type="number" name="retrainEvery" min="1" step="1" required .value=${String(p.assist.retrainEvery)} /> labels</label>
              <label>Suggest labels only where the model is right <input type="number" name="targetPrecision" min="0.5" max="1" step="0.01" required .value=${String(p.assist.targetPrecision)} /> of the time</label>
              <label class="row"><input type="checkbox" name="clustering" .checked=${p.assist.clustering} /> Put similar images on one page</label>
              <button part="button" type="submit" ?disabled=${this.busy}>Save assist settings</button>
            </form>`
            : html`<p class="small muted">First training after ${p.assist.firstTrainingAt} labels, then every ${p.assist.retrainEvery}; target precision ${p.assist.targetPrecision}.</p>`
        }
      </div>
      <div part="card" class="card wide">
        <h2>Instructions</h2>
        ${
          owner
            ? html`<textarea name="instructions" rows="6" aria-label="Instructions (markdown)" .value=${instructions} @input=${(e: Event) => (this.draftInstructions = (e.target as HTMLTextAreaElement).value)}></textarea>
              <div class="row">
                <button part="button" class="primary save-instructions" ?disabled=${this.draftInstructions === undefined || this.draftInstructions === p.instructions || this.busy}
                  @click=${() =>
                    this.command('instructions', async () => {
                      await p.editInstructions(this.draftInstructions!);
                      this.draftInstructions = undefined;
                      this.notice = 'Instructions saved.';
                    })}>Save instructions</button>
                <span class="small muted">Markdown. Preview:</span>
              </div>`
            : nothing
        }
        <div class="md">${unsafeHTML(markdownHtml(instructions || '_No instructions._', this, (err) => this.fail(err, 'instructions')))}</div>
      </div>
    </div>`;
  }

  private async addLabel(p: Project): Promise<void> {
    const name = this.newLabel.trim();
    await this.command('add-label', async () => {
      const l = await p.addLabelClass({ name }, this.addMode);
      this.newLabel = '';
      this.notice = `Label "${l.name}" added${this.addMode === 'continue' ? '' : '; every item is back in the queue'}.`;
    });
  }

  private setRefresh(ms: number): void {
    this.stopRefresh?.();
    this.stopRefresh = undefined;
    this.refreshEvery = ms;
    if (ms && this.project && this.source) {
      this.stopRefresh = this.project.autoRefresh(this.source, ms, {
        onReport: (r) => (this.lastRefresh = r),
        onError: (err) => {
          this.error = err instanceof Error ? err.message : String(err);
          emit(this, 'label-error', { error: err, during: 'refresh' });
        },
      });
    }
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

function summarize(it: ItemView): [string, number][] {
  const m = new Map<string, number>();
  for (const a of it.annotations) m.set(a.label, (m.get(a.label) ?? 0) + 1);
  return [...m];
}

function refreshText(r: IngestReport): string {
  const parts = [`${r.listed.toLocaleString()} listed`, `${r.added.toLocaleString()} new`];
  if (r.changed) parts.push(`${r.changed.toLocaleString()} changed`);
  if (r.unsupported.count) parts.push(`${r.unsupported.count.toLocaleString()} not images`);
  if (r.overCap.count) parts.push(`${r.overCap.count.toLocaleString()} over the 500,000-item cap`);
  return `${parts.join(', ')}; ${r.total.toLocaleString()} items in all.`;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

function formatMetric(v: unknown): string {
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v);
}
