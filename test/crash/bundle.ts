// Bundles a victim script for crash tests once: our sources through the `source` condition, every
// package external (resolved from the repo's node_modules, where the bundle is written).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cache = new Map<string, Promise<string>>();

export function bundleScript(entry: URL, name: string): Promise<string> {
  let p = cache.get(name);
  if (!p) {
    p = (async () => {
      const dir = fileURLToPath(new URL('../../node_modules/.cache/labelkit-crash/', import.meta.url));
      mkdirSync(dir, { recursive: true });
      const outfile = `${dir}${name}.mjs`;
      await build({
        entryPoints: [fileURLToPath(entry)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        conditions: ['source'],
        outfile,
        logLevel: 'silent',
        plugins: [
          {
            name: 'external-packages',
            setup(b) {
              b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@labelkit/') ? undefined : { path: a.path, external: true }));
            },
          },
        ],
      });
      return outfile;
    })();
    cache.set(name, p);
  }
  return p;
}
