import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
// Arrays are set again on every render (Lit cannot tell them unchanged), and the canvas resets its
// model when its annotations or prelabels are replaced: guard sets them only when they did change.
import { guard } from 'lit/directives/guard.js';
import {
  isClassificationKind,
  isFetchFailure,
  LabelkitError,
  retryFetch,
  type Actor,
  type FetchRetryOptions,
  type Annotation,
  type DataSource,
  type ItemView,
  type LabelClass,
  type Project,
  type Task,
  type TaskSize,
} from '@labelkit/core';
import { emit } from '../events.js';
import { styleProps } from '../directives/style-props.js';
import { ProjectController } from '../controllers/project-controller.js';
import { ImageUrls } from '../controllers/image-url.js';
import { loadCanvas, loadMarkdown, markdownHtml } from '../controllers/lazy.js';
import type { LabelCanvas, ShapeKind } from '../label-canvas/label-canvas.component.js';
import { labelForKey, labelKey } from '../label-keys.js';
import { styles } from './label-queue.styles.js';
import { controlStyles } from '../styles/controls.styles.js';

/** What a draft holds: the work on each item of the task, and the review flag. */
export interface QueueDraft {
  readonly work: readonly (readonly [number, readonly Annotation[]])[];
  readonly needsReview: boolean;
  /** Items whose prelabels were already accepted or rejected (region projects). */
  readonly decided?: readonly number[];
}

const EMPTY: readonly Annotation[] = Object.freeze([]);
const BOX_ONLY: readonly ShapeKind[] = Object.freeze(['box']);
const POLYGON_ONLY: readonly ShapeKind[] = Object.freeze(['polygon']);

type Status = 'idle' | 'loading' | 'ready' | 'empty' | 'error';

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
  static override styles = [controlStyles, styles];

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

  @state() private task: Task | undefined;
  @state() private status: Status = 'idle';
  @state() private message = '';
  @state() private work = new Map<number, readonly Annotation[]>();
  @state() private selected = new Set<number>();
  @state() private focusIndex = 0;
  @state() private needsReview = false;
  @state() private draftState: 'none' | 'saving' | 'saved' = 'none';
  @state() private busy = false;
  @state() private urls = new Map<string, string>();
  @state() private activeLabel: string | undefined;
  /** Labels of the shapes selected on the canvas (region projects): shown apart from the active label. */
  @state() private selectionLabels: readonly string[] = [];
  /** The size the task on screen was asked with; the grid keeps its columns when items leave it. */
  @state() private taskSize = 0;

  @query('label-canvas') private canvas?: LabelCanvas;
  @query('.grid') private gridEl?: HTMLElement;

  private readonly pc = new ProjectController(this, (change) => {
    // Another client's reject or a label class added may change our task; refresh the view only.
    if (change.origin === 'remote' && this.task) this.task = this.project?.currentTask();
  });
  private readonly images = new ImageUrls(undefined);
  private decided = new Set<number>();
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private loadSeq = 0;
  private renewTimer: ReturnType<typeof setInterval> | undefined;
  private lastSaved: Promise<void> = Promise.resolve();
  /** Aborts image fetches and their retries when the task on screen changes or the element goes. */
  private fetches = new AbortController();

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
    if (!this.classification) {
      this.canvas?.applyLabel(labelId);
      this.syncCanvasState();
      return;
    }
    const items = this.targets();
    if (!items.length) return;
    const multi = this.project!.kind === 'image-classification-multilabel';
    const next = new Map(this.work);
    const allHave = items.every((i) => (next.get(i) ?? []).some((a) => a.label === labelId));
    for (const i of items) {
      const cur = (next.get(i) ?? []).filter((a) => a.kind === 'class');
      if (!multi) next.set(i, [{ kind: 'class', label: labelId }]);
      else if (allHave)
        next.set(
          i,
          cur.filter((a) => a.label !== labelId),
        );
      else if (!cur.some((a) => a.label === labelId)) next.set(i, [...cur, { kind: 'class', label: labelId }]);
    }
    this.work = next;
    // Keyboard flow: tagging the focused image alone moves on to the next one without a tag.
    if (!this.selected.size && !multi) {
      const n = this.task.items.length;
      for (let k = 1; k <= n; k++) {
        const j = (this.focusIndex + k) % n;
        if (!(next.get(this.task.items[j].index) ?? []).length) {
          this.focusIndex = j;
          break;
        }
      }
    }
    this.scheduleSave();
  }

  /** Submits the task (every image needs a tag in classification). */
  async submit(): Promise<void> {
    const task = this.task;
    if (!task || this.busy || !this.canSubmit || !this.project || this.status !== 'ready') return;
    if (!this.classification && this.canvas) {
      // Prelabels still shown are confirmed by submitting them.
      if (this.canvas.prelabels.length && !this.decided.has(task.items[0].index)) this.canvas.acceptPrelabels();
      this.work = new Map(this.work).set(task.items[0].index, this.canvas.annotations);
    }
    const results = task.items.map((it) => ({ item: it.index, annotations: this.work.get(it.index) ?? [] }));
    clearTimeout(this.saveTimer);
    this.draftState = 'none';
    const needsReview = this.needsReview;
    await this.command('submit', async () => {
      await this.lastSaved;
      // Write-behind: the next task is shown as soon as it is picked; the journal write (the
      // submission and the next lease, one segment) is confirmed after. A failed write shows the
      // submitted task again, with its work, and the error.
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

  /** A submission whose write failed: the task comes back as it was submitted, with the error. */
  private async restore(task: Task, results: readonly { item: number; annotations: readonly Annotation[] }[], needsReview: boolean, err: unknown): Promise<void> {
    const seq = ++this.loadSeq;
    const held = this.project?.currentTask();
    await this.show(held?.id === task.id ? held : task, true, seq);
    if (seq !== this.loadSeq) return;
    this.work = new Map(results.map((r) => [r.item, r.annotations]));
    this.needsReview = needsReview;
    this.fail(err, 'submit');
    this.scheduleSave();
  }

  /** Warms the images of the task that will come next, so it shows at once after a submit. */
  private preloadNext(size: TaskSize): void {
    const upcoming = this.project?.peekNext(size) ?? [];
    this.preloaded = upcoming.map((it) => {
      const img = new Image();
      void this.images
        .get(it.path, this.fetches.signal)
        .then((url) => {
          img.src = url;
          return img.decode();
        })
        .catch(() => undefined); // shown later, with retries, if it really fails
      return img;
    });
  }
  /** Held so the preloaded images are not collected before they are shown. */
  private preloaded: HTMLImageElement[] = [];

  /** Skips the selected images, or the whole task when none is selected. */
  async skip(): Promise<void> {
    const task = this.task;
    if (!task || this.busy || !this.project) return;
    const chosen = this.classification && this.selected.size ? [...this.selected] : task.items.map((i) => i.index);
    await this.command('skip', async () => {
      await this.project!.skip(task.id, chosen);
      emit(this, 'label-task-skip', { taskId: task.id, items: chosen });
      const rest = this.project!.currentTask();
      if (rest && rest.id === task.id) {
        this.task = rest;
        for (const i of chosen) this.work.delete(i);
        this.selected = new Set();
        this.focusIndex = 0;
        this.scheduleSave();
      } else {
        await this.next();
      }
    });
  }

  /** Gives the task back unlabeled and shows the next one. */
  async release(): Promise<void> {
    const task = this.task;
    if (!task || !this.project) return;
    await this.command('release', async () => {
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
    // Keeps the lease of the task on screen alive while the labeler works on it.
    this.renewTimer = setInterval(() => this.renewIfDue(), 30_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.renewTimer);
    this.fetches.abort();
    this.flushSave();
  }

  private renewIfDue(): void {
    const t = this.task;
    const p = this.project;
    if (!t || !p || this.busy || document.visibilityState === 'hidden') return;
    if (t.expiresAt - p.now() > p.queueSettings.leaseMs / 3) return;
    p.renewLease(t.id).then(
      (renewed) => {
        if (this.task?.id === renewed.id) this.task = renewed;
      },
      (err) => this.fail(err, 'lease-renew'),
    );
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
    if (changed.has('focusIndex') || changed.has('task')) {
      const tile = this.gridEl?.querySelectorAll<HTMLElement>('[part~="tile"]')[this.focusIndex];
      if (tile && this.matches(':focus-within')) tile.focus({ preventScroll: false });
    }
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
      this.fail(err, 'task-load');
    }
  }

  private async next(): Promise<void> {
    this.task = undefined;
    await this.load();
  }

  private async show(task: Task | undefined, resumed = true, seq = this.loadSeq, size?: number): Promise<void> {
    clearTimeout(this.saveTimer);
    this.selected = new Set();
    this.focusIndex = 0;
    this.decided = new Set();
    this.needsReview = false;
    this.draftState = 'none';
    this.message = '';
    if (!task) {
      this.task = undefined;
      this.work = new Map();
      this.status = 'empty';
      return;
    }
    // Pay for what is shown: <label-canvas> (Konva) for region tasks, the markdown renderer with instructions.
    await Promise.all([this.classification ? undefined : loadCanvas(), this.project!.instructions ? loadMarkdown() : undefined]);
    const draft = resumed ? await this.project!.loadDraft<QueueDraft>(task.id).catch(() => undefined) : undefined;
    // A newer load (a submit, a reload) started meanwhile: it shows its own task.
    if (seq !== this.loadSeq) return;
    const work = new Map<number, readonly Annotation[]>();
    const open = new Set(task.items.map((i) => i.index));
    for (const it of task.items) {
      if (it.prelabels?.length && this.classification)
        work.set(
          it.index,
          it.prelabels.map(({ kind, label }) => ({ kind, label }) as Annotation),
        );
      else if (it.annotations.length) work.set(it.index, it.annotations);
    }
    if (draft) {
      for (const [i, anns] of draft.work) if (open.has(i)) work.set(i, anns);
      this.needsReview = !!draft.needsReview;
      this.decided = new Set(draft.decided ?? []);
      this.draftState = 'saved';
    }
    this.work = work;
    this.taskSize = size ?? task.items.length;
    this.selectionLabels = [];
    // Resume where the work stops: the first image without a tag.
    this.focusIndex = Math.max(
      0,
      task.items.findIndex((it) => !work.get(it.index)?.length),
    );
    this.task = task;
    this.status = 'ready';
    this.images.clear(task.items.map((i) => i.path));
    this.urls = new Map(task.items.map((i) => [i.path, this.images.peek(i.path) ?? '']));
    this.fetches.abort();
    this.fetches = new AbortController();
    for (const it of task.items) {
      if (!this.urls.get(it.path)) void this.fetchImage(it, () => this.images.get(it.path, this.fetches.signal));
    }
    await this.updateComplete;
    if (!this.matches(':focus-within') && (document.activeElement === document.body || !document.activeElement)) this.focusWork();
    emit(this, 'label-task-load', { task, restored: !!draft });
    this.preloadNext(this.classification ? this.gridSize : 1);
  }

  private focusWork(): void {
    if (this.classification) this.gridEl?.querySelectorAll<HTMLElement>('[part~="tile"]')[this.focusIndex]?.focus();
    else this.canvas?.focus();
  }

  /**
   * Gets an item's image URL through `load`, retrying fetch failures (`fetchRetry`). Bytes that then
   * fail to decode make the item unreadable; bytes that never arrive skip it with E_FETCH_FAILED.
   */
  private async fetchImage(item: ItemView, load: () => Promise<string>): Promise<void> {
    const signal = this.fetches.signal;
    try {
      const url = await retryFetch(load, { ...this.fetchRetry, signal, what: item.path });
      if (!signal.aborted) this.urls = new Map(this.urls).set(item.path, url);
    } catch (err) {
      if (signal.aborted || LabelkitError.is(err, 'E_ABORTED')) return;
      if (LabelkitError.is(err, 'E_FETCH_FAILED')) await this.fetchFailed(item, err);
      else await this.unreadable(item, err);
    }
  }

  /**
   * An image failed to show. An `<img>` or the canvas cannot tell a missing or unreachable file from
   * a broken one, so unless the bytes were already here (a blob: URL) they are fetched again through
   * the source, with retries, before anything is decided.
   */
  private imageFailed(item: ItemView, err: unknown): void {
    const url = this.urls.get(item.path) ?? '';
    const fetched = url.startsWith('blob:') || url.startsWith('data:');
    if (LabelkitError.is(err, 'E_ABORTED')) return;
    // Only what the bytes are makes an item unreadable. A media worker that did not start
    // (E_WORKER_FAILED), or any other failure of this page, is reported and the item left as it is.
    if (err instanceof LabelkitError && !isFetchFailure(err) && !['E_CORRUPT_IMAGE', 'E_UNSUPPORTED_FORMAT', 'E_IMAGE_TOO_LARGE'].includes(err.code)) {
      this.fail(err, 'image-load');
      return;
    }
    if (fetched && !isFetchFailure(err)) {
      void this.unreadable(item, err);
      return;
    }
    const source = this.source;
    if (!source) {
      // No source to read from: the path is the URL, and the browser could not show it.
      void this.unreadable(item, err);
      return;
    }
    void this.fetchImage(item, async () => this.images.adopt(item.path, await source.read(item.path, { signal: this.fetches.signal })));
  }

  /** Bytes that never arrived: report E_FETCH_FAILED and skip the item (an owner can requeue skipped items). */
  private async fetchFailed(item: ItemView, err: LabelkitError): Promise<void> {
    if (!this.task?.items.some((i) => i.index === item.index)) return;
    this.fail(err, 'image-load');
    const message = this.message;
    const taskId = this.task.id;
    await this.command('skip-unfetched', async () => {
      await this.project!.skip(taskId, [item.index]);
      const rest = this.project!.currentTask();
      if (rest && rest.id === this.task?.id) this.task = rest;
      else await this.next();
    });
    this.message = message;
  }

  private async unreadable(item: ItemView, err: unknown): Promise<void> {
    const e = err as { code?: string; message?: string };
    await this.command('mark-unreadable', async () => {
      await this.project!.markUnreadable(item.index, e.code ?? 'E_CORRUPT_IMAGE', e.message ?? String(err));
      const rest = this.project!.currentTask();
      if (rest && rest.id === this.task?.id) this.task = rest;
      else await this.next();
    });
  }

  private async command(during: string, fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    try {
      await fn();
    } catch (err) {
      this.fail(err, during);
      if (LabelkitError.is(err, 'E_LEASE_EXPIRED') || LabelkitError.is(err, 'E_CONFLICT') || LabelkitError.is(err, 'E_NOT_FOUND')) {
        const msg = this.message;
        await this.next().catch(() => undefined);
        this.message = msg;
      }
    } finally {
      this.busy = false;
    }
  }

  private fail(err: unknown, during: string): void {
    this.message = err instanceof Error ? err.message : String(err);
    if (during === 'task-load') this.status = 'error';
    emit(this, 'label-error', { error: err, during });
  }

  // ——— drafts ———

  private scheduleSave(): void {
    if (!this.task) return;
    clearTimeout(this.saveTimer);
    this.draftState = 'saving';
    this.saveTimer = setTimeout(() => this.flushSave(), this.autosaveDelay);
  }

  private flushSave(): void {
    if (this.draftState !== 'saving' || !this.task || !this.project) return;
    clearTimeout(this.saveTimer);
    const taskId = this.task.id;
    const draft: QueueDraft = { work: [...this.work], needsReview: this.needsReview, decided: [...this.decided] };
    this.lastSaved = this.project.saveDraft(taskId, draft).then(
      () => {
        if (this.task?.id === taskId) this.draftState = 'saved';
        emit(this, 'label-draft-save', { taskId });
      },
      (err) => this.fail(err, 'draft-save'),
    );
  }

  // ——— input ———

  private targets(): number[] {
    if (!this.task) return [];
    if (this.selected.size) return this.task.items.filter((it) => this.selected.has(it.index)).map((it) => it.index);
    const f = this.task.items[this.focusIndex];
    return f ? [f.index] : [];
  }

  private toggleSelect(item: number, only = false): void {
    const next = only ? new Set<number>() : new Set(this.selected);
    if (this.selected.has(item) && (!only || this.selected.size === 1)) next.delete(item);
    else next.add(item);
    this.selected = next;
  }

  private selectAll(): void {
    if (!this.task) return;
    const all = this.task.items.map((i) => i.index);
    this.selected = this.selected.size === all.length ? new Set() : new Set(all);
  }

  private setGrid(size: TaskSize): void {
    if (size === this.gridSize) return;
    this.gridSize = size;
    // The task held keeps its images and tags (the core resumes it); the next task uses the new size.
    this.focusIndex = Math.min(this.focusIndex, (this.task?.items.length ?? 1) - 1);
  }

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || !this.task || this.status !== 'ready') return;
    const from = e.composedPath()[0];
    if (from instanceof HTMLInputElement || from instanceof HTMLTextAreaElement || from instanceof HTMLSelectElement) return;
    if (from instanceof HTMLButtonElement && (e.key === 'Enter' || e.key === ' ')) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const mod = e.ctrlKey || e.metaKey || e.altKey;
    let handled = true;
    if (key === 'Enter' && !mod) void this.submit();
    else if (mod && key === 'a' && this.classification) this.selectAll();
    else if (mod) handled = false;
    else if (/^[0-9]$/.test(key) && this.classification) {
      const l = labelForKey(this.labels, key);
      if (l) this.applyLabel(l.id);
    } else if (key === 's') void this.skip();
    else if (key === 'v') {
      this.needsReview = !this.needsReview;
      this.scheduleSave();
    } else if (!this.classification) handled = false;
    else if (key === 'a') this.selectAll();
    else if (key === 'Escape') this.selected = new Set();
    else if (key === ' ') {
      const it = this.task.items[this.focusIndex];
      if (it) this.toggleSelect(it.index);
    } else if (key.startsWith('Arrow')) this.moveFocus(key);
    else if (key === 'g') this.setGrid(([1, 4, 6, 9] as TaskSize[])[(([1, 4, 6, 9] as TaskSize[]).indexOf(this.gridSize) + 1) % 4]);
    else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  /** Columns of the grid: from the size the task was asked with, so skipping images never reflows it. */
  private get columns(): number {
    const n = Math.max(this.taskSize, this.task?.items.length ?? 1);
    return n <= 1 ? 1 : n <= 4 ? 2 : 3;
  }

  private moveFocus(key: string): void {
    const n = this.task?.items.length ?? 0;
    if (!n) return;
    const c = this.columns;
    const d = key === 'ArrowLeft' ? -1 : key === 'ArrowRight' ? 1 : key === 'ArrowUp' ? -c : c;
    this.focusIndex = Math.min(n - 1, Math.max(0, this.focusIndex + d));
  }

  /** Mirrors the canvas's active label and the selection's labels into the palette. */
  private syncCanvasState(): void {
    const c = this.canvas;
    if (!c) return;
    this.activeLabel = c.effectiveLabel;
    const byId = new Map(c.annotations.map((a) => [(a as { id?: string }).id, a]));
    const sel = c.selectedIds.map((id) => byId.get(id)?.label ?? c.prelabels.find((p) => (p as { id?: string }).id === id)?.label).filter((l): l is string => !!l);
    this.selectionLabels = [...new Set(sel)];
  }

  private onCanvasChange = (): void => {
    this.syncCanvasState();
    const c = this.canvas;
    const it = this.task?.items[0];
    // Only edits of the image shown count (never a late event from the previous task's image).
    if (!c || !it || this.busy || c.image !== this.urls.get(it.path)) return;
    this.work = new Map(this.work).set(it.index, c.annotations);
    this.scheduleSave();
  };

  private onPrelabelDecision = (): void => {
    const it = this.task?.items[0];
    if (it) this.decided.add(it.index);
    this.onCanvasChange();
  };

  private onImageLoad = (e: CustomEvent<{ width: number; height: number; frames: number }>): void => {
    const it = this.task?.items[0];
    if (!it || !this.project || (it.width === e.detail.width && it.height === e.detail.height)) return;
    this.project.setItemSizes([{ item: it.index, width: e.detail.width, height: e.detail.height, frames: e.detail.frames }]).catch((err) => this.fail(err, 'image-size'));
  };

  private onTileImageLoad(it: ItemView, e: Event): void {
    const img = e.target as HTMLImageElement;
    if (!this.project || it.width || !img.naturalWidth) return;
    this.project.setItemSizes([{ item: it.index, width: img.naturalWidth, height: img.naturalHeight }]).catch(() => undefined);
  }

  // ——— rendering ———

  protected override render() {
    const p = this.project;
    if (!p) return html`<div part="message" class="message">No project.</div>`;
    const stats = this.pc.stats!;
    const left = stats.counts.todo + stats.counts.assigned;
    return html`
      <header part="header">
        <strong class="name">${p.name}</strong>
        ${this.task ? html`<span part="lane" class="lane lane-${this.task.lane}" title="Queue lane">${this.task.lane}</span>` : nothing}
        <span class="counts" aria-live="polite">${stats.counts.labeled + stats.counts['needs-review']} labeled · ${left} to go</span>
        <span class="spacer"></span>
        ${
          this.classification
            ? html`<span class="grid-pick" role="group" aria-label="Images per task">
              ${([1, 4, 6, 9] as TaskSize[]).map(
                (n) =>
                  html`<button part="button" class="size ${this.task && this.taskSize === n ? 'current' : ''}" aria-pressed=${this.gridSize === n} @click=${() => this.setGrid(n)} title="${n} per task${this.task && this.taskSize === n ? ' (this task)' : ''}">${n}</button>`,
              )}
            </span>
            ${
              this.task && this.taskSize && this.gridSize !== this.taskSize
                ? html`<span part="grid-hint" class="grid-hint" role="status">${this.gridSize} per task from the next task</span>`
                : nothing
            }`
            : nothing
        }
        <span part="draft-status" class="draft ${this.draftState}">${this.draftState === 'saved' ? 'Draft saved' : this.draftState === 'saving' ? 'Saving…' : ''}</span>
      </header>
      ${
        p.instructions
          ? html`<details part="instructions" class="instructions">
            <summary>Instructions</summary>
            <div class="md">${unsafeHTML(markdownHtml(p.instructions, this, (err) => this.fail(err, 'instructions')))}</div>
          </details>`
          : nothing
      }
      ${this.renderPalette()}
      ${this.message ? html`<div part="message" class="message error" role="alert">${this.message}</div>` : nothing}
      ${this.renderBody()}
    `;
  }

  /**
   * The labels with their keys. Classification: pressed = tagged on the focused or selected images.
   * Regions: pressed = the active label (what the next shape gets); the selected shapes' labels are
   * marked apart (part `in-selection`), and a line names both.
   */
  private renderPalette() {
    const tagged = new Set(this.targets().flatMap((i) => (this.work.get(i) ?? []).map((a) => a.label)));
    const active = this.activeLabel ?? this.labels[0]?.id;
    const inSel = new Set(this.selectionLabels);
    const nameOf = (id: string | undefined) => this.labels.find((l) => l.id === id)?.name ?? '';
    return html`<div part="palette" class="palette" role="toolbar" aria-label="Labels">
      ${this.labels.map((l, i) => {
        const key = labelKey(this.labels, i);
        const marked = !this.classification && inSel.has(l.id);
        return html`<button
          part="label button${marked ? ' in-selection' : ''}"
          class="label ${marked ? 'in-selection' : ''}"
          ${styleProps({ '--c': l.color })}
          aria-pressed=${this.classification ? tagged.has(l.id) : active === l.id}
          aria-keyshortcuts=${key ?? nothing}
          title=${key ? `${l.name} (key ${key})` : l.name}
          ?disabled=${!this.task}
          @click=${() => this.applyLabel(l.id)}
        >${key ? html`<kbd aria-hidden="true">${key}</kbd> ` : nothing}<span class="label-name">${l.name}</span></button>`;
      })}
      ${
        !this.classification && this.task
          ? html`<span part="palette-state" class="palette-state">New shapes: <strong>${nameOf(active)}</strong>${
              this.selectionLabels.length ? html` · Selected: <strong>${this.selectionLabels.map(nameOf).join(', ')}</strong>` : nothing
            }</span>`
          : nothing
      }
    </div>`;
  }

  private renderBody() {
    if (this.status === 'loading' && !this.task) return html`<div part="message" class="message">Loading the next task…</div>`;
    if (this.status === 'error') return html`<div part="message" class="message"><button part="button" @click=${() => this.load()}>Try again</button></div>`;
    if (this.status === 'empty' || !this.task) {
      const s = this.pc.stats!;
      return html`<div part="message" class="message empty">
        <p><strong>No tasks left.</strong> ${s.total ? `${s.counts.labeled + s.counts['needs-review']} of ${s.total} items are labeled.` : 'This project has no items yet.'}</p>
        ${
          s.counts.skipped && this.project!.can('reviewer')
            ? html`<button part="button" @click=${() =>
                this.command('requeue', async () => {
                  await this.project!.requeueSkipped();
                  await this.load();
                })}>Requeue ${s.counts.skipped} skipped</button>`
            : nothing
        }
        <button part="button" @click=${() => this.load()}>Check again</button>
      </div>`;
    }
    return html`
      ${this.classification ? this.renderGrid(this.task) : this.renderCanvas(this.task)}
      <div part="actions" class="actions ${this.classification ? 'sticky' : ''}">
        ${this.classification ? html`<span class="hint">${this.selected.size ? `${this.selected.size} selected` : 'Space selects · A all · 1–9, 0 tag'}</span>` : nothing}
        <span class="spacer"></span>
        <label class="review"><input type="checkbox" .checked=${this.needsReview} @change=${(e: Event) => {
          this.needsReview = (e.target as HTMLInputElement).checked;
          this.scheduleSave();
        }} /> Needs review <kbd>V</kbd></label>
        <button part="button" class="skip" ?disabled=${this.busy} @click=${() => this.skip()}>Skip${this.classification && this.selected.size ? ` ${this.selected.size}` : ''} <kbd>S</kbd></button>
        <button part="button" class="submit primary" ?disabled=${this.busy || !this.canSubmit} @click=${() => this.submit()}>Submit <kbd>Enter</kbd></button>
      </div>
    `;
  }

  private renderGrid(task: Task) {
    const byId = new Map(this.labels.map((l) => [l.id, l]));
    const rows = Math.ceil(Math.max(this.taskSize, task.items.length) / this.columns);
    return html`<div part="grid" class="grid cols-${this.columns} rows-${rows}" role="listbox" aria-multiselectable="true" aria-label="Images of this task">
      ${task.items.map((it, k) => {
        const tags = this.work.get(it.index) ?? [];
        const sel = this.selected.has(it.index);
        const pre = !!it.prelabels?.length;
        return html`<div
          part="tile${sel ? ' selected' : ''}"
          class="tile ${sel ? 'selected' : ''} ${k === this.focusIndex ? 'focused' : ''}"
          role="option"
          aria-selected=${sel}
          tabindex=${k === this.focusIndex ? 0 : -1}
          data-item=${it.index}
          @click=${(e: MouseEvent) => {
            this.focusIndex = k;
            this.toggleSelect(it.index, !(e.ctrlKey || e.metaKey || e.shiftKey));
          }}
        >
          ${
            this.urls.get(it.path)
              ? html`<img
                alt=${it.path}
                src=${this.urls.get(it.path)!}
                draggable="false"
                @load=${(e: Event) => this.onTileImageLoad(it, e)}
                @error=${() => this.imageFailed(it, new LabelkitError('E_CORRUPT_IMAGE', `The browser could not decode ${it.path}; it was set aside as unreadable.`))}
              />`
              : html`<span class="loading">…</span>`
          }
          <!-- A box to tick with the mouse (adds to the selection); not a control inside the option, whose aria-selected says it. -->
          <span class="check ${sel ? 'on' : ''}" aria-hidden="true" @click=${(e: Event) => {
            e.stopPropagation();
            this.toggleSelect(it.index);
          }}>${sel ? '✓' : ''}</span>
          <div class="tags">
            ${tags.map((a) => {
              const l = byId.get(a.label);
              const suggested = pre && !this.decidedTile(it);
              return html`<span class="tag ${suggested ? 'suggested' : ''}" ${styleProps({ '--c': l?.color ?? '#888' })} title=${suggested ? 'Suggested by ML assist: submit to confirm, or press another key to correct' : ''}>${l?.name ?? a.label}</span>`;
            })}
          </div>
        </div>`;
      })}
    </div>`;
  }

  private decidedTile(it: ItemView): boolean {
    const now = this.work.get(it.index) ?? [];
    const pre = it.prelabels ?? [];
    return !(now.length === pre.length && now.every((a, i) => a.label === pre[i].label));
  }

  private renderCanvas(task: Task) {
    const it = task.items[0];
    const url = this.urls.get(it.path);
    const kind = this.project!.kind;
    return html`<label-canvas
      part="canvas"
      .image=${url ? url : null}
      .labels=${this.labels}
      .annotations=${guard([task.id, it.index, this.work.get(it.index)], () => this.work.get(it.index) ?? EMPTY)}
      .prelabels=${guard([task.id, it.index, it.prelabels, this.decided.has(it.index) || !!this.work.get(it.index)?.length], () =>
        this.decided.has(it.index) || this.work.get(it.index)?.length ? EMPTY : (it.prelabels ?? EMPTY),
      )}
      mode=${kind === 'image-object-detection' ? 'box' : 'polygon'}
      .shapes=${kind === 'image-object-detection' ? BOX_ONLY : POLYGON_ONLY}
      rail="start"
      region-list
      @label-tool-change=${this.syncCanvasState}
      @label-selection-change=${this.syncCanvasState}
      @label-annotation-create=${this.onCanvasChange}
      @label-annotation-update=${this.onCanvasChange}
      @label-annotation-delete=${this.onCanvasChange}
      @label-prelabel-accept=${this.onPrelabelDecision}
      @label-prelabel-reject=${this.onPrelabelDecision}
      @label-image-load=${this.onImageLoad}
      @label-error=${(e: CustomEvent) => {
        if (e.detail.during === 'image-load') this.imageFailed(it, e.detail.error);
      }}
    ></label-canvas>`;
  }
}
