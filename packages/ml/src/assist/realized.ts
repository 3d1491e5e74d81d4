import { type Annotation, type BoxAnnotation, type Project, isClassificationKind } from '@labelkit/core';
import { matchBoxes } from '../numerics/detect.js';
import { chooseThreshold, wilsonLower, wilsonUpper, zOf } from '../numerics/threshold.js';
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

/** IoU at or above which a shown box counts as right against a submitted box of its label (COCO AP50). */
export const RIGHT_IOU = 0.5;

/**
 * What the labeler's answer says of the prelabels it was shown, one measurement per shape: each
 * shown box is right when it matches (greedily, most confident first) a submitted box of its label
 * at IoU ≥ 0.5; a classification answer is one measurement (the lowest confidence), right when it
 * names the same classes. Empty when the shown prelabels are not a model's.
 */
export function checkedShapes(shown: readonly Annotation[] | undefined, submitted: readonly Annotation[]): { confidence: number; correct: boolean }[] {
  const conf = modelPrelabel(shown);
  if (conf === undefined) return [];
  const boxes = shown!.filter((a): a is BoxAnnotation & { confidence: number } => a.kind === 'box');
  if (!boxes.length) return [{ confidence: conf, correct: sameClasses(shown!, submitted) }];
  const truth = submitted.filter((a): a is BoxAnnotation => a.kind === 'box');
  const tp = matchBoxes(
    boxes.map((b) => ({ x: b.x, y: b.y, w: b.w, h: b.h, label: b.label, score: b.confidence })),
    truth,
    RIGHT_IOU,
  );
  return boxes.map((b, i) => ({ confidence: b.confidence, correct: tp[i] === 1 }));
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
 * Box prelabels under a raised threshold: the todo items' boxes under it are taken off (the item
 * keeps its other boxes, proposed again under `run`), and an item left with none is withdrawn.
 * Returns how many items were withdrawn.
 */
export async function trimBoxPrelabels(project: Project, run: string, threshold: number): Promise<number> {
  const stale: number[] = [];
  const trimmed: { item: number; annotations: Annotation[] }[] = [];
  for (const it of project.items({ states: ['todo'] })) {
    const conf = it.lane === 'prelabeled' ? modelPrelabel(it.prelabels) : undefined;
    if (conf === undefined || conf >= threshold) continue;
    const kept = it.prelabels!.filter((a) => a.confidence! >= threshold);
    if (kept.length) trimmed.push({ item: it.index, annotations: kept });
    else stale.push(it.index);
  }
  if (trimmed.length) await project.proposePrelabels(run, trimmed);
  return stale.length ? project.withdrawPrelabels(stale, { run, reason: 'under the raised threshold' }) : 0;
}

/**
 * Prelabels labelers accepted (right) or corrected (wrong), the most recent `realizedWindow`
 * (default 300), newest first; a box is one prelabel (see `checkedShapes`). Rounds come every few
 * pages, so a round alone rarely has enough of them to judge; recent models are calibrated on
 * nearly the same labels, so their confidences compare.
 */
function recentChecked(ctx: LoopContext): { confidence: number; correct: boolean; at: number }[] {
  const out: { confidence: number; correct: boolean; at: number }[] = [];
  for (const it of ctx.project.items({ states: ['labeled', 'needs-review'] })) {
    for (const x of checkedShapes(it.shownPrelabels, it.annotations)) out.push({ ...x, at: it.labeledAt ?? 0 });
  }
  out.sort((a, b) => b.at - a.at);
  return out.slice(0, ctx.options.realizedWindow ?? 300);
}

/**
 * Whether what labelers checked of the recent prelabels (see `realizedWindow`, at least
 * `minRealized` of them) reaches the target with a 95 % lower bound: fresh evidence that the
 * rounds' thresholds deliver what they claim.
 */
export function realizedVouches(ctx: LoopContext): boolean {
  const checked = recentChecked(ctx);
  if (checked.length < (ctx.options.minRealized ?? 20)) return false;
  const right = checked.filter((x) => x.correct).length;
  return wilsonLower(right, checked.length, zOf(0.95)) >= ctx.project.assist.targetPrecision;
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
    withdrawn =
      raised !== null && !isClassificationKind(ctx.project.kind)
        ? await trimBoxPrelabels(ctx.project, runId, raised)
        : await withdrawModelPrelabels(
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
