// Runs in Chromium (bundled by chromium.test.ts): the Azure adapters through the browser build of
// @azure/storage-blob, talking to Azurite across origins (CORS set by the test setup).
import { AzureBlobSource, AzureBlobStore, writeExport } from '@labelkit/core/azure';
import { LabelkitError } from '@labelkit/core';
import { LeaseBoard } from '../../../packages/core/src/shared/lease-board.js';

interface Config {
  containerUrl: string;
  sas: string;
  blobEndpoint: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return LabelkitError.is(err) ? err.code : `other: ${String(err)}`;
  }
}

async function run(cfg: Config): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { userAgent: navigator.userAgent };
  const store = new AzureBlobStore({ containerUrl: cfg.containerUrl, sasToken: cfg.sas, pageSize: 2, retry: { maxAttempts: 3, baseDelayMs: 5 } });
  const { etag } = await store.put('b/doc.json', enc.encode('{"v":1}'), { ifNoneMatch: '*' });
  out.createAgain = await code(store.put('b/doc.json', enc.encode('{"v":2}'), { ifNoneMatch: '*' }));
  out.ifMatchOk = await code(store.put('b/doc.json', enc.encode('{"v":2}'), { ifMatch: etag }));
  out.ifMatchStale = await code(store.put('b/doc.json', enc.encode('{"v":3}'), { ifMatch: etag }));
  out.read = dec.decode((await store.get('b/doc.json'))!.bytes);
  out.missing = (await store.get('b/none')) === undefined;
  for (const k of ['b/3', 'b/1', 'a/9', 'b/2']) await store.put(k, enc.encode(k));
  const keys: string[] = [];
  for await (const e of store.list('')) keys.push(e.key);
  out.keys = keys;
  await store.delete('b/1');
  out.deleted = (await store.get('b/1')) === undefined;

  // Streaming a ReadableStream as staged blocks.
  const parts = Array.from({ length: 12 }, (_, i) => enc.encode(`chunk-${i};`.repeat(10)));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(p);
      c.close();
    },
  });
  const streamed = await store.putStream('big.txt', stream, { blockSize: 256, ifNoneMatch: '*' });
  out.streamed = { bytes: streamed.bytes, same: dec.decode((await store.get('big.txt'))!.bytes) === parts.map((p) => dec.decode(p)).join('') };
  const exp = await writeExport(store, { project: 'browser demo', at: Date.UTC(2026, 0, 2, 3, 4, 5) }, [
    enc.encode('{"images":[],'),
    enc.encode('"annotations":[],"categories":[]}'),
  ]);
  out.export = exp.blobName;

  // Two clients racing for one lease in this page: exactly one wins.
  const other = new AzureBlobStore({ containerUrl: cfg.containerUrl, sasToken: cfg.sas });
  const boards = [new LeaseBoard(store, 'p1', 'tab-a', { leaseMs: 60_000 }), new LeaseBoard(other, 'p1', 'tab-b', { leaseMs: 60_000 })];
  const claims = await Promise.all(boards.map((b) => b.claim(['7'])));
  out.leaseWinners = claims.filter((c) => c.granted).length;

  // The source: listing with the path forms, reading, a signed URL an <img> can load.
  const source = new AzureBlobSource({ containerUrl: `${cfg.containerUrl}?${cfg.sas}`, path: 'imgs/', pageSize: 1 });
  const listed: string[] = [];
  for await (const r of source.list()) listed.push(`${r.path}:${r.size}:${typeof r.etag}:${typeof r.lastModified}`);
  out.listed = listed;
  const deep: string[] = [];
  for await (const r of new AzureBlobSource({ containerUrl: cfg.containerUrl, sasToken: cfg.sas, path: 'imgs/**' }).list()) deep.push(r.path);
  out.deep = deep;
  const bytes = await source.read('imgs/red.png');
  out.pngMagic = Array.from(bytes.slice(0, 4));
  const img = new Image();
  img.crossOrigin = 'anonymous';
  img.src = source.signedUrl('imgs/red.png')!;
  await img.decode();
  out.imgSize = [img.naturalWidth, img.naturalHeight];
  out.plainUrl = source.url('imgs/red.png') ?? null;

  // A SAS connection string works in a browser too.
  const cs = `BlobEndpoint=${cfg.blobEndpoint};SharedAccessSignature=${cfg.sas}`;
  const viaCs = new AzureBlobStore({ connectionString: cs, containerName: cfg.containerUrl.split('/').pop()! });
  out.viaConnectionString = dec.decode((await viaCs.get('b/2'))!.bytes);

  // A forged signature: E_FORBIDDEN, and the message does not carry it.
  const badSig = cfg.sas.replace(/sig=[^&]+/, 'sig=' + encodeURIComponent('C'.repeat(43) + '='));
  try {
    await new AzureBlobStore({ containerUrl: cfg.containerUrl, sasToken: badSig, retry: { maxAttempts: 1 } }).put('x', enc.encode('x'));
    out.forbidden = 'no error';
  } catch (err) {
    const e = err as LabelkitError;
    out.forbidden = e.code;
    out.forbiddenText = `${e.message} ${JSON.stringify(e.details)} ${JSON.stringify(e.cause)}`;
  }
  return out;
}

(globalThis as unknown as { runAzureChecks: typeof run }).runAzureChecks = run;
document.title = 'ready';
