// prelabels.withdrawn: prelabels taken back leave the prelabeled lane for the lane they came from,
// what the labeler was shown is kept on the labeled item, and both survive a snapshot.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './store/memory-store.js';
import { ProjectRegistry } from './registry.js';
import { decodeSnapshot, encodeSnapshot } from './state/snapshot.js';
import { ProjectState } from './state/project-state.js';
import type { Actor, ItemRef } from './types.js';
import { stripSections } from '../test/strip-snapshot.js';

const owner: Actor = { id: 'olivia', role: 'owner' };

function refs(n: number): ItemRef[] {
  return Array.from({ length: n }, (_, i) => ({ path: `img/${String(i).padStart(4, '0')}.jpg`, etag: `"e${i}"` }));
}

async function setup() {
  const store = new MemoryStore();
  const registry = new ProjectRegistry(store);
  const project = await registry.create(
    { name: `W ${Math.random()}`, kind: 'image-classification-multiclass', labels: ['cat', 'dog'], seed: 3, assist: { enabled: true } },
    { actor: owner },
  );
  await project.addItems(refs(12));
  const cl = await project.startRun('clustering');
  await project.assignClusters(
    cl,
    [0, 1, 2, 3].map((item) => ({ item, cluster: item % 2 })),
  );
  await project.finishRun(cl, 'completed');
  const inf = await project.startRun('inference');
  const dog = project.labels[1].id;
  // Items 0, 1 (clustered) and 8, 9 (manual) get prelabels.
  await project.proposePrelabels(
    inf,
    [0, 1, 8, 9].map((item) => ({ item, annotations: [{ kind: 'class' as const, label: dog, confidence: 0.99 }] })),
  );
  return { store, registry, project, inf, dog };
}

describe('prelabels.withdrawn', () => {
  it('returns items to the lane they came from and the queue serves them there', async () => {
    const { project, inf } = await setup();
    expect(project.stats().lanes).toEqual({ prelabeled: 4, clustered: 2, manual: 6 });
    // Labeled or unprelabeled items are not withdrawn; repeats count once.
    expect(await project.withdrawPrelabels([0, 8, 8, 5], { run: inf, reason: 'test' })).toBe(2);
    expect(project.stats().lanes).toEqual({ prelabeled: 2, clustered: 3, manual: 7 });
    expect(project.item(0).prelabels).toBeUndefined();
    expect(project.item(0).lane).toBe('clustered');
    expect(project.item(8).lane).toBe('manual');
    // The prelabeled lane serves only what is still proposed.
    const t = await project.nextTask({ size: 9 });
    expect(t!.lane).toBe('prelabeled');
    expect(t!.items.map((x) => x.index).sort()).toEqual([1, 9]);
    await project.skip(t!.id);
    // Item 8 went back to the manual lane though the manual cursor had not reached it (or had).
    const seen = new Set<number>();
    for (;;) {
      const next = await project.nextTask({ size: 9 });
      if (!next) break;
      for (const it of next.items) seen.add(it.index);
      await project.skip(next.id);
    }
    expect(seen.has(0)).toBe(true);
    expect(seen.has(8)).toBe(true);
  });

  it('keeps what the labeler was shown on the labeled item, through a snapshot and a reopen', async () => {
    const { registry, project, dog } = await setup();
    const cat = project.labels[0].id;
    const t = await project.nextTask({ size: 4 });
    expect(t!.lane).toBe('prelabeled');
    const [a, b] = t!.items;
    await project.submit(t!.id, [
      { item: a.index, annotations: [{ kind: 'class', label: dog }] }, // accepted
      { item: b.index, annotations: [{ kind: 'class', label: cat }] }, // corrected
    ]);
    expect(project.item(a.index).shownPrelabels).toEqual([{ kind: 'class', label: dog, confidence: 0.99 }]);
    expect(project.item(b.index).annotations).toEqual([{ kind: 'class', label: cat }]);
    expect(project.item(b.index).shownPrelabels?.[0].label).toBe(dog);
    await project.withdrawPrelabels([0, 1, 8, 9]);
    await project.snapshot();
    const again = await registry.open(project.id, { actor: owner });
    expect(again.stats().lanes.prelabeled).toBe(0);
    expect(again.item(a.index).shownPrelabels?.[0].label).toBe(dog);
    for (const i of [0, 1, 8, 9]) if (i !== a.index && i !== b.index) expect(again.item(i).prelabels).toBeUndefined();
    // A rejected label forgets what was shown.
    await again.reject([a.index]);
    expect(again.item(a.index).shownPrelabels).toBeUndefined();
  });

  it('reads snapshots written before the shown-prelabels column', async () => {
    const { project } = await setup();
    const t = await project.nextTask({ size: 1 });
    await project.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'class', label: project.labels[1].id }] }]);
    // A snapshot whose header does not list the shown.* sections, as one written before them.
    const bytes = encodeSnapshot(foldOf(project), { segments: {} } as never);
    const stripped = stripSections(bytes, ['shown.bytes', 'shown.offsets']);
    const { state: old } = decodeSnapshot(stripped);
    expect(old.itemCount).toBe(12);
    expect(old.wasShownPrelabels(t!.items[0].index)).toBe(false);
    expect(old.view(t!.items[0].index, 0).state).toBe('labeled');
    // And the column round-trips when it is there.
    expect(decodeSnapshot(bytes).state.wasShownPrelabels(t!.items[0].index)).toBe(true);
  });

  it('records the device that really ran a step', async () => {
    const { project } = await setup();
    const run = await project.startRun('training', { device: 'webgpu' });
    await project.finishRun(run, 'completed', { device: 'cpu' });
    expect(project.runs.find((r) => r.id === run)!.device).toBe('cpu');
  });
});

/** The project's folded state, rebuilt from its items (enough for a snapshot round trip). */
function foldOf(project: import('./project.js').Project): ProjectState {
  const s = new ProjectState();
  let at = 1;
  const e = (x: object) => s.apply({ v: 1, at: at++, by: owner.id, ...x } as never);
  e({
    type: 'project.created',
    id: project.id,
    name: project.name,
    kind: project.kind,
    labels: project.labels,
    instructions: '',
    assist: project.assist,
    queue: project.queueSettings,
    seed: project.seed,
  });
  e({ type: 'items.added', batch: 0, paths: [...project.items()].map((it) => it.path) });
  for (const it of project.items()) {
    const pre = it.prelabels ?? it.shownPrelabels;
    if (pre) e({ type: 'prelabels.proposed', run: 'r', items: [it.index], annotations: [pre] });
  }
  for (const it of project.items()) if (it.state === 'labeled') e({ type: 'labels.submitted', items: [it.index], annotations: [it.annotations] });
  return s;
}
