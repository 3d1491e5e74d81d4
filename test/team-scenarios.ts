// Team scenarios run on every store (memory and Azurite in Node, IndexedDB in Chromium): a project
// stopped, started and archived by its owner and seen by a second client, and consensus labeling
// with three simulated labelers. Each returns checks `{ what, actual, expected }` that the calling
// test asserts with its own framework (vitest or chai), so the scenario is written once.
import { LabelkitError, Project, ProjectRegistry, type Annotation, type Store } from '@labelkit/core';
import { collectBytes, exportJsonl } from '@labelkit/core/export';

export interface Check {
  readonly what: string;
  readonly actual: unknown;
  readonly expected: unknown;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return LabelkitError.is(err) ? err.code : String(err);
  }
}

const tag = (label: string): Annotation[] => [{ kind: 'class', label }];

/** Stop, start and archive, seen by a second client after its next sync. */
export async function lifecycleScenario(store: Store, name: string): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (what: string, actual: unknown, expected: unknown) => checks.push({ what, actual, expected });
  const registry = new ProjectRegistry(store);
  const owner = await registry.create(
    { name, kind: 'image-classification-multiclass', labels: ['cat', 'dog'] },
    { actor: { id: 'olga', role: 'owner' }, clientId: 'owner', shared: true },
  );
  await owner.addItems(Array.from({ length: 6 }, (_, i) => ({ path: `img/${i}.png` })));
  const lee = await Project.load(store, owner.id, { actor: { id: 'lee', role: 'labeler' }, clientId: 'lee', shared: true });
  const held = await lee.nextTask();
  check('a labeler cannot stop the project', await codeOf(lee.stop('no')), 'E_FORBIDDEN');

  await owner.stop('budget review');
  check('the owner sees it stopped', owner.status.state, 'stopped');
  await lee.sync();
  check(
    'the labeler sees it stopped after a sync',
    { state: lee.status.state, reason: lee.status.reason, by: lee.status.by },
    { state: 'stopped', reason: 'budget review', by: 'olga' },
  );
  // The lease in flight can still be submitted; no new task is handed out.
  await lee.submit(held!.id, [{ item: held!.items[0].index, annotations: tag('cat') }]);
  check('a task held before the stop is submitted', lee.stats().counts.labeled, 1);
  check('no new task while stopped', await codeOf(lee.nextTask()), 'E_PROJECT_STOPPED');
  check('peekNext is empty while stopped', lee.peekNext().length, 0);

  await owner.start();
  await lee.sync();
  check('started again: tasks are handed out', (await lee.nextTask())?.items.length, 1);

  await owner.archive('done');
  await lee.sync();
  check('archived: read-only for everyone', await codeOf(lee.nextTask()), 'E_PROJECT_ARCHIVED');
  check('archived: the owner cannot label settings either', await codeOf(owner.editInstructions('x')), 'E_PROJECT_ARCHIVED');
  const exported = new TextDecoder().decode(await collectBytes(exportJsonl(owner)));
  check('archived: still exportable', exported.trim().split('\n').length, 1);
  check(
    'archived: the name stays taken',
    await codeOf(registry.create({ name, kind: 'image-classification-multiclass', labels: ['x', 'y'] }, { actor: { id: 'olga', role: 'owner' } })),
    'E_NAME_TAKEN',
  );
  // A fresh client (from the snapshot, then the journal) sees the same status.
  await owner.snapshot();
  const fresh = await Project.load(store, owner.id, { actor: { id: 'kim', role: 'owner' }, clientId: 'fresh', shared: true });
  check('a fresh open sees it archived', { state: fresh.status.state, reason: fresh.status.reason }, { state: 'archived', reason: 'done' });
  await owner.start();
  check('the owner can start it out of the archive', owner.status.state, 'active');
  for (const p of [owner, lee, fresh]) await p.close();
  return checks;
}

/**
 * Consensus 2 (majority) with three labelers: ana labels everything (and skips skip.png), ben takes a
 * task and lets its lease run out, cy labels everything left, then ben comes back for what still needs
 * an answer. Answers are fixed per labeler and item.
 */
export async function consensusScenario(store: Store, name: string): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (what: string, actual: unknown, expected: unknown) => checks.push({ what, actual, expected });
  let clock = 1_700_000_000_000;
  const now = () => clock;
  const leaseMs = 60_000;
  const registry = new ProjectRegistry(store);
  const owner = await registry.create(
    { name, kind: 'image-classification-multiclass', labels: ['cat', 'dog'], queue: { leaseMs } },
    { actor: { id: 'olga', role: 'owner' }, clientId: 'owner', shared: true, now },
  );
  const paths = ['agree-1.png', 'agree-2.png', 'disagree-1.png', 'disagree-2.png', 'skip.png', 'other.png'];
  await owner.addItems(paths.map((path) => ({ path })));
  await owner.updateQueue({ consensus: { labelers: 2, agreement: 'majority' } });
  const answers: Record<string, Record<string, string | 'skip'>> = {
    ana: { 'agree-1.png': 'cat', 'agree-2.png': 'dog', 'disagree-1.png': 'cat', 'disagree-2.png': 'cat', 'skip.png': 'skip', 'other.png': 'cat' },
    cy: { 'agree-1.png': 'cat', 'agree-2.png': 'dog', 'disagree-1.png': 'dog', 'disagree-2.png': 'dog', 'skip.png': 'dog', 'other.png': 'cat' },
    ben: { 'agree-1.png': 'cat', 'agree-2.png': 'dog', 'disagree-1.png': 'cat', 'disagree-2.png': 'cat', 'skip.png': 'dog', 'other.png': 'cat' },
  };
  const served: string[] = [];
  const open = (user: string, clientId: string) => Project.load(store, owner.id, { actor: { id: user, role: 'labeler' }, clientId, shared: true, now });
  /** Labels until the queue has nothing more for this labeler; each task is one item. */
  const labelAll = async (p: Project) => {
    await p.sync();
    for (let guard = 0; guard < 20; guard++) {
      const t = await p.nextTask();
      if (!t) return;
      const item = t.items[0];
      served.push(`${p.actor.id}:${item.path}`);
      const a = answers[p.actor.id][item.path];
      clock += 1500; // the labeler looks for 1.5 s
      if (a === 'skip') await p.skip(t.id);
      else await p.submit(t.id, [{ item: item.index, annotations: tag(a) }]);
    }
    throw new Error('a labeler was served more tasks than there are items');
  };

  const ana = await open('ana', 'ana-tab');
  await labelAll(ana);
  const ben = await open('ben', 'ben-tab');
  await ben.sync();
  const lost = await ben.nextTask(); // held, never answered: an expired lease is not an answer
  const lostPath = lost!.items[0].path;
  clock += leaseMs + 10_000; // ben's tab died: the lease runs out
  const cy = await open('cy', 'cy-tab');
  await labelAll(cy);
  const ben2 = await open('ben', 'ben-tab-2');
  await labelAll(ben2);
  await owner.sync();

  const byPath = (p: string) => owner.indexOf(p);
  const state = (p: string) => owner.item(byPath(p)).state;
  const labelOf = (p: string) => owner.item(byPath(p)).annotations.map((a) => a.label);
  const dup = served.filter((s, i) => served.indexOf(s) !== i);
  check('no labeler was served an item twice (an expired lease aside)', dup, []);
  check('ana was served every item once', served.filter((s) => s.startsWith('ana:')).length, 6);
  check(
    'ben, back after the expiry, only got what still needed an answer',
    served.filter((s) => s.startsWith('ben:')),
    ['ben:skip.png'],
  );
  check('the item of the expired lease was answered by others', owner.consensusOf(byPath(lostPath))!.answers.filter((a) => a.by !== 'ben').length, 2);
  check('agreement gives the final label', [labelOf('agree-1.png'), labelOf('agree-2.png'), labelOf('other.png')], [['cat'], ['dog'], ['cat']]);
  check('agreed items are labeled', [state('agree-1.png'), state('other.png')], ['labeled', 'labeled']);
  check('the skipped answer went to a third labeler', { state: state('skip.png'), labels: labelOf('skip.png') }, { state: 'labeled', labels: ['dog'] });
  const skipView = owner.consensusOf(byPath('skip.png'))!;
  check(
    'every answer of the skipped item is visible',
    skipView.answers.map((a) => [a.by, a.skipped ? 'skip' : a.annotations![0].label]),
    [
      ['ana', 'skip'],
      ['cy', 'dog'],
      ['ben', 'dog'],
    ],
  );
  check(
    'disagreements go to review',
    owner.disagreements().map((i) => owner.item(i).path),
    ['disagree-1.png', 'disagree-2.png'],
  );
  check('a disagreement is needs-review without labels', [state('disagree-1.png'), labelOf('disagree-1.png')], ['needs-review', []]);
  const d1 = owner.consensusOf(byPath('disagree-1.png'))!;
  check(
    'every labeler’s answer is visible',
    { status: d1.status, answers: d1.answers.map((a) => [a.by, a.annotations![0].label]) },
    {
      status: 'disagreed',
      answers: [
        ['ana', 'cat'],
        ['cy', 'dog'],
      ],
    },
  );
  check('approve refuses a disagreement', await codeOf(owner.approve([byPath('disagree-1.png')])), 'E_INVALID_ARGUMENT');

  // Exports use final labels: the three agreed items and the skipped one, not the disagreements.
  const lines = new TextDecoder()
    .decode(await collectBytes(exportJsonl(owner)))
    .trim()
    .split('\n');
  check(
    'the export writes final labels',
    lines
      .map((l) => JSON.parse(l) as { image_url: string; label: string })
      .map((l) => `${l.image_url}=${l.label}`)
      .sort(),
    ['agree-1.png=cat', 'agree-2.png=dog', 'other.png=cat', 'skip.png=dog'],
  );

  const withAnswers = new TextDecoder()
    .decode(await collectBytes(exportJsonl(owner, { answers: true })))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { image_url: string; label: string; labeler_answers: unknown });
  check(
    'the export can carry every labeler’s answer',
    withAnswers.find((l) => l.image_url === 'skip.png'),
    {
      image_url: 'skip.png',
      image_details: { format: 'png' },
      label: 'dog',
      labeler_answers: [
        { labeler: 'ana', skipped: true },
        { labeler: 'cy', label: 'dog' },
        { labeler: 'ben', label: 'dog' },
      ],
    },
  );

  // The owner reviews: resolves one disagreement (cy was right), approves an agreed item, rejects another.
  await owner.resolveConsensus([{ item: byPath('disagree-1.png'), annotations: tag('dog') }]);
  await owner.approve([byPath('agree-1.png')]);
  await owner.reject([byPath('agree-2.png')], 'both wrong');
  check('resolved: labeled and reviewed', [state('disagree-1.png'), labelOf('disagree-1.png'), owner.item(byPath('disagree-1.png')).reviewed], ['labeled', ['dog'], true]);
  check('approved: reviewed', owner.item(byPath('agree-1.png')).reviewed, true);
  check('rejected: back in the queue, answers cleared', [state('agree-2.png'), owner.consensusOf(byPath('agree-2.png'))], ['todo', undefined]);
  const stats = Object.fromEntries(owner.labelerStats().map((s) => [s.labeler, s]));
  check('per-labeler counts', [stats.ana.items, stats.ana.skipped, stats.cy.items, stats.ben.items], [5, 1, 6, 1]);
  check('per-labeler agreement with consensus', [stats.ana.agreed, stats.ana.decided, stats.cy.agreed, stats.cy.decided], [3, 4, 5, 5]);
  check('rejects per labeler', [stats.ana.rejected, stats.cy.rejected, stats.ben.rejected], [1, 1, 0]);
  check('approvals per labeler', stats.ana.approved, 1);
  // Journal times are kept increasing per writer (a millisecond apart at most), hence the rounding.
  check(
    'time per task is measured',
    [stats.ana.msPerTask, stats.cy.msPerTask, stats.ben.msPerTask].map((ms) => Math.round(ms! / 10) * 10),
    [1500, 1500, 1500],
  );
  const summary = owner.consensusSummary();
  check('consensus summary', summary, { collecting: 0, agreed: 3, disagreed: 1, resolved: 1, agreementRate: 3 / 5 });
  // A snapshot keeps all of it.
  await owner.snapshot();
  const fresh = await Project.load(store, owner.id, { actor: { id: 'olga', role: 'owner' }, clientId: 'fresh', shared: true, now });
  check('a fresh open keeps answers and stats', [fresh.consensusOf(byPath('skip.png'))?.answers.length, fresh.labelerStats().length, fresh.disagreements().length], [3, 3, 1]);
  for (const p of [owner, ana, ben, cy, ben2, fresh]) await p.close();
  return checks;
}
