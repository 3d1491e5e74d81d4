// The assist loop: drives a core Project through an Assistant. Featurize (resumable, cached in the
// project's store), cluster the todo items (classification), and — every time enough new labels
// arrived — train a head, pick the threshold on held-out labels and prelabel the todo items
// (classification), or calibrate the detector's box threshold and prelabel boxes (detection).
// Every step is recorded as a run in the project's journal, with device, timings and metrics.
import {
  type AssistFlags,
  type AssistImage,
  type AssistRun,
  type ItemView,
  LabelkitError,
  type Project,
  type RunKind,
  type Assistant,
  isClassificationKind,
  throwIfAborted,
} from '@labelkit/core';
import { EmbeddingCache } from './embedding-cache.js';
import { assistable } from './assistable.js';
import { trainAndPrelabel as classificationRound } from './classify.js';
import { detectAndPrelabel as detectionRound } from './detect-round.js';
import { realized as realizedOf, watchRealized as watchRound } from './realized.js';
import type { AssistLoopOptions, AssistLoopReport, ItemFailure, LoopContext, RealizedPrecision, RoundReport, RunOutcome } from './types.js';

export type { AssistLoopOptions, AssistLoopProgress, AssistLoopReport, ItemFailure, RealizedPrecision, RoundReport } from './types.js';

const EMPTY: AssistLoopReport = { featurized: 0, clustered: 0, trained: false, prelabeled: 0, failed: [] };

/** An item whose image `readImage` could not give, as data. */
function readFailure(item: ItemView, err: unknown): ItemFailure {
  return { item: item.index, code: LabelkitError.is(err) ? err.code : 'E_CORRUPT_IMAGE', reason: err instanceof Error ? err.message : String(err) };
}

export class AssistLoop {
  readonly project: Project;
  readonly assistant: Assistant;
  readonly cache: EmbeddingCache;
  readonly #options: AssistLoopOptions;
  /** What the rounds (classify.ts, detect-round.ts, realized.ts) use of this loop. */
  readonly #ctx: LoopContext;
  #loaded = false;
  #busy: Promise<AssistLoopReport> | undefined;
  #flags: AssistFlags | undefined;

  constructor(options: AssistLoopOptions) {
    this.#options = options;
    this.project = options.project;
    this.assistant = options.assistant;
    this.cache = new EmbeddingCache(options.project.store, options.project.id, options.featurizerKey ?? 'featurizer', options.chunkSize ?? 1024);
    this.#ctx = {
      project: this.project,
      assistant: this.assistant,
      cache: this.cache,
      options,
      record: (kind, params, signal, fn) => this.#record(kind, params, signal, fn),
      readImages: (items, failed, signal, onFailed) => this.#readImages(items, failed, signal, onFailed),
      hasRow: (item) => this.#row(item),
    };
  }

  /** Near-duplicate groups and likely-mislabeled items found after the last training round. */
  get flags(): AssistFlags | undefined {
    return this.#flags;
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
    const failed: ItemFailure[] = [];
    if (classification) {
      const f = await this.featurize({ signal });
      featurized = f.featurized;
      failed.push(...f.failed);
      if (this.project.assist.clustering) clustered = await this.#clusterIfDue(signal);
    }
    // Every step: prelabels (classes or boxes) the labeler accepted or corrected since are measured.
    const watched = await this.watchRealized({ signal });
    if (this.project.stats().labelsToNextRun !== 0) return { featurized, clustered, trained: false, prelabeled: 0, withdrawn: watched, failed };
    const r: RoundReport = classification ? await this.trainAndPrelabel({ signal }) : await this.detectAndPrelabel({ signal });
    if (r.flags) this.#flags = r.flags;
    return { featurized, clustered, trained: true, threshold: r.threshold, prelabeled: r.prelabeled, withdrawn: watched + r.withdrawn, failed: [...failed, ...r.failed] };
  }

  /** Featurizes every assistable item without a stored embedding, chunk by chunk. */
  async featurize(options: { signal?: AbortSignal } = {}): Promise<{ featurized: number; failed: ItemFailure[] }> {
    const signal = options.signal;
    if (!this.#loaded) {
      await this.cache.load(signal);
      this.#loaded = true;
    }
    const missing: ItemView[] = [];
    for (const item of this.project.items()) if (assistable(item) && !this.cache.has(item.index, item.etag)) missing.push(item);
    const failed: ItemFailure[] = [];
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
        const chunk = Math.floor(missing[i]!.index / chunkSize);
        const rows: { item: number; etag?: string; row: Float32Array }[] = [];
        for (; i < missing.length && Math.floor(missing[i]!.index / chunkSize) === chunk;) {
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
          for (const f of res.failed) {
            const item = ok[f.index];
            if (item) failed.push({ item: item.index, code: f.code, reason: f.reason });
          }
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
    failed: ItemFailure[],
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
        list.flatMap((it, i) => {
          const cluster = res.assignments[i];
          return cluster === undefined ? [] : [{ item: it.index, cluster }];
        }),
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
  trainAndPrelabel(options: { signal?: AbortSignal } = {}): Promise<RoundReport> {
    return classificationRound(this.#ctx, options.signal);
  }

  /**
   * Detection: runs the detector on labeled items to calibrate the box threshold (precision at
   * IoU ≥ 0.5 against the labeled boxes), then proposes boxes above it on todo items.
   */
  detectAndPrelabel(options: { signal?: AbortSignal } = {}): Promise<RoundReport> {
    return detectionRound(this.#ctx, options.signal);
  }

  /**
   * The realized precision in force: the recent checked prelabels (see `realizedWindow`) at or
   * above the current round's threshold, as raised by the watch.
   */
  realized(): (RealizedPrecision & { pairs: { confidence: number; correct: boolean }[] }) | undefined {
    return realizedOf(this.#ctx);
  }

  /**
   * Watches reality: when the prelabels labelers accepted or corrected this round are, with
   * `watchConfidence`, below the target precision, raises the threshold to where they did reach
   * it (withdrawing the prelabels under it) or, when nowhere, withdraws the round's prelabels.
   * Recorded as a validation run (`check: 'realized'`). Returns how many prelabels were withdrawn.
   */
  watchRealized(options: { signal?: AbortSignal } = {}): Promise<number> {
    return watchRound(this.#ctx, options.signal);
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
    const startedAt = this.project.now();
    try {
      const r = await fn(runId);
      const metrics = { ...r.metrics, device: r.device, ...Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [`${k}Ms`, v])) };
      // The device that really ran the step (training and validation are CPU code whatever the model device).
      await this.project.finishRun(runId, 'completed', { metrics, device: r.device });
      this.#options.onRun?.({ id: runId, kind, status: 'completed', device: r.device, startedAt, finishedAt: this.project.now(), timings: r.timings, metrics: r.metrics });
    } catch (err) {
      const cancelled = LabelkitError.is(err, 'E_ABORTED');
      await this.project.finishRun(runId, cancelled ? 'cancelled' : 'failed', { error: (err as Error).message }).catch(() => undefined);
      throw err;
    }
  }
}
