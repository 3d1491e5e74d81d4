// Model sessions: loading a model (cut at its embedding when asked) into onnxruntime-web, and
// running images through it batch by batch. Used by the engine (engine.ts).
import {
  type AssistCompute,
  type AssistDevice,
  type AssistFailure,
  type AssistImage,
  type AssistProgress,
  type AssistRun,
  LabelkitError,
  type RunKind,
  throwIfAborted,
} from '@labelkit/core';
import type * as Ort from 'onnxruntime-web';
import { cutModel } from '../onnx/model.js';
import { type Placement, inputChannels, inputSize, preprocessInto } from '../preprocess.js';
import { decodeImage } from './decode.js';
import type { DetectorSpec, EngineConfig, FeaturizerSpec, ModelSpec } from './specs.js';

export type OrtModule = typeof Ort;
export type ModelRole = 'featurizer' | 'detector';
export type Progress = ((p: AssistProgress) => void) | undefined;

export interface LoadedModel {
  readonly session: Ort.InferenceSession;
  readonly device: AssistDevice;
  readonly input: string;
  readonly output: string;
  readonly batch: number;
  readonly fixedBatch: boolean;
  /** Session creation time, reported by the first run that uses the model. */
  createMs: number;
}

/** A completed run's record, timings rounded to 0.1 ms. */
export function runRecord(kind: RunKind, device: AssistCompute, startedAt: number, timings: Record<string, number>, metrics: AssistRun['metrics']): AssistRun {
  const rounded: Record<string, number> = {};
  for (const [k, v] of Object.entries(timings)) rounded[k] = Math.round(v * 10) / 10;
  return { kind, status: 'completed', device, startedAt, finishedAt: Date.now(), timings: rounded, metrics };
}

/** An image that could not be processed, as data. */
export function failure(index: number, err: unknown): AssistFailure {
  const code = LabelkitError.is(err) ? err.code : 'E_CORRUPT_IMAGE';
  return { index, code, reason: err instanceof Error ? err.message : String(err) };
}

async function loadBytes(source: ModelSpec['source'], signal: AbortSignal): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof source !== 'string') throw new LabelkitError('E_MODEL', 'A model source is bytes (Uint8Array/ArrayBuffer) or a URL string.');
  let res: Response;
  try {
    res = await fetch(source, { signal });
  } catch (err) {
    throwIfAborted(signal);
    throw new LabelkitError('E_MODEL', `The model could not be fetched from ${source} (${(err as Error).message}).`, { url: source }, { cause: err });
  }
  if (!res.ok) throw new LabelkitError('E_MODEL', `The model could not be fetched from ${source} (HTTP ${res.status}).`, { url: source, status: res.status });
  return new Uint8Array(await res.arrayBuffer());
}

export async function createModel(
  ort: OrtModule,
  role: ModelRole,
  spec: ModelSpec,
  on: { device: AssistDevice; requested: EngineConfig['device'] },
  signal: AbortSignal,
): Promise<LoadedModel> {
  const t0 = performance.now();
  let bytes = await loadBytes(spec.source, signal);
  let output: string | undefined;
  if (role === 'featurizer') {
    const emb = (spec as FeaturizerSpec).embedding;
    if (emb) {
      const cut = cutModel(bytes, { outputs: [{ tensor: emb.tensor, pool: emb.pool }] });
      bytes = cut.bytes;
      output = cut.exposed[0];
    }
  } else {
    output = (spec as DetectorSpec).output;
  }
  let device = on.device;
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: [device], graphOptimizationLevel: 'all' });
  } catch (err) {
    if (device !== 'webgpu' || on.requested !== 'auto') {
      throw new LabelkitError('E_MODEL', `The ${role} model could not be loaded on ${device}: ${(err as Error).message}`, { role, device }, { cause: err });
    }
    // 'auto' on a WebGPU that cannot run this model: fall back to the WASM backend.
    device = 'wasm';
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  }
  const input = spec.input ?? session.inputNames[0];
  if (input === undefined || !session.inputNames.includes(input))
    throw new LabelkitError('E_MODEL', `The ${role} model has no input "${input}" (it has ${session.inputNames.join(', ')}).`);
  output ??= session.outputNames[0];
  if (output === undefined || !session.outputNames.includes(output))
    throw new LabelkitError('E_MODEL', `The ${role} model has no output "${output}" (it has ${session.outputNames.join(', ')}).`);
  const meta = (session.inputMetadata as readonly { name: string; isTensor: boolean; shape?: readonly (number | string)[] }[] | undefined)?.find((m) => m.name === input);
  const dim0 = meta?.isTensor ? meta.shape?.[0] : undefined;
  const fixedBatch = typeof dim0 === 'number' && dim0 > 0;
  const batch = fixedBatch ? (dim0 as number) : Math.max(1, spec.batch ?? 8);
  return { session, device, input, output, batch, fixedBatch, createMs: performance.now() - t0 };
}

/** Decodes, preprocesses and runs images batch by batch; `take` reads each batch's output. */
export async function forBatches(
  ort: OrtModule,
  model: LoadedModel,
  spec: ModelSpec,
  images: readonly AssistImage[],
  signal: AbortSignal,
  timings: { decode: number; preprocess: number; inference: number },
  failed: AssistFailure[],
  onProgress: Progress,
  take: (out: Float32Array, rows: { index: number; slot: number; placement: Placement }[], batch: number) => void,
): Promise<void> {
  const p = spec.preprocess;
  const per = inputSize(p);
  const dims = p.layout === 'NHWC' ? [p.height, p.width, inputChannels(p)] : [inputChannels(p), p.height, p.width];
  const n = images.length;
  for (let start = 0; start < n; start += model.batch) {
    throwIfAborted(signal);
    const count = Math.min(model.batch, n - start);
    const b = model.fixedBatch ? model.batch : count;
    const buf = new Float32Array(b * per);
    const rows: { index: number; slot: number; placement: Placement }[] = [];
    for (let s = 0; s < count; s++) {
      const index = start + s;
      try {
        let t = performance.now();
        const px = await decodeImage(images[index]!);
        timings.decode += performance.now() - t;
        t = performance.now();
        const placement = preprocessInto(px, p, buf, s * per);
        timings.preprocess += performance.now() - t;
        rows.push({ index, slot: s, placement });
      } catch (err) {
        failed.push(failure(index, err));
      }
    }
    if (rows.length) {
      const t = performance.now();
      const result = await model.session.run({ [model.input]: new ort.Tensor('float32', buf, [b, ...dims]) }, [model.output]);
      const out = result[model.output];
      if (!out) throw new LabelkitError('E_MODEL', `The model returned no output "${model.output}".`);
      timings.inference += performance.now() - t;
      take(out.data as Float32Array, rows, b);
      out.dispose();
    }
    onProgress?.({ done: start + count, total: n });
  }
}
