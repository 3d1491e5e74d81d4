// Project.requeueUnreadable: an owner or reviewer puts items marked unreadable back in the queue
// (the mark was a storage outage, or the file was replaced), through the journal, so every client
// and a reopened project agree.
import { describe, expect, it } from 'vitest';
import { LabelkitError } from './errors.js';
import { MemoryStore } from './store/memory-store.js';
import { ProjectRegistry } from './registry.js';
import type { Actor, ItemRef } from './types.js';

const owner: Actor = { id: 'olivia', role: 'owner' };

function refs(n: number): ItemRef[] {
  return Array.from({ length: n }, (_, i) => ({ path: `img/${i}.png`, etag: `"e${i}"`, size: 100 + i }));
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return LabelkitError.is(err) ? err.code : String(err);
  }
  return undefined;
}

describe('Project.requeueUnreadable', () => {
  it('puts unreadable items back as todo, clears their failure, and the fold agrees after a reopen', async () => {
    const store = new MemoryStore();
    const registry = new ProjectRegistry(store);
    const project = await registry.create({ name: 'R', kind: 'image-classification-multiclass', labels: ['cat', 'dog'], seed: 3 }, { actor: owner });
    await project.addItems(refs(6));
    const task = (await project.nextTask({ size: 4 }))!;
    const [a, b, c] = task.items.map((i) => i.index);
    await project.markUnreadable(a, 'E_STORE_READ', 'The storage answered 503.');
    await project.markUnreadable(b, 'E_CORRUPT_IMAGE', 'Corrupt PNG.');
    await project.submit(task.id, [{ item: c, annotations: [{ kind: 'class', label: 'cat' }] }]);
    expect(project.item(a).state).toBe('unreadable');
    expect(project.item(a).unreadable).toEqual({ code: 'E_STORE_READ', reason: 'The storage answered 503.' });
    expect(project.stats().counts.unreadable).toBe(2);

    // Labelers may not; requeueSkipped does not touch unreadable items.
    const lee = await registry.open('R', { actor: { id: 'lee', role: 'labeler' } });
    expect(await code(lee.requeueUnreadable())).toBe('E_FORBIDDEN');
    expect(await project.requeueSkipped([a, b])).toBe(0);
    expect(project.item(a).state).toBe('unreadable');

    // A reviewer requeues one chosen item; items that are not unreadable are ignored, not an error.
    const rita = await registry.open('R', { actor: { id: 'rita', role: 'reviewer' } });
    expect(await rita.requeueUnreadable([a, c])).toBe(1);
    expect(rita.item(a).state).toBe('todo');
    expect(rita.item(a).unreadable).toBeUndefined();
    expect(rita.item(c).state).toBe('labeled');
    expect(rita.item(b).state).toBe('unreadable');

    // The owner (opened again, to read rita's event: a store of one's own has no other writers) requeues
    // the rest; a second call finds nothing.
    const olivia = await registry.open('R', { actor: owner });
    expect(olivia.item(a).state).toBe('todo');
    expect(await olivia.requeueUnreadable()).toBe(1);
    expect(await olivia.requeueUnreadable()).toBe(0);

    // A fresh open folds the journal to the same states, and the items are served again.
    const again = await registry.open('R', { actor: owner });
    expect([a, b, c].map((i) => again.item(i).state)).toEqual(['todo', 'todo', 'labeled']);
    expect(again.item(b).unreadable).toBeUndefined();
    expect(again.stats().counts.unreadable).toBe(0);
    await again.release(task.id).catch(() => undefined);
    const served = new Set<number>();
    for (let t = await again.nextTask({ size: 1 }); t; t = await again.nextTask({ size: 1 })) {
      served.add(t.items[0].index);
      await again.skip(t.id);
    }
    expect(served.has(a) && served.has(b)).toBe(true);
  });
});
