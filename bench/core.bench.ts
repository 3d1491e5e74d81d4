// Core benchmark: build a project from a listing, open it from a snapshot, next-task latency,
// submits per second and memory, at 10k / 100k / 500k items — against a naive baseline (an array
// of item objects with a JSON snapshot and a linear-scan queue) measured in the same run.
// Each (scale, implementation) runs in its own child process so heap figures are clean.
//   npx tsx --conditions=source bench/core.bench.ts [--quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MemoryStore, ProjectRegistry, listAll, type Annotation, type ItemRef } from '@labelkit/core';
import { FsStore } from '@labelkit/core/node';

const SCALES = process.argv.includes('--quick') ? [10_000, 100_000] : [10_000, 100_000, 500_000];
const TASKS = 2000;

type Result = {
  impl: string;
  n: number;
  buildMs: number;
  snapshotMB: number;
  openMs: number;
  openHeapMB: number;
  nextP50us: number;
  nextP99us: number;
  submitsPerSec: number;
};

function listing(n: number): ItemRef[] {
  const out: ItemRef[] = new Array(n);
  for (let i = 0; i < n; i++)
    out[i] = {
      path: `datastore/images/batch-${(i / 1000) | 0}/img_${String(i).padStart(7, '0')}.jpg`,
      etag: `"0x8D${i.toString(16).padStart(12, '0')}"`,
      size: 50_000 + (i % 9973),
      lastModified: 1_700_000_000_000 + i,
    };
  return out;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function memMB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

const ann = (k: number): Annotation[] => [{ kind: 'class', label: ['cat', 'dog', 'bird'][k % 3] }];

/** Child 1: build from a listing, label 10 %, snapshot to a folder, then time next-task/submit (memory store). */
async function labelkitBuild(n: number, dir: string): Promise<Omit<Result, 'openMs' | 'openHeapMB'>> {
  const refs = listing(n);
  const mem = new MemoryStore();
  const reg = new ProjectRegistry(mem);
  const owner = { actor: { id: 'owner', role: 'owner' as const }, snapshotEvery: 0, clientId: 'bench' };
  const t0 = performance.now();
  const p = await reg.create({ name: 'bench', kind: 'image-classification-multiclass', labels: ['cat', 'dog', 'bird'], seed: 42 }, owner);
  await p.addItems(refs);
  const buildMs = performance.now() - t0;
  // Label a tenth of the project so the snapshot carries labels.
  const pre = Math.floor(n / 10);
  for (let k = 0; k < pre; k += 9) {
    const t = await p.nextTask({ size: 9 });
    if (!t) break;
    await p.submit(
      t.id,
      t.items.map((x, j) => ({ item: x.index, annotations: ann(k + j) })),
    );
  }
  await p.snapshot();
  const fs = new FsStore(dir);
  let snapshotBytes = 0;
  for (const e of await listAll(mem, '')) {
    const o = (await mem.get(e.key))!;
    if (e.key.includes('/snapshots/')) snapshotBytes = o.bytes.byteLength;
    await fs.put(e.key, o.bytes);
  }
  writeFileSync(join(dir, 'project-id'), p.id);
  const { p50, p99, perSec } = await timeTasks(
    async () => (await p.nextTask({ size: 1 }))!,
    async (t, k) => p.submit(t.id, [{ item: t.items[0].index, annotations: ann(k) }]),
  );
  return { impl: 'labelkit', n, buildMs, snapshotMB: snapshotBytes / 2 ** 20, nextP50us: p50, nextP99us: p99, submitsPerSec: perSec };
}

/** Child 2: open from the snapshot folder in a fresh process; memory is what the open project holds. */
async function labelkitOpen(dir: string): Promise<{ openMs: number; openHeapMB: number }> {
  const before = memMB();
  const t0 = performance.now();
  const id = readFileSync(join(dir, 'project-id'), 'utf8');
  const opened = await new ProjectRegistry(new FsStore(dir)).open(id, { actor: { id: 'lab', role: 'labeler' }, clientId: 'reader' });
  const openMs = performance.now() - t0;
  const openHeapMB = memMB() - before;
  if (!opened.openReport.fromSnapshot) throw new Error('did not open from the snapshot');
  // Keep the project alive across the measurement.
  if (opened.stats().total < 1) throw new Error('empty');
  return { openMs, openHeapMB };
}

/** Warm up, then time TASKS next-task calls (µs) and the submits between them. */
async function timeTasks<T>(next: () => Promise<T>, submit: (t: T, k: number) => Promise<unknown>) {
  for (let k = 0; k < 500; k++) await submit(await next(), k);
  const lat: number[] = [];
  let submitMs = 0;
  for (let k = 0; k < TASKS; k++) {
    const a = performance.now();
    const t = await next();
    lat.push((performance.now() - a) * 1000);
    const b = performance.now();
    await submit(t, k);
    submitMs += performance.now() - b;
  }
  return { p50: pct(lat, 50), p99: pct(lat, 99), perSec: TASKS / (submitMs / 1000) };
}

function naiveOpen(dir: string): { openMs: number; openHeapMB: number } {
  const before = memMB();
  const t0 = performance.now();
  const opened = JSON.parse(readFileSync(join(dir, 'naive.json'), 'utf8')) as { items: { path: string }[]; order: number[] };
  const index = new Map(opened.items.map((it, i) => [it.path, i]));
  const openMs = performance.now() - t0;
  const openHeapMB = memMB() - before;
  if (index.size !== opened.items.length) throw new Error('naive open failed');
  return { openMs, openHeapMB };
}

/** The baseline a first version would write: item objects, JSON snapshot, a scan for the next free item. */
async function naive(n: number, dir: string): Promise<Result> {
  type Item = { path: string; etag?: string; size?: number; lastModified?: number; state: string; lane: string; labels?: Annotation[]; lease?: { user: string; until: number } };
  const refs = listing(n);
  const journal: string[] = [];
  const t0 = performance.now();
  const items: Item[] = [];
  const byPath = new Map<string, number>();
  for (const r of refs) {
    if (byPath.has(r.path)) continue;
    byPath.set(r.path, items.length);
    items.push({ ...r, state: 'todo', lane: 'manual' });
  }
  // Shuffle an index order once (same as ours).
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  journal.push(JSON.stringify({ type: 'items.added', paths: refs.map((r) => r.path) }));
  const buildMs = performance.now() - t0;
  const next = (user: string, now: number) => {
    for (const i of order) {
      const it = items[i];
      if (it.state === 'todo' && (!it.lease || it.lease.until <= now)) {
        it.lease = { user, until: now + 900_000 };
        journal.push(JSON.stringify({ type: 'task.assigned', item: i, user }));
        return i;
      }
    }
    return -1;
  };
  // The same 10 % labeled as in ours: the first tenth of the queue order.
  for (let k = 0; k < Math.floor(n / 10); k++) {
    const it = items[order[k]];
    it.state = 'labeled';
    it.labels = ann(k);
  }
  const file = join(dir, 'naive.json');
  writeFileSync(file, JSON.stringify({ items, order }));
  const snapshotMB = readFileSync(file).byteLength / 2 ** 20;
  const { p50, p99, perSec } = await timeTasks(
    async () => next('u', Date.now()),
    async (i, k) => {
      items[i].state = 'labeled';
      items[i].labels = ann(k);
      items[i].lease = undefined;
      journal.push(JSON.stringify({ type: 'labels.submitted', item: i, labels: items[i].labels }));
    },
  );
  return { impl: 'naive', n, buildMs, snapshotMB, openMs: 0, openHeapMB: 0, nextP50us: p50, nextP99us: p99, submitsPerSec: perSec };
}

async function child(step: string, arg: string): Promise<void> {
  let r: unknown;
  if (step === 'labelkit-build') r = await labelkitBuild(Number(arg.split(':')[0]), arg.split(':')[1]);
  else if (step === 'naive-build') r = await naive(Number(arg.split(':')[0]), arg.split(':')[1]);
  else if (step === 'labelkit-open') r = await labelkitOpen(arg);
  else r = naiveOpen(arg);
  process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
}

function runChild<T>(step: string, arg: string): T {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', '--conditions=source', new URL(import.meta.url).pathname, '--child', step, arg],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`${step} ${arg} failed:\n${r.stderr}`);
  return JSON.parse(line.slice(7)) as T;
}

function measure(impl: 'labelkit' | 'naive', n: number): Result {
  const dir = mkdtempSync(join(tmpdir(), 'lk-bench-'));
  try {
    const built = runChild<Result>(`${impl}-build`, `${n}:${dir}`);
    const opened = runChild<{ openMs: number; openHeapMB: number }>(`${impl}-open`, dir);
    return { ...built, ...opened };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const ci = process.argv.indexOf('--child');
  if (ci >= 0) return child(process.argv[ci + 1], process.argv[ci + 2]);
  const rows: Result[] = [];
  for (const n of SCALES) for (const impl of ['labelkit', 'naive'] as const) rows.push(measure(impl, n));
  const f = (x: number, d = 1) => x.toFixed(d);
  console.log('\nCore: build from a listing, open from a snapshot, next task, submit (labelkit vs naive baseline, same run)\n');
  console.log('| items | impl | build ms | snapshot MB | open ms | open heap+buffers MB | next p50 µs | next p99 µs | submits/s |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.n.toLocaleString('en')} | ${r.impl} | ${f(r.buildMs, 0)} | ${f(r.snapshotMB)} | ${f(r.openMs, 0)} | ${f(r.openHeapMB)} | ${f(r.nextP50us)} | ${f(r.nextP99us)} | ${f(r.submitsPerSec, 0)} |`,
    );
  console.log('\nRatios (naive ÷ labelkit; > 1 means labelkit is better):\n');
  console.log('| items | open time | open memory | next p99 | snapshot size |');
  console.log('|---|---|---|---|---|');
  for (const n of SCALES) {
    const a = rows.find((r) => r.n === n && r.impl === 'labelkit')!;
    const b = rows.find((r) => r.n === n && r.impl === 'naive')!;
    console.log(
      `| ${n.toLocaleString('en')} | ${f(b.openMs / a.openMs, 2)}× | ${f(b.openHeapMB / a.openHeapMB, 2)}× | ${f(b.nextP99us / a.nextP99us, 2)}× | ${f(b.snapshotMB / a.snapshotMB, 2)}× |`,
    );
  }
  const big = rows.find((r) => r.impl === 'labelkit' && r.n === SCALES[SCALES.length - 1])!;
  console.log(
    `\nGoals at ${big.n.toLocaleString('en')}: open ≤ 2000 ms → ${f(big.openMs, 0)} ms; heap ≤ 200 MB → ${f(big.openHeapMB)} MB; next-task p99 ≤ 1 ms → ${f(big.nextP99us / 1000, 3)} ms`,
  );
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/core.json', import.meta.url), JSON.stringify(rows, null, 2));
}

await main();
