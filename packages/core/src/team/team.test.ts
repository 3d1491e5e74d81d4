// Lifecycle and consensus on the memory store (shared: several clients on one store). The same
// scenarios run on Azurite (test/azure/team.test.ts) and on IndexedDB in Chromium (team.browser.test.ts).
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { Project } from '../project.js';
import { ProjectRegistry } from '../registry.js';
import type { Annotation } from '../types.js';
import { consensusScenario, lifecycleScenario } from '../../../../test/team-scenarios.js';
import { lateAnswerScenario } from '../../../../test/late-answer-scenario.js';

describe('team scenarios on the memory store', () => {
  it('stop, start and archive, seen by a second client', async () => {
    for (const c of await lifecycleScenario(new MemoryStore(), 'life')) expect(c.actual, c.what).toEqual(c.expected);
  });
  it('consensus with three labelers: agree, disagree, a skip, a lease expiry', async () => {
    for (const c of await consensusScenario(new MemoryStore(), 'cons')) expect(c.actual, c.what).toEqual(c.expected);
  });
  it('three labelers race for one item: the late answer is kept, a dissent goes to review', async () => {
    for (const c of await lateAnswerScenario(new MemoryStore(), 'race')) expect(c.actual, c.what).toEqual(c.expected);
  });
});

describe('the registry lists the lifecycle status', () => {
  it('stopped and archived projects say so in list(); an active one has no status', async () => {
    const store = new MemoryStore();
    const registry = new ProjectRegistry(store);
    const opts = { actor: { id: 'o', role: 'owner' as const }, clientId: 'o', shared: true as const };
    const a = await registry.create({ name: 'a', kind: 'image-classification-multiclass', labels: ['x', 'y'] }, opts);
    const b = await registry.create({ name: 'b', kind: 'image-classification-multiclass', labels: ['x', 'y'] }, opts);
    await a.stop('budget');
    await b.archive();
    const listed = async () => Object.fromEntries((await registry.list()).map((p) => [p.name, p.status]));
    expect(await listed()).toEqual({ a: { state: 'stopped', reason: 'budget' }, b: { state: 'archived' } });
    await a.start();
    expect(await listed()).toEqual({ a: undefined, b: { state: 'archived' } });
  });
});

describe('consensus on regions', () => {
  it('boxes that overlap enough agree (averaged); boxes apart go to review', async () => {
    const store = new MemoryStore();
    const owner = await new ProjectRegistry(store).create(
      { name: 'boxes', kind: 'image-object-detection', labels: ['car', 'bus'], queue: { consensus: { labelers: 2, agreement: 'all', iou: 0.6 } } },
      { actor: { id: 'o', role: 'owner' }, clientId: 'o', shared: true },
    );
    await owner.addItems([{ path: 'a.png' }, { path: 'b.png' }]);
    await owner.setItemSizes([0, 1].map((item) => ({ item, width: 200, height: 100 })));
    const car = owner.labels[0].id;
    const drawn: Record<string, Record<string, Annotation[]>> = {
      lee: { 'a.png': [{ kind: 'box', label: car, x: 10, y: 10, w: 50, h: 40 }], 'b.png': [{ kind: 'box', label: car, x: 10, y: 10, w: 50, h: 40 }] },
      kai: { 'a.png': [{ kind: 'box', label: car, x: 14, y: 10, w: 50, h: 40 }], 'b.png': [{ kind: 'box', label: car, x: 120, y: 10, w: 50, h: 40 }] },
    };
    for (const user of ['lee', 'kai']) {
      const p = await Project.load(store, owner.id, { actor: { id: user, role: 'labeler' }, clientId: user, shared: true });
      await p.sync();
      for (let t = await p.nextTask(); t; t = await p.nextTask()) await p.submit(t.id, [{ item: t.items[0].index, annotations: drawn[user][t.items[0].path] }]);
    }
    await owner.sync();
    expect(owner.item(0)).toMatchObject({ state: 'labeled', annotations: [{ kind: 'box', label: car, x: 12, y: 10, w: 50, h: 40 }] });
    expect(owner.item(1)).toMatchObject({ state: 'needs-review', annotations: [] });
    expect(owner.consensusOf(1)!.answers.map((a) => a.by)).toEqual(['lee', 'kai']);
  });
});
