// One labeler in two tabs of one browser (issue #14): real Chromium, real IndexedDB, Web Locks,
// BroadcastChannel and sessionStorage. The core is bundled from source into a page; each tab runs
// the public API as a host app would, both at once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startDemo, watchErrors } from './harness.js';

let browser: Browser;
let server: { url: string; close: () => Promise<void> };
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labelkit-tabs-'));
  await build({
    stdin: { contents: "import * as core from '@labelkit/core'; globalThis.lk = core;", resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source', 'browser'],
    outfile: join(dir, 'core.js'),
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>tabs</title><script type="module" src="./core.js"></script>');
  server = await startDemo(dir);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function tab(ctx: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(server.url);
  await page.waitForFunction(() => 'lk' in globalThis);
  return { page, errors };
}

type Lk = typeof import('@labelkit/core');
declare const lk: Lk;

/** Creates a project with `n` items in the page's IndexedDB; returns its id. */
function createProject(page: Page, db: string, n: number, shared: boolean): Promise<string> {
  return page.evaluate(
    async ({ db, n, shared }) => {
      const store = new lk.IndexedDBStore(db);
      const p = await new lk.ProjectRegistry(store).create(
        { name: `tabs ${Math.random()}`, kind: 'image-classification-multiclass', labels: ['cat', 'dog'], queue: { leaseMs: 60_000 } },
        { actor: { id: 'owner', role: 'owner' }, ...(shared ? { shared: true } : {}) },
      );
      await p.addItems(Array.from({ length: n }, (_, i) => ({ path: `img/${i}.png` })));
      return p.id;
    },
    { db, n, shared },
  );
}

/** Opens the project in the tab (as a labeler) and keeps it in `window.__p`. */
function openIn(page: Page, db: string, id: string, shared: boolean): Promise<void> {
  return page.evaluate(
    async ({ db, id, shared }) => {
      const p = await lk.Project.load(new lk.IndexedDBStore(db), id, { actor: { id: 'same-user', role: 'labeler' }, ...(shared ? { shared: true } : {}) });
      (globalThis as unknown as { __p: unknown }).__p = p;
    },
    { db, id, shared },
  );
}

/** Labels in the tab (opened by `openIn`) until the queue is empty; returns the items whose submit was confirmed. */
function labelAll(page: Page, label: string): Promise<{ confirmed: number[]; refused: number }> {
  return page.evaluate(
    async ({ label }) => {
      const p = (globalThis as unknown as { __p: InstanceType<Lk['Project']> }).__p;
      const confirmed: number[] = [];
      let refused = 0;
      for (let k = 0; k < 200; k++) {
        const t = await p.nextTask({ size: 1 });
        if (!t) break;
        // A labeler's think time, so the two tabs interleave.
        await new Promise((r) => setTimeout(r, 2 + Math.random() * 6));
        try {
          await p.submit(
            t.id,
            t.items.map((i) => ({ item: i.index, annotations: [{ kind: 'class' as const, label }] })),
          );
          confirmed.push(...t.items.map((i) => i.index));
        } catch (err) {
          if (!lk.LabelkitError.is(err, 'E_LEASE_EXPIRED') && !lk.LabelkitError.is(err, 'E_CONFLICT')) throw err;
          refused++;
        }
      }
      await p.close();
      return { confirmed, refused };
    },
    { label },
  );
}

/** Each item's state and label, read by a fresh open. */
function readBack(page: Page, db: string, id: string): Promise<{ index: number; state: string; label?: string }[]> {
  return page.evaluate(
    async ({ db, id }) => {
      const p = await lk.Project.load(new lk.IndexedDBStore(db), id, { actor: { id: 'auditor', role: 'owner' }, clientId: 'auditor' });
      return [...p.items()].map((v) => ({ index: v.index, state: v.state, label: (v.annotations[0] as { label?: string } | undefined)?.label }));
    },
    { db, id },
  );
}

describe('one labeler in two tabs', () => {
  for (const shared of [false, true]) {
    it(`${shared ? 'a shared' : 'a local'} IndexedDB project: no item handed to both tabs, no confirmed submission overwritten`, async () => {
      const ctx = await browser.newContext();
      const [a, b] = [await tab(ctx), await tab(ctx)];
      const db = `lk-tabs-${shared ? 's' : 'l'}`;
      const id = await createProject(a.page, db, 24, shared);
      // Both tabs open the project first, then label at the same time.
      await Promise.all([openIn(a.page, db, id, shared), openIn(b.page, db, id, shared)]);
      const [ra, rb] = await Promise.all([labelAll(a.page, 'cat'), labelAll(b.page, 'dog')]);
      // Both tabs worked, and no item was confirmed twice.
      expect(ra.confirmed.length).toBeGreaterThan(0);
      expect(rb.confirmed.length).toBeGreaterThan(0);
      expect(ra.confirmed.filter((i) => rb.confirmed.includes(i))).toEqual([]);
      expect(ra.confirmed.length + rb.confirmed.length).toBe(24);
      // A fresh open keeps every confirmed label as the tab that confirmed it saw it.
      const rows = await readBack(a.page, db, id);
      for (const i of ra.confirmed) expect(rows[i]).toMatchObject({ state: 'labeled', label: 'cat' });
      for (const i of rb.confirmed) expect(rows[i]).toMatchObject({ state: 'labeled', label: 'dog' });
      expect(a.errors).toEqual([]);
      expect(b.errors).toEqual([]);
      await ctx.close();
    }, 120_000);
  }

  it('a reload resumes the tab’s own task; another tab of the same user does not get it', async () => {
    const ctx = await browser.newContext();
    const a = await tab(ctx);
    const db = 'lk-tabs-reload';
    const id = await createProject(a.page, db, 6, false);
    const open = (page: Page) =>
      page.evaluate(
        async ({ db, id }) => {
          const p = await lk.Project.load(new lk.IndexedDBStore(db), id, { actor: { id: 'same-user', role: 'labeler' } });
          const held = p.currentTask();
          const t = held ?? (await p.nextTask({ size: 1 }));
          return { client: p.clientId, resumed: !!held, task: t?.id, item: t?.items[0]?.index };
        },
        { db, id },
      );
    const first = await open(a.page);
    expect(first.resumed).toBe(false);
    await a.page.reload();
    await a.page.waitForFunction(() => 'lk' in globalThis);
    const again = await open(a.page);
    expect(again).toMatchObject({ client: first.client, resumed: true, task: first.task });
    const b = await tab(ctx);
    const other = await open(b.page);
    expect(other.client).not.toBe(first.client);
    expect(other.resumed).toBe(false);
    expect(other.item).not.toBe(first.item);
    await ctx.close();
  }, 120_000);
});
