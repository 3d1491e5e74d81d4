// attachAssist: one call runs assist for an open project — on open, after labels arrive (debounced),
// with {done,total} progress to subscribers, resuming after a reload, and stopping on dispose().
import { type AssistActivity, type AssistCallOptions, type AssistImage, type ItemView, MemoryStore, ProjectRegistry } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { attachAssist } from '../src/attach.js';
import { FakeAssistant, vectorImage } from './fake-assistant.js';

const owner = { id: 'sim', role: 'owner' as const };

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A FakeAssistant whose featurize waits between images (so a test can stop it midway). */
class SlowAssistant extends FakeAssistant {
  featurized = 0;
  override async featurize(images: readonly AssistImage[], options: AssistCallOptions = {}) {
    for (let i = 0; i < images.length; i++) {
      await new Promise((r) => setTimeout(r, 2));
      if (options.signal?.aborted) throw Object.assign(new Error('aborted'), { code: 'E_ABORTED' });
    }
    this.featurized += images.length;
    return super.featurize(images, options);
  }
}

async function setup(store = new MemoryStore()) {
  const registry = new ProjectRegistry(store);
  const project = await registry.create(
    {
      name: `attach ${Math.random()}`,
      kind: 'image-classification-multiclass',
      labels: ['a', 'b'],
      assist: { enabled: true, firstTrainingAt: 10, retrainEvery: 10, clustering: false },
      seed: 2,
    },
    { actor: owner },
  );
  await project.addItems(Array.from({ length: 60 }, (_, i) => ({ path: `x/${String(i).padStart(3, '0')}.png`, etag: `"${i}"` })));
  return { store, registry, project };
}

const readImage = async (item: ItemView) => vectorImage([item.index % 2 ? 5 : -5, item.index / 100]);

describe('attachAssist', () => {
  it('featurizes on open, trains when labels arrive, reports progress, and stops on dispose()', async () => {
    const { project } = await setup();
    const assistant = new FakeAssistant('wasm');
    const seen: AssistActivity[] = [];
    const assist = attachAssist(project, { assistant, readImage, schedule: { debounceMs: 5 }, loop: { minSupport: 5, minLabelsPerClass: 2, batch: 16, confidence: 0 } }); // (10 labels cannot pass a 95 % bound)
    assist.subscribe((a) => seen.push(a));
    await until(() => project.runs.some((r) => r.kind === 'featurization' && r.status === 'completed') && assist.activity.state === 'idle');
    const feat = seen.filter((a) => a.phase === 'featurization' && a.total !== undefined);
    expect(feat.at(-1)).toMatchObject({ state: 'working', done: 60, total: 60 });
    expect(feat.some((a) => a.done! > 0 && a.done! < 60)).toBe(true);
    // The labeler labels; once the first training is due, a step trains and prelabels.
    const ids = project.labels.map((l) => l.id);
    for (let k = 0; k < 10; k++) {
      const t = (await project.nextTask({ size: 1 }))!;
      await project.submit(t.id, [{ item: t.items[0].index, annotations: [{ kind: 'class', label: ids[t.items[0].index % 2] }] }]);
    }
    await until(() => project.runs.some((r) => r.kind === 'inference' && r.status === 'completed'), 20000);
    expect(project.runs.find((r) => r.kind === 'training')!.device).toBe('cpu');
    expect(seen.some((a) => a.phase === 'inference')).toBe(true);
    await assist.dispose();
    expect(assist.activity.state).toBe('stopped');
    // After dispose(), labels no longer start a round: a second, live attach with the same debounce
    // sees the same changes, and once it has trained the disposed one has not.
    const trained = assistant.trainRequests.length;
    const control = new FakeAssistant('webgpu');
    const live = attachAssist(project, { assistant: control, readImage, schedule: { debounceMs: 5, onOpen: false }, loop: { minSupport: 5, minLabelsPerClass: 2, confidence: 0 } });
    for (let k = 0; k < 10; k++) {
      const t = await project.nextTask({ size: 1 });
      if (!t) break;
      await project.submit(t.id, [{ item: t.items[0].index, annotations: [{ kind: 'class', label: ids[t.items[0].index % 2] }] }]);
    }
    await until(() => control.trainRequests.length === 1 && live.activity.state === 'idle', 20000);
    expect(assistant.trainRequests.length).toBe(trained);
    await live.dispose();
  });

  it('survives a reload mid-featurization: the next attach featurizes only what is missing', async () => {
    const { store, registry, project } = await setup();
    const first = new SlowAssistant();
    const a1 = attachAssist(project, { assistant: first, readImage, schedule: { debounceMs: 0 }, loop: { batch: 8, chunkSize: 16 } });
    // Stop (a reload) once some chunks are written.
    await until(() => first.featurized >= 24);
    await a1.dispose();
    const done = first.featurized;
    expect(done).toBeLessThan(60);
    project.close();
    const again = await registry.open(project.id, { actor: owner });
    const second = new SlowAssistant();
    const a2 = attachAssist(again, { assistant: second, readImage, schedule: { debounceMs: 0 }, loop: { batch: 8, chunkSize: 16 } });
    await until(() => again.runs.filter((r) => r.kind === 'featurization' && r.status === 'completed').length >= 1);
    // Whole chunks written before the stop are not featurized again.
    expect(second.featurized).toBeLessThanOrEqual(60 - 16);
    expect(second.featurized + done).toBeGreaterThanOrEqual(60);
    await a2.dispose();
    void store;
  });

  it('follows the project switch and needs models or an assistant', async () => {
    const { project } = await setup();
    expect(() => attachAssist(project, { readImage })).toThrow(/models/);
    const assist = attachAssist(project, { assistant: new FakeAssistant(), readImage, schedule: { debounceMs: 0 } });
    await until(() => assist.activity.state === 'idle');
    await project.updateAssist({ enabled: false });
    expect(assist.activity.state).toBe('off');
    await assist.dispose();
  });
});
