// A real consensus project for the team stories and browser tests of <label-dashboard>: a shared
// MemoryStore, six digit images, consensus 2 (majority) and three labelers who race for the items.
// lee and kai agree on 0–3 and disagree on 4–5; max took the same task before them and answers 0–3
// late: he agrees on 1–3 and dissents on 0, which sends its agreed label to review (kept).
import { MemorySource, MemoryStore, Project, ProjectRegistry } from '@labelkit/core';
import { digitPng } from './demo-project.js';

export interface TeamDemoOptions {
  /** Stop (with this reason) or archive the project after the labeling. */
  readonly stopped?: string;
  readonly archived?: string;
}

/**
 * The shared start of every team fixture: a shared MemoryStore with six digit images d/0–5.png,
 * owned by ana, consensus 2 (majority), labels even/odd — nobody has labeled yet.
 */
export async function consensusDigits(): Promise<{ store: MemoryStore; owner: Project; source: MemorySource; even: string; odd: string }> {
  const store = new MemoryStore();
  const files: [string, Uint8Array][] = [];
  for (let i = 0; i < 6; i++) files.push([`d/${i}.png`, await digitPng(i)]);
  const source = new MemorySource(files, 'digits');
  const owner = await new ProjectRegistry(store).create(
    { name: `Team ${Math.random().toString(36).slice(2, 8)}`, kind: 'image-classification-multiclass', labels: ['even', 'odd'] },
    { actor: { id: 'ana', role: 'owner' }, clientId: 'ana', shared: true },
  );
  await owner.refresh(source);
  await owner.updateQueue({ consensus: { labelers: 2, agreement: 'majority' } });
  const [even, odd] = owner.labels.map((l) => l.id);
  return { store, owner, source, even, odd };
}

export async function teamDemo(o: TeamDemoOptions = {}): Promise<{ project: Project; source: MemorySource }> {
  const { store, owner, source, even, odd } = await consensusDigits();
  const labelers = await Promise.all(['lee', 'kai', 'max'].map((user) => Project.load(store, owner.id, { actor: { id: user, role: 'labeler' }, clientId: user, shared: true })));
  // All three take the same six items before anyone answers.
  const tasks = await Promise.all(labelers.map((p) => p.nextTask({ size: 6 })));
  const answer = (user: string, n: number) => {
    const right = n % 2 ? odd : even;
    const wrong = n % 2 ? even : odd;
    return (user === 'kai' && n >= 4) || (user === 'max' && n === 0) ? wrong : right;
  };
  for (const [k, p] of labelers.entries()) {
    const t = tasks[k]!;
    const items = t.items.filter((i) => p.actor.id !== 'max' || Number(i.path.match(/(\d+)\.png/)![1]) < 4);
    await p.submit(
      t.id,
      items.map((i) => ({ item: i.index, annotations: [{ kind: 'class' as const, label: answer(p.actor.id, Number(i.path.match(/(\d+)\.png/)![1])) }] })),
    );
  }
  await owner.sync();
  if (o.stopped) await owner.stop(o.stopped);
  if (o.archived) await owner.archive(o.archived);
  for (const p of labelers) await p.close();
  return { project: owner, source };
}
