import { describe, expect, it } from 'vitest';
import { MemoryStore } from './store/memory-store.js';
import { ProjectRegistry } from './registry.js';
import { listAll, utf8, type StoreEntry } from './store/store.js';
import type { Project } from './project.js';
import { encodeSegment } from './journal/codec.js';
import type { JournalEvent } from './journal/events.js';

/** A memory store that records the prefixes it was asked to list. */
class ListingStore extends MemoryStore {
  listed: string[] = [];
  override list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<StoreEntry> {
    this.listed.push(prefix);
    return super.list(prefix, options);
  }
}

const owner = { id: 'o', role: 'owner' as const };

/** A memory store that holds full-snapshot writes (`.snap`) until `release()`, once `holding` is set. */
class HoldingStore extends MemoryStore {
  holding = false;
  held: string[] = [];
  #gate: { promise: Promise<void>; open: () => void } | undefined;
  #arrived: (() => void) | undefined;
  /** Resolves when a snapshot write arrives and is held. */
  arrival(): Promise<void> {
    return new Promise((r) => (this.#arrived = r));
  }
  release(): void {
    this.#gate?.open();
  }
  override async put(key: string, bytes: Uint8Array, options?: Parameters<MemoryStore['put']>[2]): ReturnType<MemoryStore['put']> {
    if (this.holding && key.endsWith('.snap')) {
      let open!: () => void;
      this.#gate = { promise: new Promise<void>((r) => (open = r)), open };
      this.held.push(key);
      this.#arrived?.();
      await this.#gate.promise;
    }
    return super.put(key, bytes, options);
  }
}

async function labeled(store: MemoryStore, submits: number, options: { checkpointEvery?: number } = {}) {
  const registry = new ProjectRegistry(store);
  const p = await registry.create(
    { name: `cp${Math.random()}`, kind: 'image-classification-multiclass', labels: ['a', 'b'], seed: 2 },
    { actor: owner, clientId: 'w', ...options },
  );
  await p.addItems(Array.from({ length: 400 }, (_, i) => ({ path: `x/${i}.png` })));
  for (let k = 0; k < submits; k++) {
    const t = (await p.nextTask())!;
    await p.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: k % 2 ? 'a' : 'b' }] }]);
    // A labeler's pause now and then: idle checkpoints run in it.
    if (k % 8 === 7) await new Promise((r) => setTimeout(r, 0));
  }
  return { registry, p };
}

const view = (p: Project) => JSON.stringify([...p.items()].map((v) => [v.state, v.annotations]));

describe('checkpoints', () => {
  it('close() writes a tail: the next open replays nothing and equals the live state', async () => {
    const store = new MemoryStore();
    const { registry, p } = await labeled(store, 60, { checkpointEvery: 16 });
    await p.close();
    const keys = (await listAll(store, `projects/${p.id}/snapshots/`)).map((e) => e.key);
    expect(keys.filter((k) => k.endsWith('.snap'))).toHaveLength(1);
    expect(keys.filter((k) => k.endsWith('.tail'))).toHaveLength(1);
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(again.openReport).toMatchObject({ fromSnapshot: true, eventsReplayed: 0, snapshotDamage: [] });
    expect(view(again)).toBe(view(p));
  });

  it('idle checkpoints keep the replay short without close()', async () => {
    const store = new MemoryStore();
    const { registry, p } = await labeled(store, 100, { checkpointEvery: 16 });
    // Nothing to wait for: each idle checkpoint runs in a labeler's pause in labeled() (whenIdle's timer
    // fires before the pause's, and queues its command ahead of the next submit). The last 4 submits
    // (8 events) are under checkpointEvery and queue none.
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(again.openReport.eventsReplayed).toBeLessThanOrEqual(2 * 16);
    expect(view(again)).toBe(view(p));
    await p.close();
  });

  it('a torn tail is reported and the journal is read instead, losing nothing', async () => {
    const store = new MemoryStore();
    const { registry, p } = await labeled(store, 40, { checkpointEvery: 16 });
    await p.close();
    const tail = (await listAll(store, `projects/${p.id}/snapshots/`)).map((e) => e.key).find((k) => k.endsWith('.tail'))!;
    const whole = (await store.get(tail))!.bytes;
    await store.put(tail, whole.subarray(0, whole.length - 9));
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(again.openReport.snapshotDamage.map((d) => d.key)).toEqual([tail]);
    expect(again.openReport.eventsReplayed).toBeGreaterThan(0);
    expect(view(again)).toBe(view(p));
  });

  it('snapshotEvery 0 writes no checkpoint at all', async () => {
    const store = new MemoryStore();
    const registry = new ProjectRegistry(store);
    const p = await registry.create({ name: 'none', kind: 'image-classification-multiclass', labels: ['a', 'b'] }, { actor: owner, snapshotEvery: 0 });
    await p.addItems([{ path: 'a.png' }]);
    await p.close();
    expect(await listAll(store, `projects/${p.id}/snapshots/`)).toEqual([]);
  });

  it('a tail names its writers registered: the next open asks each client for its next segments instead of listing the journal', async () => {
    const store = new ListingStore();
    const { registry, p } = await labeled(store, 40, { checkpointEvery: 16 });
    await p.close();
    // A second labeler (a client the tail never saw) submits, then dies without a checkpoint.
    const other = await registry.open(p.id, { actor: owner, clientId: 'late' });
    for (let k = 0; k < 5; k++) {
      const t = (await other.nextTask())!;
      await other.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: 'a' }] }]);
    }
    store.listed = [];
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(store.listed.filter((k) => k.includes('/journal/'))).toEqual([]);
    expect(store.listed).toContain(`projects/${p.id}/clients/`);
    expect(again.openReport.eventsReplayed).toBe(10); // 5 leases + 5 submissions of the late client
    expect(view(again)).toBe(view(other));
    // A restarted writer continues its own sequence after what it finds.
    const w = await registry.open(p.id, { actor: owner, clientId: 'w' });
    const t = (await w.nextTask())!;
    await w.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: 'b' }] }]);
    const last = await registry.open(p.id, { actor: owner, clientId: 'r2', snapshotEvery: 0 });
    expect(view(last)).toBe(view(w));
  });

  it('a snapshot is followed by an empty tail, so an open right after it skips the listing too', async () => {
    const store = new ListingStore();
    const { registry, p } = await labeled(store, 10, { checkpointEvery: 16 });
    await p.snapshot();
    await p.close();
    const keys = (await listAll(store, `projects/${p.id}/snapshots/`)).map((e) => e.key);
    expect(keys.some((k) => k.endsWith('.tail'))).toBe(true);
    store.listed = [];
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(store.listed.filter((k) => k.includes('/journal/'))).toEqual([]);
    expect(again.openReport).toMatchObject({ fromSnapshot: true, eventsReplayed: 0 });
    expect(view(again)).toBe(view(p));
  });

  it('a tail from a writer that predates the registry is read with a listing, finding clients that never registered', async () => {
    const store = new ListingStore();
    const { registry, p } = await labeled(store, 30, { checkpointEvery: 16 });
    await p.close();
    // Rewrite the tail as an older Labelkit wrote it (no `registered`)…
    const tailKey = (await listAll(store, `projects/${p.id}/snapshots/`)).map((e) => e.key).find((k) => k.endsWith('.tail'))!;
    const bytes = (await store.get(tailKey))!.bytes;
    const nl = bytes.indexOf(10);
    const header = JSON.parse(utf8.decode(bytes.subarray(0, nl))) as Record<string, unknown>;
    delete header.registered;
    const head = utf8.encode(JSON.stringify(header) + '\n');
    const old = new Uint8Array(head.length + bytes.length - nl - 1);
    old.set(head);
    old.set(bytes.subarray(nl + 1), head.length);
    await store.put(tailKey, old);
    // …and a segment from a client that never joined the registry (an older writer).
    const event = { type: 'member.set', user: 'zed', role: 'reviewer', v: 1, at: Date.now() + 1000, by: owner.id } as unknown as JournalEvent;
    await store.put(`projects/${p.id}/journal/oldclient/0000000001.jsonl`, encodeSegment([event]));
    store.listed = [];
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(store.listed).toContain(`projects/${p.id}/journal/`);
    expect(again.openReport.eventsReplayed).toBe(1);
    expect(again.members.get('zed')).toBe('reviewer');
  });

  it('a good tail whose snapshot is damaged is not used: the journal after an older checkpoint is read instead', async () => {
    const store = new ListingStore();
    const { registry, p } = await labeled(store, 20, { checkpointEvery: 8 });
    await p.snapshot();
    for (let k = 0; k < 6; k++) {
      const t = (await p.nextTask())!;
      await p.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label: 'a' }] }]);
    }
    await p.close();
    const keys = (await listAll(store, `projects/${p.id}/snapshots/`)).map((e) => e.key);
    const newest = keys.filter((k) => k.endsWith('.snap')).pop()!;
    expect(keys).toContain(newest.replace(/\.snap$/, '.tail'));
    const bytes = (await store.get(newest))!.bytes.slice();
    bytes[bytes.length - 3] ^= 0xff;
    await store.put(newest, bytes);
    const again = await registry.open(p.id, { actor: owner, clientId: 'r' });
    expect(again.openReport.snapshotDamage.map((d) => d.key)).toContain(newest);
    expect(view(again)).toBe(view(p));
  });

  it('a full snapshot is stored after the command that took it: submits go on meanwhile, and no event is lost or replayed twice', async () => {
    const store = new HoldingStore();
    const registry = new ProjectRegistry(store);
    const p = await registry.create(
      { name: 'bg', kind: 'image-classification-multiclass', labels: ['a', 'b'], seed: 2 },
      { actor: owner, clientId: 'w', checkpointEvery: 8, snapshotEvery: 40 },
    );
    await p.addItems(Array.from({ length: 200 }, (_, i) => ({ path: `x/${i}.png` })));
    await p.snapshot();
    store.holding = true;
    const arrived = store.arrival();
    const submitOne = async (label: string) => {
      const t = (await p.nextTask())!;
      await p.submit(t.id, [{ item: t.items[0]!.index, annotations: [{ kind: 'class', label }] }]);
    };
    // Submits until the tail passes snapshotEvery and an idle checkpoint takes a snapshot.
    let k = 0;
    let heldYet = false;
    void arrived.then(() => (heldYet = true));
    while (!heldYet) {
      await submitOne(k++ % 2 ? 'a' : 'b');
      await new Promise((r) => setTimeout(r, 0)); // a labeler's pause: idle checkpoints run in it
    }
    const key = store.held[0]!;
    // The snapshot's write is held: commands still run, and their events join the old snapshot's tail.
    for (let j = 0; j < 12; j++) await submitOne('a');
    expect(await store.get(key)).toBeUndefined();
    const whileHeld = await registry.open(p.id, { actor: owner, clientId: 'r1', snapshotEvery: 0 });
    expect(view(whileHeld)).toBe(view(p));
    store.release();
    await p.flush();
    expect(await store.get(key)).toBeDefined();
    const keys = (await listAll(store, `projects/${p.id}/snapshots/`)).map((e) => e.key);
    expect(keys).toContain(key.replace(/\.snap$/, '.tail'));
    // The new snapshot holds the state when it was taken; its tail, every event after that.
    const again = await registry.open(p.id, { actor: owner, clientId: 'r2', snapshotEvery: 0 });
    expect(again.openReport).toMatchObject({ fromSnapshot: true, eventsReplayed: 0, snapshotDamage: [] });
    expect(view(again)).toBe(view(p));
    expect(again.stats().counts.labeled).toBe(k + 12);
    await p.close();
  });
});
