// Lifecycle and consensus on the memory store (shared: several clients on one store). The same
// scenarios run on Azurite (test/azure/team.test.ts) and on IndexedDB in Chromium (team.browser.test.ts).
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { consensusScenario, lifecycleScenario } from '../../../../test/team-scenarios.js';

describe('team scenarios on the memory store', () => {
  it('stop, start and archive, seen by a second client', async () => {
    for (const c of await lifecycleScenario(new MemoryStore(), 'life')) expect(c.actual, c.what).toEqual(c.expected);
  });
  it('consensus with three labelers: agree, disagree, a skip, a lease expiry', async () => {
    for (const c of await consensusScenario(new MemoryStore(), 'cons')) expect(c.actual, c.what).toEqual(c.expected);
  });
});
