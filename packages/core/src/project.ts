import { validateAnnotations } from './annotations.js';
import { LabelkitError, throwIfAborted } from './errors.js';
import { planIngest, type IngestReport } from './ingest.js';
import type { JournalEvent, LabelAddMode, ProjectEvent } from './journal/events.js';
import { Journal, type JournalCursor, type JournalDamage, type SegmentRead } from './journal/journal.js';
import type { DataSource } from './sources/source.js';
import { ProjectState, type RunRecord, type Stats } from './state/project-state.js';
import { decodeSnapshot, encodeSnapshot } from './state/snapshot.js';
import type { SharedCoordinator, SharedCoordinatorOptions } from './shared/coordinator.js';
import type { SharedQueue } from './shared/claims.js';
import { nextLabelClass } from './labels.js';
import type { Store } from './store/store.js';
import { Drafts } from './drafts.js';
import { checkAssist, checkQueue, cleanAnnotation } from './settings.js';
import { Checkpointer, loadCheckpoint, pruneSnapshots, snapshotKey } from './checkpoint.js';
import { defaultClientId, TabSync, webLocks } from './tabs.js';
import {
  isClassificationKind,
  TASK_SIZES,
  type Actor,
  type Annotation,
  type AssistSettings,
  type ItemRef,
  type ItemState,
  type ItemView,
  type LabelClass,
  type Lane,
  type ProjectKind,
  type ProjectReader,
  type QueueSettings,
  type Role,
  type RunKind,
  type RunStatus,
  type TaskSize,
} from './types.js';
import { fnv1a } from './util/crc32.js';
import { randomId } from './util/prng.js';

/**
 * The shared-store coordination (lease board, journal follower, snapshot head: shared/) is loaded
 * with import() by the projects that use it (`ProjectOptions.shared`), so a page on a store of its
 * own — IndexedDB, memory, files — never downloads it. `Project.load` and `ProjectRegistry.create`
 * await it before constructing such a project.
 */
interface SharedModule {
  SharedCoordinator: typeof import('./shared/coordinator.js').SharedCoordinator;
  SharedQueue: typeof import('./shared/claims.js').SharedQueue;
  loadSnapshot: typeof import('./shared/snapshot-slot.js').loadSnapshot;
}
let sharedModule: SharedModule | undefined;
export async function loadSharedModule(): Promise<SharedModule> {
  if (!sharedModule) {
    const [c, s, q] = await Promise.all([import('./shared/coordinator.js'), import('./shared/snapshot-slot.js'), import('./shared/claims.js')]);
    sharedModule = { SharedCoordinator: c.SharedCoordinator, loadSnapshot: s.loadSnapshot, SharedQueue: q.SharedQueue };
  }
  return sharedModule;
}

/** A page of work leased to one labeler. */
export interface Task {
  readonly id: string;
  readonly lane: Lane;
  readonly user: string;
  readonly items: readonly ItemView[];
  readonly expiresAt: number;
}

/** One item's result in a submission. */
export interface ItemLabels {
  readonly item: number;
  readonly annotations: readonly Annotation[];
}

/** A change notification: `origin` is 'remote' for events another client wrote (so nothing echoes). */
export interface ProjectChange {
  readonly events: readonly JournalEvent[];
  readonly origin: 'local' | 'remote';
}

export interface ProjectOptions {
  /** Who is working. Their role is the one the project's members list gives, else this one. */
  readonly actor: Actor;
  /** This client's id in a shared store (a folder of its own journal segments). Random by default. */
  readonly clientId?: string;
  /** Clock, for tests of lease expiry. */
  readonly now?: () => number;
  /**
   * Write a full snapshot after this many new events (default 5,000; 0 = no automatic snapshots or
   * checkpoints at all). Between snapshots, a cheap tail checkpoint (the events since the snapshot,
   * one blob) keeps reopening fast; see checkpoint.ts.
   */
  readonly snapshotEvery?: number;
  /** Write a tail checkpoint, in idle time, once this many events are not in one (default 64). */
  readonly checkpointEvery?: number;
  /** …or this long after the first such event (default 10 s). */
  readonly checkpointAfterMs?: number;
  /**
   * The store is shared by several clients at once (a team on Azure Blob): items are won on a lease
   * board with conditional writes before a task is handed out, `sync` pulls other clients' segments
   * without listing the journal, snapshots are published `If-Match`. See `SharedCoordinator`.
   */
  readonly shared?: true | SharedCoordinatorOptions;
  readonly signal?: AbortSignal;
}

/** What opening a project found that needs a person's attention. */
export interface OpenReport {
  /** Journal records that could not be read; the project was recovered to the last good event. */
  readonly journalDamage: readonly JournalDamage[];
  /** Snapshots that were damaged and skipped (the journal was replayed instead). */
  readonly snapshotDamage: readonly { key: string; reason: string }[];
  readonly fromSnapshot: boolean;
  readonly eventsReplayed: number;
}

const ROLE_RANK: Record<Role, number> = { labeler: 0, reviewer: 1, owner: 2 };

/**
 * A labeling project: commands in, journal events out. Every command checks the actor's role,
 * validates, appends its events durably to the journal and only then applies them to the state,
 * so a failed write changes nothing and loses nothing. Commands run one at a time.
 */
export class Project implements ProjectReader {
  #state: ProjectState;
  #journal: Journal;
  #cursor: JournalCursor;
  #chain: Promise<unknown> = Promise.resolve();
  #listeners = new Set<(change: ProjectChange) => void>();
  /** Snapshots and tails, written in idle time (checkpoint.ts). */
  readonly #checkpoints: Checkpointer;
  #closed = false;
  readonly #drafts: Drafts;
  #timers = new Set<ReturnType<typeof setInterval>>();
  /** Shared-store coordination (ProjectOptions.shared); undefined for a store of one's own. */
  readonly #shared: SharedCoordinator | undefined;
  #sharedOpen: Promise<void> | undefined;
  /** Tabs of one origin on one IndexedDB: commands take turns and start from the others' writes. */
  readonly #tabs: TabSync | undefined;
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
    this.#state = state;
    this.#journal = journal;
    this.#cursor = cursor;
    this.actor = options.actor;
    this.now = options.now ?? Date.now;
    this.snapshotEvery = options.snapshotEvery ?? 5000;
    this.#drafts = new Drafts(store, state.meta.id, options.actor.id, this.now);
    this.#checkpoints = new Checkpointer(
      {
        store,
        projectId: state.meta.id,
        itemCount: () => this.#state.itemCount,
        cursor: () => this.#cursor,
        shared: !!options.shared,
        run: (fn) => this.#run(undefined, fn),
        writeSnapshot: () => this.#writeSnapshot(),
      },
      { snapshotEvery: this.snapshotEvery, checkpointEvery: options.checkpointEvery, checkpointAfterMs: options.checkpointAfterMs },
      { ...checkpoint, pending: report.eventsReplayed },
    );
    this.openReport = report;
    if (options.shared && !sharedModule)
      throw new LabelkitError('E_INVALID_ARGUMENT', 'A shared project is opened through ProjectRegistry (it loads the shared-store module first).');
    this.#shared = options.shared
      ? new sharedModule!.SharedCoordinator(store, state.meta.id, journal.clientId, {
          leaseMs: state.meta.queue.leaseMs,
          now: this.now,
          ...(options.shared === true ? {} : options.shared),
        })
      : undefined;
    this.#tabs = !options.shared && store.tabScope && webLocks() ? new TabSync(store, state.meta.id, journal.clientId, store.tabScope, cursor) : undefined;
    // Another tab's commit: refresh this tab's counts and queue when it is idle (debounced, so an idle
    // tab does not take the lock from a busy one after every command).
    if (this.#tabs) this.#tabs.onRemoteChange = () => this.#scheduleTabSync();
  }

  /** The client this project writes as (a tab or a process; leases belong to it). */
  get clientId(): string {
    return this.#journal.clientId;
  }

  #tabSyncPending = false;
  #scheduleTabSync(): void {
    if (this.#tabSyncPending || this.#closed) return;
    this.#tabSyncPending = true;
    const t = setTimeout(() => {
      this.#tabSyncPending = false;
      if (!this.#closed) this.sync().catch(() => undefined); // the next command catches up anyway
    }, 1_500);
    (t as unknown as { unref?: () => void }).unref?.();
  }

  /** The shared queue (lease board claims, parking), once the coordinator is registered. */
  #sharedQ: SharedQueue | undefined;
  async #sharedQueue(signal?: AbortSignal): Promise<SharedQueue | undefined> {
    const shared = await this.#sharedReady(signal);
    if (!shared) return undefined;
    this.#sharedQ ??= new sharedModule!.SharedQueue(
      {
        state: this.#state,
        clientId: this.clientId,
        queueSettings: () => this.queueSettings,
        now: () => this.now(),
        pull: (all, sig) => this.#pull(sig, all),
        emitRemote: (events) => this.#emit({ events, origin: 'remote' }),
        commit: (events) => this.#commit(events),
      },
      shared,
    );
    return this.#sharedQ;
  }

  /** The shared-store coordinator, once registered (first use). */
  async #sharedReady(signal?: AbortSignal): Promise<SharedCoordinator | undefined> {
    if (!this.#shared) return undefined;
    this.#sharedOpen ??= this.#shared.open(this.#cursor, [], signal);
    try {
      await this.#sharedOpen;
    } catch (err) {
      this.#sharedOpen = undefined;
      throw err;
    }
    return this.#shared;
  }

  /** Loads a project from its latest good snapshot plus the journal after it. */
  static async load(store: Store, id: string, options: ProjectOptions): Promise<Project> {
    const journal = new Journal(store, id, await defaultClientId(store, id, options));
    const snapshotDamage: { key: string; reason: string }[] = [];
    let state: ProjectState | undefined;
    let cursor: JournalCursor = {};
    if (options.shared) {
      const { loadSnapshot } = await loadSharedModule();
      // The head a team publishes If-Match names the newest snapshot without a listing.
      const head = await loadSnapshot(store, id, options.signal).catch(() => undefined);
      if (head) {
        try {
          ({ state, cursor } = decodeSnapshot(head.body));
        } catch (err) {
          snapshotDamage.push({ key: head.head.body, reason: (err as Error).message });
        }
      }
    }
    let checkpoint: { base?: string; tail: JournalEvent[] } = { tail: [] };
    if (!state) {
      // The newest snapshot with its tail checkpoint: then only segments after the tail are read.
      const cp = await loadCheckpoint(store, id, snapshotDamage, options.signal);
      if (cp) {
        ({ state, cursor } = cp);
        checkpoint = { base: cp.base, tail: cp.tail };
      }
    }
    const fromSnapshot = !!state;
    state ??= new ProjectState();
    const read = await journal.read(cursor, options.signal);
    let replayed = 0;
    for (const seg of read.segments) {
      for (const e of seg.events) {
        if (!state.meta && e.type !== 'project.created') continue;
        state.apply(e);
        checkpoint.tail.push(e);
        replayed++;
      }
    }
    if (!state.meta) {
      throw new LabelkitError('E_NOT_FOUND', `Project ${id} has no readable history in ${store.description}.`, { id });
    }
    return new Project(store, state, journal, read.cursor, options, { journalDamage: read.damage, snapshotDamage, fromSnapshot, eventsReplayed: replayed }, checkpoint);
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
    return [...this.#state.runs.values()].sort((a, b) => a.startedAt - b.startedAt);
  }
  /** The role this project gives the actor. */
  get role(): Role {
    return this.#state.members.get(this.actor.id) ?? this.actor.role;
  }
  /** Events folded so far (snapshot + journal). */
  get eventCount(): number {
    return this.#state.eventCount;
  }

  /** Whether the actor may run a command that needs `role`. */
  can(role: Role): boolean {
    return ROLE_RANK[this.role] >= ROLE_RANK[role];
  }

  item(index: number): ItemView {
    this.#checkItem(index);
    return this.#state.view(index, this.now());
  }

  /** The index of a path, or -1. */
  indexOf(path: string): number {
    return this.#state.paths.indexOf(path);
  }

  *items(filter?: { readonly states?: readonly ItemState[] }): Iterable<ItemView> {
    const now = this.now();
    const want = filter?.states ? new Set(filter.states) : undefined;
    const n = this.#state.itemCount;
    for (let i = 0; i < n; i++) {
      if (want && !want.has(this.#state.itemState(i, now))) continue;
      yield this.#state.view(i, now);
    }
  }

  stats(): Stats {
    return this.#state.stats(this.now());
  }

  /** The task the actor holds, if its lease is live (e.g. after a reload). */
  currentTask(): Task | undefined {
    const t = this.#state.taskOf(this.actor.id, this.now(), this.clientId);
    return t && this.#taskView(t.id);
  }

  subscribe(listener: (change: ProjectChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ───────────────────────────── items ─────────────────────────────

  /**
   * Adds items from a listing: accepted extensions only (case-insensitive), the first 500,000 in
   * listing order, known paths updated when their etag changed. Everything left out is counted in
   * the report. Idempotent: the same listing twice adds nothing.
   */
  addItems(refs: Iterable<ItemRef> | AsyncIterable<ItemRef>, options: { source?: string; signal?: AbortSignal } = {}): Promise<IngestReport> {
    return this.#run('owner', async () => {
      const s = this.#state;
      const plan = await planIngest(
        refs,
        s.itemCount,
        (path) => {
          const index = s.paths.indexOf(path);
          if (index < 0) return undefined;
          return {
            index,
            changed: (ref) => (ref.etag !== undefined && fnv1a(ref.etag) !== s.etag.array[index]) || (ref.size !== undefined && ref.size !== s.size.array[index]),
          };
        },
        options.signal,
      );
      const events: ProjectEvent[] = [];
      if (plan.newRefs.length) {
        const r = plan.newRefs;
        events.push({
          type: 'items.added',
          batch: s.batches,
          paths: r.map((x) => x.path),
          sizes: r.map((x) => x.size ?? null),
          etags: r.map((x) => x.etag ?? null),
          lastModified: r.map((x) => x.lastModified ?? null),
          ...(options.source ? { source: options.source } : {}),
        });
      }
      if (plan.changed.length) {
        const c = plan.changed;
        events.push({
          type: 'items.changed',
          items: c.map((x) => x.item),
          sizes: c.map((x) => x.ref.size ?? null),
          etags: c.map((x) => x.ref.etag ?? null),
          lastModified: c.map((x) => x.ref.lastModified ?? null),
        });
      }
      if (events.length) await this.#commit(events, options.signal);
      return plan.report;
    });
  }

  /** Re-lists a source and adds only new or changed items. */
  refresh(source: DataSource, options: { signal?: AbortSignal } = {}): Promise<IngestReport> {
    return this.addItems(source.list({ signal: options.signal }), { source: source.description, signal: options.signal });
  }

  /**
   * Refreshes from `source` every `intervalMs` (and once now). Returns a function that stops it.
   * Failures go to `onError` and the next tick tries again.
   */
  autoRefresh(source: DataSource, intervalMs: number, handlers: { onReport?: (r: IngestReport) => void; onError?: (e: unknown) => void } = {}): () => void {
    if (!(intervalMs >= 1000)) throw new LabelkitError('E_INVALID_ARGUMENT', 'Refresh at most once a second (intervalMs ≥ 1000).');
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        handlers.onReport?.(await this.refresh(source));
      } catch (err) {
        handlers.onError?.(err);
      } finally {
        busy = false;
      }
    };
    void tick();
    const t = setInterval(tick, intervalMs);
    this.#timers.add(t);
    return () => {
      clearInterval(t);
      this.#timers.delete(t);
    };
  }

  /** Marks an item that failed to decode; the queue moves on. Any member may report it. */
  markUnreadable(item: number, code: string, reason: string): Promise<void> {
    return this.#run('labeler', async () => {
      this.#checkItem(item);
      await this.#commit([{ type: 'item.unreadable', item, code, reason }]);
    });
  }

  /** Records image sizes read from headers (exports and validation need them). */
  setItemSizes(sizes: readonly { item: number; width: number; height: number; frames?: number }[]): Promise<void> {
    return this.#run('labeler', async () => {
      const ok = sizes.filter((x) => x.item >= 0 && x.item < this.itemCount && x.width > 0 && x.height > 0);
      if (!ok.length) return;
      await this.#commit([
        {
          type: 'items.measured',
          items: ok.map((x) => x.item),
          widths: ok.map((x) => x.width),
          heights: ok.map((x) => x.height),
          ...(ok.some((x) => x.frames) ? { frames: ok.map((x) => x.frames ?? 1) } : {}),
        },
      ]);
    });
  }

  // ───────────────────────────── queue ─────────────────────────────

  /**
   * The actor's next task: the one they already hold (resume), else a new lease of up to `size`
   * items from the first lane with work (prelabeled, clustered, manual by default). Undefined
   * when nothing is left.
   */
  nextTask(options: { size?: TaskSize; signal?: AbortSignal } = {}): Promise<Task | undefined> {
    return this.#run('labeler', async () => {
      const size = options.size ?? 1;
      if (!TASK_SIZES.includes(size)) throw new LabelkitError('E_INVALID_ARGUMENT', `A task holds 1, 4, 6 or 9 items, not ${size}.`, { size });
      if (size !== 1 && !isClassificationKind(this.kind)) {
        throw new LabelkitError('E_INVALID_ARGUMENT', 'Box and polygon projects show one image per task; ask for size 1.', { size });
      }
      const now = this.now();
      const held = this.#state.taskOf(this.actor.id, now, this.clientId);
      if (held && this.#state.openItemsOf(held).length) return this.#taskView(held.id);
      return this.#assignNext(size, options.signal);
    });
  }

  /**
   * The items the next task would hold if asked for now, without leasing them: for preloading
   * their images while the labeler works on the current task. Changes nothing.
   */
  peekNext(size: TaskSize = 1): readonly ItemView[] {
    const now = this.now();
    const pick = this.#state.pick(size, this.queueSettings.laneOrder, now);
    if (!pick) return [];
    this.#state.requeueFront([...pick.items].reverse());
    return pick.items.map((i) => this.#state.view(i, now));
  }

  /** Leases a new task of up to `size` items (inside a command). */
  async #assignNext(size: TaskSize, signal?: AbortSignal): Promise<Task | undefined> {
    const now = this.now();
    const id = randomId('t');
    // On a shared store, items are won on the lease board before they are handed out.
    const queue = await this.#sharedQueue(signal);
    queue?.unpark(now);
    const pick = queue ? await queue.claim(id, size, signal) : this.#state.pick(size, this.queueSettings.laneOrder, now);
    if (!pick) return undefined;
    await this.#commit([{ type: 'task.assigned', task: id, items: pick.items, lane: pick.lane, expiresAt: now + this.queueSettings.leaseMs, client: this.clientId }], signal);
    return this.#taskView(id);
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
    return new Promise((resolve, reject) => {
      let handed = false;
      const hand = (next: Task | undefined, confirmed: Promise<void>) => {
        handed = true;
        resolve({ next, confirmed });
      };
      const confirmed: Promise<void> = this.#run('labeler', async () => {
        const size = options.size ?? 1;
        if (!TASK_SIZES.includes(size)) throw new LabelkitError('E_INVALID_ARGUMENT', `A task holds 1, 4, 6 or 9 items, not ${size}.`, { size });
        const { items, event } = this.#submission(taskId, results, options.needsReview);
        if (await this.#sharedReady(options.signal)) {
          await this.#writeSubmission(taskId, items, event, options.signal);
          hand(await this.#assignNext(size, options.signal), Promise.resolve());
          return;
        }
        const now = this.now();
        const pick = this.#state.pick(size, this.queueSettings.laneOrder, now);
        const nextId = randomId('t');
        const expiresAt = now + this.queueSettings.leaseMs;
        const events: ProjectEvent[] = [event];
        if (pick) events.push({ type: 'task.assigned', task: nextId, items: pick.items, lane: pick.lane, expiresAt, client: this.clientId });
        hand(pick && { id: nextId, lane: pick.lane, user: this.actor.id, expiresAt, items: pick.items.map((i) => this.#state.view(i, now)) }, confirmed);
        try {
          await this.#commit(events, options.signal);
        } catch (err) {
          if (pick) this.#state.requeueFront([...pick.items].reverse());
          throw err;
        }
        await this.#clearDraftIfDone(taskId);
      });
      confirmed.catch((err: unknown) => {
        if (!handed) reject(err);
      });
    });
  }

  /** Validates a submission; the items it covers and its event. */
  #submission(taskId: string, results: readonly ItemLabels[], needsReview?: boolean): { items: number[]; event: ProjectEvent } {
    if (!results.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Nothing to submit: give labels for at least one item.');
    const items = this.#checkWorkable(
      taskId,
      results.map((r) => r.item),
    );
    const s = this.#state;
    for (const r of results) {
      validateAnnotations(this.kind, this.labels, r.annotations, { width: s.width.array[r.item] || undefined, height: s.height.array[r.item] || undefined }, s.paths.get(r.item));
    }
    return {
      items,
      event: { type: 'labels.submitted', task: taskId, items, annotations: results.map((r) => r.annotations.map(cleanAnnotation)), ...(needsReview ? { needsReview: true } : {}) },
    };
  }

  /** Extends the lease of a task the actor holds. */
  renewLease(taskId: string): Promise<Task> {
    return this.#run('labeler', async () => {
      const t = this.#ownTask(taskId);
      const expiresAt = this.now() + this.queueSettings.leaseMs;
      const shared = await this.#sharedReady();
      if (shared) await (await this.#sharedQueue())!.holdingLease(t.id, () => shared.renew(t.id, expiresAt, this.#state.openItemsOf(t)));
      await this.#commit([{ type: 'task.renewed', task: t.id, expiresAt }]);
      return this.#taskView(t.id)!;
    });
  }

  /** Gives a task back unlabeled; its items return to the front of the queue. */
  release(taskId: string): Promise<void> {
    return this.#run('labeler', async () => {
      const t = this.#state.taskById(taskId);
      if (!t) return;
      if (t.user !== this.actor.id && !this.can('reviewer')) throw forbidden('release another person’s task');
      const open = this.#state.openItemsOf(t);
      await this.#commit([{ type: 'task.released', task: taskId }]);
      await (await this.#sharedReady())?.release(taskId, open);
      await this.#drafts.clearIfAny(taskId);
    });
  }

  /**
   * Submits labels for items of a task. Each item's annotations are validated for the project kind
   * (`E_INVALID_ANNOTATION`). An item whose lease ran out is still accepted unless someone else
   * holds it now (`E_LEASE_EXPIRED`). Items of the task not submitted stay leased.
   */
  submit(taskId: string, results: readonly ItemLabels[], options: { needsReview?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    return this.#run('labeler', async () => {
      const { items, event } = this.#submission(taskId, results, options.needsReview);
      await this.#writeSubmission(taskId, items, event, options.signal);
    });
  }

  /**
   * Writes a validated submission. On a shared store the lease must still be ours (renewed when
   * close to expiry) before the write, and the items are marked done on the board after it.
   */
  async #writeSubmission(taskId: string, items: number[], event: ProjectEvent, signal?: AbortSignal): Promise<void> {
    const shared = await this.#sharedReady(signal);
    const queue = await this.#sharedQueue(signal);
    if (shared && queue) await queue.holdingLease(taskId, () => shared.ensureLive(taskId, items, signal));
    await this.#commit([event], signal);
    if (queue) await queue.markDone(taskId, items);
    await this.#clearDraftIfDone(taskId);
  }

  /** A task with nothing left open has no use for its draft. */
  async #clearDraftIfDone(taskId: string): Promise<void> {
    if (!this.#state.taskById(taskId)) await this.#drafts.clearIfAny(taskId);
  }

  /** Skips items of a task (all of them by default). Skipped items leave the queue until requeued. */
  skip(taskId: string, items?: readonly number[]): Promise<void> {
    return this.#run('labeler', async () => {
      const t = this.#state.taskById(taskId);
      const chosen = items ?? (t ? this.#state.openItemsOf(t) : []);
      if (!chosen.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Nothing to skip.');
      const ok = this.#checkWorkable(taskId, chosen);
      const shared = await this.#sharedReady();
      if (shared) await (await this.#sharedQueue())!.holdingLease(taskId, () => shared.ensureLive(taskId, ok));
      await this.#commit([{ type: 'items.skipped', task: taskId, items: ok }]);
      if (shared) await (await this.#sharedQueue())!.markDone(taskId, ok);
      await this.#clearDraftIfDone(taskId);
    });
  }

  /** A reviewer approves items marked for review. */
  approve(items: readonly number[]): Promise<void> {
    return this.#run('reviewer', async () => {
      const ok = items.filter((i) => this.#checkItem(i) && this.#state.is(i, 'needs-review'));
      if (ok.length) await this.#commit([{ type: 'items.reviewed', items: ok }]);
    });
  }

  /**
   * A reviewer rejects labeled items: their labels are removed (they stay in the journal) and they
   * go back to the front of the queue.
   */
  reject(items: readonly number[], reason?: string): Promise<void> {
    return this.#run('reviewer', async () => {
      const ok = items.filter((i) => {
        this.#checkItem(i);
        return this.#state.is(i, 'labeled', 'needs-review');
      });
      if (!ok.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Only labeled items (or items marked for review) can be rejected.');
      await this.#commit([{ type: 'items.rejected', items: ok, ...(reason ? { reason } : {}) }]);
      await (await this.#sharedReady())?.reopen(ok);
    });
  }

  /** Puts skipped items back in the queue. */
  requeueSkipped(items?: readonly number[]): Promise<number> {
    return this.#run('reviewer', async () => {
      const s = this.#state;
      const chosen = items ?? s.itemsIn('skipped');
      const ok = chosen.filter((i) => this.#checkItem(i) && s.is(i, 'skipped'));
      if (ok.length) {
        await this.#commit([{ type: 'items.requeued', items: ok }]);
        await (await this.#sharedReady())?.reopen(ok);
      }
      return ok.length;
    });
  }

  /**
   * Puts unreadable items back in the queue (all of them, or those given that are unreadable), for
   * when the cause was outside the file — a storage outage, a file since replaced. Their recorded
   * failure is cleared; a file that still fails is marked again when it is next shown. Returns how
   * many items went back. Owners and reviewers.
   */
  requeueUnreadable(items?: readonly number[]): Promise<number> {
    return this.#run('reviewer', async () => {
      const s = this.#state;
      const chosen = items ?? s.itemsIn('unreadable');
      const ok = chosen.filter((i) => this.#checkItem(i) && s.is(i, 'unreadable'));
      if (ok.length) {
        await this.#commit([{ type: 'items.requeued', items: ok, from: 'unreadable' }]);
        await (await this.#sharedReady())?.reopen(ok);
      }
      return ok.length;
    });
  }

  // ───────────────────────────── settings ─────────────────────────────

  /**
   * Adds a label class mid-project, with Azure ML's choice for the labels so far: `continue`
   * (keep them, label on), `start-over-keep` (every item back in the queue, old labels pre-filled)
   * or `start-over-remove` (every item back in the queue without labels; history stays in the journal).
   */
  addLabelClass(label: { name: string; color?: string }, mode: LabelAddMode): Promise<LabelClass> {
    return this.#run('owner', async () => {
      if (!['continue', 'start-over-keep', 'start-over-remove'].includes(mode)) {
        throw new LabelkitError('E_INVALID_ARGUMENT', `mode must be 'continue', 'start-over-keep' or 'start-over-remove', not '${mode}'.`);
      }
      const cls = nextLabelClass(this.labels, label);
      const reopened = mode === 'continue' ? [] : this.#state.itemsIn('labeled', 'needs-review');
      await this.#commit([{ type: 'label.added', label: cls, mode }]);
      // On a shared store the lease board must learn that these items are back in the queue.
      if (reopened.length) await (await this.#sharedReady())?.reopen(reopened);
      return cls;
    });
  }

  editInstructions(markdown: string): Promise<void> {
    return this.#run('owner', async () => {
      if (typeof markdown !== 'string') throw new LabelkitError('E_INVALID_ARGUMENT', 'Instructions are a markdown string.');
      await this.#commit([{ type: 'instructions.edited', markdown }]);
    });
  }

  updateAssist(patch: Partial<AssistSettings>): Promise<AssistSettings> {
    return this.#run('owner', async () => {
      const assist = checkAssist({ ...this.assist, ...patch });
      await this.#commit([{ type: 'assist.updated', assist }]);
      return assist;
    });
  }

  updateQueue(patch: Partial<QueueSettings>): Promise<QueueSettings> {
    return this.#run('owner', async () => {
      const queue = checkQueue({ ...this.queueSettings, ...patch });
      await this.#commit([{ type: 'queue.updated', queue }]);
      return queue;
    });
  }

  /** Sets (or with `null` removes) a member's role. */
  setMember(user: string, role: Role | null): Promise<void> {
    return this.#run('owner', async () => {
      if (!user) throw new LabelkitError('E_INVALID_ARGUMENT', 'A member needs a user id.');
      await this.#commit([{ type: 'member.set', user, role }]);
    });
  }

  // ───────────────────────────── ML assist ─────────────────────────────

  /** Records the start of an ML run (any member's browser may run assist). Returns the run id. */
  startRun(kind: RunKind, params: { device?: string; params?: Record<string, unknown> } = {}): Promise<string> {
    return this.#run('labeler', async () => {
      const run = randomId('r');
      await this.#commit([{ type: 'run.started', run, kind, ...(params.device ? { device: params.device } : {}), ...(params.params ? { params: params.params } : {}) }]);
      return run;
    });
  }

  /** `result.device`: what really ran the step, when it differs from the device named at the start. */
  finishRun(run: string, status: RunStatus, result: { metrics?: Record<string, unknown>; error?: string; device?: string } = {}): Promise<void> {
    return this.#run('labeler', async () => {
      if (!this.#state.runs.has(run)) throw new LabelkitError('E_NOT_FOUND', `No run ${run} in this project.`, { run });
      await this.#commit([{ type: 'run.finished', run, status, ...result }]);
    });
  }

  /** Prelabels from a run: todo items move to the prelabeled lane with these shapes pre-filled. */
  proposePrelabels(run: string, proposals: readonly ItemLabels[]): Promise<number> {
    return this.#run('labeler', async () => {
      const ok = proposals.filter((p) => p.item >= 0 && p.item < this.itemCount && this.#state.is(p.item, 'todo') && p.annotations.length);
      for (const p of ok) validateAnnotations(this.kind, this.labels, p.annotations, {}, this.#state.paths.get(p.item));
      if (ok.length) await this.#commit([{ type: 'prelabels.proposed', run, items: ok.map((p) => p.item), annotations: ok.map((p) => p.annotations.map(cleanAnnotation)) }]);
      return ok.length;
    });
  }

  /**
   * Takes prelabels back (a newer model no longer proposes them, a round failed validation, or the
   * precision they delivered fell below target): the todo items among `items` that carry prelabels
   * return to the lane they came from. Returns how many were withdrawn.
   */
  withdrawPrelabels(items: readonly number[], options: { run?: string; reason?: string } = {}): Promise<number> {
    return this.#run('labeler', async () => {
      const s = this.#state;
      const ok = [...new Set(items)].filter((i) => i >= 0 && i < this.itemCount && s.is(i, 'todo') && s.prelabels.has(i));
      if (ok.length)
        await this.#commit([{ type: 'prelabels.withdrawn', items: ok, ...(options.run ? { run: options.run } : {}), ...(options.reason ? { reason: options.reason } : {}) }]);
      return ok.length;
    });
  }

  /** Cluster ids from a run: todo items of a classification project move to the clustered lane. */
  assignClusters(run: string, assignments: readonly { item: number; cluster: number }[]): Promise<number> {
    return this.#run('labeler', async () => {
      if (!isClassificationKind(this.kind)) throw new LabelkitError('E_INVALID_ARGUMENT', 'Clustering is for classification projects only.');
      const ok = assignments.filter((a) => a.item >= 0 && a.item < this.itemCount && Number.isInteger(a.cluster) && a.cluster >= 0);
      if (ok.length) await this.#commit([{ type: 'clusters.assigned', run, items: ok.map((a) => a.item), clusters: ok.map((a) => a.cluster) }]);
      return ok.length;
    });
  }

  // ───────────────────────────── drafts ─────────────────────────────

  /** Saves work in progress for a task (not a journal event: scratch that survives a reload). */
  saveDraft(taskId: string, draft: unknown): Promise<void> {
    return this.#drafts.save(taskId, draft);
  }

  loadDraft<T = unknown>(taskId: string): Promise<T | undefined> {
    return this.#drafts.load<T>(taskId);
  }

  clearDraft(taskId: string): Promise<void> {
    return this.#drafts.clear(taskId);
  }

  // ───────────────────────────── persistence ─────────────────────────────

  /** Writes a snapshot of the state now; older snapshots beyond the last two are removed. */
  snapshot(): Promise<string> {
    return this.#run('labeler', () => this.#writeSnapshot());
  }

  async #writeSnapshot(): Promise<string> {
    const shared = await this.#sharedReady();
    if (shared) {
      // Never last-writer-wins: a body of our own, create-only; the head moves If-Match.
      const { head } = await shared.publishSnapshot(encodeSnapshot(this.#state, this.#cursor), { ...this.#cursor });
      this.#checkpoints.snapshotWritten(undefined);
      return head.body;
    }
    const key = snapshotKey(this.id, this.#state.eventCount);
    await this.store.put(key, encodeSnapshot(this.#state, this.#cursor));
    this.#checkpoints.snapshotWritten(key);
    await pruneSnapshots(this.store, this.id);
    return key;
  }

  /**
   * Writes a checkpoint now if events are not in one yet: a tail (the events since the last
   * snapshot, one blob) or, when the tail has grown to `snapshotEvery` events or 8 MB, a full
   * snapshot. Runs after the commands queued before it; called in idle time, on `pagehide`, when the
   * page is hidden and by `close()`. A failed checkpoint loses nothing (the journal has every event).
   */
  flush(): Promise<void> {
    return this.#checkpoints.flush();
  }

  /** Pulls events other clients wrote to a shared store. Returns how many were applied. */
  sync(signal?: AbortSignal): Promise<number> {
    return this.#run('labeler', async () => {
      const events = await this.#pull(signal, true);
      if (events.length) this.#emit({ events, origin: 'remote' });
      return events.length;
    });
  }

  /** Applies segments other tabs wrote (read by `TabSync.catchUp`). */
  async #applySegments(segments: readonly SegmentRead[]): Promise<JournalEvent[]> {
    const events: JournalEvent[] = [];
    for (const seg of segments) {
      this.#cursor[seg.client] = Math.max(this.#cursor[seg.client] ?? 0, seg.seq);
      for (const e of seg.events) {
        this.#journal.observe(e.at, seg.client);
        this.#state.apply(e);
        events.push(e);
      }
    }
    this.#checkpoints.noteApplied(events);
    return events;
  }

  /** Reads and applies other clients' new events (inside a command). */
  async #pull(signal?: AbortSignal, all = false): Promise<JournalEvent[]> {
    const shared = await this.#sharedReady(signal);
    if (shared) {
      const read = await shared.pull(signal, { all });
      for (const [client, seq] of Object.entries(read.cursor)) this.#cursor[client] = Math.max(this.#cursor[client] ?? 0, seq);
      for (const seg of read.segments) for (const e of seg.events) this.#journal.observe(e.at, seg.client);
      const events = read.segments.flatMap((s) => s.events);
      for (const e of events) this.#state.apply(e);
      this.#checkpoints.noteApplied(events);
      return events;
    }
    if (this.#tabs) return []; // #run already caught up with the other tabs under the lock
    {
      const read = await this.#journal.read(this.#cursor, signal);
      this.#cursor = read.cursor;
      const events = read.segments.flatMap((s) => s.events);
      for (const e of events) this.#state.apply(e);
      this.#checkpoints.noteApplied(events);
      return events;
    }
  }

  /**
   * Stops timers and listeners, and writes a last checkpoint if events are not in one (the promise
   * settles when it is written; awaiting it is optional). The project stays readable.
   */
  close(): Promise<void> {
    const flushed = this.#checkpoints.close();
    this.#closed = true;
    this.#tabs?.close();
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
    this.#listeners.clear();
    return flushed;
  }

  // ───────────────────────────── internals ─────────────────────────────

  #run<T>(role: Role | undefined, fn: () => Promise<T>): Promise<T> {
    const tabs = this.#tabs;
    const next = this.#chain.then(() => {
      if (role && !this.can(role)) throw forbidden(`do this (it needs the ${role} role; you are ${this.role})`);
      if (!tabs) return fn();
      // One command at a time across the origin's tabs, each starting from what the others wrote.
      return tabs.run(async (reacquired) => {
        if (reacquired) {
          const events = await this.#applySegments(await tabs.catchUp());
          if (events.length) this.#emit({ events, origin: 'remote' });
        }
        return fn();
      });
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #commit(events: ProjectEvent[], signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const stamped = this.#journal.stamp(events, this.actor.id, this.now());
    const { key, seq } = await this.#journal.append(stamped, signal);
    this.#cursor[this.#journal.clientId] = Math.max(this.#cursor[this.#journal.clientId] ?? 0, seq);
    this.#shared?.recordLocal({ key, client: this.#journal.clientId, seq, events: stamped });
    this.#tabs?.advance(this.#journal.clientId, seq);
    this.#tabs?.announce();
    for (const e of stamped) this.#state.apply(e);
    this.#checkpoints.noteApplied(stamped);
    this.#emit({ events: stamped, origin: 'local' });
  }

  #emit(change: ProjectChange): void {
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        // A listener's bug must not break a command that is already durable.
      }
    }
  }

  #checkItem(i: number): true {
    if (!Number.isInteger(i) || i < 0 || i >= this.#state.itemCount) {
      throw new LabelkitError('E_NOT_FOUND', `Item ${i} is not in project "${this.name}" (it has ${this.#state.itemCount} items).`, { item: i });
    }
    return true;
  }

  #ownTask(taskId: string) {
    const t = this.#state.taskById(taskId);
    if (!t) throw new LabelkitError('E_NOT_FOUND', `Task ${taskId} is no longer open; ask for the next task.`, { taskId });
    if (t.user !== this.actor.id) throw forbidden('work on another person’s task');
    return t;
  }

  /** Items the actor may label now: todo, and not held by someone else's live lease. */
  #checkWorkable(taskId: string, items: readonly number[]): number[] {
    const s = this.#state;
    const now = this.now();
    const mine = s.taskSlots.get(taskId);
    const seen = new Set<number>();
    for (const i of items) {
      this.#checkItem(i);
      if (seen.has(i)) throw new LabelkitError('E_INVALID_ARGUMENT', `Item ${i} is given twice.`, { item: i });
      seen.add(i);
      if (!s.is(i, 'todo')) {
        throw new LabelkitError('E_CONFLICT', `${s.paths.get(i)} is already ${s.itemState(i, now)}; it was not changed.`, { item: i, state: s.itemState(i, now) });
      }
      const slot = s.task.array[i];
      if (slot >= 0 && slot !== mine && s.isLeased(i, now)) {
        throw new LabelkitError(
          'E_LEASE_EXPIRED',
          `Your lease on ${s.paths.get(i)} ran out and it was given to someone else. Your labels for it were not saved; ask for the next task.`,
          { item: i },
        );
      }
      if (slot < 0 || slot !== mine) {
        // Not in this task: accepted only if it was this task's (lease ran out, nobody took it).
        const t = mine === undefined ? undefined : s.tasks[mine];
        if (t && !t.items.includes(i)) throw new LabelkitError('E_INVALID_ARGUMENT', `Item ${i} is not part of task ${taskId}.`, { item: i, taskId });
      }
    }
    return [...items];
  }

  #taskView(id: string): Task | undefined {
    const t = this.#state.taskById(id);
    if (!t) return undefined;
    const now = this.now();
    return { id: t.id, lane: t.lane, user: t.user, expiresAt: t.expiresAt, items: this.#state.openItemsOf(t).map((i) => this.#state.view(i, now)) };
  }
}

function forbidden(what: string): LabelkitError {
  return new LabelkitError('E_FORBIDDEN', `You may not ${what}. Ask a project owner.`);
}
