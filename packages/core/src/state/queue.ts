import type { Lane } from '../types.js';
import { Column, IndexQueue } from '../util/growable.js';
import { type ItemColumns, LANE_CLUSTERED, LANE_MANUAL, LANE_PRELABELED, laneCode } from './columns.js';
import type { Leases } from './leases.js';

interface ClusterQueues {
  ids: number[];
  queues: Map<number, IndexQueue>;
  next: number;
}

/**
 * Lane picking: which available items the next task holds. Everything here is a cache over the
 * columns and leases (cursors, per-lane queues, returned items served first); it never changes what
 * the fold means, and the fold drops it (`invalidate*`, `restart`) when lanes change under it. The
 * one piece of fold state it writes is the ranking (`rank`), which lives in the columns.
 */
export class LaneQueue {
  readonly #items: ItemColumns;
  readonly #leases: Leases;
  /** The manual lane's cursor into the queue order. */
  #cursor = 0;
  /** Items given back, per lane: served before the lane's own order. */
  readonly #returns = [new IndexQueue(), new IndexQueue(), new IndexQueue()];
  #laneQueues: (IndexQueue | undefined)[] = [undefined, undefined, undefined];
  #clusters: ClusterQueues | undefined;
  /** Per lane (manual, clustered): the ranked items still in it, in rank order (`informative` order). */
  #rankQueues: (IndexQueue | undefined)[] = [undefined, undefined];

  constructor(items: ItemColumns, leases: Leases) {
    this.#items = items;
    this.#leases = leases;
  }

  /** Item i goes to the front of its lane (released, expired, rejected). */
  returnToFront(i: number): void {
    this.#returns[this.#items.lane.array[i]!]!.unshift(i);
  }

  /** Item i goes back into its lane, after the items already returned (requeued, withdrawn). */
  returnToBack(i: number): void {
    this.#returns[this.#items.lane.array[i]!]!.push(i);
  }

  /** The prelabeled lane changed: rebuilt on next use (and the ranked queues, whose items moved). */
  invalidatePrelabeled(): void {
    this.#laneQueues[LANE_PRELABELED] = undefined;
    this.#rankQueues = [undefined, undefined];
  }

  /** Cluster assignments changed: rebuilt on next use. */
  invalidateClusters(): void {
    this.#clusters = undefined;
    this.#rankQueues = [undefined, undefined];
  }

  /** Every item may be todo again (a start over): lanes are read afresh from the top. */
  restart(): void {
    this.#cursor = 0;
    this.#laneQueues = [undefined, undefined, undefined];
    this.#clusters = undefined;
    this.#rankQueues = [undefined, undefined];
  }

  /**
   * An `items.ranked` event: the new ranking replaces the last (it is fold state, kept in the
   * columns and the snapshot); items past the end of the project are dropped.
   */
  rank(items: readonly number[]): void {
    const n = this.#items.length;
    this.#items.ranked = Column.from(Uint32Array, Uint32Array.from(items.filter((i) => Number.isInteger(i) && i >= 0 && i < n)));
    this.#rankQueues = [undefined, undefined];
  }

  /**
   * Puts items back at the front of their lane (a cache step; no event, the fold's meaning is
   * unchanged): items a shared store's lease board reported held by another client, once that
   * lease may have run out.
   */
  requeueFront(items: readonly number[]): void {
    for (const i of items) if (this.#items.isTodo(i)) this.returnToFront(i);
  }

  /**
   * Picks up to `size` available items from the first lane in `laneOrder` that has any.
   * Amortised O(size): each lane's cursor passes each item once; returned items are served first.
   * `passOver(i)` drops items this client must never get (its own consensus answers): they leave
   * this client's queue; other clients' queues are their own.
   */
  pick(size: number, laneOrder: readonly Lane[], now: number, passOver?: (i: number) => boolean, informative = false): { lane: Lane; items: number[] } | undefined {
    // Items whose lease ran out go back to the front of their lane.
    this.#leases.forEachExpired(now, (i) => this.returnToFront(i));
    const cols = this.#items;
    for (const laneName of laneOrder) {
      const lane = laneCode(laneName);
      const items: number[] = [];
      const take = (i: number) => {
        if (cols.lane.array[i] === lane && cols.isTodo(i) && !this.#leases.isLeased(i, now) && !items.includes(i) && !passOver?.(i)) items.push(i);
      };
      const returns = this.#returns[lane]!;
      while (items.length < size && returns.size) take(returns.shift());
      // `queue.order: 'informative'`: the ranked items of this lane first, in rank order; the lane's
      // own order then passes them (they are leased or labeled by then, or taken again if returned).
      if (informative && lane !== LANE_PRELABELED) {
        const rq = this.#rankQueue(lane);
        while (items.length < size && rq.size) take(rq.shift());
      }
      if (lane === LANE_MANUAL) {
        const order = cols.order.array;
        while (items.length < size && this.#cursor < cols.order.length) take(order[this.#cursor++]!);
      } else if (lane === LANE_CLUSTERED) {
        // Similar images on one page, one cluster per page, and the next page from the next
        // cluster: early labels then cover every cluster (so every class) instead of one cluster
        // after another, which is what the first training run needs.
        const cq = this.#clusterQueues();
        while (items.length < size && cq.ids.length) {
          cq.next %= cq.ids.length;
          const q = cq.queues.get(cq.ids[cq.next]!)!;
          while (items.length < size && q.size) take(q.shift());
          if (q.size === 0) cq.ids.splice(cq.next, 1);
          else cq.next++;
          if (items.length) break;
        }
      } else {
        const q = this.#laneQueue(lane);
        while (items.length < size && q.size) take(q.shift());
      }
      if (items.length) return { lane: laneName, items };
    }
    return undefined;
  }

  /** The ranked items now todo in `lane` (manual or clustered), in rank order. */
  #rankQueue(lane: number): IndexQueue {
    let q = this.#rankQueues[lane];
    if (q) return q;
    q = new IndexQueue();
    const cols = this.#items;
    const ranked = cols.ranked;
    for (let p = 0; p < ranked.length; p++) {
      const i = ranked.array[p]!;
      if (cols.lane.array[i] === lane && cols.isTodo(i)) q.push(i);
    }
    this.#rankQueues[lane] = q;
    return q;
  }

  #laneQueue(lane: number): IndexQueue {
    let q = this.#laneQueues[lane];
    if (q) return q;
    q = new IndexQueue();
    const cols = this.#items;
    const order = cols.order.array;
    for (let p = 0; p < cols.order.length; p++) {
      const i = order[p]!;
      if (cols.lane.array[i] === lane && cols.isTodo(i)) q.push(i);
    }
    this.#laneQueues[lane] = q;
    return q;
  }

  /** The clustered lane: one queue per cluster (shuffled order inside), served round-robin. */
  #clusterQueues(): ClusterQueues {
    if (this.#clusters) return this.#clusters;
    const queues = new Map<number, IndexQueue>();
    const cols = this.#items;
    const order = cols.order.array;
    for (let p = 0; p < cols.order.length; p++) {
      const i = order[p]!;
      if (cols.lane.array[i] !== LANE_CLUSTERED || !cols.isTodo(i)) continue;
      const c = cols.cluster.array[i]!;
      let q = queues.get(c);
      if (!q) queues.set(c, (q = new IndexQueue()));
      q.push(i);
    }
    this.#clusters = { ids: [...queues.keys()].sort((a, b) => a - b), queues, next: 0 };
    return this.#clusters;
  }
}
