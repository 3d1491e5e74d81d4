// Active ordering: the ranking prefers the items the head is unsure of, spreads them across
// clusters (or away from near neighbours), and the loop records it only when the project asks for
// queue.order 'informative' — then the queue serves those items first.
import { type ItemView, MemoryStore, ProjectRegistry, type QueueSettings } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { AssistLoop } from '../src/assist/loop.js';
import { informativeOrder, uncertainty } from '../src/assist/rank.js';
import { blobs } from './blobs.js';
import { FakeAssistant, vectorImage } from './fake-assistant.js';

describe('uncertainty', () => {
  it('is one minus the margin of the two likeliest classes (multi-class), closeness to 0.5 (multi-label)', () => {
    const probs = Float32Array.from([0.98, 0.01, 0.01, 0.4, 0.35, 0.25, 0.5, 0.5, 0]);
    const u = uncertainty('multiclass', probs, 3, 3);
    expect(u[0]).toBeCloseTo(0.03, 5);
    expect(u[1]).toBeCloseTo(0.95, 5);
    expect(u[2]).toBeCloseTo(1, 5);
    const m = uncertainty('multilabel', Float32Array.from([0.99, 0.02, 0.9, 0.55]), 2, 2);
    expect(m[0]).toBeCloseTo(0.04, 5);
    expect(m[1]).toBeCloseTo(0.9, 5);
  });
});

describe('informativeOrder on a synthetic set', () => {
  // 3 well-separated blobs of 60 points; the head is unsure of blob 0 (0.8–0.99), less of blob 1
  // (0.5–0.69) and sure of blob 2 (0–0.19).
  const { truth } = blobs(180, 8, 3, 21);
  const scores = Float32Array.from(truth, (c, i) => [0.8, 0.5, 0][c]! + ((i * 7919) % 20) / 100);

  it('prefers uncertain items: the order follows the scores without groups or embeddings', () => {
    const order = informativeOrder(scores, 20);
    for (let k = 1; k < order.length; k++) expect(scores[order[k]!]!).toBeLessThanOrEqual(scores[order[k - 1]!]!);
    expect(order.every((i) => truth[i] === 0)).toBe(true);
  });

  it('spreads across clusters: groups take turns among rows about as uncertain; sure rows stay out', () => {
    const order = informativeOrder(scores, 30, Int32Array.from(truth));
    expect(order).toHaveLength(30);
    expect(new Set(order).size).toBe(30);
    // Plain uncertainty would take 30 rows of blob 0; blob 1 now gets turns, blob 2 (sure) none.
    const counts = [0, 1, 2].map((c) => order.filter((i) => truth[i] === c).length);
    expect(counts[0]).toBeGreaterThan(counts[1]!);
    expect(counts[1]).toBeGreaterThanOrEqual(10);
    expect(counts[2]).toBe(0);
    expect(truth[order[0]!]).toBe(0);
    expect(order.slice(0, 4).some((i) => truth[i] === 1)).toBe(true);
    // Each cluster's rows in falling uncertainty.
    for (const c of [0, 1]) {
      const mine = order.filter((i) => truth[i] === c).map((i) => scores[i]!);
      expect(mine).toEqual([...mine].sort((a, b) => b - a));
    }
  });

  it('without clusters, near neighbours of a pick are pushed down', () => {
    // Ten copies of one point at 0.9, and ten distinct points (one per direction) at 0.7.
    const d = 10;
    const rows = new Float32Array(20 * d);
    for (let i = 0; i < 10; i++) rows[i * d] = 1;
    for (let i = 10; i < 20; i++) rows[i * d + (i - 10)] = i === 10 ? -1 : 1;
    const s = Float32Array.from({ length: 20 }, (_, i) => (i < 10 ? 0.9 : 0.7));
    const order = informativeOrder(s, 5, undefined, { data: rows, cols: d });
    expect(order.filter((i) => i < 10)).toHaveLength(1);
    expect(order[0]).toBe(0);
    // Without embeddings the copies would fill the ranking.
    expect(informativeOrder(s, 5).every((i) => i < 10)).toBe(true);
    // Groups of -1 (no cluster) count as no groups.
    expect(informativeOrder(s, 5, new Int32Array(20).fill(-1), { data: rows, cols: d })).toEqual(order);
  });
});

describe('the loop records a ranking for the informative queue', () => {
  async function setup(order: QueueSettings['order'], threshold: number | null = 0.995) {
    const registry = new ProjectRegistry(new MemoryStore());
    const project = await registry.create(
      {
        name: `rank ${Math.random()}`,
        kind: 'image-classification-multiclass',
        labels: ['a', 'b'],
        assist: { enabled: true, firstTrainingAt: 20, retrainEvery: 20, targetPrecision: 0.95, clustering: true },
        queue: { order },
        seed: 5,
      },
      { actor: { id: 'sim', role: 'owner' } },
    );
    await project.addItems(Array.from({ length: 200 }, (_, i) => ({ path: `x/${String(i).padStart(4, '0')}.png`, etag: `"${i}"` })));
    const assistant = new FakeAssistant('wasm');
    // The fake clusters item i into i % k; the head is sure of everything but multiples of 5,
    // and surest of those the lower their index.
    const loop = new AssistLoop({ project, assistant, readImage: async (item: ItemView) => vectorImage([item.index, 1]), clusters: 4, minSupport: 10 });
    await loop.step();
    const ids = project.labels.map((l) => l.id);
    for (let k = 0; k < 20; k++) {
      const t = (await project.nextTask({ size: 1 }))!;
      await project.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: ids[k % 2]! }] }]);
    }
    // A threshold above every confidence: a validated round, with no prelabels to show yet.
    assistant.script = { threshold, probs: (r) => (r[0]! % 5 === 0 ? [0.5 + r[0]! / 1000, 0.5 - r[0]! / 1000] : [0.99, 0.01]) };
    const ranked: number[][] = [];
    const rankItems = project.rankItems.bind(project);
    project.rankItems = (run, items, scores) => (ranked.push([...items]), rankItems(run, items, scores));
    const report = await loop.step();
    expect(report.trained).toBe(true);
    return { project, ranked };
  }

  it("'informative': the unsure items come first, across clusters; then the rest", async () => {
    const { project, ranked } = await setup('informative');
    expect(ranked).toHaveLength(1);
    const todoUnsure = [...project.items({ states: ['todo'] })].filter((it) => it.index % 5 === 0).length;
    // 4 × retrainEvery = 80 items ranked; the unsure ones (multiples of 5) lead, in the four clusters in turn.
    expect(ranked[0]).toHaveLength(80);
    expect(ranked[0]!.slice(0, todoUnsure).every((i) => i % 5 === 0)).toBe(true);
    expect(new Set(ranked[0]!.slice(0, 4).map((i) => i % 4)).size).toBe(4);
    const served: number[] = [];
    for (let k = 0; k < todoUnsure; k++) {
      const t = (await project.nextTask({ size: 1 }))!;
      served.push(t.items[0]!.index);
      await project.skip(t.id);
    }
    expect(served).toEqual(ranked[0]!.slice(0, todoUnsure));
  });

  it('a round with no threshold records an empty ranking: the shuffled order builds the calibration sample', async () => {
    const { ranked } = await setup('informative', null);
    expect(ranked).toEqual([[]]);
  });

  it("'shuffled' (the default): no ranking is computed or recorded", async () => {
    const { ranked } = await setup(undefined);
    expect(ranked).toEqual([]);
  });
});
