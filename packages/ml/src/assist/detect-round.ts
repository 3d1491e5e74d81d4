import { type Annotation, type BoxAnnotation, type ItemView, LabelkitError } from '@labelkit/core';
import { type LabeledBox, calibrateBoxThreshold, mapDetections } from '../numerics/detect.js';
import { assistable } from './assistable.js';
import { zOf } from '../numerics/threshold.js';
import { realizedGate, withdrawModelPrelabels } from './realized.js';
import type { ItemFailure, LoopContext, RoundReport, RunOutcome } from './types.js';

// A detection round: calibrate the detector's box threshold on labeled items, prelabel boxes.

/**
 * Detection: runs the detector on labeled items to calibrate the box threshold (precision at
 * IoU ≥ 0.5 against the labeled boxes), then proposes boxes above it on todo items.
 */
export async function detectAndPrelabel(ctx: LoopContext, signal?: AbortSignal): Promise<RoundReport> {
  const p = ctx.project;
  const mapping = ctx.options.detectorLabels;
  if (!mapping || !Object.keys(mapping).length) throw new LabelkitError('E_INVALID_ARGUMENT', 'Detection assist needs detectorLabels: { modelClassIndex: projectLabelId }.');
  const failed: ItemFailure[] = [];
  /** Runs the detector on items; returns each readable item's boxes mapped to project labels, and the run. */
  const detectItems = async (items: readonly ItemView[]): Promise<{ found: { item: ItemView; boxes: LabeledBox[] }[]; run: RunOutcome }> => {
    const { images, ok } = await ctx.readImages(items, failed, signal);
    if (!ok.length) return { found: [], run: { device: 'cpu', timings: {}, metrics: {} } };
    const res = await ctx.assistant.detect(images, { signal });
    for (const f of res.failed) {
      const item = ok[f.index];
      if (item) failed.push({ item: item.index, code: f.code, reason: f.reason });
    }
    const bad = new Set(res.failed.map((f) => f.index));
    return { found: ok.map((item, k) => ({ item, boxes: mapDetections(res.detections[k] ?? [], mapping) })).filter((_, k) => !bad.has(k)), run: res.run };
  };
  const labeled = [...p.items({ states: ['labeled', 'needs-review'] })].filter(assistable);
  let threshold: number | null = null;
  let withdrawn = 0;
  // 99 %, not 95 %: box errors are not independent. A detector's near miss repeats on every image
  // like the one it missed (the COCO person benchmark's wrong boxes are all one kind, on crops of two
  // scenes), while the bound counts each box as a fresh draw; at 95 % and 97.5 % windows of 8–24
  // shown boxes fell to 85.7–93.8 % (docs/ml.md).
  const confidence = ctx.options.confidence ?? 0.99;
  await ctx.record('training', { labeled: labeled.length, method: 'box-threshold calibration', confidence }, signal, async (runId) => {
    const { found, run } = await detectItems(labeled);
    // The Wilson lower bound on precision must reach the target, as in the classification round.
    const cal = calibrateBoxThreshold(
      found.map((f) => ({ predictions: f.boxes, truth: f.item.annotations.filter((a): a is BoxAnnotation => a.kind === 'box') })),
      { targetPrecision: p.assist.targetPrecision, minSupport: ctx.options.minSupport, z: zOf(confidence), marginal: ctx.options.marginal },
    );
    // Reality first: where recent checked boxes at or above it fell short of the target, the round
    // starts from where they did reach it (or makes no prelabels), so it does not swing back down.
    const gate = cal.threshold === null ? undefined : realizedGate(ctx, cal.threshold);
    threshold = gate ? gate.threshold : cal.threshold;
    // No threshold: no model stands behind the old boxes any more.
    if (threshold === null) withdrawn = await withdrawModelPrelabels(ctx.project, new Set(), runId, 'validation failed');
    return {
      ...run,
      metrics: {
        ...(gate ? { calibratedThreshold: cal.threshold, realizedPrecision: gate.precision, realizedShown: gate.shown } : {}),
        withdrawn,
        lowerBound: cal.lowerBound ?? null,
        images: found.length,
        threshold,
        precision: cal.precision,
        support: cal.support,
        recall: cal.recall,
        predictions: cal.predictions,
        truthBoxes: cal.truthBoxes,
      },
    };
  });
  if (threshold === null) return { threshold, prelabeled: 0, withdrawn, failed };
  const t: number = threshold;
  const todo = [...p.items({ states: ['todo'] })].filter(assistable);
  let prelabeled = 0;
  if (todo.length) {
    await ctx.record('inference', { items: todo.length, threshold: t }, signal, async (runId) => {
      const { found, run } = await detectItems(todo);
      const proposals = found
        .map((f) => ({
          item: f.item.index,
          annotations: f.boxes.filter((b) => b.score >= t).map((b): Annotation => ({ kind: 'box', label: b.label, x: b.x, y: b.y, w: b.w, h: b.h, confidence: b.score })),
        }))
        .filter((x) => x.annotations.length);
      prelabeled = await p.proposePrelabels(runId, proposals);
      withdrawn = await withdrawModelPrelabels(ctx.project, new Set(proposals.map((x) => x.item)), runId, 'not re-proposed by the new model');
      return { ...run, metrics: { ...run.metrics, threshold: t, prelabeled, withdrawn } };
    });
  }
  return { threshold, prelabeled, withdrawn, failed };
}
