import type { Lane } from '../types.js';
import { Column } from '../util/growable.js';

export interface TaskRecord {
  id: string;
  user: string;
  /**
   * The client (a tab or a process) the task was handed to. A lease belongs to a client, not to a
   * user: a second tab of the same user must not resume it. Absent in journals written before it.
   */
  client?: string;
  lane: Lane;
  items: number[];
  assignedAt: number;
  expiresAt: number;
}

/** What the leases need of the state they live in. */
export interface LeaseHost {
  /** Whether item i exists and is todo (only todo items are leased). */
  isTodo(i: number): boolean;
  /** Item i, todo, was given back (its task released): it goes to the front of its lane. */
  returned(i: number): void;
}

/** Whether item i may be labeled in a task, as far as leases go (`Leases.check`). */
export type LeaseCheck = 'ok' | 'held-by-other' | 'not-in-task';

/**
 * The open tasks of a project and the items they lease: a slot per open task, the slot of the task
 * each item is leased in, one open task per holder, and a min-heap of expiry times so the queue
 * finds run-out leases without a scan. Part of the fold (tasks are journal events); the heap is a cache.
 */
export class Leases {
  readonly #host: LeaseHost;
  /** Slot of the task an item is leased in, or -1. */
  readonly #slotOf = new Column(Int32Array, 1024, -1);
  /** Open tasks by slot. */
  readonly #tasks: (TaskRecord | undefined)[] = [];
  readonly #slotById = new Map<string, number>();
  /** Items still leased in each slot's task. */
  readonly #live: number[] = [];
  readonly #freeSlots: number[] = [];
  /** Open task slot by holder (`holderKey`: user, and client where the event named it). */
  readonly #byHolder = new Map<string, number>();
  readonly #heap = new ExpiryHeap();

  constructor(host: LeaseHost) {
    this.#host = host;
  }

  /** Makes room for `n` items (new ones unleased). */
  resize(n: number): void {
    this.#slotOf.resize(n);
  }

  /**
   * A new task (`task.assigned`): its todo items are leased in it, and its holder's older task is
   * superseded. `keepOthers` (consensus: several labelers may hold one item) leaves an item with
   * another user's task while that lease is live at `at`.
   */
  assign(id: string, user: string, items: readonly number[], lane: Lane, at: number, expiresAt: number, client?: string, keepOthers = false): void {
    const slot = this.#freeSlots.pop() ?? this.#tasks.length;
    const t: TaskRecord = { id, user, lane, items: [], assignedAt: at, expiresAt, ...(client ? { client } : {}) };
    let live = 0;
    for (const i of items) {
      if (!this.#host.isTodo(i)) continue;
      if (keepOthers && this.isLeased(i, at) && this.holderOf(i) !== user) continue;
      this.unlease(i);
      this.#slotOf.array[i] = slot;
      t.items.push(i);
      live++;
    }
    // A holder (a user in one client) holds one task at a time: an older open task is superseded.
    const key = holderKey(user, client);
    const old = this.#byHolder.get(key);
    if (old !== undefined) this.#releaseSlot(old);
    this.#tasks[slot] = t;
    this.#live[slot] = live;
    this.#slotById.set(id, slot);
    this.#byHolder.set(key, slot);
    this.#heap.push(expiresAt, slot, id);
    if (live === 0) this.#close(slot);
  }

  /** `task.renewed`: the task's lease runs until `expiresAt`. */
  renew(id: string, expiresAt: number): void {
    const slot = this.#slotById.get(id);
    const t = slot === undefined ? undefined : this.#tasks[slot];
    if (!t || slot === undefined) return;
    t.expiresAt = expiresAt;
    this.#heap.push(expiresAt, slot, t.id);
  }

  /** `task.released`: the task's open items go back to the front of their lanes. */
  release(id: string): void {
    const slot = this.#slotById.get(id);
    if (slot !== undefined) this.#releaseSlot(slot);
  }

  /** Item i leaves its task (submitted, skipped, unreadable); a task with nothing left closes. */
  unlease(i: number): void {
    const slot = this.#slotOf.array[i]!;
    if (slot < 0) return;
    this.#slotOf.array[i] = -1;
    if (--this.#live[slot]! <= 0) this.#close(slot);
  }

  /** Whether item i is held by a lease that is live at `now`. */
  /** The user whose task item i is leased in (live or not), if any. */
  holderOf(i: number): string | undefined {
    const slot = this.#slotOf.array[i]!;
    return slot < 0 ? undefined : this.#tasks[slot]?.user;
  }

  isLeased(i: number, now: number): boolean {
    const slot = this.#slotOf.array[i]!;
    if (slot < 0) return false;
    const t = this.#tasks[slot];
    return !!t && t.expiresAt > now;
  }

  /**
   * Whether item i may be labeled in task `taskId` at `now`: not if someone else's live lease holds
   * it, nor if the task (still open) never held it. An item whose lease in this task ran out, and
   * that nobody took since, is still accepted.
   */
  check(taskId: string, i: number, now: number): LeaseCheck {
    const mine = this.#slotById.get(taskId);
    const slot = this.#slotOf.array[i]!;
    if (slot === mine) return 'ok';
    if (slot >= 0 && this.isLeased(i, now)) return 'held-by-other';
    const t = mine === undefined ? undefined : this.#tasks[mine];
    return t && !t.items.includes(i) ? 'not-in-task' : 'ok';
  }

  /**
   * The open task a user holds in `client`, live at `now`. Tasks written before tasks named their
   * client belong to the user in any client.
   */
  taskOf(user: string, now: number, client?: string): TaskRecord | undefined {
    const slot = this.#byHolder.get(holderKey(user, client)) ?? this.#byHolder.get(holderKey(user, undefined));
    const t = slot === undefined ? undefined : this.#tasks[slot];
    if (!t || t.expiresAt <= now) return undefined;
    return t;
  }

  byId(id: string): TaskRecord | undefined {
    const slot = this.#slotById.get(id);
    return slot === undefined ? undefined : this.#tasks[slot];
  }

  /** Items of `task` still leased in it (not yet submitted or skipped). */
  openItemsOf(task: TaskRecord): number[] {
    const slot = this.#slotById.get(task.id);
    return task.items.filter((i) => this.#slotOf.array[i] === slot && this.#host.isTodo(i));
  }

  /** The open tasks, each with only its open items (what a snapshot keeps). */
  openTasks(): TaskRecord[] {
    return this.#tasks.filter((t): t is TaskRecord => !!t).map((t) => ({ ...t, items: this.openItemsOf(t) }));
  }

  /** Calls `visit` for each todo item held by a lease live at `now`. */
  forEachLeased(now: number, visit: (i: number) => void): void {
    for (const t of this.#tasks) {
      if (!t || t.expiresAt <= now) continue;
      const slot = this.#slotById.get(t.id)!;
      for (const i of t.items) if (this.#slotOf.array[i] === slot && this.#host.isTodo(i)) visit(i);
    }
  }

  /** Calls `visit` for each todo item whose lease ran out by `now` and was not seen run out before. */
  forEachExpired(now: number, visit: (i: number) => void): void {
    for (;;) {
      const top = this.#heap.popDue(now);
      if (!top) return;
      const t = this.#tasks[top.slot];
      if (!t || t.id !== top.id || t.expiresAt !== top.at) continue; // renewed or closed since
      for (const i of t.items) if (this.#slotOf.array[i] === top.slot && this.#host.isTodo(i)) visit(i);
    }
  }

  #releaseSlot(slot: number): void {
    const t = this.#tasks[slot];
    if (!t) return;
    for (const i of t.items) {
      if (this.#slotOf.array[i] === slot) {
        this.unlease(i);
        if (this.#host.isTodo(i)) this.#host.returned(i);
      }
    }
    this.#close(slot);
  }

  #close(slot: number): void {
    const t = this.#tasks[slot];
    if (!t) return;
    for (const i of t.items) if (this.#slotOf.array[i] === slot) this.#slotOf.array[i] = -1;
    this.#tasks[slot] = undefined;
    this.#live[slot] = 0;
    this.#slotById.delete(t.id);
    const key = holderKey(t.user, t.client);
    if (this.#byHolder.get(key) === slot) this.#byHolder.delete(key);
    this.#freeSlots.push(slot);
  }
}

interface Expiry {
  at: number;
  slot: number;
  id: string;
}

/** A binary min-heap of lease expiry times. */
class ExpiryHeap {
  readonly #h: Expiry[] = [];

  push(at: number, slot: number, id: string): void {
    const h = this.#h;
    h.push({ at, slot, id });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= h[i]!.at) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  /** Removes and returns the earliest expiry if it is due by `now`. */
  popDue(now: number): Expiry | undefined {
    const h = this.#h;
    if (!h.length || h[0]!.at > now) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** A task's holder: the user, in the client the task was handed to (when the event names it). */
function holderKey(user: string, client: string | undefined): string {
  return client ? `${user}\u0000${client}` : user;
}
