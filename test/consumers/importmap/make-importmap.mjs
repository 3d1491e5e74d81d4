// The no-bundler app: writes index.html with an import map for every bare specifier reachable from
// src/main.js, resolved as a browser resolver does (esbuild's: the browser/import/default conditions,
// then the module field). Nothing is bundled: the browser loads the packages' own dist files from
// node_modules, and their workers from the URLs the packages name (dist/labelkit/).
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { build } from 'esbuild';

const imports = {};
await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  write: false,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  outdir: 'unused',
  logLevel: 'error',
  plugins: [
    {
      name: 'record-bare-specifiers',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.pluginData === 'inner') return undefined;
          const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
          if (r.errors.length || r.external) return r.errors.length ? { errors: r.errors } : { path: args.path, external: true };
          const url = `/${relative(process.cwd(), r.path).split('\\').join('/')}`;
          if (imports[args.path] && imports[args.path] !== url) throw new Error(`${args.path} resolves to both ${imports[args.path]} and ${url}: the import map needs scopes`);
          imports[args.path] = url;
          return { path: r.path };
        });
      },
    },
  ],
});
const map = `\n${JSON.stringify({ imports }, null, 2)}\n`;
const html = readFileSync('index.html', 'utf8')
  .replace(/\s*<script type="importmap">[\s\S]*?<\/script>/, '')
  .replace('<script type="module" src="./main.js">', `<script type="importmap">${map}</script>\n    <script type="module" src="./src/main.js">`)
  // A module worker does not see the page's import map: the page skips its own host worker.
  .replace('<html lang="en">', '<html lang="en" data-no-host-worker>');
writeFileSync('index.html', html);
console.log(`import map: ${Object.keys(imports).length} specifiers`);
