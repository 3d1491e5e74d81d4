// Builds the React example into dist/: the MNIST sample PNGs (shared with examples/vanilla), the page
// and one bundle (esbuild, with its own JSX transform — no Babel, no Vite plugin).
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { mnistPngs } from '../../vanilla/scripts/samples.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist/`;
rmSync(dist, { recursive: true, force: true });
mkdirSync(`${dist}samples`, { recursive: true });
const samples = mnistPngs(10, 4);
for (const s of samples) writeFileSync(`${dist}samples/${s.name}`, s.png);
writeFileSync(`${dist}samples/index.json`, JSON.stringify({ files: samples.map((s) => ({ name: s.name, size: s.png.length })) }));
copyFileSync(`${root}src/index.html`, `${dist}index.html`);
await build({
  entryPoints: [`${root}src/main.tsx`],
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  conditions: ['source'],
  define: { 'process.env.NODE_ENV': '"production"' },
  minify: true,
  sourcemap: true,
  tsconfig: `${root}../../tsconfig.base.json`,
  // Emscripten-built codecs (in the media layer) reach for Node built-ins only when running in Node;
  // leave those requires unresolved in the browser bundle.
  external: ['fs', 'path', 'module', 'url', 'crypto', 'worker_threads', 'node:*'],
  logLevel: 'warning',
});
console.log(`React example built → ${dist}`);
