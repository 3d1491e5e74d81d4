// createAssistant: the main-thread side. One Web Worker, spawned on the first call, runs the
// engine behind comlink; buffers go over transferred; every call can be aborted.
import {
  ASSIST_DEVICES,
  type AssistCallOptions,
  type AssistDevice,
  type AssistDeviceRequest,
  type AssistHead,
  type AssistImage,
  type Assistant,
  type ClusterOptions,
  type ClusterResult,
  type DetectOptions,
  type DetectResult,
  type FeaturizeResult,
  LabelkitError,
  type Matrix,
  type PredictResult,
  type TrainRequest,
  type TrainResult,
  throwIfAborted,
} from '@labelkit/core';
import * as Comlink from 'comlink';
import type { EngineInfo } from './engine/engine.js';
import { installErrorTransfer } from './engine/rpc.js';
import type { EngineConfig } from './engine/specs.js';
import type { WorkerApi } from './worker.js';

export interface AssistantOptions extends Omit<EngineConfig, 'device'> {
  /** 'auto' (default): WebGPU when `navigator.gpu.requestAdapter()` gives an adapter, else WASM. */
  readonly device?: AssistDeviceRequest;
  /**
   * Makes the worker. Default: `new Worker(new URL('./labelkit/ml-worker.js', import.meta.url), { type: 'module' })`,
   * the self-contained worker shipped in dist/labelkit/ (Vite and webpack follow that pattern; with
   * esbuild or Rollup, copy dist/labelkit/ beside your bundle: docs/bundlers.md). A worker that does
   * not start (a 404, a CSP) rejects the call with `E_WORKER_FAILED`.
   */
  readonly worker?: () => Worker;
  /**
   * Run the engine in this thread instead of a worker: for Node and tests. Default: only when the
   * runtime has no `Worker`.
   */
  readonly inProcess?: boolean;
}

/** The assistant createAssistant returns: the core `Assistant` port, plus what the engine chose. */
export interface MlAssistant extends Assistant {
  /** Device, threads and why (starts the worker if needed). */
  info(options?: { signal?: AbortSignal }): Promise<EngineInfo>;
}

type Api = { [K in keyof WorkerApi]: (...args: Parameters<WorkerApi[K]>) => Promise<Awaited<ReturnType<WorkerApi[K]>>> };

function workerFailed(reason: string, cause?: unknown): LabelkitError {
  return new LabelkitError(
    'E_WORKER_FAILED',
    `The ML assist worker could not start or stopped (${reason}). Serve the worker and onnxruntime-web files your bundler emitted ` +
      `(or copy @labelkit/ml/dist/labelkit/ beside your bundle: docs/bundlers.md) and allow them with worker-src 'self' and 'wasm-unsafe-eval'.`,
    { reason },
    cause === undefined ? undefined : { cause },
  );
}

function aborted(signal: AbortSignal): LabelkitError {
  return new LabelkitError('E_ABORTED', 'The operation was cancelled.', {}, { cause: signal.reason });
}

/** The ArrayBuffers of views that span their whole buffer (others are copied), without repeats. */
function transferables(views: readonly (ArrayBufferView | ImageBitmap | undefined)[]): Transferable[] {
  const out = new Set<Transferable>();
  for (const v of views) {
    if (!v) continue;
    if (typeof ImageBitmap !== 'undefined' && v instanceof ImageBitmap) out.add(v);
    else if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.add(v.buffer);
  }
  return [...out];
}

function imageViews(images: readonly AssistImage[]): (ArrayBufferView | ImageBitmap | undefined)[] {
  return images.map((img) => {
    if (typeof ImageBitmap !== 'undefined' && (img as unknown) instanceof ImageBitmap) return img as unknown as ImageBitmap;
    return 'bytes' in img ? img.bytes : img.data;
  });
}

class WorkerAssistant implements MlAssistant {
  readonly requestedDevice: AssistDeviceRequest;
  #options: AssistantOptions;
  #started?: Promise<{ api: Api; info: EngineInfo }>;
  #worker?: Worker;
  #seq = 0;
  #disposed = false;

  constructor(options: AssistantOptions) {
    this.requestedDevice = options.device ?? 'auto';
    this.#options = options;
  }

  info(options: { signal?: AbortSignal } = {}): Promise<EngineInfo> {
    throwIfAborted(options.signal);
    return this.#start().then((s) => s.info);
  }

  async device(options: { signal?: AbortSignal } = {}): Promise<AssistDevice> {
    return (await this.info(options)).device;
  }

  featurize(images: readonly AssistImage[], options: AssistCallOptions = {}): Promise<FeaturizeResult> {
    return this.#invoke(options.signal, (api, id) =>
      api.featurize(id, Comlink.transfer(images, transferables(imageViews(images))), options.onProgress && Comlink.proxy(options.onProgress)),
    );
  }

  detect(images: readonly AssistImage[], options: DetectOptions = {}): Promise<DetectResult> {
    return this.#invoke(options.signal, (api, id) =>
      api.detect(
        id,
        Comlink.transfer(images, transferables(imageViews(images))),
        { minScore: options.minScore, iou: options.iou },
        options.onProgress && Comlink.proxy(options.onProgress),
      ),
    );
  }

  cluster(embeddings: Matrix, options: ClusterOptions): Promise<ClusterResult> {
    return this.#invoke(options.signal, (api, id) =>
      api.cluster(id, Comlink.transfer(embeddings, transferables([embeddings.data])), { k: options.k, seed: options.seed, maxIterations: options.maxIterations }),
    );
  }

  train(embeddings: Matrix, request: TrainRequest, options: AssistCallOptions = {}): Promise<TrainResult> {
    const unlabeled = request.unlabeled?.data;
    return this.#invoke(options.signal, (api, id) =>
      api.train(id, Comlink.transfer(embeddings, transferables([embeddings.data])), unlabeled ? Comlink.transfer(request, transferables([unlabeled])) : request),
    );
  }

  predict(head: AssistHead, embeddings: Matrix, options: AssistCallOptions = {}): Promise<PredictResult> {
    return this.#invoke(options.signal, (api, id) => api.predict(id, head, Comlink.transfer(embeddings, transferables([embeddings.data]))));
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    const started = this.#started;
    if (!started) return;
    try {
      const { api } = await started;
      await api.dispose();
    } catch {
      // A worker that failed to start has nothing to free.
    } finally {
      this.#worker?.terminate();
      this.#worker = undefined;
    }
  }

  #start(): Promise<{ api: Api; info: EngineInfo }> {
    if (this.#disposed) return Promise.reject(new LabelkitError('E_ABORTED', 'The assistant was disposed; create a new one.'));
    if (!this.#started) {
      this.#started = this.#spawn();
      this.#started.catch(() => {
        this.#worker?.terminate();
        this.#worker = undefined;
        this.#started = undefined;
      });
    }
    return this.#started;
  }

  async #spawn(): Promise<{ api: Api; info: EngineInfo }> {
    const { worker: makeWorker, inProcess, ...config } = this.#options;
    const engineConfig: EngineConfig = { ...config, device: this.requestedDevice };
    let api: Api;
    if (inProcess ?? typeof Worker === 'undefined') {
      const { Engine } = await import('./engine/engine.js');
      api = new Engine() as unknown as Api;
    } else {
      installErrorTransfer();
      let worker: Worker;
      try {
        // Sources: src/worker.ts; the package build points this at dist/labelkit/ml-worker.js.
        worker = makeWorker ? makeWorker() : new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'labelkit-ml' });
      } catch (err) {
        throw workerFailed((err as Error)?.message ?? String(err), err);
      }
      this.#worker = worker;
      // Comlink never hears of a worker whose script failed to load (a 404, a CSP, a bundler that
      // did not emit it): without this, init — and every call, and AssistLoop.step — waits forever.
      let loaded = () => {};
      const failed = new Promise<never>((_, reject) => {
        const onError = (ev: ErrorEvent) => {
          ev.preventDefault?.();
          reject(workerFailed(ev.message || 'its script did not load', ev.error));
        };
        worker.addEventListener('error', onError, { once: true });
        loaded = () => worker.removeEventListener('error', onError);
      });
      failed.catch(() => undefined);
      api = Comlink.wrap<WorkerApi>(worker) as unknown as Api;
      const info = await Promise.race([api.init(engineConfig), failed]);
      loaded();
      return { api, info };
    }
    const info = await api.init(engineConfig);
    return { api, info };
  }

  async #invoke<T>(signal: AbortSignal | undefined, call: (api: Api, id: number) => Promise<T>): Promise<T> {
    throwIfAborted(signal);
    const { api } = await this.#start();
    throwIfAborted(signal);
    const id = ++this.#seq;
    if (!signal) return call(api, id);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        void Promise.resolve(api.abort(id)).catch(() => undefined);
        reject(aborted(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      call(api, id)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

/**
 * Creates the ML assistant. Nothing loads until the first call: then one module Web Worker starts,
 * picks the device, and loads onnxruntime-web and the models lazily.
 *
 * An unknown device is rejected at once with `E_UNSUPPORTED_DEVICE`, naming the supported ones.
 */
export function createAssistant(options: AssistantOptions): MlAssistant {
  const device = options.device ?? 'auto';
  if (!ASSIST_DEVICES.includes(device)) {
    throw new LabelkitError('E_UNSUPPORTED_DEVICE', `Unknown device "${String(device)}". Supported devices: ${ASSIST_DEVICES.join(', ')}.`, {
      device,
      supported: [...ASSIST_DEVICES],
    });
  }
  if (!options.models || (!options.models.featurizer && !options.models.detector)) {
    throw new LabelkitError('E_INVALID_ARGUMENT', 'createAssistant needs models: { featurizer } for classification assist and/or { detector } for object detection.');
  }
  return new WorkerAssistant(options);
}
