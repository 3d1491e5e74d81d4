import { expect } from '@esm-bundle/chai';
import { IndexedDBStore, LabelkitError } from '@labelkit/core';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

describe('IndexedDBStore reads asked for together', () => {
  it('answers each of many reads of one task with its own row (missing ones undefined), and sees writes made before them', async () => {
    const s = new IndexedDBStore(`labelkit-reads-${Math.random().toString(36).slice(2)}`);
    for (let i = 0; i < 20; i += 2) await s.put(`k/${i}`, enc(`v${i}`));
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => s.get(`k/${i}`)));
    expect(got.map((o) => dec(o?.bytes))).to.deep.equal(Array.from({ length: 20 }, (_, i) => (i % 2 ? undefined : `v${i}`)));
    expect(new Set(got.filter(Boolean).map((o) => o!.etag)).size).to.equal(10);
    // A write then a read in the same task: the read sees the write.
    const put = s.put('k/1', enc('late'));
    await put;
    const [one, two] = await Promise.all([s.get('k/1'), s.get('k/0')]);
    expect([dec(one?.bytes), dec(two?.bytes)]).to.deep.equal(['late', 'v0']);
    await s.close();
  });

  it('an aborted read rejects with E_ABORTED; the reads asked for with it are still answered', async () => {
    const s = new IndexedDBStore(`labelkit-reads-${Math.random().toString(36).slice(2)}`);
    await s.put('a', enc('1'));
    const stop = new AbortController();
    stop.abort();
    const [a, b] = await Promise.allSettled([s.get('a'), s.get('a', { signal: stop.signal })]);
    expect(a.status === 'fulfilled' && dec(a.value?.bytes)).to.equal('1');
    expect(b.status === 'rejected' && LabelkitError.is(b.reason, 'E_ABORTED')).to.equal(true);
    await s.close();
  });
});
