// onnxruntime-web's runtime files as the package ships them: copied beside the built worker
// (dist/labelkit/) by the build, and named here with literal `new URL('./…', import.meta.url)` so
// that bundlers which build the worker (Vite, webpack 5) emit them as assets with the URLs they
// choose. The worker hands onnxruntime-web both the Emscripten glue (.mjs) and the .wasm: the glue
// is then imported from its own URL and its pthread workers start from that file, so WASM threads
// work under COOP/COEP whatever the host's bundler did with the worker (Vite's default 'iife'
// worker format included). Used only when createAssistant gets no `wasmPaths`.
import type { AssistDevice } from '@labelkit/core';

export interface OrtFiles {
  readonly mjs: string;
  readonly wasm: string;
}

/** The shipped glue + .wasm for a device: the WASM build, or the asyncify build WebGPU needs. */
export function shippedOrtFiles(device: AssistDevice): OrtFiles {
  if (device === 'webgpu') {
    return {
      mjs: new URL('./ort-wasm-simd-threaded.asyncify.mjs', import.meta.url).href,
      wasm: new URL('./ort-wasm-simd-threaded.asyncify.wasm', import.meta.url).href,
    };
  }
  return { mjs: new URL('./ort-wasm-simd-threaded.mjs', import.meta.url).href, wasm: new URL('./ort-wasm-simd-threaded.wasm', import.meta.url).href };
}

// True only in the built worker (dist/labelkit/ml-worker.js; scripts/rollup-workers.mjs defines it).
declare const __LABELKIT_SELF_CONTAINED_WORKER__: boolean | undefined;

/**
 * A `wasmPaths` folder, as the built worker must use it: onnxruntime-web is bundled into the worker
 * file there, so threads started from "the module that holds ORT" would load the whole worker, where
 * ORT's pthread code never runs (calls would hang). The glue is imported from the folder instead,
 * which must then hold `ort-wasm-simd-threaded.mjs` beside the .wasm (`.asyncify` for WebGPU).
 * Workers built from the sources (the demo, the tests) keep the folder as it is.
 */
export function folderOrtFiles(folder: string): ((device: AssistDevice) => OrtFiles) | undefined {
  if (typeof __LABELKIT_SELF_CONTAINED_WORKER__ === 'undefined') return undefined;
  return (device) => {
    const name = device === 'webgpu' ? 'ort-wasm-simd-threaded.asyncify' : 'ort-wasm-simd-threaded';
    return { mjs: `${folder}${name}.mjs`, wasm: `${folder}${name}.wasm` };
  };
}
