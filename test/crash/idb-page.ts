// The page of idb-crash.test.ts: a labeler on the browser's IndexedDB store whose store wrapper asks
// the test (window.__kill, an exposed binding) to kill the whole browser inside the k-th checkpoint
// write (a snapshot or a tail) or the k-th write-behind journal segment of submitAndNext, either
// before that write is issued or while it is pending in IndexedDB. Each confirmed submission is
// reported (window.__confirmed) as soon as its `confirmed` settles.
import { IndexedDBStore, Project, ProjectRegistry, type ItemView, type Store } from '@labelkit/core';

export interface Plan {
  db: string;
  /** Which writes count towards `killAt`: checkpoints (a snapshot or a tail), snapshots only, or journal segments. */
  target: 'checkpoint' | 'snapshot' | 'journal';
  killAt: number;
  /** 'before': the write is never issued; 'pending': it is issued and the browser dies before it is acknowledged. */
  phase: 'before' | 'pending';
  tasks: number;
}

interface Bindings {
  __kill(key: string): Promise<void>;
  __confirmed(item: number, label: string): Promise<void>;
  __finished(): Promise<void>;
}
const w = window as unknown as Bindings;
const actor = { id: 'victim', role: 'owner' as const };
const hang = new Promise<never>(() => undefined);

/** Counts the writes the plan targets and has the browser killed at the chosen one. */
function killingStore(inner: Store, plan: Plan): Store & { arm(): void } {
  let armed = false;
  let count = 0;
  return {
    description: inner.description,
    tabScope: inner.tabScope,
    get: (k, o) => inner.get(k, o),
    delete: (k, o) => inner.delete(k, o),
    list: (p, o) => inner.list(p, o),
    arm: () => (armed = true),
    async put(key, bytes, options) {
      const kind = /\/snapshots\//.test(key) ? 'checkpoint' : /\/journal\//.test(key) ? 'journal' : 'other';
      const counted = plan.target === 'snapshot' ? kind === 'checkpoint' && key.endsWith('.snap') : kind === plan.target;
      if (!armed || !counted || ++count !== plan.killAt) return inner.put(key, bytes, options);
      if (plan.phase === 'pending') void inner.put(key, bytes, options).catch(() => undefined);
      void w.__kill(key);
      return hang; // the browser dies before this write is acknowledged
    },
  };
}

async function label(p: Project, tasks: number): Promise<void> {
  let task = await p.nextTask({ size: 1 });
  for (let k = 0; k < tasks && task; k++) {
    const item = task.items[0]!.index;
    const name = k % 2 ? 'cat' : 'dog';
    const { next, confirmed } = await p.submitAndNext(task.id, [{ item, annotations: [{ kind: 'class', label: name }] }], { size: 1 });
    // The labeler moves on at once; the submission is reported when it is durable.
    void confirmed.then(() => w.__confirmed(item, name)).catch(() => undefined);
    if (k % 3 === 2) await confirmed;
    // A pause now and then, as a labeler's: idle checkpoints run then.
    if (k % 5 === 4) await new Promise((r) => setTimeout(r, 2));
    task = next;
  }
}

/** A store that hides every checkpoint: the project is folded from its journal alone. */
function journalOnly(inner: Store): Store {
  const hidden = (k: string) => /\/snapshots\//.test(k);
  return {
    description: inner.description,
    get: (k, o) => (hidden(k) ? Promise.resolve(undefined) : inner.get(k, o)),
    put: (k, b, o) => inner.put(k, b, o),
    delete: (k, o) => inner.delete(k, o),
    async *list(prefix, o) {
      for await (const e of inner.list(prefix, o)) if (!hidden(e.key)) yield e;
    },
  };
}

const digest = (p: Project) => JSON.stringify([...p.items()].map((v: ItemView) => [v.index, v.state, v.labeledBy ?? null, JSON.stringify(v.annotations)]));

export const crash = {
  /** First run: creates the project (300 items) and a first checkpoint; then labels until the browser is killed. */
  async victim(plan: Plan): Promise<string> {
    const store = killingStore(new IndexedDBStore(plan.db), plan);
    const reg = new ProjectRegistry(store);
    const p = await reg.create({ name: 'crash', kind: 'image-classification-multiclass', labels: ['cat', 'dog'], seed: 5 }, { actor, clientId: 'victim', checkpointEvery: 8 });
    await p.addItems(Array.from({ length: 300 }, (_, i) => ({ path: `i/${i}.png`, size: i + 1 })));
    await p.flush();
    store.arm();
    void label(p, plan.tasks).then(() => w.__finished());
    return p.id;
  },

  /** After the kill: the project opened as a page does, and folded from the journal alone. */
  async reopen(db: string, id: string) {
    const t0 = performance.now();
    const p = await Project.load(new IndexedDBStore(db), id, { actor, clientId: 'auditor' });
    const openMs = performance.now() - t0;
    const truth = await Project.load(journalOnly(new IndexedDBStore(db)), id, { actor, clientId: 'auditor2', snapshotEvery: 0 });
    const items = [...p.items()].map((v) => ({
      index: v.index,
      state: v.state,
      labeledBy: v.labeledBy ?? null,
      labels: v.annotations.map((a) => (a.kind === 'class' ? a.label : a.kind)),
    }));
    const same = digest(p) === digest(truth);
    const statsSame = JSON.stringify(p.stats().counts) === JSON.stringify(truth.stats().counts);
    // The labeler carries on: the next task holds only items nobody labeled.
    const next = await p.nextTask({ size: 4 });
    const nextItems = next ? next.items.map((v) => items[v.index]!) : [];
    await p.close();
    return {
      openMs,
      report: {
        fromSnapshot: p.openReport.fromSnapshot,
        eventsReplayed: p.openReport.eventsReplayed,
        snapshotDamage: p.openReport.snapshotDamage,
        journalDamage: p.openReport.journalDamage.length,
      },
      truthFromSnapshot: truth.openReport.fromSnapshot,
      same,
      statsSame,
      items,
      nextItems,
    };
  },
};

(window as unknown as { crash: typeof crash }).crash = crash;
document.body.dataset.ready = 'true';
