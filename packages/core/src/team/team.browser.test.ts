// The team scenarios on IndexedDB in Chromium (several clients on one IndexedDBStore, as tabs or a
// team sharing one browser profile would be): stop/start/archive and consensus with three labelers.
import { expect } from '@esm-bundle/chai';
import { IndexedDBStore } from '@labelkit/core';
import { consensusScenario, lifecycleScenario } from '../../../../test/team-scenarios.js';

const fresh = () => new IndexedDBStore(`labelkit-team-${Math.random().toString(36).slice(2)}`);

describe('team scenarios on IndexedDB', () => {
  it('stop, start and archive, seen by a second client', async () => {
    for (const c of await lifecycleScenario(fresh(), 'life')) expect(c.actual, c.what).to.deep.equal(c.expected);
  });
  it('consensus with three labelers: agree, disagree, a skip, a lease expiry', async () => {
    for (const c of await consensusScenario(fresh(), 'cons')) expect(c.actual, c.what).to.deep.equal(c.expected);
  });
});
