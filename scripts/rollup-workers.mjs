// Rollup plugins for packages that ship Web Workers and CommonJS decoders (core's media worker, ml's
// ONNX worker): what a package does at its own build so that the apps that install it need no
// bundler setting (docs/bundlers.md).
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, posix, relative } from 'node:path';
import { build } from 'esbuild';

/** Node built-ins that Emscripten and UMD wrappers reach for only when they run in Node. */
const NODE_BUILTINS = /^(node:)?(fs|fs\/promises|path|zlib|crypto|module|url|worker_threads|os|util|stream|buffer|child_process|perf_hooks)$/;

/**
 * Node's CommonJS globals, undefined for browser builds: Emscripten output tests
 * `typeof __filename`, and webpack answers that test for an ES module without defining the name
 * ("__filename is not defined" at run time).
 */
const NO_NODE_GLOBALS = { __filename: 'undefined', __dirname: 'undefined' };

/** esbuild plugin: every Node built-in becomes an empty module (the browser never takes those branches). */
export const stubNodeBuiltins = {
  name: 'stub-node-builtins',
  setup(b) {
    b.onResolve({ filter: NODE_BUILTINS }, (a) => ({ path: a.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * Rollup plugin: the listed CommonJS packages (or subpaths) are bundled into the package's own
 * output as ES modules (esbuild converts them; Node built-ins stubbed), instead of being left as
 * imports a host bundler would have to convert — and could not, for `require('fs')`.
 */
export function vendorCommonJs(ids) {
  const PREFIX = '\0labelkit-vendor:';
  let require;
  return {
    name: 'labelkit-vendor-commonjs',
    buildStart() {
      require = createRequire(`${process.cwd()}/package.json`);
    },
    resolveId(id) {
      if (ids.includes(id)) return { id: PREFIX + id, external: false, moduleSideEffects: false };
      return null;
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const file = require.resolve(id.slice(PREFIX.length));
      const out = await build({
        stdin: { contents: `import m from ${JSON.stringify(file)}; export default m;`, resolveDir: dirname(file), loader: 'js' },
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        // Emscripten output grows 5× when reprinted unminified (the OpenJPEG JS build: 0.5 → 2.6 MB).
        minify: true,
        legalComments: 'inline',
        define: NO_NODE_GLOBALS,
        plugins: [stubNodeBuiltins],
        logLevel: 'error',
      });
      return { code: out.outputFiles[0].text, map: null };
    },
  };
}

/**
 * Rollup plugin: rewrites `new URL('<from>', import.meta.url)` in the chunk that holds `module` to
 * the built worker `to` (a path under dist), relative to that chunk. The sources name the worker's
 * TypeScript file, so dev servers and tests that serve .ts use the same line.
 */
export function workerUrl({ from, module, to }) {
  const pattern = new RegExp(`new URL\\((['"])${from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\1, import\\.meta\\.url\\)`, 'g');
  let seen = false;
  return {
    name: 'labelkit-worker-url',
    renderChunk(code, chunk) {
      if (!chunk.moduleIds.some((m) => m.endsWith(module))) return null;
      let rel = posix.relative(posix.dirname(chunk.fileName), to);
      if (!rel.startsWith('.')) rel = `./${rel}`;
      // An esbuild or Rollup app copies dist/labelkit/ beside its own bundle: the path must not climb.
      if (rel.startsWith('../')) this.error(`${module} landed in ${chunk.fileName}: the worker URL would be ${rel}; keep it in an entry at the dist root.`);
      const next = code.replace(pattern, `new URL('${rel}', import.meta.url)`);
      if (next === code) return null;
      seen = true;
      return { code: next, map: null };
    },
    generateBundle() {
      if (!seen) this.error(`No new URL('${from}', import.meta.url) found in ${module}: the built package would not find its worker.`);
    },
  };
}

/**
 * Rollup plugin: after the package is written, builds a worker entry into ONE self-contained ES
 * module (every dependency bundled, dynamic imports inlined, Node built-ins stubbed): no import for
 * a host bundler to resolve, nothing a host's `worker.format` (Vite's default 'iife') can break.
 * `copy` lists [from, to] files to put beside it (e.g. onnxruntime-web's .wasm and its glue .mjs).
 * `minify: false` keeps comments such as `/* webpackIgnore: true *\/` that dependencies rely on.
 */
export function selfContainedWorker({ entry, outfile, conditions = [], copy = [], minify = true, plugins = [] }) {
  return {
    name: 'labelkit-self-contained-worker',
    async writeBundle() {
      await build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        conditions,
        // Drops code that only runs in Node (see core's codecs/j2k.ts).
        define: { ...NO_NODE_GLOBALS, __LABELKIT_SELF_CONTAINED_WORKER__: 'true' },
        minify,
        sourcemap: true,
        legalComments: 'eof',
        plugins: [...plugins, stubNodeBuiltins],
        logLevel: 'warning',
      });
      for (const [from, to] of copy) {
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(from, to);
      }
      console.log(`worker → ${relative(process.cwd(), outfile)}${copy.length ? ` (+ ${copy.length} files)` : ''}`);
    },
  };
}

/** Rollup plugin: empties dist before a build, keeping dist/types (tsc -b writes it), so no stale chunk is packed. */
export function cleanDist(dist) {
  return {
    name: 'labelkit-clean-dist',
    buildStart() {
      let names = [];
      try {
        names = readdirSync(dist);
      } catch {
        return;
      }
      for (const name of names) if (name !== 'types') rmSync(`${dist}/${name}`, { recursive: true, force: true });
      pruneStaleTypes(`${dist}/types`, `${dist}/../src`);
    },
  };
}

/**
 * `tsc -b` writes dist/types incrementally and never deletes the declarations of a source that is
 * gone (moved to test/, renamed): they would ship in the package. Removes every `X.d.ts` (and its
 * map) whose `src/X.ts` no longer exists.
 */
export function pruneStaleTypes(types, src) {
  let entries = [];
  try {
    entries = readdirSync(types, { withFileTypes: true, recursive: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const m = /^(.*)\.d\.ts(\.map)?$/.exec(e.name);
    if (!e.isFile() || !m) continue;
    const dir = e.parentPath ?? e.path;
    const rel = relative(types, `${dir}/${m[1]}`);
    if (!existsSync(`${src}/${rel}.ts`) && !existsSync(`${src}/${rel}.d.ts`)) rmSync(`${dir}/${e.name}`, { force: true });
  }
}
