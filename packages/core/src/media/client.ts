// decodeImage: where each format decodes. JPEG/PNG/BMP use the browser's decoder (createImageBitmap,
// which decodes off the main thread itself); TIFF and DICOM go to a worker that this module spawns
// lazily in a page; in workers and Node everything decodes in-process.
import { LabelkitError, throwIfAborted } from '../errors.js';
import { decodeInProcess } from './decode-core.js';
import { asBytes, requireFormat } from './sniff.js';
import type { DecodedImage, DecodeOptions } from './types.js';
import type { WorkerRequest, WorkerResponse } from './worker-protocol.js';
import { jpeg2000WasmUrl } from './codecs/j2k-config.js';

export interface MediaWorkerConfig {
  /** Makes the worker. Default: a module worker on the media layer's own worker script. */
  readonly factory?: () => Worker;
  /** false: never use a worker (decode on the calling thread). */
  readonly enabled?: boolean;
  /** Milliseconds a worker may sit idle before it is terminated (default 60 s; 0 keeps it). */
  readonly idleMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

interface Job {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly options: DecodeOptions;
  readonly resolve: (image: DecodedImage) => void;
  readonly reject: (err: unknown) => void;
  timer?: ReturnType<typeof setTimeout>;
  onAbort?: () => void;
}

let config: MediaWorkerConfig = {};
let worker: Worker | undefined;
let workerBroken = false;
let brokenReason = '';
let workerAnswered = false;
let running: Job | undefined;
const queue: Job[] = [];
let nextId = 1;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let spawned = 0;

/** Diagnostics: how many workers were spawned, whether one is running, and whether workers were given up on. */
export function mediaWorkerInfo(): { spawned: number; alive: boolean; broken: boolean; reason?: string; queued: number } {
  return { spawned, alive: !!worker, broken: workerBroken, ...(workerBroken ? { reason: brokenReason } : {}), queued: queue.length + (running ? 1 : 0) };
}

/**
 * Sets how the media worker is made (e.g. a bundler-specific `new Worker(new URL(...))`), or turns it
 * off (`enabled: false`: TIFF/DICOM decode on the calling thread — the documented opt-in, never a
 * silent fallback). Also clears a failed start, so the next decode tries a worker again.
 */
export function configureMediaWorker(next: MediaWorkerConfig): void {
  config = { ...config, ...next };
  workerBroken = false;
  terminateMediaWorker();
}

/** Terminates the media worker (it is spawned again on the next TIFF/DICOM decode). Pending decodes fail with E_ABORTED. */
export function terminateMediaWorker(): void {
  if (worker) {
    worker.terminate();
    worker = undefined;
  }
  if (idleTimer) clearTimeout(idleTimer);
  const all = running ? [running, ...queue.splice(0)] : queue.splice(0);
  running = undefined;
  for (const job of all) finish(job, undefined, new LabelkitError('E_ABORTED', 'The media worker was stopped before the image was decoded.'));
}

function defaultFactory(): Worker {
  // The one pattern every bundler follows (Vite, webpack 5) and that works unbundled: a literal
  // `new URL(…, import.meta.url)` inside `new Worker(…)`. In the sources it names src/media/worker.ts
  // (dev servers and tests that serve .ts); the package build rewrites it to the self-contained
  // worker it ships, dist/labelkit/media-worker.js (all decoders bundled in, no imports left).
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'labelkit-media' });
}

/** The error every TIFF/DICOM decode gets while the worker cannot start (see configureMediaWorker). */
function workerFailed(reason: string, cause?: unknown): LabelkitError {
  return new LabelkitError(
    'E_WORKER_FAILED',
    `The media worker could not start (${reason}), so TIFF and DICOM images cannot be decoded. Serve the worker file your bundler emitted ` +
      `(or copy @labelkit/core/dist/labelkit/ beside your bundle: docs/bundlers.md), allow it with worker-src 'self', ` +
      `or opt in to decoding on the main thread with configureMediaWorker({ enabled: false }).`,
    { reason },
    cause === undefined ? undefined : { cause },
  );
}

function inPage(): boolean {
  return typeof window !== 'undefined' && typeof document !== 'undefined' && typeof Worker === 'function';
}

function finish(job: Job, image: DecodedImage | undefined, err?: unknown): void {
  if (job.timer) clearTimeout(job.timer);
  if (job.onAbort) job.options.signal?.removeEventListener('abort', job.onAbort);
  if (err !== undefined) job.reject(err);
  else job.resolve(image!);
}

function spawn(): Worker {
  const w = (config.factory ?? defaultFactory)();
  spawned++;
  workerAnswered = false;
  w.onmessage = (ev: MessageEvent<WorkerResponse | { ready: true }>) => {
    workerAnswered = true;
    if ('ready' in ev.data) return;
    const job = running;
    if (!job || ev.data.id !== job.id) return;
    running = undefined;
    const res = ev.data;
    if (res.ok) finish(job, res.image);
    else finish(job, undefined, new LabelkitError(res.error.code as never, res.error.message, res.error.details));
    pump();
  };
  w.onerror = (ev: ErrorEvent) => {
    ev.preventDefault?.();
    const job = running;
    running = undefined;
    w.terminate();
    if (worker === w) worker = undefined;
    if (!workerAnswered) {
      // The worker never came up (its script did not load: a bundler that did not emit it, a CSP,
      // a 404…). That is not a bad file and is never hidden by decoding here instead: this job and
      // every queued one fail with E_WORKER_FAILED, and so do later ones until configureMediaWorker
      // is called (main-thread decoding is an explicit opt-in: { enabled: false }).
      brokenReason = ev.message || 'its script did not load';
      workerBroken = true;
      const pending = job ? [job, ...queue.splice(0)] : queue.splice(0);
      for (const j of pending) finish(j, undefined, workerFailed(brokenReason, ev.error));
      return;
    }
    if (job) finish(job, undefined, new LabelkitError('E_CORRUPT_IMAGE', `Decoding crashed the media worker (${ev.message || 'no message'}); the file is probably corrupt.`));
    pump();
  };
  return w;
}

function pump(): void {
  if (running || !queue.length) {
    if (!running && !queue.length && worker && (config.idleMs ?? 60_000) > 0) {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        if (!running && !queue.length) terminateMediaWorker();
      }, config.idleMs ?? 60_000);
    }
    return;
  }
  if (idleTimer) clearTimeout(idleTimer);
  const job = queue.shift()!;
  running = job;
  if (!worker) {
    try {
      worker = spawn();
    } catch (err) {
      // new Worker() itself threw (a URL the page may not load, a worker-src the CSP refuses…).
      running = undefined;
      brokenReason = (err as Error)?.message ?? String(err);
      workerBroken = true;
      for (const j of [job, ...queue.splice(0)]) finish(j, undefined, workerFailed(brokenReason, err));
      return;
    }
  }
  const { signal, ...rest } = job.options;
  const copy = job.bytes.slice();
  const wasm = jpeg2000WasmUrl();
  const req: WorkerRequest = { id: job.id, bytes: copy.buffer as ArrayBuffer, options: rest, codecs: wasm === undefined ? {} : { jpeg2000WasmUrl: wasm } };
  const timeout = job.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  job.timer = setTimeout(() => {
    // A decode that does not finish is treated as a broken file; the worker is replaced.
    if (running !== job) return;
    running = undefined;
    worker?.terminate();
    worker = undefined;
    finish(
      job,
      undefined,
      new LabelkitError('E_CORRUPT_IMAGE', `Decoding did not finish within ${Math.round(timeout / 1000)} s; the file is treated as corrupt.`, { timeoutMs: timeout }),
    );
    pump();
  }, timeout);
  worker.postMessage(req, [req.bytes]);
}

function viaWorker(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedImage> {
  return new Promise<DecodedImage>((resolve, reject) => {
    const job: Job = { id: nextId++, bytes, options, resolve, reject };
    if (options.signal) {
      job.onAbort = () => {
        const i = queue.indexOf(job);
        if (i >= 0) queue.splice(i, 1);
        if (running === job) {
          // The worker is busy with it and cannot be interrupted: replace the worker.
          running = undefined;
          worker?.terminate();
          worker = undefined;
          pump();
        }
        finish(job, undefined, new LabelkitError('E_ABORTED', 'The operation was cancelled.', {}, { cause: options.signal?.reason }));
      };
      options.signal.addEventListener('abort', job.onAbort, { once: true });
    }
    queue.push(job);
    pump();
  });
}

/**
 * Decodes an image into something the canvas can draw plus its metadata. The format comes from the
 * bytes (a mismatching `hint` is reported, not trusted). JPEG/PNG/BMP use the browser decoder
 * (ImageBitmap) in pages and workers; TIFF and DICOM decode in a lazily spawned worker when called
 * from a page, on the calling thread in workers and Node. Fails with LabelkitError
 * E_UNSUPPORTED_FORMAT, E_CORRUPT_IMAGE, E_IMAGE_TOO_LARGE or E_ABORTED — never hangs (worker decodes
 * have a time limit) and never takes the page down.
 */
export async function decodeImage(input: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Promise<DecodedImage> {
  throwIfAborted(options.signal);
  const bytes = asBytes(input);
  const format = requireFormat(bytes, options.hint);
  const offThread = options.offThread !== false && config.enabled !== false;
  if ((format === 'tiff' || format === 'dicom') && offThread && inPage()) {
    if (workerBroken) throw workerFailed(brokenReason);
    return viaWorker(bytes, options);
  }
  return decodeInProcess(bytes, options);
}
