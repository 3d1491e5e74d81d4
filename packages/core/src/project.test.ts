import { describe, expect, it } from 'vitest';
import { LabelkitError } from './errors.js';
import { MemoryStore } from './store/memory-store.js';
import { FaultyStore } from '../test/faulty-store.js';
import { ProjectRegistry } from './registry.js';
import type { Actor, ItemRef, ProjectKind } from './types.js';
import { MemorySource } from './sources/memory-source.js';

const owner: Actor = { id: 'olivia', role: 'owner' };
const clock = () => {
  let t = 1_700_000_000_000;
  const now = () => t;
  return { now, advance: (ms: number) => (t += ms) };
};

function refs(n: number, ext = '.jpg', prefix = 'img'): ItemRef[] {
  return Array.from({ length: n }, (_, i) => ({ path: `${prefix}/${String(i).padStart(6, '0')}${ext}`, etag: `"e${i}"`, size: 1000 + i }));
}

async function newProject(kind: ProjectKind = 'image-classification-multiclass', store = new MemoryStore(), extra: { now?: () => number } = {}) {
  const registry = new ProjectRegistry(store);
  const project = await registry.create({ name: `P ${Math.random()}`, kind, labels: ['cat', 'dog', 'bird'], seed: 7 }, { actor: owner, ...extra });
  return { registry, project, store };
}

async function expectCode(p: Promise<unknown>, code: string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(LabelkitError.is(err, code as never), `expected ${code}, got ${String(err)}`).toBe(true);
  return err as LabelkitError;
}

describe('project registry', () => {
  it('keeps names unique, case-insensitively, and never reuses a deleted project’s name', async () => {
    const store = new MemoryStore();
    const registry = new ProjectRegistry(store);
    const a = await registry.create({ name: 'Birds 2026', kind: 'image-object-detection', labels: ['bird'] }, { actor: owner });
    await expectCode(registry.create({ name: '  birds 2026 ', kind: 'image-object-detection', labels: ['bird'] }, { actor: owner }), 'E_NAME_TAKEN');
    await registry.delete(a.id, { actor: owner });
    expect((await registry.list()).map((p) => p.name)).toEqual([]);
    const err = await expectCode(registry.create({ name: 'Birds 2026', kind: 'image-object-detection', labels: ['bird'] }, { actor: owner }), 'E_NAME_TAKEN');
    expect(err.message).toMatch(/never reused/);
    await expectCode(registry.open(a.id, { actor: owner }), 'E_NOT_FOUND');
  });

  it('rejects bad specs with clear errors', async () => {
    const registry = new ProjectRegistry(new MemoryStore());
    await expectCode(registry.create({ name: '', kind: 'image-object-detection', labels: ['x'] }, { actor: owner }), 'E_INVALID_ARGUMENT');
    await expectCode(registry.create({ name: 'x', kind: 'video' as ProjectKind, labels: ['x'] }, { actor: owner }), 'E_INVALID_ARGUMENT');
    await expectCode(registry.create({ name: 'y', kind: 'image-classification-multiclass', labels: ['only'] }, { actor: owner }), 'E_INVALID_ARGUMENT');
    await expectCode(registry.create({ name: 'z', kind: 'image-object-detection', labels: ['a', 'A'] }, { actor: owner }), 'E_INVALID_ARGUMENT');
  });

  it('gives the first ten labels keys 1–9, 0 and opens by name', async () => {
    const store = new MemoryStore();
    const registry = new ProjectRegistry(store);
    const names = Array.from({ length: 11 }, (_, i) => `class ${i}`);
    const p = await registry.create({ name: 'Many', kind: 'image-classification-multilabel', labels: names }, { actor: owner });
    expect(p.labels.map((l) => l.key)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', undefined]);
    const again = await registry.open('many', { actor: owner });
    expect(again.id).toBe(p.id);
    expect(again.labels).toEqual(p.labels);
  });
});

describe('ingest', () => {
  it('accepts the image extensions case-insensitively and reports everything else', async () => {
    const { project } = await newProject();
    const listing: ItemRef[] = [
      ...['a.JPG', 'b.jpeg', 'c.png', 'd.jpe', 'e.jfif', 'f.bmp', 'g.TIF', 'h.tiff', 'i.dcm', 'j.DICOM'].map((path) => ({ path, etag: '1' })),
      { path: 'notes.txt' },
      { path: 'movie.mp4' },
      { path: 'README' },
      { path: 'a.JPG', etag: '1' },
    ];
    const report = await project.addItems(listing);
    expect(report.added).toBe(10);
    expect(report.unsupported.count).toBe(3);
    expect(report.unsupported.byExtension).toEqual({ '.txt': 1, '.mp4': 1, '(none)': 1 });
    expect(report.duplicates).toBe(1);
    expect(project.itemCount).toBe(10);
  });

  it('refresh adds only new items, updates changed ones, and is idempotent', async () => {
    const { project } = await newProject();
    const src = new MemorySource(refs(5).map((r) => [r.path, new Uint8Array([1])] as [string, Uint8Array]));
    expect((await project.refresh(src)).added).toBe(5);
    expect((await project.refresh(src)).added).toBe(0);
    src.set('img/new.png', new Uint8Array([2]));
    src.set('img/000001.jpg', new Uint8Array([3, 4]));
    const r = await project.refresh(src);
    expect([r.added, r.changed, r.unchanged]).toEqual([1, 1, 4]);
    expect((await project.refresh(src)).added).toBe(0);
    expect(project.itemCount).toBe(6);
    expect(project.item(project.indexOf('img/000001.jpg')).size).toBe(2);
  });

  it('loads the first 500,000 items of a larger listing and reports the rest', async () => {
    const { project } = await newProject();
    async function* listing() {
      for (let i = 0; i < 500_007; i++) yield { path: `d/${i}.png` };
    }
    const report = await project.addItems(listing());
    expect(report.added).toBe(500_000);
    expect(report.overCap.count).toBe(7);
    expect(report.overCap.examples[0]).toBe('d/500000.png');
    expect(project.itemCount).toBe(500_000);
    expect(project.indexOf('d/499999.png')).toBe(499_999);
    expect(project.indexOf('d/500000.png')).toBe(-1);
  }, 120_000);
});

describe('queue', () => {
  it('shuffles once with the recorded seed: same seed, same order', async () => {
    const orders: string[][] = [];
    for (let k = 0; k < 2; k++) {
      const { project } = await newProject();
      await project.addItems(refs(50));
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) {
        const t = await project.nextTask({ size: 4 });
        seen.push(...t!.items.map((x) => x.path));
        await project.skip(t!.id);
      }
      orders.push(seen);
    }
    expect(orders[0]).toEqual(orders[1]);
    expect(orders[0]).not.toEqual([...orders[0]].sort());
  });

  it('hands out pages of 1, 4, 6 or 9 and resumes the held task', async () => {
    const { project } = await newProject();
    await project.addItems(refs(20));
    await expectCode(project.nextTask({ size: 5 as never }), 'E_INVALID_ARGUMENT');
    const t = await project.nextTask({ size: 9 });
    expect(t!.items).toHaveLength(9);
    const again = await project.nextTask({ size: 9 });
    expect(again!.id).toBe(t!.id);
    expect(project.stats().counts.assigned).toBe(9);
  });

  it('region projects take one image per task', async () => {
    const { project } = await newProject('image-object-detection');
    await project.addItems(refs(3));
    await expectCode(project.nextTask({ size: 4 }), 'E_INVALID_ARGUMENT');
    expect((await project.nextTask())!.items).toHaveLength(1);
  });

  it('refuses a late submit once someone else holds the item, and accepts it when nobody does', async () => {
    const c = clock();
    const store = new MemoryStore();
    const { project, registry } = await newProject('image-classification-multiclass', store, { now: c.now });
    await project.addItems(refs(1));
    const t1 = await project.nextTask();
    const item = t1!.items[0].index;
    c.advance(16 * 60_000);
    // Nobody took it: the late submission is kept.
    await project.submit(t1!.id, [{ item, annotations: [{ kind: 'class', label: 'cat' }] }]);
    expect(project.item(item).state).toBe('labeled');

    await project.addItems(refs(1, '.png', 'second'));
    const t2 = await project.nextTask();
    c.advance(16 * 60_000);
    const bob = await registry.open(project.id, { actor: { id: 'bob', role: 'labeler' }, now: c.now });
    const bobTask = await bob.nextTask();
    expect(bobTask!.items[0].index).toBe(t2!.items[0].index);
    const stale = await registry.open(project.id, { actor: owner, now: c.now });
    const err = await expectCode(stale.submit(t2!.id, [{ item: t2!.items[0].index, annotations: [{ kind: 'class', label: 'dog' }] }]), 'E_LEASE_EXPIRED');
    expect(err.message).toMatch(/given to someone else/);
  });

  it('an expired lease puts the item back for the next labeler', async () => {
    const c = clock();
    const { project } = await newProject('image-classification-multiclass', new MemoryStore(), { now: c.now });
    await project.addItems(refs(1));
    const t1 = await project.nextTask();
    expect(await project.nextTask()).toMatchObject({ id: t1!.id });
    c.advance(15 * 60_000 + 1);
    expect(project.stats().counts.assigned).toBe(0);
    const t2 = await project.nextTask();
    expect(t2!.id).not.toBe(t1!.id);
    expect(t2!.items[0].index).toBe(t1!.items[0].index);
  });

  it('submit, skip, needs-review, approve and reject move items and counts', async () => {
    const { project, registry } = await newProject('image-classification-multilabel');
    await project.addItems(refs(12));
    const t = await project.nextTask({ size: 4 });
    const [a, b, c2, d] = t!.items.map((x) => x.index);
    await project.submit(t!.id, [
      {
        item: a,
        annotations: [
          { kind: 'class', label: 'cat' },
          { kind: 'class', label: 'dog' },
        ],
      },
      { item: b, annotations: [{ kind: 'class', label: 'cat' }] },
    ]);
    await project.submit(t!.id, [{ item: c2, annotations: [{ kind: 'class', label: 'bird' }] }], { needsReview: true });
    await project.skip(t!.id, [d]);
    let s = project.stats();
    expect(s.counts).toMatchObject({ labeled: 2, 'needs-review': 1, skipped: 1, assigned: 0, todo: 8 });
    expect(s.labelDistribution.find((x) => x.label === 'cat')!.items).toBe(2);
    expect(s.labelDistribution.reduce((n, x) => n + x.items, 0)).toBe(4); // multi-label totals exceed items
    await project.approve([c2]);
    await project.reject([a], 'wrong');
    s = project.stats();
    expect(s.counts).toMatchObject({ labeled: 2, 'needs-review': 0, todo: 9 });
    expect(project.item(a).annotations).toEqual([]);
    // The rejected item comes back first.
    const next = await project.nextTask({ size: 1 });
    expect(next!.items[0].index).toBe(a);
    // Requeue skipped items.
    const labeler = await registry.open(project.id, { actor: { id: 'lee', role: 'labeler' } });
    await expectCode(labeler.requeueSkipped(), 'E_FORBIDDEN');
    expect(await project.requeueSkipped()).toBe(1);
  });

  it('validates annotations on submit', async () => {
    const { project } = await newProject('image-object-detection');
    await project.addItems(refs(2));
    await project.setItemSizes([
      { item: 0, width: 100, height: 80 },
      { item: 1, width: 100, height: 80 },
    ]);
    const t = await project.nextTask();
    const item = t!.items[0].index;
    const bad = async (annotations: unknown[]) => expectCode(project.submit(t!.id, [{ item, annotations: annotations as never }]), 'E_INVALID_ANNOTATION');
    await bad([{ kind: 'box', label: 'cat', x: 10, y: 10, w: 0, h: 5 }]);
    await bad([{ kind: 'box', label: 'zebra', x: 10, y: 10, w: 5, h: 5 }]);
    await bad([{ kind: 'box', label: 'cat', x: 90, y: 10, w: 20, h: 5 }]);
    await bad([{ kind: 'class', label: 'cat' }]);
    await bad([]);
    expect(project.stats().counts.labeled).toBe(0);
    await project.submit(t!.id, [{ item, annotations: [{ kind: 'box', label: 'cat', x: 10, y: 10, w: 5, h: 5 }] }]);
    expect(project.item(item).annotations).toEqual([{ kind: 'box', label: 'cat', x: 10, y: 10, w: 5, h: 5 }]);
  });

  it('serves prelabeled then clustered lanes first, grouping a page by cluster', async () => {
    const { project } = await newProject();
    await project.updateAssist({ enabled: true });
    await project.addItems(refs(30));
    const run = await project.startRun('clustering', { device: 'wasm' });
    await project.assignClusters(
      run,
      Array.from({ length: 12 }, (_, i) => ({ item: i, cluster: i % 3 })),
    );
    await project.finishRun(run, 'completed', { metrics: { k: 3 } });
    const inf = await project.startRun('inference');
    await project.proposePrelabels(inf, [{ item: 20, annotations: [{ kind: 'class', label: 'dog', confidence: 0.97 }] }]);
    expect(project.stats().lanes).toEqual({ prelabeled: 1, clustered: 12, manual: 17 });
    const t1 = await project.nextTask({ size: 4 });
    expect(t1!.lane).toBe('prelabeled');
    expect(t1!.items.map((x) => x.index)).toEqual([20]);
    expect(t1!.items[0].prelabels).toEqual([{ kind: 'class', label: 'dog', confidence: 0.97 }]);
    await project.submit(t1!.id, [{ item: 20, annotations: [{ kind: 'class', label: 'dog' }] }]);
    const t2 = await project.nextTask({ size: 4 });
    expect(t2!.lane).toBe('clustered');
    const clusters = new Set(t2!.items.map((x) => x.index % 3));
    expect(clusters.size).toBe(1);
    expect(t2!.items).toHaveLength(4);
    // The next page comes from the next cluster (round-robin), not the same one.
    await project.skip(t2!.id);
    const t3 = await project.nextTask({ size: 4 });
    const c3 = new Set(t3!.items.map((x) => x.index % 3));
    expect(c3.size).toBe(1);
    expect([...c3][0]).not.toBe([...clusters][0]);
    expect(project.runs.map((r) => [r.kind, r.status])).toEqual([
      ['clustering', 'completed'],
      ['inference', 'running'],
    ]);
  });
});

describe('settings and roles', () => {
  it('adds labels mid-project with Azure ML’s three choices', async () => {
    for (const mode of ['continue', 'start-over-keep', 'start-over-remove'] as const) {
      const { project } = await newProject();
      await project.addItems(refs(4));
      const t = await project.nextTask({ size: 4 });
      await project.submit(
        t!.id,
        t!.items.map((x) => ({ item: x.index, annotations: [{ kind: 'class' as const, label: 'cat' }] })),
      );
      const fish = await project.addLabelClass({ name: 'fish' }, mode);
      expect(fish).toMatchObject({ id: 'fish', key: '4' });
      const s = project.stats();
      if (mode === 'continue') expect(s.counts.labeled).toBe(4);
      else {
        expect(s.counts.labeled).toBe(0);
        expect(s.counts.todo).toBe(4);
        expect(project.item(0).prelabels).toEqual(mode === 'start-over-keep' ? [{ kind: 'class', label: 'cat' }] : undefined);
      }
    }
  });

  it('enforces roles: a labeler cannot edit labels, instructions or settings, nor reject', async () => {
    const { project, registry } = await newProject();
    await project.addItems(refs(2));
    await project.setMember('lee', 'labeler');
    const lee = await registry.open(project.id, { actor: { id: 'lee', role: 'owner' } }); // the members list wins
    expect(lee.role).toBe('labeler');
    await expectCode(lee.addLabelClass({ name: 'x' }, 'continue'), 'E_FORBIDDEN');
    await expectCode(lee.editInstructions('# hi'), 'E_FORBIDDEN');
    await expectCode(lee.updateAssist({ enabled: true }), 'E_FORBIDDEN');
    await expectCode(lee.reject([0]), 'E_FORBIDDEN');
    await expectCode(lee.addItems(refs(1, '.png', 'new')), 'E_FORBIDDEN');
    const t = await lee.nextTask();
    await lee.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'class', label: 'dog' }] }]);
    await project.editInstructions('Label **every** animal.');
    const reopened = await registry.open(project.id, { actor: owner });
    expect(reopened.instructions).toBe('Label **every** animal.');
    expect(reopened.stats().counts.labeled).toBe(1);
  });

  it('orders another client’s events after what it had read, even within one millisecond', async () => {
    const frozen = () => 1_750_000_000_000; // every client writes in the same millisecond
    for (let k = 0; k < 8; k++) {
      const store = new MemoryStore();
      const registry = new ProjectRegistry(store);
      const p = await registry.create({ name: `same-ms-${k}`, kind: 'image-classification-multiclass', labels: ['a', 'b'] }, { actor: owner, now: frozen, clientId: `z${k}` });
      await p.addItems(refs(2));
      const lee = await registry.open(p.id, { actor: { id: 'lee', role: 'labeler' }, now: frozen, clientId: `a${k}` });
      const t = await lee.nextTask();
      await lee.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'class', label: 'a' }] }]);
      const again = await registry.open(p.id, { actor: owner, now: frozen });
      expect(again.stats().counts.labeled).toBe(1);
    }
  });

  it('counts labels to the next training run', async () => {
    const { project } = await newProject();
    await project.updateAssist({ enabled: true, firstTrainingAt: 3, retrainEvery: 2 });
    await project.addItems(refs(10));
    expect(project.stats().labelsToNextRun).toBe(3);
    for (let i = 0; i < 3; i++) {
      const t = await project.nextTask();
      await project.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'class', label: 'cat' }] }]);
    }
    expect(project.stats().labelsToNextRun).toBe(0);
    const run = await project.startRun('training');
    await project.finishRun(run, 'completed', { metrics: { accuracy: 0.9 } });
    expect(project.stats().labelsToNextRun).toBe(2);
  });
});

describe('durability', () => {
  it('a failed write changes nothing and is surfaced; a transient one is retried', async () => {
    const faulty = new FaultyStore(new MemoryStore());
    const { project } = await newProject('image-classification-multiclass', faulty as never);
    await project.addItems(refs(3));
    const t = await project.nextTask();
    const item = t!.items[0].index;
    faulty.failPut = () => new Error('disk on fire');
    await expectCode(project.submit(t!.id, [{ item, annotations: [{ kind: 'class', label: 'cat' }] }]), 'E_STORE_WRITE');
    expect(project.item(item).state).toBe('assigned');
    let n = 0;
    faulty.failPut = () => (n++ < 2 ? new Error('flaky') : undefined);
    await project.submit(t!.id, [{ item, annotations: [{ kind: 'class', label: 'cat' }] }]);
    expect(project.item(item).state).toBe('labeled');
    faulty.failPut = undefined;
  });

  it('reopens from snapshot + journal to the same state', async () => {
    const store = new MemoryStore();
    const { project, registry } = await newProject('image-instance-segmentation', store);
    await project.addItems(refs(40));
    for (let k = 0; k < 10; k++) {
      const t = await project.nextTask();
      await project.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'polygon', label: 'dog', points: [0, 0, 10, 0, 10, 10] }] }]);
    }
    await project.snapshot();
    for (let k = 0; k < 3; k++) {
      const t = await project.nextTask();
      await project.skip(t!.id);
    }
    const held = await project.nextTask();
    // The same client reopens (a restart with its client id): its held task is resumed.
    const again = await registry.open(project.id, { actor: owner, clientId: project.clientId });
    expect(again.openReport.fromSnapshot).toBe(true);
    expect(again.openReport.eventsReplayed).toBe(7);
    expect(again.stats()).toEqual(project.stats());
    expect([...again.items()]).toEqual([...project.items()]);
    expect(again.currentTask()?.id).toBe(held!.id);
    // Another client of the same user (a second tab, another process) does not get that task.
    const other = await registry.open(project.id, { actor: owner });
    expect(other.currentTask()).toBeUndefined();
    const next = await other.nextTask();
    expect(next?.id).not.toBe(held!.id);
    expect(next?.items.map((i) => i.index)).not.toContain(held!.items[0].index);
  });

  it('saves and restores drafts', async () => {
    const { project, registry } = await newProject();
    await project.addItems(refs(2));
    const t = await project.nextTask();
    await project.saveDraft(t!.id, { tags: { [t!.items[0].index]: ['cat'] } });
    const again = await registry.open(project.id, { actor: owner });
    expect(await again.loadDraft(t!.id)).toEqual({ tags: { [t!.items[0].index]: ['cat'] } });
    await again.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'class', label: 'cat' }] }]);
    expect(await again.loadDraft(t!.id)).toBeUndefined();
  });
});
