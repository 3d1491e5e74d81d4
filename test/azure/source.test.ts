// AzureBlobSource against Azurite: Azure ML path forms, paging, ItemRef fields, the cap and
// incremental refresh through the core's ingest planner, reads, URLs, and failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobSource, parseAzurePath } from '@labelkit/core/azure';
import { planIngest } from '../../packages/core/src/ingest.js';
import { RefreshLoop } from '../../packages/core/src/shared/refresh.js';
import { LabelkitError, MemoryStore, ProjectRegistry, type ItemRef } from '@labelkit/core';
import { azureTestEnv, errorText, secretsOf, type AzureTestEnv } from './setup.js';

let env: AzureTestEnv;
let images: { name: string; sas: string; url: string };
const LAYOUT = ['root.jpg', 'root.txt', 'a/1.jpg', 'a/2.PNG', 'a/notes.txt', 'a/b/3.jpeg', 'a/b/c/4.tif', 'a/bb.dcm', 'ab/5.jpg', 'b/6.jpg'];

async function upload(container: string, names: readonly string[], body = (n: string) => `bytes of ${n}`): Promise<void> {
  const c = env.service.getContainerClient(container);
  let i = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (i < names.length) {
        const n = names[i++];
        const b = body(n);
        await c.getBlockBlobClient(n).upload(b, Buffer.byteLength(b));
      }
    }),
  );
}

async function all(source: AzureBlobSource): Promise<ItemRef[]> {
  const out: ItemRef[] = [];
  for await (const r of source.list()) out.push(r);
  return out;
}
const paths = async (s: AzureBlobSource) => (await all(s)).map((r) => r.path);

beforeAll(async () => {
  env = await azureTestEnv();
  images = await env.container('images');
  await upload(images.name, LAYOUT);
  // A zero-length "folder" placeholder blob, as some tools create: never an item.
  await env.service.getContainerClient(images.name).getBlockBlobClient('a/').upload('', 0);
});
afterAll(async () => {
  await env?.stop();
});

describe('Azure ML path forms', () => {
  it('parses folder/, folder/**, **/. and the root', () => {
    expect(parseAzurePath('a/')).toEqual({ prefix: 'a/', recursive: false });
    expect(parseAzurePath('/a/b')).toEqual({ prefix: 'a/b/', recursive: false });
    expect(parseAzurePath('a/**')).toEqual({ prefix: 'a/', recursive: true });
    expect(parseAzurePath('a/b/**/.')).toEqual({ prefix: 'a/b/', recursive: true });
    expect(parseAzurePath('**/.')).toEqual({ prefix: '', recursive: true });
    expect(parseAzurePath('**')).toEqual({ prefix: '', recursive: true });
    expect(parseAzurePath('')).toEqual({ prefix: '', recursive: false });
    expect(parseAzurePath('/')).toEqual({ prefix: '', recursive: false });
    expect(() => parseAzurePath('a/*.jpg')).toThrow(/folder\/\*\*/);
  });

  it('lists exactly what each form covers', async () => {
    const src = (path: string) => new AzureBlobSource({ containerUrl: images.url, sasToken: images.sas, path });
    expect(await paths(src('a/'))).toEqual(['a/1.jpg', 'a/2.PNG', 'a/bb.dcm', 'a/notes.txt']);
    expect(await paths(src('a'))).toEqual(['a/1.jpg', 'a/2.PNG', 'a/bb.dcm', 'a/notes.txt']);
    expect(await paths(src('a/**'))).toEqual(['a/1.jpg', 'a/2.PNG', 'a/b/3.jpeg', 'a/b/c/4.tif', 'a/bb.dcm', 'a/notes.txt']);
    expect(await paths(src('a/b/**/.'))).toEqual(['a/b/3.jpeg', 'a/b/c/4.tif']);
    expect(await paths(src('**/.'))).toEqual([...LAYOUT].sort());
    expect(await paths(src('/'))).toEqual(['root.jpg', 'root.txt']);
    expect(await paths(src('nothing/here/'))).toEqual([]);
  });

  it('accepts the **/*.* forms from Azure ML docs: every file under the prefix, recursively', async () => {
    expect(parseAzurePath('**/*.*')).toEqual({ prefix: '', recursive: true });
    expect(parseAzurePath('/**/*.*')).toEqual({ prefix: '', recursive: true });
    expect(parseAzurePath('a/**/*.*')).toEqual({ prefix: 'a/', recursive: true });
    expect(parseAzurePath('a/b/**/*.*')).toEqual({ prefix: 'a/b/', recursive: true });
    expect(() => parseAzurePath('a/*.*')).toThrow(/folder\/\*\*\/\*\.\*/);
    expect(() => parseAzurePath('a/**/*.jpg')).toThrow(LabelkitError);
    const src = (path: string) => new AzureBlobSource({ containerUrl: images.url, sasToken: images.sas, path });
    // `*.*` does not ask for a dot: a blob without an extension is listed as well (the project then
    // counts it as unsupported, like any other non-image).
    await env.service.getContainerClient(images.name).getBlockBlobClient('a/b/README').upload('x', 1);
    try {
      expect(await paths(src('**/*.*'))).toEqual([...LAYOUT, 'a/b/README'].sort());
      expect(await paths(src('a/**/*.*'))).toEqual(await paths(src('a/**')));
      expect(await paths(src('a/b/**/*.*'))).toEqual(['a/b/3.jpeg', 'a/b/README', 'a/b/c/4.tif']);
      expect(src('a/**/*.*').description).toBe(`Azure Blob devstoreaccount1/${images.name} a/**`);
    } finally {
      await env.service.getContainerClient(images.name).getBlockBlobClient('a/b/README').delete();
    }
  });

  it('a path naming one file selects that file, with its etag, size and date', async () => {
    expect(parseAzurePath('a/1.jpg')).toEqual({ prefix: 'a/1.jpg/', recursive: false, file: 'a/1.jpg' });
    expect(parseAzurePath('/root.jpg')).toEqual({ prefix: 'root.jpg/', recursive: false, file: 'root.jpg' });
    expect(parseAzurePath('a/1.jpg/').file).toBeUndefined(); // a trailing '/' says folder
    const src = (path: string) => new AzureBlobSource({ containerUrl: images.url, sasToken: images.sas, path });
    const [one, ...rest] = await all(src('a/1.jpg'));
    expect(rest).toEqual([]);
    const props = await env.service.getContainerClient(images.name).getBlobClient('a/1.jpg').getProperties();
    expect(one).toEqual({ path: 'a/1.jpg', size: 'bytes of a/1.jpg'.length, etag: props.etag, lastModified: props.lastModified!.getTime() });
    expect(await paths(src('/root.jpg'))).toEqual(['root.jpg']);
    expect(await paths(src('a/b/c/4.tif'))).toEqual(['a/b/c/4.tif']);
    expect(src('a/1.jpg').description).toBe(`Azure Blob devstoreaccount1/${images.name} a/1.jpg`);
    // A file that is not there selects nothing, as an empty folder does; a folder whose name has a dot still lists.
    expect(await paths(src('a/gone.jpg'))).toEqual([]);
    await env.service.getContainerClient(images.name).getBlockBlobClient('v1.2/x.jpg').upload('x', 1);
    try {
      expect(await paths(src('v1.2'))).toEqual(['v1.2/x.jpg']);
    } finally {
      await env.service.getContainerClient(images.name).getBlockBlobClient('v1.2/x.jpg').delete();
    }
    // Through a project: the one file becomes the one item.
    const registry = new ProjectRegistry(new MemoryStore());
    const project = await registry.create({ name: 'one file', kind: 'image-object-detection', labels: ['x'] }, { actor: { id: 'o', role: 'owner' } });
    const report = await project.refresh(src('a/b/3.jpeg'));
    expect(report.added).toBe(1);
    expect([...project.items()].map((i) => i.path)).toEqual(['a/b/3.jpeg']);
  });

  it('gives each item its etag, size and last-modified time; reads bytes; URLs carry no SAS', async () => {
    const source = new AzureBlobSource({ containerUrl: `${images.url}?${images.sas}`, path: 'a/' });
    expect(source.description).toBe(`Azure Blob devstoreaccount1/${images.name} a/`);
    const [first] = await all(source);
    const props = await env.service.getContainerClient(images.name).getBlobClient('a/1.jpg').getProperties();
    expect(first).toEqual({ path: 'a/1.jpg', size: 'bytes of a/1.jpg'.length, etag: props.etag, lastModified: props.lastModified!.getTime() });
    expect(new TextDecoder().decode(await source.read('a/1.jpg'))).toBe('bytes of a/1.jpg');
    // With a SAS there is no plain URL to show: the bytes are read through the SDK instead.
    expect(source.url('a/1.jpg')).toBeUndefined();
    expect(source.signedUrl('a/1.jpg')).toContain('sig=');
    await env.service.getContainerClient(images.name).setAccessPolicy('blob');
    const open = new AzureBlobSource({ containerUrl: images.url, path: 'a/' });
    expect(open.url('a/1.jpg')).toBe(`${images.url}/a/1.jpg`);
    expect(new TextDecoder().decode(await open.read('a/1.jpg'))).toBe('bytes of a/1.jpg');
    expect(open.signedUrl('a/1.jpg')).toBeUndefined();
    await env.service.getContainerClient(images.name).setAccessPolicy();
    const missing = await source.read('a/gone.jpg').catch((e) => e);
    expect(missing.code).toBe('E_NOT_FOUND');
    for (const s of secretsOf(images.sas)) expect(errorText(missing) + source.description).not.toContain(s);
  });

  it('works from a connection string as well', async () => {
    const source = new AzureBlobSource({ connectionString: env.azurite.connectionString, containerName: images.name, path: 'a/b/**' });
    expect(await paths(source)).toEqual(['a/b/3.jpeg', 'a/b/c/4.tif']);
  });

  it('refuses a bad SAS with E_FORBIDDEN and an unknown container with E_NOT_FOUND, without secrets', async () => {
    const bad = images.sas.replace(/sig=[^&]+/, 'sig=' + encodeURIComponent('B'.repeat(43) + '='));
    const e1 = await all(new AzureBlobSource({ containerUrl: images.url, sasToken: bad, retry: { maxAttempts: 1 } })).catch((e) => e);
    expect(e1.code).toBe('E_FORBIDDEN');
    const e2 = await all(new AzureBlobSource({ connectionString: env.azurite.connectionString, containerName: 'nope', retry: { maxAttempts: 1 } })).catch((e) => e);
    expect(e2.code).toBe('E_NOT_FOUND');
    for (const s of [...secretsOf(bad), ...secretsOf(images.sas), env.azurite.accountKey]) {
      expect(errorText(e1)).not.toContain(s);
      expect(errorText(e2)).not.toContain(s);
    }
  });
});

describe('paging, the cap and refresh', () => {
  it('pages through the listing (flat and by hierarchy), also while the network misbehaves', async () => {
    const c = await env.container('paged');
    const names = Array.from({ length: 57 }, (_, i) => `p/img_${String(i).padStart(3, '0')}.jpg`).concat(['p/sub/x.jpg', 'p/sub/y.jpg']);
    await upload(c.name, names);
    const proxy = await env.proxy();
    let lists = 0;
    proxy.script = (r) => {
      if (r.method === 'GET' && /comp=list/.test(r.url)) lists++;
      return undefined;
    };
    const flat = new AzureBlobSource({ containerUrl: c.proxiedUrl(proxy), sasToken: c.sas, path: 'p/**', pageSize: 10 });
    expect(await paths(flat)).toEqual([...names].sort());
    expect(lists).toBe(6);
    lists = 0;
    const folder = new AzureBlobSource({ containerUrl: c.proxiedUrl(proxy), sasToken: c.sas, path: 'p/', pageSize: 10 });
    expect(await paths(folder)).toEqual(names.slice(0, 57));
    expect(lists).toBe(6);
    proxy.script = undefined;
    proxy.setPlan({ rate: 0.4, seed: 5, holdMs: 800, slowMs: 30 });
    const faulty = new AzureBlobSource({
      containerUrl: c.proxiedUrl(proxy),
      sasToken: c.sas,
      path: 'p/**',
      pageSize: 7,
      retry: { baseDelayMs: 2, maxDelayMs: 20, tryTimeoutMs: 300, maxAttempts: 12 },
    });
    expect(await paths(faulty)).toEqual([...names].sort());
    proxy.setPlan({ rate: 0 });
    expect(proxy.faults).toBeGreaterThan(0);
  });

  it('the project keeps the first 500,000 accepted items and reports the rest (cap shown at 25)', async () => {
    const c = await env.container('cap');
    const names = Array.from({ length: 40 }, (_, i) => `d/${String(i).padStart(2, '0')}.jpg`).concat(['d/readme.md', 'd/x.csv']);
    await upload(c.name, names);
    const source = new AzureBlobSource({ containerUrl: c.url, sasToken: c.sas, path: 'd/', pageSize: 9 });
    const plan = await planIngest(source.list(), 0, () => undefined, undefined, 25);
    expect(plan.report.listed).toBe(42);
    expect(plan.report.added).toBe(25);
    expect(plan.newRefs.map((r) => r.path)).toEqual(names.slice(0, 25));
    expect(plan.report.overCap.count).toBe(15);
    expect(plan.report.unsupported.count).toBe(2);
  });

  it('a refresh adds only new blobs and picks up changed ones; on an interval or now', async () => {
    const c = await env.container('refresh');
    const first = Array.from({ length: 30 }, (_, i) => `r/${String(i).padStart(2, '0')}.png`);
    await upload(c.name, first);
    const source = new AzureBlobSource({ containerUrl: c.url, sasToken: c.sas, path: 'r/**', pageSize: 8 });
    const known = new Map<string, { index: number; etag?: string }>();
    const refresh = async (signal?: AbortSignal) => {
      const plan = await planIngest(
        source.list({ signal }),
        known.size,
        (p) => {
          const k = known.get(p);
          return k && { index: k.index, changed: (ref: ItemRef) => ref.etag !== k.etag };
        },
        signal,
      );
      for (const r of plan.newRefs) known.set(r.path, { index: known.size, etag: r.etag });
      for (const ch of plan.changed) known.get(ch.ref.path)!.etag = ch.ref.etag;
      return plan.report;
    };
    const loop = new RefreshLoop(refresh, { intervalMs: 60 });
    const r0 = await loop.refreshNow();
    expect([r0.added, r0.changed, r0.unchanged]).toEqual([30, 0, 0]);
    await upload(c.name, ['r/new/a.png', 'r/new/b.png', 'r/05.png'], (n) => `changed ${n}`);
    const p1 = loop.refreshNow();
    // Two "now"s while one runs share one follow-up run (the running one may have listed too early).
    const [r2, r3] = await Promise.all([loop.refreshNow(), loop.refreshNow()]);
    const r1 = await p1;
    expect(r2).toBe(r3);
    expect([r1.added, r1.changed, r1.unchanged]).toEqual([2, 1, 29]);
    expect([r2.added, r2.changed, r2.unchanged]).toEqual([0, 0, 32]);
    // An unstarted loop never runs on its own: nothing was listed since the last refreshNow().
    let runs = 0;
    const counted = new RefreshLoop(
      async (signal) => {
        runs++;
        return refresh(signal);
      },
      { intervalMs: 10 },
    );
    await counted.refreshNow();
    await upload(c.name, ['r/y.png']);
    expect(runs).toBe(1);
    expect(known.size).toBe(32);
    counted.stop();
    // A started one finds both new blobs on its own.
    const seen: number[] = [];
    let found!: () => void;
    const foundNew = new Promise<void>((resolve) => (found = resolve));
    const timed = new RefreshLoop(refresh, {
      intervalMs: 50,
      onResult: (r) => {
        seen.push(r.added);
        if (seen.reduce((a, b) => a + b, 0) >= 2) found();
      },
    }).start();
    await upload(c.name, ['r/z.png']);
    await foundNew;
    timed.stop();
    loop.stop();
    expect(seen.reduce((a, b) => a + b, 0)).toBe(2);
    expect(known.size).toBe(34);
  });
});
