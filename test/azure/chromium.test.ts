// The SDK in Chromium talking to Azurite: CORS configured by this setup (setProperties), the page
// bundled with esbuild from the browser build of @azure/storage-blob and our adapters, served from
// another origin (127.0.0.1, another port), driven by Playwright with Debian's Chromium.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright';
import { solidPng } from '../../examples/vanilla/scripts/png.mjs';
import { azureTestEnv, secretsOf, type AzureTestEnv } from './setup.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, '.cache', 'azure-browser');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let env: AzureTestEnv;
let server: Server;
let browser: Browser | undefined;

beforeAll(async () => {
  env = await azureTestEnv();
  // CORS, as a team configures it on its storage account for the labeling app's origin.
  await env.service.setProperties({
    cors: [{ allowedOrigins: '*', allowedMethods: 'DELETE,GET,HEAD,MERGE,OPTIONS,PATCH,POST,PUT', allowedHeaders: '*', exposedHeaders: '*', maxAgeInSeconds: 3600 }],
  });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(root, 'test/azure/browser/page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source', 'browser'],
    outfile: join(out, 'page.js'),
    tsconfig: join(root, 'tsconfig.base.json'),
    logLevel: 'warning',
  });
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return void res.end(readFileSync(join(out, 'page.js')));
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>loading</title><script type="module" src="/page.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
  await env?.stop();
});

it.skipIf(!existsSync(CHROMIUM))(
  'the SDK in Chromium reads, writes, streams, lists and leases on Azurite across origins',
  async () => {
    const c = await env.container('browser');
    const blobs = env.service.getContainerClient(c.name);
    for (const [name, rgb] of [
      ['imgs/red.png', [255, 0, 0]],
      ['imgs/blue.png', [0, 0, 255]],
      ['imgs/sub/green.png', [0, 255, 0]],
    ] as const) {
      const png = solidPng(24, 16, [...rgb]);
      await blobs.getBlockBlobClient(name).upload(png, png.length, { blobHTTPHeaders: { blobContentType: 'image/png' } });
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await page.goto(origin);
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 });
    const r = (await page.evaluate((cfg) => (globalThis as unknown as { runAzureChecks: (c: unknown) => Promise<Record<string, unknown>> }).runAzureChecks(cfg), {
      containerUrl: c.url,
      sas: c.sas,
      blobEndpoint: env.azurite.blobEndpoint,
    })) as Record<string, unknown>;
    expect(errors).toEqual([]);
    expect(String(r.userAgent)).toMatch(/Chrome/);
    expect(r).toMatchObject({
      createAgain: 'E_CONFLICT',
      ifMatchOk: 'ok',
      ifMatchStale: 'E_CONFLICT',
      read: '{"v":2}',
      missing: true,
      keys: ['a/9', 'b/1', 'b/2', 'b/3', 'b/doc.json', 'imgs/blue.png', 'imgs/red.png', 'imgs/sub/green.png'],
      deleted: true,
      streamed: { bytes: 980, same: true },
      export: 'Labeling/export/coco/browser_demo_20260102_030405.json',
      leaseWinners: 1,
      deep: ['imgs/blue.png', 'imgs/red.png', 'imgs/sub/green.png'],
      pngMagic: [137, 80, 78, 71],
      imgSize: [24, 16],
      plainUrl: null,
      viaConnectionString: 'b/2',
      forbidden: 'E_FORBIDDEN',
    });
    expect((r.listed as string[]).map((s) => s.split(':')[0])).toEqual(['imgs/blue.png', 'imgs/red.png']);
    expect((r.listed as string[]).every((s) => s.endsWith(':string:number'))).toBe(true);
    for (const s of secretsOf(c.sas)) expect(String(r.forbiddenText)).not.toContain(s);
    // The blocks were really staged and committed by the browser.
    expect((await blobs.getBlockBlobClient('big.txt').getBlockList('committed')).committedBlocks!.length).toBe(Math.ceil(980 / 256));
  },
  180_000,
);
