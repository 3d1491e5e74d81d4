// End-to-end, a team on Azure Blob (Azurite) in Chromium: the owner uploads a folder of images into
// the container from the dashboard's Details tab (progress bar, a file that is not an image left
// out), two labelers in two browser contexts label it in consensus 2 through <label-queue> (kai
// disagrees with lee on the blue images), and the owner settles the disagreements in the Data tab by
// taking lee's answer. Screenshots land in test-results/e2e/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { BlobServiceClient } from '@azure/storage-blob';
import type { Browser, Page } from 'playwright';
import { solidPng } from '../../examples/vanilla/scripts/png.mjs';
import { startAzurite, type AzuriteHandle } from '../azure/azurite.js';
import { containerSas } from '../azure/setup.js';
import { launch, watchErrors } from './harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${root}test-results/e2e/`;
const COLOURS = { red: [220, 30, 30], green: [30, 180, 60], blue: [30, 60, 220] } as const;
const N = 12;
let azurite: AzuriteHandle;
let server: Server;
let url = '';
let browser: Browser;
let work: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'lk-team-e2e-'));
  // The folder the owner uploads: 12 images (4 of each colour) in two subfolders, and a note.
  const photos = join(work, 'photos');
  for (let i = 0; i < N; i++) {
    const [name, rgb] = Object.entries(COLOURS)[i % 3];
    mkdirSync(join(photos, `day${1 + (i % 2)}`), { recursive: true });
    writeFileSync(join(photos, `day${1 + (i % 2)}`, `${name}_${String(i).padStart(2, '0')}.png`), solidPng(48, 32, rgb));
  }
  writeFileSync(join(photos, 'notes.txt'), 'not an image');

  azurite = await startAzurite();
  const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  await service.setProperties({
    cors: [{ allowedOrigins: '*', allowedMethods: 'DELETE,GET,HEAD,MERGE,OPTIONS,PUT,POST', allowedHeaders: '*', exposedHeaders: '*', maxAgeInSeconds: 3600 }],
  });
  await service.getContainerClient('team').create();

  const dist = join(work, 'dist');
  mkdirSync(dist);
  copyFileSync(`${root}test/e2e/team/index.html`, join(dist, 'index.html'));
  await build({
    entryPoints: [`${root}test/e2e/team/main.ts`],
    outdir: dist,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    splitting: true,
    conditions: ['source', 'browser'],
    external: ['fs', 'path', 'module', 'url', 'crypto', 'worker_threads', 'node:*'],
    tsconfig: `${root}tsconfig.base.json`,
    logLevel: 'warning',
  });
  writeFileSync(join(dist, 'config.json'), JSON.stringify({ containerUrl: `${azurite.blobEndpoint}/team`, sas: containerSas(azurite, 'team'), project: 'Colours' }));
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json' };
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/+/, '').replace(/\.\.+/g, '') || 'index.html';
    try {
      const body = readFileSync(join(dist, path));
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await azurite?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** What a labeler answers: lee the image's colour; kai says red for every blue image. */
function answer(user: string, path: string): number {
  const colour = Object.keys(COLOURS).find((c) => path.includes(c))!;
  const said = user === 'kai' && colour === 'blue' ? 'red' : colour;
  return Object.keys(COLOURS).indexOf(said) + 1; // keys 1, 2, 3
}

/** Labels in <label-queue> by keyboard until nothing is left for this labeler; returns the items answered. */
async function labelAll(page: Page, user: string): Promise<string[]> {
  const done: string[] = [];
  for (let round = 0; round < 40; round++) {
    await page.waitForFunction(() => {
      const q = document.querySelector('label-queue')!;
      return (!!q.currentTask && !!q.shadowRoot!.querySelector('[part~="tile"] img')) || !!q.shadowRoot!.querySelector('.message.empty');
    });
    const task = await page.evaluate(() =>
      document.querySelector('label-queue')!.currentTask?.items.map((i) => ({ id: document.querySelector('label-queue')!.currentTask!.id, path: i.path })),
    );
    if (!task?.length) {
      // Nothing for me now: others may still hold items I have not answered. Sync and look again.
      const left = await page.evaluate(async (me) => {
        const p = (globalThis as unknown as { team: { project: import('@labelkit/core').Project } }).team.project;
        await p.sync();
        return [...p.items()].filter((it) => (it.state === 'todo' || it.state === 'assigned') && !p.consensusOf(it.index)?.answers.some((a) => a.by === me)).length;
      }, user);
      if (!left) return done;
      await page.evaluate(() => document.querySelector('label-queue')!.reload());
      continue;
    }
    for (const it of task) await page.keyboard.press(String(answer(user, it.path)));
    await page.keyboard.press('Enter');
    done.push(...task.map((t) => t.path));
    await page.waitForFunction((id) => document.querySelector('label-queue')!.currentTask?.id !== id, task[0].id);
  }
  const state = await page.evaluate(async (me) => {
    const p = (globalThis as unknown as { team: { project: import('@labelkit/core').Project } }).team.project;
    const out = [];
    for (const it of p.items()) {
      const lease = await p.store.get(`projects/${p.id}/leases/${it.index}~${me}`);
      out.push(`${it.path} ${it.state} ${JSON.stringify(p.consensusOf(it.index)?.answers.map((a) => a.by) ?? [])} lease=${lease ? new TextDecoder().decode(lease.bytes) : '-'}`);
    }
    return out;
  }, user);
  throw new Error(`${user} did not finish: ${state.join('; ')}`);
}

describe('a team on Azure Blob: upload, consensus 2, review', () => {
  it('the owner uploads a folder, two labelers label it in consensus, the owner settles the disagreements', async () => {
    const ownerCtx = await browser.newContext();
    const owner = await ownerCtx.newPage();
    const errors = watchErrors(owner);
    await owner.goto(`${url}?user=olga&role=owner`);
    await owner.waitForSelector('body[data-ready]');

    // ── upload the folder from the Details tab ──
    await owner.locator('label-dashboard input[name="upload-folder"]').setInputFiles(join(work, 'photos'));
    await owner.locator('label-dashboard input[name="upload-prefix"]').fill('uploads/colours/');
    await owner.locator('label-dashboard button.upload').click();
    await owner.waitForSelector('label-dashboard .upload-report');
    const phase = await owner.locator('label-dashboard [part~="upload-progress"]').getAttribute('data-phase');
    expect(phase).toBe('done');
    expect(await owner.locator('label-dashboard .upload-report').textContent()).toContain(`${N} uploaded · 1 not images (left out) · ${N} new items, ${N} in all`);
    await owner.screenshot({ path: `${SHOTS}team-upload.png`, fullPage: true });
    const blobs: string[] = [];
    for await (const b of BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('team').listBlobsFlat({ prefix: 'uploads/' })) blobs.push(b.name);
    expect(blobs).toHaveLength(N);
    expect(blobs.every((b) => /^uploads\/colours\/photos\/day[12]\/(red|green|blue)_\d\d\.png$/.test(b))).toBe(true);

    // ── two labelers, two browser contexts, consensus 2 ──
    const pages = await Promise.all(
      ['lee', 'kai'].map(async (user) => {
        const ctx = await browser.newContext();
        const page = await ctx.newPage();
        errors.push(...watchErrors(page));
        await page.goto(`${url}?user=${user}`);
        await page.waitForSelector('body[data-ready]');
        return page;
      }),
    );
    const [lee, kai] = await Promise.all([labelAll(pages[0], 'lee'), labelAll(pages[1], 'kai')]);
    // Each labeler answered every item once.
    expect([lee.length, new Set(lee).size, kai.length, new Set(kai).size]).toEqual([N, N, N, N]);
    await pages[1].screenshot({ path: `${SHOTS}team-labeler-done.png`, fullPage: true });

    // ── the owner reviews: 4 blue images disagree; take lee's answer for each ──
    await owner.evaluate(() => (globalThis as unknown as { team: { project: import('@labelkit/core').Project } }).team.project.sync());
    const summary = await owner.evaluate(() => (globalThis as unknown as { team: { project: import('@labelkit/core').Project } }).team.project.consensusSummary());
    expect(summary).toEqual({ collecting: 0, agreed: 8, disagreed: 4, resolved: 0, agreementRate: 8 / 12 });
    await owner.locator('label-dashboard [role=tab]#tab-data').click();
    await owner.locator('label-dashboard select[name="state"]').selectOption('needs-review');
    await owner.waitForFunction(() => document.querySelector('label-dashboard')!.shadowRoot!.querySelectorAll('[part~="item"]').length === 4);
    await owner.screenshot({ path: `${SHOTS}team-review.png`, fullPage: true });
    for (let k = 0; k < 4; k++) {
      await owner.locator('label-dashboard [part~="consensus-answers"] [data-labeler="lee"] button.use-answer').first().click();
      await owner.waitForFunction((left) => document.querySelector('label-dashboard')!.shadowRoot!.querySelectorAll('[part~="item"]').length === left, 3 - k);
    }
    const after = await owner.evaluate(() => {
      const p = (globalThis as unknown as { team: { project: import('@labelkit/core').Project } }).team.project;
      const names = new Map(p.labels.map((l) => [l.id, l.name]));
      return {
        stats: p.stats().counts,
        summary: p.consensusSummary(),
        wrong: [...p.items()].filter((it) => !it.path.includes(names.get(it.annotations[0]?.label ?? '') ?? '?')).map((it) => it.path),
        labelers: p.labelerStats().map((s) => [s.labeler, s.items, s.agreed, s.decided]),
      };
    });
    expect(after.stats).toMatchObject({ labeled: N, 'needs-review': 0, todo: 0 });
    expect(after.summary).toMatchObject({ agreed: 8, disagreed: 0, resolved: 4 });
    expect(after.wrong).toEqual([]);
    expect(after.labelers).toEqual([
      ['kai', N, 8, 12],
      ['lee', N, 12, 12],
    ]);
    // The dashboard shows the consensus lane and the agreement rate.
    await owner.locator('label-dashboard [role=tab]#tab-dashboard').click();
    expect(await owner.locator('label-dashboard .agreement-rate').textContent()).toContain('66.7 %');
    await owner.screenshot({ path: `${SHOTS}team-dashboard.png`, fullPage: true });
    expect(errors.filter((e) => !/favicon|Failed to load resource/.test(e))).toEqual([]);
  }, 240_000);
});
