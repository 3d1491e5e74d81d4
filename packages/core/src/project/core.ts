import { Checkpointer, nextMacrotask, pruneSnapshots, snapshotKey } from '../checkpoint.js';
import { Drafts } from '../drafts.js';
import { LabelkitError, throwIfAborted } from '../errors.js';
import type { JournalEvent, ProjectEvent } from '../journal/events.js';
import type { Journal, JournalCursor, SegmentRead } from '../journal/journal.js';
import type { SharedQueue } from '../shared/claims.js';
import type { SharedCoordinator } from '../shared/coordinator.js';
import type { ProjectState } from '../state/project-state.js';
import { captureSnapshot, encodeCaptured, encodeSnapshot } from '../state/snapshot.js';
import type { Store } from '../store/store.js';
import { TabSync, webLocks } from '../tabs.js';
import type { Actor, Role } from '../types.js';
import { sharedModuleLoaded } from './shared-module.js';
import type { OpenReport, ProjectChange, ProjectOptions } from './types.js';

const ROLE_RANK: Record<Role, number> = { labeler: 0, reviewer: 1, owner: 2 };

/**
 * The engine room of a `Project`: its folded state, journal and cursor, and the one way a command
 * runs (`run`: the role check, one at a time, across tabs) and writes (`commit`: durable first,
 * then applied and announced). Also the shared-store and tab coordination, checkpoints and drafts.
 * The command modules (project/*.ts) work through it; `Project` is the public face.
 */
export class ProjectCore {
  readonly store: Store;
  readonly actor: Actor;
  readonly now: () => number;
  readonly state: ProjectState;
  readonly drafts: Drafts;
  /** Snapshots and tails, written in idle time (checkpoint.ts). */
  readonly checkpoints: Checkpointer;
  readonly #journal: Journal;
  #cursor: JournalCursor;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<(change: ProjectChange) => void>();
  readonly #timers = new Set<ReturnType<typeof setInterval>>();
  #closed = false;
  /** Shared-store coordination (ProjectOptions.shared); undefined for a store of one's own. */
  readonly #shared: SharedCoordinator | undefined;
  #sharedOpen: Promise<void> | undefined;
  /** The shared queue (lease board claims, parking), once the coordinator is registered. */
  #sharedQ: SharedQueue | undefined;
  /** Tabs of one origin on one IndexedDB: commands take turns and start from the others' writes. */
  readonly #tabs: TabSync | undefined;
  #tabSyncPending = false;

  constructor(
    store: Store,
    state: ProjectState,
    journal: Journal,
    cursor: JournalCursor,
    options: ProjectOptions & { snapshotEvery: number },
    report: OpenReport,
    checkpoint: { base?: string; tail: JournalEvent[] },
  ) {
    this.store = store;
    this.state = state;
    state.pickFor = options.actor.id; // consensus: the queue passes over this labeler's own answers
    this.#journal = journal;
    this.#cursor = cursor;
    this.actor = options.actor;
    this.now = options.now ?? Date.now;
    const id = state.meta.id;
    this.drafts = new Drafts(store, id, options.actor.id, this.now);
    this.checkpoints = new Checkpointer(
      {
        store,
        projectId: id,
        itemCount: () => this.state.itemCount,
        cursor: () => this.#cursor,
        shared: !!options.shared,
        run: (fn) => this.run(undefined, fn),
        writeSnapshot: () => this.writeSnapshot(),
        captureSnapshot: () => this.#captureSnapshot(),
      },
      { snapshotEvery: options.snapshotEvery, checkpointEvery: options.checkpointEvery, checkpointAfterMs: options.checkpointAfterMs },
      { ...checkpoint, pending: report.eventsReplayed },
    );
    this.#shared = options.shared
      ? new (sharedModuleLoaded().SharedCoordinator)(store, id, journal.clientId, {
          leaseMs: state.meta.queue.leaseMs,
          now: this.now,
          ...(options.shared === true ? {} : options.shared),
        })
      : undefined;
    // Consensus: a lease per item and labeler, so each of an item's labelers wins a unit of their own.
    if (this.#shared) this.#shared.unitOf = (i) => (this.state.meta.queue.consensus ? consensusUnit(i, this.actor.id) : String(i));
    this.#tabs = !options.shared && store.tabScope && webLocks() ? new TabSync(store, id, journal.clientId, store.tabScope, cursor) : undefined;
    // Another tab's commit: refresh this tab's counts and queue when it is idle (debounced, so an idle
    // tab does not take the lock from a busy one after every command).
    if (this.#tabs) this.#tabs.onRemoteChange = () => this.#scheduleTabSync();
  }

  /** The client this project writes as (a tab or a process; leases belong to it). */
  get clientId(): string {
    return this.#journal.clientId;
  }

  /** The role this project gives the actor. */
  get role(): Role {
    return this.state.members.get(this.actor.id) ?? this.actor.role;
  }

  /** Whether the actor may run a command that needs `role`. */
  can(role: Role): boolean {
    return ROLE_RANK[this.role] >= ROLE_RANK[role];
  }

  /**
   * Runs a command: after the ones before it, as `role` (when given), one at a time across tabs.
   * Commands (a `role`) are refused on an archived project unless `whileArchived` (starting it again).
   */
  run<T>(role: Role | undefined, command: () => Promise<T>, options: { whileArchived?: boolean } = {}): Promise<T> {
    const tabs = this.#tabs;
    const fn = () => {
      const status = this.state.team.status;
      if (role && status.state === 'archived' && !options.whileArchived) {
        throw new LabelkitError('E_PROJECT_ARCHIVED', `The project is archived${status.reason ? ` (${status.reason})` : ''}: it is read-only. An owner can start it again.`, {
          ...status,
        });
      }
      return command();
    };
    const next = this.#chain.then(() => {
      if (role && !this.can(role)) throw forbidden(`do this (it needs the ${role} role; you are ${this.role})`);
      if (!tabs) return fn();
      // One command at a time across the origin's tabs, each starting from what the others wrote.
      return tabs.run(async (reacquired) => {
        if (reacquired) {
          const events = await this.#applySegments(await tabs.catchUp());
          if (events.length) this.emit({ events, origin: 'remote' });
        }
        return fn();
      });
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Appends events durably, then applies them and tells listeners (inside a command). */
  async commit(events: ProjectEvent[], signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const journal = this.#journal;
    const stamped = journal.stamp(events, this.actor.id, this.now());
    const { key, seq } = await journal.append(stamped, signal);
    this.#cursor[journal.clientId] = Math.max(this.#cursor[journal.clientId] ?? 0, seq);
    this.#shared?.recordLocal({ key, client: journal.clientId, seq, events: stamped });
    this.#tabs?.advance(journal.clientId, seq);
    this.#tabs?.announce();
    for (const e of stamped) this.state.apply(e);
    this.checkpoints.noteApplied(stamped);
    this.emit({ events: stamped, origin: 'local' });
  }

  subscribe(listener: (change: ProjectChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(change: ProjectChange): void {
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        // A listener's bug must not break a command that is already durable.
      }
    }
  }

  /** Keeps an interval until it is stopped or the project closes; returns the stop function. */
  every(intervalMs: number, tick: () => void): () => void {
    const t = setInterval(tick, intervalMs);
    this.#timers.add(t);
    return () => {
      clearInterval(t);
      this.#timers.delete(t);
    };
  }

  /** Throws `E_NOT_FOUND` unless item i is in the project. */
  checkItem(i: number): true {
    if (!Number.isInteger(i) || i < 0 || i >= this.state.itemCount) {
      throw new LabelkitError('E_NOT_FOUND', `Item ${i} is not in project "${this.state.meta.name}" (it has ${this.state.itemCount} items).`, { item: i });
    }
    return true;
  }

  // ───────────────────────────── shared store ─────────────────────────────

  /** The shared-store coordinator, once registered (first use); undefined for a store of one's own. */
  async sharedReady(signal?: AbortSignal): Promise<SharedCoordinator | undefined> {
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

  /** The shared queue (lease board claims, parking), once the coordinator is registered. */
  async sharedQueue(signal?: AbortSignal): Promise<SharedQueue | undefined> {
    const shared = await this.sharedReady(signal);
    if (!shared) return undefined;
    this.#sharedQ ??= new (sharedModuleLoaded().SharedQueue)(
      {
        state: this.state,
        clientId: this.clientId,
        queueSettings: () => this.state.meta.queue,
        now: () => this.now(),
        pull: (all, sig) => this.pull(sig, all),
        emitRemote: (events) => this.emit({ events, origin: 'remote' }),
        commit: (events) => this.commit(events),
      },
      shared,
    );
    return this.#sharedQ;
  }

  /** On a shared store, the lease board learns that these items are back in the queue. */
  async reopenShared(items: readonly number[], consensusUnits: readonly string[] = []): Promise<void> {
    if (items.length) await (await this.sharedReady())?.reopen(items);
    if (consensusUnits.length) await (await this.sharedReady())?.board.reopen([...consensusUnits]);
  }

  /** Reads and applies other clients' new events (inside a command). */
  async pull(signal?: AbortSignal, all = false): Promise<JournalEvent[]> {
    const shared = await this.sharedReady(signal);
    let events: JournalEvent[];
    if (shared) {
      const read = await shared.pull(signal, { all });
      for (const [client, seq] of Object.entries(read.cursor)) this.#cursor[client] = Math.max(this.#cursor[client] ?? 0, seq);
      for (const seg of read.segments) for (const e of seg.events) this.#journal.observe(e.at, seg.client);
      events = read.segments.flatMap((s) => s.events);
    } else if (this.#tabs) {
      return []; // run() already caught up with the other tabs under the lock
    } else {
      const read = await this.#journal.read(this.#cursor, signal);
      this.#cursor = read.cursor;
      events = read.segments.flatMap((s) => s.events);
    }
    for (const e of events) this.state.apply(e);
    this.checkpoints.noteApplied(events);
    return events;
  }

  /** Pulls events other clients wrote to a shared store (a command of its own). Returns how many were applied. */
  sync(signal?: AbortSignal): Promise<number> {
    return this.run(
      'labeler',
      async () => {
        const events = await this.pull(signal, true);
        if (events.length) this.emit({ events, origin: 'remote' });
        return events.length;
      },
      { whileArchived: true }, // reading what others wrote (an owner's start among it) changes nothing
    );
  }

  /** Applies segments other tabs wrote (read by `TabSync.catchUp`). */
  async #applySegments(segments: readonly SegmentRead[]): Promise<JournalEvent[]> {
    const events: JournalEvent[] = [];
    for (const seg of segments) {
      this.#cursor[seg.client] = Math.max(this.#cursor[seg.client] ?? 0, seg.seq);
      for (const e of seg.events) {
        this.#journal.observe(e.at, seg.client);
        this.state.apply(e);
        events.push(e);
      }
    }
    this.checkpoints.noteApplied(events);
    return events;
  }

  #scheduleTabSync(): void {
    if (this.#tabSyncPending || this.#closed) return;
    this.#tabSyncPending = true;
    const t = setTimeout(() => {
      this.#tabSyncPending = false;
      if (!this.#closed) this.sync().catch(() => undefined); // the next command catches up anyway
    }, 1_500);
    (t as unknown as { unref?: () => void }).unref?.();
  }

  // ───────────────────────────── persistence ─────────────────────────────

  /** The checkpointer's snapshot: the state taken now (in a command), encoded in slices and stored after it. */
  #captureSnapshot(): { key: string; write(): Promise<void> } | undefined {
    if (this.#shared) return undefined; // through the If-Match head, in the command
    const id = this.state.meta.id;
    const key = snapshotKey(id, this.state.eventCount);
    const capture = captureSnapshot(this.state, this.#cursor, { copy: true });
    return {
      key,
      write: async () => {
        await this.store.put(key, await encodeCaptured(capture, nextMacrotask));
        await pruneSnapshots(this.store, id);
      },
    };
  }

  /** Writes a snapshot of the state now (inside a command); older snapshots beyond the last two are removed. */
  async writeSnapshot(): Promise<string> {
    const shared = await this.sharedReady();
    if (shared) {
      // Never last-writer-wins: a body of our own, create-only; the head moves If-Match.
      const { head } = await shared.publishSnapshot(encodeSnapshot(this.state, this.#cursor), { ...this.#cursor });
      this.checkpoints.snapshotWritten(undefined);
      return head.body;
    }
    const id = this.state.meta.id;
    const key = snapshotKey(id, this.state.eventCount);
    await this.store.put(key, encodeSnapshot(this.state, this.#cursor));
    this.checkpoints.snapshotWritten(key);
    await pruneSnapshots(this.store, id);
    return key;
  }

  /**
   * Stops timers, tab sync and listeners; the promise settles once a last checkpoint is written (and,
   * on a shared store, this client's last segments are in the team's tail).
   */
  close(): Promise<void> {
    const flushed = Promise.all([this.checkpoints.close(), this.#shared?.flush()]).then(() => undefined);
    this.#closed = true;
    this.#tabs?.close();
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
    this.#listeners.clear();
    return flushed;
  }
}

export function forbidden(what: string): LabelkitError {
  return new LabelkitError('E_FORBIDDEN', `You may not ${what}. Ask a project owner.`);
}

/** The lease-board unit of item i for one labeler in consensus: `<item>~<labeler>`. */
export function consensusUnit(item: number, labeler: string): string {
  return `${item}~${encodeURIComponent(labeler)}`;
}
