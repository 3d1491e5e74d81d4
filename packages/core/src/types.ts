import type { ConsensusSettings } from './team/consensus.js';
/** The four project kinds, named as Azure ML names them. */
export type ProjectKind = 'image-classification-multiclass' | 'image-classification-multilabel' | 'image-object-detection' | 'image-instance-segmentation';

export const PROJECT_KINDS: readonly ProjectKind[] = [
  'image-classification-multiclass',
  'image-classification-multilabel',
  'image-object-detection',
  'image-instance-segmentation',
];

export function isClassificationKind(kind: ProjectKind): boolean {
  return kind === 'image-classification-multiclass' || kind === 'image-classification-multilabel';
}

/** A label class. `id` is stable for the life of the project; `key` is '1'…'9', then '0', for the first ten. */
export interface LabelClass {
  readonly id: string;
  readonly name: string;
  readonly color: string;
  readonly key?: string;
}

/** Item states. `assigned` is derived: a `todo` item inside a live lease. */
export type ItemState = 'todo' | 'assigned' | 'labeled' | 'skipped' | 'needs-review' | 'unreadable';
export const ITEM_STATES: readonly ItemState[] = ['todo', 'assigned', 'labeled', 'skipped', 'needs-review', 'unreadable'];

/** Queue lanes. */
export type Lane = 'manual' | 'clustered' | 'prelabeled';
export const LANES: readonly Lane[] = ['manual', 'clustered', 'prelabeled'];

/** Roles: owners do everything; reviewers also review and reject; labelers label. */
export type Role = 'owner' | 'reviewer' | 'labeler';

/** Items per task page: 1 for region projects; 4, 6 or 9 for classification grids. */
export type TaskSize = 1 | 4 | 6 | 9;
export const TASK_SIZES: readonly TaskSize[] = [1, 4, 6, 9];

/** A classification tag on the whole image. */
export interface ClassAnnotation {
  readonly kind: 'class';
  readonly label: string;
}
/** An axis-aligned box, in image pixels; (x, y) is the top-left corner. */
export interface BoxAnnotation {
  readonly kind: 'box';
  readonly label: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}
/** A polygon, in image pixels, as a flat list [x0, y0, x1, y1, …] of at least 3 distinct points. */
export interface PolygonAnnotation {
  readonly kind: 'polygon';
  readonly label: string;
  readonly points: readonly number[];
}
export type AnnotationShape = ClassAnnotation | BoxAnnotation | PolygonAnnotation;
/** An annotation as stored: a shape, an optional id (the canvas gives one) and a confidence for prelabels. */
export type Annotation = AnnotationShape & { readonly id?: string; readonly confidence?: number };

/** An item reference as a `DataSource` lists it. */
export interface ItemRef {
  /** Unique within the source: a relative path or URL. */
  readonly path: string;
  readonly size?: number;
  /** Changes when the content changes (ETag, or size + lastModified for files). */
  readonly etag?: string;
  /** Milliseconds since the epoch. */
  readonly lastModified?: number;
}

/** ML assist settings of a project. */
export interface AssistSettings {
  readonly enabled: boolean;
  /** Labels needed before the first training run (Azure ML: a few hundred; classification default 50). */
  readonly firstTrainingAt: number;
  /** New labels between training runs after the first. */
  readonly retrainEvery: number;
  /** Precision the prelabel threshold must reach on held-out items. */
  readonly targetPrecision: number;
  /** Clustered lane on (classification only). */
  readonly clustering: boolean;
}

export const DEFAULT_ASSIST: AssistSettings = {
  enabled: false,
  firstTrainingAt: 50,
  retrainEvery: 50,
  targetPrecision: 0.95,
  clustering: true,
};

/** Queue settings of a project. */
export interface QueueSettings {
  /** Lease length in milliseconds (default 15 minutes). */
  readonly leaseMs: number;
  /** Order in which lanes are served; default prelabeled, clustered, manual. */
  readonly laneOrder: readonly Lane[];
  /** Consensus labeling: each item goes to `labelers` distinct labelers (see docs/core.md, "Consensus"). */
  readonly consensus?: ConsensusSettings;
  /**
   * How the manual and clustered lanes order their items: `'shuffled'` (the default, the seeded
   * shuffle) or `'informative'` (the items ML assist ranked most informative first — `items.ranked`
   * — then the rest in the shuffled order). See docs/core.md, "The queue".
   */
  readonly order?: QueueOrder;
}

/** `QueueSettings.order`. */
export type QueueOrder = 'shuffled' | 'informative';

export const DEFAULT_QUEUE: QueueSettings = {
  leaseMs: 15 * 60_000,
  laneOrder: ['prelabeled', 'clustered', 'manual'],
};

/** What a user is, for a project. */
export interface Actor {
  readonly id: string;
  readonly role: Role;
}

/** The kind of an ML run, as on Azure ML's dashboard. */
export type RunKind = 'featurization' | 'training' | 'validation' | 'inference' | 'clustering' | 'detection';
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

/** One item as readers (exports, the dashboard's Data tab, ML assist) see it. */
export interface ItemView {
  /** Stable index of the item in its project (0-based, in the order items were added). */
  readonly index: number;
  readonly path: string;
  readonly state: ItemState;
  readonly lane: Lane;
  /** Pixel size from the media layer's header probe, when known. */
  readonly width?: number;
  readonly height?: number;
  readonly size?: number;
  readonly etag?: string;
  readonly lastModified?: number;
  /** Submitted labels (labeled and needs-review items); empty otherwise. */
  readonly annotations: readonly Annotation[];
  /** Proposed prelabels awaiting confirmation, if any. */
  readonly prelabels?: readonly Annotation[];
  /**
   * Labeled items that came with prelabels: the prelabels the labeler was shown. Equal to the
   * submitted labels when they were accepted; different when they were corrected.
   */
  readonly shownPrelabels?: readonly Annotation[];
  /** The cluster ML assist put the item in (classification projects with clustering on). */
  readonly cluster?: number;
  /** Why the item could not be read (state 'unreadable'). */
  readonly unreadable?: { readonly code: string; readonly reason: string };
  /** Who labeled it, when. */
  readonly labeledBy?: string;
  readonly labeledAt?: number;
  /** A reviewer approved its labels. */
  readonly reviewed?: boolean;
}

/**
 * The read side of a project that exports and other readers stream from. Iteration is in item
 * index order and does not copy the whole project.
 */
export interface ProjectReader {
  readonly id: string;
  readonly name: string;
  readonly kind: ProjectKind;
  readonly labels: readonly LabelClass[];
  readonly itemCount: number;
  items(filter?: { readonly states?: readonly ItemState[] }): Iterable<ItemView>;
  item(index: number): ItemView;
  /** Consensus projects: every labeler's answer for an item (exports can include them). */
  consensusOf?(index: number): { readonly answers: readonly { readonly by: string; readonly annotations?: readonly Annotation[]; readonly skipped?: boolean }[] } | undefined;
}
