// The Details tab of <label-dashboard>: the project, its data source and refresh, where labels are
// stored, labels (add one), ML assist settings and the instructions. Its state lives here.
import { html, nothing } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { IngestReport, LabelAddMode, Project } from '@labelkit/core';
import { styleProps } from '../directives/style-props.js';
import { markdownHtml } from '../controllers/lazy.js';
import type { DashboardContext } from './context.js';
import { UploadCard } from './upload-card.js';

const REFRESH_EVERY: readonly (readonly [number, string])[] = [
  [0, 'off'],
  [60_000, '1 minute'],
  [300_000, '5 minutes'],
  [3_600_000, '1 hour'],
];
const ADD_MODES: readonly (readonly [LabelAddMode, string])[] = [
  ['continue', 'Keep them and continue'],
  ['start-over-keep', 'Start over, keeping them as suggestions'],
  ['start-over-remove', 'Start over without them'],
];

export class DetailsTab {
  #refreshEvery = 0;
  #stopRefresh: (() => void) | undefined;
  #lastRefresh: IngestReport | undefined;
  #draftInstructions: string | undefined;
  #newLabel = '';
  #addMode: LabelAddMode = 'continue';
  #stopReason = '';
  readonly #upload: UploadCard;

  constructor(private readonly c: DashboardContext) {
    this.#upload = new UploadCard(c);
  }

  #set(change: () => void): void {
    change();
    this.c.host.requestUpdate();
  }

  /** A new project (or none): automatic refresh stops and an unsaved instructions draft is dropped. */
  reset(): void {
    this.stop();
    this.#refreshEvery = 0;
    this.#draftInstructions = undefined;
  }

  /** Stops the automatic refresh and an upload in flight (the element goes). */
  stop(): void {
    this.#upload.stop();
    this.#stopRefresh?.();
    this.#stopRefresh = undefined;
  }

  #setRefresh(ms: number): void {
    this.stop();
    this.#set(() => (this.#refreshEvery = ms));
    const { project, source } = this.c;
    if (ms && project && source) {
      this.#stopRefresh = project.autoRefresh(source, ms, {
        onReport: (r) => this.#set(() => (this.#lastRefresh = r)),
        onError: (err) => this.c.commands.fail(err, 'refresh'),
      });
    }
  }

  #refreshNow(p: Project): Promise<void> {
    return this.c.commands.run('refresh', async () => {
      const r = await p.refresh(this.c.source!);
      this.#set(() => (this.#lastRefresh = r));
      this.c.notify(refreshText(r));
    });
  }

  #addLabel(p: Project): Promise<void> {
    const name = this.#newLabel.trim();
    const mode = this.#addMode;
    return this.c.commands.run('add-label', async () => {
      const l = await p.addLabelClass({ name }, mode);
      this.#set(() => (this.#newLabel = ''));
      this.c.notify(`Label "${l.name}" added${mode === 'continue' ? '' : '; every item is back in the queue'}.`);
    });
  }

  #saveAssist(e: Event, p: Project): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    void this.c.commands.run('assist', async () => {
      await p.updateAssist({
        firstTrainingAt: Number(f.get('firstTrainingAt')),
        retrainEvery: Number(f.get('retrainEvery')),
        targetPrecision: Number(f.get('targetPrecision')),
        clustering: f.get('clustering') === 'on',
      });
      // Active ordering is a queue setting: the lanes serve what assist ranked most informative first.
      const order = f.get('informative') === 'on' ? 'informative' : 'shuffled';
      if ((p.queueSettings.order ?? 'shuffled') !== order) await p.updateQueue({ order });
      this.c.notify('ML assist settings saved.');
    });
  }

  #saveInstructions(p: Project): Promise<void> {
    return this.c.commands.run('instructions', async () => {
      await p.editInstructions(this.#draftInstructions!);
      this.#set(() => (this.#draftInstructions = undefined));
      this.c.notify('Instructions saved.');
    });
  }

  render(p: Project) {
    const owner = p.can('owner');
    const s = this.c.pc.stats!;
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
          <dt>Status</dt><dd class="status-text">${p.status.state}${p.status.reason ? ` — ${p.status.reason}` : ''}</dd>
        </dl>
        ${owner ? this.#lifecycle(p) : nothing}
      </div>
      ${owner && this.c.upload ? this.#upload.render(this.c.upload) : nothing} ${this.#sourceCard(p, owner)} ${this.#labelsCard(p, owner)} ${this.#assistCard(p, owner)} ${this.#instructionsCard(p, owner)}
    </div>`;
  }

  /** Stop (with a reason), start and archive: labelers get no new tasks while stopped; archived is read-only. */
  #lifecycle(p: Project) {
    const busy = this.c.commands.busy;
    const run = (what: string, fn: () => Promise<void>, note: string) =>
      this.c.commands.run(what, async () => {
        await fn();
        this.c.notify(note);
      });
    return p.status.state === 'active'
      ? html`<div class="row lifecycle">
          <input name="stop-reason" placeholder="Reason (optional)" .value=${this.#stopReason} @input=${(e: Event) => (this.#stopReason = (e.target as HTMLInputElement).value)} />
          <button part="button" class="stop-project" ?disabled=${busy} @click=${() => run('stop', () => p.stop(this.#stopReason.trim() || undefined), 'Project stopped: labelers get no new tasks.')}>Stop</button>
          <button part="button" class="archive-project" ?disabled=${busy} @click=${() => run('archive', () => p.archive(this.#stopReason.trim() || undefined), 'Project archived: read-only, still exportable.')}>Archive</button>
        </div>`
      : html`<div class="row lifecycle">
          <button part="button" class="primary start-project" ?disabled=${busy} @click=${() => run('start', () => p.start(), 'Project started: labelers get tasks again.')}>Start</button>
        </div>`;
  }

  #sourceCard(p: Project, owner: boolean) {
    const source = this.c.source;
    const busy = this.c.commands.busy;
    return html`<div part="card" class="card">
      <h2>Data source</h2>
      ${
        source
          ? html`<p class="source">${source.description}</p>
            ${
              owner
                ? html`<div class="row">
                  <button part="button" class="refresh" ?disabled=${busy} @click=${() => this.#refreshNow(p)}>Refresh now</button>
                  <label>Every
                    <select name="refresh-interval" @change=${(e: Event) => this.#setRefresh(Number((e.target as HTMLSelectElement).value))}>
                      ${REFRESH_EVERY.map(([v, n]) => html`<option value=${v} ?selected=${this.#refreshEvery === v}>${n}</option>`)}
                    </select>
                  </label>
                </div>`
                : nothing
            }
            ${this.#lastRefresh ? html`<p class="small muted">Last refresh: ${refreshText(this.#lastRefresh)}</p>` : nothing}`
          : html`<p class="muted">No source given to the dashboard.</p>`
      }
    </div>`;
  }

  #labelsCard(p: Project, owner: boolean) {
    return html`<div part="card" class="card">
      <h2>Labels</h2>
      <ul class="label-list">${p.labels.map((l) => html`<li><i ${styleProps({ background: l.color })}></i>${l.name}${l.key ? html` <kbd>${l.key}</kbd>` : nothing}</li>`)}</ul>
      ${
        owner
          ? html`<form class="add-label" @submit=${(e: Event) => {
              e.preventDefault();
              void this.#addLabel(p);
            }}>
            <input name="label-name" placeholder="New label" .value=${this.#newLabel} @input=${(e: Event) => this.#set(() => (this.#newLabel = (e.target as HTMLInputElement).value))} />
            <fieldset>
              <legend>Labels given so far</legend>
              ${ADD_MODES.map(([v, n]) => html`<label><input type="radio" name="mode" value=${v} .checked=${this.#addMode === v} @change=${() => this.#set(() => (this.#addMode = v))} /> ${n}</label>`)}
            </fieldset>
            <button part="button" class="primary" ?disabled=${!this.#newLabel.trim() || this.c.commands.busy}>Add label</button>
          </form>`
          : nothing
      }
    </div>`;
  }

  #assistCard(p: Project, owner: boolean) {
    const busy = this.c.commands.busy;
    return html`<div part="card" class="card">
      <h2>ML assist</h2>
      <label class="row"><input type="checkbox" name="assist" .checked=${p.assist.enabled} ?disabled=${!owner || busy}
        @change=${(e: Event) => this.c.commands.run('assist', () => p.updateAssist({ enabled: (e.target as HTMLInputElement).checked }))} />
        ${p.assist.enabled ? 'On' : 'Off'}</label>
      ${
        owner
          ? html`<form class="assist-settings" @submit=${(e: Event) => this.#saveAssist(e, p)}>
            <label>First training after <input type="number" name="firstTrainingAt" min="1" step="1" required .value=${String(p.assist.firstTrainingAt)} /> labels</label>
            <label>then every <input type="number" name="retrainEvery" min="1" step="1" required .value=${String(p.assist.retrainEvery)} /> labels</label>
            <label>Suggest labels only where the model is right <input type="number" name="targetPrecision" min="0.5" max="1" step="0.01" required .value=${String(p.assist.targetPrecision)} /> of the time</label>
            <label class="row"><input type="checkbox" name="clustering" .checked=${p.assist.clustering} /> Put similar images on one page</label>
            <label class="row"><input type="checkbox" name="informative" .checked=${p.queueSettings.order === 'informative'} /> Serve the images the model is least sure of first</label>
            <button part="button" type="submit" ?disabled=${busy}>Save assist settings</button>
          </form>`
          : html`<p class="small muted">First training after ${p.assist.firstTrainingAt} labels, then every ${p.assist.retrainEvery}; target precision ${p.assist.targetPrecision}.</p>`
      }
    </div>`;
  }

  #instructionsCard(p: Project, owner: boolean) {
    const draft = this.#draftInstructions;
    const instructions = draft ?? p.instructions;
    return html`<div part="card" class="card wide">
      <h2>Instructions</h2>
      ${
        owner
          ? html`<textarea name="instructions" rows="6" aria-label="Instructions (markdown)" .value=${instructions} @input=${(e: Event) => this.#set(() => (this.#draftInstructions = (e.target as HTMLTextAreaElement).value))}></textarea>
            <div class="row">
              <button part="button" class="primary save-instructions" ?disabled=${draft === undefined || draft === p.instructions || this.c.commands.busy}
                @click=${() => this.#saveInstructions(p)}>Save instructions</button>
              <span class="small muted">Markdown. Preview:</span>
            </div>`
          : nothing
      }
      <div class="md">${unsafeHTML(markdownHtml(instructions || '_No instructions._', this.c.host, (err) => this.c.commands.fail(err, 'instructions')))}</div>
    </div>`;
  }
}

function refreshText(r: IngestReport): string {
  const parts = [`${r.listed.toLocaleString()} listed`, `${r.added.toLocaleString()} new`];
  if (r.changed) parts.push(`${r.changed.toLocaleString()} changed`);
  if (r.unsupported.count) parts.push(`${r.unsupported.count.toLocaleString()} not images`);
  if (r.overCap.count) parts.push(`${r.overCap.count.toLocaleString()} over the 500,000-item cap`);
  return `${parts.join(', ')}; ${r.total.toLocaleString()} items in all.`;
}
