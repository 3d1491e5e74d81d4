import type { IngestReport } from './ingest.js';
import type { JournalEvent, LabelAddMode } from './journal/events.js';
import type { JournalCursor, Journal } from './journal/journal.js';
import * as assist from './project/assist.js';
import { ProjectCore } from './project/core.js';
import * as items from './project/items.js';
import { loadProject } from './project/load.js';
import * as review from './project/review.js';
import * as settings from './project/settings.js';
import * as tasks from './project/tasks.js';
import * as team from './project/team.js';
import type { ItemLabels, OpenReport, ProjectChange, ProjectOptions, Task } from './project/types.js';
import type { DataSource } from './sources/source.js';
import type { ProjectState, RunRecord, Stats } from './state/project-state.js';
import type { Store } from './store/store.js';
import type { ConsensusSummary, ConsensusView, LabelerStats, ProjectStatus } from './team/team-state.js';
import type {
  Actor,
  Annotation,
  AssistSettings,
  ItemRef,
  ItemState,
  ItemView,
  LabelClass,
  ProjectKind,
  ProjectReader,
  QueueSettings,
  Role,
  RunKind,
  RunStatus,
  TaskSize,
} from './types.js';

export { loadSharedModule } from './project/shared-module.js';
export type { ItemLabels, OpenReport, ProjectChange, ProjectOptions, Task } from './project/types.js';

/**
 * A labeling project: commands in, journal events out. Every command checks the actor's role,
 * validates, appends its events durably to the journal and only then applies them to the state,
 * so a failed write changes nothing and loses nothing. Commands run one at a time.
 *
 * This class is the public face; the commands live by concern in project/ (tasks, items, review,
 * settings, assist), and `ProjectCore` (project/core.ts) runs and writes them.
 */
export class Project implements ProjectReader {
  readonly #core: ProjectCore;
  readonly store: Store;
  readonly actor: Actor;
  readonly openReport: OpenReport;
  readonly now: () => number;
  readonly snapshotEvery: number;

  /** @internal Use `ProjectRegistry.create` / `open`. */
  constructor(
    store: Store,
    state: ProjectState,
    journal: Journal,
    cursor: JournalCursor,
    options: ProjectOptions,
    report: OpenReport,
    checkpoint: { base?: string; tail: JournalEvent[] } = { tail: [] },
  ) {
    this.store = store;
    this.actor = options.actor;
    this.snapshotEvery = options.snapshotEvery ?? 5000;
    this.#core = new ProjectCore(store, state, journal, cursor, { ...options, snapshotEvery: this.snapshotEvery }, report, checkpoint);
    this.now = this.#core.now;
    this.openReport = report;
  }

  /** Loads a project from its latest good snapshot plus the journal after it. */
  static async load(store: Store, id: string, options: ProjectOptions): Promise<Project> {
    const { state, journal, cursor, report, checkpoint } = await loadProject(store, id, options);
    return new Project(store, state, journal, cursor, options, report, checkpoint);
  }

  /** The client this project writes as (a tab or a process; leases belong to it). */
  get clientId(): string {
    return this.#core.clientId;
  }

  // ───────────────────────────── reading ─────────────────────────────

  get id(): string {
    return this.#state.meta.id;
  }
  get name(): string {
    return this.#state.meta.name;
  }
  get kind(): ProjectKind {
    return this.#state.meta.kind;
  }
  get labels(): readonly LabelClass[] {
    return this.#state.meta.labels;
  }
  get instructions(): string {
    return this.#state.meta.instructions;
  }
  get assist(): AssistSettings {
    return this.#state.meta.assist;
  }
  get queueSettings(): QueueSettings {
    return this.#state.meta.queue;
  }
  get seed(): number {
    return this.#state.meta.seed;
  }
  get createdAt(): number {
    return this.#state.meta.createdAt;
  }
  get itemCount(): number {
    return this.#state.itemCount;
  }
  get members(): ReadonlyMap<string, Role> {
    return this.#state.members;
  }
  get runs(): readonly RunRecord[] {
    return this.#state.runList();
  }
  /** The role this project gives the actor. */
  get role(): Role {
    return this.#core.role;
  }
  /** Events folded so far (snapshot + journal). */
  get eventCount(): number {
    return this.#state.eventCount;
  }

  /** Whether the actor may run a command that needs `role`. */
  can(role: Role): boolean {
    return this.#core.can(role);
  }

  item(index: number): ItemView {
    this.#core.checkItem(index);
    return this.#state.view(index, this.now());
  }

  /** The index of a path, or -1. */
  indexOf(path: string): number {
    return this.#state.indexOf(path);
  }

  *items(filter?: { readonly states?: readonly ItemState[] }): Iterable<ItemView> {
    const now = this.now();
    const want = filter?.states ? new Set(filter.states) : undefined;
    const s = this.#state;
    const n = s.itemCount;
    for (let i = 0; i < n; i++) {
      if (want && !want.has(s.itemState(i, now))) continue;
      yield s.view(i, now);
    }
  }

  stats(): Stats {
    return this.#state.stats(this.now());
  }

  /** The task the actor holds, if its lease is live (e.g. after a reload). */
  currentTask(): Task | undefined {
    return tasks.currentTask(this.#core);
  }

  subscribe(listener: (change: ProjectChange) => void): () => void {
    return this.#core.subscribe(listener);
  }

  // ───────────────────────────── items ─────────────────────────────

  /**
   * Adds items from a listing: accepted extensions only (case-insensitive), the first 500,000 in
   * listing order, known paths updated when their etag changed. Everything left out is counted in
   * the report. Idempotent: the same listing twice adds nothing.
   */
  addItems(refs: Iterable<ItemRef> | AsyncIterable<ItemRef>, options: { source?: string; signal?: AbortSignal } = {}): Promise<IngestReport> {
    return items.addItems(this.#core, refs, options);
  }

  /** Re-lists a source and adds only new or changed items. */
  refresh(source: DataSource, options: { signal?: AbortSignal } = {}): Promise<IngestReport> {
    return items.refresh(this.#core, source, options);
  }

  /**
   * Refreshes from `source` every `intervalMs` (and once now). Returns a function that stops it.
   * Failures go to `onError` and the next tick tries again.
   */
  autoRefresh(source: DataSource, intervalMs: number, handlers: { onReport?: (r: IngestReport) => void; onError?: (e: unknown) => void } = {}): () => void {
    return items.autoRefresh(this.#core, source, intervalMs, handlers);
  }

  /** Marks an item that failed to decode; the queue moves on. Any member may report it. */
  markUnreadable(item: number, code: string, reason: string): Promise<void> {
    return items.markUnreadable(this.#core, item, code, reason);
  }

  /** Records image sizes read from headers (exports and validation need them). */
  setItemSizes(sizes: readonly { item: number; width: number; height: number; frames?: number }[]): Promise<void> {
    return items.setItemSizes(this.#core, sizes);
  }

  // ───────────────────────────── queue ─────────────────────────────

  /**
   * The actor's next task: the one they already hold (resume), else a new lease of up to `size`
   * items from the first lane with work (prelabeled, clustered, manual by default). Undefined
   * when nothing is left.
   */
  nextTask(options: { size?: TaskSize; signal?: AbortSignal } = {}): Promise<Task | undefined> {
    return tasks.nextTask(this.#core, options);
  }

  /**
   * The items the next task would hold if asked for now, without leasing them: for preloading
   * their images while the labeler works on the current task. Changes nothing.
   */
  peekNext(size: TaskSize = 1): readonly ItemView[] {
    return tasks.peekNext(this.#core, size);
  }

  /**
   * Submits a task and hands out the next one in the same journal write, with the next task known
   * *before* the write lands: `next` is there as soon as the labels are validated and the next items
   * picked (no store I/O on a store of one's own), so a labeling UI shows the next task within a
   * frame; `confirmed` settles once both are durable. If the write fails nothing was applied: the
   * picked items go back to the front of the queue and `confirmed` rejects (`E_STORE_WRITE`), so the
   * UI shows the submitted task again with its work. Validation errors reject the call itself. On a
   * shared store the next task must first be won on the lease board, so `next` waits for the
   * submission and that claim (`confirmed` is then already settled).
   */
  submitAndNext(
    taskId: string,
    results: readonly ItemLabels[],
    options: { size?: TaskSize; needsReview?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ next: Task | undefined; confirmed: Promise<void> }> {
    return tasks.submitAndNext(this.#core, taskId, results, options);
  }

  /** Extends the lease of a task the actor holds. */
  renewLease(taskId: string): Promise<Task> {
    return tasks.renewLease(this.#core, taskId);
  }

  /** Gives a task back unlabeled; its items return to the front of the queue. */
  release(taskId: string): Promise<void> {
    return tasks.release(this.#core, taskId);
  }

  /**
   * Submits labels for items of a task. Each item's annotations are validated for the project kind
   * (`E_INVALID_ANNOTATION`). An item whose lease ran out is still accepted unless someone else
   * holds it now (`E_LEASE_EXPIRED`). Items of the task not submitted stay leased.
   */
  submit(taskId: string, results: readonly ItemLabels[], options: { needsReview?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    return tasks.submit(this.#core, taskId, results, options);
  }

  /** Skips items of a task (all of them by default). Skipped items leave the queue until requeued. */
  skip(taskId: string, items?: readonly number[]): Promise<void> {
    return tasks.skip(this.#core, taskId, items);
  }

  // ───────────────────────────── review ─────────────────────────────

  /**
   * A reviewer approves labels: items marked for review become labeled, and every approved item is
   * `reviewed` (its view says so, and its labeler's `approved` count grows). Consensus items whose
   * answers disagree have no labels to approve: use `resolveConsensus`.
   */
  approve(items: readonly number[]): Promise<void> {
    return review.approve(this.#core, items);
  }

  /**
   * A reviewer rejects labeled items: their labels are removed (they stay in the journal) and they
   * go back to the front of the queue.
   */
  reject(items: readonly number[], reason?: string): Promise<void> {
    return review.reject(this.#core, items, reason);
  }

  /** Puts skipped items back in the queue. */
  requeueSkipped(items?: readonly number[]): Promise<number> {
    return review.requeue(this.#core, 'skipped', items);
  }

  /**
   * Puts unreadable items back in the queue (all of them, or those given that are unreadable), for
   * when the cause was outside the file — a storage outage, a file since replaced. Their recorded
   * failure is cleared; a file that still fails is marked again when it is next shown. Returns how
   * many items went back. Owners and reviewers.
   */
  requeueUnreadable(items?: readonly number[]): Promise<number> {
    return review.requeue(this.#core, 'unreadable', items);
  }

  // ───────────────────────────── team: lifecycle, consensus, labelers ─────────────────────────────

  /** Whether the project hands out work: active, stopped (with the owner's reason) or archived. */
  get status(): ProjectStatus {
    return this.#state.team.status;
  }

  /**
   * An owner stops the project: no new tasks (`nextTask` throws `E_PROJECT_STOPPED`, a submission's
   * `next` is undefined); leases in flight may still be submitted until they expire. Recorded with
   * the reason; every client sees it once it has synced.
   */
  stop(reason?: string): Promise<void> {
    return team.stop(this.#core, reason);
  }

  /** An owner starts a stopped or archived project again. */
  start(): Promise<void> {
    return team.start(this.#core);
  }

  /** An owner archives the project: read-only (`E_PROJECT_ARCHIVED`), still readable and exportable; its name stays taken. */
  archive(reason?: string): Promise<void> {
    return team.archive(this.#core, reason);
  }

  /** An item's consensus answers (every labeler's, skips included) and how it stands; undefined outside consensus. */
  consensusOf(item: number): ConsensusView | undefined {
    this.#core.checkItem(item);
    return this.#state.team.consensusOf(item, this.queueSettings.consensus?.labelers ?? 1);
  }

  /** Items whose consensus answers disagree, waiting for a reviewer (`resolveConsensus`). */
  disagreements(): number[] {
    return this.#state.team.disagreements();
  }

  /** Consensus items by status, and the share of decided items whose answers agreed. */
  consensusSummary(): ConsensusSummary {
    return this.#state.team.consensusSummary();
  }

  /** Per labeler: tasks and items submitted, skips, rejects and approvals, agreement with consensus, mean time per task. */
  labelerStats(): LabelerStats[] {
    return this.#state.team.labelerStats();
  }

  /** A reviewer gives consensus items their final labels (an answer chosen, or their own); they become labeled and reviewed. */
  resolveConsensus(results: readonly { item: number; annotations: readonly Annotation[] }[]): Promise<void> {
    return team.resolveConsensus(this.#core, results);
  }

  // ───────────────────────────── settings ─────────────────────────────

  /**
   * Adds a label class mid-project, with Azure ML's choice for the labels so far: `continue`
   * (keep them, label on), `start-over-keep` (every item back in the queue, old labels pre-filled)
   * or `start-over-remove` (every item back in the queue without labels; history stays in the journal).
   */
  addLabelClass(label: { name: string; color?: string }, mode: LabelAddMode): Promise<LabelClass> {
    return settings.addLabelClass(this.#core, label, mode);
  }

  editInstructions(markdown: string): Promise<void> {
    return settings.editInstructions(this.#core, markdown);
  }

  updateAssist(patch: Partial<AssistSettings>): Promise<AssistSettings> {
    return settings.updateAssist(this.#core, patch);
  }

  updateQueue(patch: Partial<QueueSettings>): Promise<QueueSettings> {
    return settings.updateQueue(this.#core, patch);
  }

  /** Sets (or with `null` removes) a member's role. */
  setMember(user: string, role: Role | null): Promise<void> {
    return settings.setMember(this.#core, user, role);
  }

  // ───────────────────────────── ML assist ─────────────────────────────

  /** Records the start of an ML run (any member's browser may run assist). Returns the run id. */
  startRun(kind: RunKind, params: { device?: string; params?: Record<string, unknown> } = {}): Promise<string> {
    return assist.startRun(this.#core, kind, params);
  }

  /** `result.device`: what really ran the step, when it differs from the device named at the start. */
  finishRun(run: string, status: RunStatus, result: { metrics?: Record<string, unknown>; error?: string; device?: string } = {}): Promise<void> {
    return assist.finishRun(this.#core, run, status, result);
  }

  /** Prelabels from a run: todo items move to the prelabeled lane with these shapes pre-filled. */
  proposePrelabels(run: string, proposals: readonly ItemLabels[]): Promise<number> {
    return assist.proposePrelabels(this.#core, run, proposals);
  }

  /**
   * Takes prelabels back (a newer model no longer proposes them, a round failed validation, or the
   * precision they delivered fell below target): the todo items among `items` that carry prelabels
   * return to the lane they came from. Returns how many were withdrawn.
   */
  withdrawPrelabels(items: readonly number[], options: { run?: string; reason?: string } = {}): Promise<number> {
    return assist.withdrawPrelabels(this.#core, items, options);
  }

  /** Cluster ids from a run: todo items of a classification project move to the clustered lane. */
  assignClusters(run: string, assignments: readonly { item: number; cluster: number }[]): Promise<number> {
    return assist.assignClusters(this.#core, run, assignments);
  }

  /**
   * Records a ranking of not-yet-labeled items, most informative first (ML assist's active
   * ordering); it replaces the last one. With `queue.order: 'informative'` the manual and clustered
   * lanes serve these items first, in this order. Items that are not todo are left out; returns how
   * many were ranked. `scores` (one per item) are kept in the journal for the record.
   */
  rankItems(run: string | undefined, items: readonly number[], scores?: readonly number[]): Promise<number> {
    return assist.rankItems(this.#core, run, items, scores);
  }

  // ───────────────────────────── drafts ─────────────────────────────

  /** Saves work in progress for a task (not a journal event: scratch that survives a reload). */
  saveDraft(taskId: string, draft: unknown): Promise<void> {
    return this.#core.drafts.save(taskId, draft);
  }

  loadDraft<T = unknown>(taskId: string): Promise<T | undefined> {
    return this.#core.drafts.load<T>(taskId);
  }

  clearDraft(taskId: string): Promise<void> {
    return this.#core.drafts.clear(taskId);
  }

  // ───────────────────────────── persistence ─────────────────────────────

  /** Writes a snapshot of the state now; older snapshots beyond the last two are removed. */
  snapshot(): Promise<string> {
    return this.#core.run('labeler', () => this.#core.writeSnapshot(), { whileArchived: true });
  }

  /**
   * Writes a checkpoint now if events are not in one yet: a tail (the events since the last
   * snapshot, one blob) or, when the tail has grown to `snapshotEvery` events or 8 MB, a full
   * snapshot. Runs after the commands queued before it; called in idle time, on `pagehide`, when the
   * page is hidden and by `close()`. A failed checkpoint loses nothing (the journal has every event).
   */
  flush(): Promise<void> {
    return this.#core.checkpoints.flush();
  }

  /** Pulls events other clients wrote to a shared store. Returns how many were applied. */
  sync(signal?: AbortSignal): Promise<number> {
    return this.#core.sync(signal);
  }

  /**
   * Stops timers and listeners, and writes a last checkpoint if events are not in one (the promise
   * settles when it is written; awaiting it is optional). The project stays readable.
   */
  close(): Promise<void> {
    return this.#core.close();
  }

  get #state(): ProjectState {
    return this.#core.state;
  }
}
