// Crash windows of a shared project (issue #14): labeler processes killed inside a call, a done mark
// that cannot be written, two tabs of one user, a tab that lost its lease. Real Azurite, real
// processes, real SIGKILL. The long version (50 trials) is `npm run test:crash`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelkitError, Project, ProjectRegistry, type Store } from '@labelkit/core';
import { AzureBlobStore } from '@labelkit/core/azure';
import { azureTestEnv, type AzureTestEnv } from './setup.js';
import { runCrashTrials } from './crash.js';
import { itemsDigest } from './labelers.js';
import { LeaseBoard } from '../../packages/core/src/shared/lease-board.js';

let env: AzureTestEnv;
beforeAll(async () => {
  env = await azureTestEnv({ fastLookups: true });
});
afterAll(async () => {
  await env?.stop();
});

const TRIALS = Number(process.env.LABELKIT_CRASH_TRIALS ?? 10);

async function teamProject(items: number, leaseMs = 1_000) {
  const c = await env.container('w');
  const target = { containerUrl: c.url, sasToken: c.sas };
  const owner = await new ProjectRegistry(new AzureBlobStore(target)).create(
    { name: `t${Date.now()}${Math.random()}`, kind: 'image-classification-multiclass', labels: ['cat', 'dog'], queue: { leaseMs }, seed: 3 },
    { actor: { id: 'owner', role: 'owner' }, clientId: 'owner', shared: true, snapshotEvery: 0 },
  );
  await owner.addItems(Array.from({ length: items }, (_, i) => ({ path: `i/${i}.png`, size: 10 + i })));
  const open = (user: string, clientId: string, store: Store = new AzureBlobStore(target)) =>
    Project.load(store, owner.id, { actor: { id: user, role: 'labeler' }, clientId, shared: true, snapshotEvery: 0 });
  return { target, owner, open };
}

describe('crash windows on a shared project', () => {
  it(`${TRIALS} trials of SIGKILL inside nextTask, submit, skip and lease renewal: nothing lost, nothing done twice`, async () => {
    const outcomes = await runCrashTrials(env, { trials: TRIALS, seed: 11, log: (s) => console.log(s) });
    expect(outcomes).toHaveLength(TRIALS);
    // The kills really happened (inside calls), and work had been confirmed before them.
    expect(outcomes.filter((o) => !o.external && !o.killed)).toEqual([]);
    expect(outcomes.filter((o) => o.killed).length).toBeGreaterThanOrEqual(Math.ceil(TRIALS * 0.8));
    expect(outcomes.reduce((n, o) => n + o.acked, 0)).toBeGreaterThan(0);
    for (const o of outcomes) {
      expect(o.labeledTwice, `trial ${o.trial} ${JSON.stringify(o.plan)}`).toEqual([]);
      expect(o.lostConfirmed, `trial ${o.trial}`).toEqual([]);
      expect(o.liveEqualsFresh, `trial ${o.trial}`).toBe(true);
      expect(o.unfinished, `trial ${o.trial}`).toBe(0);
    }
  }, 600_000);

  it('a done mark that cannot be written: the submission stands and is never labeled again', async () => {
    const { target, owner, open } = await teamProject(4);
    // A's store fails every write that marks a lease done (as a 503 storm would, after retries).
    const inner = new AzureBlobStore(target);
    let refused = 0;
    const flaky: Store = {
      description: inner.description,
      get: (k, o) => inner.get(k, o),
      delete: (k, o) => inner.delete(k, o),
      list: (p, o) => inner.list(p, o),
      put(key, bytes, options) {
        if (key.includes('/leases/') && new TextDecoder().decode(bytes).includes('"state":"done"')) {
          refused++;
          return Promise.reject(new LabelkitError('E_STORE_WRITE', 'injected: done mark refused'));
        }
        return inner.put(key, bytes, options);
      },
    };
    const a = await open('user-a', 'a', flaky);
    const b = await open('user-b', 'b');
    const done: number[] = [];
    for (let k = 0; k < 2; k++) {
      const t = (await a.nextTask({ size: 1 }))!;
      await a.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: 'cat' }] }]);
      done.push(t.items[0]!.index);
    }
    expect(refused).toBeGreaterThan(0);
    // B labels everything it is handed, without syncing, including after A's leases ran out.
    const got: number[] = [];
    for (let quietSince = Date.now(); Date.now() - quietSince < 3_000;) {
      const t = await b.nextTask({ size: 1 });
      if (!t) {
        await new Promise((r) => setTimeout(r, 50)); // polling the queue, as a labeler's next click would
        continue;
      }
      quietSince = Date.now();
      got.push(t.items[0]!.index);
      await b.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: 'dog' }] }]);
    }
    expect(got).toHaveLength(2);
    expect(got.filter((i) => done.includes(i))).toEqual([]);
    await a.sync();
    await b.sync();
    const fresh = await Project.load(new AzureBlobStore(target), owner.id, { actor: { id: 'auditor', role: 'owner' }, clientId: 'auditor', shared: true });
    for (const i of done) expect(fresh.item(i)).toMatchObject({ state: 'labeled', labeledBy: 'user-a' });
    expect(itemsDigest(fresh)).toBe(itemsDigest(b));
    expect(itemsDigest(fresh)).toBe(itemsDigest(a));
  }, 120_000);

  it('one user in two tabs (two clients) never gets the same task; a reload of a tab resumes its own', async () => {
    const { open } = await teamProject(6, 60_000);
    const tab1 = await open('user-u', 'tab1');
    const tab2 = await open('user-u', 'tab2');
    const t1 = (await tab1.nextTask({ size: 1 }))!;
    const t2 = (await tab2.nextTask({ size: 1 }))!;
    expect(t2.id).not.toBe(t1.id);
    expect(t2.items[0]!.index).not.toBe(t1.items[0]!.index);
    await tab1.submit(t1.id, [{ item: t1.items[0]!.index, annotations: [{ kind: 'class', label: 'cat' }] }]);
    await tab2.submit(t2.id, [{ item: t2.items[0]!.index, annotations: [{ kind: 'class', label: 'dog' }] }]);
    const t3 = (await tab1.nextTask({ size: 1 }))!;
    const reloaded = await open('user-u', 'tab1');
    expect(reloaded.currentTask()?.id).toBe(t3.id);
    const other = await open('user-u', 'tab3');
    expect(other.currentTask()).toBeUndefined();
    await reloaded.submit(t3.id, [{ item: t3.items[0]!.index, annotations: [{ kind: 'class', label: 'cat' }] }]);
    await tab2.sync();
    expect(tab2.stats().counts.labeled).toBe(3);
  }, 120_000);

  it('a tab whose lease was taken over is not stuck: the next task is new work', async () => {
    const { target, owner, open } = await teamProject(3, 60_000);
    const slow = await open('user-s', 'slow');
    const t = (await slow.nextTask({ size: 1 }))!;
    const item = t.items[0]!.index;
    // Another client takes the lease over (its clock says the lease ran out long ago).
    const thief = new LeaseBoard(new AzureBlobStore(target), owner.id, 'thief', { leaseMs: 60_000, now: () => Date.now() + 120_000 });
    expect((await thief.claim([String(item)])).granted).toBe(true);
    await expect(slow.renewLease(t.id)).rejects.toMatchObject({ code: 'E_LEASE_EXPIRED' });
    // The lost task is given up: nextTask hands out other work, never the same task again.
    const next = (await slow.nextTask({ size: 1 }))!;
    expect(next.id).not.toBe(t.id);
    expect(next.items[0]!.index).not.toBe(item);
    await slow.submit(next.id, [{ item: next.items[0]!.index, annotations: [{ kind: 'class', label: 'cat' }] }]);
    await expect(slow.submit(t.id, [{ item, annotations: [{ kind: 'class', label: 'cat' }] }])).rejects.toBeInstanceOf(LabelkitError);
    expect(slow.item(item).state).toBe('todo');
    const fresh = await Project.load(new AzureBlobStore(target), owner.id, { actor: { id: 'auditor', role: 'owner' }, clientId: 'auditor2', shared: true });
    expect(itemsDigest(fresh)).toBe(itemsDigest(slow));
  }, 120_000);
});
