// AzureBlobStore against Azurite: the Store contract, conditional writes, retries through a
// fault-injecting proxy (503s, 429s, timeouts, dropped connections, slow answers), idempotent
// re-sends, streamed block uploads and exports, and secrets never leaking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobStore, exportBlobName, writeExport, type AzureRetryEvent } from '@labelkit/core/azure';
import { LabelkitError, MemoryStore, ProjectRegistry, type PutOptions } from '@labelkit/core';
import { exportCoco, exportKey, writeToStore } from '@labelkit/core/export';
import { azureTestEnv, errorText, scanContainer, secretsOf, type AzureTestEnv } from './setup.js';
import { mulberry32, type FaultProxy } from './fault-proxy.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
let env: AzureTestEnv;

beforeAll(async () => {
  env = await azureTestEnv();
});
afterAll(async () => {
  await env?.stop();
});

async function caught(p: Promise<unknown>): Promise<LabelkitError> {
  try {
    await p;
  } catch (err) {
    return err as LabelkitError;
  }
  throw new Error('expected a rejection');
}

async function keys(store: AzureBlobStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.list(prefix)) out.push(e.key);
  return out;
}

describe('AzureBlobStore: the Store contract on Azurite', () => {
  it('gets, puts, deletes and lists in ascending order across pages', async () => {
    const c = await env.container();
    const store = new AzureBlobStore({ connectionString: env.azurite.connectionString, containerName: c.name, prefix: 'team/', pageSize: 3 });
    expect(store.description).toBe(`Azure Blob devstoreaccount1/${c.name}/team`);
    expect(await store.get('nope')).toBeUndefined();
    const names = ['b/2', 'a/1', 'b/10', 'a/0', 'c', 'b/1', 'a/9', 'B/x'];
    for (const n of names) await store.put(n, enc.encode(`v:${n}`));
    expect(await keys(store, '')).toEqual([...names].sort());
    expect(await keys(store, 'b/')).toEqual(['b/1', 'b/10', 'b/2']);
    const got = await store.get('a/1');
    expect(dec.decode(got!.bytes)).toBe('v:a/1');
    // The prefix isolates: a sibling store sees only its own keys.
    const other = store.withPrefix('other/');
    expect(await keys(other, '')).toEqual([]);
    await store.delete('c');
    await store.delete('c'); // deleting what is gone is fine
    expect(await store.get('c')).toBeUndefined();
    const sizes = [];
    for await (const e of store.list('a/')) sizes.push([e.key, e.size, typeof e.etag]);
    expect(sizes).toEqual([
      ['a/0', 5, 'string'],
      ['a/1', 5, 'string'],
      ['a/9', 5, 'string'],
    ]);
  });

  it('create-only and If-Match writes fail with E_CONFLICT when the condition does not hold', async () => {
    const c = await env.container();
    const store = new AzureBlobStore({ containerUrl: c.url, sasToken: c.sas });
    const { etag } = await store.put('doc', enc.encode('one'), { ifNoneMatch: '*' });
    expect((await caught(store.put('doc', enc.encode('two'), { ifNoneMatch: '*' }))).code).toBe('E_CONFLICT');
    const { etag: etag2 } = await store.put('doc', enc.encode('two'), { ifMatch: etag });
    expect(etag2).not.toBe(etag);
    expect((await caught(store.put('doc', enc.encode('three'), { ifMatch: etag }))).code).toBe('E_CONFLICT');
    expect((await caught(store.put('missing', enc.encode('x'), { ifMatch: etag }))).code).toBe('E_CONFLICT');
    expect((await caught(store.delete('doc', { ifMatch: etag }))).code).toBe('E_CONFLICT');
    await store.delete('doc', { ifMatch: etag2 });
    expect(await store.get('doc')).toBeUndefined();
    expect((await caught(store.delete('doc', { ifMatch: etag2 }))).code).toBe('E_CONFLICT');
  });

  it('never overwrites last-writer-wins: of many concurrent create-only writers exactly one wins', async () => {
    const c = await env.container();
    const stores = Array.from({ length: 8 }, () => new AzureBlobStore({ containerUrl: c.url, sasToken: c.sas }));
    const results = await Promise.allSettled(stores.map((s, i) => s.put('lease', enc.encode(`writer ${i}`), { ifNoneMatch: '*' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => LabelkitError.is((r as PromiseRejectedResult).reason, 'E_CONFLICT'))).toBe(true);
    // If-Match races: from one etag, only one successor.
    const { etag } = (await stores[0].get('lease'))!;
    const again = await Promise.allSettled(stores.map((s, i) => s.put('lease', enc.encode(`next ${i}`), { ifMatch: etag })));
    expect(again.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('AzureBlobStore behind a fault-injecting proxy', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await env.proxy();
  });

  function storeVia(url: string, sas: string, events?: AzureRetryEvent[]) {
    return new AzureBlobStore({
      containerUrl: url,
      sasToken: sas,
      retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 50, tryTimeoutMs: 400 },
      onRetry: (e) => events?.push(e),
    });
  }

  for (const fault of ['drop-after', 'timeout-after', '503-after'] as const) {
    it(`a create-only write whose answer is lost (${fault}) is recognised as ours: success, written once`, async () => {
      const c = await env.container();
      const events: AzureRetryEvent[] = [];
      const store = storeVia(c.proxiedUrl(proxy), c.sas, events);
      proxy.setPlan({ rate: 0, holdMs: 1_500 });
      let puts = 0;
      proxy.script = (r) => (r.method === 'PUT' && r.path.endsWith('/journal/c1/0000000001.jsonl') && ++puts === 1 ? fault : undefined);
      const bytes = enc.encode('{"type":"labels.submitted"}\n');
      const { etag } = await store.put('journal/c1/0000000001.jsonl', bytes, { ifNoneMatch: '*' });
      proxy.script = undefined;
      expect(puts).toBe(2); // the re-send happened and met the blob our first attempt wrote
      expect(events.map((e) => e.op)).toEqual(['write']);
      const stored = await store.get('journal/c1/0000000001.jsonl');
      expect(stored!.etag).toBe(etag);
      expect(dec.decode(stored!.bytes)).toBe(dec.decode(bytes));
      expect(await keys(store, 'journal/')).toEqual(['journal/c1/0000000001.jsonl']);
    });
  }

  it('an If-Match write and a delete whose answers were lost are successes too', async () => {
    const c = await env.container();
    const store = storeVia(c.proxiedUrl(proxy), c.sas);
    proxy.setPlan({ rate: 0 });
    const { etag } = await store.put('snap', enc.encode('v1'));
    let n = 0;
    proxy.script = (r) => (r.method === 'PUT' && ++n === 1 ? 'drop-after' : undefined);
    const { etag: e2 } = await store.put('snap', enc.encode('v2'), { ifMatch: etag });
    expect(dec.decode((await store.get('snap'))!.bytes)).toBe('v2');
    expect((await store.get('snap'))!.etag).toBe(e2);
    n = 0;
    proxy.script = (r) => (r.method === 'DELETE' && ++n === 1 ? 'drop-after' : undefined);
    await store.delete('snap', { ifMatch: e2 });
    proxy.script = undefined;
    expect(await store.get('snap')).toBeUndefined();
  });

  it("a retried create-only write that meets someone else's blob is still a conflict", async () => {
    const c = await env.container();
    const store = storeVia(c.proxiedUrl(proxy), c.sas);
    proxy.setPlan({ rate: 0 });
    await store.put('seg', enc.encode('theirs'), { ifNoneMatch: '*' });
    let n = 0;
    proxy.script = (r) => (r.method === 'PUT' && ++n === 1 ? '503-before' : undefined);
    const err = await caught(store.put('seg', enc.encode('mine'), { ifNoneMatch: '*' }));
    proxy.script = undefined;
    expect(err.code).toBe('E_CONFLICT');
    expect(dec.decode((await store.get('seg'))!.bytes)).toBe('theirs');
  });

  it('gives up after maxAttempts with E_STORE_WRITE, saying what happened without secrets', async () => {
    const c = await env.container();
    const events: AzureRetryEvent[] = [];
    const store = new AzureBlobStore({
      containerUrl: c.proxiedUrl(proxy),
      sasToken: c.sas,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      onRetry: (e) => events.push(e),
    });
    proxy.setPlan({ rate: 1, weights: { '503-before': 1 } });
    const err = await caught(store.put('x', enc.encode('x')));
    const readErr = await caught(store.get('x'));
    proxy.setPlan({ rate: 0 });
    expect(err.code).toBe('E_STORE_WRITE');
    expect(err.message).toMatch(/after 3 attempts \(HTTP 503 ServerBusy\)/);
    expect(readErr.code).toBe('E_STORE_READ');
    expect(events).toHaveLength(4);
    for (const s of secretsOf(c.sas)) {
      expect(errorText(err)).not.toContain(s);
      expect(errorText(readErr)).not.toContain(s);
      expect(JSON.stringify(events)).not.toContain(s);
    }
  });

  it('survives a soak of random faults with results identical to a fault-free model', async () => {
    const c = await env.container();
    const events: AzureRetryEvent[] = [];
    const store = storeVia(c.proxiedUrl(proxy), c.sas, events);
    proxy.script = undefined;
    const before = proxy.faults;
    proxy.setPlan({ rate: 0.3, seed: 7, slowMs: 150, holdMs: 1_000 });
    const model = new Map<string, string>();
    const etags = new Map<string, string>();
    const rand = mulberry32(99);
    const keyNames = Array.from({ length: 12 }, (_, i) => `k/${String(i).padStart(2, '0')}`);
    let conflicts = 0;
    /** A conditional put that must succeed exactly when `ok`: the model follows it; a refusal is E_CONFLICT. */
    const put = async (key: string, value: string, options: PutOptions, ok: boolean) => {
      try {
        etags.set(key, (await store.put(key, enc.encode(value), options)).etag);
        expect(ok).toBe(true);
        model.set(key, value);
      } catch (err) {
        expect((err as LabelkitError).code).toBe('E_CONFLICT');
        expect(ok).toBe(false);
        conflicts++;
      }
    };
    for (let op = 0; op < 240; op++) {
      const key = keyNames[Math.floor(rand() * keyNames.length)];
      const value = `op ${op} on ${key}`; // unique content per write, as journal segments and leases have
      const r = rand();
      if (r < 0.3) {
        await put(key, value, { ifNoneMatch: '*' }, !model.has(key));
      } else if (r < 0.55) {
        const stale = rand() < 0.3;
        const etag = stale ? '"0x8D0000000000000"' : (etags.get(key) ?? '"0x8D0000000000000"');
        await put(key, value, { ifMatch: etag }, !stale && model.has(key));
      } else if (r < 0.65) {
        if (model.has(key)) {
          await store.delete(key, { ifMatch: etags.get(key) });
          model.delete(key);
        } else await store.delete(key);
      } else if (r < 0.9) {
        const got = await store.get(key);
        expect(got && dec.decode(got.bytes)).toBe(model.get(key) ?? undefined);
      } else {
        expect(await keys(store, 'k/')).toEqual([...model.keys()].sort());
      }
    }
    proxy.setPlan({ rate: 0 });
    expect(proxy.faults - before).toBeGreaterThan(40);
    expect(events.length).toBeGreaterThan(40);
    expect(conflicts).toBeGreaterThan(0);
    expect(await keys(store, 'k/')).toEqual([...model.keys()].sort());
  }, 120_000);
});

describe('streamed writes and exports', () => {
  it('streams chunks into a block blob with stageBlock/commitBlockList, through faults', async () => {
    const c = await env.container();
    const proxy = await env.proxy();
    proxy.setPlan({ rate: 0.25, seed: 3, holdMs: 800, slowMs: 50 });
    const store = new AzureBlobStore({ containerUrl: c.proxiedUrl(proxy), sasToken: c.sas, retry: { baseDelayMs: 5, maxDelayMs: 40, tryTimeoutMs: 300, maxAttempts: 10 } });
    const parts = Array.from({ length: 40 }, (_, i) => enc.encode(`{"chunk":${i},"pad":"${'x'.repeat(97 + i)}"}\n`));
    const stream = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (const p of parts) ctl.enqueue(p);
        ctl.close();
      },
    });
    const r = await store.putStream('big.jsonl', stream, { blockSize: 1000, ifNoneMatch: '*' });
    proxy.setPlan({ rate: 0 });
    const expected = parts.map((p) => dec.decode(p)).join('');
    expect(r.bytes).toBe(enc.encode(expected).byteLength);
    expect(dec.decode((await store.get('big.jsonl'))!.bytes)).toBe(expected);
    const blocks = await env.service.getContainerClient(c.name).getBlockBlobClient('big.jsonl').getBlockList('committed');
    expect(blocks.committedBlocks!.length).toBe(Math.ceil(r.bytes / 1000));
    // Create-only: a second stream to the same name is a conflict and leaves the first intact.
    expect((await caught(store.putStream('big.jsonl', [enc.encode('other')], { ifNoneMatch: '*', blockSize: 2 }))).code).toBe('E_CONFLICT');
    expect(dec.decode((await store.get('big.jsonl'))!.bytes)).toBe(expected);
    // Small streams are one Put Blob.
    await store.putStream(
      'small.json',
      (async function* () {
        yield enc.encode('{"a":');
        yield enc.encode('1}');
      })(),
    );
    expect(dec.decode((await store.get('small.json'))!.bytes)).toBe('{"a":1}');
  });

  it('writes exports to Labeling/export/coco/<project>_<timestamp>.json in the container, never replacing one', async () => {
    const c = await env.container();
    const store = new AzureBlobStore({ containerUrl: c.url, sasToken: c.sas, prefix: 'labelkit/' });
    const at = Date.UTC(2026, 10, 25, 21, 30, 5);
    expect(exportBlobName({ project: 'Cats & dogs', at })).toBe('Labeling/export/coco/Cats_dogs_20261125_213005.json');
    const coco = { images: [{ id: 1, file_name: 'a.jpg' }], annotations: [], categories: [{ id: 1, name: 'cat' }] };
    const text = JSON.stringify(coco);
    const r = await writeExport(store, { project: 'Cats & dogs', at }, [enc.encode(text.slice(0, 10)), enc.encode(text.slice(10))], { blockSize: 16 });
    expect(r.blobName).toBe('Labeling/export/coco/Cats_dogs_20261125_213005.json');
    expect(r.url).toBe(`${c.url}/Labeling/export/coco/Cats_dogs_20261125_213005.json`);
    const blob = env.service.getContainerClient(c.name).getBlobClient(r.blobName);
    expect(JSON.parse((await blob.downloadToBuffer()).toString())).toEqual(coco);
    expect((await blob.getProperties()).contentType).toBe('application/json');
    expect((await caught(writeExport(store, { project: 'Cats & dogs', at }, [enc.encode('{}')]))).code).toBe('E_CONFLICT');
    expect(JSON.parse((await blob.downloadToBuffer()).toString())).toEqual(coco);
  });
});

describe('the export sinks write COCO through the store (StreamingStore)', () => {
  it('writeToStore(exportCoco(project)) streams to Labeling/export/coco/<project>_<timestamp>.json', async () => {
    const c = await env.container();
    const store = new AzureBlobStore({ containerUrl: c.url, sasToken: c.sas });
    const actor = { actor: { id: 'owner', role: 'owner' as const } };
    const project = await new ProjectRegistry(new MemoryStore()).create({ name: 'Pets', kind: 'image-classification-multiclass', labels: ['cat', 'dog'] }, actor);
    await project.addItems([0, 1, 2].map((i) => ({ path: `img/${i}.jpg` })));
    await project.setItemSizes([0, 1, 2].map((i) => ({ item: i, width: 64, height: 48 })));
    for (let k = 0; k < 3; k++) {
      const t = (await project.nextTask())!;
      await project.submit(t.id, [{ item: t.items[0].index, annotations: [{ kind: 'class', label: k % 2 ? 'cat' : 'dog' }] }]);
    }
    const exported = exportCoco(project, { date: new Date(Date.UTC(2026, 10, 25, 22, 0, 0)) });
    const key = exportKey(exported);
    expect(key).toBe('Labeling/export/coco/Pets_20261125_220000.json');
    const r = await writeToStore(store, key, exported);
    const coco = JSON.parse(dec.decode((await store.get(key))!.bytes));
    expect(r.bytes).toBeGreaterThan(100);
    expect(coco.images).toHaveLength(3);
    expect(coco.annotations).toHaveLength(3);
    expect((await env.service.getContainerClient(c.name).getBlobClient(key).getProperties()).contentType).toBe('application/json');
    // Create-only by default: a second export to the same key is refused.
    expect((await caught(writeToStore(store, key, exportCoco(project, { date: new Date(Date.UTC(2026, 10, 25, 22, 0, 0)) })))).code).toBe('E_CONFLICT');
  });
});

describe('secrets', () => {
  it('SAS signatures and account keys appear in nothing written, no message, no retry event', async () => {
    const c = await env.container();
    const proxy = await env.proxy();
    proxy.setPlan({ rate: 0.3, seed: 11, holdMs: 600 });
    const events: AzureRetryEvent[] = [];
    const secrets = [...secretsOf(c.sas), env.azurite.accountKey, env.azurite.connectionString];
    const viaSas = new AzureBlobStore({
      containerUrl: `${c.proxiedUrl(proxy)}?${c.sas}`,
      retry: { baseDelayMs: 2, maxDelayMs: 20, tryTimeoutMs: 300 },
      onRetry: (e) => events.push(e),
    });
    const viaKey = new AzureBlobStore({ connectionString: env.azurite.connectionString, containerName: c.name });
    for (let i = 0; i < 30; i++) await viaSas.put(`projects/p/journal/c1/${String(i + 1).padStart(10, '0')}.jsonl`, enc.encode(`{"i":${i}}\n`), { ifNoneMatch: '*' });
    await viaKey.put('projects/p/snapshot/head.json', enc.encode('{}'));
    await writeExport(viaSas, { project: 'p' }, [enc.encode('{"images":[]}')]);
    proxy.setPlan({ rate: 0 });
    const messages: string[] = [viaSas.description, viaKey.description, JSON.stringify(events)];
    // Failures that carry the request URL inside the SDK: forbidden (bad signature), expired, missing container.
    const badSig = c.sas.replace(/sig=[^&]+/, 'sig=' + encodeURIComponent('A'.repeat(43) + '='));
    const forbidden = await caught(new AzureBlobStore({ containerUrl: c.url, sasToken: badSig, retry: { maxAttempts: 1 } }).put('x', enc.encode('x')));
    expect(forbidden.code).toBe('E_FORBIDDEN');
    expect(forbidden.message).toMatch(/SAS token or credential/);
    const missing = new AzureBlobStore({ containerUrl: `${env.azurite.blobEndpoint}/does-not-exist`, sasToken: c.sas, retry: { maxAttempts: 1 } });
    const errs = [
      forbidden,
      await caught(missing.put('x', enc.encode('x'))),
      await caught(
        (async () => {
          for await (const _ of missing.list('')) void _;
        })(),
      ),
    ];
    for (const e of errs) messages.push(errorText(e));
    const scan = await scanContainer(env.service, c.name, secrets);
    expect(scan.scanned).toBeGreaterThanOrEqual(32);
    expect(scan.leaks).toEqual([]);
    for (const m of messages) for (const s of secrets) expect(m).not.toContain(s);
    expect(events.length).toBeGreaterThan(0);
  });
});
