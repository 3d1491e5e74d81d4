import type { JournalEvent, LabelAddMode } from '../journal/events.js';
import type { Annotation, ItemRef, ItemState, ItemView, Lane, Role } from '../types.js';
import { fnv1a } from '../util/crc32.js';
import { deriveSeed, shuffleInPlace } from '../util/prng.js';
import { ItemColumns, LANE_CLUSTERED, LANE_MANUAL, LANE_PRELABELED, ST_LABELED, ST_REVIEW, ST_SKIPPED, ST_TODO, ST_UNREADABLE } from './columns.js';
import { Leases, type TaskRecord } from './leases.js';
import { LaneQueue } from './queue.js';
import { LabelTally } from './label-tally.js';
import { STATE_NAMES, type ProjectMeta, type StateParts, type StoredStatus } from './parts.js';
import { annotationsText } from './text-column.js';
import { Runs, type RunRecord } from './runs.js';
import { statsOf, type Stats } from './stats.js';
import { TeamState, type FoldOps } from '../team/team-state.js';

export type { TaskRecord } from './leases.js';
export type { ProjectMeta, StateParts, StoredStatus, Unreadable } from './parts.js';
export type { RunRecord } from './runs.js';
export type { Stats } from './stats.js';

/**
 * A project's state: a pure fold of its journal. Per-item fields live in typed-array columns
 * (`ItemColumns`), open tasks in `Leases`, and lane picking in `LaneQueue`, whose cursors and
 * queues are caches rebuilt from the columns; they never change what the fold means. Readers ask
 * questions (`is`, `view`, `stats`, `pick`…); the columns stay inside.
 */
export class ProjectState {
  #meta!: ProjectMeta;
  #members = new Map<string, Role>();
  readonly #items: ItemColumns;
  readonly #leases: Leases;
  readonly #queue: LaneQueue;
  #runs = new Runs();
  #batches = 0;
  #eventCount = 0;
  #lastEventAt = 0;
  /** Counts of stored statuses (index = ST_*). */
  readonly #counts = new Int32Array(6);
  #labelTally = new LabelTally();
  /** Lifecycle status, consensus answers, per-labeler counts (team/team-state.ts). */
  #team = new TeamState();
  /** The labeler whose own consensus answers the queue passes over (the project's actor). */
  pickFor: string | undefined;
  readonly #ops: FoldOps = ((s) => ({
    get consensus() {
      return s.#meta?.queue.consensus;
    },
    isTodo: (i) => s.#items.isTodo(i),
    unlease: (i, by) => {
      if (by === undefined || (s.#leases.holderOf(i) ?? by) === by) s.#leases.unlease(i);
    },
    requeue: (i) => s.#queue.returnToFront(i),
    label: (i, labels, by, at) => s.#label(i, labels, by, at, !labels),
    skip: (i) => s.#setStatus(i, ST_SKIPPED),
    review: (i) => s.#items.status.array[i] === ST_LABELED && s.#setStatus(i, ST_REVIEW),
    reopen: (i) => s.#items.status.array[i] === ST_SKIPPED && (s.#setStatus(i, ST_TODO), s.#queue.returnToFront(i)),
    isSkipped: (i) => s.#items.status.array[i] === ST_SKIPPED,
    labeledBy: (i) => (s.#items.labeledBy.array[i]! >= 0 ? s.#items.users.get(s.#items.labeledBy.array[i]!) : undefined),
    assignedAt: (t) => s.#leases.byId(t)?.assignedAt,
  }))(this);

  constructor(items = new ItemColumns()) {
    this.#items = items;
    this.#leases = new Leases({ isTodo: (i) => items.isTodo(i), returned: (i) => this.#queue.returnToFront(i) });
    this.#leases.resize(items.length);
    this.#queue = new LaneQueue(items, this.#leases);
  }

  /** A state from a snapshot's parts; `counts`: items per status when the caller has them (a snapshot counts them over its runs). */
  static fromParts(p: StateParts, counts?: Int32Array): ProjectState {
    const s = new ProjectState(p.items);
    s.#meta = p.meta;
    s.#members = p.members;
    s.#runs = new Runs(p.runs, p.trainingRuns, p.labeledAtLastTraining);
    s.#batches = p.batches;
    s.#eventCount = p.eventCount;
    s.#lastEventAt = p.lastEventAt;
    s.#labelTally = new LabelTally(p.labelTally);
    s.#team = TeamState.fromParts(p.team);
    const st = p.items.status.array;
    if (counts) s.#counts.set(counts);
    else for (let i = 0; i < p.items.length; i++) s.#counts[st[i]!]!++;
    for (const t of p.tasks) s.#leases.assign(t.id, t.user, t.items, t.lane, t.assignedAt, t.expiresAt, t.client);
    return s;
  }

  /** What a snapshot keeps (state/snapshot.ts). The parts are the state's own: read, never change them. */
  parts(): StateParts {
    return {
      meta: this.#meta,
      members: this.#members,
      items: this.#items,
      runs: this.#runs.records(),
      tasks: this.#leases.openTasks(),
      batches: this.#batches,
      eventCount: this.#eventCount,
      lastEventAt: this.#lastEventAt,
      labeledAtLastTraining: this.#runs.labeledAtLastTraining,
      trainingRuns: this.#runs.trainingRuns,
      labelTally: this.#labelTally.entries(),
      team: this.#team.parts(),
    };
  }

  /** The team side of the fold: lifecycle status, consensus, per-labeler counts. Read it; never change it. */
  get team(): TeamState {
    return this.#team;
  }
  get meta(): Readonly<ProjectMeta> {
    return this.#meta;
  }
  /** Whether a `project.created` event has been folded. */
  get created(): boolean {
    return this.#meta !== undefined;
  }
  get members(): ReadonlyMap<string, Role> {
    return this.#members;
  }
  get itemCount(): number {
    return this.#items.length;
  }
  get eventCount(): number {
    return this.#eventCount;
  }
  get lastEventAt(): number {
    return this.#lastEventAt;
  }
  /** The batch number the next `items.added` event takes. */
  get nextBatch(): number {
    return this.#batches;
  }

  // ───────────────────────────── fold ─────────────────────────────

  apply(e: JournalEvent): void {
    this.#eventCount++;
    if (e.at > this.#lastEventAt) this.#lastEventAt = e.at;
    const c = this.#items;
    const n = c.length;
    if (this.#meta && this.#team.apply(e, this.#ops)) return;
    switch (e.type) {
      case 'project.created':
        this.#meta = {
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
        this.#members.set(e.by, 'owner');
        return;
      case 'items.added':
        return this.#addItems(e);
      case 'items.changed':
        e.items.forEach((i, k) => {
          if (i >= n) return;
          if (e.etags?.[k] != null) c.etag.array[i] = fnv1a(e.etags[k] as string);
          if (e.sizes?.[k] != null) c.size.array[i] = e.sizes[k] as number;
          if (e.lastModified?.[k] != null) c.lastModified.array[i] = e.lastModified[k] as number;
        });
        return;
      case 'items.measured':
        e.items.forEach((i, k) => {
          if (i >= n) return;
          c.width.array[i] = (e.widths[k] ?? 0) >>> 0;
          c.height.array[i] = (e.heights[k] ?? 0) >>> 0;
        });
        return;
      case 'item.unreadable':
        if (e.item >= n) return;
        this.#leases.unlease(e.item);
        this.#setStatus(e.item, ST_UNREADABLE);
        c.unreadable.set(e.item, { code: e.code, reason: e.reason });
        return;
      case 'task.assigned':
        return this.#leases.assign(e.task, e.by, e.items, e.lane, e.at, e.expiresAt, e.client, !!this.#meta.queue.consensus);
      case 'task.renewed':
        return this.#leases.renew(e.task, e.expiresAt);
      case 'task.released':
        return this.#leases.release(e.task);
      case 'labels.submitted':
        e.items.forEach((i, k) => {
          if (i < n && c.status.array[i] !== ST_UNREADABLE) this.#label(i, e.annotations[k] ?? [], e.by, e.at, !!e.needsReview);
        });
        return;
      case 'items.skipped':
        for (const i of e.items) {
          if (!c.isTodo(i)) continue;
          this.#leases.unlease(i);
          this.#setStatus(i, ST_SKIPPED);
        }
        return;
      case 'items.reviewed':
        for (const i of e.items) if (i < n && c.status.array[i] === ST_REVIEW) this.#setStatus(i, ST_LABELED);
        return;
      case 'items.rejected':
        for (const i of e.items) {
          if (i >= n || !this.#isLabeled(i)) continue;
          this.#clearLabels(i);
          this.#queue.returnToFront(i);
        }
        return;
      case 'items.requeued': {
        const from = e.from === 'unreadable' ? ST_UNREADABLE : ST_SKIPPED;
        for (const i of e.items) {
          if (i >= n || c.status.array[i] !== from) continue;
          if (from === ST_UNREADABLE) c.unreadable.delete(i);
          this.#setStatus(i, ST_TODO);
          this.#queue.returnToBack(i);
        }
        return;
      }
      case 'label.added':
        this.#meta.labels = [...this.#meta.labels, { ...e.label }];
        return this.#startOver(e.mode);
      case 'instructions.edited':
        this.#meta.instructions = e.markdown;
        return;
      case 'assist.updated':
        this.#meta.assist = { ...e.assist };
        return;
      case 'queue.updated':
        this.#meta.queue = { ...e.queue, laneOrder: [...e.queue.laneOrder] };
        return;
      case 'member.set':
        if (e.role) this.#members.set(e.user, e.role);
        else this.#members.delete(e.user);
        return;
      case 'run.started':
        return this.#runs.started(e, this.#counts[ST_LABELED]! + this.#counts[ST_REVIEW]!);
      case 'run.finished':
        return this.#runs.finished(e);
      case 'prelabels.proposed':
        e.items.forEach((i, k) => {
          if (!c.isTodo(i)) return;
          c.prelabels.set(i, JSON.stringify(e.annotations[k] ?? []));
          c.lane.array[i] = LANE_PRELABELED;
        });
        this.#queue.invalidatePrelabeled();
        return;
      case 'prelabels.withdrawn':
        return this.#withdraw(e.items);
      case 'clusters.assigned':
        e.items.forEach((i, k) => {
          const cluster = e.clusters[k];
          if (cluster === undefined || !c.isTodo(i) || c.lane.array[i] === LANE_PRELABELED) return;
          c.cluster.array[i] = cluster;
          c.lane.array[i] = LANE_CLUSTERED;
        });
        this.#queue.invalidateClusters();
        return;
      case 'items.ranked':
        return this.#queue.rank(e.items);
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
    const c = this.#items;
    let clustered = false;
    for (const i of items) {
      if (!c.isTodo(i) || !c.prelabels.has(i)) continue;
      c.prelabels.set(i, undefined);
      if (c.lane.array[i] !== LANE_PRELABELED) continue;
      const lane = c.cluster.array[i]! >= 0 ? LANE_CLUSTERED : LANE_MANUAL;
      c.lane.array[i] = lane;
      // The manual lane's cursor may be past the item: it is served from the lane's returns.
      if (lane === LANE_MANUAL) this.#queue.returnToBack(i);
      else clustered = true;
    }
    this.#queue.invalidatePrelabeled();
    if (clustered) this.#queue.invalidateClusters();
  }

  #addItems(e: Extract<JournalEvent, { type: 'items.added' }>): void {
    const c = this.#items;
    const start = c.length;
    let n = start;
    for (let k = 0; k < e.paths.length; k++) {
      const { added } = c.paths.add(e.paths[k]!);
      if (!added) continue;
      const i = n++;
      c.resize(n);
      this.#leases.resize(n);
      const etag = e.etags?.[k];
      c.etag.array[i] = etag ? fnv1a(etag) : 0;
      const size = e.sizes?.[k];
      c.size.array[i] = size ?? NaN;
      const lm = e.lastModified?.[k];
      c.lastModified.array[i] = lm ?? NaN;
    }
    const added = n - start;
    this.#counts[ST_TODO]! += added;
    // Shuffle the new batch once with a seed derived from the project seed (recorded in the journal).
    const batchOrder = new Uint32Array(added);
    for (let k = 0; k < added; k++) batchOrder[k] = start + k;
    shuffleInPlace(batchOrder, deriveSeed(this.#meta.seed, e.batch));
    c.order.ensure(c.order.length + added);
    c.order.array.set(batchOrder, c.order.length);
    c.order.length += added;
    this.#batches = Math.max(this.#batches, e.batch + 1);
  }

  /** Item i gets labels (or, undefined, none: a consensus disagreement) by `by`, labeled or in review. */
  #label(i: number, anns: Annotation[] | undefined, by: string, at: number, review: boolean): void {
    const c = this.#items;
    this.#leases.unlease(i);
    this.#setLabels(i, anns);
    this.#setStatus(i, review ? ST_REVIEW : ST_LABELED);
    c.labeledBy.array[i] = c.userIndex(by);
    c.labeledAt.array[i] = at;
    const pre = c.prelabels.get(i);
    if (pre !== undefined || c.shown.has(i)) c.shown.set(i, pre);
    if (pre !== undefined) c.prelabels.set(i, undefined);
  }

  #setStatus(i: number, s: number): void {
    this.#counts[this.#items.status.array[i]!]!--;
    this.#counts[s]!++;
    this.#items.status.array[i] = s;
  }

  #isLabeled(i: number): boolean {
    const s = this.#items.status.array[i];
    return s === ST_LABELED || s === ST_REVIEW;
  }

  #setLabels(i: number, anns: readonly Annotation[] | undefined): void {
    const prev = this.#items.labels.get(i);
    if (prev) this.#labelTally.count(JSON.parse(prev) as Annotation[], -1);
    if (anns) this.#labelTally.count(anns, +1);
    this.#items.labels.set(i, anns ? annotationsText(anns) : undefined);
  }

  /** A labeled item becomes todo again, without labels (rejected, or a start over). */
  #clearLabels(i: number): void {
    const c = this.#items;
    this.#setLabels(i, undefined);
    if (c.shown.has(i)) c.shown.set(i, undefined);
    c.labeledBy.array[i] = -1;
    c.labeledAt.array[i] = NaN;
    this.#setStatus(i, ST_TODO);
  }

  #startOver(mode: LabelAddMode): void {
    if (mode === 'continue') return;
    for (let i = 0; i < this.itemCount; i++) {
      if (!this.#isLabeled(i)) continue;
      const prev = this.#items.labels.get(i);
      this.#clearLabels(i);
      // Azure ML: "keep the existing labels as a default tag" — they come back pre-filled.
      if (mode === 'start-over-keep' && prev) this.#items.prelabels.set(i, prev);
    }
    this.#queue.restart();
  }

  // ───────────────────────────── leases and queue ─────────────────────────────

  /** Whether item i is held by a lease that is live at `now`. */
  isLeased(i: number, now: number): boolean {
    return this.#leases.isLeased(i, now);
  }

  /** Whether item i may be labeled in task `taskId` at `now`, as far as leases go. */
  leaseCheck(taskId: string, i: number, now: number): 'ok' | 'held-by-other' | 'not-in-task' {
    return this.#leases.check(taskId, i, now);
  }

  /** The open task a user holds in `client`, live at `now`. */
  taskOf(user: string, now: number, client?: string): TaskRecord | undefined {
    return this.#leases.taskOf(user, now, client);
  }

  taskById(id: string): TaskRecord | undefined {
    return this.#leases.byId(id);
  }

  /** Items of `task` still leased in it (not yet submitted or skipped). */
  openItemsOf(task: TaskRecord): number[] {
    return this.#leases.openItemsOf(task);
  }

  /** Puts items back at the front of their lane (a cache step; no event). See `LaneQueue.requeueFront`. */
  requeueFront(items: readonly number[]): void {
    this.#queue.requeueFront(items);
  }

  /** Picks up to `size` available items from the first lane in `laneOrder` that has any. */
  pick(size: number, laneOrder: readonly Lane[], now: number): { lane: Lane; items: number[] } | undefined {
    const who = this.#meta.queue.consensus ? this.pickFor : undefined;
    return this.#queue.pick(size, laneOrder, now, who === undefined ? undefined : (i) => this.#team.hasAnswered(i, who), this.#meta.queue.order === 'informative');
  }

  // ───────────────────────────── reads ─────────────────────────────

  /** Whether item i's stored status (not counting leases) is one of `statuses`. */
  is(i: number, ...statuses: StoredStatus[]): boolean {
    const s = STATE_NAMES[this.#items.status.array[i]!] as StoredStatus;
    return statuses.includes(s);
  }

  /** The items whose stored status is one of `statuses`, in index order. */
  itemsIn(...statuses: StoredStatus[]): number[] {
    const codes = new Set(statuses.map((s) => STATE_NAMES.indexOf(s)));
    const out: number[] = [];
    const a = this.#items.status.array;
    for (let i = 0; i < this.itemCount; i++) if (codes.has(a[i]!)) out.push(i);
    return out;
  }

  itemState(i: number, now: number): ItemState {
    const s = this.#items.status.array[i]!;
    if (s === ST_TODO && this.#leases.isLeased(i, now)) return 'assigned';
    return STATE_NAMES[s]!;
  }

  /** The index of a path, or -1. */
  indexOf(path: string): number {
    return this.#items.paths.indexOf(path);
  }

  pathOf(i: number): string {
    return this.#items.paths.get(i);
  }

  /** Whether a listing's entry for item i differs from what was recorded (etag or size). */
  changedFrom(i: number, ref: Pick<ItemRef, 'etag' | 'size'>): boolean {
    return (ref.etag !== undefined && fnv1a(ref.etag) !== this.#items.etag.array[i]) || (ref.size !== undefined && ref.size !== this.#items.size.array[i]);
  }

  /** Item i's image size, where it has been measured. */
  dimensionsOf(i: number): { width?: number; height?: number } {
    return { width: this.#items.width.array[i] || undefined, height: this.#items.height.array[i] || undefined };
  }

  hasPrelabels(i: number): boolean {
    return this.#items.prelabels.has(i);
  }

  /** Whether item i was labeled with prelabels shown (`shownPrelabels` of its view). */
  wasShownPrelabels(i: number): boolean {
    return this.#items.shown.has(i);
  }

  annotationsOf(i: number): Annotation[] {
    return this.#items.annotationsOf(i);
  }

  prelabelsOf(i: number): Annotation[] | undefined {
    return this.#items.prelabelsOf(i);
  }

  hasRun(id: string): boolean {
    return this.#runs.has(id);
  }

  /** The runs, oldest first. */
  runList(): RunRecord[] {
    return this.#runs.records().sort((a, b) => a.startedAt - b.startedAt);
  }

  view(i: number, now: number): ItemView {
    const v = this.#items.view(i, this.itemState(i, now));
    return this.#team.isReviewed(i) ? { ...v, reviewed: true } : v;
  }

  stats(now: number): Stats {
    // Todo items per lane (one pass over the lane column), and those leased now.
    const todoByLane = [0, 0, 0];
    const leasedByLane = [0, 0, 0];
    const st = this.#items.status.array;
    const ln = this.#items.lane.array;
    for (let i = 0; i < this.itemCount; i++) if (st[i] === ST_TODO) todoByLane[ln[i]!]!++;
    this.#leases.forEachLeased(now, (i) => leasedByLane[ln[i]!]!++);
    return statsOf({
      total: this.itemCount,
      counts: this.#counts,
      todoByLane,
      leasedByLane,
      labels: this.#meta.labels,
      tally: (label) => this.#labelTally.of(label),
      assist: this.#meta.assist,
      trainingRuns: this.#runs.trainingRuns,
      labeledAtLastTraining: this.#runs.labeledAtLastTraining,
    });
  }
}
