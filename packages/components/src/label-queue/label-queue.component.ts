import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import {
  isClassificationKind,
  LabelkitError,
  type Actor,
  type FetchRetryOptions,
  type Annotation,
  type DataSource,
  type LabelClass,
  type Project,
  type Task,
  type TaskSize,
} from '@labelkit/core';
import { emit } from '../events.js';
import { ProjectController } from '../controllers/project-controller.js';
import { Commands } from '../controllers/commands.js';
import { loadCanvas, loadMarkdown, markdownHtml } from '../controllers/lazy.js';
import type { LabelCanvas } from '../label-canvas/label-canvas.component.js';
import { DraftSaver, accepted, startingWork, type QueueDraft } from './drafts.js';
import { TaskImages } from './task-images.js';
import { queueBinding, runQueueKey } from './keymap.js';
import type { RegionTask } from './region-task.js';
import { LeaseKeeper } from './lease.js';
import { GridSelection } from './grid.js';
import { TaskHintView, type TaskHint } from './hint.js';
import { renderActions, renderEmpty, renderGrid, renderHeader, renderPalette, type QueueView } from './views.js';
import { styles } from './label-queue.styles.js';
import { controlStyles, hostStyles } from '../styles/controls.styles.js';

export type { QueueDraft };

type Status = 'idle' | 'loading' | 'ready' | 'empty' | 'error';
type Work = ReadonlyMap<number, readonly Annotation[]>;

/**
 * The labeler's screen: instructions, the label palette (keys 1–9), and the current task — a grid
 * of 1, 4, 6 or 9 images for classification, one image on a `<label-canvas>` for boxes and polygons.
 * Work in progress autosaves as a draft, so a reload restores it.
 *
 * Keys (classification): arrows move, Space selects, A selects all, Esc clears, 1–9 tags the
 * selection (or the focused image, then moves on), Enter submits, S skips, V marks for review,
 * G changes the grid. Region projects: the canvas's keys (R, P, M, T, 1–9, …), Enter submits.
 *
 * @summary Label the next task of a project.
 *
 * @fires {CustomEvent<TaskLoadDetail>} label-task-load - A task is shown (with `restored` when a draft came back).
 * @fires {CustomEvent<TaskSubmitDetail>} label-task-submit - Labels were recorded.
 * @fires {CustomEvent<TaskSkipDetail>} label-task-skip - Items were skipped.
 * @fires {CustomEvent<DraftSaveDetail>} label-draft-save - The draft was saved.
 * @fires {CustomEvent<ErrorDetail>} label-error - A command failed (the message is also shown). An image whose bytes could not be fetched after retries gives `E_FETCH_FAILED` (during `image-load`) and is skipped, not marked unreadable.
 *
 * @csspart header - The bar with the project name, lane and counts.
 * @csspart lane - The lane badge of the task (manual, clustered, prelabeled).
 * @csspart instructions - The instructions panel (rendered markdown).
 * @csspart palette - The label buttons.
 * @csspart label - One label button.
 * @csspart grid - The classification grid.
 * @csspart tile - One image of the grid; selected tiles also have part `selected`.
 * @csspart canvas - The `<label-canvas>` of region projects.
 * @csspart actions - The Skip / Review / Submit bar.
 * @csspart button - Every button.
 * @csspart message - Empty, loading and error messages.
 * @csspart draft-status - "Draft saved" indicator.
 *
 * @cssprop --label-queue-accent - Selection and primary buttons (falls back to --label-accent).
 * @cssprop --label-queue-surface - Background (falls back to --label-surface).
 * @cssprop --label-queue-text - Text colour (falls back to --label-text).
 * @cssprop --label-queue-tile-size - Largest tile edge (default 220px).
 */
export class LabelQueue extends LitElement {
  static override styles = [hostStyles('queue'), controlStyles, styles];

  /** The project to label (opened with the labeler as its actor: `registry.open(id, { actor })`). */
  @property({ attribute: false }) project: Project | undefined;
  /** Where item bytes come from (its `url()` when it has one). Without it, item paths are used as URLs. */
  @property({ attribute: false }) source: DataSource | undefined;
  /** Images per classification task: 1, 4, 6 or 9. Region projects always use 1. */
  @property({ type: Number, attribute: 'grid-size', reflect: true }) gridSize: TaskSize = 4;
  /** Milliseconds of quiet before a draft is saved. */
  @property({ type: Number, attribute: 'autosave-delay' }) autosaveDelay = 250;
  /**
   * How a failed image fetch (network error, HTTP 404/5xx, storage outage) is retried before the item
   * is skipped with `E_FETCH_FAILED`: `retries` further attempts, waiting `baseMs` × 2^n (default 3 and
   * 250: 250, 500, 1000 ms). Only a decode failure of fetched bytes marks an item unreadable.
   */
  @property({ attribute: false }) fetchRetry: Pick<FetchRetryOptions, 'retries' | 'baseMs'> = { retries: 3, baseMs: 250 };
  /** The task this tab held (`readTaskHint`): shown, all commands off, until the project is open and its real task replaces it (hint.ts). */
  @property({ attribute: false }) hint: TaskHint | undefined;

  @state() private task: Task | undefined;
  @state() private status: Status = 'idle';
  /** The work on each item of the task: its tags, or the shapes the canvas reported (the one copy). */
  @state() private work: Work = new Map();
  /** Region projects: each item's prelabels not yet accepted or rejected (submitting accepts them). */
  @state() private pending: Work = new Map();
  @state() private needsReview = false;

  @query('label-canvas') private canvas?: LabelCanvas;
  @query('.grid') private gridEl?: HTMLElement;

  private readonly pc = new ProjectController(this, (change) => {
    // Another client's reject or a label class added may change our task; refresh the view only.
    if (change.origin === 'remote' && this.task) this.task = this.project?.currentTask();
  });
  private readonly commands = new Commands(this, {
    failed: (_err, during) => {
      if (during === 'task-load') this.status = 'error';
    },
    // A lease lost (expired, taken, or its task gone): show the next task, with the error.
    recover: async (err) => {
      if (!['E_LEASE_EXPIRED', 'E_CONFLICT', 'E_NOT_FOUND'].some((code) => LabelkitError.is(err, code as 'E_CONFLICT'))) return;
      const msg = this.commands.message;
      await this.next().catch(() => undefined);
      this.commands.message = msg;
    },
  });
  private readonly grid = new GridSelection(this, () => this.task);
  /** The focus the grid last moved to the screen (updated() focuses a tile when it changes). */
  private focused = -1;
  private readonly images = new TaskImages(this.context());
  private readonly drafts = new DraftSaver(this.context());
  private regions: RegionTask | undefined; // loaded with the canvas, by the first region task
  private readonly lease = new LeaseKeeper(this.context());
  private readonly hints = new TaskHintView(this, () => ({ status: this.status, stats: this.pc.stats }));
  private loadSeq = 0;

  constructor() {
    super();
    this.addEventListener('keydown', this.onKeyDown);
  }

  // ——— public API ———

  /** The user labeling: the project's actor (open the project as that user to switch users). */
  get user(): Actor | undefined {
    return this.project?.actor;
  }

  /** The task shown, if any. */
  get currentTask(): Task | undefined {
    return this.task;
  }

  /** The annotations given so far to an item of the current task. */
  annotationsOf(item: number): readonly Annotation[] {
    return this.work.get(item) ?? [];
  }

  /** Applies a label to the selected images (or the focused one); on a region project, to the canvas. */
  applyLabel(labelId: string): void {
    if (!this.task || !this.labels.some((l) => l.id === labelId)) return;
    if (!this.classification) return this.canvas?.applyLabel(labelId);
    const multi = this.project!.kind === 'image-classification-multilabel';
    const next = this.grid.tag(this.work, labelId, multi);
    if (!next) return;
    this.work = next;
    this.drafts.schedule();
  }

  /** Submits the task (every image needs a tag in classification; prelabels still shown are confirmed). */
  async submit(): Promise<void> {
    const task = this.task;
    if (!task || this.commands.busy || !this.canSubmit || !this.project || this.status !== 'ready') return;
    const results = task.items.map((it) => ({ item: it.index, annotations: [...(this.work.get(it.index) ?? []), ...(this.pending.get(it.index) ?? []).map(accepted)] }));
    this.drafts.state = 'none';
    const needsReview = this.needsReview;
    await this.commands.run('submit', async () => {
      await this.drafts.saved;
      // Write-behind: the next task is shown as soon as it is picked; the journal write (submission and
      // next lease, one segment) is confirmed after. A failed write shows the task again, with its work.
      const size = this.classification ? this.gridSize : 1;
      const seq = ++this.loadSeq;
      performance.mark('labelkit:submit');
      const { next, confirmed } = await this.project!.submitAndNext(task.id, results, { size, needsReview });
      performance.mark('labelkit:picked');
      await this.show(next, false, seq, size);
      confirmed.then(
        () => emit(this, 'label-task-submit', { taskId: task.id, items: results.map((r) => r.item), needsReview }),
        (err: unknown) => void this.restore(task, results, needsReview, err),
      );
    });
  }

  /** Skips the selected images, or the whole task when none is selected. */
  async skip(): Promise<void> {
    const task = this.task;
    if (!task || this.commands.busy || !this.project) return;
    const chosen = this.classification && this.grid.selected.size ? [...this.grid.selected] : task.items.map((i) => i.index);
    await this.commands.run('skip', async () => {
      await this.project!.skip(task.id, chosen);
      emit(this, 'label-task-skip', { taskId: task.id, items: chosen });
      const rest = this.project!.currentTask();
      if (!rest || rest.id !== task.id) return this.next();
      this.task = rest;
      this.work = new Map([...this.work].filter(([i]) => !chosen.includes(i)));
      this.grid.selected = new Set();
      this.grid.focus = 0;
      this.drafts.schedule();
    });
  }

  /** Gives the task back unlabeled and shows the next one. */
  async release(): Promise<void> {
    const task = this.task;
    if (!task || !this.project) return;
    await this.commands.run('release', async () => {
      await this.project!.release(task.id);
      await this.next();
    });
  }

  /** Reloads the current (or next) task from the project. */
  reload(): Promise<void> {
    return this.load();
  }

  // ——— lifecycle ———

  override connectedCallback(): void {
    super.connectedCallback();
    // The first load happens in willUpdate (when `project` is first set); this is for a re-attach.
    if (this.hasUpdated && this.project && this.status === 'idle') void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.images.abort();
    this.drafts.flush();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('source')) this.images.source = this.source;
    if (changed.has('project')) {
      this.pc.project = this.project;
      this.task = undefined;
      this.status = 'idle';
      if (this.isConnected && this.project) void this.load();
    }
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('task') || this.grid.focus !== this.focused) {
      this.focused = this.grid.focus;
      const tile = this.gridEl?.querySelectorAll<HTMLElement>('[part~="tile"]')[this.focused];
      if (tile && this.matches(':focus-within')) tile.focus({ preventScroll: false });
    }
  }

  /** What the images, the autosave and the region task (task-images.ts, drafts.ts, region-task.ts) see of the element. */
  private context() {
    const el = this;
    return {
      host: this,
      get project() {
        return el.project;
      },
      get task() {
        return el.task;
      },
      get commands() {
        return el.commands;
      },
      get fetchRetry() {
        return el.fetchRetry;
      },
      get delay() {
        return el.autosaveDelay;
      },
      get images() {
        return el.images;
      },
      get work() {
        return el.work;
      },
      get pending() {
        return el.pending;
      },
      edited: (item: number, annotations: readonly Annotation[], prelabels: readonly Annotation[]) => {
        this.work = new Map(this.work).set(item, annotations);
        this.pending = new Map(this.pending).set(item, prelabels);
        this.drafts.schedule();
      },
      itemLeft: () => this.itemLeft(),
      renewed: (task: Task) => {
        if (this.task?.id === task.id) this.task = task;
      },
      snapshot: (): QueueDraft => ({ work: [...this.work], needsReview: this.needsReview, pending: [...this.pending] }),
    };
  }

  // ——— loading ———

  private get classification(): boolean {
    return !!this.project && isClassificationKind(this.project.kind);
  }
  private get labels(): readonly LabelClass[] {
    return this.project?.labels ?? [];
  }
  private get canSubmit(): boolean {
    if (!this.task) return false;
    if (!this.classification) return true;
    return this.task.items.every((it) => (this.work.get(it.index) ?? []).length > 0);
  }

  private async load(): Promise<void> {
    const project = this.project;
    if (!project) return;
    const seq = ++this.loadSeq;
    this.status = 'loading';
    try {
      // A task already held (after a reload) may have a draft; a new lease cannot.
      const held = project.currentTask();
      const size = this.classification ? this.gridSize : 1;
      const task = held ?? (await project.nextTask({ size }));
      if (seq !== this.loadSeq) return;
      await this.show(task, !!held, seq, held ? undefined : size);
    } catch (err) {
      if (seq !== this.loadSeq) return;
      // Stopped or archived by an owner: no new task, which the empty view says (with the reason).
      if (LabelkitError.is(err, 'E_PROJECT_STOPPED') || LabelkitError.is(err, 'E_PROJECT_ARCHIVED')) return this.show(undefined);
      this.commands.fail(err, 'task-load');
    }
  }

  private async next(): Promise<void> {
    this.task = undefined;
    await this.load();
  }

  /** An item left the task (skipped, unreadable): show the rest of it, or the next task. */
  private async itemLeft(): Promise<void> {
    const rest = this.project!.currentTask();
    if (rest && rest.id === this.task?.id) this.task = rest;
    else await this.next();
  }

  private async show(task: Task | undefined, resumed = true, seq = this.loadSeq, size?: number): Promise<void> {
    this.drafts.state = 'none';
    this.grid.selected = new Set();
    this.grid.focus = 0;
    this.needsReview = false;
    this.commands.message = '';
    if (!task) {
      this.task = undefined;
      this.work = new Map();
      this.pending = new Map();
      this.status = 'empty';
      return;
    }
    // Pay for what is shown: <label-canvas> (Konva) for region tasks, the markdown renderer with
    // instructions — while the draft is read.
    const [draft] = await Promise.all([
      resumed ? this.drafts.load(task) : undefined,
      this.classification ? undefined : Promise.all([import('./region-task.js'), loadCanvas()]).then(([m]) => (this.regions ??= new m.RegionTask(this.context()))),
      this.project!.instructions ? loadMarkdown() : undefined,
    ]);
    // A newer load (a submit, a reload) started meanwhile: it shows its own task.
    if (seq !== this.loadSeq) return;
    const { work, pending } = startingWork(task, this.classification, draft);
    if (draft) {
      this.needsReview = !!draft.needsReview;
      this.drafts.state = 'saved';
    }
    this.work = work;
    this.pending = pending;
    this.grid.taskSize = size ?? task.items.length;
    this.regions?.reset();
    // Resume where the work stops: the first image without a tag.
    this.grid.focus = Math.max(
      0,
      task.items.findIndex((it) => !work.get(it.index)?.length),
    );
    this.task = task;
    this.status = 'ready';
    this.images.show(task);
    await this.updateComplete;
    if (!this.matches(':focus-within') && (document.activeElement === document.body || !document.activeElement)) this.focusWork();
    emit(this, 'label-task-load', { task, restored: !!draft });
    this.images.preloadNext(this.classification ? this.gridSize : 1);
  }

  /** A submission whose write failed: the task comes back as it was submitted, with the error. */
  private async restore(task: Task, results: readonly { item: number; annotations: readonly Annotation[] }[], needsReview: boolean, err: unknown): Promise<void> {
    const seq = ++this.loadSeq;
    const held = this.project?.currentTask();
    await this.show(held?.id === task.id ? held : task, true, seq);
    if (seq !== this.loadSeq) return;
    this.work = new Map(results.map((r) => [r.item, r.annotations]));
    this.pending = new Map();
    this.needsReview = needsReview;
    this.commands.fail(err, 'submit');
    this.drafts.schedule();
  }

  private focusWork(): void {
    if (this.classification) this.gridEl?.querySelectorAll<HTMLElement>('[part~="tile"]')[this.grid.focus]?.focus();
    else this.canvas?.focus();
  }

  // ——— input ———

  private setGrid(size: TaskSize): void {
    if (size === this.gridSize) return;
    this.gridSize = size;
    // The task held keeps its images and tags (the core resumes it); the next task uses the new size.
    this.grid.focus = Math.min(this.grid.focus, (this.task?.items.length ?? 1) - 1);
  }

  private setReview(on: boolean): void {
    this.needsReview = on;
    this.drafts.schedule();
  }

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || !this.task || this.status !== 'ready') return;
    const from = e.composedPath()[0];
    if (from instanceof HTMLInputElement || from instanceof HTMLTextAreaElement || from instanceof HTMLSelectElement) return;
    if (from instanceof HTMLButtonElement && (e.key === 'Enter' || e.key === ' ')) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const b = queueBinding({ key, mod: e.ctrlKey || e.metaKey || e.altKey, shift: e.shiftKey }, this.classification);
    if (!b) return;
    runQueueKey(b.command, key, this.view(), this.grid);
    e.preventDefault();
    e.stopPropagation();
  };

  // ——— rendering ———

  private view(): QueueView {
    return {
      task: this.task,
      labels: this.labels,
      classification: this.classification,
      work: this.work,
      selected: this.grid.selected,
      focusIndex: this.grid.focus,
      columns: this.grid.columns,
      taskSize: this.grid.taskSize,
      activeLabel: this.regions?.activeLabel,
      selectionLabels: this.regions?.selectionLabels() ?? [],
      targets: this.grid.targets(),
      url: (path) => this.images.url(path),
      decoded: (path) => this.images.decoded(path),
      applyLabel: (id) => this.applyLabel(id),
      tileClick: (k, item, e) => {
        this.grid.focus = k;
        this.grid.toggle(item, !(e.ctrlKey || e.metaKey || e.shiftKey));
      },
      toggleSelect: (item) => this.grid.toggle(item),
      tileLoaded: (it, img) => this.images.tileLoaded(it, img),
      imageFailed: (it, err) => this.images.failed(it, err),
      gridSize: this.gridSize,
      busy: this.commands.busy,
      canSubmit: this.canSubmit,
      needsReview: this.needsReview,
      canRequeue: !!this.project?.can('reviewer'),
      setGrid: (n) => this.setGrid(n),
      setReview: (on) => this.setReview(on),
      skip: () => void this.skip(),
      submit: () => void this.submit(),
      load: () => void this.load(),
      requeueSkipped: () =>
        void this.commands.run('requeue', async () => {
          await this.project!.requeueSkipped();
          await this.load();
        }),
    };
  }

  protected override render() {
    const p = this.project;
    if (this.hints.preview) return this.hints.render(this.hints.preview);
    if (!p) return html`<div part="message" class="message">No project.</div>`;
    const view = this.view();
    return html`
      ${renderHeader(view, p.name, this.pc.stats!, this.drafts.state)}
      ${
        p.instructions
          ? html`<details part="instructions" class="instructions">
            <summary>Instructions</summary>
            <div class="md">${unsafeHTML(markdownHtml(p.instructions, this, (err) => this.commands.fail(err, 'instructions')))}</div>
          </details>`
          : nothing
      }
      ${renderPalette(view)}
      ${this.commands.message ? html`<div part="message" class="message error" role="alert">${this.commands.message}</div>` : nothing}
      ${this.renderBody(view)}
    `;
  }

  private renderBody(view: QueueView) {
    if (this.status === 'loading' && !this.task) return html`<div part="message" class="message">Loading the next task…</div>`;
    if (this.status === 'error') return html`<div part="message" class="message"><button part="button" @click=${() => this.load()}>Try again</button></div>`;
    if (this.status === 'empty' || !this.task) return renderEmpty(view, this.pc.stats!, this.project?.status);
    return html`${this.classification ? renderGrid(view, this.task) : this.regions?.render(this.task, this.labels)} ${renderActions(view)}`;
  }
}
