// `npm run bench -- team [--quick] [--out=team]`: a team of labelers on one shared project in
// Azurite, every client behind its own port of a counting proxy (test/azure/counting-proxy.ts).
// 1, 8, 32 and 100 clients (--quick: 1, 8, 32) spread over up to 4 worker processes (this file with
// --worker, each with its own proxy), each a real Project with its own clientId and AzureBlobStore,
// for a fixed wall time each (--seconds=40). Think time is compressed: a labeler takes
// a task, "thinks" 1.5–4.5 s (uniform; real people take ~10–60 s), syncs once a second while it
// thinks (what a page following the team does) and submits. Per client: requests per submit, per
// nextTask and per sync (inside the call), all requests per submit (everything the client sent,
// following included, over its submits), bytes read per minute, sync lag (time from a submission's
// event time until another client has applied it, p50/p95), nextTask p95. In total: requests/s,
// lease conflicts (409/412 on lease documents) per task handed out. Then throughput without think
// time: 8 clients against 1 labeling 200 tasks as fast as they can (the azure benchmark's figure).
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { BlobServiceClient, ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { mulberry32, Project, ProjectRegistry } from '@labelkit/core';
import { AzureBlobStore } from '@labelkit/core/azure';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from '../test/azure/azurite.js';
import { CountingProxy, type ClientCounts } from '../test/azure/counting-proxy.js';
import { containerSas } from '../test/azure/setup.js';
import { runLabelers } from '../test/azure/labelers.js';

const quick = process.argv.includes('--quick');
const out = process.argv.find((a) => a.startsWith('--out='))?.slice(6) ?? `team${quick ? '-quick' : ''}`;
const only = process.argv.find((a) => a.startsWith('--sizes='))?.slice(8);
const SIZES = only === 'none' ? [] : only ? only.split(',').map(Number) : quick ? [1, 8, 32] : [1, 8, 32, 100];
const DURATION_MS = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? (quick ? 20 : 40)) * 1000;
const THINK_MIN = 1_500;
const THINK_MAX = 4_500;
const SYNC_EVERY_MS = 1_000;
const THROUGHPUT_TASKS = 200;

const WORKERS = 4;
const isWorker = process.argv.includes('--worker');

const azurite = isWorker ? undefined : await startAzurite({ fastLookups: true });
const service = BlobServiceClient.fromConnectionString(azurite?.connectionString ?? 'UseDevelopmentStorage=true');
const key = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
const load = () => loadavg()[0].toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const diff = (a: ClientCounts, b: ClientCounts) => ({ requests: a.requests - b.requests, bytesIn: a.bytesIn - b.bytesIn, leaseConflicts: a.leaseConflicts - b.leaseConflicts });

interface Row {
  clients: number;
  submits: number;
  tasks: number;
  seconds: number;
  reqPerSubmitCall: number;
  reqPerNextTaskCall: number;
  reqPerSyncCall: number;
  reqPerSubmitAllIn: number;
  kbReadPerMin: number;
  lagP50: number;
  lagP95: number;
  lagSamples: number;
  nextTaskP95: number;
  submitP95: number;
  totalReqPerS: number;
  submitsPerS: number;
  leaseConflictsPerTask: number;
  byKindPerSubmit: Record<string, number>;
  load: string;
}

/** What one worker process measured for its clients. */
interface WorkerResult {
  per: { name: string; submitReq: number[]; nextReq: number[]; syncReq: number[]; nextMs: number[]; submitMs: number[]; tasks: number; submits: number; total: ClientCounts }[];
  lags: number[];
}

/**
 * Runs `names` as labeler clients in this process (a worker), each behind its own port of a
 * counting proxy of this process, from `startAt` for `durationMs`.
 */
async function labelers(
  o: { blobHost: string; blobPort: number; container: string; projectId: string; names: string[]; seed: number; durationMs: number },
  ready: () => Promise<number>,
): Promise<WorkerResult> {
  const proxy = new CountingProxy(o.blobHost, o.blobPort);
  const clients: Project[] = [];
  for (const name of o.names) {
    const endpoint = await proxy.endpointFor(name);
    // The account key rather than the SAS: Azurite 3.35 answers Append Blob Seal with a SAS by 500
    // (its SAS permission table lacks the operation; Azure takes it with `w`), and sealed tails keep
    // the emulator's per-request work on an append blob small.
    const containerClient = new ContainerClient(`${endpoint}/${o.container}`, key, { retryOptions: { maxTries: 1 } });
    const store = new AzureBlobStore({ containerClient, retry: { tryTimeoutMs: 60_000 } });
    clients.push(await Project.load(store, o.projectId, { actor: { id: `user-${name}`, role: 'labeler' }, clientId: name, shared: true, snapshotEvery: 0 }));
  }
  // Registered and caught up before the clock starts.
  for (const p of clients) await p.sync();
  const lags: number[] = [];
  for (const p of clients) {
    p.subscribe((change) => {
      if (change.origin !== 'remote') return;
      const now = Date.now();
      for (const e of change.events) if (e.type === 'labels.submitted') lags.push(now - e.at);
    });
  }
  const per = o.names.map((name) => ({
    name,
    submitReq: [] as number[],
    nextReq: [] as number[],
    syncReq: [] as number[],
    nextMs: [] as number[],
    submitMs: [] as number[],
    tasks: 0,
    submits: 0,
    total: proxy.snapshot(name),
  }));
  const startAt = await ready();
  const base = o.names.map((c) => proxy.snapshot(c));
  const end = startAt + o.durationMs;
  await Promise.all(
    clients.map(async (p, k) => {
      const rand = mulberry32(o.seed + k);
      const me = per[k];
      const name = o.names[k];
      await sleep(Math.max(0, startAt - Date.now()) + rand() * THINK_MAX); // desynchronised starts
      let lastSync = Date.now();
      while (Date.now() < end) {
        let b = proxy.snapshot(name);
        let t = performance.now();
        const task = await p.nextTask({ size: 1 });
        me.nextMs.push(performance.now() - t);
        me.nextReq.push(diff(proxy.snapshot(name), b).requests);
        if (!task) break;
        me.tasks++;
        const thinkEnd = Date.now() + THINK_MIN + rand() * (THINK_MAX - THINK_MIN);
        for (;;) {
          const left = thinkEnd - Date.now();
          if (left <= 0) break;
          await sleep(Math.min(left, SYNC_EVERY_MS - (Date.now() - lastSync)));
          if (Date.now() - lastSync >= SYNC_EVERY_MS) {
            b = proxy.snapshot(name);
            await p.sync();
            me.syncReq.push(diff(proxy.snapshot(name), b).requests);
            lastSync = Date.now();
          }
        }
        b = proxy.snapshot(name);
        t = performance.now();
        await p.submit(task.id, [{ item: task.items[0].index, annotations: [{ kind: 'class', label: k % 2 ? 'cat' : 'dog' }] }]);
        me.submitMs.push(performance.now() - t);
        me.submitReq.push(diff(proxy.snapshot(name), b).requests);
        me.submits++;
      }
    }),
  );
  for (const [k, m] of per.entries()) {
    const now = proxy.snapshot(m.name);
    const b = base[k];
    m.total = {
      requests: now.requests - b.requests,
      bytesIn: now.bytesIn - b.bytesIn,
      bytesOut: now.bytesOut - b.bytesOut,
      leaseConflicts: now.leaseConflicts - b.leaseConflicts,
      byKind: Object.fromEntries(Object.entries(now.byKind).map(([kind, v]) => [kind, v - b.byKind[kind as keyof ClientCounts['byKind']]])) as ClientCounts['byKind'],
      readsByKind: now.readsByKind,
    };
  }
  for (const p of clients) await p.close();
  await proxy.stop();
  return { per, lags };
}

async function team(n: number, run: number): Promise<Row> {
  const cname = `team${n}r${run}`;
  await service.getContainerClient(cname).create();
  const sas = containerSas(azurite!, cname);
  const items = Math.max(300, n * 30);
  const owner = await new ProjectRegistry(new AzureBlobStore({ containerUrl: `${azurite!.blobEndpoint}/${cname}`, sasToken: sas })).create(
    { name: `team ${n}`, kind: 'image-classification-multiclass', labels: ['cat', 'dog'], queue: { leaseMs: 120_000 }, seed: 42 },
    { actor: { id: 'owner', role: 'owner' }, clientId: 'owner', shared: true, snapshotEvery: 0 },
  );
  await owner.addItems(Array.from({ length: items }, (_, i) => ({ path: `img/${String(i).padStart(6, '0')}.jpg`, size: 1000 + i, etag: `"e${i}"` })));
  const names = Array.from({ length: n }, (_, k) => `r${run}n${n}c${k}`);
  // The clients run in a few worker processes (each with its own counting proxy), started together.
  const w = Math.min(WORKERS, n);
  const children = Array.from({ length: w }, (_, i) => {
    const child = fork(fileURLToPath(import.meta.url), ['--worker'], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const mine = names.filter((_, k) => k % w === i);
    const ready = new Promise<void>((resolve) => child.once('message', () => resolve()));
    const result = new Promise<WorkerResult>((resolve, reject) => {
      child.on('message', (m: { result?: WorkerResult; error?: string }) => (m.result ? resolve(m.result) : m.error ? reject(new Error(m.error)) : undefined));
      child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
    });
    child.send({ blobHost: azurite!.host, blobPort: azurite!.port, container: cname, projectId: owner.id, names: mine, seed: 1000 * n + 100 * i, durationMs: DURATION_MS });
    return { child, ready, result };
  });
  await Promise.all(children.map((c) => c.ready));
  const startAt = Date.now() + 200;
  for (const c of children) c.child.send({ go: startAt });
  const results = await Promise.all(children.map((c) => c.result));
  const seconds = (Date.now() - startAt) / 1000;
  const per = results.flatMap((r) => r.per);
  const lags = results.flatMap((r) => r.lags);
  const byKind: Record<string, number> = {};
  for (const m of per) for (const [kind, v] of Object.entries(m.total.byKind)) byKind[kind] = (byKind[kind] ?? 0) + v;
  const submits = per.reduce((s, m) => s + m.submits, 0);
  const tasks = per.reduce((s, m) => s + m.tasks, 0);
  const row: Row = {
    clients: n,
    submits,
    tasks,
    seconds,
    reqPerSubmitCall: mean(per.flatMap((m) => m.submitReq)),
    reqPerNextTaskCall: mean(per.flatMap((m) => m.nextReq)),
    reqPerSyncCall: mean(per.flatMap((m) => m.syncReq)),
    reqPerSubmitAllIn: mean(per.map((m) => m.total.requests / Math.max(1, m.submits))),
    kbReadPerMin: mean(per.map((m) => m.total.bytesIn / 1024 / (seconds / 60))),
    lagP50: pct(lags, 50),
    lagP95: pct(lags, 95),
    lagSamples: lags.length,
    nextTaskP95: pct(
      per.flatMap((m) => m.nextMs),
      95,
    ),
    submitP95: pct(
      per.flatMap((m) => m.submitMs),
      95,
    ),
    totalReqPerS: per.reduce((s, m) => s + m.total.requests, 0) / seconds,
    submitsPerS: submits / seconds,
    leaseConflictsPerTask: per.reduce((s, m) => s + m.total.leaseConflicts, 0) / Math.max(1, tasks),
    byKindPerSubmit: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, +(v / Math.max(1, submits)).toFixed(2)])),
    load: load(),
  };
  await owner.close();
  return row;
}

async function throughput(clients: number): Promise<number> {
  const cname = `thru${clients}`;
  await service.getContainerClient(cname).create();
  const csas = containerSas(azurite!, cname);
  const r = await runLabelers({
    target: () => ({ containerUrl: `${azurite!.blobEndpoint}/${cname}`, sasToken: csas }),
    clients,
    items: THROUGHPUT_TASKS,
    leaseMs: 60_000,
    skewMs: 1_000,
    syncEvery: 50,
  });
  if (r.acknowledged.size !== THROUGHPUT_TASKS || new Set(r.finalStates).size !== 1) throw new Error('labelers did not converge');
  return (THROUGHPUT_TASKS / r.ms) * 1000;
}

if (isWorker) {
  // A worker: told its clients, it opens them and says so, then waits for the common start.
  process.once('message', (o: Parameters<typeof labelers>[0]) => {
    let go: (at: number) => void = () => undefined;
    const started = new Promise<number>((r) => (go = r));
    process.on('message', (m: { go?: number }) => m.go && go(m.go));
    labelers(o, async () => {
      process.send!({ ready: true });
      return started;
    }).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (err: unknown) => process.send!({ error: String((err as Error)?.stack ?? err) }, () => process.exit(1)),
    );
  });
} else {
  console.log(
    `Team benchmark on Azurite — ${cpus().length} CPUs, load ${load()}; think ${THINK_MIN / 1000}–${THINK_MAX / 1000} s, sync every ${SYNC_EVERY_MS / 1000} s, ${DURATION_MS / 1000} s per team size`,
  );
  const rows: Row[] = [];
  for (const [run, n] of SIZES.entries()) {
    const r = await team(n, run);
    rows.push(r);
    console.log(
      `${n} clients: ${r.submits} submits in ${r.seconds.toFixed(1)} s; req/submit ${r.reqPerSubmitCall.toFixed(1)}, req/nextTask ${r.reqPerNextTaskCall.toFixed(1)}, req/sync ${r.reqPerSyncCall.toFixed(1)}, all-in req/submit ${r.reqPerSubmitAllIn.toFixed(1)}; lag p50/p95 ${r.lagP50}/${r.lagP95} ms; load ${r.load}`,
    );
  }
  const skipThroughput = process.argv.includes('--no-throughput');
  const one = skipThroughput ? NaN : await throughput(1);
  const eight = skipThroughput ? NaN : await throughput(8);
  await azurite!.stop();

  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  console.log(`\nTeam on one shared project (Azurite, counting proxy) — load average ${load()} on ${cpus().length} CPUs (shared machine: expect ±40 %)`);
  console.table(
    rows.map((r) => ({
      clients: r.clients,
      'req/submit': f(r.reqPerSubmitCall),
      'req/nextTask': f(r.reqPerNextTaskCall),
      'req/sync': f(r.reqPerSyncCall),
      'all req/submit': f(r.reqPerSubmitAllIn),
      'KB read/min': f(r.kbReadPerMin, 0),
      'lag p50 ms': f(r.lagP50, 0),
      'lag p95 ms': f(r.lagP95, 0),
      'nextTask p95 ms': f(r.nextTaskP95, 0),
      'req/s total': f(r.totalReqPerS, 0),
      'submits/s': f(r.submitsPerS, 2),
      'lease conflicts/task': f(r.leaseConflictsPerTask, 3),
    })),
  );
  if (rows.length) {
    const flat = rows[rows.length - 1].reqPerSubmitAllIn / rows[0].reqPerSubmitAllIn;
    console.log(`all requests per submit, ${rows[rows.length - 1].clients} clients / ${rows[0].clients} client(s): ${flat.toFixed(2)}× (goal ≤ 1.5×)`);
  }
  console.log(
    `throughput without think time, ${THROUGHPUT_TASKS} tasks: 1 client ${one.toFixed(1)}/s, 8 clients ${eight.toFixed(1)}/s (${(eight / one).toFixed(2)}× one; goal ≥ 1×)`,
  );
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL(`./results/${out}.json`, import.meta.url),
    JSON.stringify(
      {
        thinkMs: [THINK_MIN, THINK_MAX],
        syncEveryMs: SYNC_EVERY_MS,
        durationMs: DURATION_MS,
        rows,
        throughput: { tasks: THROUGHPUT_TASKS, one, eight, ratio: eight / one },
        load: load(),
      },
      null,
      1,
    ) + '\n',
  );
}
