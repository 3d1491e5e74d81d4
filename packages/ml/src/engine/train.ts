import { type AssistHead, type AssistRun, LabelkitError, type Matrix, type TrainRequest } from '@labelkit/core';
import { fitHead, fitHeadCV } from '../numerics/fit.js';
import { type ThresholdChoice, zOf } from '../numerics/threshold.js';
import { runRecord } from './sessions.js';

/**
 * Trains a head and picks its threshold: out-of-fold predictions over `folds` (≥ 2, the default 5)
 * or, with `folds` < 2, a single holdout split. One path for both: they differ only in the fit
 * called and in what the validation run reports of it.
 */
export async function trainRequest(
  embeddings: { rows: number; cols: number; data: Float32Array },
  request: TrainRequest,
  signal: AbortSignal,
): Promise<{ head: AssistHead; threshold: ThresholdChoice; training: AssistRun; validation: AssistRun; unlabeled?: Matrix }> {
  const startedAt = Date.now();
  const targetPrecision = request.targetPrecision ?? 0.95;
  const confidence = request.confidence ?? 0.95;
  const folds = request.folds ?? 5;
  const { neighbours, minAgreement, marginal } = request;
  const common = { targetPrecision, minSupport: request.minSupport, z: zOf(confidence), marginal, seed: request.seed, epochs: request.epochs, signal };
  const { rows, cols, data } = embeddings;
  let fit: { head: AssistHead; threshold: ThresholdChoice; metrics: { loss: number; epochs: number; trainMs: number }; unlabeled?: Float32Array };
  // Label spreading: multi-class out-of-fold only (a holdout split has no folds to hide).
  const extra = request.propagation && request.kind === 'multiclass' && folds >= 2 ? request.unlabeled : undefined;
  if (extra && (extra.cols !== cols || extra.data.length < extra.rows * extra.cols))
    throw new LabelkitError('E_INVALID_ARGUMENT', `The unlabeled rows must be ${cols} wide like the labeled ones (got ${extra.rows}×${extra.cols}, ${extra.data.length} values).`);
  /** What the training run reports of the split, and what the validation run reports of the check. */
  let split: Record<string, number>;
  let check: Record<string, number | string>;
  if (folds >= 2) {
    const cv = await fitHeadCV(data, rows, cols, request.targets, request.classes, request.kind, {
      ...common,
      folds,
      calibrate: request.calibrate,
      gated: request.gated,
      neighbours,
      minAgreement,
      ...(extra ? { unlabeled: extra.data.subarray(0, extra.rows * extra.cols), propagation: request.propagation } : {}),
    });
    const m = cv.metrics;
    fit = cv;
    split = { trainRows: m.rows, folds: m.folds };
    check = {
      method: `${m.folds}-fold out-of-fold`,
      calibrationRows: m.calibrationRows,
      oofAccuracy: m.oofAccuracy,
      targetPrecision,
      confidence,
      ...(neighbours ? { neighbours, minAgreement: minAgreement ?? 0.5 } : {}),
      ...(marginal ? { marginal } : {}),
      ...(cv.unlabeled ? { propagated: extra!.rows, propagationWeight: request.propagation!.weight ?? 0.25 } : {}),
    };
  } else {
    const ho = await fitHead(data, rows, cols, request.targets, request.classes, request.kind, { ...common, holdout: request.holdout });
    const m = ho.metrics;
    fit = ho;
    split = { trainRows: m.trainRows };
    check = { method: 'holdout', holdoutRows: m.holdoutRows, holdoutAccuracy: m.holdoutAccuracy, targetPrecision };
  }
  const th = fit.threshold;
  const m = fit.metrics;
  const training = runRecord('training', 'cpu', startedAt, { train: m.trainMs }, { kind: request.kind, classes: request.classes, ...split, loss: m.loss, epochs: m.epochs });
  const validation = runRecord(
    'validation',
    'cpu',
    training.finishedAt,
    {},
    {
      ...check,
      threshold: th.threshold,
      precision: th.precision,
      lowerBound: th.lowerBound ?? th.precision,
      support: th.support,
      coverage: th.coverage,
    },
  );
  const scores = fit.unlabeled ? { unlabeled: { rows: fit.unlabeled.length / request.classes, cols: request.classes, data: fit.unlabeled } } : {};
  return { head: fit.head, threshold: th, training, validation, ...scores };
}
