import { validateAnnotations } from '../annotations.js';
import { LabelkitError } from '../errors.js';
import { cleanAnnotation } from '../settings.js';
import { isClassificationKind, type RunKind, type RunStatus } from '../types.js';
import { randomId } from '../util/prng.js';
import type { ProjectCore } from './core.js';
import type { ItemLabels } from './types.js';

// The ML assist commands: runs recorded, prelabels proposed and withdrawn, clusters assigned, items
// ranked. Any
// member's browser may run assist, so they need the labeler role only. The doc comments are on
// `Project`'s methods.

export function startRun(core: ProjectCore, kind: RunKind, params: { device?: string; params?: Record<string, unknown> }): Promise<string> {
  return core.run('labeler', async () => {
    const run = randomId('r');
    await core.commit([{ type: 'run.started', run, kind, ...(params.device ? { device: params.device } : {}), ...(params.params ? { params: params.params } : {}) }]);
    return run;
  });
}

export function finishRun(core: ProjectCore, run: string, status: RunStatus, result: { metrics?: Record<string, unknown>; error?: string; device?: string }): Promise<void> {
  return core.run('labeler', async () => {
    if (!core.state.hasRun(run)) throw new LabelkitError('E_NOT_FOUND', `No run ${run} in this project.`, { run });
    await core.commit([{ type: 'run.finished', run, status, ...result }]);
  });
}

export function proposePrelabels(core: ProjectCore, run: string, proposals: readonly ItemLabels[]): Promise<number> {
  return core.run('labeler', async () => {
    const s = core.state;
    const ok = proposals.filter((p) => p.item >= 0 && p.item < s.itemCount && s.is(p.item, 'todo') && p.annotations.length);
    for (const p of ok) validateAnnotations(s.meta.kind, s.meta.labels, p.annotations, {}, s.pathOf(p.item));
    if (ok.length) await core.commit([{ type: 'prelabels.proposed', run, items: ok.map((p) => p.item), annotations: ok.map((p) => p.annotations.map(cleanAnnotation)) }]);
    return ok.length;
  });
}

export function withdrawPrelabels(core: ProjectCore, items: readonly number[], options: { run?: string; reason?: string }): Promise<number> {
  return core.run('labeler', async () => {
    const s = core.state;
    const ok = [...new Set(items)].filter((i) => i >= 0 && i < s.itemCount && s.is(i, 'todo') && s.hasPrelabels(i));
    if (ok.length)
      await core.commit([{ type: 'prelabels.withdrawn', items: ok, ...(options.run ? { run: options.run } : {}), ...(options.reason ? { reason: options.reason } : {}) }]);
    return ok.length;
  });
}

export function assignClusters(core: ProjectCore, run: string, assignments: readonly { item: number; cluster: number }[]): Promise<number> {
  return core.run('labeler', async () => {
    if (!isClassificationKind(core.state.meta.kind)) throw new LabelkitError('E_INVALID_ARGUMENT', 'Clustering is for classification projects only.');
    const ok = assignments.filter((a) => a.item >= 0 && a.item < core.state.itemCount && Number.isInteger(a.cluster) && a.cluster >= 0);
    if (ok.length) await core.commit([{ type: 'clusters.assigned', run, items: ok.map((a) => a.item), clusters: ok.map((a) => a.cluster) }]);
    return ok.length;
  });
}

export function rankItems(core: ProjectCore, run: string | undefined, items: readonly number[], scores?: readonly number[]): Promise<number> {
  return core.run('labeler', async () => {
    if (scores && scores.length !== items.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'rankItems: one score per item.', { items: items.length, scores: scores.length });
    const s = core.state;
    const seen = new Set<number>();
    const keep: number[] = [];
    items.forEach((i, k) => {
      if (!Number.isInteger(i) || i < 0 || i >= s.itemCount || !s.is(i, 'todo') || seen.has(i)) return;
      seen.add(i);
      keep.push(k);
    });
    const ranked = keep.map((k) => items[k]!);
    const kept = scores && keep.map((k) => scores[k]!);
    const score = kept && kept.every(Number.isFinite) ? { scores: kept.map((x) => Math.round(x * 1e4) / 1e4) } : {};
    await core.commit([{ type: 'items.ranked', ...(run ? { run } : {}), items: ranked, ...score }]);
    return ranked.length;
  });
}
