import { LabelkitError } from '../errors.js';
import { encodeSegment } from '../journal/codec.js';
import type { JournalCursor, SegmentRead } from '../journal/journal.js';
import type { Store } from '../store/store.js';
import { JournalFollower } from './follower.js';
import { LeaseBoard, type Lease, type LeaseBoardOptions } from './lease-board.js';
import { MergedJournal } from './merged-journal.js';
import { loadSnapshot, publishSnapshot } from './snapshot-slot.js';

export interface SharedCoordinatorOptions extends LeaseBoardOptions {
  /** How often the small client registry is re-listed to find new clients (default 2 s). */
  readonly discoverEveryMs?: number;
  /**
   * A task is chosen from a window of `spread` × task size items at the queue's head, at a random
   * place in it, so clients working one queue rarely race for the same items (default 16). With a
   * tail the window grows with the team: × the active clients (those that wrote in the last minute).
   */
  readonly spread?: number;
  /**
   * Follow the team through the shared tail (`shared/tail.ts`) on stores with append-only objects
   * (default true): one read per sync whatever the team's size. `false` asks every client instead.
   */
  readonly tail?: boolean;
  /** With the tail: one client is asked directly for segments the tail may lack every this many ms (default 5 s). */
  readonly sweepEveryMs?: number;
  /** A tail record waits up to this long to go out with the next (a submission's flushes at once; default 200 ms). */
  readonly lingerMs?: number;
  /**
   * Keep every segment read in a `MergedJournal` (the deterministic total order across clients), for
   * audits and tests. Off by default: it holds the whole journal in memory a second time.
   */
  readonly keepMerged?: boolean;
}

/**
 * What a `Project` on a shared store (Azure Blob, several labelers at once) does on top of its own
 * journal. Item leases live on a `LeaseBoard` (conditional writes), so an item is handed out only
 * after this client won it; other clients' journal segments are pulled by a `JournalFollower`, each
 * batch in the deterministic segment order (`merged` keeps the total order when asked to);
 * snapshots go through a head written `If-Match`.
 *
 * A project uses it through a handful of calls (see `ProjectOptions.shared`): `claim` before
 * `task.assigned` is written, `ensureLive` / `finish` around `labels.submitted` and
 * `items.skipped`, `release` after `task.released`, `reopen` after items return to the queue,
 * `pull` for `sync`, `recordLocal` after each own append, `publishSnapshot` / `loadSnapshot`.
 */
export class SharedCoordinator {
  readonly board: LeaseBoard;
  readonly follower: JournalFollower;
  readonly merged: MergedJournal | undefined;
  readonly #leases = new Map<string, Lease>();
  readonly spread: number;
  /**
   * The lease-board unit of an item: its index by default. Consensus projects (a lease per item and
   * labeler) set `<item>~<labeler>`; units are read back with parseInt, so the index comes first.
   */
  unitOf: (item: number) => string = String;

  constructor(
    readonly store: Store,
    readonly projectId: string,
    readonly clientId: string,
    options: SharedCoordinatorOptions = {},
  ) {
    this.board = new LeaseBoard(store, projectId, clientId, options);
    this.spread = Math.max(1, Math.floor(options.spread ?? 16));
    this.merged = options.keepMerged ? new MergedJournal() : undefined;
    this.follower = new JournalFollower(store, projectId, { discoverEveryMs: options.discoverEveryMs, tail: options.tail, sweepEveryMs: options.sweepEveryMs });
    this.lingerMs = options.lingerMs ?? 200;
  }

  /**
   * Registers this client (so others find its segments without listing the journal) and starts
   * following the shared tail at its end (what came before, the cursor's owner has read).
   */
  async open(cursor: JournalCursor, segments: readonly SegmentRead[], signal?: AbortSignal): Promise<void> {
    this.follower.seed(cursor);
    this.merged?.add(segments);
    await this.follower.register(this.clientId, signal);
    await this.follower.startTail(signal);
  }

  /**
   * Claims items for a task about to be handed out. Returns the items this client won (possibly
   * fewer than asked: the others are held by live leases of other clients, or done).
   */
  async claim(
    task: string,
    items: readonly number[],
    expiresAt: number,
    signal?: AbortSignal,
  ): Promise<{ granted: number[]; busy: { item: number; state: 'held' | 'done'; retryAt: number }[]; previousHolders: string[] }> {
    const r = await this.board.claim(items.map(this.unitOf), { task, expiresAt, partial: true, signal });
    const busy = r.busy.map((b) => ({ item: parseInt(b.unit, 10), state: b.state, retryAt: b.expiresAt + this.board.skewMs + 1 }));
    if (!r.granted) return { granted: [], busy, previousHolders: [] };
    this.#leases.set(task, r.lease);
    // Holders whose leases ran out while held may have written work first: the follower must read them.
    const previousHolders = [...new Set(r.takenOver.map((t) => t.previousHolder))].filter((c) => c !== this.clientId && /^[A-Za-z0-9_-]{1,64}$/.test(c));
    for (const c of previousHolders) this.follower.know(c);
    return { granted: r.lease.units.map((h) => parseInt(h.unit, 10)), busy, previousHolders: r.takenOver.length ? previousHolders : [] };
  }

  /**
   * How many items at the queue's head a task of `size` is chosen from: `spread` × size × the
   * active clients — so with 100 labelers the items others claimed in the last second (not seen
   * here yet) are a small share of the window, and conflicts per task stay low — doubled for each
   * round of the same claim that met only busy items (up to 8×).
   */
  windowFor(size: number, round = 1): number {
    return size * this.spread * this.follower.activeClients() * Math.min(8, 2 ** (round - 1));
  }

  /**
   * Whether a read of the tail should come first before claiming: what this client knows of the
   * others is older than `freshMs` — their recent claims and submissions are then not raced for
   * (a read is one request; a lost race two and another round).
   */
  staleView(freshMs = 250): boolean {
    return !!this.follower.tail && Date.now() - this.follower.lastReadAt >= freshMs;
  }

  /** Extends a task's lease on the board; `E_LEASE_EXPIRED` when it was taken over. */
  async renew(task: string, expiresAt: number, items: readonly number[] = [], signal?: AbortSignal): Promise<void> {
    await this.board.renew(await this.#lease(task, items, signal), signal, expiresAt);
  }

  /**
   * Before a submission or skip is written: the lease on these items must still be ours, renewed if
   * it is close to expiry. Throws `E_LEASE_EXPIRED` (and nothing is written) when it is not.
   */
  async ensureLive(task: string, items: readonly number[], signal?: AbortSignal): Promise<void> {
    const lease = await this.#lease(task, items, signal);
    const units = new Set(lease.units.map((h) => h.unit));
    const missing = items.filter((i) => !units.has(this.unitOf(i)));
    if (missing.length) {
      // Items the board does not show as ours for this task: win them now or refuse.
      const r = await this.board.claim(missing.map(this.unitOf), { task, signal });
      if (!r.granted) {
        throw new LabelkitError('E_LEASE_EXPIRED', 'Your lease on this task ran out and another labeler took it over. Your work on it was not submitted; take the next task.', {
          items: missing,
        });
      }
      lease.expiresAt = lease.units.length ? Math.min(lease.expiresAt, r.lease.expiresAt) : r.lease.expiresAt;
      lease.units.push(...r.lease.units);
    }
    await this.board.ensureLive(lease, { signal });
  }

  /**
   * After the submission or skip is durable: the items are done on the board. The submission's tail
   * record goes out meanwhile; both are in place when this resolves.
   */
  async finish(task: string, items: readonly number[], state: 'done' | 'released' = 'done', signal?: AbortSignal): Promise<string[]> {
    const announced = this.flush();
    const lease = this.#leases.get(task);
    if (!lease) {
      await announced;
      return [];
    }
    const [lost] = await Promise.all([this.board.finish(lease, state, { units: items.map(this.unitOf), signal }), announced]);
    if (!lease.units.length) this.#leases.delete(task);
    return lost;
  }

  /** Sends lingering tail records now; resolves when this client's segments so far are in the tail (or their append failed: sent with the next). */
  flush(): Promise<void> {
    return this.follower.tail ? this.follower.tail.flush() : Promise.resolve();
  }

  /** After `task.released`: the task's remaining items go back to the queue for everyone. */
  async release(task: string, items: readonly number[] = [], signal?: AbortSignal): Promise<void> {
    const lease = this.#leases.get(task) ?? (await this.board.resume(task, items.map(this.unitOf), signal));
    if (!lease) return;
    await this.board.release(lease, signal);
    this.#leases.delete(task);
  }

  /** After items went back to the queue (rejected, requeued, start-over): open on the board again. */
  async reopen(items: readonly number[], signal?: AbortSignal): Promise<void> {
    await this.board.reopen(items.map(this.unitOf), signal);
  }

  /** Remembers a task's items after a reload (`currentTask`), so its lease can be used again. */
  async adopt(task: string, items: readonly number[], signal?: AbortSignal): Promise<void> {
    if (this.#leases.has(task)) return;
    const lease = await this.board.resume(task, items.map(this.unitOf), signal);
    if (lease) this.#leases.set(task, lease);
  }

  /** Other clients' new segments, in the deterministic order, and the cursor after them. */
  async pull(signal?: AbortSignal, options: { all?: boolean } = {}): Promise<{ segments: SegmentRead[]; cursor: JournalCursor; reordered: boolean }> {
    const segments = await this.follower.read(signal, options);
    const before = this.merged?.eventCount ?? 0;
    const reordered = this.merged ? this.merged.add(segments) < before : false;
    return { segments, cursor: this.follower.cursor, reordered };
  }

  /**
   * Call after each own append, so the merged order and the follower's cursor include it; it is
   * announced to the others in the shared tail (the promise resolves when it is there; never rejects).
   */
  recordLocal(segment: SegmentRead): Promise<void> {
    this.follower.advance(segment.client, segment.seq);
    this.merged?.add([segment]);
    if (!this.follower.tail) return Promise.resolve();
    // Sent within `lingerMs` (200 ms), or at once with the next submission's (`finish` flushes).
    return this.follower.announce({ client: segment.client, seq: segment.seq, bytes: encodeSegment(segment.events) }, this.lingerMs);
  }

  /** How long a tail record may wait to go out with the next one (ms). */
  readonly lingerMs: number;

  /** Writes a snapshot body create-only and moves the head to it `If-Match` (never last-writer-wins). */
  publishSnapshot(body: Uint8Array, cursor: JournalCursor, signal?: AbortSignal) {
    return publishSnapshot(this.store, this.projectId, this.clientId, cursor, body, { signal });
  }

  loadSnapshot(signal?: AbortSignal) {
    return loadSnapshot(this.store, this.projectId, signal);
  }

  async #lease(task: string, items: readonly number[], signal?: AbortSignal): Promise<Lease> {
    const lease = this.#leases.get(task);
    if (lease) return lease;
    // After a reload the etags are gone: re-adopt what the board still shows held for this task.
    const resumed = await this.board.resume(task, items.map(this.unitOf), signal);
    if (resumed) {
      this.#leases.set(task, resumed);
      return resumed;
    }
    const empty: Lease = { task, holder: this.clientId, units: [], expiresAt: 0 };
    this.#leases.set(task, empty);
    return empty;
  }
}
