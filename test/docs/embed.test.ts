// The README's "Embed it" snippet, pasted as it is into an app: its `index.html` and `src/main.ts`
// blocks are bundled the way Vite builds an app (esbuild, ESM, code splitting; the packages from
// their sources), served, and used in Chromium as a user would: pick two images, see a task with a
// <label-canvas> (loaded on demand), reload, and pick them again — the project opens (no
// E_NAME_TAKEN) and knows the images ("2 known"). No page errors, no failed requests.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launch, startDemo, watchErrors } from '../e2e/harness.js';
import { markdownBlocks } from './blocks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const IMAGES = ['photo.jpg', 'rgba.png'].map((f) => join(root, 'test/fixtures/media/gen', f));
let dir: string;
let browser: Browser;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Embed it'), readme.indexOf('## Examples'));
  const html = markdownBlocks(section).find((b) => b.lang === 'html');
  const main = markdownBlocks(section).find((b) => b.lang === 'ts' && !b.words.includes('run'));
  expect(html?.body).toContain('src="/src/main.ts"');
  expect(main?.body).toContain('queue.source');
  // Inside the repository, so that its node_modules resolve the packages as an app's would.
  dir = mkdtempSync(join(root, '.cache/embed-'));
  writeFileSync(join(dir, 'main.ts'), main!.body);
  writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>embed</title>\n${html!.body.replace('/src/main.ts', './dist/main.js')}\n`);
  await build({
    entryPoints: [join(dir, 'main.ts')],
    outdir: join(dir, 'dist'),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    conditions: ['source'],
    tsconfig: join(root, 'tsconfig.base.json'),
    // The media layer's Emscripten codecs reach for Node built-ins only when they run in Node.
    external: ['fs', 'path', 'module', 'url', 'crypto', 'worker_threads', 'node:*'],
    logLevel: 'warning',
  });
  server = await startDemo(dir);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('runs pasted into an app: pick images, label, reload, pick again', { timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = watchErrors(page);
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  const failed: string[] = [];
  // A request the reload below cancels (a lazily loaded chunk still in flight) is not a failure.
  page.on('requestfailed', (r) => r.failure()?.errorText !== 'net::ERR_ABORTED' && failed.push(r.url()));
  page.on('response', (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));

  // The snippet opens the project (top-level await) before it listens to the file input, which it
  // keeps disabled until then: pick the files once it is enabled, as a user can.
  const ready = () => page.waitForSelector('#files:not([disabled])', { state: 'attached' });
  await page.goto(`${server.url}index.html`);
  await ready();
  await page.setInputFiles('#files', IMAGES);
  await expect.poll(() => logs.find((l) => l.includes('images added')), { timeout: 30_000 }).toMatch(/^2 images added, 0 known, 0 other files left out/);
  // A box project: the queue loads <label-canvas> and shows the task's image on it.
  await page.waitForFunction(
    () => {
      const c = document.querySelector('label-queue')?.shadowRoot?.querySelector('label-canvas') as (HTMLElement & { imageSize?: { width: number } }) | null;
      return !!c && !!customElements.get('label-canvas') && (c.imageSize?.width ?? 0) > 0;
    },
    undefined,
    { timeout: 30_000 },
  );

  await page.reload();
  await ready();
  await page.setInputFiles('#files', IMAGES);
  await expect.poll(() => logs.filter((l) => l.includes('images added')).length, { timeout: 30_000 }).toBe(2);
  expect(logs.filter((l) => l.includes('images added'))[1]).toMatch(/^0 images added, 2 known/);
  await page.waitForFunction(() => !!document.querySelector('label-queue')?.shadowRoot?.querySelector('label-canvas'), undefined, { timeout: 30_000 });

  expect(failed.filter((u) => !/favicon/.test(u))).toEqual([]);
  // (a request that failed is reported above with its URL; the console's copy has none)
  expect(errors.filter((e) => !/favicon|Failed to load resource/.test(e))).toEqual([]);
});
