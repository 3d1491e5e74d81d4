// The team scenarios on Azurite: stop/start/archive seen by a second client, and consensus with
// three labelers (a lease per item and labeler on the board), each client its own AzureBlobStore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobStore } from '@labelkit/core/azure';
import { consensusScenario, lifecycleScenario } from '../team-scenarios.js';
import { lateAnswerScenario } from '../late-answer-scenario.js';
import { azureTestEnv, type AzureTestEnv } from './setup.js';

let env: AzureTestEnv;
beforeAll(async () => {
  env = await azureTestEnv();
});
afterAll(async () => {
  await env?.stop();
});

describe('team scenarios on Azure Blob (Azurite)', () => {
  it('stop, start and archive, seen by a second client after its sync', async () => {
    const c = await env.container();
    const store = new AzureBlobStore({ connectionString: env.azurite.connectionString, containerName: c.name });
    for (const check of await lifecycleScenario(store, 'life')) expect(check.actual, check.what).toEqual(check.expected);
  });

  it('consensus with three labelers: agree, disagree, a skip, a lease expiry', async () => {
    const c = await env.container();
    const store = new AzureBlobStore({ connectionString: env.azurite.connectionString, containerName: c.name });
    for (const check of await consensusScenario(store, 'cons')) expect(check.actual, check.what).toEqual(check.expected);
    // One lease per item and labeler on the board.
    const units: string[] = [];
    for await (const e of store.list('projects/')) if (e.key.includes('/leases/')) units.push(e.key.slice(e.key.lastIndexOf('/') + 1));
    expect(units.filter((u) => u.includes('~')).length).toBeGreaterThanOrEqual(12);
    expect(units.every((u) => /^\d+~[a-z]+$/.test(u))).toBe(true);
  });

  it('three labelers race for one item: the late answer is kept, a dissent goes to review', async () => {
    const c = await env.container();
    // The owner and three labelers, each a shared client with a lease of their own on the board.
    const store = new AzureBlobStore({ connectionString: env.azurite.connectionString, containerName: c.name });
    for (const check of await lateAnswerScenario(store, 'race')) expect(check.actual, check.what).toEqual(check.expected);
  });
});
