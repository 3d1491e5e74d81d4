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
import { chooseThreshold, wilsonUpper, zOf } from './numerics/threshold.js';

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
   * threshold and for the realized-precision watch (default 0.95; 0: point estimates).
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
  readonly failed: readonly { item: number; code: string; reason: string }[];
}

/** What a recorded step reports: the assistant's run record, or the same fields. */
type RunOutcome = Pick<AssistRun, 'device' | 'timings' | 'metrics'>;

const EMPTY: AssistLoopReport = { featurized: 0, clustered: 0, trained: false, prelabeled: 0, failed: [] };

/** An item whose image `readImage` could not give, as data. */
function readFailure(item: ItemView, err: unknown): { item: number; code: string; reason: string } {
  return { item: item.index, code: LabelkitError.is(err) ? err.code : 'E_CORRUPT_IMAGE', reason: err instanceof Error ? err.message : String(err) };
}

/** The confidence of a model's prelabels (the lowest of their shapes), or undefined when none are a model's. */
function modelPrelabel(anns: readonly Annotation[] | undefined): number | undefined {
  if (!anns?.length) return undefined;
  let min = Infinity;
  for (const a of anns) {
    if (typeof a.confidence !== 'number') return undefined;
    min = Math.min(min, a.confidence);
  }
  return min;
}

/** Whether two classification answers name the same classes. */
function sameClasses(a: readonly Annotation[], b: readonly Annotation[]): boolean {
  const x = new Set(a.filter((v) => v.kind === 'class').map((v) => v.label));
  const y = new Set(b.filter((v) => v.kind === 'class').map((v) => v.label));
  return x.size === y.size && [...x].every((v) => y.has(v));
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
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
    const watched = classification ? await this.watchRealized({ signal }) : 0;
    if (this.project.stats().labelsToNextRun !== 0) return { featurized, clustered, trained: false, prelabeled: 0, withdrawn: watched, failed };
    const r: { threshold: number | null; prelabeled: number; withdrawn?: number; failed: { item: number; code: string; reason: string }[] } = classification
      ? await this.trainAndPrelabel({ signal })
      : await this.detectAndPrelabel({ signal });
    return { featurized, clustered, trained: true, threshold: r.threshold, prelabeled: r.prelabeled, withdrawn: watched + (r.withdrawn ?? 0), failed: [...failed, ...r.failed] };
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
    this.#options.onProgress?.({ phase: 'featurization', done: 0, total: missing.length });
    await this.#record('featurization', { items: missing.length }, signal, async () => {
      const timings: Record<string, number> = {};
      let device: AssistRun['device'] = 'cpu';
      let done = 0;
      // One chunk at a time: a stop (abort, reload) keeps every chunk already written.
      for (let i = 0; i < missing.length;) {
        const chunk = Math.floor(missing[i].index / chunkSize);
        const rows: { item: number; etag?: string; row: Float32Array }[] = [];
        for (; i < missing.length && Math.floor(missing[i].index / chunkSize) === chunk;) {
          const part = missing.slice(i, Math.min(i + batch, missing.length)).filter((it) => Math.floor(it.index / chunkSize) === chunk);
          i += part.length;
          const { images, ok } = await this.#readImages(part, failed, signal, (it) =>
            rows.push({ item: it.index, etag: it.etag, row: new Float32Array(this.cache.dim || 1).fill(NaN) }),
          );
          if (!ok.length) continue;
          const before = done + rows.length;
          const onProgress = this.#options.onProgress;
          const res = await this.assistant.featurize(images, {
            signal,
            ...(onProgress
              ? { onProgress: (pr: { done: number }) => onProgress({ phase: 'featurization', done: Math.min(missing.length, before + pr.done), total: missing.length }) }
              : {}),
          });
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
        this.#options.onProgress?.({ phase: 'featurization', done, total: missing.length });
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

  /**
   * Trains a head on the labeled items, chooses the threshold on out-of-fold predictions, prelabels
   * todo items at or above it, and withdraws the prelabels the new model does not re-propose (all
   * of them when no threshold passes), so the prelabeled lane only holds current prelabels.
   */
  async trainAndPrelabel(
    options: { signal?: AbortSignal } = {},
  ): Promise<{ threshold: number | null; prelabeled: number; withdrawn: number; failed: { item: number; code: string; reason: string }[] }> {
    const signal = options.signal;
    const p = this.project;
    const multilabel = p.kind === 'image-classification-multilabel';
    const labelIndex = new Map(p.labels.map((l, i) => [l.id, i]));
    const classes = p.labels.length;
    const labeled = [...p.items({ states: ['labeled', 'needs-review'] })].filter((it) => assistable(it) && this.#row(it));
    const rows: number[] = [];
    const targets: number[] = [];
    const calibrate: number[] = [];
    for (const it of labeled) {
      const tags = it.annotations
        .filter((a) => a.kind === 'class')
        .map((a) => labelIndex.get(a.label))
        .filter((x): x is number => x !== undefined);
      if (!tags.length) continue;
      rows.push(it.index);
      // Labels given over a model's prelabel are a selected sample (the items it was sure of):
      // they train the head, and are measured as realized precision, but do not pick the threshold.
      calibrate.push(modelPrelabel(it.shownPrelabels) ? 0 : 1);
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
    // Per-class gating: a class with too few labels is not predicted; the others still are.
    const gated = p.labels.map((_, c) => c).filter((c) => perClass[c] < minPerClass);
    const gatedNames = gated.map((c) => p.labels[c].name);
    const confidence = this.#options.confidence ?? 0.95;
    const trainParams = { labeled: rows.length, classes, kind: multilabel ? 'multilabel' : 'multiclass', calibration: calibrate.reduce((a, b) => a + b, 0) };
    let trained: Awaited<ReturnType<Assistant['train']>> | undefined;
    await this.#record('training', trainParams, signal, async () => {
      trained = await this.assistant.train(
        { rows: rows.length, cols: this.cache.dim, data: this.cache.matrix(rows) },
        {
          kind: multilabel ? 'multilabel' : 'multiclass',
          classes,
          targets: multilabel ? Uint8Array.from(targets) : Int32Array.from(targets),
          folds: this.#options.folds ?? 5,
          holdout: this.#options.holdout,
          calibrate: Uint8Array.from(calibrate),
          gated,
          confidence,
          minSupport: this.#options.minSupport,
          targetPrecision: p.assist.targetPrecision,
          seed: this.#options.seed ?? p.seed,
        },
        { signal },
      );
      return trained.training;
    });
    const allGated = gated.length === classes;
    const oofThreshold = allGated ? null : trained!.threshold;
    // Reality first: where recent checked prelabels at or above this threshold fell short of the
    // target, the new round starts from where they did reach it (or makes no prelabels).
    const gate = oofThreshold === null ? undefined : this.#realizedGate(oofThreshold);
    const threshold = gate ? gate.threshold : oofThreshold;
    let withdrawn = 0;
    await this.#record('validation', { targetPrecision: p.assist.targetPrecision, confidence }, signal, async (runId) => {
      const v = trained!.validation;
      const metrics: Record<string, number | string | boolean | null> = { ...v.metrics, threshold };
      if (gated.length) metrics.gated = `classes with under ${minPerClass} labels are not predicted: ${gatedNames.join(', ')}`;
      if (gate) Object.assign(metrics, { oofThreshold, realizedPrecision: gate.precision, realizedShown: gate.shown });
      if (threshold === null) {
        metrics.withheld = allGated
          ? `every class has under ${minPerClass} labels`
          : gate
            ? `recent suggestions at this confidence were ${pct(gate.precision)} right (${gate.shown} checked)`
            : `no threshold reaches ${pct(p.assist.targetPrecision)} precision${confidence ? ` with ${pct(confidence)} confidence` : ''} on ${v.metrics.calibrationRows ?? v.metrics.holdoutRows ?? '?'} checked labels`;
        // No model stands behind the old prelabels any more: take them back.
        withdrawn = await this.#withdrawExcept(new Set(), runId, 'validation failed');
        metrics.withdrawn = withdrawn;
      }
      return { ...v, metrics };
    });
    if (threshold === null) return { threshold, prelabeled: 0, withdrawn, failed: [] };
    const todo = [...p.items({ states: ['todo'] })].filter((it) => assistable(it) && this.#row(it));
    let prelabeled = 0;
    await this.#record('inference', { items: todo.length, threshold }, signal, async (runId) => {
      const proposals: { item: number; annotations: Annotation[] }[] = [];
      let unvisited = 0;
      let run: RunOutcome = { device: 'cpu', timings: {}, metrics: {} };
      this.#options.onProgress?.({ phase: 'inference', done: 0, total: todo.length });
      if (todo.length) {
        const res = await this.assistant.predict(trained!.head, { rows: todo.length, cols: this.cache.dim, data: this.cache.matrix(todo.map((it) => it.index)) }, { signal });
        run = res.run;
        const picks = prelabelsFromProbs(trained!.head.kind, res.probabilities.data, todo.length, classes, threshold, gated);
        const minCluster = this.#options.minLabelsPerCluster ?? 3;
        const perCluster = new Map<number, number>();
        for (const it of labeled) if (it.cluster !== undefined) perCluster.set(it.cluster, (perCluster.get(it.cluster) ?? 0) + 1);
        for (const x of picks) {
          const c = todo[x.row].cluster;
          if (c !== undefined && (perCluster.get(c) ?? 0) < minCluster) {
            unvisited++;
            continue;
          }
          proposals.push({ item: todo[x.row].index, annotations: x.classes.map((c, k): Annotation => ({ kind: 'class', label: p.labels[c].id, confidence: x.confidences[k] })) });
        }
        prelabeled = await p.proposePrelabels(runId, proposals);
      }
      this.#options.onProgress?.({ phase: 'inference', done: todo.length, total: todo.length });
      // What the new model does not re-propose is withdrawn: the lane holds current prelabels only.
      withdrawn = await this.#withdrawExcept(new Set(proposals.map((x) => x.item)), runId, 'not re-proposed by the new model');
      return { ...run, metrics: { ...run.metrics, threshold, prelabeled, withdrawn, unvisited, ...(gated.length ? { gated: gatedNames.join(', ') } : {}) } };
    });
    return { threshold, prelabeled, withdrawn, failed: [] };
  }

  /**
   * Withdraws the model prelabels of todo items (not leased) in the prelabeled lane, except `keep`
   * and except those `keepIf` keeps. Returns how many were withdrawn.
   */
  async #withdrawExcept(keep: ReadonlySet<number>, run: string, reason: string, keepIf?: (confidence: number) => boolean): Promise<number> {
    const stale: number[] = [];
    for (const it of this.project.items({ states: ['todo'] })) {
      if (it.lane !== 'prelabeled' || keep.has(it.index)) continue;
      const conf = modelPrelabel(it.prelabels);
      if (conf === undefined || (keepIf && keepIf(conf))) continue;
      stale.push(it.index);
    }
    return stale.length ? this.project.withdrawPrelabels(stale, { run, reason }) : 0;
  }

  /**
   * Prelabels labelers accepted (right) or corrected (wrong), the most recent `realizedWindow`
   * (default 300), newest first. Rounds come every few pages, so a round alone rarely has enough of
   * them to judge; recent heads are trained on nearly the same labels, so their confidences compare.
   */
  #recentChecked(): { confidence: number; correct: boolean; at: number }[] {
    const out: { confidence: number; correct: boolean; at: number }[] = [];
    for (const it of this.project.items({ states: ['labeled', 'needs-review'] })) {
      const conf = modelPrelabel(it.shownPrelabels);
      if (conf === undefined) continue;
      out.push({ confidence: conf, correct: sameClasses(it.shownPrelabels!, it.annotations), at: it.labeledAt ?? 0 });
    }
    out.sort((a, b) => b.at - a.at);
    return out.slice(0, this.#options.realizedWindow ?? 300);
  }

  /**
   * Whether recent checked prelabels at or above `threshold` are (with `watchConfidence`) below the
   * target; then the threshold where they did reach it (null: nowhere), with what was measured.
   */
  #realizedGate(threshold: number): { threshold: number | null; precision: number; shown: number } | undefined {
    const target = this.project.assist.targetPrecision;
    const minRealized = this.#options.minRealized ?? 20;
    const above = this.#recentChecked().filter((x) => x.confidence >= threshold);
    if (above.length < minRealized) return undefined;
    const right = above.filter((x) => x.correct).length;
    const z = zOf(this.#options.watchConfidence ?? 0.5);
    if ((z > 0 ? wilsonUpper(right, above.length, z) : right / above.length) >= target) return undefined;
    const choice = chooseThreshold(
      above.map((x) => x.confidence),
      above.map((x) => (x.correct ? 1 : 0)),
      { targetPrecision: target, minSupport: Math.min(10, minRealized) },
    );
    const raised = choice.threshold !== null && choice.threshold > threshold ? choice.threshold : null;
    return { threshold: raised, precision: right / above.length, shown: above.length };
  }

  /**
   * The realized precision in force: the recent checked prelabels (see `realizedWindow`) at or
   * above the current round's threshold, as raised by the watch.
   */
  realized(): (RealizedPrecision & { pairs: { confidence: number; correct: boolean }[] }) | undefined {
    const runs = this.project.runs;
    let round: (typeof runs)[number] | undefined;
    for (const r of runs) if (r.kind === 'inference' && r.status === 'completed' && typeof r.metrics?.threshold === 'number') round = r;
    if (!round) return undefined;
    let threshold = round.metrics!.threshold as number;
    for (const r of runs) {
      if (r.kind !== 'validation' || r.status !== 'completed' || r.params?.check !== 'realized' || r.params?.run !== round.id) continue;
      const t = r.metrics?.threshold;
      threshold = typeof t === 'number' ? Math.max(threshold, t) : Infinity;
    }
    if (threshold === Infinity) return undefined;
    const pairs = this.#recentChecked()
      .filter((x) => x.confidence >= threshold)
      .map(({ confidence, correct }) => ({ confidence, correct }));
    return { run: round.id, threshold, shown: pairs.length, right: pairs.filter((x) => x.correct).length, pairs };
  }

  /**
   * Watches reality: when the prelabels labelers accepted or corrected this round are, with
   * `watchConfidence`, below the target precision, raises the threshold to where they did reach
   * it (withdrawing the prelabels under it) or, when nowhere, withdraws the round's prelabels.
   * Recorded as a validation run (`check: 'realized'`). Returns how many prelabels were withdrawn.
   */
  async watchRealized(options: { signal?: AbortSignal } = {}): Promise<number> {
    const r = this.realized();
    const target = this.project.assist.targetPrecision;
    const minRealized = this.#options.minRealized ?? 20;
    if (!r || r.shown < minRealized) return 0;
    const z = zOf(this.#options.watchConfidence ?? 0.5);
    const upper = z > 0 ? wilsonUpper(r.right, r.shown, z) : r.right / r.shown;
    if (upper >= target) return 0;
    const choice = chooseThreshold(
      r.pairs.map((x) => x.confidence),
      r.pairs.map((x) => (x.correct ? 1 : 0)),
      { targetPrecision: target, minSupport: Math.min(10, minRealized) },
    );
    // A raised threshold must leave something above the one in force; else the round is withdrawn.
    const raised = choice.threshold !== null && choice.threshold > r.threshold ? choice.threshold : null;
    let withdrawn = 0;
    await this.#record('validation', { check: 'realized', run: r.run, targetPrecision: target }, options.signal, async (runId) => {
      withdrawn = await this.#withdrawExcept(
        new Set(),
        runId,
        raised === null ? 'realized precision below target' : 'under the raised threshold',
        raised === null ? undefined : (c) => c >= raised,
      );
      return {
        device: 'cpu',
        timings: {},
        metrics: {
          check: 'realized',
          realizedPrecision: r.right / r.shown,
          realizedShown: r.shown,
          realizedUpper: upper,
          targetPrecision: target,
          previousThreshold: r.threshold,
          threshold: raised,
          action: raised === null ? 'withdrawn' : 'raised',
          withdrawn,
        },
      };
    });
    return withdrawn;
  }

  /**
   * Detection: runs the detector on labeled items to calibrate the box threshold (precision at
   * IoU ≥ 0.5 against the labeled boxes), then proposes boxes above it on todo items.
   */
  async detectAndPrelabel(
    options: { signal?: AbortSignal } = {},
  ): Promise<{ threshold: number | null; prelabeled: number; withdrawn: number; failed: { item: number; code: string; reason: string }[] }> {
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
    let withdrawn = 0;
    await this.#record('training', { labeled: labeled.length, method: 'box-threshold calibration' }, signal, async (runId) => {
      const { found, run } = await detectItems(labeled);
      const cal = calibrateBoxThreshold(
        found.map((f) => ({ predictions: f.boxes, truth: f.item.annotations.filter((a): a is BoxAnnotation => a.kind === 'box') })),
        { targetPrecision: p.assist.targetPrecision, minSupport: this.#options.minSupport },
      );
      threshold = cal.threshold;
      // No threshold: no model stands behind the old boxes any more.
      if (threshold === null) withdrawn = await this.#withdrawExcept(new Set(), runId, 'validation failed');
      return {
        ...run,
        metrics: {
          withdrawn,
          images: found.length,
          threshold: cal.threshold,
          precision: cal.precision,
          support: cal.support,
          recall: cal.recall,
          predictions: cal.predictions,
          truthBoxes: cal.truthBoxes,
        },
      };
    });
    if (threshold === null) return { threshold, prelabeled: 0, withdrawn, failed };
    const t: number = threshold;
    const todo = [...p.items({ states: ['todo'] })].filter(assistable);
    let prelabeled = 0;
    if (todo.length) {
      await this.#record('inference', { items: todo.length, threshold: t }, signal, async (runId) => {
        const { found, run } = await detectItems(todo);
        const proposals = found
          .map((f) => ({
            item: f.item.index,
            annotations: f.boxes.filter((b) => b.score >= t).map((b): Annotation => ({ kind: 'box', label: b.label, x: b.x, y: b.y, w: b.w, h: b.h, confidence: b.score })),
          }))
          .filter((x) => x.annotations.length);
        prelabeled = await p.proposePrelabels(runId, proposals);
        withdrawn = await this.#withdrawExcept(new Set(proposals.map((x) => x.item)), runId, 'not re-proposed by the new model');
        return { ...run, metrics: { ...run.metrics, threshold: t, prelabeled, withdrawn } };
      });
    }
    return { threshold, prelabeled, withdrawn, failed };
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
  async #record(kind: RunKind, params: Record<string, unknown>, signal: AbortSignal | undefined, fn: (runId: string) => Promise<RunOutcome>): Promise<void> {
    throwIfAborted(signal);
    const device = await this.assistant.device({ signal });
    const runId = await this.project.startRun(kind, { device, params });
    this.#options.onRunStart?.(kind);
    const startedAt = Date.now();
    try {
      const r = await fn(runId);
      const metrics = { ...r.metrics, device: r.device, ...Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [`${k}Ms`, v])) };
      // The device that really ran the step (training and validation are CPU code whatever the model device).
      await this.project.finishRun(runId, 'completed', { metrics, device: r.device });
      this.#options.onRun?.({ id: runId, kind, status: 'completed', device: r.device, startedAt, finishedAt: Date.now(), timings: r.timings, metrics: r.metrics });
    } catch (err) {
      const cancelled = LabelkitError.is(err, 'E_ABORTED');
      await this.project.finishRun(runId, cancelled ? 'cancelled' : 'failed', { error: (err as Error).message }).catch(() => undefined);
      throw err;
    }
  }
}
