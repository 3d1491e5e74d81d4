// Three labelers race for one item in consensus 2: the third answer arrives after the item is
// decided. No labeled work is dropped: it lands among the item's answers (marked late), in the
// labeler's stats and in exports with answers; a dissent sends an agreed label to review, its label
// kept. Runs on the memory store (packages/core/src/team/team.test.ts) and on Azurite
// (test/azure/team.test.ts); returns checks for the caller's own framework, as team-scenarios.ts does.
import { Project, ProjectRegistry, type Annotation, type Store } from '@labelkit/core';
import { collectBytes, exportJsonl } from '@labelkit/core/export';
import type { Check } from './team-scenarios.js';

const tag = (label: string): Annotation[] => [{ kind: 'class', label }];

export async function lateAnswerScenario(store: Store, name: string): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (what: string, actual: unknown, expected: unknown) => checks.push({ what, actual, expected });
  const owner = await new ProjectRegistry(store).create(
    { name, kind: 'image-classification-multiclass', labels: ['cat', 'dog'], queue: { consensus: { labelers: 2, agreement: 'majority' } } },
    { actor: { id: 'olga', role: 'owner' }, clientId: 'owner', shared: true },
  );
  await owner.addItems([{ path: 'race.png' }, { path: 'race-2.png' }, { path: 'race-3.png' }, { path: 'skip.png' }]);
  const [cat, dog] = owner.labels.map((l) => l.id);
  const open = (user: string) => Project.load(store, owner.id, { actor: { id: user, role: 'labeler' }, clientId: user, shared: true });
  const ana = await open('ana');
  const ben = await open('ben');
  const cy = await open('cy');
  // All three take a task before anyone answers: each holds the same items.
  const tasks = await Promise.all([ana, ben, cy].map((p) => p.nextTask({ size: 4 })));
  check(
    'all three labelers hold the four items',
    tasks.map((t) => t?.items.map((i) => i.path).sort()),
    [0, 1, 2].map(() => ['race-2.png', 'race-3.png', 'race.png', 'skip.png']),
  );
  const idx = (path: string) => ['race.png', 'race-2.png', 'race-3.png', 'skip.png'].indexOf(path);
  const itemOf = (p: Project, i: number) => ({ state: p.item(i).state, annotations: p.item(i).annotations });
  const answer = (p: Project, i: number, path: string, label: string) => p.submit(tasks[i]!.id, [{ item: idx(path), annotations: tag(label) }]);
  await answer(ana, 0, 'race.png', cat);
  await answer(ben, 1, 'race.png', cat);
  // cy has not synced: its answer passes its own checks and lands after the decision in the journal.
  await answer(cy, 2, 'race.png', dog);
  // cy syncs first: the item is decided in its own state, and the answer is still taken.
  await answer(ana, 0, 'race-2.png', dog);
  await answer(ben, 1, 'race-2.png', dog);
  await cy.sync();
  await answer(cy, 2, 'race-2.png', dog);
  // race-3: the two first answers disagree; the late third is there for the reviewer to use.
  await answer(ana, 0, 'race-3.png', cat);
  await answer(ben, 1, 'race-3.png', dog);
  await cy.sync();
  await answer(cy, 2, 'race-3.png', dog);

  // skip.png: two skips make it skipped; labels that come after bring it back for one more answer.
  await ana.skip(tasks[0]!.id, [idx('skip.png')]);
  await ben.skip(tasks[1]!.id, [idx('skip.png')]);
  await cy.sync();
  await answer(cy, 2, 'skip.png', cat);

  await owner.sync();
  check(
    'labels after two skips reopen the item, the answer kept',
    { state: owner.item(idx('skip.png')).state, answers: owner.consensusOf(idx('skip.png'))!.answers.map((a) => [a.by, !!a.skipped]) },
    {
      state: 'todo',
      answers: [
        ['ana', true],
        ['ben', true],
        ['cy', false],
      ],
    },
  );
  const race = owner.consensusOf(idx('race.png'))!;
  check(
    'a late dissent is kept among the answers',
    race.answers.map((a) => ({ by: a.by, agrees: a.agrees, late: !!a.late })),
    [
      { by: 'ana', agrees: true, late: false },
      { by: 'ben', agrees: true, late: false },
      { by: 'cy', agrees: false, late: true },
    ],
  );
  check('a late dissent sends the agreed item to review, its label kept', itemOf(owner, idx('race.png')), expectItem('needs-review', cat));
  check('it is listed as a disagreement', owner.disagreements(), [idx('race.png'), idx('race-3.png')]);
  check(
    'a late answer that agrees lands without a review',
    { state: owner.item(idx('race-2.png')).state, late: owner.consensusOf(idx('race-2.png'))!.answers.map((a) => [a.by, a.agrees, !!a.late]) },
    {
      state: 'labeled',
      late: [
        ['ana', true, false],
        ['ben', true, false],
        ['cy', true, true],
      ],
    },
  );
  check(
    'a late answer on a disagreement is there to choose',
    owner.consensusOf(idx('race-3.png'))!.answers.map((a) => a.by),
    ['ana', 'ben', 'cy'],
  );
  const cyStats = owner.labelerStats().find((s) => s.labeler === 'cy');
  check('the late labeler’s work is counted', { items: cyStats?.items, decided: cyStats?.decided, agreed: cyStats?.agreed }, { items: 4, decided: 2, agreed: 1 });
  const lines = new TextDecoder()
    .decode(await collectBytes(exportJsonl(owner, { answers: true })))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { image_url: string; labeler_answers?: { labeler: string }[] });
  check(
    'an export with answers carries the late answer',
    lines.filter((l) => l.image_url.endsWith('race-2.png')).map((l) => l.labeler_answers?.map((a) => a.labeler)),
    [['ana', 'ben', 'cy']],
  );

  // Approving keeps the agreed label; resolving the other picks cy's answer. Counts stay single.
  await owner.approve([idx('race.png')]);
  await owner.resolveConsensus([{ item: idx('race-3.png'), annotations: tag(dog) }]);
  check('approved: labeled with the agreed label', itemOf(owner, idx('race.png')), expectItem('labeled', cat));
  check('approved: the consensus is resolved', owner.consensusOf(idx('race.png'))!.status, 'resolved');
  const after = Object.fromEntries(owner.labelerStats().map((s) => [s.labeler, [s.decided, s.agreed]]));
  check('each decided answer is counted once', after, { ana: [3, 2], ben: [3, 3], cy: [3, 2] });
  for (const p of [owner, ana, ben, cy]) await p.close();
  return checks;
}

function expectItem(state: string, label: string) {
  return { state, annotations: [{ kind: 'class', label }] };
}
