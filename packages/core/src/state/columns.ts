import type { Annotation, ItemState, ItemView, Lane } from '../types.js';
import { Column } from '../util/growable.js';
import type { Unreadable } from './parts.js';
import { StringTable } from './string-table.js';
import { TextColumn } from './text-column.js';

// Stored item statuses ('assigned' is derived from leases).
export const ST_TODO = 0;
export const ST_LABELED = 2;
export const ST_SKIPPED = 3;
export const ST_REVIEW = 4;
export const ST_UNREADABLE = 5;

export const LANE_MANUAL = 0;
export const LANE_CLUSTERED = 1;
export const LANE_PRELABELED = 2;
const LANE_NAMES: Lane[] = ['manual', 'clustered', 'prelabeled'];
export const laneName = (code: number): Lane => LANE_NAMES[code]!;
export const laneCode = (lane: Lane): number => LANE_NAMES.indexOf(lane);

/**
 * Per-item storage of a project's state: typed-array columns (one entry per item, by index), the
 * interned path table and the JSON text columns, so 500,000 items cost tens of megabytes. Only the
 * fold (`ProjectState`), its queue and the snapshot codec touch these; everyone else asks `ProjectState`.
 */
export class ItemColumns {
  paths = new StringTable(1024);
  /** Stored status (ST_*). */
  status = new Column(Uint8Array);
  /** Lane (LANE_*). */
  lane = new Column(Uint8Array);
  /** fnv1a of the etag, 0 when unknown. */
  etag = new Column(Uint32Array);
  size = new Column(Float64Array, 1024, NaN);
  lastModified = new Column(Float64Array, 1024, NaN);
  width = new Column(Uint32Array);
  height = new Column(Uint32Array);
  cluster = new Column(Int32Array, 1024, -1);
  /** Index into `users`, or -1. */
  labeledBy = new Column(Int32Array, 1024, -1);
  labeledAt = new Column(Float64Array, 1024, NaN);
  /** Queue order: a seeded shuffle of each added batch, appended. */
  order = new Column(Uint32Array);
  /** The latest `items.ranked` ranking: item indices, most informative first (not per item). */
  ranked = new Column(Uint32Array, 0);
  labels = new TextColumn();
  prelabels = new TextColumn();
  /**
   * The prelabels an item carried when it was labeled (what the labeler was shown): accepted or
   * corrected prelabels are how ML assist measures the precision it really delivered.
   */
  shown = new TextColumn();
  users = new StringTable(16);
  /** Why items could not be read, by index. */
  unreadable = new Map<number, Unreadable>();
  /** `users` indices by id: a user labels many items, and the fold looks one up per item labeled. */
  readonly #userIndex = new Map<string, number>();

  /** The index of user `id` in `users`, added when new. */
  userIndex(id: string): number {
    let i = this.#userIndex.get(id);
    if (i === undefined) this.#userIndex.set(id, (i = this.users.add(id).index));
    return i;
  }

  get length(): number {
    return this.status.length;
  }

  /** Grows every per-item column to `n` entries (new ones hold their fill value). */
  resize(n: number): void {
    for (const c of [this.status, this.lane, this.etag, this.size, this.lastModified, this.width, this.height, this.cluster, this.labeledBy, this.labeledAt]) {
      (c as Column<Uint8Array>).resize(n);
    }
  }

  /** Whether item i exists and is todo. */
  isTodo(i: number): boolean {
    return i < this.status.length && this.status.array[i] === ST_TODO;
  }

  annotationsOf(i: number): Annotation[] {
    const json = this.labels.get(i);
    return json ? (JSON.parse(json) as Annotation[]) : [];
  }

  prelabelsOf(i: number): Annotation[] | undefined {
    const json = this.prelabels.get(i);
    return json ? (JSON.parse(json) as Annotation[]) : undefined;
  }

  /** Item i as readers see it, in `state` (which counts leases, so the caller gives it). */
  view(i: number, state: ItemState): ItemView {
    const w = this.width.array[i];
    const h = this.height.array[i];
    const size = this.size.array[i];
    const lm = this.lastModified.array[i];
    const by = this.labeledBy.array[i]!;
    const at = this.labeledAt.array[i];
    const pre = this.prelabelsOf(i);
    const shown = this.shown.get(i);
    const unreadable = this.unreadable.get(i);
    return {
      index: i,
      path: this.paths.get(i),
      state,
      lane: laneName(this.lane.array[i]!),
      ...(w ? { width: w, height: h } : {}),
      ...(Number.isNaN(size) ? {} : { size }),
      ...(Number.isNaN(lm) ? {} : { lastModified: lm }),
      annotations: this.annotationsOf(i),
      ...(pre ? { prelabels: pre } : {}),
      ...(shown ? { shownPrelabels: JSON.parse(shown) as Annotation[] } : {}),
      ...(this.cluster.array[i]! >= 0 ? { cluster: this.cluster.array[i] } : {}),
      ...(unreadable ? { unreadable } : {}),
      ...(by >= 0 ? { labeledBy: this.users.get(by) } : {}),
      ...(Number.isNaN(at) ? {} : { labeledAt: at }),
    };
  }
}
