// The `Assistant` port: what ML assist offers a project, in plain data. `@labelkit/ml` implements it
// with onnxruntime-web in a Web Worker; core only knows these types (no onnxruntime here).
import type { RunKind, RunStatus } from './types.js';

/** Where models run. */
export type AssistDevice = 'webgpu' | 'wasm';
/** What a host asks for: a device, or 'auto' (WebGPU when an adapter exists, else WASM). */
export type AssistDeviceRequest = 'auto' | AssistDevice;
export const ASSIST_DEVICES: readonly AssistDeviceRequest[] = ['auto', 'webgpu', 'wasm'];

/**
 * What ran a step: a model device, or 'cpu' for steps that are plain typed-array code in the
 * worker (head training, validation, k-means when its distance step stays in JavaScript).
 */
export type AssistCompute = AssistDevice | 'cpu';

/** Decoded pixels, interleaved, rows top to bottom. */
export interface AssistPixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
  /** 4 = RGBA (default), 3 = RGB, 1 = grey. */
  readonly channels?: 1 | 3 | 4;
}

/** Encoded image bytes (JPEG, PNG, BMP…), decoded in the worker. */
export interface AssistEncodedImage {
  readonly bytes: Uint8Array;
  readonly mimeType?: string;
}

/** An image handed to the assistant. Its buffer is transferred to the worker (the caller's copy is detached). */
export type AssistImage = AssistPixels | AssistEncodedImage;

/** A row-major matrix of float32 (embeddings: one row per image). */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

export interface AssistProgress {
  readonly done: number;
  readonly total: number;
}

/** Every assistant call takes a signal; an aborted call rejects with `E_ABORTED`. */
export interface AssistCallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: AssistProgress) => void;
}

/** The record of one run, for the dashboard and the journal's run events. */
export interface AssistRun {
  readonly kind: RunKind;
  readonly status: RunStatus;
  /** What computed it (see AssistCompute). */
  readonly device: AssistCompute;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Milliseconds by phase (e.g. session, preprocess, inference, decode). */
  readonly timings: Readonly<Record<string, number>>;
  readonly metrics: Readonly<Record<string, number | string | boolean | null>>;
  readonly error?: { readonly code: string; readonly message: string };
}

/** An item that could not be processed: data, not an exception (the run goes on). */
export interface AssistFailure {
  readonly index: number;
  readonly code: string;
  readonly reason: string;
}

export interface FeaturizeResult {
  /** One row per image, in input order; rows of failed images are NaN. */
  readonly embeddings: Matrix;
  readonly failed: readonly AssistFailure[];
  readonly run: AssistRun;
}

export interface ClusterOptions extends AssistCallOptions {
  readonly k: number;
  readonly seed?: number;
  readonly maxIterations?: number;
}

export interface ClusterResult {
  readonly assignments: Int32Array;
  readonly centers: Matrix;
  readonly inertia: number;
  readonly iterations: number;
  readonly run: AssistRun;
}

export type HeadKind = 'multiclass' | 'multilabel';

/** A trained head: plain typed arrays (can be stored and handed back to `predict`). */
export interface AssistHead {
  readonly kind: HeadKind;
  readonly dim: number;
  readonly classes: number;
  readonly mean: Float32Array;
  readonly invStd: Float32Array;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

export interface TrainRequest {
  readonly kind: HeadKind;
  readonly classes: number;
  /** multiclass: class index per row (Int32Array); multilabel: rows×classes 0/1 (Uint8Array). */
  readonly targets: Int32Array | Uint8Array;
  /** Share of rows held out for validation (default 0.2). */
  readonly holdout?: number;
  /** Precision the prelabel threshold must reach on the held-out rows (default 0.95). */
  readonly targetPrecision?: number;
  /** Fewest held-out predictions at or above the threshold (default 10). */
  readonly minSupport?: number;
  readonly seed?: number;
  readonly epochs?: number;
  /**
   * Choose the threshold on out-of-fold predictions over all labeled rows with this many folds
   * (k heads each trained without one fold; the returned head is trained on all rows). 0 or 1: the
   * single `holdout` split. Default 5.
   */
  readonly folds?: number;
  /** Rows whose predictions may choose the threshold (1) or not (0); default all. */
  readonly calibrate?: Uint8Array;
  /** Classes never predicted (too few labels so far); the others still are. */
  readonly gated?: readonly number[];
  /**
   * Confidence of the one-sided lower bound (Wilson) on precision that must reach
   * `targetPrecision` (default 0.95; `AssistLoop` asks 0.95 or 0.975 for classes, see its `confidence`);
   * 0: the point estimate.
   */
  readonly confidence?: number;
  /**
   * Multi-class: a prediction counts only when at least `minAgreement` of its `neighbours` nearest
   * labeled rows (cosine, in the head's standardized space) carry its class; out of fold, the
   * neighbours come from the other folds. 0 or absent: no such gate.
   */
  readonly neighbours?: number;
  /** Share of the neighbours that must carry the predicted class (default 0.5). */
  readonly minAgreement?: number;
  /**
   * The lowest-confidence part of what a threshold keeps (this share of its support, at least
   * `minSupport` predictions) must reach `targetPrecision` too (point estimate). 0 or absent: off.
   */
  readonly marginal?: number;
  /**
   * Embeddings of unlabeled rows (the items still to label, or a sample of them; same width as the
   * labeled ones), read only with `propagation`. `@labelkit/ml` transfers its buffer to the worker
   * (the caller's copy is detached), as it does the labeled rows'.
   */
  readonly unlabeled?: Matrix;
  /**
   * Multi-class, with `folds` ≥ 2 and `unlabeled`: scores are the head's probabilities mixed with
   * labels spread over a nearest-neighbour graph of the labeled and unlabeled rows. Out of fold,
   * each fold's labels are hidden from the spreading, so the threshold is chosen on scores that
   * never saw their row's label; `TrainResult.unlabeled` holds the same mix for the unlabeled rows.
   */
  readonly propagation?: PropagationRequest;
}

/** Label spreading (Zhou et al.) on top of the head: see `TrainRequest.propagation`. */
export interface PropagationRequest {
  /** Neighbours per row in the graph (default 10). */
  readonly neighbours?: number;
  /** How far labels spread, 0 < alpha < 1 (default 0.9). */
  readonly alpha?: number;
  /** Share of the spread labels in a score (default 0.25; the head's probabilities have the rest). */
  readonly weight?: number;
}

export interface TrainResult {
  readonly head: AssistHead;
  /** The prelabel threshold, or null: no threshold reached the target, so no prelabels this round. */
  readonly threshold: number | null;
  readonly training: AssistRun;
  readonly validation: AssistRun;
  /**
   * With `propagation`: the scores (rows×classes) of the request's `unlabeled` rows, on which the
   * threshold applies instead of `predict`'s probabilities (the same mix it was chosen on).
   */
  readonly unlabeled?: Matrix;
}

export interface PredictResult {
  /** rows×classes probabilities. */
  readonly probabilities: Matrix;
  readonly run: AssistRun;
}

/** A detector box in image pixels, with the model's class. */
export interface AssistDetection {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly classIndex: number;
  readonly score: number;
}

export interface DetectOptions extends AssistCallOptions {
  /** Drop boxes scoring below this before NMS (default 0.05). */
  readonly minScore?: number;
  /** NMS IoU (default 0.45). */
  readonly iou?: number;
}

export interface DetectResult {
  readonly detections: readonly (readonly AssistDetection[])[];
  readonly failed: readonly AssistFailure[];
  readonly run: AssistRun;
}

/**
 * ML assist for a labeling project. Implementations run models off the main thread; every call
 * takes an AbortSignal; `dispose()` frees the worker and its sessions.
 */
export interface Assistant {
  /** The device asked for. */
  readonly requestedDevice: AssistDeviceRequest;
  /** The device models run on (resolves 'auto'; starts the worker if it is not running). */
  device(options?: { signal?: AbortSignal }): Promise<AssistDevice>;
  /** Images → embeddings with the featurizer model. */
  featurize(images: readonly AssistImage[], options?: AssistCallOptions): Promise<FeaturizeResult>;
  /** k-means over embeddings (classification projects). */
  cluster(embeddings: Matrix, options: ClusterOptions): Promise<ClusterResult>;
  /** Trains a head on labeled embeddings and picks the prelabel threshold on a held-out part. */
  train(embeddings: Matrix, request: TrainRequest, options?: AssistCallOptions): Promise<TrainResult>;
  /** Class probabilities of a head on embeddings. */
  predict(head: AssistHead, embeddings: Matrix, options?: AssistCallOptions): Promise<PredictResult>;
  /** Boxes from the detector model. */
  detect(images: readonly AssistImage[], options?: DetectOptions): Promise<DetectResult>;
  dispose(): Promise<void>;
}

/** What ML assist is doing now, for a status line or progress bar (`<label-dashboard>` reads it). */
export interface AssistActivity {
  /** 'working': a step runs; 'idle': waiting for labels; 'off': the project's switch is off; 'failed': the last step failed. */
  readonly state: 'idle' | 'working' | 'off' | 'failed' | 'stopped';
  /** The step that runs (state 'working'). */
  readonly phase?: RunKind;
  /** Items done of total, for the long steps (featurization, inference, detection). */
  readonly done?: number;
  readonly total?: number;
  /** The error of a failed step. */
  readonly error?: string;
}

/**
 * Items ML assist asks a person to look at (the Data tab of `<label-dashboard>` filters by them):
 * found in embedding space after each training round.
 */
export interface AssistFlags {
  /** When they were found (ms since the epoch). */
  readonly at: number;
  /** Groups of near-duplicate items (item indices), two or more each. */
  readonly duplicates: readonly (readonly number[])[];
  /** Labeled items whose human label the model and the item's labeled neighbours confidently contradict. */
  readonly suspects: readonly {
    readonly item: number;
    /** The human label (id) and the one the model and neighbours suggest. */
    readonly label: string;
    readonly suggested: string;
    /** The model's probability for `suggested`, and the share of neighbours that carry it. */
    readonly confidence: number;
    readonly agreement: number;
  }[];
}

/** A live source of `AssistActivity` (what `attachAssist` in `@labelkit/ml` returns is one). */
export interface AssistMonitor {
  readonly activity: AssistActivity;
  /** The latest near-duplicate and likely-mislabeled flags (after a training round). */
  readonly flags?: AssistFlags;
  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (activity: AssistActivity) => void): () => void;
}
