// Featurize a whole project outside the browser: a batch job (Node, a GPU box) runs the featurizer
// on onnxruntime-node — the CUDA execution provider when it loads, the CPU one otherwise — and
// fills the same embeddings cache in the project's store that AssistLoop reads, so labelers'
// browsers find every row computed and go straight to clustering and training.
//
// onnxruntime-node is not a dependency of this package (its install script downloads CUDA
// libraries): the caller passes the module it installed, `await import('onnxruntime-node')`. Any
// module with onnxruntime-common's API works (onnxruntime-web too).
import { type AssistFailure, type AssistImage, type ItemView, LabelkitError, type Project, throwIfAborted } from '@labelkit/core';
import type * as Ort from 'onnxruntime-web';
import { cutModel } from './onnx/model.js';
import { type LoadedModel, forBatches } from './engine/sessions.js';
import type { FeaturizerSpec } from './engine/specs.js';
import { assistable } from './assist/assistable.js';
import { EmbeddingCache } from './assist/embedding-cache.js';

export interface BatchFeaturizeOptions {
  /** The onnxruntime module (`await import('onnxruntime-node')`). */
  readonly ort: typeof Ort;
  readonly featurizer: FeaturizerSpec & { readonly source: Uint8Array };
  /** The item's image, decoded (`{ width, height, channels, data }`); Node has no image decoder built in. */
  readonly readImage: (item: ItemView, signal?: AbortSignal) => Promise<AssistImage>;
  /** The cache's model key, as the labelers' AssistLoop names it (default 'featurizer'). */
  readonly featurizerKey?: string;
  /** Execution providers to try in order (default ['cuda', 'cpu']: CUDA when it loads). */
  readonly executionProviders?: readonly string[];
  /** Images per run (default 32; a model with a fixed batch dimension uses its own). */
  readonly batch?: number;
  /** Items per stored chunk; the same as the loop's (default 1024). */
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { done: number; total: number }) => void;
}

export interface BatchFeaturizeResult {
  readonly featurized: number;
  readonly failed: readonly (AssistFailure & { item: number })[];
  /** The execution provider that ran (recorded on the run too). */
  readonly device: string;
  readonly ms: number;
}

/** Featurizes every assistable item without a cached row, chunk by chunk (a stop keeps every chunk written). */
export async function featurizeProject(project: Project, o: BatchFeaturizeOptions): Promise<BatchFeaturizeResult> {
  const t0 = performance.now();
  const signal = o.signal ?? new AbortController().signal;
  const cache = new EmbeddingCache(project.store, project.id, o.featurizerKey ?? 'featurizer', o.chunkSize ?? 1024);
  await cache.load(signal);
  const missing = [...project.items()].filter((it) => assistable(it) && !cache.has(it.index, it.etag));
  const { session, device } = await openSession(o);
  const failed: (AssistFailure & { item: number })[] = [];
  if (!missing.length) {
    await session.release();
    return { featurized: 0, failed, device, ms: performance.now() - t0 };
  }
  const output = session.outputNames[0]!;
  const meta = (session.inputMetadata as readonly { name: string; isTensor: boolean; shape?: readonly (number | string)[] }[] | undefined)?.[0];
  const dim0 = meta?.isTensor ? meta.shape?.[0] : undefined;
  const fixedBatch = typeof dim0 === 'number' && dim0 > 0;
  const model: LoadedModel = {
    session,
    device: device as LoadedModel['device'],
    input: o.featurizer.input ?? session.inputNames[0]!,
    output,
    batch: fixedBatch ? (dim0 as number) : Math.max(1, o.batch ?? 32),
    fixedBatch,
    createMs: 0,
  };
  const run = await project.startRun('featurization', { device, params: { items: missing.length, batch: true } });
  const timings = { decode: 0, preprocess: 0, inference: 0 };
  let done = 0;
  try {
    const chunkSize = cache.chunkSize;
    for (let i = 0; i < missing.length;) {
      const chunk = Math.floor(missing[i]!.index / chunkSize);
      let j = i;
      while (j < missing.length && Math.floor(missing[j]!.index / chunkSize) === chunk) j++;
      const items = missing.slice(i, j);
      i = j;
      const images: AssistImage[] = [];
      const ok: ItemView[] = [];
      for (const it of items) {
        try {
          images.push(await o.readImage(it, signal));
          ok.push(it);
        } catch (err) {
          throwIfAborted(signal);
          failed.push({ item: it.index, index: failed.length, code: LabelkitError.is(err) ? err.code : 'E_CORRUPT_IMAGE', reason: (err as Error).message });
        }
      }
      const rows: { item: number; etag?: string; row: Float32Array }[] = [];
      const bad: AssistFailure[] = [];
      await forBatches(o.ort, model, o.featurizer, images, signal, timings, bad, undefined, (out, slots, b) => {
        const per = out.length / b;
        for (const s of slots)
          rows.push({ item: ok[s.index]!.index, etag: ok[s.index]!.etag, row: normalized(out.slice(s.slot * per, s.slot * per + per), o.featurizer.l2Normalize) });
      });
      for (const f of bad) failed.push({ ...f, item: ok[f.index]!.index });
      await cache.put(rows, signal);
      done += items.length;
      o.onProgress?.({ done, total: missing.length });
    }
    const ms = performance.now() - t0;
    await project.finishRun(run, 'completed', {
      device,
      metrics: { items: done, failed: failed.length, dim: cache.dim, ...Object.fromEntries(Object.entries(timings).map(([k, v]) => [`${k}Ms`, Math.round(v)])) },
    });
    return { featurized: done - failed.length, failed, device, ms };
  } catch (err) {
    await project.finishRun(run, LabelkitError.is(err, 'E_ABORTED') ? 'cancelled' : 'failed', { error: (err as Error).message }).catch(() => undefined);
    throw err;
  } finally {
    await session.release();
  }
}

/** The featurizer cut at its embedding, on the first execution provider that loads it. */
async function openSession(o: BatchFeaturizeOptions): Promise<{ session: Ort.InferenceSession; device: string }> {
  let bytes = o.featurizer.source;
  const emb = o.featurizer.embedding;
  if (emb) bytes = cutModel(bytes, { outputs: [{ tensor: emb.tensor, pool: emb.pool }] }).bytes;
  const errors: string[] = [];
  for (const ep of o.executionProviders ?? ['cuda', 'cpu']) {
    try {
      return { session: await o.ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' }), device: ep };
    } catch (err) {
      errors.push(`${ep}: ${(err as Error).message}`);
    }
  }
  throw new LabelkitError('E_MODEL', `The featurizer could not be loaded on any execution provider (${errors.join('; ')}).`, { errors });
}

function normalized(row: Float32Array, l2?: boolean): Float32Array {
  if (!l2) return row;
  let s = 0;
  for (const v of row) s += v * v;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let p = 0; p < row.length; p++) row[p]! *= inv;
  }
  return row;
}
