// attachAssist on a stopped project: no assist round runs (activity 'off') until an owner starts it.
import { MemoryStore, ProjectRegistry, type ItemView } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { attachAssist } from '../src/attach.js';
import { FakeAssistant, vectorImage } from './fake-assistant.js';

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('attachAssist and the project lifecycle', () => {
  it('runs nothing while the project is stopped, and starts with it', async () => {
    const project = await new ProjectRegistry(new MemoryStore()).create(
      {
        name: 'stopped',
        kind: 'image-classification-multiclass',
        labels: ['a', 'b'],
        assist: { enabled: true, firstTrainingAt: 10, retrainEvery: 10, clustering: false },
        seed: 2,
      },
      { actor: { id: 'o', role: 'owner' } },
    );
    await project.addItems(Array.from({ length: 8 }, (_, i) => ({ path: `x/${i}.png` })));
    await project.stop('budget');
    const assistant = new FakeAssistant('wasm');
    const readImage = async (item: ItemView) => vectorImage([item.index, 1]);
    const assist = attachAssist(project, { assistant, readImage, schedule: { debounceMs: 5 } });
    try {
      expect(assist.activity.state).toBe('off');
      await assist.run();
      expect(project.runs).toEqual([]);
      await project.start();
      await until(() => project.runs.some((r) => r.kind === 'featurization' && r.status === 'completed'));
      await project.stop();
      expect(assist.activity.state).toBe('off');
    } finally {
      await assist.dispose();
    }
  });
});
