// queue.order: 'informative' — the manual and clustered lanes serve the items ML assist ranked
// (`items.ranked`) first, in rank order, then the rest in the shuffled order; the ranking is fold
// state that survives a snapshot and a reopen, and no item is ever handed out twice.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Project } from './project.js';
import { ProjectRegistry } from './registry.js';
import { decodeSnapshot, encodeSnapshot } from './state/snapshot.js';
import { ProjectState } from './state/project-state.js';
import { MemoryStore } from './store/memory-store.js';
import type { Actor, QueueSettings } from './types.js';
import { stripSections } from '../test/strip-snapshot.js';

const owner: Actor = { id: 'olivia', role: 'owner' };

async function setup(order?: QueueSettings['order'], n = 20) {
  const store = new MemoryStore();
  const registry = new ProjectRegistry(store);
  const project = await registry.create(
    { name: `I ${Math.random()}`, kind: 'image-classification-multiclass', labels: ['cat', 'dog'], seed: 11, ...(order ? { queue: { order } } : {}) },
    { actor: owner, clientId: 'w' },
  );
  await project.addItems(Array.from({ length: n }, (_, i) => ({ path: `img/${String(i).padStart(3, '0')}.jpg` })));
  return { store, registry, project };
}

/** Every item in the order the queue hands them out, one per task, skipping each. */
async function drain(p: Project, size: 1 | 4 = 1): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    const t = await p.nextTask({ size });
    if (!t) return out;
    out.push(...t.items.map((x) => x.index));
    await p.skip(t.id);
  }
}

describe("queue.order: 'informative'", () => {
  it('is a validated project setting, shuffled by default', async () => {
    const { project, registry } = await setup();
    expect(project.queueSettings.order).toBeUndefined();
    await expect(project.updateQueue({ order: 'smart' as never })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(
      registry.create({ name: 'bad order', kind: 'image-classification-multiclass', labels: ['a'], queue: { order: 42 as never } }, { actor: owner }),
    ).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    expect((await project.updateQueue({ order: 'informative' })).order).toBe('informative');
    const again = await registry.open(project.id, { actor: owner });
    expect(again.queueSettings.order).toBe('informative');
    expect((await again.updateQueue({ order: 'shuffled' })).order).toBe('shuffled');
  });

  it('serves the ranked items first in rank order, then the rest in the shuffled order', async () => {
    const plain = await setup();
    const shuffled = await drain(plain.project);
    const { project } = await setup('informative');
    // Labeled and unknown items are left out of a ranking; repeats count once.
    const t = (await project.nextTask())!;
    const first = t.items[0]!.index;
    await project.submit(t.id, [{ item: first, annotations: [{ kind: 'class', label: project.labels[0].id }] }]);
    const ranking = [17, 3, first, 9, 3, 999, 0];
    expect(await project.rankItems('r1', ranking, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])).toBe(4);
    const served = await drain(project);
    expect(served.slice(0, 4)).toEqual([17, 3, 9, 0]);
    expect(served.slice(4)).toEqual(shuffled.filter((i) => i !== first && ![17, 3, 9, 0].includes(i)));
    // With the default order the same ranking changes nothing.
    const other = await setup();
    await other.project.rankItems('r1', [17, 3, 9, 0]);
    expect(await drain(other.project)).toEqual(shuffled);
  });

  it('a newer ranking replaces the last; pages of the clustered lane follow it too', async () => {
    const { project } = await setup('informative', 12);
    const cl = await project.startRun('clustering');
    await project.assignClusters(
      cl,
      Array.from({ length: 12 }, (_, item) => ({ item, cluster: item % 3 })),
    );
    await project.rankItems('r1', [1, 2, 3]);
    await project.rankItems('r2', [11, 4, 7, 2]);
    const t = (await project.nextTask({ size: 4 }))!;
    expect(t.lane).toBe('clustered');
    expect(t.items.map((x) => x.index)).toEqual([11, 4, 7, 2]);
    await project.skip(t.id);
    // The rest: the clustered lane's own order (a page per cluster), each item once.
    const rest = await drain(project, 4);
    expect([...rest].sort((a, b) => a - b)).toEqual([0, 1, 3, 5, 6, 8, 9, 10]);
  });

  it('keeps the ranking through a snapshot and a reopen, and reads snapshots written before it', async () => {
    const { registry, project } = await setup('informative');
    await project.rankItems('r1', [5, 14, 2]);
    await project.snapshot();
    const again = await registry.open(project.id, { actor: owner, clientId: 'w2' });
    expect((await drain(again)).slice(0, 3)).toEqual([5, 14, 2]);
    // The snapshot codec itself: the ranking round-trips, and a header without it opens (no ranking).
    const s = new ProjectState();
    let at = 1;
    const e = (x: object) => s.apply({ v: 1, at: at++, by: owner.id, ...x } as never);
    e({
      type: 'project.created',
      id: 'p',
      name: 'p',
      kind: project.kind,
      labels: project.labels,
      instructions: '',
      assist: project.assist,
      queue: project.queueSettings,
      seed: 11,
    });
    e({ type: 'items.added', batch: 0, paths: [...project.items()].map((it) => it.path) });
    e({ type: 'items.ranked', items: [5, 14, 2] });
    const bytes = encodeSnapshot(s, { segments: {} } as never);
    expect(decodeSnapshot(bytes).state.pick(3, ['manual'], 0)!.items).toEqual([5, 14, 2]);
    const old = decodeSnapshot(stripSections(bytes, ['ranked'])).state;
    const unranked = new ProjectState();
    at = 1;
    for (const x of [
      { type: 'project.created', id: 'p', name: 'p', kind: project.kind, labels: project.labels, instructions: '', assist: project.assist, queue: project.queueSettings, seed: 11 },
      { type: 'items.added', batch: 0, paths: [...project.items()].map((it) => it.path) },
    ])
      unranked.apply({ v: 1, at: at++, by: owner.id, ...x } as never);
    expect(old.pick(3, ['manual'], 0)!.items).toEqual(unranked.pick(3, ['manual'], 0)!.items);
  });

  it('never hands an item out twice: three labelers, leases that expire, rankings that change', async () => {
    type Action = { kind: 'take' | 'submit' | 'release' | 'rank' | 'wait'; who: number; size: 1 | 4; pick: number[] };
    const action: fc.Arbitrary<Action> = fc.record({
      kind: fc.constantFrom('take', 'take', 'submit', 'submit', 'release', 'rank', 'wait'),
      who: fc.integer({ min: 0, max: 2 }),
      size: fc.constantFrom(1 as const, 4 as const),
      pick: fc.array(fc.integer({ min: 0, max: 22 }), { maxLength: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 10, maxLength: 50 }), fc.integer({ min: 1, max: 2 ** 31 }), async (actions, seed) => {
        let t = 1_800_000_000_000;
        const now = () => t;
        const registry = new ProjectRegistry(new MemoryStore());
        const own = await registry.create(
          { name: 'sim', kind: 'image-classification-multiclass', labels: ['a', 'b'], seed, queue: { order: 'informative' } },
          { actor: { id: 'owner', role: 'owner' }, now },
        );
        await own.addItems(Array.from({ length: 23 }, (_, i) => ({ path: `i/${i}.jpg` })));
        const cl = await own.startRun('clustering');
        await own.assignClusters(
          cl,
          Array.from({ length: 12 }, (_, item) => ({ item, cluster: item % 4 })),
        );
        const clients: Project[] = [];
        for (let w = 0; w < 3; w++) clients.push(await registry.open(own.id, { actor: { id: `u${w}`, role: 'labeler' }, now, clientId: `u${w}` }));
        const labeled = new Set<number>();
        for (const a of actions) {
          const p = clients[a.who]!;
          await p.sync();
          const held = p.currentTask();
          if (a.kind === 'wait') t += 20 * 60_000;
          else if (a.kind === 'rank') await p.rankItems(undefined, a.pick);
          else if (a.kind === 'take') {
            const task = await p.nextTask({ size: a.size });
            // A task never holds an item that was labeled already.
            for (const it of task?.items ?? []) expect(labeled.has(it.index)).toBe(false);
          } else if (held && a.kind === 'release') await p.release(held.id);
          else if (held && a.kind === 'submit') {
            await p.submit(
              held.id,
              held.items.map((x) => ({ item: x.index, annotations: [{ kind: 'class' as const, label: 'a' }] })),
            );
            for (const x of held.items) labeled.add(x.index);
          }
          for (const c of clients) await c.sync();
          const leased = clients.flatMap((c) => c.currentTask()?.items.map((i) => i.index) ?? []);
          expect(new Set(leased).size).toBe(leased.length);
        }
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
