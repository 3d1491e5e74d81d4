// The React example (examples/react) in Chromium: @labelkit/react's LabelQueue gets the project as a
// property and reports `label-task-submit` through `onTaskSubmit`; the dashboard renders beside it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright';
import { launch, startDemo, watchErrors } from './harness.js';

const dir = fileURLToPath(new URL('../../examples/react/', import.meta.url));
let browser: Browser;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  const r = spawnSync(process.execPath, [`${dir}scripts/build.mjs`], { stdio: 'inherit' });
  expect(r.status).toBe(0);
  server = await startDemo(`${dir}dist`);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('labels a task in the React app and shows the dashboard', { timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(server.url);
  await page.waitForSelector('label-queue [part~="tile"] img');
  // A classification page never loads the canvas (and Konva): the queue imports it for region tasks only.
  expect(await page.evaluate(() => customElements.get('label-canvas'))).toBeUndefined();
  for (const k of ['1', '2', '3', '4']) await page.keyboard.press(k);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.log li');
  expect(await page.locator('.log li').first().textContent()).toMatch(/^submitted 4 item\(s\) of t/);
  await page.click('button:has-text("Manage")');
  await page.waitForSelector('label-dashboard [part~="progress-chart"]');
  expect(await page.locator('label-dashboard .legend').textContent()).toContain('Labeled 4');
  await page.screenshot({ path: fileURLToPath(new URL('../../test-results/e2e/react-dashboard.png', import.meta.url)) });
  expect(errors.filter((e) => !/favicon|Failed to load resource/.test(e))).toEqual([]);
});
