// @labelkit/ml's build: the shared package config, plus the ML worker as one self-contained file
// beside onnxruntime-web's runtime files, so that every bundler (and a page with no bundler) finds
// them with no setting (docs/bundlers.md):
// - dist/labelkit/ml-worker.js: the engine, comlink, the core parts it uses and onnxruntime-web;
// - dist/labelkit/ort-wasm-simd-threaded{,.asyncify}.{mjs,wasm}: the glue and the WebAssembly for the
//   WASM and WebGPU builds. The worker names them with `new URL('./…', import.meta.url)` (Vite and
//   webpack emit them as assets) and hands both URLs to onnxruntime-web, so the glue is imported from
//   its own URL and WASM threads (pthread workers started from that URL) work under COOP/COEP
//   whatever the host's bundler did to the worker;
// - dist/index.js starts it with `new Worker(new URL('./labelkit/ml-worker.js', import.meta.url))`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { packageConfig } from '../../scripts/rollup-package.mjs';
import { cleanDist, selfContainedWorker, workerUrl } from '../../scripts/rollup-workers.mjs';

const dir = new URL('.', import.meta.url).pathname;
const ort = dirname(createRequire(`${dir}package.json`).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
const config = packageConfig(dir);

/**
 * onnxruntime-web finds "its own script" with `new URL('ort.<build>.bundle.min.mjs', import.meta.url)`
 * (through an alias of URL) when a bundler has hard-coded import.meta.url as a file: URL, as webpack
 * does — so webpack emits that file. Inside our worker that file does not exist (webpack: "Can't
 * resolve"), and ORT needs its script URL only for the embedded glue, which this worker never uses
 * (it hands ORT the glue's own URL): the worker's own URL stands in.
 */
const ortSelfUrl = {
  name: 'ort-self-url',
  setup(b) {
    b.onLoad({ filter: /onnxruntime-web[\\/]dist[\\/]ort\.[\w.]+\.mjs$/ }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      const out = code.replace(/new (\w+)\("ort\.[\w.]+\.mjs",\s*import\.meta\.url\)/g, 'new URL(import.meta.url)');
      if (out === code) throw new Error(`${args.path}: onnxruntime-web no longer names its own script the way ort-self-url expects.`);
      return { contents: out, loader: 'js' };
    });
  },
};
delete config.input.worker;
config.plugins.push(
  cleanDist(`${dir}dist`),
  workerUrl({ from: './worker.ts', module: 'src/assistant.ts', to: 'labelkit/ml-worker.js' }),
  selfContainedWorker({
    entry: `${dir}src/worker.ts`,
    outfile: `${dir}dist/labelkit/ml-worker.js`,
    // onnxruntime-web imports its glue with /* webpackIgnore: true */ /* @vite-ignore */: keep them.
    minify: false,
    plugins: [ortSelfUrl],
    copy: ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'].map((f) => [
      `${ort}/${f}`,
      `${dir}dist/labelkit/${f}`,
    ]),
  }),
);
export default config;
