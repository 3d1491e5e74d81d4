import { describe, expect, it } from 'vitest';
import { MemoryStore } from './store/memory-store.js';
import { ProjectRegistry } from './registry.js';
import { listAll } from './store/store.js';
import type { Project } from './project.js';

const owner = { id: 'o', role: 'owner' as const };

async function labeled(store: MemoryStore, submits: number, options: { checkpointEvery?: number } = {}) {
  const registry = new ProjectRegistry(store);
  const p = await registry.create(
    { name: `cp${Math.random()}`, kind: 'image-classification-multiclass', labels: ['a', 'b'], seed: 2 },
    { actor: owner, clientId: 'w', ...options },
  );
  await p.addItems(Array.from({ length: 400 }, (_, i) => ({ path: `x/${i}.png` })));
  for (let k = 0; k < submits; k++) {
    const t = (await p.nextTask())!;
    await p.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: k % 2 ? 'a' : 'b' }] }]);
    // A labeler's pause now and then: idle checkpoints run in it.
    if (k % 8 === 7) await new Promise((r) => setTimeout(r, 0));
  }
  return { registry, p };
}

const view = (p: Project) => JSON.stringify([...p.items()].map((v) => [v.state, v.annotations]));

describe('checkpoints', () => {
  it('close() writes a tail: the next open replays nothing and equals the live state', async () => {
    const store = new MemoryStore();
    const { registry, p } = await labeled(store, 60, { checkpointEvery: 16 });
    await p.close();
    const keys = (await listAll(store, `projects/${p.id}/snapshots/`)).map((e) => e.key);
    expect(keys.filter((k) => k.endsWith('.snap'))).toHaveLength(1);
    expect(keys.filter((k) => k.endsWith('.tail'))).toHaveLength(1);
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(again.openReport).toMatchObject({ fromSnapshot: true, eventsReplayed: 0, snapshotDamage: [] });
    expect(view(again)).toBe(view(p));
  });

  it('idle checkpoints keep the replay short without close()', async () => {
    const store = new MemoryStore();
    const { registry, p } = await labeled(store, 100, { checkpointEvery: 16 });
    // Let the idle checkpoint that the last submits queued run (it follows the commands queued before it).
    await new Promise((r) => setTimeout(r, 5));
    await p.stats();
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(again.openReport.eventsReplayed).toBeLessThanOrEqual(2 * 16);
    expect(view(again)).toBe(view(p));
    await p.close();
  });

  it('a torn tail is reported and the journal is read instead, losing nothing', async () => {
    const store = new MemoryStore();
    const { registry, p } = await labeled(store, 40, { checkpointEvery: 16 });
    await p.close();
    const tail = (await listAll(store, `projects/${p.id}/snapshots/`)).map((e) => e.key).find((k) => k.endsWith('.tail'))!;
    const whole = (await store.get(tail))!.bytes;
    await store.put(tail, whole.subarray(0, whole.length - 9));
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(again.openReport.snapshotDamage.map((d) => d.key)).toEqual([tail]);
    expect(again.openReport.eventsReplayed).toBeGreaterThan(0);
    expect(view(again)).toBe(view(p));
  });

  it('snapshotEvery 0 writes no checkpoint at all', async () => {
    const store = new MemoryStore();
    const registry = new ProjectRegistry(store);
    const p = await registry.create({ name: 'none', kind: 'image-classification-multiclass', labels: ['a', 'b'] }, { actor: owner, snapshotEvery: 0 });
    await p.addItems([{ path: 'a.png' }]);
    await p.close();
    expect(await listAll(store, `projects/${p.id}/snapshots/`)).toEqual([]);
  });
});
