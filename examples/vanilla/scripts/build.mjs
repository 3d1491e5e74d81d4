// Builds the demo into dist/: MNIST sample PNGs, the page, its first script (boot) and one ES module
// bundle (main, esbuild).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { mnistPngs } from './samples.mjs';
import { fixture } from '../../../test/fixtures/paths.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// LABELKIT_DEMO_DIST builds elsewhere (the strict-CSP e2e test, so it never races another test's build).
const dist = process.env.LABELKIT_DEMO_DIST ? `${resolve(process.env.LABELKIT_DEMO_DIST)}/` : `${root}dist/`;
const t0 = Date.now();
rmSync(dist, { recursive: true, force: true });
mkdirSync(`${dist}samples`, { recursive: true });

const samples = mnistPngs(Number(process.env.LABELKIT_DEMO_PER_DIGIT ?? 20), 4);
for (const s of samples) writeFileSync(`${dist}samples/${s.name}`, s.png);
// The manifest lists files only: the true digits stay out of the page (they would spoil labeling).
writeFileSync(
  `${dist}samples/index.json`,
  JSON.stringify({ files: samples.map((s) => ({ name: s.name, size: s.png.length })), width: 112, height: 112, licence: 'MNIST (Yann LeCun, Corinna Cortes), CC BY-SA 3.0' }),
);

copyFileSync(`${root}src/index.html`, `${dist}index.html`);
// The page's stylesheet under a content-hashed name (demo-XXXXXXXX.css), as esbuild names chunks:
// the server lets the browser keep it (no revalidation round trip before the first paint; serve.mjs).
const css = readFileSync(`${root}src/demo.css`);
const hashed = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 8).toUpperCase();
const cssName = `demo-${hashed(css)}.css`;
writeFileSync(`${dist}${cssName}`, css);

// ── ML assist: the featurizer model, onnxruntime-web's .wasm files ──
mkdirSync(`${dist}models`, { recursive: true });
const mnistOnnx = fixture('models', 'mnist.onnx');
const which = process.env.LABELKIT_DEMO_FEATURIZER ?? 'builtin';
let featurizer;
if (which === 'mnist' && existsSync(mnistOnnx)) {
  // Optional: the test fixtures' mnist.onnx (test/fixtures/models), cut by the engine at its 256-wide layer.
  copyFileSync(mnistOnnx, `${dist}models/mnist.onnx`);
  featurizer = {
    key: 'mnist-256',
    source: 'models/mnist.onnx',
    preprocess: { width: 28, height: 28, fit: 'resize', channels: 'gray' },
    embedding: { tensor: 'Pooling160_Output_0_reshape0' },
  };
} else {
  if (which === 'mnist') console.warn(`LABELKIT_DEMO_FEATURIZER=mnist but ${mnistOnnx} does not exist: using the built-in featurizer.`);
  // Default: the demo's own featurizer, written here with @labelkit/ml's ONNX writer (src/featurizer.ts).
  const out = await build({
    entryPoints: [`${root}src/featurizer.ts`],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    conditions: ['source'],
    tsconfig: `${root}../../tsconfig.base.json`,
    logLevel: 'warning',
  });
  const { buildFeaturizerModel, BUILTIN_FEATURIZER } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].contents).toString('base64')}`);
  writeFileSync(`${dist}models/featurizer.onnx`, buildFeaturizerModel());
  featurizer = { key: 'builtin-rf-v1', source: 'models/featurizer.onnx', preprocess: BUILTIN_FEATURIZER.preprocess };
}
writeFileSync(`${dist}models/featurizer.json`, JSON.stringify(featurizer));
// onnxruntime-web fetches its .wasm at run time: WASM-only build, and the WebGPU (asyncify) build.
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
mkdirSync(`${dist}ort`, { recursive: true });
for (const f of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.asyncify.wasm']) copyFileSync(`${ortDist}/${f}`, `${dist}ort/${f}`);

// The media layer's sources start their worker with new URL('./worker.ts', import.meta.url) (the
// package build points it at its own self-contained file); here it is the media-worker entry below.
const mediaWorkerUrl = {
  name: 'media-worker-url',
  setup(b) {
    b.onLoad({ filter: /packages[\\/]core[\\/]src[\\/]media[\\/]client\.ts$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const code = await readFile(args.path, 'utf8');
      const out = code.replace("new URL('./worker.ts', import.meta.url)", "new URL('./media-worker.js', import.meta.url)");
      if (out === code) throw new Error('media/client.ts no longer names ./worker.ts: update media-worker-url in scripts/build.mjs');
      return { contents: out, loader: 'ts' };
    });
  },
};

/** What both builds below share (the page's bundle and boot.js). */
const common = {
  outdir: dist,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  // Workspace packages resolve to their TypeScript sources, so the demo never runs stale dist files.
  conditions: ['source'],
  sourcemap: true,
  minify: !process.env.LABELKIT_DEMO_DEBUG,
  tsconfig: `${root}../../tsconfig.base.json`,
  metafile: true,
  logLevel: 'warning',
};
const built = await build({
  ...common,
  // The page, the ML assist worker (a module worker the page starts as ml-worker.js) and the media
  // worker (TIFF/DICOM; the media layer starts it as media-worker.js).
  entryPoints: [
    `${root}src/main.ts`,
    { in: `${root}../../packages/ml/src/worker.ts`, out: 'ml-worker' },
    { in: `${root}../../packages/core/src/media/worker.ts`, out: 'media-worker' },
  ],
  plugins: [mediaWorkerUrl],
  splitting: true,
  // Emscripten-built codecs (in the media layer) reach for Node built-ins only when running in Node;
  // leave those requires unresolved in the browser bundle.
  external: ['fs', 'path', 'module', 'url', 'crypto', 'worker_threads', 'node:*'],
});
// main.js imports a dozen shared chunks: the page asks for them all at once (modulepreload, which
// boot.js adds when it imports main.js) instead of after main.js has arrived and been parsed — one
// round trip less before the first task…
const outputs = built.metafile.outputs;
const mainKey = Object.keys(outputs).find((k) => outputs[k].entryPoint?.endsWith('src/main.ts'));
const chunks = new Set();
const visit = (key) => {
  for (const i of outputs[key]?.imports ?? []) {
    if (i.kind !== 'import-statement' || i.external || chunks.has(i.path)) continue;
    chunks.add(i.path);
    visit(i.path);
  }
};
if (mainKey) visit(mainKey);
// …and the instructions' renderer (marked + DOMPurify), which <label-queue> imports before it shows
// the first task of a project with instructions.
const markdownKey = Object.keys(outputs).find((k) => Object.keys(outputs[k].inputs).some((i) => i.endsWith('controllers/markdown.ts')));
if (markdownKey) {
  chunks.add(markdownKey);
  visit(markdownKey);
}
// main.js under a content-hashed name too (main-XXXXXXXX.js; its chunks have theirs): boot.js imports it
// by that name, and the browser keeps it without a revalidation round trip on a reload.
const mainName = `main-${hashed(readFileSync(`${dist}main.js`))}.js`;
renameSync(`${dist}main.js`, `${dist}${mainName}`);
// The page's first script (src/boot.ts): it draws the held task from the task hint, then imports
// main.js. One self-contained file of a few KB (no chunks: no second round trip before it runs), with
// a content hash in its name (boot-XXXXXXXX.js: kept by the browser, not revalidated); the task-hint
// reader it holds is also in main.js's chunks (a few hundred bytes twice). It adds the modulepreload
// links of main.js and its chunks itself, when it imports main.js: as <link>s in the page, the browser
// would fetch and compile them all before boot.js runs, and the held task's first paint would wait.
const boot = await build({
  ...common,
  entryPoints: [`${root}src/boot.ts`],
  entryNames: '[name]-[hash]',
  define: {
    __LABELKIT_DEMO_MAIN__: JSON.stringify(`./${mainName}`),
    __LABELKIT_DEMO_PRELOAD__: JSON.stringify([...chunks].map((c) => `./${c.split('/').pop()}`)),
  },
  external: [`./${mainName}`],
});
const bootName = Object.keys(boot.metafile.outputs)
  .find((k) => k.endsWith('.js'))
  .split('/')
  .pop();
const html = readFileSync(`${dist}index.html`, 'utf8').replace('./boot.js', `./${bootName}`).replace('./demo.css', `./${cssName}`);
writeFileSync(`${dist}index.html`, html);
console.log(`demo built in ${Date.now() - t0} ms: ${samples.length} sample images → ${dist}`);
