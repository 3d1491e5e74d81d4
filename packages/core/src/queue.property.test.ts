import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Project } from './project.js';
import { ProjectRegistry } from './registry.js';
import { MemoryStore } from './store/memory-store.js';
import type { Annotation } from './types.js';

type Action =
  | { kind: 'take'; who: number; size: 1 | 4 }
  | { kind: 'submit'; who: number; share: number }
  | { kind: 'skip'; who: number }
  | { kind: 'abandon'; who: number }
  | { kind: 'reload'; who: number }
  | { kind: 'wait'; ms: number };

const LABELERS = 3;
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('take' as const), who: fc.integer({ min: 0, max: LABELERS - 1 }), size: fc.constantFrom(1 as const, 4 as const) }) },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('submit' as const), who: fc.integer({ min: 0, max: LABELERS - 1 }), share: fc.double({ min: 0.1, max: 1, noNaN: true }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('skip' as const), who: fc.integer({ min: 0, max: LABELERS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abandon' as const), who: fc.integer({ min: 0, max: LABELERS - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reload' as const), who: fc.integer({ min: 0, max: LABELERS - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.constantFrom(60_000, 10 * 60_000, 20 * 60_000) }) },
);

describe('queue invariants under simulated labelers', () => {
  it('no item in two live leases, counts add up, no submitted label lost across reloads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 10, maxLength: 60 }), fc.integer({ min: 1, max: 2 ** 31 }), async (actions, seed) => {
        let t = 1_800_000_000_000;
        const now = () => t;
        const store = new MemoryStore();
        const registry = new ProjectRegistry(store);
        const owner = await registry.create(
          { name: 'sim', kind: 'image-classification-multilabel', labels: ['a', 'b', 'c'], seed },
          { actor: { id: 'owner', role: 'owner' }, now },
        );
        await owner.addItems(Array.from({ length: 23 }, (_, i) => ({ path: `i/${i}.jpg` })));
        const open = (who: number) => registry.open(owner.id, { actor: { id: `u${who}`, role: 'labeler' }, now, clientId: `u${who}` });
        const clients: Project[] = [];
        for (let w = 0; w < LABELERS; w++) clients.push(await open(w));
        const submitted = new Map<number, Annotation[]>();

        for (const a of actions) {
          if (a.kind === 'wait') {
            t += a.ms;
            continue;
          }
          const p = clients[a.who];
          await p.sync(); // a shared store: see what the others did
          const held = p.currentTask();
          switch (a.kind) {
            case 'take':
              await p.nextTask({ size: a.size });
              break;
            case 'submit': {
              if (!held) break;
              const n = Math.max(1, Math.round(held.items.length * a.share));
              const results = held.items.slice(0, n).map((x) => ({ item: x.index, annotations: [{ kind: 'class' as const, label: ['a', 'b', 'c'][x.index % 3] }] }));
              await p.submit(held.id, results);
              for (const r of results) submitted.set(r.item, r.annotations);
              break;
            }
            case 'skip':
              if (held) await p.skip(held.id);
              break;
            case 'abandon':
              if (held) await p.release(held.id);
              break;
            case 'reload':
              clients[a.who] = await open(a.who);
              break;
          }
          // Invariant 1: across every client's view, no item is in two live leases.
          for (const c of clients) await c.sync();
          const held2 = clients.map((c) => c.currentTask()).filter((x) => x !== undefined);
          const leased = held2.flatMap((x) => x.items.map((i) => i.index));
          expect(new Set(leased).size).toBe(leased.length);
          // Invariant 2: counts add up.
          const s = clients[0].stats();
          expect(Object.values(s.counts).reduce((x, y) => x + y, 0)).toBe(s.total);
          expect(s.lanes.manual + s.lanes.clustered + s.lanes.prelabeled).toBe(s.counts.todo);
        }
        // Invariant 3: every submitted label is there after a reload from the store.
        const fresh = await registry.open(owner.id, { actor: { id: 'auditor', role: 'owner' }, now });
        for (const [item, anns] of submitted) {
          expect(fresh.item(item).state).toBe('labeled');
          expect(fresh.item(item).annotations).toEqual(anns);
        }
        expect(fresh.stats().counts.labeled).toBe(submitted.size);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
