import type { AssistFlags, AssistImage, AssistRun, Assistant, ItemView, Project, PropagationRequest, RunKind } from '@labelkit/core';
import type { EmbeddingCache } from './embedding-cache.js';
import type { FlagOptions } from './flags.js';

export interface AssistLoopOptions {
  readonly project: Project;
  readonly assistant: Assistant;
  /** Reads an item's image for the model (decoded pixels, or encoded bytes the worker decodes). */
  readonly readImage: (item: ItemView, signal?: AbortSignal) => Promise<AssistImage>;
  /** Names the featurizer in the embeddings cache; change it when the model changes (default 'featurizer'). */
  readonly featurizerKey?: string;
  /** Images per featurize call (default 64). */
  readonly batch?: number;
  /** Items per stored embeddings chunk (default 1024). */
  readonly chunkSize?: number;
  /** Clusters for the clustered lane (default: √(todo/2), between 2 and 100). */
  readonly clusters?: number;
  /**
   * Folds for the out-of-fold predictions that choose the threshold (default 5). 0 or 1: the old
   * single holdout split (`holdout`).
   */
  readonly folds?: number;
  /** Share of labeled items held out for validation when `folds` < 2 (default 0.2). */
  readonly holdout?: number;
  /** Fewest out-of-fold predictions at or above a threshold for it to count (default 10). */
  readonly minSupport?: number;
  /**
   * Confidence of the lower bound (Wilson) on precision that must reach the target, for the
   * threshold. Default for classes: 0.95 on a round's first look at its human labels, 0.975 when an
   * earlier round chose on the same ones, unless the prelabels labelers checked lately reach the
   * target with a 95 % bound (at a flat 0.95 one built-in seed's first window of the
   * simulated-labeler benchmark fell to 94.2 %); 0.99 for boxes in detection projects (a detector's
   * errors repeat across similar images, so boxes are not independent draws; at 0.95 windows of the
   * COCO person benchmark fell to 85.7 %); 0: point estimates.
   */
  readonly confidence?: number;
  /**
   * Multi-class: a label class with fewer labeled items than this is not predicted (default 5): a
   * head cannot recognise a class it has barely seen. The other classes still are.
   */
  readonly minLabelsPerClass?: number;
  /**
   * With clustering: no prelabels for items of a cluster with fewer labeled items than this
   * (default 3). Out-of-fold checks only see the kinds of items labelers have labeled; a cluster
   * nobody has labeled yet may hold a class the head has never seen, which it would still name.
   */
  readonly minLabelsPerCluster?: number;
  /**
   * Multi-class: a prelabel needs at least `neighbourAgreement` of its `neighbours` nearest
   * labeled items (cosine, in the head's standardized space) to carry its class, and the
   * threshold is chosen among the out-of-fold predictions that pass the same test (their
   * neighbours from the other folds). Default 10; 0: the head alone.
   */
  readonly neighbours?: number;
  /** Share of the neighbours that must carry a prelabel's class (default 0.5). */
  readonly neighbourAgreement?: number;
  /**
   * Multi-class and detection: the lowest-confidence quarter (this share) of the out-of-fold
   * predictions (or calibration boxes) a threshold keeps must reach the target too, not only all
   * of them: once the confident items are labeled, what is left to prelabel sits just above the
   * threshold. Default 0.25 for multi-class, 0 (off) for detection; 0: off.
   */
  readonly marginal?: number;
  /**
   * Multi-class: learn from the unlabeled items too — the head's probabilities are mixed with
   * labels spread (Zhou et al.'s label spreading) over a nearest-neighbour graph of the labeled and
   * the todo items, and the threshold is chosen on the same mix out of fold (each fold's labels
   * hidden from the spreading). `true`: the defaults; an object: core's `PropagationRequest`
   * settings and `maxUnlabeled`, the most todo items in one round's graph (default 2,000; beyond
   * it, a seeded sample, new each round, and only the sampled items get prelabels that round).
   * Default off: it did not raise coverage in the simulated-labeler benchmark (docs/ml.md).
   */
  readonly propagation?: boolean | (PropagationRequest & { readonly maxUnlabeled?: number });
  /**
   * Fewest accepted or corrected prelabels of a round before their realized precision can make
   * the loop raise the threshold or withdraw the round's prelabels (default 20).
   */
  readonly minRealized?: number;
  /**
   * Confidence that the realized precision is below target before the loop acts (the Wilson upper
   * bound at this one-sided level must be under the target). Default 0.5: the point estimate, over
   * at least `minRealized` checked prelabels — acting costs only coverage, and a watch that waits
   * for strong evidence lets a 94 % stream through for hundreds of prelabels.
   */
  readonly watchConfidence?: number;
  /** How many of the most recent checked prelabels the watch judges (default 300). */
  readonly realizedWindow?: number;
  /** Progress of long steps (featurization, inference, detection): items done of total. */
  readonly onProgress?: (progress: AssistLoopProgress) => void;
  readonly seed?: number;
  /**
   * Near-duplicate and likely-mislabeled flags after each classification round (`loop.flags`, the
   * Data tab's filters): thresholds, or `false` to skip them.
   */
  readonly flags?: FlagOptions | false;
  /** Detection projects: model class index → project label id. Unmapped classes are ignored. */
  readonly detectorLabels?: Readonly<Record<number, string>>;
  /** Called as each run starts. */
  readonly onRunStart?: (kind: RunKind) => void;
  /** Called with each run as it finishes (the journal has them too). */
  readonly onRun?: (run: AssistRun & { id: string }) => void;
}

/** Progress of a long step. */
export interface AssistLoopProgress {
  readonly phase: 'featurization' | 'inference' | 'detection';
  readonly done: number;
  readonly total: number;
}

/** What the loop measured of the prelabels labelers were shown since the last round. */
export interface RealizedPrecision {
  /** The inference run whose prelabels these are. */
  readonly run: string;
  /** Threshold now in force for that round (raised by the watch, or the round's own). */
  readonly threshold: number;
  /** Prelabels at or above it that were accepted or corrected, and how many were accepted. */
  readonly shown: number;
  readonly right: number;
}

/** What one `step()` did. */
export interface AssistLoopReport {
  readonly featurized: number;
  readonly clustered: number;
  readonly trained: boolean;
  /** Threshold chosen by validation; null when no threshold reached the target (no prelabels). */
  readonly threshold?: number | null;
  readonly prelabeled: number;
  /** Prelabels taken back this step (a new model no longer proposes them, or their precision fell short). */
  readonly withdrawn?: number;
  /** Items that could not be featurized or detected, as data. */
  readonly failed: readonly ItemFailure[];
}

/** What a recorded step reports: the assistant's run record, or the same fields. */
export type RunOutcome = Pick<AssistRun, 'device' | 'timings' | 'metrics'>;

/** An item that could not be featurized or detected (its image unreadable, or the model failed on it): data, not an exception. */
export interface ItemFailure {
  readonly item: number;
  readonly code: string;
  readonly reason: string;
}

/** What a training or detection round did. */
export interface RoundReport {
  /** Threshold in force; null when none reached the target (no prelabels). */
  readonly threshold: number | null;
  readonly prelabeled: number;
  readonly withdrawn: number;
  readonly failed: readonly ItemFailure[];
  /** Near-duplicates and likely-mislabeled items found after the round (classification). */
  readonly flags?: AssistFlags;
}

/** What the rounds (classify.ts, detect-round.ts, realized.ts) use of their loop. */
export interface LoopContext {
  readonly project: Project;
  readonly assistant: Assistant;
  readonly cache: EmbeddingCache;
  readonly options: AssistLoopOptions;
  /** Runs `fn` as a recorded run (run.started, then run.finished with its outcome). */
  record(kind: RunKind, params: Record<string, unknown>, signal: AbortSignal | undefined, fn: (runId: string) => Promise<RunOutcome>): Promise<void>;
  /** Reads items' images; failures go to `failed` (and `onFailed`) and are left out. */
  readImages(
    items: readonly ItemView[],
    failed: ItemFailure[],
    signal: AbortSignal | undefined,
    onFailed?: (it: ItemView) => void,
  ): Promise<{ images: AssistImage[]; ok: ItemView[] }>;
  /** Whether an item has a usable embedding. */
  hasRow(item: ItemView): boolean;
}
