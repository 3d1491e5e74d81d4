import { type Annotation, type AssistFlags, type AssistHead, type Assistant, type ItemView, LabelkitError, type PropagationRequest, type TrainResult } from '@labelkit/core';
import { type Agreement, prelabelsFromProbs } from '../numerics/fit.js';
import { neighbourVotes, unitRows } from '../numerics/neighbours.js';
import { mulberry32, sampleIndices } from '../numerics/random.js';
import { assistable } from './assistable.js';
import { projectFlags } from './flags.js';
import { rankForQueue } from './rank.js';
import { modelPrelabel, realizedGate, realizedVouches, withdrawModelPrelabels } from './realized.js';
import type { LoopContext, RoundReport, RunOutcome } from './types.js';

// A classification round: train a head, choose the threshold, prelabel the todo items.

/**
 * The bound's confidence when the host set none: 95 % on a round's first look at its human labels
 * (the calibration set); 97.5 % when an earlier round already chose a threshold on the same set,
 * unless what labelers checked of the recent prelabels reaches the target with a 95 % bound. While
 * labelers accept prelabels no human label is added, so rounds re-choose on the same labels: at a
 * flat 95 % six looks at the same 108 let one simulated run deliver 94.2 % (docs/ml.md).
 */
function boundFor(ctx: LoopContext, calibration: number, kind: string): number {
  const repeated = ctx.project.runs.some((r) => r.kind === 'training' && r.params?.kind === kind && r.params?.calibration === calibration);
  return !repeated || realizedVouches(ctx) ? 0.95 : 0.975;
}

/**
 * Trains a head on the labeled items, chooses the threshold on out-of-fold predictions, prelabels
 * todo items at or above it, and withdraws the prelabels the new model does not re-propose (all
 * of them when no threshold passes), so the prelabeled lane only holds current prelabels.
 */
export async function trainAndPrelabel(ctx: LoopContext, signal?: AbortSignal): Promise<RoundReport> {
  const p = ctx.project;
  const multilabel = p.kind === 'image-classification-multilabel';
  const labelIndex = new Map(p.labels.map((l, i) => [l.id, i]));
  const classes = p.labels.length;
  const labeled = [...p.items({ states: ['labeled', 'needs-review'] })].filter((it) => assistable(it) && ctx.hasRow(it));
  const rows: number[] = [];
  const targets: number[] = [];
  const calibrate: number[] = [];
  for (const it of labeled) {
    const tags = it.annotations
      .filter((a) => a.kind === 'class')
      .map((a) => labelIndex.get(a.label))
      .filter((x): x is number => x !== undefined);
    if (!tags.length) continue;
    rows.push(it.index);
    // Labels given over a model's prelabel are a selected sample (the items it was sure of):
    // they train the head, and are measured as realized precision, but do not pick the threshold.
    calibrate.push(modelPrelabel(it.shownPrelabels) ? 0 : 1);
    if (multilabel) {
      const t = new Array<number>(classes).fill(0);
      for (const c of tags) t[c] = 1;
      targets.push(...t);
    } else targets.push(tags[0]!); // tags is not empty
  }
  if (rows.length < 4) throw new LabelkitError('E_INVALID_ARGUMENT', `Training needs labeled items (${rows.length} usable so far).`);
  const perClass = new Array<number>(classes).fill(0);
  if (multilabel) targets.forEach((t, k) => (perClass[k % classes]! += t));
  else for (const t of targets) perClass[t]!++;
  const minPerClass = multilabel ? 0 : (ctx.options.minLabelsPerClass ?? 5);
  // Per-class gating: a class with too few labels is not predicted; the others still are.
  const gated = p.labels.map((_, c) => c).filter((c) => perClass[c]! < minPerClass);
  const gatedNames = gated.map((c) => p.labels[c]!.name);
  const calibration = calibrate.reduce((a, b) => a + b, 0);
  const confidence = ctx.options.confidence ?? boundFor(ctx, calibration, multilabel ? 'multilabel' : 'multiclass');
  const neighbourGate = multilabel ? {} : { neighbours: ctx.options.neighbours ?? 10, minAgreement: ctx.options.neighbourAgreement ?? 0.5, marginal: ctx.options.marginal ?? 0.25 };
  const spread = multilabel ? undefined : propagationOf(ctx, rows.length);
  const trainParams = {
    labeled: rows.length,
    classes,
    kind: multilabel ? 'multilabel' : 'multiclass',
    calibration,
    confidence,
    ...(spread ? { unlabeled: spread.items.length } : {}),
  };
  let trained: Awaited<ReturnType<Assistant['train']>> | undefined;
  await ctx.record('training', trainParams, signal, async () => {
    trained = await ctx.assistant.train(
      { rows: rows.length, cols: ctx.cache.dim, data: ctx.cache.matrix(rows) },
      {
        kind: multilabel ? 'multilabel' : 'multiclass',
        classes,
        targets: multilabel ? Uint8Array.from(targets) : Int32Array.from(targets),
        folds: ctx.options.folds ?? 5,
        holdout: ctx.options.holdout,
        calibrate: Uint8Array.from(calibrate),
        gated,
        confidence,
        minSupport: ctx.options.minSupport,
        targetPrecision: p.assist.targetPrecision,
        seed: ctx.options.seed ?? p.seed,
        ...neighbourGate,
        ...(spread
          ? { unlabeled: { rows: spread.items.length, cols: ctx.cache.dim, data: ctx.cache.matrix(spread.items.map((it) => it.index)) }, propagation: spread.request }
          : {}),
      },
      { signal },
    );
    return trained.training;
  });
  const allGated = gated.length === classes;
  const oofThreshold = allGated ? null : trained!.threshold;
  // Reality first: where recent checked prelabels at or above this threshold fell short of the
  // target, the new round starts from where they did reach it (or makes no prelabels).
  const gate = oofThreshold === null ? undefined : realizedGate(ctx, oofThreshold);
  const threshold = gate ? gate.threshold : oofThreshold;
  let withdrawn = 0;
  await ctx.record('validation', { targetPrecision: p.assist.targetPrecision, confidence }, signal, async (runId) => {
    const v = trained!.validation;
    const metrics: Record<string, number | string | boolean | null> = { ...v.metrics, threshold };
    if (gated.length) metrics.gated = `classes with under ${minPerClass} labels are not predicted: ${gatedNames.join(', ')}`;
    if (gate) Object.assign(metrics, { oofThreshold, realizedPrecision: gate.precision, realizedShown: gate.shown });
    if (threshold === null) {
      metrics.withheld = allGated
        ? `every class has under ${minPerClass} labels`
        : gate
          ? `recent suggestions at this confidence were ${pct(gate.precision)} right (${gate.shown} checked)`
          : `no threshold reaches ${pct(p.assist.targetPrecision)} precision${confidence ? ` with ${pct(confidence)} confidence` : ''} on ${v.metrics.calibrationRows ?? v.metrics.holdoutRows ?? '?'} checked labels`;
      // No model stands behind the old prelabels any more: take them back.
      withdrawn = await withdrawModelPrelabels(ctx.project, new Set(), runId, 'validation failed');
      metrics.withdrawn = withdrawn;
    }
    return { ...v, metrics };
  });
  // Active ordering (queue.order 'informative'): the items left to label, most informative first.
  if (threshold === null) {
    await rankForQueue(ctx, trained!.head, threshold, signal);
    return { threshold, prelabeled: 0, withdrawn, failed: [], flags: await roundFlags(ctx, multilabel ? undefined : trained!.head, threshold, signal) };
  }
  const todo = [...p.items({ states: ['todo'] })].filter((it) => assistable(it) && ctx.hasRow(it));
  let prelabeled = 0;
  await ctx.record('inference', { items: todo.length, threshold }, signal, async (runId) => {
    const proposals: { item: number; annotations: Annotation[] }[] = [];
    let unvisited = 0;
    let run: RunOutcome = { device: 'cpu', timings: {}, metrics: {} };
    ctx.options.onProgress?.({ phase: 'inference', done: 0, total: todo.length });
    // With label spreading, the scores are the trainer's for the rows it was sent (the threshold
    // was chosen on the same mix); the todo items outside that sample get none this round.
    const scored = spread && trained!.unlabeled?.rows === spread.items.length ? spreadScores(spread.items, trained!.unlabeled.data, classes, todo) : undefined;
    const items = scored ? scored.items : todo;
    if (items.length) {
      let probs: Float32Array;
      if (scored) probs = scored.probs;
      else {
        const res = await ctx.assistant.predict(trained!.head, { rows: todo.length, cols: ctx.cache.dim, data: ctx.cache.matrix(todo.map((it) => it.index)) }, { signal });
        run = res.run;
        probs = res.probabilities.data;
      }
      const picks = prelabelsFromProbs(trained!.head.kind, probs, items.length, classes, threshold, gated, agreementOf(ctx, trained!, rows, targets, items));
      const minCluster = ctx.options.minLabelsPerCluster ?? 3;
      const perCluster = new Map<number, number>();
      for (const it of labeled) if (it.cluster !== undefined) perCluster.set(it.cluster, (perCluster.get(it.cluster) ?? 0) + 1);
      for (const x of picks) {
        const item = items[x.row]!; // picks has one row per scored item
        const c = item.cluster;
        if (c !== undefined && (perCluster.get(c) ?? 0) < minCluster) {
          unvisited++;
          continue;
        }
        proposals.push({ item: item.index, annotations: x.classes.map((c, k): Annotation => ({ kind: 'class', label: p.labels[c]!.id, confidence: x.confidences[k] })) });
      }
      prelabeled = await p.proposePrelabels(runId, proposals);
    }
    ctx.options.onProgress?.({ phase: 'inference', done: todo.length, total: todo.length });
    // What the new model does not re-propose is withdrawn: the lane holds current prelabels only.
    withdrawn = await withdrawModelPrelabels(ctx.project, new Set(proposals.map((x) => x.item)), runId, 'not re-proposed by the new model');
    const propagated: Record<string, number> = scored ? { propagated: items.length } : {};
    return { ...run, metrics: { ...run.metrics, threshold, prelabeled, withdrawn, unvisited, ...propagated, ...(gated.length ? { gated: gatedNames.join(', ') } : {}) } };
  });
  await rankForQueue(ctx, trained!.head, threshold, signal);
  return { threshold, prelabeled, withdrawn, failed: [], flags: await roundFlags(ctx, multilabel ? undefined : trained!.head, threshold, signal) };
}

/**
 * The todo items' votes from their labeled neighbours (the rows the head was trained on), when
 * the threshold was chosen with the same gate (the trainer reports `neighbours`; one that does
 * not, gets none: its threshold is for the head alone).
 */
function agreementOf(ctx: LoopContext, trained: TrainResult, rows: number[], targets: number[], todo: ItemView[]): Agreement | undefined {
  const { head, validation } = trained;
  const k = validation.metrics?.neighbours;
  const d = ctx.cache.dim;
  if (typeof k !== 'number' || !(k > 0) || head.kind !== 'multiclass' || head.mean.length !== d) return undefined;
  const min = validation.metrics?.minAgreement;
  const pool = unitRows(ctx.cache.matrix(rows), rows.length, d, head.mean, head.invStd);
  const query = unitRows(ctx.cache.matrix(todo.map((it) => it.index)), todo.length, d, head.mean, head.invStd);
  return { votes: neighbourVotes(query, todo.length, pool, rows.length, d, targets, head.classes, k), min: typeof min === 'number' ? min : 0.5 };
}

/**
 * The todo items whose rows the labels spread through (`AssistLoopOptions.propagation`), and the
 * trainer's settings: every todo item with a row, or a seeded sample of `maxUnlabeled` of them
 * (a new sample each round), so that one round's graph stays bounded.
 */
function propagationOf(ctx: LoopContext, labeled: number): { items: ItemView[]; request: PropagationRequest } | undefined {
  const o = ctx.options.propagation ?? false;
  if (o === false) return undefined;
  const { maxUnlabeled = 2000, ...request } = o === true ? {} : o;
  if (!(Number.isInteger(maxUnlabeled) && maxUnlabeled >= 1))
    throw new LabelkitError('E_INVALID_ARGUMENT', `propagation.maxUnlabeled must be a positive integer (got ${maxUnlabeled}).`);
  const todo = [...ctx.project.items({ states: ['todo'] })].filter((it) => assistable(it) && ctx.hasRow(it));
  if (!todo.length) return undefined;
  if (todo.length <= maxUnlabeled) return { items: todo, request };
  const pick = sampleIndices(todo.length, maxUnlabeled, mulberry32((ctx.options.seed ?? ctx.project.seed ?? 1) * 7919 + labeled));
  return { items: Array.from(pick, (i) => todo[i]!), request };
}

/** The trainer's scores of the sample's items that are still todo, in `todo`'s order. */
function spreadScores(sample: ItemView[], scores: Float32Array, classes: number, todo: ItemView[]): { items: ItemView[]; probs: Float32Array } {
  const at = new Map(sample.map((it, r) => [it.index, r]));
  const items = todo.filter((it) => at.has(it.index));
  const probs = new Float32Array(items.length * classes);
  items.forEach((it, r) => probs.set(scores.subarray(at.get(it.index)! * classes, at.get(it.index)! * classes + classes), r * classes));
  return { items, probs };
}

/** Near-duplicates and likely-mislabeled items after a round (the model's view of labeled items: multi-class heads only). */
async function roundFlags(ctx: LoopContext, head: AssistHead | undefined, threshold: number | null, signal?: AbortSignal): Promise<AssistFlags | undefined> {
  const options = ctx.options.flags;
  if (options === false) return undefined;
  const predict = head
    ? async (items: number[]) => (await ctx.assistant.predict(head, { rows: items.length, cols: ctx.cache.dim, data: ctx.cache.matrix(items) }, { signal })).probabilities.data
    : undefined;
  return projectFlags(ctx.project, ctx.cache, ctx.hasRow, predict, { ...options, minConfidence: options?.minConfidence ?? threshold ?? undefined });
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10} %`;
}
