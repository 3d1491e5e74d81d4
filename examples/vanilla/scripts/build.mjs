// Builds the demo into dist/: MNIST sample PNGs, the page, and one ES module bundle (esbuild).
import { mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { mnistPngs } from './samples.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist/`;
const t0 = Date.now();
rmSync(dist, { recursive: true, force: true });
mkdirSync(`${dist}samples`, { recursive: true });

const samples = mnistPngs(Number(process.env.LABELKIT_DEMO_PER_DIGIT ?? 20), 4);
for (const s of samples) writeFileSync(`${dist}samples/${s.name}`, s.png);
// The manifest lists files only: the true digits stay out of the page (they would spoil labeling).
writeFileSync(`${dist}samples/index.json`, JSON.stringify({ files: samples.map((s) => ({ name: s.name, size: s.png.length })), width: 112, height: 112, licence: 'MNIST (Yann LeCun, Corinna Cortes), CC BY-SA 3.0' }));

copyFileSync(`${root}src/index.html`, `${dist}index.html`);
await build({
  entryPoints: [`${root}src/main.ts`],
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2022',
  // Workspace packages resolve to their TypeScript sources, so the demo never runs stale dist files.
  conditions: ['source'],
  sourcemap: true,
  minify: !process.env.LABELKIT_DEMO_DEBUG,
  tsconfig: `${root}../../tsconfig.base.json`,
  // Emscripten-built codecs (in the media layer) reach for Node built-ins only when running in Node;
  // leave those requires unresolved in the browser bundle.
  external: ['fs', 'path', 'module', 'url', 'crypto', 'worker_threads', 'node:*'],
  logLevel: 'warning',
});
console.log(`demo built in ${Date.now() - t0} ms: ${samples.length} sample images → ${dist}`);
