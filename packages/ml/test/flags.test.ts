// Flags for a person to look at: near-duplicate groups and likely-mislabeled items, from the
// embeddings and a real head (pure function), and from the loop after a training round.
import { type ItemView, MemoryStore, ProjectRegistry } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { AssistLoop } from '../src/assist/loop.js';
import { findFlags } from '../src/assist/flags.js';
import { predictHead, trainHead } from '../src/numerics/head.js';
import { mulberry32 } from '../src/numerics/random.js';
import { blobs } from './blobs.js';
import { FakeAssistant, vectorImage } from './fake-assistant.js';

/** 600 rows in 4 classes, 10 near-duplicate pairs (a row copied with tiny noise), 12 labels flipped. */
function dataset() {
  const d = 16;
  const base = blobs(580, d, 4, 21, 1.2);
  const r = mulberry32(3);
  const x = new Float32Array(600 * d);
  x.set(base.x);
  const truth = new Int32Array(600);
  truth.set(base.truth);
  const dupOf = new Map<number, number>();
  for (let t = 0; t < 20; t++) {
    const src = t * 29;
    for (let p = 0; p < d; p++) x[(580 + t) * d + p] = base.x[src * d + p]! + (r() - 0.5) * 0.01;
    truth[580 + t] = base.truth[src]!;
    dupOf.set(580 + t, src);
  }
  const labels = Int32Array.from(truth);
  const flipped = Array.from({ length: 12 }, (_, t) => 5 + t * 41);
  for (const i of flipped) labels[i] = (truth[i]! + 1) % 4;
  return { x, d, truth, labels, dupOf, flipped };
}

describe('findFlags', () => {
  it('finds the near-duplicate pairs and the flipped labels, with few false alarms', async () => {
    const { x, d, labels, dupOf, flipped } = dataset();
    const head = await trainHead(x, 600, d, labels, 4, 'multiclass');
    const probabilities = predictHead(head.head, x, 600);
    const items = Array.from({ length: 600 }, (_, i) => 1000 + i);
    const flags = findFlags({ data: x, dim: d, items, labels, probabilities, classes: 4 });
    // Every injected pair is a group of its own.
    for (const [copy, src] of dupOf) expect(flags.duplicates).toContainEqual([1000 + src, 1000 + copy]);
    expect(flags.duplicates.length).toBe(dupOf.size);
    const suspects = new Set(flags.suspects.map((s) => s.item - 1000));
    const caught = flipped.filter((i) => suspects.has(i)).length;
    expect(caught).toBeGreaterThanOrEqual(10);
    expect(suspects.size - caught).toBeLessThanOrEqual(2);
    const one = flags.suspects.find((s) => s.item === 1000 + flipped[0]!)!;
    expect(one.label).toBe(labels[flipped[0]!]);
    expect(one.suggested).not.toBe(one.label);
    expect(one.confidence).toBeGreaterThanOrEqual(0.8);
    expect(one.agreement).toBeGreaterThanOrEqual(0.7);
  });

  it('without a model it flags duplicates only; unlabeled rows are never suspects', () => {
    const { x, d, labels } = dataset();
    const none = findFlags({ data: x, dim: d, items: Array.from({ length: 600 }, (_, i) => i), labels, classes: 4 });
    expect(none.suspects).toEqual([]);
    expect(none.duplicates.length).toBe(20);
  });
});

describe('the loop flags items after a training round', () => {
  it('loop.flags names the mislabeled item and the duplicate pair, in label ids', async () => {
    const centre = (c: number) => Array.from({ length: 8 }, (_, k) => (k === c ? 6 : 0));
    let s = 7;
    const noise = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 2;
    const truth = (i: number) => i % 3;
    const table = Array.from({ length: 200 }, (_, i) => centre(truth(i)).map((v) => v + noise()));
    table[199] = table[3]!.map((v) => v + 1e-4); // a near-copy of item 3 (both class 0)
    const registry = new ProjectRegistry(new MemoryStore());
    const project = await registry.create(
      {
        name: 'flags',
        kind: 'image-classification-multiclass',
        labels: ['a', 'b', 'c'],
        assist: { enabled: true, firstTrainingAt: 90, retrainEvery: 50, targetPrecision: 0.95, clustering: false },
        seed: 5,
      },
      { actor: { id: 'sim', role: 'owner' } },
    );
    await project.addItems(Array.from({ length: 200 }, (_, i) => ({ path: `x/${String(i).padStart(4, '0')}.png`, etag: `"${i}"` })));
    // The bound pinned at 95 % (the default's first look): 90 labels (one of them wrong) are too few at 97.5 %, and the flags read the round's threshold.
    const loop = new AssistLoop({
      project,
      assistant: new FakeAssistant('wasm'),
      readImage: async (item: ItemView) => vectorImage(table[item.index]!),
      minSupport: 10,
      confidence: 0.95,
    });
    const ids = project.labels.map((l) => l.id);
    let wrong: number | undefined;
    for (let k = 0; k < 90; k++) {
      const t = (await project.nextTask({ size: 1 }))!;
      const it = t.items[0]!;
      // The labeler slips once: a class-1 item labeled 'c'.
      const slip = wrong === undefined && truth(it.index) === 1 && k > 10;
      if (slip) wrong = it.index;
      await project.submit(t.id, [{ item: it.index, annotations: [{ kind: 'class', label: ids[slip ? 2 : truth(it.index)]! }] }]);
    }
    expect(loop.flags).toBeUndefined();
    const r = await loop.step();
    expect(r.trained).toBe(true);
    const flags = loop.flags!;
    expect(flags.suspects.map((x) => x.item)).toEqual([wrong]);
    expect(flags.suspects[0]).toMatchObject({ label: ids[2], suggested: ids[1] });
    expect(flags.duplicates).toContainEqual([3, 199]);
  });
});
