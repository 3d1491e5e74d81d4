// @azure/storage-blob is an optional peer: only the ./azure subpath may pull it in.
import { expect, it } from 'vitest';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function inputs(entry: string): Promise<string[]> {
  const r = await build({
    entryPoints: [root + entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['source', 'browser'],
    external: ['fs', 'path', 'module', 'url', 'crypto', 'worker_threads', 'node:*'],
    logLevel: 'silent',
  });
  return Object.keys(r.metafile!.inputs);
}

it('the core main entry never imports @azure/*; the azure subpath does', async () => {
  const main = await inputs('packages/core/src/index.ts');
  expect(main.filter((p) => p.includes('@azure/'))).toEqual([]);
  const azure = await inputs('packages/core/src/azure/index.ts');
  expect(azure.some((p) => p.includes('@azure/storage-blob'))).toBe(true);
  const pkg = JSON.parse(readFileSync(root + 'packages/core/package.json', 'utf8'));
  expect(pkg.peerDependenciesMeta['@azure/storage-blob']).toEqual({ optional: true });
  expect(pkg.dependencies?.['@azure/storage-blob']).toBeUndefined();
}, 60_000);
