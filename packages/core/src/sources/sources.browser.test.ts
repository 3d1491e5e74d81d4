import { expect } from '@esm-bundle/chai';
import { DirectoryHandleSource, FileListSource, LabelkitError, MemoryStore, ProjectRegistry, UrlListSource, type DirectoryHandleLike } from '@labelkit/core';

const owner = { actor: { id: 'o', role: 'owner' as const } };
const png: Uint8Array<ArrayBuffer> = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function project() {
  return new ProjectRegistry(new MemoryStore()).create({ name: `S${Math.random()}`, kind: 'image-classification-multiclass', labels: ['a', 'b'] }, owner);
}

describe('sources in Chromium', () => {
  it('FileListSource: real File objects from an <input type=file>-like list', async () => {
    const files = [new File([png], 'cat.PNG', { lastModified: 1 }), new File(['x'], 'notes.txt'), new File([png], 'dog.jpeg', { lastModified: 2 })];
    const src = new FileListSource(files);
    const p = await project();
    const report = await p.refresh(src);
    expect([report.added, report.unsupported.count]).to.deep.equal([2, 1]);
    expect(await src.read('cat.PNG')).to.deep.equal(png);
    try {
      await src.read('missing.png');
      throw new Error('expected E_NOT_FOUND');
    } catch (e) {
      expect(LabelkitError.is(e, 'E_NOT_FOUND')).to.equal(true);
    }
  });

  it('DirectoryHandleSource: a real directory handle (origin-private file system), walked recursively; refresh sees new files', async () => {
    const root = await navigator.storage.getDirectory();
    const top = await root.getDirectoryHandle(`lk-${Math.random().toString(36).slice(2)}`, { create: true });
    const write = async (dir: FileSystemDirectoryHandle, name: string, bytes: Uint8Array<ArrayBuffer>) => {
      const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
      await w.write(bytes);
      await w.close();
    };
    const sub = await top.getDirectoryHandle('sub', { create: true });
    await write(top, 'a.jpg', png);
    await write(sub, 'b.TIFF', png);
    await write(sub, 'c.gif', png);
    const src = new DirectoryHandleSource(top as unknown as DirectoryHandleLike);
    const p = await project();
    const r1 = await p.refresh(src);
    expect([r1.added, r1.unsupported.count]).to.deep.equal([2, 1]);
    expect([...p.items()].map((i) => i.path).sort()).to.deep.equal(['a.jpg', 'sub/b.TIFF']);
    expect(await src.read('sub/b.TIFF')).to.deep.equal(png);
    await write(sub, 'd.dcm', png);
    const r2 = await p.refresh(src);
    expect([r2.added, r2.unchanged]).to.deep.equal([1, 2]);
  });

  it('UrlListSource: fetches bytes from the page origin and reports HTTP errors without the query string', async () => {
    const base = new URL('/packages/core/package.json', location.href).href;
    const src = new UrlListSource([base, `${new URL('/no/such/file.png', location.href).href}?sig=SECRET`]);
    const bytes = await src.read(base);
    expect(JSON.parse(new TextDecoder().decode(bytes)).name).to.equal('@labelkit/core');
    try {
      await src.read(`${new URL('/no/such/file.png', location.href).href}?sig=SECRET`);
      throw new Error('expected an error');
    } catch (e) {
      expect(LabelkitError.is(e, 'E_NOT_FOUND')).to.equal(true);
      expect((e as Error).message).to.not.contain('SECRET');
    }
  });
});
