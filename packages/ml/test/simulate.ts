// A simulated labeler: takes tasks from a project, labels every item from ground truth (confirming
// or correcting prelabels), and lets the assist loop run whenever the project says a run is due.
import type { Project } from '@labelkit/core';
import type { AssistLoop } from '../src/assist/loop.js';

export interface LabelerReport {
  readonly items: number;
  /** Items the labeler labeled from scratch (no prelabel shown). */
  readonly humanLabels: number;
  /** Items that came with a prelabel, and how many of those were right. */
  readonly prelabeled: number;
  readonly prelabelsRight: number;
  /** prelabelsRight / prelabeled. */
  readonly precision: number;
  /** prelabeled / items. */
  readonly sharePrelabeled: number;
  readonly trainingRuns: number;
  /** Human labels when the first prelabels appeared. */
  readonly humanLabelsBeforeFirstPrelabel: number;
  /** Per training round: prelabels seen and how many were right. */
  readonly rounds: readonly { prelabeled: number; right: number }[];
  /** Pages served from the clustered lane, and the share of their items that carry the page's majority label. */
  readonly clusteredPages: number;
  readonly clusteredPagePurity: number;
}

export async function simulateLabeler(project: Project, loop: AssistLoop, truth: (path: string) => string, options: { taskSize?: 1 | 4 | 6 | 9 } = {}): Promise<LabelerReport> {
  const labelId = new Map(project.labels.map((l) => [l.name, l.id]));
  let humanLabels = 0;
  let prelabeled = 0;
  let prelabelsRight = 0;
  let items = 0;
  let trainingRuns = 0;
  let humanLabelsBeforeFirstPrelabel = -1;
  const rounds: { prelabeled: number; right: number }[] = [{ prelabeled: 0, right: 0 }];
  let clusteredPages = 0;
  let clusteredItems = 0;
  let clusteredMajority = 0;
  await loop.step();
  for (;;) {
    const task = await project.nextTask({ size: options.taskSize ?? 9 });
    if (!task) break;
    const results = task.items.map((it) => {
      const label = labelId.get(truth(it.path))!;
      if (it.prelabels?.length) {
        if (humanLabelsBeforeFirstPrelabel < 0) humanLabelsBeforeFirstPrelabel = humanLabels;
        prelabeled++;
        rounds[rounds.length - 1].prelabeled++;
        if (it.prelabels[0].kind === 'class' && it.prelabels[0].label === label) {
          prelabelsRight++;
          rounds[rounds.length - 1].right++;
        }
      } else humanLabels++;
      return { item: it.index, annotations: [{ kind: 'class' as const, label }] };
    });
    items += results.length;
    if (task.lane === 'clustered') {
      clusteredPages++;
      clusteredItems += results.length;
      const counts = new Map<string, number>();
      for (const it of task.items) counts.set(truth(it.path), (counts.get(truth(it.path)) ?? 0) + 1);
      clusteredMajority += Math.max(...counts.values());
    }
    await project.submit(task.id, results);
    if (project.stats().labelsToNextRun === 0) {
      const r = await loop.step();
      if (r.trained) {
        trainingRuns++;
        rounds.push({ prelabeled: 0, right: 0 });
      }
    }
  }
  return {
    items,
    humanLabels,
    prelabeled,
    prelabelsRight,
    precision: prelabeled ? prelabelsRight / prelabeled : 0,
    sharePrelabeled: items ? prelabeled / items : 0,
    trainingRuns,
    humanLabelsBeforeFirstPrelabel,
    rounds,
    clusteredPages,
    clusteredPagePurity: clusteredItems ? clusteredMajority / clusteredItems : 0,
  };
}
