// The assist loop: drives a core Project through an Assistant. Featurize (resumable, cached in the
// project's store), cluster the todo items (classification), and — every time enough new labels
// arrived — train a head, pick the threshold on held-out labels and prelabel the todo items
// (classification), or calibrate the detector's box threshold and prelabel boxes (detection).
// Every step is recorded as a run in the project's journal, with device, timings and metrics.
import {
  type Annotation,
  type Assistant,
  type AssistImage,
  type AssistRun,
  type BoxAnnotation,
  type ItemView,
  LabelkitError,
  type Project,
  type RunKind,
  isClassificationKind,
  isDicomPath,
  throwIfAborted,
} from '@labelkit/core';
import { EmbeddingCache } from './embedding-cache.js';
import { type LabeledBox, calibrateBoxThreshold, mapDetections } from './numerics/detect.js';
import { prelabelsFromProbs } from './numerics/fit.js';

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
  /** Share of labeled items held out for validation (default 0.2). */
  readonly holdout?: number;
  /** Fewest held-out predictions at or above a threshold for it to count (default 10). */
  readonly minSupport?: number;
  /**
   * Multi-class: no prelabels while a label class has fewer labeled items than this (default 5).
   * A head cannot recognise a class it has not seen, and held-out precision cannot see that either.
   */
  readonly minLabelsPerClass?: number;
  readonly seed?: number;
  /** Detection projects: model class index → project label id. Unmapped classes are ignored. */
  readonly detectorLabels?: Readonly<Record<number, string>>;
  /** Called with each run as it finishes (the journal has them too). */
  readonly onRun?: (run: AssistRun & { id: string }) => void;
}

/** What one `step()` did. */
export interface AssistLoopReport {
  readonly featurized: number;
  readonly clustered: number;
  readonly trained: boolean;
  /** Threshold chosen by validation; null when no threshold reached the target (no prelabels). */
  readonly threshold?: number | null;
  readonly prelabeled: number;
  /** Items that could not be featurized or detected, as data. */
  readonly failed: readonly { item: number; code: string; reason: string }[];
}

/** What a recorded step reports: the assistant's run record, or the same fields. */
type RunOutcome = Pick<AssistRun, 'device' | 'timings' | 'metrics'>;

const EMPTY: AssistLoopReport = { featurized: 0, clustered: 0, trained: false, prelabeled: 0, failed: [] };

/** An item whose image `readImage` could not give, as data. */
function readFailure(item: ItemView, err: unknown): { item: number; code: string; reason: string } {
  return { item: item.index, code: LabelkitError.is(err) ? err.code : 'E_CORRUPT_IMAGE', reason: err instanceof Error ? err.message : String(err) };
}

/** Items that may go to assist: readable and not DICOM. */
function assistable(item: ItemView): boolean {
  return item.state !== 'unreadable' && !isDicomPath(item.path);
}

export class AssistLoop {
  readonly project: Project;
  readonly assistant: Assistant;
  readonly cache: EmbeddingCache;
  #options: AssistLoopOptions;
  #loaded = false;
  #busy: Promise<AssistLoopReport> | undefined;

  constructor(options: AssistLoopOptions) {
    this.#options = options;
    this.project = options.project;
    this.assistant = options.assistant;
    this.cache = new EmbeddingCache(options.project.store, options.project.id, options.featurizerKey ?? 'featurizer', options.chunkSize ?? 1024);
  }

  /** Labels still needed before the next training run (from the project's stats). */
  labelsToNextRun(): number | undefined {
    return this.project.stats().labelsToNextRun;
  }

  /**
   * Does whatever is due now: featurize new items, cluster (classification, once per item set),
   * and train + prelabel when the project's next run is due. One step runs at a time; a call
   * while one runs gets that step's report.
   */
  step(options: { signal?: AbortSignal } = {}): Promise<AssistLoopReport> {
    if (!this.#busy) {
      this.#busy = this.#step(options.signal).finally(() => {
        this.#busy = undefined;
      });
    }
    return this.#busy;
  }

  async #step(signal?: AbortSignal): Promise<AssistLoopReport> {
    if (!this.project.assist.enabled) return EMPTY;
    const classification = isClassificationKind(this.project.kind);
    let featurized = 0;
    let clustered = 0;
    const failed: { item: number; code: string; reason: string }[] = [];
    if (classification) {
      const f = await this.featurize({ signal });
      featurized = f.featurized;
      failed.push(...f.failed);
      if (this.project.assist.clustering) clustered = await this.#clusterIfDue(signal);
    }
    if (this.project.stats().labelsToNextRun !== 0) return { featurized, clustered, trained: false, prelabeled: 0, failed };
    const r = classification ? await this.trainAndPrelabel({ signal }) : await this.detectAndPrelabel({ signal });
    return { featurized, clustered, trained: true, threshold: r.threshold, prelabeled: r.prelabeled, failed: [...failed, ...r.failed] };
  }

  /** Featurizes every assistable item without a stored embedding, chunk by chunk. */
  async featurize(options: { signal?: AbortSignal } = {}): Promise<{ featurized: number; failed: { item: number; code: string; reason: string }[] }> {
    const signal = options.signal;
    if (!this.#loaded) {
      await this.cache.load(signal);
      this.#loaded = true;
    }
    const missing: ItemView[] = [];
    for (const item of this.project.items()) if (assistable(item) && !this.cache.has(item.index, item.etag)) missing.push(item);
    const failed: { item: number; code: string; reason: string }[] = [];
    if (!missing.length) return { featurized: 0, failed };
    const batch = this.#options.batch ?? 64;
    const chunkSize = this.cache.chunkSize;
    await this.#record('featurization', { items: missing.length }, signal, async () => {
      const timings: Record<string, number> = {};
      let device: AssistRun['device'] = 'cpu';
      let done = 0;
      // One chunk at a time: a stop (abort, reload) keeps every chunk already written.
      for (let i = 0; i < missing.length; ) {
        const chunk = Math.floor(missing[i].index / chunkSize);
        const rows: { item: number; etag?: string; row: Float32Array }[] = [];
        for (; i < missing.length && Math.floor(missing[i].index / chunkSize) === chunk; ) {
          const part = missing.slice(i, Math.min(i + batch, missing.length)).filter((it) => Math.floor(it.index / chunkSize) === chunk);
          i += part.length;
          const { images, ok } = await this.#readImages(part, failed, signal, (it) =>
            rows.push({ item: it.index, etag: it.etag, row: new Float32Array(this.cache.dim || 1).fill(NaN) }),
          );
          if (!ok.length) continue;
          const res = await this.assistant.featurize(images, { signal });
          device = res.run.device;
          for (const [k, v] of Object.entries(res.run.timings)) timings[k] = (timings[k] ?? 0) + v;
          const dim = res.embeddings.cols;
          for (const f of res.failed) failed.push({ item: ok[f.index].index, code: f.code, reason: f.reason });
          ok.forEach((it, k) => rows.push({ item: it.index, etag: it.etag, row: res.embeddings.data.slice(k * dim, (k + 1) * dim) }));
        }
        // Rows of items whose image could not be read have the cache's width once it is known.
        const dim = rows.find((r) => r.row.length > 1)?.row.length ?? this.cache.dim;
        await this.cache.put(
          rows.map((r) => (r.row.length === dim ? r : { ...r, row: new Float32Array(dim).fill(NaN) })),
          signal,
        );
        done += rows.length;
      }
      return { device, timings, metrics: { items: done, failed: failed.length, dim: this.cache.dim } };
    });
    return { featurized: missing.length, failed };
  }

  /**
   * Reads items' images; an image that cannot be read is recorded in `failed` (and passed to
   * `onFailed`) and left out. Returns the images with the items they belong to, in order.
   */
  async #readImages(
    items: readonly ItemView[],
    failed: { item: number; code: string; reason: string }[],
    signal: AbortSignal | undefined,
    onFailed?: (it: ItemView) => void,
  ): Promise<{ images: AssistImage[]; ok: ItemView[] }> {
    const images: AssistImage[] = [];
    const ok: ItemView[] = [];
    for (const it of items) {
      try {
        images.push(await this.#options.readImage(it, signal));
        ok.push(it);
      } catch (err) {
        throwIfAborted(signal);
        failed.push(readFailure(it, err));
        onFailed?.(it);
      }
    }
    return { images, ok };
  }

  /**
   * Clusters the todo items when some of them are still in the manual lane (new items, or none
   * clustered yet). Submits only shrink the todo set, so they do not cause a new clustering run.
   */
  async #clusterIfDue(signal?: AbortSignal): Promise<number> {
    const todo = [...this.project.items({ states: ['todo'] })].filter((it) => assistable(it) && this.#row(it));
    if (todo.length < 4 || !todo.some((it) => it.lane === 'manual')) return 0;
    return this.cluster(todo, { signal });
  }

  /** Clusters items (default: the todo items) and moves them to the clustered lane. */
  async cluster(items?: readonly ItemView[], options: { signal?: AbortSignal } = {}): Promise<number> {
    const list = (items ?? [...this.project.items({ states: ['todo'] })]).filter((it) => assistable(it) && this.#row(it));
    if (list.length < 2) return 0;
    const k = this.#options.clusters ?? Math.max(2, Math.min(100, Math.round(Math.sqrt(list.length / 2))));
    const kk = Math.min(k, list.length);
    let assigned = 0;
    await this.#record('clustering', { items: list.length, k: kk }, options.signal, async (runId) => {
      const data = this.cache.matrix(list.map((it) => it.index));
      const res = await this.assistant.cluster({ rows: list.length, cols: this.cache.dim, data }, { k: kk, seed: this.#options.seed ?? this.project.seed, signal: options.signal });
      assigned = await this.project.assignClusters(
        runId,
        list.map((it, i) => ({ item: it.index, cluster: res.assignments[i] })),
      );
      return res.run;
    });
    return assigned;
  }

  /** Trains a head on the labeled items, validates, and prelabels todo items above the threshold. */
  async trainAndPrelabel(options: { signal?: AbortSignal } = {}): Promise<{ threshold: number | null; prelabeled: number; failed: { item: number; code: string; reason: string }[] }> {
    const signal = options.signal;
    const p = this.project;
    const multilabel = p.kind === 'image-classification-multilabel';
    const labelIndex = new Map(p.labels.map((l, i) => [l.id, i]));
    const classes = p.labels.length;
    const labeled = [...p.items({ states: ['labeled', 'needs-review'] })].filter((it) => assistable(it) && this.#row(it));
    const rows: number[] = [];
    const targets: number[] = [];
    for (const it of labeled) {
      const tags = it.annotations.filter((a) => a.kind === 'class').map((a) => labelIndex.get(a.label)).filter((x): x is number => x !== undefined);
      if (!tags.length) continue;
      rows.push(it.index);
      if (multilabel) {
        const t = new Array<number>(classes).fill(0);
        for (const c of tags) t[c] = 1;
        targets.push(...t);
      } else targets.push(tags[0]);
    }
    if (rows.length < 4) throw new LabelkitError('E_INVALID_ARGUMENT', `Training needs labeled items (${rows.length} usable so far).`);
    const perClass = new Array<number>(classes).fill(0);
    if (multilabel) targets.forEach((t, k) => (perClass[k % classes] += t));
    else for (const t of targets) perClass[t]++;
    const minPerClass = multilabel ? 0 : (this.#options.minLabelsPerClass ?? 5);
    const unseen = p.labels.filter((_, c) => perClass[c] < minPerClass).map((l) => l.name);
    const trainParams = { labeled: rows.length, classes, kind: multilabel ? 'multilabel' : 'multiclass' };
    let trained: Awaited<ReturnType<Assistant['train']>> | undefined;
    await this.#record('training', trainParams, signal, async () => {
      trained = await this.assistant.train(
        { rows: rows.length, cols: this.cache.dim, data: this.cache.matrix(rows) },
        {
          kind: multilabel ? 'multilabel' : 'multiclass',
          classes,
          targets: multilabel ? Uint8Array.from(targets) : Int32Array.from(targets),
          holdout: this.#options.holdout,
          minSupport: this.#options.minSupport,
          targetPrecision: p.assist.targetPrecision,
          seed: this.#options.seed ?? p.seed,
        },
        { signal },
      );
      return trained.training;
    });
    await this.#record('validation', { targetPrecision: p.assist.targetPrecision }, signal, async () =>
      unseen.length ? { ...trained!.validation, metrics: { ...trained!.validation.metrics, threshold: null, withheld: `classes with under ${minPerClass} labels: ${unseen.join(', ')}` } } : trained!.validation,
    );
    const threshold = unseen.length ? null : trained!.threshold;
    if (threshold === null) return { threshold, prelabeled: 0, failed: [] };
    const todo = [...p.items({ states: ['todo'] })].filter((it) => assistable(it) && this.#row(it));
    let prelabeled = 0;
    if (todo.length) {
      await this.#record('inference', { items: todo.length, threshold }, signal, async (runId) => {
        const res = await this.assistant.predict(trained!.head, { rows: todo.length, cols: this.cache.dim, data: this.cache.matrix(todo.map((it) => it.index)) }, { signal });
        const picks = prelabelsFromProbs(trained!.head.kind, res.probabilities.data, todo.length, classes, threshold);
        prelabeled = await p.proposePrelabels(
          runId,
          picks.map((x) => ({
            item: todo[x.row].index,
            annotations: x.classes.map((c, k): Annotation => ({ kind: 'class', label: p.labels[c].id, confidence: x.confidences[k] })),
          })),
        );
        return { ...res.run, metrics: { ...res.run.metrics, threshold, prelabeled } };
      });
    }
    return { threshold, prelabeled, failed: [] };
  }

  /**
   * Detection: runs the detector on labeled items to calibrate the box threshold (precision at
   * IoU ≥ 0.5 against the labeled boxes), then proposes boxes above it on todo items.
   */
  async detectAndPrelabel(options: { signal?: AbortSignal } = {}): Promise<{ threshold: number | null; prelabeled: number; failed: { item: number; code: string; reason: string }[] }> {
    const signal = options.signal;
    const p = this.project;
    const mapping = this.#options.detectorLabels;
    if (!mapping || !Object.keys(mapping).length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Detection assist needs detectorLabels: { modelClassIndex: projectLabelId }.');
    const failed: { item: number; code: string; reason: string }[] = [];
    /** Runs the detector on items; returns each readable item's boxes mapped to project labels, and the run. */
    const detectItems = async (items: readonly ItemView[]): Promise<{ found: { item: ItemView; boxes: LabeledBox[] }[]; run: RunOutcome }> => {
      const { images, ok } = await this.#readImages(items, failed, signal);
      if (!ok.length) return { found: [], run: { device: 'cpu', timings: {}, metrics: {} } };
      const res = await this.assistant.detect(images, { signal });
      for (const f of res.failed) failed.push({ item: ok[f.index].index, code: f.code, reason: f.reason });
      const bad = new Set(res.failed.map((f) => f.index));
      return { found: ok.map((item, k) => ({ item, boxes: mapDetections(res.detections[k], mapping) })).filter((_, k) => !bad.has(k)), run: res.run };
    };
    const labeled = [...p.items({ states: ['labeled', 'needs-review'] })].filter(assistable);
    let threshold: number | null = null;
    await this.#record('training', { labeled: labeled.length, method: 'box-threshold calibration' }, signal, async () => {
      const { found, run } = await detectItems(labeled);
      const cal = calibrateBoxThreshold(
        found.map((f) => ({ predictions: f.boxes, truth: f.item.annotations.filter((a): a is BoxAnnotation => a.kind === 'box') })),
        { targetPrecision: p.assist.targetPrecision, minSupport: this.#options.minSupport },
      );
      threshold = cal.threshold;
      return { ...run, metrics: { images: found.length, threshold: cal.threshold, precision: cal.precision, support: cal.support, recall: cal.recall, predictions: cal.predictions, truthBoxes: cal.truthBoxes } };
    });
    if (threshold === null) return { threshold, prelabeled: 0, failed };
    const t: number = threshold;
    const todo = [...p.items({ states: ['todo'] })].filter(assistable);
    let prelabeled = 0;
    if (todo.length) {
      await this.#record('inference', { items: todo.length, threshold: t }, signal, async (runId) => {
        const { found, run } = await detectItems(todo);
        const proposals = found
          .map((f) => ({ item: f.item.index, annotations: f.boxes.filter((b) => b.score >= t).map((b): Annotation => ({ kind: 'box', label: b.label, x: b.x, y: b.y, w: b.w, h: b.h, confidence: b.score })) }))
          .filter((x) => x.annotations.length);
        prelabeled = await p.proposePrelabels(runId, proposals);
        return { ...run, metrics: { ...run.metrics, threshold: t, prelabeled } };
      });
    }
    return { threshold, prelabeled, failed };
  }

  #row(item: ItemView): boolean {
    const row = this.cache.get(item.index, item.etag);
    return !!row && !Number.isNaN(row[0]);
  }

  /**
   * Runs `fn` as a recorded run: run.started before (with the device the assistant uses), then
   * run.finished with the run's status, device, timings and metrics — 'failed' or 'cancelled' (and
   * the error rethrown) when it throws.
   */
  async #record(
    kind: RunKind,
    params: Record<string, unknown>,
    signal: AbortSignal | undefined,
    fn: (runId: string) => Promise<RunOutcome>,
  ): Promise<void> {
    throwIfAborted(signal);
    const device = await this.assistant.device({ signal });
    const runId = await this.project.startRun(kind, { device, params });
    const startedAt = Date.now();
    try {
      const r = await fn(runId);
      const metrics = { ...r.metrics, device: r.device, ...Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [`${k}Ms`, v])) };
      await this.project.finishRun(runId, 'completed', { metrics });
      this.#options.onRun?.({ id: runId, kind, status: 'completed', device: r.device, startedAt, finishedAt: Date.now(), timings: r.timings, metrics: r.metrics });
    } catch (err) {
      const cancelled = LabelkitError.is(err, 'E_ABORTED');
      await this.project.finishRun(runId, cancelled ? 'cancelled' : 'failed', { error: (err as Error).message }).catch(() => undefined);
      throw err;
    }
  }
}
