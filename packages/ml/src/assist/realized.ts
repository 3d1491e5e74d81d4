import type { Annotation, Project } from '@labelkit/core';
import { chooseThreshold, wilsonUpper, zOf } from '../numerics/threshold.js';
import type { LoopContext, RealizedPrecision } from './types.js';

// Realized precision: how many of the model's prelabels labelers accepted, and the watch that
// raises the threshold (or withdraws a round) when that falls short of the target.

/** The confidence of a model's prelabels (the lowest of their shapes), or undefined when none are a model's. */
export function modelPrelabel(anns: readonly Annotation[] | undefined): number | undefined {
  if (!anns?.length) return undefined;
  let min = Infinity;
  for (const a of anns) {
    if (typeof a.confidence !== 'number') return undefined;
    min = Math.min(min, a.confidence);
  }
  return min;
}

/** Whether two classification answers name the same classes. */
function sameClasses(a: readonly Annotation[], b: readonly Annotation[]): boolean {
  const x = new Set(a.filter((v) => v.kind === 'class').map((v) => v.label));
  const y = new Set(b.filter((v) => v.kind === 'class').map((v) => v.label));
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/**
 * Withdraws the model prelabels of todo items (not leased) in the prelabeled lane, except `keep`
 * and except those `keepIf` keeps. Returns how many were withdrawn.
 */
export async function withdrawModelPrelabels(project: Project, keep: ReadonlySet<number>, run: string, reason: string, keepIf?: (confidence: number) => boolean): Promise<number> {
  const stale: number[] = [];
  for (const it of project.items({ states: ['todo'] })) {
    if (it.lane !== 'prelabeled' || keep.has(it.index)) continue;
    const conf = modelPrelabel(it.prelabels);
    if (conf === undefined || (keepIf && keepIf(conf))) continue;
    stale.push(it.index);
  }
  return stale.length ? project.withdrawPrelabels(stale, { run, reason }) : 0;
}

/**
 * Prelabels labelers accepted (right) or corrected (wrong), the most recent `realizedWindow`
 * (default 300), newest first. Rounds come every few pages, so a round alone rarely has enough of
 * them to judge; recent heads are trained on nearly the same labels, so their confidences compare.
 */
function recentChecked(ctx: LoopContext): { confidence: number; correct: boolean; at: number }[] {
  const out: { confidence: number; correct: boolean; at: number }[] = [];
  for (const it of ctx.project.items({ states: ['labeled', 'needs-review'] })) {
    const conf = modelPrelabel(it.shownPrelabels);
    if (conf === undefined) continue;
    out.push({ confidence: conf, correct: sameClasses(it.shownPrelabels!, it.annotations), at: it.labeledAt ?? 0 });
  }
  out.sort((a, b) => b.at - a.at);
  return out.slice(0, ctx.options.realizedWindow ?? 300);
}

/**
 * Whether recent checked prelabels at or above `threshold` are (with `watchConfidence`) below the
 * target; then the threshold where they did reach it (null: nowhere), with what was measured.
 */
export function realizedGate(ctx: LoopContext, threshold: number): { threshold: number | null; precision: number; shown: number } | undefined {
  const target = ctx.project.assist.targetPrecision;
  const minRealized = ctx.options.minRealized ?? 20;
  const above = recentChecked(ctx).filter((x) => x.confidence >= threshold);
  if (above.length < minRealized) return undefined;
  const right = above.filter((x) => x.correct).length;
  const z = zOf(ctx.options.watchConfidence ?? 0.5);
  if ((z > 0 ? wilsonUpper(right, above.length, z) : right / above.length) >= target) return undefined;
  const choice = chooseThreshold(
    above.map((x) => x.confidence),
    above.map((x) => (x.correct ? 1 : 0)),
    { targetPrecision: target, minSupport: Math.min(10, minRealized) },
  );
  const raised = choice.threshold !== null && choice.threshold > threshold ? choice.threshold : null;
  return { threshold: raised, precision: right / above.length, shown: above.length };
}

/**
 * The realized precision in force: the recent checked prelabels (see `realizedWindow`) at or
 * above the current round's threshold, as raised by the watch.
 */
export function realized(ctx: LoopContext): (RealizedPrecision & { pairs: { confidence: number; correct: boolean }[] }) | undefined {
  const runs = ctx.project.runs;
  let round: (typeof runs)[number] | undefined;
  for (const r of runs) if (r.kind === 'inference' && r.status === 'completed' && typeof r.metrics?.threshold === 'number') round = r;
  if (!round) return undefined;
  let threshold = round.metrics!.threshold as number;
  for (const r of runs) {
    if (r.kind !== 'validation' || r.status !== 'completed' || r.params?.check !== 'realized' || r.params?.run !== round.id) continue;
    const t = r.metrics?.threshold;
    threshold = typeof t === 'number' ? Math.max(threshold, t) : Infinity;
  }
  if (threshold === Infinity) return undefined;
  const pairs = recentChecked(ctx)
    .filter((x) => x.confidence >= threshold)
    .map(({ confidence, correct }) => ({ confidence, correct }));
  return { run: round.id, threshold, shown: pairs.length, right: pairs.filter((x) => x.correct).length, pairs };
}

/**
 * Watches reality: when the prelabels labelers accepted or corrected this round are, with
 * `watchConfidence`, below the target precision, raises the threshold to where they did reach
 * it (withdrawing the prelabels under it) or, when nowhere, withdraws the round's prelabels.
 * Recorded as a validation run (`check: 'realized'`). Returns how many prelabels were withdrawn.
 */
export async function watchRealized(ctx: LoopContext, signal?: AbortSignal): Promise<number> {
  const r = realized(ctx);
  const target = ctx.project.assist.targetPrecision;
  const minRealized = ctx.options.minRealized ?? 20;
  if (!r || r.shown < minRealized) return 0;
  const z = zOf(ctx.options.watchConfidence ?? 0.5);
  const upper = z > 0 ? wilsonUpper(r.right, r.shown, z) : r.right / r.shown;
  if (upper >= target) return 0;
  const choice = chooseThreshold(
    r.pairs.map((x) => x.confidence),
    r.pairs.map((x) => (x.correct ? 1 : 0)),
    { targetPrecision: target, minSupport: Math.min(10, minRealized) },
  );
  // A raised threshold must leave something above the one in force; else the round is withdrawn.
  const raised = choice.threshold !== null && choice.threshold > r.threshold ? choice.threshold : null;
  let withdrawn = 0;
  await ctx.record('validation', { check: 'realized', run: r.run, targetPrecision: target }, signal, async (runId) => {
    withdrawn = await withdrawModelPrelabels(
      ctx.project,
      new Set(),
      runId,
      raised === null ? 'realized precision below target' : 'under the raised threshold',
      raised === null ? undefined : (c) => c >= raised,
    );
    return {
      device: 'cpu',
      timings: {},
      metrics: {
        check: 'realized',
        realizedPrecision: r.right / r.shown,
        realizedShown: r.shown,
        realizedUpper: upper,
        targetPrecision: target,
        previousThreshold: r.threshold,
        threshold: raised,
        action: raised === null ? 'withdrawn' : 'raised',
        withdrawn,
      },
    };
  });
  return withdrawn;
}
