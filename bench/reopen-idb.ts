// Reopen benchmark on IndexedDB (issue #18), run by `npm run bench -- reopen --idb [--quick]`:
// the rows of reopen.bench.ts in headless Chromium, on the browser's default store. Each project is
// built through the public API in one page (items added, then 1,000 or 10,000 tasks of one item
// labeled with submitAndNext, each confirmed before the next, idle checkpoints as they come), then
// reopened in fresh pages of the same browser profile, the clock running from `registry.open` to
// the project ready (the IndexedDB connection included), median of REPEATS:
// - "killed": the writer's renderer crashed (CDP Page.crash) right after the last submit was
//   confirmed — no close(), no flush, no pagehide: what a killed tab leaves;
// - "closed": then a writer reopened it and close()d it (its last checkpoint written);
// beside the naive baseline in the same run and browser: the project as one JSON document in
// IndexedDB, read, parsed and scanned for the next task (the IndexedDB connection included too).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/chromium.mjs';
import { eqArg, flag, numbers } from './lib/args.js';
import { bundlePage, launchChromium, serveStatic } from './lib/browser.js';
import type { OpenResult } from './reopen-idb/page.js';

const quick = flag('quick');
const SCALES = numbers('sizes', quick ? [10_000, 100_000] : [10_000, 100_000, 500_000]);
const SUBMITS = numbers('submits', quick ? [1_000] : [1_000, 10_000]);
const REPEATS = quick ? 3 : 5;

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.bench-out', 'reopen-idb');
mkdirSync(out, { recursive: true });
// --before=<rev>: the same page built with the IndexedDBStore of <rev> too; each project is then built
// and first reopened "killed" by that code, its large objects rewritten by this code, and reopened again.
const BEFORE = eqArg('before');
const bundle = (name: string, storeSource?: string) =>
  bundlePage({
    root,
    entry: 'bench/reopen-idb/page.ts',
    outdir: out,
    name,
    plugins: storeSource ? [{ name: 'store-of-rev', setup: (b) => b.onLoad({ filter: /store[\\/]indexeddb-store\.ts$/ }, () => ({ contents: storeSource, loader: 'ts' })) }] : [],
  });
await bundle('page');
if (BEFORE) await bundle('before', execFileSync('git', ['show', `${BEFORE}:packages/core/src/store/indexeddb-store.ts`], { cwd: root, encoding: 'utf8' }));
const { base, server } = await serveStatic([['/', out + '/']]);
// --persistent: each row in a browser on a profile folder of its own (IndexedDB on disk, as in a
// normal window); by default Playwright's fresh contexts, whose IndexedDB lives in memory (incognito).
const PERSISTENT = flag('persistent');
const browser = PERSISTENT ? undefined : await launchChromium();
async function newContext(): Promise<BrowserContext> {
  if (browser) return browser.newContext();
  const profile = mkdtempSync(join(tmpdir(), 'lk-reopen-idb-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  // Chromium may still be writing into the profile as the context closes: retry, and never let a
  // leftover temp folder end the run.
  ctx.once('close', () => {
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch {
      // left in the temp folder
    }
  });
  return ctx;
}

type Lk = typeof import('./reopen-idb/page.js').lk;
/** Calls window.lk[name](...args) in the page. */
function call<K extends keyof Lk>(page: Page, name: K, ...args: Parameters<Lk[K]>): ReturnType<Lk[K]> {
  return page.evaluate(({ name, args }) => (window as unknown as { lk: Record<string, (...a: unknown[]) => unknown> }).lk[name]!(...args), { name, args }) as ReturnType<Lk[K]>;
}

async function freshPage(ctx: BrowserContext, variant: 'page' | 'before' = 'page'): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${base}${variant}.html`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  return page;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Opens in REPEATS fresh pages; the median time and the last report. */
async function reopen(ctx: BrowserContext, db: string, id: string, variant: 'page' | 'before' = 'page'): Promise<OpenResult> {
  const runs: OpenResult[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const page = await freshPage(ctx, variant);
    runs.push(await call(page, 'open', db, id, `reader${r}`, { snapshotEvery: 0 }));
    await page.close();
  }
  return { ...runs[runs.length - 1]!, ms: median(runs.map((x) => x.ms)) };
}

async function naive(ctx: BrowserContext, n: number, submits: number): Promise<{ ms: number; mb: number }> {
  const writerPage = await freshPage(ctx);
  const chars = await call(writerPage, 'naiveWrite', n, submits);
  await writerPage.close();
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const page = await freshPage(ctx);
    times.push(await call(page, 'naiveOpen'));
    await page.close();
  }
  return { ms: median(times), mb: chars / 2 ** 20 };
}

const results: Record<string, unknown>[] = [];
const rows: string[] = [];
for (const n of SCALES) {
  for (const submits of SUBMITS) {
    if (n === 10_000 && submits > n / 2) continue;
    const ctx = await newContext();
    const load = loadavg()[0]!;
    const t0 = performance.now();
    const nv = await naive(ctx, n, submits);
    const db = `reopen-${n}-${submits}`;
    const writerPage = await freshPage(ctx, BEFORE ? 'before' : 'page');
    const built = await call(writerPage, 'build', db, n, submits);
    const buildS = (performance.now() - t0) / 1000;
    // Killed: the renderer crashes with the writer open, right after the last confirmed submit.
    const cdp = await ctx.newCDPSession(writerPage);
    const crashed = writerPage.waitForEvent('crash');
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;
    await writerPage.close().catch(() => undefined);
    let killedBefore: OpenResult | undefined;
    if (BEFORE) {
      killedBefore = await reopen(ctx, db, built.id, 'before');
      const migrator = await freshPage(ctx);
      await call(migrator, 'migrate', db, built.id);
      await migrator.close();
    }
    const killed = await reopen(ctx, db, built.id);
    // Closed: a writer opens it and closes it (its checkpoint written), as a page that was left does.
    const closer = await freshPage(ctx);
    await call(closer, 'open', db, built.id, 'writer');
    await closer.close();
    const closed = await reopen(ctx, db, built.id);
    const parts = await freshPage(ctx);
    const breakdown = await call(parts, 'breakdown', db, built.id);
    await parts.close();
    await ctx.close();
    const row = {
      items: n,
      submits,
      killedMs: killed.ms,
      killedReplayed: killed.replayed,
      killedFromSnapshot: killed.fromSnapshot,
      killedBeforeMs: killedBefore?.ms,
      closedMs: closed.ms,
      closedReplayed: closed.replayed,
      naiveMs: nv.ms,
      snapshot: breakdown,
      naiveMB: nv.mb,
      labeled: closed.labeled,
      submitP95Ms: built.submitP95,
      buildS,
      load1: load,
      loadEnd: loadavg()[0],
    };
    if (closed.labeled !== submits || killed.labeled !== submits) throw new Error(`expected ${submits} labeled, found ${killed.labeled} (killed) / ${closed.labeled} (closed)`);
    results.push(row);
    console.log(JSON.stringify(row));
    const b = killedBefore ? `${killedBefore.ms.toFixed(0)} | ${(killedBefore.ms / killed.ms).toFixed(1)}× | ` : '';
    const f = (x: number) => x.toFixed(0);
    rows.push(
      `| ${n.toLocaleString('en')} | ${submits.toLocaleString('en')} | ${f(closed.ms)} (${closed.replayed} ev) | ${f(killed.ms)} (${killed.replayed} ev) | ${b}${f(nv.ms)} | ${(nv.ms / closed.ms).toFixed(1)}× | ${(nv.ms / killed.ms).toFixed(1)}× | ${breakdown.mb.toFixed(1)} MB: ${f(breakdown.readMs)} / ${f(breakdown.crcMs)} / ${f(breakdown.decodeMs)} | ${built.submitP95.toFixed(1)} |`,
    );
  }
}
await browser?.close();
server.close();
console.log(`\nReopen on IndexedDB in Chromium (median of ${REPEATS} fresh pages, ms). "killed" = the writer's renderer crashed after its last confirmed submit.`);
const bh = BEFORE ? ` killed, ${BEFORE} | ${BEFORE} ÷ killed |` : '';
console.log(`| items | submits after build | closed | killed |${bh} naive JSON | naive ÷ closed | naive ÷ killed | snapshot: read / CRC / decode ms | submit→confirmed p95 ms |`);
console.log(`|---|---|---|---|${BEFORE ? '---|---|' : ''}---|---|---|---|---|`);
for (const r of rows) console.log(r);
writeFileSync(
  new URL(`./results/reopen-idb${PERSISTENT ? '-persistent' : ''}${quick ? '-quick' : ''}.json`, import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), repeats: REPEATS, before: BEFORE, persistent: PERSISTENT, results }, null, 2),
);
