// Submits while full snapshots are written (issue #18's "submit within one frame", at the moments a
// checkpoint lands): `npx tsx bench/submit-snapshot.ts [--sizes=100000,500000] [--submits=600,2600]
// [--pace=30] [--before=<rev>]`. In headless Chromium, through the public API on the IndexedDB store
// (bench/reopen-idb/page.ts, `lk.paced`): a project of N items, then one-item tasks submitted with
// submitAndNext at a labeler's pace (`--pace` ms between submits), the next task taken as soon as it
// is handed and `confirmed` left to settle in the background, as a page does. Enough submits to
// cross at least two automatic full snapshots (one per itemCount / 200 tail events). Reported: the
// call → next-task time of every submit (median, p99, worst), those of the submits that started
// while a snapshot was being encoded or written, the snapshot writes, and the main thread's long
// tasks. With `--before=<rev>` the same page is also built from the core of <rev> (a git worktree)
// and each size runs on both, alternating, in the same browser.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright';
import { eqArg, numbers } from './lib/args.js';
import { bundlePage, launchChromium, serveStatic } from './lib/browser.js';

const SIZES = numbers('sizes', [100_000, 500_000]);
const SUBMITS = numbers('submits', [600, 2_600]);
const PACE = numbers('pace', [30])[0]!;
const BEFORE = eqArg('before');

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.bench-out', 'submit-snapshot');
mkdirSync(out, { recursive: true });

const bundle = (name: string, coreRoot: string) =>
  bundlePage({ root, entry: 'bench/reopen-idb/page.ts', outdir: out, name, alias: { '@labelkit/core': join(coreRoot, 'packages/core/src/index.ts') } });

await bundle('page', root);
if (BEFORE) {
  const tree = join(root, '.cache', `before-${BEFORE}`);
  if (!existsSync(tree)) {
    execFileSync('git', ['worktree', 'add', '--detach', tree, BEFORE], { cwd: root, stdio: 'ignore' });
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  }
  await bundle('before', tree);
}
const { base, server } = await serveStatic([['/', out + '/']]);
const browser = await launchChromium();

type Paced = Awaited<ReturnType<typeof import('./reopen-idb/page.js').lk.paced>>;

async function run(variant: string, n: number, submits: number): Promise<Paced> {
  const ctx = await browser.newContext();
  const page: Page = await ctx.newPage();
  await page.goto(`${base}${variant}.html`);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  const r = (await page.evaluate(
    ({ n, submits, pace }) => (window as unknown as { lk: { paced(db: string, n: number, s: number, p: number): Promise<Paced> } }).lk.paced('paced', n, submits, pace),
    { n, submits, pace: PACE },
  )) as Paced;
  await ctx.close();
  return r;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], q: number) => (xs.length ? sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * q))]! : NaN);
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

function summarize(r: Paced) {
  // A submit "meets" a snapshot when it starts during the snapshot's encoding or write: from the
  // end of the submit before the write began (the encode runs in the idle time before the put) to
  // the put's end.
  const during: number[] = [];
  r.starts.forEach((t, i) => {
    const end = t + r.latencies[i]!;
    if (r.snapshots.some((s) => end >= s.at - 250 && t <= s.at + s.ms)) during.push(r.latencies[i]!);
  });
  return {
    submits: r.latencies.length,
    p50: pct(r.latencies, 0.5),
    p99: pct(r.latencies, 0.99),
    max: Math.max(...r.latencies),
    worst3: sorted(r.latencies)
      .slice(-3)
      .map((x) => +x.toFixed(1)),
    over16: r.latencies.filter((x) => x > 16.7).length,
    snapshots: r.snapshots.length,
    snapshotMb: r.snapshots[0]?.mb ?? 0,
    snapshotPutMs: r.snapshots.map((s) => Math.round(s.ms)),
    duringMax: during.length ? Math.max(...during) : NaN,
    during: during.length,
    longTasks: r.longTasks.length,
    longestTask: r.longTasks.length ? Math.max(...r.longTasks.map((t) => t.ms)) : 0,
  };
}

const load = loadavg()[0]!;
const rows: Record<string, unknown>[] = [];
for (const [k, n] of SIZES.entries()) {
  const submits = SUBMITS[k] ?? SUBMITS[SUBMITS.length - 1]!;
  for (const variant of BEFORE ? ['before', 'page'] : ['page']) {
    const s = summarize(await run(variant, n, submits));
    rows.push({ variant: variant === 'page' ? 'this tree' : BEFORE, items: n, ...s });
    console.log(
      `${String(n).padStart(7)} items, ${variant === 'page' ? 'this tree' : `before (${BEFORE})`}: ${s.submits} submits, call → next task p50 ${f(s.p50)} · p99 ${f(s.p99)} · worst ${s.worst3.join(' / ')} ms, ${s.over16} over 16.7 ms; ` +
        `${s.snapshots} snapshots (${s.snapshotMb.toFixed(1)} MB, put ${s.snapshotPutMs.join('/')} ms), the ${s.during} submits meeting one: worst ${f(s.duringMax)} ms; ${s.longTasks} long tasks, longest ${f(s.longestTask)} ms`,
    );
  }
}
server.close();
await browser.close();
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/submit-snapshot.json'),
  JSON.stringify({ date: new Date().toISOString(), load: [load, loadavg()[0]], pace: PACE, before: BEFORE ?? null, rows }, null, 1) + '\n',
);
