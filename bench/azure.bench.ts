// `npm run bench -- azure [--quick]`: Azure Blob on Azurite (the npm package, started here on
// 127.0.0.1, in memory). Each figure is compared with a baseline measured in the same run:
// - listing 100k blobs (10k with --quick): AzureBlobSource (5,000-blob pages, the service maximum)
//   against the SDK's plain iterator and against 500-blob pages;
// - a refresh that finds 1k new blobs among 100k: Project.refresh (list + diff by path and etag,
//   appends only the new) against re-ingesting the whole listing into a fresh project;
// - submissions per second with 8 labeler clients on one shared project (each its own clientId and
//   AzureBlobStore, leases on the board, journal segments create-only) against 1 client.
// Creating the blobs is parallel (64 requests in flight) and timed but not compared.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { MemoryStore, ProjectRegistry, type ItemRef } from '@labelkit/core';
import { AzureBlobSource } from '@labelkit/core/azure';
import { startAzurite } from '../test/azure/azurite.js';
import { containerSas } from '../test/azure/setup.js';
import { runLabelers } from '../test/azure/labelers.js';

const quick = process.argv.includes('--quick');
const N = quick ? 10_000 : 100_000;
const NEW = quick ? 200 : 1_000;
const TASKS = quick ? 200 : 400;

// fastLookups: Azurite 3.35 scans every blob on each write (see test/azure/azurite-lookup-patch.cjs); without it seeding 100k blobs takes ~45 min.
const azurite = await startAzurite({ fastLookups: true });
const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
const container = service.getContainerClient('bench');
await container.create();
const sas = containerSas(azurite, 'bench');
const rows: { what: string; impl: string; ms: number; rate: string; vs?: string; note?: string }[] = [];
const load = () => loadavg()[0].toFixed(1);

async function createBlobs(c: ContainerClient, names: string[], concurrency = 64): Promise<number> {
  const t = performance.now();
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < names.length) {
        const n = names[i++];
        await c.getBlockBlobClient(n).upload(n, n.length);
      }
    }),
  );
  return performance.now() - t;
}

const name = (i: number) => `images/batch${String(i % 50).padStart(2, '0')}/img_${String(i).padStart(7, '0')}.jpg`;
console.log(`Creating ${N.toLocaleString()} blobs in Azurite (64 in flight)… load ${load()} on ${cpus().length} CPUs`);
const createMs = await createBlobs(
  container,
  Array.from({ length: N }, (_, i) => name(i)),
);
console.log(`  ${(createMs / 1000).toFixed(1)} s (${((N / createMs) * 1000).toFixed(0)} blobs/s)`);

// ── listing ──
async function timeIt(fn: () => Promise<number>): Promise<{ ms: number; n: number }> {
  const t = performance.now();
  const n = await fn();
  return { ms: performance.now() - t, n };
}
const source = (pageSize?: number) => new AzureBlobSource({ containerUrl: `${azurite.blobEndpoint}/bench`, sasToken: sas, path: 'images/**', pageSize });
const countList = async (s: AzureBlobSource) => {
  let n = 0;
  for await (const r of s.list()) if (r.etag) n++;
  return n;
};
await countList(source()); // warm-up (JIT, connections)
const ours = await timeIt(() => countList(source()));
const sdkPlain = await timeIt(async () => {
  let n = 0;
  for await (const b of container.listBlobsFlat({ prefix: 'images/' })) if (b.properties.etag) n++;
  return n;
});
const small = await timeIt(() => countList(source(500)));
for (const r of [ours, sdkPlain, small]) if (r.n !== N) throw new Error(`listed ${r.n}, expected ${N}`);
rows.push({ what: `list ${N.toLocaleString()}`, impl: 'AzureBlobSource, 5,000/page', ms: ours.ms, rate: `${((N / ours.ms) * 1000).toFixed(0)} blobs/s` });
rows.push({
  what: `list ${N.toLocaleString()}`,
  impl: 'baseline: SDK iterator (for await listBlobsFlat)',
  ms: sdkPlain.ms,
  rate: `${((N / sdkPlain.ms) * 1000).toFixed(0)} blobs/s`,
  vs: `${(sdkPlain.ms / ours.ms).toFixed(2)}× ours`,
});
rows.push({
  what: `list ${N.toLocaleString()}`,
  impl: 'baseline: 500/page',
  ms: small.ms,
  rate: `${((N / small.ms) * 1000).toFixed(0)} blobs/s`,
  vs: `${(small.ms / ours.ms).toFixed(2)}× ours`,
});

// ── refresh: 1k new among 100k ──
const owner = { actor: { id: 'owner', role: 'owner' as const } };
const projectStore = new MemoryStore();
const project = await new ProjectRegistry(projectStore).create({ name: 'bench', kind: 'image-classification-multiclass', labels: ['a', 'b'] }, owner);
const first = await project.refresh(source());
if (first.added !== N) throw new Error(`first ingest added ${first.added}`);
const newNames = Array.from({ length: NEW }, (_, i) => `images/new/img_${String(i).padStart(5, '0')}.jpg`);
await createBlobs(container, newNames);
const bytesBefore = projectStore.byteSize;
const refresh = await timeIt(async () => (await project.refresh(source())).added);
const refreshBytes = projectStore.byteSize - bytesBefore;
if (refresh.n !== NEW) throw new Error(`refresh added ${refresh.n}, expected ${NEW}`);
const again = await timeIt(async () => (await project.refresh(source())).added);
const naiveStore = new MemoryStore();
const full = await timeIt(async () => {
  const fresh = await new ProjectRegistry(naiveStore).create({ name: 'naive', kind: 'image-classification-multiclass', labels: ['a', 'b'] }, owner);
  const refs: ItemRef[] = [];
  for await (const r of source().list()) refs.push(r);
  return (await fresh.addItems(refs)).added;
});
const kb = (b: number) => `${(b / 1024).toFixed(0)} KB journal written`;
rows.push({
  what: `refresh: ${NEW} new among ${N.toLocaleString()}`,
  impl: 'Project.refresh(AzureBlobSource)',
  ms: refresh.ms,
  rate: `${refresh.n} added`,
  note: `${kb(refreshBytes)}; a no-change refresh: ${again.ms.toFixed(0)} ms, ${again.n} added`,
});
rows.push({
  what: `refresh: ${NEW} new among ${N.toLocaleString()}`,
  impl: 'baseline: re-ingest whole listing into a new project',
  ms: full.ms,
  rate: `${full.n} added`,
  vs: `${(full.ms / refresh.ms).toFixed(2)}× ours`,
  note: kb(naiveStore.byteSize),
});

// ── submissions/s, shared project, 8 clients vs 1 ──
async function submissions(clients: number): Promise<number> {
  const cname = `team${clients}`;
  await service.getContainerClient(cname).create();
  const csas = containerSas(azurite, cname);
  const r = await runLabelers({
    target: () => ({ containerUrl: `${azurite.blobEndpoint}/${cname}`, sasToken: csas }),
    clients,
    items: TASKS,
    leaseMs: 60_000,
    skewMs: 1_000,
    syncEvery: 50,
  });
  if (r.acknowledged.size !== TASKS || new Set(r.finalStates).size !== 1) throw new Error('labelers did not converge');
  return r.ms;
}
const one = await submissions(1);
const eight = await submissions(8);
rows.push({ what: `submissions, ${TASKS} tasks`, impl: '8 clients, shared AzureBlobStore', ms: eight, rate: `${((TASKS / eight) * 1000).toFixed(1)} submissions/s` });
rows.push({
  what: `submissions, ${TASKS} tasks`,
  impl: 'baseline: 1 client',
  ms: one,
  rate: `${((TASKS / one) * 1000).toFixed(1)} submissions/s`,
  vs: `${(one / eight).toFixed(2)}× ours (time)`,
});

console.log(`\nAzure Blob on Azurite ${quick ? '(--quick)' : ''} — load average ${load()} on ${cpus().length} CPUs (shared machine: expect ±40 %)`);
console.table(rows.map((r) => ({ what: r.what, implementation: r.impl, ms: Math.round(r.ms), result: r.rate, 'baseline / ours': r.vs ?? '', note: r.note ?? '' })));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/azure${quick ? '-quick' : ''}.json`, import.meta.url), JSON.stringify({ n: N, created: { ms: createMs }, rows }, null, 1) + '\n');
await azurite.stop();
