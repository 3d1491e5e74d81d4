import type { AssistDeviceRequest } from '@labelkit/core';
import type { Preprocess } from '../preprocess.js';

/** Model bytes, or a URL the worker fetches (relative URLs resolve against the page). */
export type ModelSource = Uint8Array | ArrayBuffer | string;

/** How to run one ONNX model on images. */
export interface ModelSpec {
  readonly source: ModelSource;
  /** Input name (default: the model's first input). */
  readonly input?: string;
  readonly preprocess: Preprocess;
  /**
   * Images per run when the model's batch dimension is free (default 8). A model with a fixed
   * batch dimension (e.g. 1) always runs with that.
   */
  readonly batch?: number;
}

export interface FeaturizerSpec extends ModelSpec {
  /**
   * The tensor to read embeddings from. Leave out to use the model's first output as it is.
   * Name an intermediate tensor to cut the model there (nodes after it are dropped), and use
   * `pool: 'avg'` to average a [N, C, H, W] feature map into an [N, C] vector.
   */
  readonly embedding?: { readonly tensor: string; readonly pool?: 'avg' | 'none' };
  /** Scale each embedding to unit length (default false). */
  readonly l2Normalize?: boolean;
}

export interface DetectorSpec extends ModelSpec {
  /** Output layout: YOLOX (anchors × [dx, dy, log w, log h, obj, classes…], grid not decoded). */
  readonly format: 'yolox';
  /** Output name (default: the model's first output). */
  readonly output?: string;
  /** Strides of the output levels (default [8, 16, 32]). */
  readonly strides?: readonly number[];
  /** The model's class names, index = class id (for mapping onto project labels). */
  readonly classes?: readonly string[];
}

export interface EngineConfig {
  readonly device: AssistDeviceRequest;
  readonly models: { readonly featurizer?: FeaturizerSpec; readonly detector?: DetectorSpec };
  /**
   * Where onnxruntime-web finds its .wasm file (`ort.env.wasm.wasmPaths`): a folder URL ending in
   * '/' that holds `ort-wasm-simd-threaded.wasm` (WASM) and `ort-wasm-simd-threaded.asyncify.wasm`
   * (WebGPU), e.g. '/node_modules/onnxruntime-web/dist/' or a folder you host; or ORT's own
   * `{ mjs, wasm }` form. Default: next to the onnxruntime-web module your bundler resolved. In
   * Node, give the folder as a file-system path.
   */
  readonly wasmPaths?: string | { readonly mjs?: string; readonly wasm?: string };
  /**
   * WASM threads. Default: up to 4 when the page is cross-origin isolated (SharedArrayBuffer
   * available), else 1.
   */
  readonly threads?: number;
  /**
   * Where the k-means distance step runs: 'auto' (default: WebGPU on a hardware adapter for large
   * problems, the WASM GEMM for medium ones, typed-array loops for small ones) or a fixed choice.
   */
  readonly kmeansKernel?: 'auto' | 'js' | 'wasm' | 'webgpu';
}
