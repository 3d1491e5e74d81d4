// The page of the IndexedDB reopen benchmark (bench/reopen-idb.ts drives it through window.lk).
// Everything goes through the public API of @labelkit/core on its IndexedDB store; the naive
// baseline keeps the project as one JSON document in an IndexedDB database of its own.
import { IndexedDBStore, ProjectRegistry, crc32, decodeSnapshot, type Project } from '@labelkit/core';

const LABELS = ['cat', 'dog', 'bird'];
const pathOf = (i: number) => `datastore/images/batch-${(i / 1000) | 0}/img_${String(i).padStart(7, '0')}.jpg`;

export interface OpenResult {
  ms: number;
  replayed: number;
  fromSnapshot: boolean;
  damage: number;
  labeled: number;
}

let writer: Project | undefined;

function idb<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function openNaive(): Promise<IDBDatabase> {
  const r = indexedDB.open('naive', 1);
  r.onupgradeneeded = () => r.result.createObjectStore('kv');
  return idb(r);
}

export const lk = {
  /** Builds a project of `n` items and labels `submits` tasks of one item (submitAndNext, each confirmed before the next). */
  async build(db: string, n: number, submits: number, options: { checkpointEvery?: number; checkpointAfterMs?: number } = {}): Promise<{ id: string; submitP95: number }> {
    const reg = new ProjectRegistry(new IndexedDBStore(db));
    const p = await reg.create(
      { name: `bench-${n}-${submits}`, kind: 'image-classification-multiclass', labels: LABELS, seed: 42 },
      { actor: { id: 'labeler', role: 'owner' }, clientId: 'writer', ...options },
    );
    await p.addItems(Array.from({ length: n }, (_, i) => ({ path: pathOf(i), size: 50_000 + (i % 9973) })));
    let task = await p.nextTask({ size: 1 });
    const lat: number[] = [];
    for (let k = 0; k < submits && task; k++) {
      const t0 = performance.now();
      const { next, confirmed } = await p.submitAndNext(task.id, [{ item: task.items[0]!.index, annotations: [{ kind: 'class', label: LABELS[k % 3]! }] }], { size: 1 });
      await confirmed;
      lat.push(performance.now() - t0);
      task = next;
    }
    writer = p;
    lat.sort((a, b) => a - b);
    return { id: p.id, submitP95: lat[Math.floor(lat.length * 0.95)] ?? 0 };
  },

  /**
   * Submits `submits` one-item tasks through submitAndNext at a labeler's pace on a project of `n`
   * items, as a page does: the next task is shown when `next` is handed, `confirmed` settles in the
   * background. The store is the real IndexedDBStore, wrapped to time its snapshot writes (`.snap`).
   * Returns each submit's call → next-handed time, the snapshot writes, and the main thread's long
   * tasks (over 50 ms) during the run.
   */
  async paced(
    db: string,
    n: number,
    submits: number,
    paceMs: number,
  ): Promise<{ latencies: number[]; starts: number[]; snapshots: { at: number; ms: number; mb: number }[]; longTasks: { at: number; ms: number }[] }> {
    const inner = new IndexedDBStore(db);
    const snapshots: { at: number; ms: number; mb: number }[] = [];
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'put' && typeof v === 'function') {
          return async (key: string, bytes: Uint8Array, ...rest: unknown[]) => {
            const t0 = performance.now();
            const r = await (v as (...a: unknown[]) => Promise<unknown>).call(target, key, bytes, ...rest);
            if (key.endsWith('.snap')) snapshots.push({ at: t0, ms: performance.now() - t0, mb: bytes.byteLength / 2 ** 20 });
            return r;
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const reg = new ProjectRegistry(store);
    const p = await reg.create(
      { name: `paced-${n}`, kind: 'image-classification-multiclass', labels: LABELS, seed: 42 },
      { actor: { id: 'labeler', role: 'owner' }, clientId: 'writer' },
    );
    await p.addItems(Array.from({ length: n }, (_, i) => ({ path: pathOf(i), size: 50_000 + (i % 9973) })));
    await p.flush();
    snapshots.length = 0;
    const longTasks: { at: number; ms: number }[] = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ at: e.startTime, ms: e.duration });
    });
    obs.observe({ type: 'longtask', buffered: false });
    let task = await p.nextTask({ size: 1 });
    const latencies: number[] = [];
    const starts: number[] = [];
    const confirms: Promise<void>[] = [];
    for (let k = 0; k < submits && task; k++) {
      const t0 = performance.now();
      const { next, confirmed } = await p.submitAndNext(task.id, [{ item: task.items[0]!.index, annotations: [{ kind: 'class', label: LABELS[k % 3]! }] }], { size: 1 });
      latencies.push(performance.now() - t0);
      starts.push(t0);
      confirms.push(confirmed);
      task = next;
      // The labeler's think time before the next submit (a pace, not a wait for the page).
      await new Promise((r) => setTimeout(r, paceMs));
    }
    await Promise.all(confirms);
    await p.close();
    obs.disconnect();
    return { latencies, starts, snapshots, longTasks };
  },

  /** Closes the writer of `build` (its last checkpoint written). */
  async closeWriter(): Promise<void> {
    await writer?.close();
    writer = undefined;
  },

  /** Opens the project as a fresh page does: the registry on IndexedDB → the project ready. */
  async open(db: string, id: string, clientId: string, options: { snapshotEvery?: number } = {}): Promise<OpenResult> {
    const t0 = performance.now();
    const p = await new ProjectRegistry(new IndexedDBStore(db)).open(id, { actor: { id: 'reader', role: 'owner' }, clientId, ...options });
    const ms = performance.now() - t0;
    const r = p.openReport;
    const result = { ms, replayed: r.eventsReplayed, fromSnapshot: r.fromSnapshot, damage: r.snapshotDamage.length, labeled: p.stats().counts.labeled ?? 0 };
    if (options.snapshotEvery !== 0) await p.close(); // a writer: its checkpoint lands before the page goes
    return result;
  },

  /**
   * Rewrites the project's large objects through this page's store (the benchmark's "before" page
   * built them with an older IndexedDBStore): the same events, stored as this code stores them.
   */
  async migrate(db: string, id: string): Promise<number> {
    const store = new IndexedDBStore(db);
    const large: string[] = [];
    for await (const e of store.list(`projects/${id}/`)) if ((e.size ?? 0) >= 64 * 1024) large.push(e.key);
    for (const key of large) await store.put(key, (await store.get(key))!.bytes);
    await store.close();
    return large.length;
  },

  /** Where an open's time goes: the newest snapshot read from IndexedDB, its CRC-32, its decoding (CRC included). */
  async breakdown(db: string, id: string): Promise<{ readMs: number; mb: number; crcMs: number; decodeMs: number }> {
    const store = new IndexedDBStore(db);
    const keys: string[] = [];
    for await (const e of store.list(`projects/${id}/snapshots/`)) if (e.key.endsWith('.snap')) keys.push(e.key);
    const t0 = performance.now();
    const obj = (await store.get(keys[keys.length - 1]!))!;
    const t1 = performance.now();
    crc32(obj.bytes);
    const t2 = performance.now();
    decodeSnapshot(obj.bytes);
    const t3 = performance.now();
    await store.close();
    return { readMs: t1 - t0, mb: obj.bytes.byteLength / 2 ** 20, crcMs: t2 - t1, decodeMs: t3 - t2 };
  },

  /** The naive way: one JSON document, rewritten on every submit (written once here, in its final state). */
  async naiveWrite(n: number, submits: number): Promise<number> {
    const items = Array.from({ length: n }, (_, i) => ({
      path: pathOf(i),
      size: 50_000 + (i % 9973),
      state: i < submits ? 'labeled' : 'todo',
      labels: i < submits ? [{ kind: 'class', label: LABELS[i % 3] }] : [],
    }));
    const json = JSON.stringify({ name: 'bench', kind: 'image-classification-multiclass', labels: LABELS, items });
    const dbh = await openNaive();
    const tx = dbh.transaction('kv', 'readwrite');
    tx.objectStore('kv').put(json, 'project');
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    dbh.close();
    return json.length;
  },

  /** The naive open: the document read and parsed, and the next task found. */
  async naiveOpen(): Promise<number> {
    const t0 = performance.now();
    const dbh = await openNaive();
    const raw = await idb(dbh.transaction('kv').objectStore('kv').get('project') as IDBRequest<string>);
    const doc = JSON.parse(raw) as { items: { state: string }[] };
    doc.items.findIndex((it) => it.state === 'todo');
    const ms = performance.now() - t0;
    dbh.close();
    return ms;
  },

  /** Removes every database (between rows). */
  async wipe(): Promise<void> {
    for (const d of await indexedDB.databases()) {
      if (d.name) await idb(indexedDB.deleteDatabase(d.name) as IDBRequest<unknown>).catch(() => undefined);
    }
  },
};

(window as unknown as { lk: typeof lk }).lk = lk;
document.body.dataset.ready = 'true';
