// uploadFiles against Azurite: local files go into the container under a prefix, the project is
// refreshed from it, unsupported files are counted and left out, the cap is honoured before any
// request, an upload aborted at 50 % resumes without re-sending a finished blob, and a different
// blob of the same name is never overwritten.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobStore, UPLOAD_HASH_METADATA, uploadFiles, type UploadProgress } from '@labelkit/core/azure';
import { LabelkitError, MemoryStore, ProjectRegistry } from '@labelkit/core';
import { FsSource } from '@labelkit/core/node';
import { azureTestEnv, type AzureTestEnv } from './setup.js';
import type { FaultProxy, FaultRequest } from './fault-proxy.js';

let env: AzureTestEnv;
let dir: string;

beforeAll(async () => {
  env = await azureTestEnv();
  dir = await mkdtemp(join(tmpdir(), 'lk-upload-'));
});
afterAll(async () => {
  await env?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Distinct bytes per file (the upload does not decode images; the project probes them later). */
function bytesOf(i: number, size = 600): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(size);
  for (let k = 0; k < size; k++) b[k] = (i * 31 + k * 7) & 255;
  return b;
}

async function folder(name: string, files: Record<string, Uint8Array>): Promise<string> {
  const root = join(dir, name);
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(join(root, ...path.split('/').slice(0, -1)), { recursive: true });
    await writeFile(join(root, ...path.split('/')), bytes);
  }
  return root;
}

/** Counts the blob writes (PUTs) that reach the proxy, by blob name. */
function countPuts(proxy: FaultProxy): { puts: string[] } {
  const seen = { puts: [] as string[] };
  proxy.script = (req: FaultRequest) => {
    if (req.method === 'PUT') seen.puts.push(decodeURIComponent(req.path.split('/').slice(3).join('/')));
    return undefined;
  };
  return seen;
}

describe('uploadFiles', () => {
  it('uploads a folder under a prefix, leaves out unsupported files and refreshes the project', async () => {
    const c = await env.container();
    const root = await folder('a', { 'cats/1.jpg': bytesOf(1), 'cats/2.PNG': bytesOf(2), 'dogs/3.tiff': bytesOf(3), 'notes.txt': bytesOf(4), 'dogs/x.gif': bytesOf(5) });
    const store = new AzureBlobStore({ connectionString: env.azurite.connectionString, containerName: c.name });
    const project = await new ProjectRegistry(new MemoryStore()).create(
      { name: 'up', kind: 'image-classification-multiclass', labels: ['cat', 'dog'] },
      { actor: { id: 'o', role: 'owner' } },
    );
    const phases: UploadProgress['phase'][] = [];
    let last: UploadProgress | undefined;
    const report = await uploadFiles(store, new FsSource(root), {
      prefix: 'uploads/batch1',
      project,
      onProgress: (p) => {
        if (phases[phases.length - 1] !== p.phase) phases.push(p.phase);
        last = p;
      },
    });
    expect(report.prefix).toBe('uploads/batch1/');
    expect(report.listed).toBe(5);
    expect(report.uploaded).toBe(3);
    expect(report.unsupported).toMatchObject({ count: 2, byExtension: { '.txt': 1, '.gif': 1 } });
    expect(report.conflicts).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(report.bytesSent).toBe(1800);
    expect(phases).toEqual(['listing', 'uploading', 'refreshing', 'done']);
    expect(last).toMatchObject({ files: 3, filesDone: 3, bytes: 1800, bytesDone: 1800, uploaded: 3 });
    expect(report.refresh).toMatchObject({ added: 3, total: 3 });
    expect(project.indexOf('uploads/batch1/cats/2.PNG')).toBeGreaterThanOrEqual(0);
    const props = await env.service.getContainerClient(c.name).getBlobClient('uploads/batch1/cats/1.jpg').getProperties();
    expect(props.contentType).toBe('image/jpeg');
    expect(props.metadata?.[UPLOAD_HASH_METADATA]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes File objects (a FileList) and webkitRelativePath', async () => {
    const c = await env.container();
    const files = [new File([bytesOf(7)], 'a.jpg'), Object.assign(new File([bytesOf(8)], 'b.png'), { webkitRelativePath: 'pick/sub/b.png' })];
    const report = await uploadFiles({ connectionString: env.azurite.connectionString, containerName: c.name }, files, { prefix: 'x/' });
    expect(report.uploaded).toBe(2);
    const names: string[] = [];
    for await (const b of env.service.getContainerClient(c.name).listBlobsFlat()) names.push(b.name);
    expect(names).toEqual(['x/a.jpg', 'x/pick/sub/b.png']);
  });

  it('resumes after an abort at 50 % without re-sending a finished blob', async () => {
    const c = await env.container();
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 40; i++) files[`img/${String(i).padStart(3, '0')}.png`] = bytesOf(100 + i, 2000);
    const root = await folder('resume', files);
    const proxy = await env.proxy();
    const target = { containerUrl: c.proxiedUrl(proxy), sasToken: c.sas };
    const first = countPuts(proxy);
    const abort = new AbortController();
    const err = await uploadFiles(target, new FsSource(root), {
      concurrency: 4,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.filesDone >= p.files / 2) abort.abort();
      },
    }).catch((e: unknown) => e);
    expect(LabelkitError.is(err, 'E_ABORTED')).toBe(true);
    const landed = new Set<string>();
    for await (const b of env.service.getContainerClient(c.name).listBlobsFlat()) landed.add(b.name);
    expect(landed.size).toBeGreaterThanOrEqual(20);
    expect(landed.size).toBeLessThan(40);
    expect(first.puts.length).toBeLessThan(40);

    const second = countPuts(proxy);
    const report = await uploadFiles(target, new FsSource(root), { concurrency: 4 });
    expect(report.alreadyThere).toBe(landed.size);
    expect(report.uploaded).toBe(40 - landed.size);
    // Only the missing blobs were sent: no finished blob saw a second PUT.
    expect(second.puts.length).toBe(40 - landed.size);
    expect(second.puts.filter((n) => landed.has(n))).toEqual([]);
    const again = countPuts(proxy);
    const third = await uploadFiles(target, new FsSource(root));
    expect(third).toMatchObject({ uploaded: 0, alreadyThere: 40, bytesSent: 0 });
    expect(again.puts).toEqual([]);
  });

  it('resumes a large file from its staged blocks', async () => {
    const c = await env.container();
    const big = bytesOf(9, 10_000);
    const root = await folder('big', { 'big.tif': big });
    const proxy = await env.proxy();
    const target = { containerUrl: c.proxiedUrl(proxy), sasToken: c.sas };
    // The commit fails for good the first time: the blocks stay staged, uncommitted.
    let failCommit = true;
    const count = { puts: [] as string[] };
    proxy.script = (req) => {
      if (req.method === 'PUT') count.puts.push(req.url.includes('comp=blocklist') ? 'commit' : 'block');
      if (failCommit && req.method === 'PUT' && req.url.includes('comp=blocklist')) return '503-before';
      return undefined;
    };
    const first = await uploadFiles(target, new FsSource(root), { blockSize: 4096, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    expect(first.failed).toHaveLength(1);
    expect(first.failed[0].code).toBe('E_STORE_WRITE');
    expect(count.puts, JSON.stringify(first)).toEqual(['block', 'block', 'block', 'commit', 'commit']);
    failCommit = false;
    count.puts.length = 0;
    const second = await uploadFiles(target, new FsSource(root), { blockSize: 4096 });
    expect(second).toMatchObject({ uploaded: 1, bytesSent: 0 });
    expect(count.puts).toEqual(['commit']);
    const got = await env.service.getContainerClient(c.name).getBlobClient('big.tif').downloadToBuffer();
    expect(new Uint8Array(got)).toEqual(big);
  });

  it('never overwrites a different blob of the same name', async () => {
    const c = await env.container();
    const client = env.service.getContainerClient(c.name);
    await client.getBlockBlobClient('p/taken.jpg').upload('someone else', 12);
    await client.getBlockBlobClient('p/same.jpg').uploadData(Buffer.from(bytesOf(21))); // same bytes, no hash metadata
    const root = await folder('conflict', { 'taken.jpg': bytesOf(20), 'same.jpg': bytesOf(21), 'new.jpg': bytesOf(22) });
    const report = await uploadFiles({ connectionString: env.azurite.connectionString, containerName: c.name }, new FsSource(root), { prefix: 'p' });
    expect(report.uploaded).toBe(1);
    expect(report.alreadyThere).toBe(1);
    expect(report.conflicts).toHaveLength(1);
    expect(report.conflicts[0]).toMatchObject({ path: 'taken.jpg', blobName: 'p/taken.jpg', code: 'E_CONFLICT' });
    expect((await client.getBlobClient('p/taken.jpg').downloadToBuffer()).toString()).toBe('someone else');

    // A blob created between the listing and the write: the create-only write refuses, it is kept.
    const root2 = await folder('race', { 'late.jpg': bytesOf(30) });
    const proxy = await env.proxy();
    proxy.setPlan({ rate: 0, slowMs: 500 });
    let foreign: Promise<unknown> | undefined;
    proxy.script = (req) => {
      if (req.method === 'GET' && req.url.includes('comp=list') && !foreign) {
        // The listing has been answered by Azurite (without the blob); its answer is held while another client writes.
        foreign = client.getBlockBlobClient('p/late.jpg').upload('first!', 6);
        return 'slow';
      }
      return undefined;
    };
    const r2 = await uploadFiles({ containerUrl: c.proxiedUrl(proxy), sasToken: c.sas }, new FsSource(root2), { prefix: 'p' });
    await foreign;
    expect(r2.conflicts.map((x) => x.code)).toEqual(['E_CONFLICT']);
    expect((await client.getBlobClient('p/late.jpg').downloadToBuffer()).toString()).toBe('first!');
  });

  it('honours the 500,000-item cap before sending anything', async () => {
    const c = await env.container();
    const root = await folder('cap', { 'a.jpg': bytesOf(40), 'b.jpg': bytesOf(41), 'c.jpg': bytesOf(42) });
    const report = await uploadFiles({ connectionString: env.azurite.connectionString, containerName: c.name }, new FsSource(root), { existingItems: 500_000 - 2 });
    expect(report.uploaded).toBe(2);
    expect(report.overCap).toEqual({ count: 1, examples: ['c.jpg'] });
  });
});
