// The assistant's Web Worker: one Engine behind comlink. Results go back with their buffers
// transferred, not copied.
import * as Comlink from 'comlink';
import type { AssistHead, AssistImage, AssistProgress, Matrix } from '@labelkit/core';
import { type ClusterRequest, type DetectRequest, Engine } from './engine/engine.js';
import { installErrorTransfer } from './engine/rpc.js';
import type { EngineConfig } from './engine/specs.js';
import { folderOrtFiles, shippedOrtFiles } from './ort-files.js';

installErrorTransfer();
const engine = new Engine();

type Progress = ((p: AssistProgress) => void) & { [Comlink.releaseProxy]?: () => void };

async function withProgress<T>(onProgress: Progress | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    onProgress?.[Comlink.releaseProxy]?.();
  }
}

const api = {
  // No wasmPaths: the onnxruntime-web files shipped beside the built worker; a folder: its glue and
  // .wasm, in the built worker (ort-files.ts).
  init: (config: EngineConfig) => {
    const folder = typeof config.wasmPaths === 'string' ? folderOrtFiles(config.wasmPaths) : undefined;
    if (folder) return engine.init({ ...config, wasmPaths: undefined }, { ortFiles: folder });
    return engine.init(config, { ortFiles: shippedOrtFiles });
  },
  abort: (callId: number) => engine.abort(callId),
  featurize: (callId: number, images: readonly AssistImage[], onProgress?: Progress) =>
    withProgress(onProgress, async () => {
      const r = await engine.featurize(callId, images, onProgress);
      return Comlink.transfer(r, [r.embeddings.data.buffer]);
    }),
  detect: (callId: number, images: readonly AssistImage[], request?: DetectRequest, onProgress?: Progress) =>
    withProgress(onProgress, () => engine.detect(callId, images, request, onProgress)),
  cluster: async (callId: number, embeddings: Matrix, request: ClusterRequest) => {
    const r = await engine.cluster(callId, embeddings, request);
    return Comlink.transfer(r, [r.assignments.buffer, r.centers.data.buffer]);
  },
  train: async (callId: number, embeddings: Matrix, request: Parameters<Engine['train']>[2]) => {
    const r = await engine.train(callId, embeddings, request);
    const h = r.head;
    return Comlink.transfer(r, [h.mean.buffer, h.invStd.buffer, h.weights.buffer, h.bias.buffer, ...(r.unlabeled ? [r.unlabeled.data.buffer] : [])]);
  },
  predict: async (callId: number, head: AssistHead, embeddings: Matrix) => {
    const r = await engine.predict(callId, head, embeddings);
    return Comlink.transfer(r, [r.probabilities.data.buffer]);
  },
  dispose: () => engine.dispose(),
};

export type WorkerApi = typeof api;

Comlink.expose(api);
