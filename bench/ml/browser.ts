// Runs bench/ml/page.ts in headless Debian Chromium with WebGPU on SwiftShader, served from
// 127.0.0.1 with COOP/COEP, and returns its figures.
import { build } from 'esbuild';
import { launchChromium, serveStatic } from '../lib/browser.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ORT_WASM_DIR } from '../../packages/ml/test/fixtures.js';
import { fixture } from '../../test/fixtures/paths.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

export async function browserFigures(args: { device: 'webgpu' | 'wasm'; mnistImages: number; yoloxImages: number }): Promise<unknown> {
  const out = join(root, '.bench-out', 'ml');
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { page: join(root, 'bench/ml/page.ts'), worker: join(root, 'packages/ml/src/worker.ts') },
    bundle: true,
    format: 'esm',
    splitting: true,
    outdir: out,
    conditions: ['source', 'browser'],
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'error',
  });
  writeFileSync(join(out, 'index.html'), '<!doctype html><html><body><script type="module" src="/page.js"></script></body></html>');
  const mnistDir = dirname(require.resolve('mnist/src/digits/0.json'));
  const routes: [string, string][] = [
    ['/ort/', ORT_WASM_DIR],
    ['/models/', fixture('models') + '/'],
    ['/coco/', fixture('coco', 'mmpose_coco_val2017_person') + '/'],
    ['/mnist/', mnistDir + '/'],
    ['/', out + '/'],
  ];
  const { base, server } = await serveStatic(routes);
  const browser = await launchChromium({ webgpu: true });
  try {
    const page = await browser.newPage();
    await page.goto(base);
    await page.waitForFunction(() => 'runBench' in globalThis);
    return await page.evaluate((a) => (globalThis as unknown as { runBench: (x: typeof a) => Promise<unknown> }).runBench(a), args);
  } finally {
    await browser.close();
    server.close();
  }
}
