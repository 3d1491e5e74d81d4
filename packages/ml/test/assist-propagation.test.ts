// AssistLoop's `propagation` option: the todo items' rows reach the trainer (all of them, or a
// seeded sample of `maxUnlabeled`), the prelabels are the trainer's scores of those rows (the mix
// the threshold was chosen on), and only sampled items get prelabels that round.
import { type ItemView, LabelkitError, MemoryStore, type Matrix, type Project, ProjectRegistry, type TrainRequest, type TrainResult } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { AssistLoop, type AssistLoopOptions } from '../src/assist/loop.js';
import { fitHeadCV } from '../src/numerics/fit.js';
import { zOf } from '../src/numerics/threshold.js';
import { FakeAssistant, vectorImage } from './fake-assistant.js';

const owner = { id: 'sim', role: 'owner' as const };

/** FakeAssistant's real numerics, with the request's propagation and unlabeled rows passed through. */
class SpreadingAssistant extends FakeAssistant {
  predicted = 0;
  override async train(embeddings: Matrix, request: TrainRequest): Promise<TrainResult> {
    this.trainRequests.push(request);
    const fit = await fitHeadCV(embeddings.data, embeddings.rows, embeddings.cols, request.targets, request.classes, request.kind, {
      folds: request.folds,
      calibrate: request.calibrate,
      gated: request.gated,
      minSupport: request.minSupport,
      z: zOf(request.confidence ?? 0.95),
      seed: request.seed,
      unlabeled: request.unlabeled?.data,
      propagation: request.propagation,
    });
    const t = Date.now();
    const record = (kind: 'training' | 'validation') => ({ kind, status: 'completed' as const, device: 'cpu' as const, startedAt: t, finishedAt: t, timings: {}, metrics: {} });
    const unlabeled = fit.unlabeled ? { unlabeled: { rows: fit.unlabeled.length / request.classes, cols: request.classes, data: fit.unlabeled } } : {};
    return { head: fit.head, threshold: fit.threshold.threshold, training: record('training'), validation: record('validation'), ...unlabeled };
  }
  override async predict(...args: Parameters<FakeAssistant['predict']>) {
    this.predicted += args[1].rows;
    return super.predict(...args);
  }
}

/** XOR sectors in 2-d: no line separates 'a' from 'b', their cosine neighbours do. */
function sector(i: number): { v: number[]; label: string } {
  const q = i % 4;
  // Golden-ratio steps: spread over the sector, and no two items share a vector.
  const angle = ((q * 90 + 8 + ((i * 0.618034) % 1) * 74) * Math.PI) / 180;
  const radius = 0.5 + ((i * 0.414214) % 1);
  return { v: [radius * Math.cos(angle), radius * Math.sin(angle)], label: q % 2 ? 'b' : 'a' };
}

async function setup(items: number, propagation: AssistLoopOptions['propagation']) {
  const registry = new ProjectRegistry(new MemoryStore());
  const project = await registry.create(
    {
      name: `spread ${Math.random()}`,
      kind: 'image-classification-multiclass',
      labels: ['a', 'b'],
      assist: { enabled: true, firstTrainingAt: 120, retrainEvery: 50, targetPrecision: 0.95, clustering: false },
      seed: 3,
    },
    { actor: owner },
  );
  await project.addItems(Array.from({ length: items }, (_, i) => ({ path: `x/${String(i).padStart(4, '0')}.png`, etag: `"${i}"` })));
  const assistant = new SpreadingAssistant('webgpu');
  const loop = new AssistLoop({
    project,
    assistant,
    readImage: async (item: ItemView) => vectorImage(sector(item.index).v),
    minSupport: 10,
    neighbours: 0,
    flags: false,
    propagation,
  });
  return { project, assistant, loop };
}

async function labelN(project: Project, n: number): Promise<void> {
  const ids = new Map(project.labels.map((l) => [l.name, l.id]));
  for (let k = 0; k < n; k++) {
    const t = await project.nextTask({ size: 1 });
    if (!t) break;
    await project.submit(t.id, [{ item: t.items[0].index, annotations: [{ kind: 'class', label: ids.get(sector(t.items[0].index).label)! }] }]);
  }
}

function prelabeled(project: Project): ItemView[] {
  return [...project.items({ states: ['todo'] })].filter((it) => it.prelabels?.length);
}

describe('propagation in the assist loop', () => {
  it('off: the head alone finds no threshold on XOR; on: the todo rows reach the trainer and get right prelabels', async () => {
    const off = await setup(600, false);
    await off.loop.step();
    await labelN(off.project, 120);
    const r0 = await off.loop.step();
    expect(r0.trained).toBe(true);
    expect(off.assistant.trainRequests[0]!.unlabeled).toBeUndefined();
    expect(r0.threshold).toBeNull();

    const on = await setup(600, true);
    await on.loop.step();
    await labelN(on.project, 120);
    const r = await on.loop.step();
    const request = on.assistant.trainRequests[0]!;
    expect(request.unlabeled!.rows).toBe(480);
    expect(request.propagation).toEqual({});
    expect(r.threshold).not.toBeNull();
    const shown = prelabeled(on.project);
    expect(shown.length).toBeGreaterThan(300);
    const right = shown.filter((it) => on.project.labels.find((l) => l.id === it.prelabels![0]!.label)!.name === sector(it.index).label).length;
    expect(right / shown.length).toBeGreaterThanOrEqual(0.95);
    // The scores came from the trainer, not from the head's predict.
    expect(on.assistant.predicted).toBe(0);
    const inference = on.project.runs.filter((x) => x.kind === 'inference').at(-1)!;
    expect(inference.metrics!.propagated).toBe(480);
  });

  it('sends at most maxUnlabeled todo rows, and prelabels only those', async () => {
    const { project, assistant, loop } = await setup(600, { maxUnlabeled: 100, weight: 0.6 });
    await loop.step();
    await labelN(project, 120);
    await loop.step();
    const request = assistant.trainRequests[0]!;
    expect(request.unlabeled!.rows).toBe(100);
    expect(request.propagation).toEqual({ weight: 0.6 });
    const sent = new Set<number>();
    const rows = request.unlabeled!.data;
    // Each sent row is an item's embedding: find the items back by their vectors.
    const byVector = new Map(
      Array.from({ length: 600 }, (_, i) => [
        sector(i)
          .v.map((x) => Math.fround(x))
          .join(','),
        i,
      ]),
    );
    expect(byVector.size).toBe(600);
    for (let r = 0; r < 100; r++) sent.add(byVector.get(Array.from(rows.subarray(r * 2, r * 2 + 2)).join(','))!);
    const shown = prelabeled(project);
    expect(shown.length).toBeGreaterThan(50);
    expect(shown.every((it) => sent.has(it.index))).toBe(true);
  });

  it('rejects a bad cap with a LabelkitError', async () => {
    const { project, loop } = await setup(200, { maxUnlabeled: 0 });
    await loop.step();
    await labelN(project, 120);
    await expect(loop.step()).rejects.toThrow(LabelkitError);
  });
});
