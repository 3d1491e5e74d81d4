// ML assist in plain words, from the project's run records (so every member sees the same, not only
// the browser that runs assist) and, when the host passes one, the live activity with progress.
import type { AssistActivity, RunRecord } from '@labelkit/core';

const PHASES: Record<string, string> = {
  featurization: 'Reading images',
  clustering: 'Grouping similar images',
  training: 'Training the model',
  validation: 'Checking the model',
  inference: 'Suggesting labels',
  detection: 'Finding objects',
};

export const pct = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? `${Math.round(x * 100)} %` : '—');

/** "Reading images: 340 of 1,000" and the bar's numbers, or undefined when nothing runs. */
export function activityText(a: AssistActivity | undefined): { text: string; done?: number; total?: number } | undefined {
  if (!a) return undefined;
  if (a.state === 'failed') return { text: `ML assist stopped on an error: ${a.error ?? 'unknown'}` };
  if (a.state !== 'working') return undefined;
  const what = PHASES[a.phase ?? ''] ?? 'Working';
  if (a.total) return { text: `${what}: ${(a.done ?? 0).toLocaleString()} of ${a.total.toLocaleString()}`, done: a.done ?? 0, total: a.total };
  return { text: `${what}…` };
}

/** Sentences about the model: how good it is, whether it suggests labels, and why not. */
export function assistSummary(runs: readonly RunRecord[], targetPrecision: number): string[] {
  const done = runs.filter((r) => r.status === 'completed');
  const validation = [...done].reverse().find((r) => r.kind === 'validation' && r.params?.check !== 'realized');
  if (!validation) return ['No model yet: suggestions start after the first training run.'];
  const m = validation.metrics ?? {};
  const out: string[] = [];
  const accuracy = m.oofAccuracy ?? m.holdoutAccuracy;
  const checked = m.calibrationRows ?? m.holdoutRows;
  out.push(
    `Model accuracy on ${typeof checked === 'number' ? `${checked.toLocaleString()} ` : ''}checked items: ${pct(accuracy)}; labels are suggested only where it reaches ${pct(targetPrecision)}.`,
  );
  if (m.threshold === null || m.threshold === undefined) {
    const reason =
      typeof m.withheld === 'string' && /every class/.test(m.withheld)
        ? 'every label still has too few examples'
        : `the model is not yet sure enough (even its most confident answers are not ${pct(targetPrecision)} right with enough certainty)`;
    out.push(`No suggestions now: ${reason}. More labels will help.`);
  } else {
    const inference = [...done].reverse().find((r) => r.kind === 'inference' && r.startedAt >= validation.startedAt);
    const im = inference?.metrics ?? {};
    const n = typeof im.prelabeled === 'number' ? im.prelabeled : undefined;
    const back = typeof im.withdrawn === 'number' && im.withdrawn ? `; ${im.withdrawn.toLocaleString()} older suggestions taken back` : '';
    out.push(
      `Suggesting labels${n !== undefined ? ` for ${n.toLocaleString()} items` : ''} at confidence ${pct(m.threshold)} or more (expected right: at least ${pct(m.lowerBound ?? m.precision)})${back}.`,
    );
    if (typeof im.unvisited === 'number' && im.unvisited) out.push(`${im.unvisited.toLocaleString()} items get no suggestion yet: nobody has labeled images like them.`);
  }
  if (typeof m.gated === 'string') out.push(`Not suggested until they have more examples: ${m.gated.replace(/^.*?: /, '')}.`);
  const check = [...done].reverse().find((r) => r.kind === 'validation' && r.params?.check === 'realized' && r.startedAt >= validation.startedAt);
  if (check?.metrics) {
    const c = check.metrics;
    out.push(
      c.action === 'raised'
        ? `Checked suggestions were only ${pct(c.realizedPrecision)} right (${c.realizedShown} checked): the bar was raised to ${pct(c.threshold)} confidence.`
        : `Checked suggestions were only ${pct(c.realizedPrecision)} right (${c.realizedShown} checked): this round's suggestions were taken back.`,
    );
  }
  return out;
}

/** The metrics a person reads in the runs table, per kind; the rest stays behind "more". */
export const KEY_METRICS: Record<string, readonly string[]> = {
  featurization: ['items', 'failed'],
  clustering: ['k', 'items', 'iterations'],
  training: ['labeled', 'trainRows', 'folds'],
  validation: ['oofAccuracy', 'holdoutAccuracy', 'threshold', 'precision', 'lowerBound', 'realizedPrecision', 'action', 'withheld', 'gated', 'withdrawn'],
  inference: ['prelabeled', 'withdrawn', 'threshold', 'unvisited'],
  detection: ['images', 'threshold'],
};

export const METRIC_NAMES: Record<string, string> = {
  items: 'items',
  failed: 'failed',
  k: 'groups',
  iterations: 'iterations',
  labeled: 'labels',
  trainRows: 'trained on',
  folds: 'folds',
  oofAccuracy: 'accuracy',
  holdoutAccuracy: 'accuracy',
  threshold: 'threshold',
  precision: 'precision',
  lowerBound: 'precision (at least)',
  realizedPrecision: 'checked right',
  action: 'action',
  withheld: 'no suggestions',
  gated: 'not predicted',
  withdrawn: 'taken back',
  prelabeled: 'suggested',
  unvisited: 'unvisited',
  images: 'images',
};
