// The engine: onnxruntime-web sessions and the numerics, in whatever thread loads it (the
// assistant's Web Worker in browsers; the same thread in Node). Every call gets an id, so the
// main thread can abort it; work stops at the next batch or iteration.
import {
  type AssistCompute,
  type AssistDevice,
  type AssistFailure,
  type AssistHead,
  type AssistImage,
  ASSIST_DEVICES,
  type ClusterResult,
  type DetectResult,
  type FeaturizeResult,
  LabelkitError,
  type Matrix,
  type PredictResult,
  type TrainRequest,
  type TrainResult,
} from '@labelkit/core';
import { type AssignKernel, jsAssignKernel } from '../numerics/assign.js';
import { decodeYolox, nms } from '../numerics/detect.js';
import { predictHead } from '../numerics/head.js';
import { kmeans } from '../numerics/kmeans.js';
import { createOrtAssignKernel } from '../numerics/ort-assign.js';
import { type LoadedModel, type ModelRole, type OrtModule, type Progress, createModel, forBatches, runRecord } from './sessions.js';
import type { DetectorSpec, EngineConfig, FeaturizerSpec, ModelSpec } from './specs.js';
import { trainRequest } from './train.js';

export interface EngineInfo {
  readonly device: AssistDevice;
  /** WASM threads onnxruntime-web runs with. */
  readonly threads: number;
  /** Why 'auto' chose as it did, or which adapter WebGPU uses. */
  readonly note: string;
  readonly crossOriginIsolated: boolean;
}

export interface ClusterRequest {
  readonly k: number;
  readonly seed?: number;
  readonly maxIterations?: number;
}

export interface DetectRequest {
  readonly minScore?: number;
  readonly iou?: number;
}

const isNode = !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;

/**
 * A folder prefix becomes the path of the one .wasm file the chosen build loads, so the module's
 * own (bundled) glue code is used and no second .mjs is fetched. In Node the folder is passed as
 * it is: onnxruntime-web reads files from it and starts its threads from there.
 */
function wasmPathsFor(paths: NonNullable<EngineConfig['wasmPaths']>, device: AssistDevice): NonNullable<EngineConfig['wasmPaths']> {
  if (typeof paths !== 'string' || isNode) return paths;
  return { wasm: `${paths}${device === 'webgpu' ? 'ort-wasm-simd-threaded.asyncify.wasm' : 'ort-wasm-simd-threaded.wasm'}` };
}

function isolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

export class Engine {
  #config?: EngineConfig;
  #info?: EngineInfo;
  #ort?: OrtModule;
  #softwareAdapter = false;
  #models = new Map<ModelRole, Promise<LoadedModel>>();
  #kernels = new Map<string, Promise<AssignKernel>>();
  #calls = new Map<number, AbortController>();
  #disposed = false;

  /**
   * Chooses the device, loads onnxruntime-web for it and configures its WASM backend. `ortFiles`:
   * where the runtime files are when `config.wasmPaths` is not given (the built worker's own).
   */
  async init(config: EngineConfig, defaults: { ortFiles?: (device: AssistDevice) => { mjs: string; wasm: string } } = {}): Promise<EngineInfo> {
    if (this.#info) return this.#info;
    if (!ASSIST_DEVICES.includes(config.device)) {
      throw new LabelkitError('E_UNSUPPORTED_DEVICE', `Unknown device "${String(config.device)}". Supported devices: ${ASSIST_DEVICES.join(', ')}.`, {
        device: config.device,
        supported: [...ASSIST_DEVICES],
      });
    }
    this.#config = config;
    let device: AssistDevice = 'wasm';
    let note = 'WASM requested';
    if (config.device !== 'wasm') {
      const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<GPUAdapterLike | null> } } | undefined)?.gpu;
      const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
      if (adapter) {
        device = 'webgpu';
        const info = adapter.info ?? {};
        const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
        this.#softwareAdapter = info.isFallbackAdapter === true || /swiftshader/i.test(name);
        note = `WebGPU adapter: ${name}${this.#softwareAdapter ? ' (software)' : ''}`;
      } else if (config.device === 'webgpu') {
        throw new LabelkitError(
          'E_UNSUPPORTED_DEVICE',
          `WebGPU was requested but ${gpu ? 'no adapter is available' : 'this runtime has no navigator.gpu'}. Use device 'wasm' or 'auto'. Supported devices: ${ASSIST_DEVICES.join(', ')}.`,
          { device: 'webgpu' },
        );
      } else {
        note = gpu ? 'auto: no WebGPU adapter, using WASM' : 'auto: no WebGPU in this runtime, using WASM';
      }
    }
    // The WebGPU build carries the WASM (CPU) backend too; the WASM-only build is smaller.
    const ort: OrtModule = device === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
    const threads = config.threads ?? (isolated() ? Math.min(4, globalThis.navigator?.hardwareConcurrency || 2) : 1);
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.proxy = false;
    if (config.wasmPaths) ort.env.wasm.wasmPaths = wasmPathsFor(config.wasmPaths, device);
    else if (defaults.ortFiles) ort.env.wasm.wasmPaths = defaults.ortFiles(device);
    ort.env.logLevel = 'error';
    this.#ort = ort;
    this.#info = { device, threads, note, crossOriginIsolated: isolated() };
    return this.#info;
  }

  /** Aborts a call in flight (the main thread's AbortSignal fired). */
  abort(callId: number): void {
    this.#calls.get(callId)?.abort();
  }

  async featurize(callId: number, images: readonly AssistImage[], onProgress?: Progress): Promise<FeaturizeResult> {
    return this.#call(callId, async (signal) => {
      const startedAt = Date.now();
      const spec = this.#spec('featurizer') as FeaturizerSpec;
      const model = await this.#model('featurizer', signal);
      const timings = { session: model.createMs, decode: 0, preprocess: 0, inference: 0 };
      model.createMs = 0;
      const n = images.length;
      const failed: AssistFailure[] = [];
      let dim = 0;
      let data = new Float32Array(0);
      await forBatches(this.#ort!, model, spec, images, signal, timings, failed, onProgress, (out, rows, b) => {
        const per = out.length / b;
        if (!dim) {
          dim = per;
          data = new Float32Array(n * dim).fill(NaN);
        }
        for (const r of rows) data.set(out.subarray(r.slot * per, r.slot * per + per), r.index * dim);
      });
      if (spec.l2Normalize && dim) {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let p = 0; p < dim; p++) s += data[i * dim + p]! * data[i * dim + p]!;
          if (s > 0) {
            const inv = 1 / Math.sqrt(s);
            for (let p = 0; p < dim; p++) data[i * dim + p]! *= inv;
          }
        }
      }
      return {
        embeddings: { rows: n, cols: dim, data },
        failed,
        run: runRecord('featurization', model.device, startedAt, timings, {
          images: n,
          failed: failed.length,
          dim,
          batch: model.batch,
          threads: this.#info!.threads,
          perImageMs: n - failed.length ? Math.round((timings.inference / (n - failed.length)) * 1000) / 1000 : null,
        }),
      };
    });
  }

  async detect(callId: number, images: readonly AssistImage[], request: DetectRequest = {}, onProgress?: Progress): Promise<DetectResult> {
    return this.#call(callId, async (signal) => {
      const startedAt = Date.now();
      const spec = this.#spec('detector') as DetectorSpec;
      const model = await this.#model('detector', signal);
      const timings = { session: model.createMs, decode: 0, preprocess: 0, inference: 0, postprocess: 0 };
      model.createMs = 0;
      const failed: AssistFailure[] = [];
      const detections: AssistDetectionList[] = images.map(() => []);
      let boxes = 0;
      await forBatches(this.#ort!, model, spec, images, signal, timings, failed, onProgress, (out, rows, b) => {
        const t = performance.now();
        const per = out.length / b;
        for (const r of rows) {
          const decoded = decodeYolox(out.subarray(r.slot * per, r.slot * per + per), {
            inputWidth: spec.preprocess.width,
            inputHeight: spec.preprocess.height,
            strides: spec.strides,
            minScore: request.minScore,
            placement: r.placement,
          });
          const kept = nms(decoded, request.iou ?? 0.45);
          detections[r.index] = kept;
          boxes += kept.length;
        }
        timings.postprocess += performance.now() - t;
      });
      return {
        detections,
        failed,
        run: runRecord('detection', model.device, startedAt, timings, { images: images.length, failed: failed.length, boxes, threads: this.#info!.threads }),
      };
    });
  }

  async cluster(callId: number, embeddings: Matrix, request: ClusterRequest): Promise<ClusterResult> {
    return this.#call(callId, async (signal) => {
      const startedAt = Date.now();
      const kernel = await this.#kernel(embeddings.rows, embeddings.cols, request.k);
      const r = await kmeans(embeddings.data, embeddings.rows, embeddings.cols, { k: request.k, seed: request.seed, maxIterations: request.maxIterations, kernel, signal });
      const device: AssistCompute = kernel === jsAssignKernel ? 'cpu' : (kernel.name as AssistDevice);
      return {
        assignments: r.assignments,
        centers: { rows: request.k, cols: embeddings.cols, data: r.centers },
        inertia: r.inertia,
        iterations: r.iterations,
        run: runRecord(
          'clustering',
          device,
          startedAt,
          { seed: r.seedMs, iterate: r.iterateMs },
          { rows: embeddings.rows, dim: embeddings.cols, k: request.k, iterations: r.iterations, converged: r.converged, inertia: r.inertia, kernel: r.kernel },
        ),
      };
    });
  }

  async train(callId: number, embeddings: Matrix, request: TrainRequest): Promise<TrainResult> {
    return this.#call(callId, async (signal) => {
      const { head, threshold, training, validation, unlabeled } = await trainRequest(embeddings, request, signal);
      return { head, threshold: threshold.threshold, training, validation, ...(unlabeled ? { unlabeled } : {}) };
    });
  }

  async predict(callId: number, head: AssistHead, embeddings: Matrix): Promise<PredictResult> {
    return this.#call(callId, async () => {
      const startedAt = Date.now();
      const t = performance.now();
      if (embeddings.cols !== head.dim) throw new LabelkitError('E_INVALID_ARGUMENT', `The head expects ${head.dim}-wide embeddings, not ${embeddings.cols}.`);
      const probs = predictHead(head, embeddings.data, embeddings.rows);
      return {
        probabilities: { rows: embeddings.rows, cols: head.classes, data: probs },
        run: runRecord('inference', 'cpu', startedAt, { predict: performance.now() - t }, { rows: embeddings.rows, classes: head.classes }),
      };
    });
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    for (const c of this.#calls.values()) c.abort();
    for (const m of this.#models.values()) await m.then((x) => x.session.release()).catch(() => undefined);
    for (const k of this.#kernels.values()) await k.then((x) => x.dispose?.()).catch(() => undefined);
    this.#models.clear();
    this.#kernels.clear();
  }

  // ─────────────────────────────── internals ───────────────────────────────

  async #call<T>(callId: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#disposed) throw new LabelkitError('E_ABORTED', 'The assistant was disposed; create a new one.');
    if (!this.#info) throw new LabelkitError('E_INVALID_ARGUMENT', 'The engine was not initialised (call init first).');
    const controller = new AbortController();
    this.#calls.set(callId, controller);
    try {
      return await fn(controller.signal);
    } finally {
      this.#calls.delete(callId);
    }
  }

  #spec(role: ModelRole): ModelSpec {
    const spec = this.#config!.models[role];
    if (!spec) throw new LabelkitError('E_MODEL', `No ${role} model was given to createAssistant({ models: { ${role}: … } }).`, { role });
    return spec;
  }

  #model(role: ModelRole, signal: AbortSignal): Promise<LoadedModel> {
    let p = this.#models.get(role);
    if (!p) {
      p = createModel(this.#ort!, role, this.#spec(role), { device: this.#info!.device, requested: this.#config!.device }, signal);
      this.#models.set(role, p);
      p.catch(() => this.#models.delete(role));
    }
    return p;
  }

  #kernel(rows: number, cols: number, k: number): Promise<AssignKernel> {
    const pref = this.#config!.kmeansKernel ?? 'auto';
    let choice = pref;
    if (pref === 'auto') {
      const work = rows * cols * k;
      if (this.#info!.device === 'webgpu' && !this.#softwareAdapter && work >= 5e8) choice = 'webgpu';
      else if (work >= 2e7) choice = 'wasm';
      else choice = 'js';
    }
    if (choice === 'js') return Promise.resolve(jsAssignKernel);
    if (choice === 'webgpu' && this.#info!.device !== 'webgpu') {
      return Promise.reject(new LabelkitError('E_UNSUPPORTED_DEVICE', 'The WebGPU k-means kernel needs the WebGPU device.', { kernel: choice }));
    }
    let p = this.#kernels.get(choice);
    if (!p) {
      p = createOrtAssignKernel(this.#ort!, choice as 'wasm' | 'webgpu');
      this.#kernels.set(choice, p);
      p.catch(() => this.#kernels.delete(choice));
    }
    return p;
  }
}

type AssistDetectionList = DetectResult['detections'][number];

interface GPUAdapterLike {
  readonly info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}
