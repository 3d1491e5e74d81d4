import type { AssistSettings, ItemState, LabelClass, Lane } from '../types.js';

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

/** What `statsOf` reads: tallies the fold keeps, and where the queue stands now. */
export interface StatsInput {
  readonly total: number;
  /** Counts of stored statuses (index = ST_*). */
  readonly counts: Int32Array;
  /** Todo items per lane, and leased (live) todo items per lane, by lane code. */
  readonly todoByLane: readonly number[];
  readonly leasedByLane: readonly number[];
  readonly labels: readonly LabelClass[];
  /** [items, shapes] for a label id. */
  tally(label: string): readonly [number, number];
  readonly assist: AssistSettings;
  readonly trainingRuns: number;
  readonly labeledAtLastTraining: number;
}

export function statsOf(x: StatsInput): Stats {
  // Stored statuses by ST_* code (1, 'assigned', is derived from leases).
  const [todo = 0, , labeledOnly = 0, skipped = 0, review = 0, unreadable = 0] = x.counts;
  const assigned = x.leasedByLane.reduce((a, b) => a + b, 0);
  const lane = (code: number) => (x.todoByLane[code] ?? 0) - (x.leasedByLane[code] ?? 0);
  const labeled = labeledOnly + review;
  const since = labeled - x.labeledAtLastTraining;
  const a = x.assist;
  return {
    total: x.total,
    counts: {
      todo: todo - assigned,
      assigned,
      labeled: labeledOnly,
      skipped,
      'needs-review': review,
      unreadable,
    },
    lanes: { manual: lane(0), clustered: lane(1), prelabeled: lane(2) },
    labelDistribution: x.labels.map((l) => {
      const t = x.tally(l.id);
      return { label: l.id, name: l.name, items: t[0], shapes: t[1] };
    }),
    labeledSinceLastTraining: since,
    ...(a.enabled ? { labelsToNextRun: Math.max(0, x.trainingRuns === 0 ? a.firstTrainingAt - labeled : a.retrainEvery - since) } : {}),
  };
}
