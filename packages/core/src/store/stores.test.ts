import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { ProjectRegistry } from '../registry.js';
import { FsStore } from './fs-store.js';
import { MemoryStore } from './memory-store.js';
import { listAll, type Store } from './store.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'labelkit-fs-'));
  dirs.push(d);
  return d;
}

const enc = (s: string) => new TextEncoder().encode(s);

// The same contract for every store that runs in Node (IndexedDB runs it in Chromium).
for (const [name, make] of [
  ['MemoryStore', async () => new MemoryStore()],
  ['FsStore', async () => new FsStore(await tempDir())],
] as [string, () => Promise<Store>][]) {
  describe(`${name} contract`, () => {
    it('gets what was put, with etags that change on every write', async () => {
      const s = await make();
      expect(await s.get('a/b.json')).toBeUndefined();
      const { etag: e1 } = await s.put('a/b.json', enc('one'));
      const got = await s.get('a/b.json');
      expect(new TextDecoder().decode(got!.bytes)).toBe('one');
      expect(got!.etag).toBe(e1);
      const { etag: e2 } = await s.put('a/b.json', enc('two'));
      expect(e2).not.toBe(e1);
    });

    it('create-only and if-match writes fail with E_CONFLICT', async () => {
      const s = await make();
      const { etag } = await s.put('k', enc('1'), { ifNoneMatch: '*' });
      await expect(s.put('k', enc('2'), { ifNoneMatch: '*' })).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_CONFLICT'));
      await expect(s.put('k', enc('2'), { ifMatch: '"nope"' })).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_CONFLICT'));
      await s.put('k', enc('3'), { ifMatch: etag });
      expect(new TextDecoder().decode((await s.get('k'))!.bytes)).toBe('3');
      await expect(s.delete('k', { ifMatch: etag })).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_CONFLICT'));
    });

    it('lists a prefix in ascending key order', async () => {
      const s = await make();
      for (const k of ['p/2', 'p/10', 'p/1', 'q/1', 'p/sub/x', 'pa']) await s.put(k, enc(k));
      expect((await listAll(s, 'p/')).map((e) => e.key)).toEqual(['p/1', 'p/10', 'p/2', 'p/sub/x']);
      const sub = await listAll(s, 'p/sub/');
      expect(sub.map((e) => e.key)).toEqual(['p/sub/x']);
      if (sub[0].size !== undefined) expect(sub[0].size).toBe(7);
      await s.delete('p/10');
      expect((await listAll(s, 'p/')).map((e) => e.key)).toEqual(['p/1', 'p/2', 'p/sub/x']);
    });

    it('appends blocks, concurrent ones whole; reads from an offset; the object lists and reads as usual', async () => {
      const s = await make();
      expect(await s.readFrom!('t/0.log', 0)).toBeUndefined();
      await s.append!('t/0.log', enc('ab'));
      await Promise.all(['cc', 'dd', 'ee'].map((b) => s.append!('t/0.log', enc(b.repeat(500)))));
      const all = await s.readFrom!('t/0.log', 0);
      const text = new TextDecoder().decode(all!.bytes);
      expect(text.startsWith('ab')).toBe(true);
      expect(text.length).toBe(3002);
      for (const b of ['c', 'd', 'e']) expect(text).toContain(b.repeat(1000)); // blocks never interleave
      expect(all!.size).toBe(3002);
      const rest = await s.readFrom!('t/0.log', 3000);
      expect([rest!.bytes.byteLength, rest!.size, rest!.sealed]).toEqual([2, 3002, false]);
      expect((await s.readFrom!('t/0.log', 3002))!.bytes.byteLength).toBe(0);
      expect((await s.readFrom!('t/0.log', Number.POSITIVE_INFINITY))!.size).toBe(3002);
      expect((await s.get('t/0.log'))!.bytes.byteLength).toBe(3002);
      expect((await listAll(s, 't/')).map((e) => e.key)).toEqual(['t/0.log']);
    });
  });
}

describe('MemoryStore append limit', () => {
  it('seals an append-only object at its block limit: nothing more is written', async () => {
    const s = new MemoryStore({ maxAppendBlocks: 2 });
    expect(await s.append('t', enc('a'))).toEqual({ sealed: false, blocks: 1 });
    expect(await s.append('t', enc('b'))).toEqual({ sealed: false, blocks: 2 });
    expect(await s.append('t', enc('c'))).toEqual({ sealed: true });
    expect(await s.readFrom('t', 0)).toMatchObject({ size: 2, sealed: true });
  });

  it('seal: appends after it are refused, readers are told', async () => {
    const s = new MemoryStore();
    await s.append('t', enc('a'));
    await s.seal('t');
    expect(await s.append('t', enc('b'))).toEqual({ sealed: true });
    expect(await s.readFrom('t', 0)).toMatchObject({ size: 1, sealed: true });
  });
});

describe('FsStore', () => {
  it('keeps a project across processes (re-open from the folder) and ignores stray temp files', async () => {
    const dir = await tempDir();
    const registry = new ProjectRegistry(new FsStore(dir));
    const p = await registry.create({ name: 'Disk', kind: 'image-object-detection', labels: ['car'] }, { actor: { id: 'o', role: 'owner' } });
    await p.addItems([{ path: 'a.png' }, { path: 'b.png' }]);
    const t = await p.nextTask();
    await p.submit(t!.id, [{ item: t!.items[0].index, annotations: [{ kind: 'box', label: 'car', x: 1, y: 1, w: 3, h: 3 }] }]);
    await writeFile(join(dir, 'projects', p.id, 'journal', 'junk.123.tmp'), 'half a write');
    const again = await new ProjectRegistry(new FsStore(dir)).open('disk', { actor: { id: 'o', role: 'owner' } });
    expect(again.stats().counts.labeled).toBe(1);
    expect(again.item(t!.items[0].index).annotations[0]).toMatchObject({ kind: 'box', w: 3 });
    expect((await readdir(join(dir, 'projects', p.id, 'journal'))).length).toBeGreaterThan(0);
  });

  it('refuses keys that would leave its folder', async () => {
    const s = new FsStore(await tempDir());
    await expect(s.put('../evil', enc('x'))).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_INVALID_ARGUMENT'));
  });
});
