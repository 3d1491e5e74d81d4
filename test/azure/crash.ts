// The crash harness: labeler processes on one shared Azurite project killed (SIGKILL) inside a call,
// between two of its writes, with a survivor that labels on. Per trial it checks that no item was
// labeled twice, that no confirmed submission was lost, and that the survivor's live view equals a
// fresh open. Used by crash.test.ts (10 trials in `npm test`) and `npm run test:crash` (50 trials).
import { spawn } from 'node:child_process';
import { LabelkitError, mulberry32, Project, ProjectRegistry, type Store } from '@labelkit/core';
import { AzureBlobStore } from '@labelkit/core/azure';
import type { JournalEvent } from '../../packages/core/src/journal/events.js';
import { decodeSegment } from '../../packages/core/src/journal/codec.js';
import { itemsDigest } from './labelers.js';
import type { VictimPlan } from './crash-victim.js';
import type { AzureTestEnv } from './setup.js';
import { bundleScript } from '../crash/bundle.js';

const LEASE_MS = 1_000;
const OPS = ['submit', 'nextTask', 'skip', 'renewLease'] as const;

export interface TrialOutcome {
  readonly trial: number;
  readonly plan: Omit<VictimPlan, 'containerUrl' | 'sasToken' | 'projectId'>;
  readonly killed: boolean;
  /** Killed from outside (a random moment in a call) rather than at a chosen write. */
  readonly external: boolean;
  readonly acked: number;
  readonly labeledTwice: number[];
  readonly lostConfirmed: number[];
  readonly liveEqualsFresh: boolean;
  readonly unfinished: number;
}

/** The victim script bundled once (our sources via the `source` condition; packages stay external). */
const bundleVictim = () => bundleScript(new URL('./crash-victim.ts', import.meta.url), 'victim');

interface VictimRun {
  readonly acks: { ack: 'submit' | 'skip'; items: number[]; label?: string }[];
  readonly killed: boolean;
}

/**
 * Runs one victim. `outside` kills it from outside `afterMs` after it starts that op on that task
 * (the 0–25 ms window in which a submit's writes are in flight).
 */
async function runVictim(plan: VictimPlan, outside?: { op: string; task: number; afterMs: number }): Promise<VictimRun> {
  const file = await bundleVictim();
  const child = spawn(process.execPath, [file, JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: VictimRun['acks'] = [];
  let err = '';
  let buf = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as { ack?: 'submit' | 'skip'; items?: number[]; label?: string; start?: string; task?: number };
      buf = buf.slice(nl + 1);
      if (line.ack) acks.push({ ack: line.ack, items: line.items!, label: line.label });
      if (outside && line.start === outside.op && line.task === outside.task) setTimeout(() => child.kill('SIGKILL'), outside.afterMs);
    }
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (c, s) => resolve({ code: c, signal: s })));
  if (signal !== 'SIGKILL' && code !== 0) throw new Error(`victim failed (exit ${code}): ${err.slice(-2000)}`);
  return { acks, killed: signal === 'SIGKILL' };
}

/** Every labels.submitted / items.skipped per item, over the whole journal (all clients). */
async function finishedCounts(store: Store, projectId: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for await (const e of store.list(`projects/${projectId}/journal/`)) {
    const obj = await store.get(e.key);
    if (!obj) continue;
    for (const ev of decodeSegment(obj.bytes).events as JournalEvent[]) {
      if (ev.type === 'labels.submitted' || ev.type === 'items.skipped') for (const i of ev.items) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * Labels everything `p` is handed, without ever syncing on purpose: its view of the dead client's
 * work is as stale as a labeler's between two syncs, so only what the lease takeover itself reads
 * can keep it from labeling an item twice. Stops once nothing was handed out for `quietMs` (longer
 * than a dead lease takes to run out).
 */
async function labelRest(p: Project, label: string, quietMs: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let quietSince = Date.now();
  for (;;) {
    if (Date.now() > deadline) throw new Error(`the survivor did not finish: ${JSON.stringify(p.stats().counts)}`);
    const t = await p.nextTask({ size: 1 });
    if (!t) {
      if (Date.now() - quietSince > quietMs) return;
      await new Promise((r) => setTimeout(r, 50)); // polling the queue, as a labeler's next click would
      continue;
    }
    quietSince = Date.now();
    try {
      await p.submit(
        t.id,
        t.items.map((it) => ({ item: it.index, annotations: [{ kind: 'class' as const, label }] })),
      );
    } catch (err) {
      if (!LabelkitError.is(err, 'E_LEASE_EXPIRED') && !LabelkitError.is(err, 'E_CONFLICT')) throw err;
    }
  }
}

export async function runCrashTrials(env: AzureTestEnv, options: { trials: number; seed?: number; items?: number; log?: (s: string) => void }): Promise<TrialOutcome[]> {
  const rand = mulberry32(options.seed ?? 7);
  const c = await env.container('crash');
  const target = { containerUrl: c.url, sasToken: c.sas };
  const ownerStore = new AzureBlobStore(target);
  const registry = new ProjectRegistry(ownerStore);
  const outcomes: TrialOutcome[] = [];
  for (let trial = 0; trial < options.trials; trial++) {
    const owner = await registry.create(
      { name: `crash ${trial} ${Date.now()}`, kind: 'image-classification-multiclass', labels: ['cat', 'dog'], queue: { leaseMs: LEASE_MS }, seed: trial },
      { actor: { id: 'owner', role: 'owner' }, clientId: `owner${trial}`, shared: true, snapshotEvery: 0 },
    );
    await owner.addItems(Array.from({ length: options.items ?? 8 }, (_, i) => ({ path: `img/${i}.jpg`, size: 100 + i })));
    const external = trial % 5 === 4; // every fifth trial: killed from outside at a random moment
    const killOp = external ? 'none' : OPS[trial % OPS.length]!;
    // skip runs on tasks 2, 5, …; submit on the others; nextTask and renewLease on any.
    const armedTask = killOp === 'skip' ? 2 : killOp === 'submit' ? Math.floor(rand() * 2) : Math.floor(rand() * 3);
    // Sameness of user: half the trials the survivor is the victim's own user in another client (a second tab).
    const sameUser = trial % 2 === 1;
    const plan: VictimPlan = {
      ...target,
      projectId: owner.id,
      clientId: `victim${trial}`,
      user: 'user-v',
      killOp,
      armedTask,
      // Every op writes twice (nextTask: lease claim, task.assigned; submit/skip: journal, done mark;
      // renewLease: lease, task.renewed): dying before or after either write covers every window.
      killAt: 1 + Math.floor(rand() * 2),
      killPhase: rand() < 0.5 ? 'before' : 'after',
      tasks: 5,
    };
    const outside = external ? { op: OPS[Math.floor(rand() * OPS.length)]!, task: 1, afterMs: Math.floor(rand() * 26) } : undefined;
    // The survivor is open while the victim works (its view goes stale), and labels on once it died.
    const survivor = await Project.load(new AzureBlobStore(target), owner.id, {
      actor: { id: sameUser ? 'user-v' : 'user-s', role: 'labeler' },
      clientId: `survivor${trial}`,
      shared: true,
      snapshotEvery: 0,
    });
    const run = await runVictim(plan, outside);
    await labelRest(survivor, 'dog', LEASE_MS * 2 + 500);
    await survivor.sync();
    const fresh = await Project.load(new AzureBlobStore(target), owner.id, { actor: { id: 'auditor', role: 'owner' }, clientId: `auditor${trial}`, shared: true });
    const counts = await finishedCounts(ownerStore, owner.id);
    const lostConfirmed: number[] = [];
    for (const a of run.acks) {
      for (const i of a.items) {
        const v = fresh.item(i);
        const kept = a.ack === 'skip' ? v.state === 'skipped' : v.state === 'labeled' && v.labeledBy === 'user-v' && v.annotations[0]?.label === a.label;
        if (!kept) lostConfirmed.push(i);
      }
    }
    const { containerUrl: _u, sasToken: _s, projectId: _p, ...shown } = plan;
    const outcome: TrialOutcome = {
      trial,
      plan: shown,
      killed: run.killed,
      external,
      acked: run.acks.reduce((n, a) => n + a.items.length, 0),
      labeledTwice: [...counts].filter(([, n]) => n > 1).map(([i]) => i),
      lostConfirmed,
      liveEqualsFresh: itemsDigest(survivor) === itemsDigest(fresh),
      unfinished: fresh.stats().counts.todo + fresh.stats().counts.assigned,
    };
    options.log?.(JSON.stringify(outcome));
    outcomes.push(outcome);
    for (const p of [owner, survivor, fresh]) p.close();
  }
  return outcomes;
}
