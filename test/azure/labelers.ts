// Concurrent labeler clients on one shared Azure Blob project, for the multi-client tests and the
// benchmark. Each client is a real `Project` (its own clientId, its own AzureBlobStore) opened with
// `shared`, labeling until every item is labeled. Lease grants and ends are logged on one clock so
// the test can prove no item was ever held by two live leases.
import { AzureBlobStore, type AzureBlobStoreOptions } from '@labelkit/core/azure';
import { LabelkitError, Project, ProjectRegistry, type ItemView } from '@labelkit/core';
import type { LeaseEvent } from '../../packages/core/src/shared/lease-board.js';

export interface RunOptions {
  readonly target: (client: string) => AzureBlobStoreOptions;
  readonly clients: number;
  readonly items: number;
  readonly leaseMs: number;
  readonly skewMs: number;
  /** Tasks a "ghost" client takes and abandons (a closed tab): they must expire back into the queue. */
  readonly abandoned?: number;
  /** Every n-th task of client 0 is submitted only after its lease ran out. */
  readonly lateEvery?: number;
  /** Each client syncs every n tasks. */
  readonly syncEvery?: number;
  readonly snapshotEvery?: number;
  readonly deadlineMs?: number;
}

export interface RunResult {
  readonly projectId: string;
  readonly ms: number;
  readonly acknowledged: Map<number, { by: string; label: string }>;
  readonly duplicateAcks: number;
  readonly leaseExpiredRefusals: number;
  readonly leaseEvents: (LeaseEvent & { client: string })[];
  readonly finalStates: string[];
  readonly clients: Project[];
  readonly owner: Project;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function itemsDigest(p: Project): string {
  const rows = [...p.items()].map((v: ItemView) => [v.index, v.path, v.state, v.labeledBy ?? null, JSON.stringify(v.annotations)]);
  const stats = p.stats();
  return JSON.stringify({ rows, counts: stats.counts, labels: stats.labelDistribution });
}

export async function runLabelers(o: RunOptions): Promise<RunResult> {
  const leaseEvents: (LeaseEvent & { client: string })[] = [];
  const shared = (client: string) => ({ skewMs: o.skewMs, onEvent: (e: LeaseEvent) => leaseEvents.push({ ...e, client }) });
  const ownerStore = new AzureBlobStore(o.target('owner'));
  const owner = await new ProjectRegistry(ownerStore).create(
    { name: `team ${Date.now()} ${Math.random()}`, kind: 'image-classification-multiclass', labels: ['cat', 'dog'], queue: { leaseMs: o.leaseMs }, seed: 42 },
    { actor: { id: 'owner', role: 'owner' }, clientId: 'owner', shared: shared('owner'), snapshotEvery: 0 },
  );
  await owner.addItems(Array.from({ length: o.items }, (_, i) => ({ path: `img/${String(i).padStart(6, '0')}.jpg`, size: 1000 + i, etag: `"e${i}"` })));
  const open = (k: string, role: 'labeler' | 'owner' = 'labeler') =>
    Project.load(new AzureBlobStore(o.target(k)), owner.id, { actor: { id: `user-${k}`, role }, clientId: k, shared: shared(k), snapshotEvery: o.snapshotEvery ?? 0 });

  // Ghosts take a task each and never come back (a closed tab): those leases must expire back into the queue.
  for (let i = 0; i < (o.abandoned ?? 0); i++) await (await open(`ghost${i}`)).nextTask({ size: 1 });
  const clients = await Promise.all(Array.from({ length: o.clients }, (_, k) => open(`c${k}`)));
  const acknowledged = new Map<number, { by: string; label: string }>();
  let duplicateAcks = 0;
  let leaseExpiredRefusals = 0;
  const t0 = performance.now();
  const deadline = Date.now() + (o.deadlineMs ?? 240_000);

  await Promise.all(
    clients.map(async (p, k) => {
      let done = 0;
      const label = k % 2 ? 'cat' : 'dog';
      for (;;) {
        if (Date.now() > deadline) throw new Error(`client ${k} did not finish in time (${p.stats().counts.labeled} labeled)`);
        const task = await p.nextTask({ size: 1 });
        if (!task) {
          await p.sync();
          const c = p.stats().counts;
          if (c.todo + c.assigned === 0) return;
          await sleep(150);
          continue;
        }
        const late = o.lateEvery && k === 0 && done % o.lateEvery === o.lateEvery - 1;
        if (late) await sleep(o.leaseMs + 2 * o.skewMs + 50);
        try {
          await p.submit(
            task.id,
            task.items.map((it) => ({ item: it.index, annotations: [{ kind: 'class' as const, label }] })),
          );
          for (const it of task.items) {
            if (acknowledged.has(it.index)) duplicateAcks++;
            acknowledged.set(it.index, { by: `user-c${k}`, label });
          }
        } catch (err) {
          if (!LabelkitError.is(err, 'E_LEASE_EXPIRED') && !LabelkitError.is(err, 'E_CONFLICT')) throw err;
          leaseExpiredRefusals++;
        }
        if (++done % (o.syncEvery ?? 10) === 0) await p.sync();
      }
    }),
  );
  const ms = performance.now() - t0;
  for (const p of [...clients, owner]) await p.sync();
  const finalStates = [...clients, owner].map(itemsDigest);
  return { projectId: owner.id, ms, acknowledged, duplicateAcks, leaseExpiredRefusals, leaseEvents, finalStates, clients, owner };
}

/** Every pair of lease grants of one item whose live times overlap, on the one clock of this process. */
export function overlappingLeases(events: readonly (LeaseEvent & { client: string })[]): string[] {
  type Span = { token: string; client: string; from: number; to: number };
  const spans = new Map<string, Map<string, Span>>();
  for (const e of events) {
    const byToken = spans.get(e.unit) ?? new Map<string, Span>();
    spans.set(e.unit, byToken);
    if (e.type === 'granted') byToken.set(e.token, { token: e.token, client: e.client, from: e.at, to: e.trustedUntil });
    const s = byToken.get(e.token);
    if (!s) continue;
    if (e.type === 'renewed') s.to = Math.max(s.to, e.trustedUntil);
    if (e.type === 'ending' || e.type === 'lost') s.to = Math.min(s.to, e.at);
  }
  const bad: string[] = [];
  for (const [unit, byToken] of spans) {
    const list = [...byToken.values()].sort((a, b) => a.from - b.from);
    for (let i = 1; i < list.length; i++) {
      for (let j = 0; j < i; j++) {
        if (list[j].to > list[i].from) bad.push(`item ${unit}: ${list[j].client} until ${list[j].to} and ${list[i].client} from ${list[i].from}`);
      }
    }
  }
  return bad;
}
