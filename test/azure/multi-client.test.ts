// 2 and 8 concurrent labeler clients × 1,000 tasks and 32 × 640 on one project in Azurite, each a
// real Project with its own clientId and its own AzureBlobStore: zero items held by two live leases,
// zero lost submissions, identical final state on every client (and on a fresh open). The 2-client
// run goes through the fault-injecting proxy; the 32-client run through the counting proxy, which
// shows that following the team reads the shared tail, not every client's segments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project } from '@labelkit/core';
import { AzureBlobStore } from '@labelkit/core/azure';
import { CountingProxy } from './counting-proxy.js';
import { azureTestEnv, type AzureTestEnv } from './setup.js';
import { itemsDigest, overlappingLeases, runLabelers, type RunResult } from './labelers.js';

let env: AzureTestEnv;
beforeAll(async () => {
  // Thousands of segments and lease documents: Azurite's per-request scan of every blob would make
  // this a test of the emulator (azurite-lookup-patch.cjs keeps its behaviour, indexes its lookups).
  env = await azureTestEnv({ fastLookups: true });
});
afterAll(async () => {
  await env?.stop();
});

function checkRun(r: RunResult, items: number) {
  // Every item labeled exactly once as acknowledged, and everywhere the same.
  expect(r.duplicateAcks).toBe(0);
  expect(r.acknowledged.size).toBe(items);
  const final = r.clients[0];
  for (const [item, ack] of r.acknowledged) {
    const v = final.item(item);
    expect(v.state).toBe('labeled');
    expect(v.labeledBy).toBe(ack.by);
    expect(v.annotations).toEqual([{ kind: 'class', label: ack.label }]);
  }
  expect(new Set(r.finalStates).size).toBe(1);
  expect(final.stats().counts.labeled).toBe(items);
  // No item was ever held by two live leases.
  expect(r.leaseEvents.filter((e) => e.type === 'granted').length).toBeGreaterThanOrEqual(items);
  expect(overlappingLeases(r.leaseEvents)).toEqual([]);
}

describe('concurrent labelers on a shared Azure Blob project', () => {
  it('2 clients × 1,000 tasks through a proxy injecting faults; abandoned and late leases expire back', async () => {
    const c = await env.container('team2');
    const proxy = await env.proxy();
    proxy.setPlan({
      rate: 0.04,
      seed: 21,
      slowMs: 40,
      holdMs: 600,
      weights: { slow: 2, '503-before': 2, '429-before': 1, 'drop-before': 1, '503-after': 2, 'drop-after': 2, 'timeout-after': 1, 'timeout-before': 1 },
    });
    const r = await runLabelers({
      target: () => ({ containerUrl: c.proxiedUrl(proxy), sasToken: c.sas, retry: { baseDelayMs: 5, maxDelayMs: 100, tryTimeoutMs: 250, maxAttempts: 12 } }),
      clients: 2,
      items: 1000,
      leaseMs: 2_500,
      skewMs: 200,
      abandoned: 5,
      lateEvery: 200,
      syncEvery: 50,
      snapshotEvery: 400,
    });
    proxy.setPlan({ rate: 0 });
    checkRun(r, 1000);
    expect(proxy.faults).toBeGreaterThan(100);
    // Ghosts' and late leases were taken over after expiry.
    expect(r.leaseEvents.some((e) => e.type === 'granted' && e.takeover)).toBe(true);
    // A fresh client opening from the published snapshot head sees the same state.
    const fresh = await Project.load(new AzureBlobStore({ containerUrl: c.url, sasToken: c.sas }), r.projectId, {
      actor: { id: 'auditor', role: 'owner' },
      shared: true,
    });
    expect(fresh.openReport.fromSnapshot).toBe(true);
    expect(itemsDigest(fresh)).toBe(r.finalStates[0]);
    console.log(`2 clients: ${r.ms.toFixed(0)} ms, ${proxy.faults} faults injected, ${r.leaseExpiredRefusals} late submissions refused`);
  }, 300_000);

  it('8 clients × 1,000 tasks', async () => {
    const c = await env.container('team8');
    const r = await runLabelers({
      target: () => ({ containerUrl: c.url, sasToken: c.sas, retry: { tryTimeoutMs: 5_000, maxAttempts: 10 } }),
      clients: 8,
      items: 1000,
      leaseMs: 3_000,
      skewMs: 200,
      abandoned: 3,
      syncEvery: 50,
    });
    checkRun(r, 1000);
    const fresh = await Project.load(new AzureBlobStore({ connectionString: env.azurite.connectionString, containerName: c.name }), r.projectId, {
      actor: { id: 'auditor', role: 'owner' },
    });
    expect(itemsDigest(fresh)).toBe(r.finalStates[0]);
    console.log(`8 clients: ${r.ms.toFixed(0)} ms, ${(1000 / (r.ms / 1000)).toFixed(0)} submissions/s`);
  }, 300_000);

  it('32 clients × 640 tasks: each follows the team through the shared tail', async () => {
    const c = await env.container('team32');
    const counter = new CountingProxy(env.azurite.host, env.azurite.port);
    const names = ['owner', 'ghost0', 'ghost1', ...Array.from({ length: 32 }, (_, k) => `c${k}`)];
    const endpoints = new Map<string, string>();
    for (const n of names) endpoints.set(n, await counter.endpointFor(n));
    try {
      const r = await runLabelers({
        target: (k) => ({ containerUrl: `${endpoints.get(k)}/${c.name}`, sasToken: c.sas, retry: { tryTimeoutMs: 10_000, maxAttempts: 10 } }),
        clients: 32,
        items: 640,
        leaseMs: 4_000,
        skewMs: 200,
        abandoned: 2,
        syncEvery: 5,
      });
      checkRun(r, 640);
      const fresh = await Project.load(new AzureBlobStore({ connectionString: env.azurite.connectionString, containerName: c.name }), r.projectId, {
        actor: { id: 'auditor', role: 'owner' },
      });
      expect(itemsDigest(fresh)).toBe(r.finalStates[0]);
      // Following reads the tail, not each segment: every labeler read the tail, and the labelers'
      // segment reads together (opening, one question to each client when a client starts
      // following, the sweep of quiet clients, takeovers) stay under 4× the segments written —
      // following by asking each client, every segment was read by each of the 31 others (31×).
      const labelers = names.filter((n) => n.startsWith('c'));
      const journalReads = labelers.reduce((s, n) => s + counter.counts.get(n)!.readsByKind.journal, 0);
      const segments = names.reduce((s, n) => s + counter.counts.get(n)!.byKind.journal - counter.counts.get(n)!.readsByKind.journal, 0);
      expect(Math.min(...labelers.map((n) => counter.counts.get(n)!.readsByKind.tail))).toBeGreaterThan(0);
      expect(journalReads).toBeLessThan(segments * 4);
      const total = labelers.reduce((s, n) => s + counter.counts.get(n)!.requests, 0);
      console.log(
        `32 clients: ${r.ms.toFixed(0)} ms, ${(640 / (r.ms / 1000)).toFixed(0)} submissions/s, ${(total / 640).toFixed(1)} requests per submission (all clients), ${journalReads} segment reads for ${segments} segments written`,
      );
    } finally {
      await counter.stop();
    }
  }, 600_000);
});
