import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { isClassificationKind, type AssistActivity, type AssistMonitor, type DataSource, type Project, type RunRecord } from '@labelkit/core';
import { emit } from '../events.js';
import { ProjectController } from '../controllers/project-controller.js';
import { ImageUrls } from '../controllers/image-url.js';
import { Commands } from '../controllers/commands.js';
import { loadMarkdown } from '../controllers/lazy.js';
import { STATE_COLORS, barList, progress, stackedBar, type Segment } from './charts.js';
import { KEY_METRICS, METRIC_NAMES, activityText, assistSummary } from './assist-status.js';
import type { DashboardContext } from './context.js';
import type { DataTab } from './data-tab.js';
import type { DetailsTab } from './details-tab.js';
import type { DashboardUpload } from './upload-card.js';
import { teamCards } from './team-cards.js';
import { styles } from './label-dashboard.styles.js';
import { controlStyles, hostStyles } from '../styles/controls.styles.js';

export { STATE_COLORS };
export type DashboardTab = 'dashboard' | 'data' | 'details';

const LANE_COLORS = { manual: '#4e79a7', clustered: '#76b7b2', prelabeled: '#edc948' } as const;

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
 * @fires {CustomEvent<UploadCompleteDetail>} label-upload-complete - Local images were uploaded from the Details tab (with `upload` set).
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
 * @csspart upload-card - The Details tab's "Upload images" card (with `upload` set).
 * @csspart upload-progress - Its progress bar.
 * @csspart consensus-card - The consensus lane and agreement rate (consensus projects).
 * @csspart labelers-card - Review by labeler: counts, agreement, time per task, rejects.
 * @csspart consensus-answers - Every labeler's answer on a Data-tab item in review.
 *
 * @cssprop --label-dashboard-accent - Primary buttons and the open tab (falls back to --label-accent).
 * @cssprop --label-dashboard-surface - Background (falls back to --label-surface).
 * @cssprop --label-dashboard-text - Text colour (falls back to --label-text).
 */
export class LabelDashboard extends LitElement {
  static override styles = [hostStyles('dashboard'), controlStyles, styles];

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
  /**
   * Uploads local images into the project's container (Azure mode), e.g.
   * `(files, o) => uploadFiles(store, files, { ...o, project })` with `@labelkit/core/azure`. When set,
   * owners get an "Upload images" card with a progress bar in the Details tab.
   */
  @property({ attribute: false }) upload: DashboardUpload | undefined;
  /** Milliseconds during which a Reject from the Data tab can be undone (a toast) before it is recorded; 0 rejects at once. */
  @property({ type: Number, attribute: 'reject-undo-ms' }) rejectUndoMs = 5000;

  @state() private notice = '';
  @state() private activity: AssistActivity | undefined;
  private stopActivity: (() => void) | undefined;

  private readonly pc = new ProjectController(this);
  private readonly images = new ImageUrls(undefined);
  private readonly commands = new Commands(this, {
    started: () => {
      this.notice = '';
      this.commands.message = '';
    },
  });
  readonly #context: DashboardContext = this.#makeContext();
  /** The Data and Details tabs, loaded (with import()) the first time they are shown. */
  #data: DataTab | undefined;
  #details: DetailsTab | undefined;

  // ——— public API ———

  /** Rejects items: their labels are removed and they go back to the queue. Needs the reviewer role. */
  async reject(items: readonly number[]): Promise<void> {
    await this.commands.run('reject', async () => {
      await this.project!.reject(items);
      this.#data?.unpick();
      this.notice = `${items.length} item${items.length === 1 ? '' : 's'} rejected and back in the queue.`;
      emit(this, 'label-items-change', { action: 'reject', items });
    });
  }

  /** Exports the project as COCO JSON and offers the file for download. Resolves with the file. */
  async exportCoco(): Promise<Blob | undefined> {
    let out: Blob | undefined;
    await this.commands.run('export', async () => {
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
  /** The Data and Details tabs load the first time they are shown, Details with the instructions' renderer. */
  protected override async scheduleUpdate(): Promise<void> {
    try {
      if (this.tab === 'data') this.#data ??= new (await import('./data-tab.js')).DataTab(this.#context);
      if (this.tab === 'details') this.#details ??= new (await import('./details-tab.js')).DetailsTab(this.#context);
    } catch (err) {
      this.commands.fail(err, 'tab-load');
    }
    if (this.tab === 'details') await loadMarkdown().catch(() => undefined); // a failure shows as label-error on render
    super.scheduleUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('project')) {
      this.pc.project = this.project;
      this.#details?.reset();
      this.#data?.unpick();
    }
    if (changed.has('source')) this.images.source = this.source;
    if (changed.has('assist')) this.watchAssist();
    // A notice belongs to the tab it was given on; a pending Reject is recorded when the tab changes.
    if (changed.has('tab') && changed.get('tab') !== undefined) {
      this.notice = '';
      this.#data?.flushReject();
    }
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
    this.#data?.flushReject();
    this.#details?.stop();
  }

  #makeContext(): DashboardContext {
    const el = this;
    return {
      host: this,
      get project() {
        return el.project;
      },
      get source() {
        return el.source;
      },
      get assist() {
        return el.assist;
      },
      get upload() {
        return el.upload;
      },
      get commands() {
        return el.commands;
      },
      pc: this.pc,
      images: this.images,
      get rejectUndoMs() {
        return el.rejectUndoMs;
      },
      notify: (text) => (this.notice = text),
      reject: (items) => this.reject(items),
    };
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
        ${p.can('reviewer') ? html`<button part="button" class="export" ?disabled=${this.commands.busy} @click=${() => this.exportCoco()}>Export COCO</button>` : nothing}
      </div>
      ${this.commands.message ? html`<div part="message" class="message error" role="alert">${this.commands.message}</div>` : nothing}
      ${this.notice ? html`<div part="message" class="message notice" role="status">${this.notice}</div>` : nothing}
      ${p.status.state !== 'active' ? html`<div part="message" class="message notice project-status">This project is ${p.status.state}${p.status.reason ? `: ${p.status.reason}` : ''}.</div>` : nothing}
      ${this.#data?.renderToast()}
      <section part="panel" role="tabpanel" aria-labelledby="tab-${this.tab}">
        ${this.tab === 'dashboard' ? this.renderDashboard(p) : this.tab === 'data' ? this.#data?.render(p) : this.#details?.render(p)}
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
        ${barList((['manual', 'clustered', 'prelabeled'] as const).map((l) => ({ key: l, name: l.charAt(0).toUpperCase() + l.slice(1), value: s.lanes[l], color: LANE_COLORS[l] })))}
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
      ${p.assist.enabled ? this.assistCard(p) : nothing} ${teamCards(p)}
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
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

function formatMetric(v: unknown): string {
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v);
}
