import { LabelkitError } from '../errors.js';
import type { JournalEvent, ProjectEvent } from '../journal/events.js';
import type { ProjectState } from '../state/project-state.js';
import type { Lane, QueueSettings } from '../types.js';
import { fnv1a } from '../util/crc32.js';
import { mulberry32 } from '../util/prng.js';
import type { SharedCoordinator } from './coordinator.js';

/** What the shared queue needs of its project. */
export interface SharedQueueHost {
  readonly state: ProjectState;
  readonly clientId: string;
  queueSettings(): QueueSettings;
  now(): number;
  /** Reads and applies other clients' new events (all of them, or only the due ones). */
  pull(all: boolean, signal?: AbortSignal): Promise<JournalEvent[]>;
  /** Tells listeners about events other clients wrote. */
  emitRemote(events: JournalEvent[]): void;
  commit(events: ProjectEvent[]): Promise<void>;
}

/**
 * The queue of a project on a shared store: items are won on the lease board before they are
 * handed out, lost leases are given up, done marks are retried, and items another client holds are
 * parked until that lease can have run out. Loaded with the rest of `shared/`, by shared projects only.
 */
export class SharedQueue {
  /** Items the lease board said another client holds, with when to try them again. */
  readonly #parked = new Map<number, number>();
  #lastPullAt = 0;
  /** Where in the queue's head window this client starts (seeded: runs repeat). */
  readonly #random: () => number;

  constructor(
    readonly host: SharedQueueHost,
    readonly coordinator: SharedCoordinator,
  ) {
    this.#random = mulberry32(fnv1a(host.clientId));
  }

  /** Parked items whose holder's lease can have run out go back to the front of the queue. */
  unpark(now: number): void {
    if (!this.#parked.size) return;
    const due: number[] = [];
    for (const [item, at] of this.#parked) if (at <= now) due.push(item);
    for (const i of due) this.#parked.delete(i);
    this.host.state.requeueFront(due);
  }

  /**
   * Claims up to `size` items for task `id` on the lease board; items other clients hold (or have
   * finished) are passed over and the next ones tried, pulling others' events now and then so the
   * local queue learns what they hold.
   */
  async claim(id: string, size: number, signal?: AbortSignal): Promise<{ lane: Lane; items: number[] } | undefined> {
    const { state } = this.host;
    const shared = this.coordinator;
    // A view of the others older than a quarter second: read what they claimed and finished lately
    // first (one read of the shared tail), so their items are not raced for.
    if (shared.staleView()) await this.#pull(false, signal);
    for (let round = 1; ; round++) {
      const q = this.host.queueSettings();
      // A window of the queue's head (growing with the team, and with each round that met only
      // busy items); each client starts at a random place in it, so clients rarely race.
      const window = state.pick(shared.windowFor(size, round), q.laneOrder, this.host.now());
      if (!window) return undefined;
      const start = Math.floor(this.#random() * window.items.length);
      const want = [...window.items.slice(start), ...window.items.slice(0, start)].slice(0, size);
      const claimed = await shared.claim(id, want, this.host.now() + q.leaseMs, signal);
      const { busy } = claimed;
      let granted = claimed.granted;
      // Items another client holds come back to this queue once that lease can have run out.
      for (const b of busy) if (b.state === 'held') this.#parked.set(b.item, b.retryAt);
      const taken = new Set([...granted, ...busy.map((b) => b.item)]);
      state.requeueFront(window.items.filter((i) => !taken.has(i)).reverse());
      if (claimed.previousHolders.length) {
        // Won from a lease that ran out while held: its holder may have submitted or skipped the
        // item and died (or lost its connection) before marking it done. Read what it wrote first,
        // so the item is never handed out — and labeled — twice.
        await this.#pull(true, signal);
        const finished = granted.filter((i) => !state.is(i, 'todo'));
        if (finished.length) {
          await shared.finish(id, finished, 'done', signal);
          granted = granted.filter((i) => !finished.includes(i));
        }
      }
      if (granted.length) return { lane: window.lane, items: granted };
      if (round % 4 === 0 && this.host.now() - this.#lastPullAt >= 500) await this.#pull(false, signal);
    }
  }

  /**
   * Runs a lease check; when the lease turns out lost (`E_LEASE_EXPIRED`: it ran out and another
   * client took it), the task is given up here too — the others' events are read and a
   * `task.released` is written — so the next `nextTask` hands out new work instead of the same lost
   * task again. Then the error goes to the caller; nothing of the task was written.
   */
  async holdingLease(taskId: string, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (err) {
      if (!LabelkitError.is(err, 'E_LEASE_EXPIRED')) throw err;
      await this.#pull(true).catch(() => undefined);
      const t = this.host.state.taskById(taskId);
      if (t) {
        const open = this.host.state.openItemsOf(t);
        await this.host.commit([{ type: 'task.released', task: taskId }]);
        await this.coordinator.release(taskId, open).catch(() => undefined); // units still ours go back
      }
      throw err;
    }
  }

  /**
   * After a submission or skip is durable: its items are done on the lease board. Retried; if it
   * still fails, the submission stands anyway: a client that takes the lease over once it ran out
   * reads this client's journal before handing the item out (`claim`), so it is neither lost nor
   * labeled twice.
   */
  async markDone(taskId: string, items: readonly number[]): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.coordinator.finish(taskId, items, 'done');
        return;
      } catch (err) {
        if (LabelkitError.is(err, 'E_LEASE_EXPIRED')) return; // taken over after the write: the taker reads it
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  async #pull(all: boolean, signal?: AbortSignal): Promise<void> {
    this.#lastPullAt = this.host.now();
    const events = await this.host.pull(all, signal);
    if (events.length) this.host.emitRemote(events);
  }
}
