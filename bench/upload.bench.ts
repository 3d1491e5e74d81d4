// `npm run bench -- upload [--quick]`: uploading a folder of 10,000 small images (2,000 with --quick)
// into Azurite (the npm package, started here on 127.0.0.1, in memory, with its lookups by name).
// Ours: `uploadFiles` from `@labelkit/core/azure` (listing of the prefix, SHA-256 per file in
// metadata, create-only Put Blob, progress, then nothing to refresh). Baseline, in the same run with
// the same parallelism: a loop over the same files calling `@azure/storage-blob`'s
// `BlockBlobClient.uploadData` (no hash, no precondition, overwrites). Rounds alternate ours and the
// baseline, each into a fresh container; both walk the folder inside the timed part. A re-run of
// ours over a complete upload (everything skipped, the resume path) is timed too.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BlobServiceClient } from '@azure/storage-blob';
import { uploadFiles } from '@labelkit/core/azure';
import { FsSource } from '@labelkit/core/node';
import { startAzurite } from '../test/azure/azurite.js';

const quick = process.argv.includes('--quick');
const N = quick ? 2_000 : 10_000;
const PARALLEL = 16;
const ROUNDS = 3;
const load = () => loadavg()[0].toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'lk-upload-bench-'));
let bytes = 0;
const paths: string[] = [];
for (let i = 0; i < N; i++) {
  const sub = `batch${String(i % 20).padStart(2, '0')}`;
  mkdirSync(join(dir, sub), { recursive: true });
  const size = 2048 + ((i * 7919) % 1536) * 4; // 2–8 KiB, like thumbnails
  const b = Buffer.alloc(size);
  for (let k = 0; k < size; k += 4) b.writeUInt32LE((i * 2654435761 + k * 40503) >>> 0, k);
  const p = `${sub}/img_${String(i).padStart(6, '0')}.jpg`;
  writeFileSync(join(dir, p), b);
  paths.push(p);
  bytes += size;
}
paths.sort();

const azurite = await startAzurite({ fastLookups: true });
const service = BlobServiceClient.fromConnectionString(azurite.connectionString, { retryOptions: { maxTries: 3 } });
let containers = 0;
async function freshContainer(): Promise<string> {
  const name = `up${containers++}`;
  await service.getContainerClient(name).create();
  return name;
}

async function ours(): Promise<number> {
  const name = await freshContainer();
  const t = performance.now();
  const r = await uploadFiles({ connectionString: azurite.connectionString, containerName: name }, new FsSource(dir), { prefix: 'images', concurrency: PARALLEL });
  const ms = performance.now() - t;
  if (r.uploaded !== N) throw new Error(`uploaded ${r.uploaded} of ${N}`);
  lastOurs = name;
  return ms;
}
let lastOurs = '';

async function baseline(): Promise<number> {
  const c = service.getContainerClient(await freshContainer());
  const t = performance.now();
  // The folder is walked in the timed part, as ours walks it (FsSource): readdir only, no stat.
  const found = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join('/'))
    .sort();
  if (found.length !== paths.length) throw new Error('the walk missed files');
  let i = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (i < found.length) {
        const p = found[i++];
        const data = await readFile(join(dir, p));
        await c.getBlockBlobClient(`images/${p}`).uploadData(data);
      }
    }),
  );
  return performance.now() - t;
}

async function resume(): Promise<number> {
  const t = performance.now();
  const r = await uploadFiles({ connectionString: azurite.connectionString, containerName: lastOurs }, new FsSource(dir), { prefix: 'images', concurrency: PARALLEL });
  if (r.alreadyThere !== N || r.uploaded !== 0) throw new Error('the re-run sent files');
  return performance.now() - t;
}

console.log(`${N.toLocaleString()} files, ${(bytes / 1048576).toFixed(1)} MiB, ${PARALLEL} in flight; load ${load()} on ${cpus().length} CPUs`);
const times: Record<'ours' | 'sdk' | 'resume', number[]> = { ours: [], sdk: [], resume: [] };
const loads: string[] = [];
await baseline(); // warm-up (connections, JIT), not counted
for (let r = 0; r < ROUNDS; r++) {
  loads.push(load());
  if (r % 2 === 0) {
    times.ours.push(await ours());
    times.sdk.push(await baseline());
  } else {
    times.sdk.push(await baseline());
    times.ours.push(await ours());
  }
  times.resume.push(await resume());
}
loads.push(load());
await azurite.stop();
rmSync(dir, { recursive: true, force: true });

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const rows = (['ours', 'sdk', 'resume'] as const).map((k) => {
  const ms = median(times[k]);
  return {
    impl: k === 'ours' ? 'uploadFiles' : k === 'sdk' ? 'SDK uploadData loop' : 'uploadFiles re-run (all there)',
    ms: Math.round(ms),
    filesPerS: Math.round((N / ms) * 1000),
    mibPerS: +((bytes / 1048576 / ms) * 1000).toFixed(2),
    runs: times[k].map(Math.round),
  };
});
console.table(rows);
const ratio = median(times.sdk) / median(times.ours);
console.log(`throughput ours ÷ SDK: ${ratio.toFixed(2)}× (load ${loads.join(' → ')})`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/upload${quick ? '-quick' : ''}.json`, import.meta.url), JSON.stringify({ n: N, bytes, parallel: PARALLEL, rows, ratio, loads }, null, 1) + '\n');
