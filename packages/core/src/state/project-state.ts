import type { JournalEvent, LabelAddMode } from '../journal/events.js';
import type { Annotation, AssistSettings, ItemState, ItemView, LabelClass, Lane, ProjectKind, QueueSettings, Role, RunKind, RunStatus } from '../types.js';
import { fnv1a } from '../util/crc32.js';
import { Column, IndexQueue } from '../util/growable.js';
import { deriveSeed, shuffleInPlace } from '../util/prng.js';
import { StringTable } from './string-table.js';
import { TextColumn } from './text-column.js';

// Stored item states ('assigned' is derived from leases).
export const ST_TODO = 0;
export const ST_LABELED = 2;
export const ST_SKIPPED = 3;
export const ST_REVIEW = 4;
export const ST_UNREADABLE = 5;
const STATE_NAMES: ItemState[] = ['todo', 'assigned', 'labeled', 'skipped', 'needs-review', 'unreadable'];
/** An item's status as stored; `assigned` is derived from live leases (`itemState`). */
export type StoredStatus = Exclude<ItemState, 'assigned'>;

export const LANE_MANUAL = 0;
export const LANE_CLUSTERED = 1;
export const LANE_PRELABELED = 2;
const LANE_NAMES: Lane[] = ['manual', 'clustered', 'prelabeled'];
export const laneCode = (lane: Lane): number => LANE_NAMES.indexOf(lane);

export interface ProjectMeta {
  id: string;
  name: string;
  kind: ProjectKind;
  labels: LabelClass[];
  instructions: string;
  assist: AssistSettings;
  queue: QueueSettings;
  seed: number;
  createdAt: number;
  createdBy: string;
}

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

export interface RunRecord {
  id: string;
  kind: RunKind;
  status: RunStatus;
  device?: string;
  startedAt: number;
  finishedAt?: number;
  startedBy: string;
  params?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  error?: string;
  /** Labeled items when the run started (the dashboard's "labels until next run" counts from it). */
  labeledAtStart: number;
}

export interface Stats {
  readonly total: number;
  readonly counts: Readonly<Record<ItemState, number>>;
  /** Items waiting in each lane (todo, not leased). */
  readonly lanes: Readonly<Record<Lane, number>>;
  /** Per label id: items carrying it (multi-label totals may exceed the item count) and shapes. */
  readonly labelDistribution: ReadonlyArray<{ readonly label: string; readonly name: string; readonly items: number; readonly shapes: number }>;
  /** Labels still needed before the next training run; undefined when assist is off. */
  readonly labelsToNextRun?: number;
  /** Items labeled since the last completed training run (or in all, before the first). */
  readonly labeledSinceLastTraining: number;
}

/**
 * A project's state: a pure fold of its journal. Per-item fields live in typed-array columns and
 * paths in an interned UTF-8 table, so 500,000 items cost tens of megabytes. Queue cursors and
 * lane queues are caches rebuilt from the columns; they never change what the fold means.
 */
export class ProjectState {
  meta!: ProjectMeta;
  members = new Map<string, Role>();
  paths = new StringTable(1024);
  state = new Column(Uint8Array);
  lane = new Column(Uint8Array);
  /** Slot of the task an item is leased in, or -1. */
  task = new Column(Int32Array, 1024, -1);
  etag = new Column(Uint32Array);
  size = new Column(Float64Array, 1024, NaN);
  lastModified = new Column(Float64Array, 1024, NaN);
  width = new Column(Uint32Array);
  height = new Column(Uint32Array);
  cluster = new Column(Int32Array, 1024, -1);
  labeledBy = new Column(Int32Array, 1024, -1);
  labeledAt = new Column(Float64Array, 1024, NaN);
  /** Queue order: a seeded shuffle of each added batch, appended. */
  order = new Column(Uint32Array);
  labels = new TextColumn();
  prelabels = new TextColumn();
  /**
   * The prelabels an item carried when it was labeled (what the labeler was shown): accepted or
   * corrected prelabels are how ML assist measures the precision it really delivered.
   */
  shown = new TextColumn();
  users = new StringTable(16);
  unreadable = new Map<number, { code: string; reason: string }>();
  runs = new Map<string, RunRecord>();
  batches = 0;
  eventCount = 0;
  lastEventAt = 0;
  /** Counts of stored states (index = ST_*). */
  counts = new Int32Array(6);
  /** Per label id: [items, shapes]. */
  labelTally = new Map<string, [number, number]>();
  /** Labeled count when the last training run completed. */
  labeledAtLastTraining = 0;
  trainingRuns = 0;

  // Leases: open tasks by slot.
  tasks: (TaskRecord | undefined)[] = [];
  taskSlots = new Map<string, number>();
  taskLive: number[] = [];
  freeSlots: number[] = [];
  /** Open task slot by holder (`holderKey`: user, and client where the event named it). */
  userTask = new Map<string, number>();

  // Caches (not part of the fold's meaning).
  #cursor = 0;
  #returns = [new IndexQueue(), new IndexQueue(), new IndexQueue()];
  #laneQueues: (IndexQueue | undefined)[] = [undefined, undefined, undefined];
  #clusters: { ids: number[]; queues: Map<number, IndexQueue>; next: number } | undefined;
  #heap: { at: number; slot: number; id: string }[] = [];

  get itemCount(): number {
    return this.state.length;
  }

  // ───────────────────────────── fold ─────────────────────────────

  apply(e: JournalEvent): void {
    this.eventCount++;
    if (e.at > this.lastEventAt) this.lastEventAt = e.at;
    switch (e.type) {
      case 'project.created':
        this.meta = {
          id: e.id,
          name: e.name,
          kind: e.kind,
          labels: e.labels.map((l) => ({ ...l })),
          instructions: e.instructions,
          assist: { ...e.assist },
          queue: { ...e.queue, laneOrder: [...e.queue.laneOrder] },
          seed: e.seed,
          createdAt: e.at,
          createdBy: e.by,
        };
        this.members.set(e.by, 'owner');
        return;
      case 'items.added':
        return this.#addItems(e);
      case 'items.changed':
        e.items.forEach((i, k) => {
          if (i >= this.itemCount) return;
          if (e.etags?.[k] != null) this.etag.array[i] = fnv1a(e.etags[k] as string);
          if (e.sizes?.[k] != null) this.size.array[i] = e.sizes[k] as number;
          if (e.lastModified?.[k] != null) this.lastModified.array[i] = e.lastModified[k] as number;
        });
        return;
      case 'items.measured':
        e.items.forEach((i, k) => {
          if (i >= this.itemCount) return;
          this.width.array[i] = e.widths[k] >>> 0;
          this.height.array[i] = e.heights[k] >>> 0;
        });
        return;
      case 'item.unreadable':
        if (e.item >= this.itemCount) return;
        this.#unlease(e.item);
        this.#setState(e.item, ST_UNREADABLE);
        this.unreadable.set(e.item, { code: e.code, reason: e.reason });
        return;
      case 'task.assigned':
        return this.#assign(e.task, e.by, e.items, e.lane, e.at, e.expiresAt, e.client);
      case 'task.renewed': {
        const slot = this.taskSlots.get(e.task);
        const t = slot === undefined ? undefined : this.tasks[slot];
        if (t && slot !== undefined) {
          t.expiresAt = e.expiresAt;
          this.#heapPush(e.expiresAt, slot, t.id);
        }
        return;
      }
      case 'task.released': {
        const slot = this.taskSlots.get(e.task);
        if (slot !== undefined) this.#releaseSlot(slot);
        return;
      }
      case 'labels.submitted':
        e.items.forEach((i, k) => {
          if (i >= this.itemCount || this.state.array[i] === ST_UNREADABLE) return;
          this.#unlease(i);
          this.#setLabels(i, e.annotations[k] ?? []);
          this.#setState(i, e.needsReview ? ST_REVIEW : ST_LABELED);
          this.labeledBy.array[i] = this.users.add(e.by).index;
          this.labeledAt.array[i] = e.at;
          const pre = this.prelabels.get(i);
          if (pre !== undefined || this.shown.has(i)) this.shown.set(i, pre);
          if (pre !== undefined) this.prelabels.set(i, undefined);
        });
        return;
      case 'items.skipped':
        for (const i of e.items) {
          if (i >= this.itemCount || this.state.array[i] !== ST_TODO) continue;
          this.#unlease(i);
          this.#setState(i, ST_SKIPPED);
        }
        return;
      case 'items.reviewed':
        for (const i of e.items) if (i < this.itemCount && this.state.array[i] === ST_REVIEW) this.#setState(i, ST_LABELED);
        return;
      case 'items.rejected':
        for (const i of e.items) {
          if (i >= this.itemCount) continue;
          const s = this.state.array[i];
          if (s !== ST_LABELED && s !== ST_REVIEW) continue;
          this.#setLabels(i, undefined);
          if (this.shown.has(i)) this.shown.set(i, undefined);
          this.labeledBy.array[i] = -1;
          this.labeledAt.array[i] = NaN;
          this.#setState(i, ST_TODO);
          this.#returns[this.lane.array[i]].unshift(i);
        }
        return;
      case 'items.requeued': {
        const from = e.from === 'unreadable' ? ST_UNREADABLE : ST_SKIPPED;
        for (const i of e.items) {
          if (i >= this.itemCount || this.state.array[i] !== from) continue;
          if (from === ST_UNREADABLE) this.unreadable.delete(i);
          this.#setState(i, ST_TODO);
          this.#returns[this.lane.array[i]].push(i);
        }
        return;
      }
      case 'label.added':
        this.meta.labels = [...this.meta.labels, { ...e.label }];
        return this.#startOver(e.mode);
      case 'instructions.edited':
        this.meta.instructions = e.markdown;
        return;
      case 'assist.updated':
        this.meta.assist = { ...e.assist };
        return;
      case 'queue.updated':
        this.meta.queue = { ...e.queue, laneOrder: [...e.queue.laneOrder] };
        return;
      case 'member.set':
        if (e.role) this.members.set(e.user, e.role);
        else this.members.delete(e.user);
        return;
      case 'run.started':
        this.runs.set(e.run, {
          id: e.run,
          kind: e.kind,
          status: 'running',
          device: e.device,
          startedAt: e.at,
          startedBy: e.by,
          params: e.params,
          labeledAtStart: this.counts[ST_LABELED] + this.counts[ST_REVIEW],
        });
        return;
      case 'run.finished': {
        const r = this.runs.get(e.run);
        if (!r) return;
        r.status = e.status;
        r.finishedAt = e.at;
        r.metrics = e.metrics;
        r.error = e.error;
        if (e.device) r.device = e.device;
        if (r.kind === 'training' && e.status === 'completed') {
          this.trainingRuns++;
          this.labeledAtLastTraining = r.labeledAtStart;
        }
        return;
      }
      case 'prelabels.proposed':
        e.items.forEach((i, k) => {
          if (i >= this.itemCount || this.state.array[i] !== ST_TODO) return;
          this.prelabels.set(i, JSON.stringify(e.annotations[k] ?? []));
          this.lane.array[i] = LANE_PRELABELED;
        });
        this.#laneQueues[LANE_PRELABELED] = undefined;
        return;
      case 'prelabels.withdrawn':
        return this.#withdraw(e.items);
      case 'clusters.assigned':
        e.items.forEach((i, k) => {
          if (i >= this.itemCount || this.state.array[i] !== ST_TODO || this.lane.array[i] === LANE_PRELABELED) return;
          this.cluster.array[i] = e.clusters[k];
          this.lane.array[i] = LANE_CLUSTERED;
        });
        this.#clusters = undefined;
        return;
      default: {
        // Unknown event types from a newer writer are kept in the journal and ignored here.
        return;
      }
    }
  }

  /**
   * Takes todo items' prelabels back: each item returns to the lane it was in before it was
   * prelabeled (clustered when it has a cluster, else manual), so the prelabeled lane only holds
   * prelabels someone still stands behind.
   */
  #withdraw(items: readonly number[]): void {
    let clustered = false;
    for (const i of items) {
      if (i >= this.itemCount || this.state.array[i] !== ST_TODO || !this.prelabels.has(i)) continue;
      this.prelabels.set(i, undefined);
      if (this.lane.array[i] !== LANE_PRELABELED) continue;
      const lane = this.cluster.array[i] >= 0 ? LANE_CLUSTERED : LANE_MANUAL;
      this.lane.array[i] = lane;
      // The manual lane's cursor may be past the item: it is served from the lane's returns.
      if (lane === LANE_MANUAL) this.#returns[LANE_MANUAL].push(i);
      else clustered = true;
    }
    this.#laneQueues[LANE_PRELABELED] = undefined;
    if (clustered) this.#clusters = undefined;
  }

  #addItems(e: Extract<JournalEvent, { type: 'items.added' }>): void {
    const start = this.itemCount;
    let n = start;
    for (let k = 0; k < e.paths.length; k++) {
      const { added } = this.paths.add(e.paths[k]);
      if (!added) continue;
      const i = n++;
      this.#grow(n);
      const etag = e.etags?.[k];
      this.etag.array[i] = etag ? fnv1a(etag) : 0;
      const size = e.sizes?.[k];
      this.size.array[i] = size ?? NaN;
      const lm = e.lastModified?.[k];
      this.lastModified.array[i] = lm ?? NaN;
    }
    const added = n - start;
    this.counts[ST_TODO] += added;
    // Shuffle the new batch once with a seed derived from the project seed (recorded in the journal).
    const batchOrder = new Uint32Array(added);
    for (let k = 0; k < added; k++) batchOrder[k] = start + k;
    shuffleInPlace(batchOrder, deriveSeed(this.meta.seed, e.batch));
    this.order.ensure(this.order.length + added);
    this.order.array.set(batchOrder, this.order.length);
    this.order.length += added;
    this.batches = Math.max(this.batches, e.batch + 1);
  }

  #grow(n: number): void {
    for (const c of [this.state, this.lane, this.task, this.etag, this.size, this.lastModified, this.width, this.height, this.cluster, this.labeledBy, this.labeledAt]) {
      (c as Column<Uint8Array>).resize(n);
    }
  }

  #setState(i: number, s: number): void {
    this.counts[this.state.array[i]]--;
    this.counts[s]++;
    this.state.array[i] = s;
  }

  #setLabels(i: number, anns: readonly Annotation[] | undefined): void {
    const prev = this.labels.get(i);
    if (prev) this.#tally(JSON.parse(prev) as Annotation[], -1);
    if (anns) this.#tally(anns, +1);
    this.labels.set(i, anns ? JSON.stringify(anns) : undefined);
  }

  #tally(anns: readonly Annotation[], sign: 1 | -1): void {
    const seen = new Set<string>();
    for (const a of anns) {
      const t = this.labelTally.get(a.label) ?? [0, 0];
      if (!seen.has(a.label)) {
        t[0] += sign;
        seen.add(a.label);
      }
      t[1] += sign;
      this.labelTally.set(a.label, t);
    }
  }

  #startOver(mode: LabelAddMode): void {
    if (mode === 'continue') return;
    for (let i = 0; i < this.itemCount; i++) {
      const s = this.state.array[i];
      if (s !== ST_LABELED && s !== ST_REVIEW) continue;
      const prev = this.labels.get(i);
      this.#setLabels(i, undefined);
      if (this.shown.has(i)) this.shown.set(i, undefined);
      if (mode === 'start-over-keep' && prev) {
        // Azure ML: "keep the existing labels as a default tag" — they come back pre-filled.
        this.prelabels.set(i, prev);
      }
      this.labeledBy.array[i] = -1;
      this.labeledAt.array[i] = NaN;
      this.#setState(i, ST_TODO);
    }
    this.#cursor = 0;
    this.#laneQueues = [undefined, undefined, undefined];
    this.#clusters = undefined;
  }

  // ───────────────────────────── leases ─────────────────────────────

  #assign(id: string, user: string, items: number[], lane: Lane, at: number, expiresAt: number, client?: string): void {
    const slot = this.freeSlots.pop() ?? this.tasks.length;
    const t: TaskRecord = { id, user, lane, items: [], assignedAt: at, expiresAt, ...(client ? { client } : {}) };
    let live = 0;
    for (const i of items) {
      if (i >= this.itemCount || this.state.array[i] !== ST_TODO) continue;
      this.#unlease(i);
      this.task.array[i] = slot;
      t.items.push(i);
      live++;
    }
    // A holder (a user in one client) holds one task at a time: an older open task is superseded.
    const key = holderKey(user, client);
    const old = this.userTask.get(key);
    if (old !== undefined && this.tasks[old]) this.#releaseSlot(old);
    this.tasks[slot] = t;
    this.taskLive[slot] = live;
    this.taskSlots.set(id, slot);
    this.userTask.set(key, slot);
    this.#heapPush(expiresAt, slot, id);
    if (live === 0) this.#closeTask(slot);
  }

  #releaseSlot(slot: number): void {
    const t = this.tasks[slot];
    if (!t) return;
    for (const i of t.items) {
      if (this.task.array[i] === slot) {
        this.#unlease(i);
        if (this.state.array[i] === ST_TODO) this.#returns[this.lane.array[i]].unshift(i);
      }
    }
    this.#closeTask(slot);
  }

  #unlease(i: number): void {
    const slot = this.task.array[i];
    if (slot < 0) return;
    this.task.array[i] = -1;
    if (--this.taskLive[slot] <= 0) this.#closeTask(slot);
  }

  #closeTask(slot: number): void {
    const t = this.tasks[slot];
    if (!t) return;
    for (const i of t.items) if (this.task.array[i] === slot) this.task.array[i] = -1;
    this.tasks[slot] = undefined;
    this.taskLive[slot] = 0;
    this.taskSlots.delete(t.id);
    const key = holderKey(t.user, t.client);
    if (this.userTask.get(key) === slot) this.userTask.delete(key);
    this.freeSlots.push(slot);
  }

  #heapPush(at: number, slot: number, id: string): void {
    const h = this.#heap;
    h.push({ at, slot, id });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  #heapPop(): { at: number; slot: number; id: string } | undefined {
    const h = this.#heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }

  /** Re-opens a task read from a snapshot. */
  restoreTask(t: TaskRecord): void {
    this.#assign(t.id, t.user, t.items, t.lane, t.assignedAt, t.expiresAt, t.client);
  }

  /** Whether item i is held by a lease that is live at `now`. */
  isLeased(i: number, now: number): boolean {
    const slot = this.task.array[i];
    if (slot < 0) return false;
    const t = this.tasks[slot];
    return !!t && t.expiresAt > now;
  }

  /**
   * The open task a user holds in `client`, live at `now`. Tasks written before tasks named their
   * client belong to the user in any client.
   */
  taskOf(user: string, now: number, client?: string): TaskRecord | undefined {
    const slot = this.userTask.get(holderKey(user, client)) ?? this.userTask.get(holderKey(user, undefined));
    const t = slot === undefined ? undefined : this.tasks[slot];
    if (!t || t.expiresAt <= now) return undefined;
    return t;
  }

  taskById(id: string): TaskRecord | undefined {
    const slot = this.taskSlots.get(id);
    return slot === undefined ? undefined : this.tasks[slot];
  }

  /** Items of `task` still leased in it (not yet submitted or skipped). */
  openItemsOf(task: TaskRecord): number[] {
    const slot = this.taskSlots.get(task.id);
    return task.items.filter((i) => this.task.array[i] === slot && this.state.array[i] === ST_TODO);
  }

  // ───────────────────────────── queue ─────────────────────────────

  /** Items whose lease ran out go back to the front of their lane (a cache step; no event). */
  #expire(now: number): void {
    while (this.#heap.length && this.#heap[0].at <= now) {
      const { slot, id, at } = this.#heapPop()!;
      const t = this.tasks[slot];
      if (!t || t.id !== id || t.expiresAt !== at) continue; // renewed or closed since
      for (const i of t.items) {
        if (this.task.array[i] === slot && this.state.array[i] === ST_TODO) this.#returns[this.lane.array[i]].unshift(i);
      }
    }
  }

  #available(i: number, now: number): boolean {
    return this.state.array[i] === ST_TODO && !this.isLeased(i, now);
  }

  #laneQueue(lane: number): IndexQueue {
    let q = this.#laneQueues[lane];
    if (q) return q;
    q = new IndexQueue();
    const order = this.order.array;
    for (let p = 0; p < this.order.length; p++) {
      const i = order[p];
      if (this.lane.array[i] === lane && this.state.array[i] === ST_TODO) q.push(i);
    }
    this.#laneQueues[lane] = q;
    return q;
  }

  /** The clustered lane: one queue per cluster (shuffled order inside), served round-robin. */
  #clusterQueues(): { ids: number[]; queues: Map<number, IndexQueue>; next: number } {
    if (this.#clusters) return this.#clusters;
    const queues = new Map<number, IndexQueue>();
    const order = this.order.array;
    for (let p = 0; p < this.order.length; p++) {
      const i = order[p];
      if (this.lane.array[i] !== LANE_CLUSTERED || this.state.array[i] !== ST_TODO) continue;
      const c = this.cluster.array[i];
      let q = queues.get(c);
      if (!q) queues.set(c, (q = new IndexQueue()));
      q.push(i);
    }
    this.#clusters = { ids: [...queues.keys()].sort((a, b) => a - b), queues, next: 0 };
    return this.#clusters;
  }

  /**
   * Puts items back at the front of their lane (a cache step; no event, the fold's meaning is
   * unchanged): items a shared store's lease board reported held by another client, once that
   * lease may have run out.
   */
  requeueFront(items: readonly number[]): void {
    for (const i of items) if (i < this.itemCount && this.state.array[i] === ST_TODO) this.#returns[this.lane.array[i]].unshift(i);
  }

  /**
   * Picks up to `size` available items from the first lane in `laneOrder` that has any.
   * Amortised O(size): each lane's cursor passes each item once; returned items are served first.
   */
  pick(size: number, laneOrder: readonly Lane[], now: number): { lane: Lane; items: number[] } | undefined {
    this.#expire(now);
    for (const laneName of laneOrder) {
      const lane = laneCode(laneName);
      const items: number[] = [];
      const take = (i: number) => {
        if (this.lane.array[i] === lane && this.#available(i, now) && !items.includes(i)) items.push(i);
      };
      const returns = this.#returns[lane];
      while (items.length < size && returns.size) take(returns.shift());
      if (lane === LANE_MANUAL) {
        const order = this.order.array;
        while (items.length < size && this.#cursor < this.order.length) take(order[this.#cursor++]);
      } else if (lane === LANE_CLUSTERED) {
        // Similar images on one page, one cluster per page, and the next page from the next
        // cluster: early labels then cover every cluster (so every class) instead of one cluster
        // after another, which is what the first training run needs.
        const cq = this.#clusterQueues();
        while (items.length < size && cq.ids.length) {
          cq.next %= cq.ids.length;
          const q = cq.queues.get(cq.ids[cq.next])!;
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

  // ───────────────────────────── reads ─────────────────────────────

  /** Whether item i's stored status (not counting leases) is one of `statuses`. */
  is(i: number, ...statuses: StoredStatus[]): boolean {
    const s = STATE_NAMES[this.state.array[i]] as StoredStatus;
    return statuses.includes(s);
  }

  /** The items whose stored status is one of `statuses`, in index order. */
  itemsIn(...statuses: StoredStatus[]): number[] {
    const codes = new Set(statuses.map((s) => STATE_NAMES.indexOf(s)));
    const out: number[] = [];
    const a = this.state.array;
    for (let i = 0; i < this.itemCount; i++) if (codes.has(a[i])) out.push(i);
    return out;
  }

  itemState(i: number, now: number): ItemState {
    const s = this.state.array[i];
    if (s === ST_TODO && this.isLeased(i, now)) return 'assigned';
    return STATE_NAMES[s];
  }

  annotationsOf(i: number): Annotation[] {
    const json = this.labels.get(i);
    return json ? (JSON.parse(json) as Annotation[]) : [];
  }

  prelabelsOf(i: number): Annotation[] | undefined {
    const json = this.prelabels.get(i);
    return json ? (JSON.parse(json) as Annotation[]) : undefined;
  }

  view(i: number, now: number): ItemView {
    const w = this.width.array[i];
    const h = this.height.array[i];
    const size = this.size.array[i];
    const lm = this.lastModified.array[i];
    const by = this.labeledBy.array[i];
    const at = this.labeledAt.array[i];
    const pre = this.prelabelsOf(i);
    const shown = this.shown.get(i);
    const unreadable = this.unreadable.get(i);
    return {
      index: i,
      path: this.paths.get(i),
      state: this.itemState(i, now),
      lane: LANE_NAMES[this.lane.array[i]],
      ...(w ? { width: w, height: h } : {}),
      ...(Number.isNaN(size) ? {} : { size }),
      ...(Number.isNaN(lm) ? {} : { lastModified: lm }),
      annotations: this.annotationsOf(i),
      ...(pre ? { prelabels: pre } : {}),
      ...(shown ? { shownPrelabels: JSON.parse(shown) as Annotation[] } : {}),
      ...(this.cluster.array[i] >= 0 ? { cluster: this.cluster.array[i] } : {}),
      ...(unreadable ? { unreadable } : {}),
      ...(by >= 0 ? { labeledBy: this.users.get(by) } : {}),
      ...(Number.isNaN(at) ? {} : { labeledAt: at }),
    };
  }

  stats(now: number): Stats {
    let assigned = 0;
    const lanes = [0, 0, 0];
    for (const t of this.tasks) {
      if (!t || t.expiresAt <= now) continue;
      const slot = this.taskSlots.get(t.id)!;
      for (const i of t.items) if (this.task.array[i] === slot && this.state.array[i] === ST_TODO) assigned++;
    }
    // Lane sizes: todo items per lane minus leased ones (one pass over the lane column).
    const st = this.state.array;
    const ln = this.lane.array;
    for (let i = 0; i < this.itemCount; i++) if (st[i] === ST_TODO) lanes[ln[i]]++;
    for (const t of this.tasks) {
      if (!t || t.expiresAt <= now) continue;
      const slot = this.taskSlots.get(t.id)!;
      for (const i of t.items) if (this.task.array[i] === slot && st[i] === ST_TODO) lanes[ln[i]]--;
    }
    const labeled = this.counts[ST_LABELED] + this.counts[ST_REVIEW];
    const since = labeled - this.labeledAtLastTraining;
    const a = this.meta.assist;
    const names = new Map(this.meta.labels.map((l) => [l.id, l.name]));
    return {
      total: this.itemCount,
      counts: {
        todo: this.counts[ST_TODO] - assigned,
        assigned,
        labeled: this.counts[ST_LABELED],
        skipped: this.counts[ST_SKIPPED],
        'needs-review': this.counts[ST_REVIEW],
        unreadable: this.counts[ST_UNREADABLE],
      },
      lanes: { manual: lanes[0], clustered: lanes[1], prelabeled: lanes[2] },
      labelDistribution: this.meta.labels.map((l) => {
        const t = this.labelTally.get(l.id) ?? [0, 0];
        return { label: l.id, name: names.get(l.id) ?? l.id, items: t[0], shapes: t[1] };
      }),
      labeledSinceLastTraining: since,
      ...(a.enabled ? { labelsToNextRun: Math.max(0, this.trainingRuns === 0 ? a.firstTrainingAt - labeled : a.retrainEvery - since) } : {}),
    };
  }
}

/** A task's holder: the user, in the client the task was handed to (when the event names it). */
function holderKey(user: string, client: string | undefined): string {
  return client ? `${user}\u0000${client}` : user;
}
