// Runs bench/ml/page.ts in headless Debian Chromium with WebGPU on SwiftShader, served from
// 127.0.0.1 with COOP/COEP, and returns its figures.
import { build } from 'esbuild';
import { chromium } from 'playwright';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { FIXTURES, ORT_WASM_DIR } from '../../packages/ml/test/fixtures.js';

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
    ['/models/', join(FIXTURES, 'models') + '/'],
    ['/coco/', join(FIXTURES, 'coco/mmpose_coco_val2017_person') + '/'],
    ['/mnist/', mnistDir + '/'],
    ['/', out + '/'],
  ];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    const [prefix, dir] = routes.find(([p]) => path.startsWith(p))!;
    const file = dir + (path === '/' ? 'index.html' : path.slice(prefix.length));
    try {
      const body = readFileSync(file);
      res.setHeader('content-type', file.endsWith('.js') || file.endsWith('.mjs') ? 'text/javascript' : file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.html') ? 'text/html' : 'application/octet-stream');
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'],
  });
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
