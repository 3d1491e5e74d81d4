// Shared by the end-to-end tests and the UI benchmark: serve the built demo and drive Debian's
// Chromium with Playwright.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const demoDir = `${root}examples/vanilla/`;

/** Builds the demo when it is not built yet (or when `force`). */
export function ensureDemoBuilt(force = false): void {
  if (!force && existsSync(`${demoDir}dist/index.html`)) return;
  const r = spawnSync(process.execPath, [`${demoDir}scripts/build.mjs`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('Building the demo failed.');
}

/**
 * Builds the demo into a fresh folder of its own, for a test file that may run while another one
 * (demo.test.ts) rebuilds examples/vanilla/dist. Returns the folder; serve it with `startDemo(dir)`.
 */
export function buildDemoApart(name: string): string {
  const dist = mkdtempSync(join(tmpdir(), `labelkit-${name}-demo-`));
  const r = spawnSync(process.execPath, [`${demoDir}scripts/build.mjs`], { stdio: 'inherit', env: { ...process.env, LABELKIT_DEMO_DIST: dist } });
  if (r.status !== 0) throw new Error('Building the demo failed.');
  return dist;
}

/** Serves the built demo (or another built example's `dir`) on a free port. */
export async function startDemo(dir?: string): Promise<{ url: string; close: () => Promise<void> }> {
  const { serve } = (await import(`${demoDir}scripts/serve.mjs`)) as { serve: (o: { port: number; dir?: string }) => Promise<{ url: string; close: () => Promise<void> }> };
  return serve({ port: 0, ...(dir ? { dir } : {}) });
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
}

/** Collects page errors so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}
