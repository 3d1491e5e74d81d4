// Bundle-size budgets (`npm test` step "size"; `node scripts/size.mjs` alone prints the table).
// Each entry is bundled the way an app bundles it — esbuild, ESM, minified, code splitting, the
// packages' TypeScript sources through the `source` condition, with the template minification their
// dist/ gets (scripts/minify-templates.mjs) — and measured from esbuild's metafile:
//   - "up front": the entry's chunk and every chunk it reaches through static imports (what a page
//     loads before any dynamic import() runs), minified, gzipped together (zlib, level 9) — as one
//     chunk, which is what Rollup and Vite make of modules an entry loads up front (esbuild splits
//     the modules an entry shares with its import()ed chunks into separate files);
//   - "all": every chunk of the build, lazily loaded ones included, gzipped per file.
// "Own code" entries leave the npm dependencies external (lit, Konva, marked, DOMPurify, @labelkit/core…),
// so they measure only the package's own code. Checks that a module is *not reachable* through static
// imports (Konva on a classification page, onnxruntime-web, @azure/storage-blob) walk the metafile's
// import graph from the entry, following only `import-statement` edges.
// Prints one line per check and "N passed, M failed" last (scripts/test.mjs totals it).
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { minifyTemplates } from './minify-templates.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const NODE_BUILTINS = ['fs', 'path', 'module', 'url', 'crypto', 'worker_threads', 'node:*'];
// "Own code": the frameworks and the core stay external (as the issue's measure: lit, Konva, core);
// marked and DOMPurify are counted, and must be on a lazily loaded chunk.
const OWN = ['lit', 'lit/*', '@lit/*', 'konva', 'konva/*', '@labelkit/core', '@labelkit/core/*'];

/** The components' dist/ has its html`…`/css`…` text minified (its rollup.config.mjs): so here. */
const templates = {
  name: 'minify-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]packages[\\/]components[\\/]src[\\/].*\.ts$/ }, (a) => ({ contents: minifyTemplates(readFileSync(a.path, 'utf8'), a.path), loader: 'ts' }));
  },
};

/**
 * One bundle: `code` is the entry module's source (resolved from the repository root), `external`
 * what stays out. Returns sizes and the static import graph.
 */
async function bundle(code, external = []) {
  const r = await build({
    stdin: { contents: code, resolveDir: root, loader: 'ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    outdir: `${root}.cache/size`,
    conditions: ['source'],
    tsconfig: `${root}packages/components/tsconfig.json`,
    external: [...NODE_BUILTINS, ...external],
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [templates],
    logLevel: 'silent',
  });
  const files = new Map(r.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => [f.path, f.contents]));
  const outputs = r.metafile.outputs;
  const key = (p) => p.replace(root, '');
  const entry = Object.keys(outputs).find((o) => outputs[o].entryPoint === '<stdin>');
  // Chunks reached from the entry through static imports only.
  const upFront = new Set();
  const walk = (o) => {
    if (upFront.has(o)) return;
    upFront.add(o);
    for (const i of outputs[o].imports) if (i.kind === 'import-statement' && !i.external && outputs[i.path]) walk(i.path);
  };
  walk(entry);
  const size = (names, together) => {
    const chunks = [...names].map((n) => files.get(`${root}${n}`)).filter(Boolean);
    const min = chunks.reduce((n, c) => n + c.length, 0);
    const gz = together ? gzipSync(Buffer.concat(chunks), { level: 9 }).length : chunks.reduce((n, c) => n + gzipSync(c, { level: 9 }).length, 0);
    return { min, gz };
  };
  const all = Object.keys(outputs).filter((o) => o.endsWith('.js'));
  // Input modules reached from the entry module through static imports only (not through import()).
  const inputs = r.metafile.inputs;
  const staticInputs = new Set();
  const walkIn = (p) => {
    if (staticInputs.has(p)) return;
    staticInputs.add(p);
    for (const i of inputs[p]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) walkIn(i.path);
  };
  walkIn('<stdin>');
  // Externals named by a static import anywhere in that graph.
  const staticExternals = new Set();
  for (const p of staticInputs) for (const i of inputs[p]?.imports ?? []) if (i.external && i.kind === 'import-statement') staticExternals.add(i.path);
  const allInputs = new Set(Object.keys(inputs));
  return { upFront: size(upFront, true), all: size(all, false), staticInputs, staticExternals, allInputs, key };
}

const kb = (n) => (n / 1024).toFixed(1);
const results = [];
let passed = 0;
let failed = 0;
function check(ok, line) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? '✓' : '✗'} ${line}`);
}
const staticallyReaches = (b, re) => [...b.staticInputs].filter((p) => re.test(p)).concat([...b.staticExternals].filter((p) => re.test(p)));

const KONVA = /(^|\/)konva(\/|$)/;
const MARKDOWN = /(^|\/)(marked|dompurify)(\/|$)/;
const ORT = /(^|\/)onnxruntime-web(\/|$)/;
const AZURE = /(^|\/)@azure\/storage-blob(\/|$)/;

/** The entries of the table: [label, entry code, externals, budget on (up front or all) gz KB]. */
const entries = [
  // Was 25 KB; measured 30.5 KB gz (90.3 KB min) on 2026-11-30 after lifecycle + consensus, IoU, task hints
  // and IndexedDB batching. Lazy routes, measured as built here: the team/review/settings/assist commands
  // through import() 30.7 KB (2.4 KB less min, but more chunks); the consensus fold through import() with
  // its exports off this entry 29.4 KB. The rest is what every project opens with. Budget = measured + 0.5 KB
  // (docs/ARCHITECTURE.md, rule 12). Measured 31.8 KB gz (94.7 KB min) later the same day, after a new tab's
  // first look (task-hint.ts), the informative queue order (items.ranked, queue.order), the fold's text and
  // user caches and the write-behind write after the frame: all on paths a labeling page runs. Measured
  // 33.8 KB gz (100.3 KB min) after snapshot format 2 (run-coded columns, paths as folders + names:
  // +5.6 KB min), which cuts a 500k snapshot from 54 to 13.6 MB and what every open reads with it.
  // Measured 34.7 KB gz (102.6 KB min) after full snapshots taken in their command and encoded and
  // stored after it in steps (+0.4 KB gz), with the path split kept and text columns copied in runs
  // (+0.3): a labeling page runs them every few hundred submits (at 500k: long tasks 191 ms -> none).
  { name: '@labelkit/core', code: `export * from '@labelkit/core';`, budget: { upFront: 35.2 } },
  { name: '@labelkit/core/export', code: `export * from '@labelkit/core/export';` },
  { name: '@labelkit/core/media', code: `export * from '@labelkit/core/media';` },
  { name: '@labelkit/core/azure (SDK external)', code: `export * from '@labelkit/core/azure';`, external: ['@azure/storage-blob', '@azure/*'] },
  { name: '@labelkit/ml', code: `export * from '@labelkit/ml';` },
  { name: '@labelkit/components (all)', code: `export * from '@labelkit/components';` },
  { name: '@labelkit/components own code', code: `export * from '@labelkit/components';`, external: OWN, budget: { upFront: 40 } },
  { name: '@labelkit/components/label-queue (all)', code: `export * from '@labelkit/components/label-queue';` },
  { name: '@labelkit/components/label-queue own code', code: `export * from '@labelkit/components/label-queue';`, external: OWN, budget: { upFront: 30 } },
  { name: '@labelkit/components/label-dashboard own code', code: `export * from '@labelkit/components/label-dashboard';`, external: OWN },
  { name: '@labelkit/components/label-canvas own code', code: `export * from '@labelkit/components/label-canvas';`, external: OWN },
  // The early paint a host page runs before its bundle (first-look.ts): with the core's task-hint
  // reader, and nothing else (no Lit, no element code, no rest of the core). Measured 2.0 KB gz (4.5 KB
  // min) on 2026-11-30, then 2.6 KB (6.3 KB min) once it drew the whole chrome of the real task (lane,
  // grid picker, instructions box, keys, Needs review) so that nothing moves when the task comes.
  { name: '@labelkit/components/first-look (all)', code: `export * from '@labelkit/components/first-look';`, budget: { upFront: 3 } },
  { name: 'ProjectController alone', code: `export { ProjectController } from '@labelkit/components/project-controller';` },
];

const only = process.argv.slice(2);
for (const e of entries) {
  if (only.length && !only.some((o) => e.name.includes(o))) continue;
  let b;
  try {
    b = await bundle(e.code, e.external ?? []);
  } catch (err) {
    check(false, `${e.name}: does not bundle: ${err.message.split('\n')[0]}`);
    continue;
  }
  e.result = b;
  results.push({ name: e.name, b });
  for (const [which, limit] of Object.entries(e.budget ?? {})) {
    const gz = b[which].gz / 1024;
    check(gz <= limit, `${e.name}: ${which === 'upFront' ? 'up front' : 'all chunks'} ${gz.toFixed(1)} KB gz ≤ ${limit} KB`);
  }
}

// What must stay off the static import graph.
const find = (name) => entries.find((e) => e.name === name)?.result;
const offPath = (name, re, what) => {
  const b = find(name);
  if (!b) return;
  const hits = staticallyReaches(b, re);
  check(hits.length === 0, `${name}: ${what} only through import()${hits.length ? ` — static: ${hits.slice(0, 3).join(', ')}` : ''}`);
};
offPath('@labelkit/components/label-queue (all)', KONVA, 'Konva');
offPath('@labelkit/components/label-queue (all)', MARKDOWN, 'marked and DOMPurify');
offPath('@labelkit/components (all)', MARKDOWN, 'marked and DOMPurify');
for (const n of ['@labelkit/core', '@labelkit/core/export', '@labelkit/core/media', '@labelkit/ml', '@labelkit/components (all)']) {
  offPath(n, ORT, 'onnxruntime-web');
  offPath(n, AZURE, '@azure/storage-blob');
}
const early = find('@labelkit/components/first-look (all)');
if (early) {
  // Only its own module and the core's task-hint reader: nothing a page would wait for.
  const extra = [...early.allInputs].filter((p) => p !== '<stdin>' && !/(components[\\/]src[\\/]first-look|core[\\/]src[\\/]task-hint)\.ts$/.test(p));
  check(extra.length === 0, `@labelkit/components/first-look: only first-look.ts and core's task-hint.ts${extra.length ? ` — also ${extra.slice(0, 3).join(', ')}` : ''}`);
}
const pc = find('ProjectController alone');
if (pc) {
  const hits = [...pc.allInputs].filter((p) => KONVA.test(p) || MARKDOWN.test(p));
  check(hits.length === 0, `ProjectController alone: no Konva, marked or DOMPurify in the bundle${hits.length ? ` — ${hits.slice(0, 3).join(', ')}` : ''}`);
}

console.log('\n| entry | up front min | up front gz | all chunks min | all chunks gz |\n|---|---:|---:|---:|---:|');
for (const { name, b } of results) console.log(`| ${name} | ${kb(b.upFront.min)} KB | ${kb(b.upFront.gz)} KB | ${kb(b.all.min)} KB | ${kb(b.all.gz)} KB |`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
