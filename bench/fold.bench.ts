// Fold benchmark: what replaying a checkpoint's tail costs when a project reopens (issue #18:
// "if a tail must be replayed, fold it fast — measure events/s"). A 100k-item project (memory store)
// is snapshotted, then labeled through the public API (1-item tasks: `task.assigned` +
// `labels.submitted` per submit); those events are written as a real tail (`encodeTail`) and replayed
// the way an open does: decode the tail (CRC-32, JSON.parse, upcast), then `ProjectState.apply` each
// event onto the decoded snapshot. Against, in the same process and loop: a naive fold — items as an
// array of objects (built before its clock starts), tasks in a Map — over the same parsed events.
// GCs during each fold are counted (Node's `gc` performance entries).
//   npx tsx --conditions=source bench/fold.bench.ts [--quick]
import { mkdirSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { MemoryStore, ProjectRegistry, listAll, type JournalEvent } from '@labelkit/core';
import { decodeTail, encodeTail } from '../packages/core/src/checkpoint.js';
import { decodeSnapshot } from '../packages/core/src/state/snapshot.js';

const quick = process.argv.includes('--quick');
const N = 100_000;
const SUBMITS = quick ? [1_000, 5_000] : [1_000, 5_000, 10_000];
const ROUNDS = quick ? 3 : 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let gcs = { minor: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === 1) gcs.minor++;
    else gcs.major++;
  }
}).observe({ entryTypes: ['gc'] });
/** Counts the GCs `fn` causes (entries are delivered asynchronously: wait a macrotask). */
async function countGcs(fn: () => void): Promise<{ minor: number; major: number }> {
  await new Promise((r) => setImmediate(r));
  gcs = { minor: 0, major: 0 };
  fn();
  await new Promise((r) => setImmediate(r));
  return { ...gcs };
}

interface NaiveItem {
  path: string;
  status: 'todo' | 'labeled';
  labels: unknown;
  by?: string;
  at?: number;
  task?: string;
}
/** The naive fold: an object per item (built before the clock starts, as ours starts from its snapshot), a Map of tasks. */
function naiveFold(items: NaiveItem[], events: readonly JournalEvent[]): NaiveItem[] {
  const tasks = new Map<string, { items: number[]; by: string; expiresAt: number }>();
  for (const e of events) {
    if (e.type === 'task.assigned') {
      tasks.set(e.task, { items: e.items, by: e.by, expiresAt: e.expiresAt });
      for (const i of e.items) items[i]!.task = e.task;
    } else if (e.type === 'labels.submitted') {
      e.items.forEach((i, k) => Object.assign(items[i]!, { status: 'labeled', labels: e.annotations[k], by: e.by, at: e.at, task: undefined }));
      if (e.task) tasks.delete(e.task);
    }
  }
  return items;
}

async function scenario(submits: number) {
  const store = new MemoryStore();
  const p = await new ProjectRegistry(store).create(
    { name: 'fold', kind: 'image-classification-multiclass', labels: ['cat', 'dog', 'bird'], seed: 7 },
    { actor: { id: 'owner', role: 'owner' }, snapshotEvery: 0, clientId: 'bench' },
  );
  const paths = Array.from({ length: N }, (_, i) => `images/batch-${(i / 1000) | 0}/img_${String(i).padStart(7, '0')}.jpg`);
  await p.addItems(paths.map((path) => ({ path })));
  await p.snapshot();
  const snapKey = (await listAll(store, `projects/${p.id}/snapshots/`)).map((e) => e.key).find((k) => k.endsWith('.snap'))!;
  const snap = (await store.get(snapKey))!.bytes;
  const events: JournalEvent[] = [];
  p.subscribe((c) => events.push(...c.events));
  for (let k = 0; k < submits; k++) {
    const t = (await p.nextTask({ size: 1 }))!;
    await p.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: ['cat', 'dog', 'bird'][k % 3]! }] }]);
  }
  await p.close();
  const tail = encodeTail(snapKey, {}, events);

  const decodeMs: number[] = [];
  const foldMs: number[] = [];
  const naiveMs: number[] = [];
  let foldGc = { minor: 0, major: 0 };
  let naiveGc = { minor: 0, major: 0 };
  let check = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    const decoded = decodeTail(tail, snapKey)!;
    decodeMs.push(performance.now() - t);
    const { state } = decodeSnapshot(snap.slice()); // the state is views on these bytes, written in place
    const g1 = await countGcs(() => {
      t = performance.now();
      for (const e of decoded.events) state.apply(e);
      foldMs.push(performance.now() - t);
    });
    check += state.stats(Date.now()).counts.labeled;
    const again = decodeTail(tail, snapKey)!.events;
    const fresh: NaiveItem[] = paths.map((path) => ({ path, status: 'todo', labels: null }));
    const g2 = await countGcs(() => {
      t = performance.now();
      const items = naiveFold(fresh, again);
      naiveMs.push(performance.now() - t);
      check -= items.filter((i) => i.status === 'labeled').length;
    });
    if (r === ROUNDS - 1) [foldGc, naiveGc] = [g1, g2];
  }
  if (check !== 0) throw new Error(`the folds disagree on labeled items (${check})`);
  const fold = median(foldMs);
  const naive = median(naiveMs);
  return {
    submits,
    events: events.length,
    tailKB: tail.byteLength / 1024,
    decodeMs: median(decodeMs),
    foldMs: fold,
    eventsPerSec: events.length / (fold / 1000),
    naiveFoldMs: naive,
    naiveEventsPerSec: events.length / (naive / 1000),
    foldGc,
    naiveGc,
  };
}

const results = [];
for (const s of SUBMITS) results.push(await scenario(s));
console.log(`\nFold benchmark — ${N.toLocaleString('en')} items, median of ${ROUNDS}; GCs counted in the last round\n`);
console.log('| submits (events) | tail | decode (CRC + parse + upcast) | fold | events/s | naive fold | naive events/s | naive ÷ ours | GCs ours · naive (minor/major) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of results)
  console.log(
    `| ${r.submits.toLocaleString('en')} (${r.events.toLocaleString('en')}) | ${r.tailKB.toFixed(0)} KB | ${r.decodeMs.toFixed(1)} ms | ${r.foldMs.toFixed(1)} ms | ${(r.eventsPerSec / 1e6).toFixed(2)} M | ${r.naiveFoldMs.toFixed(1)} ms | ${(r.naiveEventsPerSec / 1e6).toFixed(2)} M | ${(r.naiveFoldMs / r.foldMs).toFixed(1)}× | ${r.foldGc.minor}/${r.foldGc.major} · ${r.naiveGc.minor}/${r.naiveGc.major} |`,
  );
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/fold.json', import.meta.url), JSON.stringify({ at: new Date().toISOString(), items: N, rounds: ROUNDS, results }, null, 2));
