import { expect } from '@esm-bundle/chai';
import { IndexedDBStore, LabelkitError, ProjectRegistry, listAll } from '@labelkit/core';

const enc = (s: string) => new TextEncoder().encode(s);
const fresh = () => new IndexedDBStore(`labelkit-test-${Math.random().toString(36).slice(2)}`);

async function rejectsWith(p: Promise<unknown>, code: string) {
  try {
    await p;
  } catch (e) {
    expect(LabelkitError.is(e, code as never), String(e)).to.equal(true);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('IndexedDBStore in Chromium', () => {
  it('puts, gets, lists in key order and deletes', async () => {
    const s = fresh();
    for (const k of ['p/2', 'p/10', 'p/1', 'q/1']) await s.put(k, enc(k));
    expect((await listAll(s, 'p/')).map((e) => e.key)).to.deep.equal(['p/1', 'p/10', 'p/2']);
    expect(new TextDecoder().decode((await s.get('p/10'))!.bytes)).to.equal('p/10');
    await s.delete('p/10');
    expect(await s.get('p/10')).to.equal(undefined);
  });

  it('appends blocks whole and reads from an offset', async () => {
    const s = fresh();
    expect(await s.readFrom('t/0.log', 0)).to.equal(undefined);
    await Promise.all(['a', 'b', 'c'].map((x) => s.append('t/0.log', enc(x.repeat(100)))));
    const all = await s.readFrom('t/0.log', 0);
    const text = new TextDecoder().decode(all!.bytes);
    for (const x of ['a', 'b', 'c']) expect(text).to.contain(x.repeat(100));
    expect([all!.size, all!.sealed]).to.deep.equal([300, false]);
    expect((await s.readFrom('t/0.log', 250))!.bytes.byteLength).to.equal(50);
    expect((await s.get('t/0.log'))!.bytes.byteLength).to.equal(300);
  });

  it('conditional writes: create-only and if-match', async () => {
    const s = fresh();
    const { etag } = await s.put('k', enc('1'), { ifNoneMatch: '*' });
    await rejectsWith(s.put('k', enc('2'), { ifNoneMatch: '*' }), 'E_CONFLICT');
    await rejectsWith(s.put('k', enc('2'), { ifMatch: '"other"' }), 'E_CONFLICT');
    await s.put('k', enc('3'), { ifMatch: etag });
    expect(new TextDecoder().decode((await s.get('k'))!.bytes)).to.equal('3');
  });

  it('two connections (as two tabs) racing to create one key: exactly one wins', async () => {
    const name = `labelkit-race-${Math.random()}`;
    const a = new IndexedDBStore(name);
    const b = new IndexedDBStore(name);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).put('claim', enc(String(i)), { ifNoneMatch: '*' })));
    expect(results.filter((r) => r.status === 'fulfilled').length).to.equal(1);
  });

  it('pages through listings larger than one page', async () => {
    const s = fresh();
    await Promise.all(Array.from({ length: 1203 }, (_, i) => s.put(`many/${String(i).padStart(5, '0')}`, enc('x'))));
    const keys = (await listAll(s, 'many/')).map((e) => e.key);
    expect(keys.length).to.equal(1203);
    expect(keys[1202]).to.equal('many/01202');
  });

  it('a project survives closing the connection (a reload) with labels and the held task', async () => {
    const name = `labelkit-reload-${Math.random()}`;
    const s1 = new IndexedDBStore(name);
    const reg = new ProjectRegistry(s1);
    const p = await reg.create({ name: 'Browser', kind: 'image-classification-multiclass', labels: ['cat', 'dog'] }, { actor: { id: 'o', role: 'owner' } });
    await p.addItems(Array.from({ length: 30 }, (_, i) => ({ path: `x/${i}.png` })));
    const t = await p.nextTask({ size: 4 });
    await p.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'class', label: 'dog' }] }]);
    await p.saveDraft(t!.id, { picked: 'cat' });
    await s1.close();
    const p2 = await new ProjectRegistry(new IndexedDBStore(name)).open('browser', { actor: { id: 'o', role: 'owner' } });
    expect(p2.stats().counts.labeled).to.equal(1);
    expect(p2.currentTask()!.id).to.equal(t!.id);
    expect(p2.currentTask()!.items.length).to.equal(3);
    expect(await p2.loadDraft(t!.id)).to.deep.equal({ picked: 'cat' });
  });
});
