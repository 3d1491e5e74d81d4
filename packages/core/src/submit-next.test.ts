import { describe, expect, it } from 'vitest';
import { LabelkitError } from './errors.js';
import { ProjectRegistry } from './registry.js';
import { MemoryStore } from './store/memory-store.js';
import type { PutOptions } from './store/store.js';

/** A memory store whose journal writes can be made to fail (a full disk, a lost connection). */
class FaultyStoreForTest extends MemoryStore {
  failWrites = false;
  override async put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<{ etag: string }> {
    if (this.failWrites && key.includes('/journal/')) throw new LabelkitError('E_STORE_WRITE', 'injected: the disk is full');
    return super.put(key, bytes, options);
  }
}

const owner = { id: 'o', role: 'owner' as const };

async function project(store = new MemoryStore()) {
  const registry = new ProjectRegistry(store);
  const p = await registry.create({ name: `sn${Math.random()}`, kind: 'image-classification-multiclass', labels: ['a', 'b'], seed: 4 }, { actor: owner, clientId: 'w' });
  await p.addItems(Array.from({ length: 10 }, (_, i) => ({ path: `x/${i}.png` })));
  return { registry, p, store };
}

describe('submitAndNext (write-behind submit)', () => {
  it('hands out the next task before the write lands; both are durable once confirmed', async () => {
    const { registry, p } = await project();
    const peek = p.peekNext(1).map((v) => v.index);
    const t = (await p.nextTask())!;
    expect(t.items.map((i) => i.index)).toEqual(peek);
    const upcoming = p.peekNext(1).map((v) => v.index);
    const { next, confirmed } = await p.submitAndNext(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: 'a' }] }]);
    expect(next!.items.map((i) => i.index)).toEqual(upcoming);
    await confirmed;
    expect(p.item(t.items[0]!.index).state).toBe('labeled');
    expect(p.currentTask()?.id).toBe(next!.id);
    const again = await registry.open(p.id, { actor: owner, clientId: 'w' });
    expect(again.item(t.items[0]!.index).state).toBe('labeled');
    expect(again.currentTask()?.id).toBe(next!.id);
  });

  it('a failed write rolls back visibly and loses nothing: the task is still held, the next items go back', async () => {
    const store = new FaultyStoreForTest();
    const { p } = await project(store);
    const t = (await p.nextTask())!;
    const upcoming = p.peekNext(1).map((v) => v.index);
    store.failWrites = true;
    const { next, confirmed } = await p.submitAndNext(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: 'a' }] }]);
    expect(next).toBeDefined();
    await expect(confirmed).rejects.toMatchObject({ code: 'E_STORE_WRITE' });
    store.failWrites = false;
    expect(p.item(t.items[0]!.index).state).toBe('assigned');
    expect(p.currentTask()?.id).toBe(t.id);
    expect(p.peekNext(1).map((v) => v.index)).toEqual(upcoming);
    // The labeler submits again: it works.
    await p.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: 'a' }] }]);
    expect(p.item(t.items[0]!.index).state).toBe('labeled');
  });

  it('bad labels reject the call itself and change nothing', async () => {
    const { p } = await project();
    const t = (await p.nextTask())!;
    await expect(p.submitAndNext(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: 'zebra' }] }])).rejects.toBeInstanceOf(LabelkitError);
    expect(p.currentTask()?.id).toBe(t.id);
  });
});
