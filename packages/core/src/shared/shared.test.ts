// The shared-store coordination on a MemoryStore (fast, exact clocks); Azure runs are in test/azure.
import { describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { Project } from '../project.js';
import { ProjectRegistry } from '../registry.js';
import { MemoryStore } from '../store/memory-store.js';
import { utf8 } from '../store/store.js';
import { Journal } from '../journal/journal.js';
import { JournalFollower } from './follower.js';
import { LeaseBoard } from './lease-board.js';
import { MergedJournal } from './merged-journal.js';
import { cursorDominates, loadSnapshot, publishSnapshot } from './snapshot-slot.js';

describe('LeaseBoard', () => {
  it('one holder per unit; expiry hands it over only after the skew allowance; the old holder then cannot renew', async () => {
    const store = new MemoryStore();
    let now = 1_000_000;
    const clock = () => now;
    const a = new LeaseBoard(store, 'p', 'a', { leaseMs: 10_000, skewMs: 1_000, now: clock });
    const b = new LeaseBoard(store, 'p', 'b', { leaseMs: 10_000, skewMs: 1_000, now: clock });
    const ra = await a.claim(['1', '2']);
    expect(ra.granted).toBe(true);
    const rb = await b.claim(['2', '3']);
    expect(rb.granted).toBe(false); // all or nothing by default…
    expect(rb.busy).toEqual([{ unit: '2', state: 'held', holder: 'a', expiresAt: now + 10_000 }]);
    expect((await b.inspect('3'))?.state).toBe('released'); // …and '3' was given back at once
    const partial = await b.claim(['2', '3'], { partial: true });
    expect(partial.granted && partial.lease.units.map((u) => u.unit)).toEqual(['3']);
    if (!ra.granted) throw new Error();
    now += 9_500; // a's lease: expires at +10 s; a trusts it until +9 s
    expect(a.isLive(ra.lease)).toBe(false);
    expect((await b.claim(['1'])).granted).toBe(false); // not before expiresAt + skew
    now += 1_600;
    const taken = await b.claim(['1']);
    expect(taken.granted).toBe(true);
    expect(LabelkitError.is(await a.renew(ra.lease).catch((e) => e), 'E_LEASE_EXPIRED')).toBe(true);
  });

  it('submit renews a lease near expiry, writes, marks done; done units stay out until reopened', async () => {
    const store = new MemoryStore();
    let now = 0;
    const a = new LeaseBoard(store, 'p', 'a', { leaseMs: 9_000, skewMs: 1_000, now: () => now });
    const b = new LeaseBoard(store, 'p', 'b', { leaseMs: 9_000, skewMs: 1_000, now: () => now });
    const r = await a.claim(['7']);
    if (!r.granted) throw new Error();
    now = 6_000; // 2 s of trusted time left < a third of the lease: renewed first
    const { value, lostAfterWrite } = await a.submit(r.lease, async () => 'written');
    expect([value, lostAfterWrite]).toEqual(['written', []]);
    expect((await a.inspect('7'))?.state).toBe('done');
    now = 100_000;
    expect((await b.claim(['7'])).busy[0].state).toBe('done');
    await b.reopen(['7']);
    expect((await b.claim(['7'])).granted).toBe(true);
  });

  it('resume re-adopts a held task after a reload', async () => {
    const store = new MemoryStore();
    const a = new LeaseBoard(store, 'p', 'a', { leaseMs: 60_000 });
    await a.claim(['1', '2'], { task: 't1' });
    // Another client (a second tab of the same user) may not adopt it.
    expect(await new LeaseBoard(store, 'p', 'a2', { leaseMs: 60_000 }).resume('t1', ['1', '2', '3'])).toBeUndefined();
    // The same client after a reload (the etags lost) may.
    const again = new LeaseBoard(store, 'p', 'a', { leaseMs: 60_000 });
    const lease = await again.resume('t1', ['1', '2', '3']);
    expect(lease?.units.map((u) => u.unit)).toEqual(['1', '2']);
    await again.renew(lease!);
    await again.release(lease!);
    expect((await again.inspect('1'))?.state).toBe('released');
  });
});

describe('Project with shared: true (two clients, one store)', () => {
  it('hands each item to one client, pulls the other client’s work, resumes a task after a reload', async () => {
    const store = new MemoryStore();
    const owner = await new ProjectRegistry(store).create(
      { name: 'team', kind: 'image-classification-multiclass', labels: ['a', 'b'], queue: { leaseMs: 60_000 } },
      { actor: { id: 'o', role: 'owner' }, clientId: 'owner', shared: true },
    );
    await owner.addItems(Array.from({ length: 20 }, (_, i) => ({ path: `i/${i}.png` })));
    const open = (user: string, clientId: string) => Project.load(store, owner.id, { actor: { id: user, role: 'labeler' }, clientId, shared: true });
    const [p1, p2] = await Promise.all([open('u1', 'c1'), open('u2', 'c2')]);
    const tasks = await Promise.all([p1.nextTask({ size: 4 }), p2.nextTask({ size: 4 })]);
    const items = tasks.flatMap((t) => t!.items.map((i) => i.index));
    // No item in both tasks (a task may come out smaller when the other client won some of its items).
    expect(new Set(items).size).toBe(items.length);
    expect(items.length).toBeGreaterThanOrEqual(5);
    await p1.submit(
      tasks[0]!.id,
      tasks[0]!.items.map((i) => ({ item: i.index, annotations: [{ kind: 'class' as const, label: 'a' }] })),
    );
    expect(await p2.sync()).toBeGreaterThan(0);
    expect(p2.stats().counts.labeled).toBe(tasks[0]!.items.length);
    // u2 in a second tab (another client): it must not get the task the first tab holds.
    const tab2 = await open('u2', 'c2-tab2');
    expect(tab2.currentTask()).toBeUndefined();
    const other = await tab2.nextTask({ size: 4 });
    expect(other?.id).not.toBe(tasks[1]!.id);
    expect(other!.items.some((i) => items.includes(i.index))).toBe(false);
    await tab2.release(other!.id);
    // u2 reloads the first tab (the same client id, the etags gone): the held task resumes and submits.
    const p2b = await open('u2', 'c2');
    const held = p2b.currentTask();
    expect(held?.id).toBe(tasks[1]!.id);
    await p2b.submit(
      held!.id,
      held!.items.map((i) => ({ item: i.index, annotations: [{ kind: 'class' as const, label: 'b' }] })),
    );
    await p1.sync();
    expect(p1.stats().counts.labeled).toBe(items.length);
    // Snapshots go through the If-Match head; a fresh shared open starts from it.
    await p1.snapshot();
    const fresh = await Project.load(store, owner.id, { actor: { id: 'x', role: 'owner' }, shared: true });
    expect(fresh.openReport.fromSnapshot).toBe(true);
    expect(fresh.stats().counts.labeled).toBe(items.length);
  });
});

describe('journal follower, merged order, snapshot head', () => {
  it('follows other clients’ segments without listing, in the deterministic order', async () => {
    const store = new MemoryStore();
    const ja = new Journal(store, 'p', 'a');
    const jb = new Journal(store, 'p', 'b');
    const f = new JournalFollower(store, 'p', { maxIdleMs: 10 });
    await f.register('a');
    await f.register('b');
    await jb.append(jb.stamp([{ type: 'instructions.edited', markdown: 'b1' }], 'u', 20));
    await ja.append(ja.stamp([{ type: 'instructions.edited', markdown: 'a1' }], 'u', 10));
    const first = await f.read();
    expect(first.map((s) => `${s.client}${s.seq}`)).toEqual(['a1', 'b1']);
    expect(await f.read(undefined, { all: true })).toEqual([]);
    await ja.append(ja.stamp([{ type: 'instructions.edited', markdown: 'a2' }], 'u', 30));
    await ja.append(ja.stamp([{ type: 'instructions.edited', markdown: 'a3' }], 'u', 31));
    expect((await f.read(undefined, { all: true })).map((s) => s.seq)).toEqual([2, 3]);
    expect(f.cursor).toEqual({ a: 3, b: 1 });
    // Merged order does not depend on arrival order.
    const m1 = new MergedJournal();
    const m2 = new MergedJournal();
    const all = [...first, ...(await new JournalFollower(store, 'p').read()).slice(2)];
    const segs = await new JournalFollower(store, 'p').read();
    m1.add(segs);
    for (const s of [...segs].reverse()) m2.add([s]);
    expect(m1.events().map((e) => e.at)).toEqual(m2.events().map((e) => e.at));
    expect(all.length).toBeGreaterThan(0);
  });

  it('publishes snapshots If-Match, never replacing a newer one', async () => {
    const store = new MemoryStore();
    expect(cursorDominates({ a: 2, b: 1 }, { a: 1, b: 1 })).toBe(true);
    expect(cursorDominates({ a: 2 }, { a: 1, b: 1 })).toBe(false);
    const r1 = await publishSnapshot(store, 'p', 'a', { a: 5, b: 3 }, utf8.encode('five'));
    const r2 = await publishSnapshot(store, 'p', 'b', { a: 4, b: 9 }, utf8.encode('incomparable'));
    const r3 = await publishSnapshot(store, 'p', 'b', { a: 6, b: 9 }, utf8.encode('newer'));
    expect([r1.published, r2.published, r3.published]).toEqual([true, false, true]);
    const loaded = await loadSnapshot(store, 'p');
    expect(utf8.decode(loaded!.body)).toBe('newer');
    // Racing publishers: the head moves once per winner, never backwards.
    const results = await Promise.all([7, 8, 9].map((n) => publishSnapshot(store, 'p', `c${n}`, { a: n, b: 9 }, utf8.encode(`s${n}`))));
    expect(results.some((r) => r.published)).toBe(true);
    expect((await loadSnapshot(store, 'p'))!.head.cursor.a).toBe(9);
  });
});
