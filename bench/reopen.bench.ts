// Reopen benchmark (issue #18): how long a labeler waits to reopen a project in the state real work
// leaves it in — 1,000 or 10,000 submits after it was built, with no explicit snapshot() — on the
// file system (FsStore: fsync'd, atomic renames), against a naive baseline measured in the same
// run: the project as one JSON document, read and parsed whole.
// Three states per row: "closed" (close() wrote its last checkpoint), "killed" (the process died
// with up to checkpointEvery events not in a checkpoint: reopened while the writer is still open,
// as a crash leaves it), and "v1" (the old policy: a snapshot only every 5,000 events, no tails).
//   npm run bench -- reopen [-- --quick]
// The same rows on IndexedDB in Chromium: npm run bench -- reopen --idb (bench/reopen-idb.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ProjectRegistry, type ProjectOptions } from '@labelkit/core';
import { FsStore } from '@labelkit/core/node';

if (process.argv.includes('--idb')) {
  await import('./reopen-idb.js');
  process.exit(0);
}

const quick = process.argv.includes('--quick');
const SCALES = quick ? [10_000, 100_000] : [10_000, 100_000, 500_000];
const SUBMITS = quick ? [1_000] : [1_000, 10_000];
const REPEATS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function build(n: number, submits: number, options: Partial<ProjectOptions>): Promise<{ dir: string; id: string; close: () => Promise<void>; submitP95: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'lk-reopen-'));
  const reg = new ProjectRegistry(new FsStore(dir));
  const actor = { id: 'labeler', role: 'owner' as const };
  const p = await reg.create({ name: 'bench', kind: 'image-classification-multiclass', labels: ['cat', 'dog', 'bird'], seed: 42 }, { actor, clientId: 'writer', ...options });
  const refs = Array.from({ length: n }, (_, i) => ({ path: `datastore/images/batch-${(i / 1000) | 0}/img_${String(i).padStart(7, '0')}.jpg`, size: 50_000 + (i % 9973) }));
  await p.addItems(refs);
  const lat: number[] = [];
  for (let k = 0; k < submits; k++) {
    const t0 = performance.now();
    const t = (await p.nextTask())!;
    await p.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: ['cat', 'dog', 'bird'][k % 3]! }] }]);
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  return { dir, id: p.id, close: () => p.close(), submitP95: lat[Math.floor(lat.length * 0.95)] ?? 0 };
}

async function reopenMs(dir: string, id: string): Promise<{ ms: number; replayed: number }> {
  const times: number[] = [];
  let replayed = 0;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    const p = await new ProjectRegistry(new FsStore(dir)).open(id, { actor: { id: 'reader', role: 'owner' }, clientId: `reader${r}`, snapshotEvery: 0 });
    times.push(performance.now() - t0);
    replayed = p.openReport.eventsReplayed;
  }
  return { ms: median(times), replayed };
}

/** The naive way: one JSON document per project, rewritten on every submit, parsed whole on open. */
function naiveReopenMs(n: number, submits: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'lk-naive-'));
  const items = Array.from({ length: n }, (_, i) => ({
    path: `datastore/images/batch-${(i / 1000) | 0}/img_${String(i).padStart(7, '0')}.jpg`,
    size: 50_000 + (i % 9973),
    state: i < submits ? 'labeled' : 'todo',
    labels: i < submits ? [{ kind: 'class', label: ['cat', 'dog', 'bird'][i % 3] }] : [],
  }));
  const file = join(dir, 'project.json');
  writeFileSync(file, JSON.stringify({ name: 'bench', kind: 'image-classification-multiclass', labels: ['cat', 'dog', 'bird'], items }));
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { items: { state: string }[] };
    // …and find the next task, as the real open is ready to.
    doc.items.findIndex((it) => it.state === 'todo');
    times.push(performance.now() - t0);
  }
  rmSync(dir, { recursive: true, force: true });
  return median(times);
}

const rows: string[] = [];
const results: Record<string, unknown>[] = [];
for (const n of SCALES) {
  for (const submits of SUBMITS) {
    if (n === 10_000 && submits > n / 2) continue;
    const naive = naiveReopenMs(n, submits);
    const cur = await build(n, submits, {});
    const killed = await reopenMs(cur.dir, cur.id); // the writer never closed: as a crash leaves it
    await cur.close();
    const closed = await reopenMs(cur.dir, cur.id);
    rmSync(cur.dir, { recursive: true, force: true });
    const old = await build(n, submits, { checkpointEvery: Number.MAX_SAFE_INTEGER, checkpointAfterMs: 2 ** 31 - 1 });
    const v1 = await reopenMs(old.dir, old.id);
    rmSync(old.dir, { recursive: true, force: true });
    const row = {
      items: n,
      submits,
      closedMs: closed.ms,
      killedMs: killed.ms,
      killedReplayed: killed.replayed,
      v1Ms: v1.ms,
      v1Replayed: v1.replayed,
      naiveMs: naive,
      submitP95Ms: cur.submitP95,
    };
    results.push(row);
    rows.push(
      `| ${n.toLocaleString('en')} | ${submits.toLocaleString('en')} | ${closed.ms.toFixed(0)} | ${killed.ms.toFixed(0)} (${killed.replayed} ev) | ${v1.ms.toFixed(0)} (${v1.replayed} ev) | ${naive.toFixed(0)} | ${(naive / killed.ms).toFixed(1)}× | ${(v1.ms / killed.ms).toFixed(1)}× | ${cur.submitP95.toFixed(1)} |`,
    );
    console.log(JSON.stringify(row));
  }
}
console.log('\nReopen on FsStore (median of 3 opens, ms). "killed" = the writer never closed (a crash).');
console.log('| items | submits after build | closed | killed | v1 policy | naive JSON | naive ÷ killed | v1 ÷ killed | submit p95 ms |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
writeFileSync(new URL(`./results/reopen${quick ? '-quick' : ''}.json`, import.meta.url), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
