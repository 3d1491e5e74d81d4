import type { AssistSettings, ItemState, LabelClass, ProjectKind, QueueSettings, Role } from '../types.js';
import type { ItemColumns } from './columns.js';
import type { TaskRecord } from './leases.js';
import type { RunRecord } from './runs.js';
import type { TeamParts } from '../team/team-state.js';

export const STATE_NAMES: ItemState[] = ['todo', 'assigned', 'labeled', 'skipped', 'needs-review', 'unreadable'];
/** An item's status as stored; `assigned` is derived from live leases (`itemState`). */
export type StoredStatus = Exclude<ItemState, 'assigned'>;

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

/** Why an item could not be read, as `item.unreadable` recorded it. */
export interface Unreadable {
  code: string;
  reason: string;
}

/** Everything a snapshot keeps of the fold (state/snapshot.ts); counts and caches are rebuilt from it. */
export interface StateParts {
  meta: ProjectMeta;
  members: Map<string, Role>;
  items: ItemColumns;
  runs: RunRecord[];
  tasks: TaskRecord[];
  batches: number;
  eventCount: number;
  lastEventAt: number;
  labeledAtLastTraining: number;
  trainingRuns: number;
  /** Per label id: [items, shapes]. */
  labelTally: [string, [number, number]][];
  /** Lifecycle status, consensus answers, per-labeler counts (absent in older snapshots). */
  team?: TeamParts;
}
