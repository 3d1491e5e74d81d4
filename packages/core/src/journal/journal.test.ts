import { describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { ProjectRegistry } from '../registry.js';
import { MemoryStore } from '../store/memory-store.js';
import { listAll } from '../store/store.js';
import { decodeSegment, encodeSegment } from './codec.js';
import { upcast, type JournalEvent } from './events.js';

const owner = { id: 'o', role: 'owner' as const };

async function labeledProject(store: MemoryStore, n = 6) {
  const registry = new ProjectRegistry(store);
  const project = await registry.create({ name: `J${Math.random()}`, kind: 'image-classification-multiclass', labels: ['a', 'b'], seed: 1 }, { actor: owner, snapshotEvery: 0 });
  await project.addItems(Array.from({ length: n }, (_, i) => ({ path: `x/${i}.png` })));
  for (let k = 0; k < n; k++) {
    const t = await project.nextTask();
    await project.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'class', label: k % 2 ? 'a' : 'b' }] }]);
  }
  return { registry, project };
}

async function segments(store: MemoryStore, id: string) {
  return (await listAll(store, `projects/${id}/journal/`)).map((e) => e.key);
}

describe('journal codec', () => {
  it('round-trips events and keeps the good prefix of a torn segment', () => {
    const events = [1, 2, 3].map((i) => ({ type: 'items.reviewed', items: [i], v: 1, at: i, by: 'u' }) as JournalEvent);
    const bytes = encodeSegment(events);
    expect(decodeSegment(bytes)).toEqual({ events });
    for (const cut of [bytes.length - 1, bytes.length - 10, Math.floor(bytes.length / 2)]) {
      const d = decodeSegment(bytes.subarray(0, cut));
      expect(d.damage).toBeDefined();
      expect(d.events).toEqual(events.slice(0, d.events.length));
      expect(d.events.length).toBeGreaterThanOrEqual(1);
    }
    const flipped = bytes.slice();
    flipped[20] ^= 0x01;
    const d = decodeSegment(flipped);
    expect(d.damage?.reason).toBe('checksum mismatch');
    expect(d.events).toEqual(events.slice(1));
  });

  it('upcasts unversioned events and refuses newer schemas', () => {
    expect(upcast({ type: 'task.submitted', items: [], annotations: [], at: 1, by: 'u' })).toMatchObject({ type: 'labels.submitted', v: 1 });
    expect(() => upcast({ type: 'items.reviewed', v: 99 })).toThrow(/newer/);
  });
});

describe('recovery', () => {
  it('a truncated last segment is detected, reported, kept in quarantine, and the project opens at the last good event', async () => {
    const store = new MemoryStore();
    const { registry, project } = await labeledProject(store);
    const keys = await segments(store, project.id);
    const last = keys[keys.length - 1];
    const whole = (await store.get(last))!.bytes;
    await store.put(last, whole.subarray(0, whole.length - 7));
    // The same client reopens (a restart): the task whose submission was torn off is its own again.
    const again = await registry.open(project.id, { actor: owner, clientId: project.clientId });
    expect(again.openReport.journalDamage).toHaveLength(1);
    expect(again.openReport.journalDamage[0]).toMatchObject({ key: last, goodEvents: 0 });
    expect((await store.get(again.openReport.journalDamage[0].quarantinedAt!))!.bytes).toEqual(whole.subarray(0, whole.length - 7));
    expect(again.stats().counts.labeled).toBe(5);
    // New work after recovery is kept.
    const t = await again.nextTask();
    await again.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'class', label: 'a' }] }]);
    const third = await registry.open(project.id, { actor: owner });
    expect(third.stats().counts.labeled).toBe(6);
  });

  it('garbage in a middle segment loses only that segment’s events', async () => {
    const store = new MemoryStore();
    const { registry, project } = await labeledProject(store);
    const keys = await segments(store, project.id);
    await store.put(keys[4], new TextEncoder().encode('not a journal\n'));
    const again = await registry.open(project.id, { actor: owner });
    expect(again.openReport.journalDamage.map((d) => d.key)).toEqual([keys[4]]);
    expect(again.openReport.journalDamage[0].reason).toBe('malformed record');
    expect(again.itemCount).toBe(6);
  });

  it('a corrupt snapshot is skipped for the previous one or the journal, with the same state', async () => {
    const store = new MemoryStore();
    const { registry, project } = await labeledProject(store);
    const key = await project.snapshot();
    const snap = (await store.get(key))!.bytes.slice();
    snap[snap.length - 3] ^= 0xff;
    await store.put(key, snap);
    const again = await registry.open(project.id, { actor: owner });
    expect(again.openReport.snapshotDamage).toEqual([{ key, reason: expect.stringMatching(/checksum/) }]);
    expect(again.openReport.fromSnapshot).toBe(false);
    expect(again.stats()).toEqual(project.stats());
    // A truncated snapshot too.
    await store.put(key, snap.subarray(0, 10));
    const third = await registry.open(project.id, { actor: owner });
    expect(third.openReport.snapshotDamage[0].reason).toMatch(/too short/);
    expect([...third.items()]).toEqual([...project.items()]);
  });

  it('re-sending a segment whose first write landed is not a duplicate', async () => {
    const store = new MemoryStore();
    let first = true;
    const flaky = Object.assign(Object.create(store), {
      description: 'flaky',
      async put(key: string, bytes: Uint8Array, o?: never) {
        const r = await store.put(key, bytes, o);
        if (first && key.includes('/journal/') && !key.endsWith('0000000001.jsonl')) {
          first = false;
          throw new Error('timeout after the write landed');
        }
        return r;
      },
      get: store.get.bind(store),
      list: store.list.bind(store),
      delete: store.delete.bind(store),
    });
    const registry = new ProjectRegistry(flaky);
    const project = await registry.create({ name: 'retry', kind: 'image-object-detection', labels: ['a'] }, { actor: owner });
    await project.addItems([{ path: 'a.png' }, { path: 'b.png' }]);
    const again = await registry.open(project.id, { actor: owner });
    expect(again.itemCount).toBe(2);
    expect(again.eventCount).toBe(2);
    expect(LabelkitError.is(new LabelkitError('E_CONFLICT', 'x'), 'E_CONFLICT')).toBe(true);
  });
});
