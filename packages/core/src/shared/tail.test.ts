// The shared tail on a MemoryStore: record framing, roll-over past sealed tails, and a follower that
// reads a team's segments in one request per sync — and still finds a segment whose tail record was
// lost (a writer that died between the two writes). Azure runs are in test/azure.
import { describe, expect, it } from 'vitest';
import { encodeSegment } from '../journal/codec.js';
import type { JournalEvent } from '../journal/events.js';
import { Journal } from '../journal/journal.js';
import { MemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/store.js';
import { JournalFollower } from './follower.js';
import { decodeRecords, encodeRecords, SharedTail, tailKey } from './tail.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Counts the requests a follower makes. */
function counted(store: MemoryStore): { store: Store; calls: () => number } {
  let n = 0;
  const wrap: Store = {
    description: store.description,
    get: (k, o) => (n++, store.get(k, o)),
    put: (k, b, o) => (n++, store.put(k, b, o)),
    delete: (k, o) => (n++, store.delete(k, o)),
    list: (p, o) => (n++, store.list(p, o)),
    append: (k, b, o) => (n++, store.append(k, b, o)),
    readFrom: (k, off, o) => (n++, store.readFrom(k, off, o)),
  };
  return { store: wrap, calls: () => n };
}

const event = (at: number, by: string): JournalEvent => ({ type: 'task.released', task: `t${at}`, v: 1, at, by }) as unknown as JournalEvent;

describe('tail records', () => {
  it('round-trip; a record cut short waits for its rest; a stray line is skipped', () => {
    const a = encodeRecords([
      { client: 'a', seq: 1, bytes: enc('x\ny\n') },
      { client: 'b-2', seq: 12, bytes: undefined },
    ]);
    const d = decodeRecords(a);
    expect(d.records.map((r) => [r.client, r.seq, r.bytes && new TextDecoder().decode(r.bytes)])).toEqual([
      ['a', 1, 'x\ny\n'],
      ['b-2', 12, undefined],
    ]);
    expect(d.consumed).toBe(a.byteLength);
    const cut = decodeRecords(a.subarray(0, 10));
    expect([cut.records.length, cut.consumed]).toEqual([0, 0]);
    const junk = decodeRecords(new Uint8Array([...enc('garbage\n'), ...a]));
    expect([junk.records.length, junk.skipped]).toEqual([2, 8]);
  });

  it('writers roll over to the next tail when one is sealed; a reader follows to the end', async () => {
    const store = new MemoryStore({ maxAppendBlocks: 3 });
    const reader = new SharedTail(store, 'p');
    await reader.init();
    const a = new SharedTail(store, 'p');
    const b = new SharedTail(store, 'p');
    for (let i = 1; i <= 10; i++) {
      await a.announce({ client: 'a', seq: i, bytes: enc(`a${i}\n`) });
      await b.announce({ client: 'b', seq: i, bytes: enc(`b${i}\n`) });
    }
    const got = await reader.read();
    expect(got.filter((r) => r.client === 'a').map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(got.filter((r) => r.client === 'b').map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await store.readFrom(tailKey('p', 0), 0))?.sealed).toBe(true);
    expect(reader.position.index).toBeGreaterThanOrEqual(6);
    expect(await reader.read()).toEqual([]);
    // A reader that starts now starts at the end of the newest tail.
    const late = new SharedTail(store, 'p');
    await late.init();
    expect(late.position).toEqual(reader.position);
  });

  it('a writer seals a tail that reached rollAt blocks; appends after the seal go to the next', async () => {
    const store = new MemoryStore();
    const reader = new SharedTail(store, 'p');
    await reader.init();
    const a = new SharedTail(store, 'p', { rollAt: 2 });
    const b = new SharedTail(store, 'p', { rollAt: 2 });
    await a.announce({ client: 'a', seq: 1, bytes: enc('a1\n') });
    await b.announce({ client: 'b', seq: 1, bytes: enc('b1\n') }); // the 2nd block: b seals tail 0
    await a.announce({ client: 'a', seq: 2, bytes: enc('a2\n') }); // refused by the seal, lands in tail 1
    expect((await store.readFrom(tailKey('p', 0), 0))?.sealed).toBe(true);
    expect((await reader.read()).map((r) => `${r.client}${r.seq}`)).toEqual(['a1', 'b1', 'a2']);
    expect(reader.position.index).toBe(1);
  });
});

describe('JournalFollower on the tail', () => {
  it('reads every client’s new segments in one request, finds lost tail records by gap and by sweep', async () => {
    const mem = new MemoryStore();
    const journals = ['a', 'b', 'c', 'd'].map((c) => new Journal(mem, 'p', c));
    const tails = journals.map(() => new SharedTail(mem, 'p'));
    const { store, calls } = counted(mem);
    const f = new JournalFollower(store, 'p', { sweepEveryMs: 60_000 });
    f.seed({});
    await f.startTail();
    expect(await f.read()).toEqual([]); // the first read asks everyone it knows once
    let at = 1;
    const write = async (k: number, announce = true) => {
      const events = [event(at++, journals[k].clientId)];
      const { seq } = await journals[k].append(events);
      if (announce) await tails[k].announce({ client: journals[k].clientId, seq, bytes: encodeSegment(events) });
      return seq;
    };
    for (let round = 0; round < 3; round++) for (let k = 0; k < 4; k++) await write(k);
    const before = calls();
    const segs = await f.read();
    expect(calls() - before).toBe(1); // one ranged read for 12 segments of 4 clients
    expect(segs.map((s) => `${s.client}${s.seq}`)).toEqual(['a1', 'b1', 'c1', 'd1', 'a2', 'b2', 'c2', 'd2', 'a3', 'b3', 'c3', 'd3']);
    // 'b' dies between its segment and its tail record; its next segment's record shows the gap.
    await write(1, false);
    await write(1);
    expect((await f.read()).map((s) => `${s.client}${s.seq}`)).toEqual(['b4', 'b5']);
    // 'c' writes a last segment and its record is lost: the sweep asks each client in turn.
    await write(2, false);
    expect(await f.read()).toEqual([]);
    const sweeping = new JournalFollower(mem, 'p', { sweepEveryMs: 0 });
    sweeping.seed(f.cursor);
    await sweeping.startTail();
    expect((await sweeping.read()).map((s) => `${s.client}${s.seq}`)).toEqual(['c4']); // the start asks everyone
    await write(3, false);
    const seen: string[] = [];
    for (let i = 0; i < 5 && !seen.length; i++) seen.push(...(await sweeping.read()).map((s) => `${s.client}${s.seq}`));
    expect(seen).toEqual(['d4']);
    // A lease taken over from 'a': the follower asks 'a' directly on its next read.
    await write(0, false);
    f.know('a');
    expect((await f.read()).map((s) => `${s.client}${s.seq}`)).toEqual(['a4']);
  });

  it('a repeated block (an append retried after a lost answer) is read once', async () => {
    const mem = new MemoryStore();
    const j = new Journal(mem, 'p', 'a');
    const f = new JournalFollower(mem, 'p');
    f.seed({});
    await f.startTail();
    await f.read();
    const events = [event(5, 'a')];
    const { seq } = await j.append(events);
    const block = encodeRecords([{ client: 'a', seq, bytes: encodeSegment(events) }]);
    await mem.append(tailKey('p', 0), block);
    await mem.append(tailKey('p', 0), block);
    expect((await f.read()).map((s) => `${s.client}${s.seq}`)).toEqual(['a1']);
    expect(await f.read()).toEqual([]);
  });
});
