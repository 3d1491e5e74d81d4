// Training with validation: hold out part of the labeled rows, train the head on the rest, and
// choose the prelabel threshold on the held-out rows.
import { LabelkitError } from '@labelkit/core';
import { type Head, type HeadKind, type HeadTargets, type HeadTrainOptions, predictHead, trainHead } from './head.js';
import { neighbourVotes, unitRows } from './neighbours.js';
import { type SpreadOptions, spreadGraph, spreadLabels, spreadOutOfFold } from './propagate.js';
import { mulberry32 } from './random.js';
import { type ThresholdChoice, type ThresholdOptions, chooseThreshold } from './threshold.js';

export interface FitOptions extends HeadTrainOptions, ThresholdOptions {
  /** Share of labeled rows held out for validation (default 0.2). */
  readonly holdout?: number;
  readonly seed?: number;
}

export interface FitMetrics {
  readonly trainRows: number;
  readonly holdoutRows: number;
  /** Multi-class: top-1 accuracy on the held-out rows; multi-label: accuracy of the 0.5 cut per (row, class). */
  readonly holdoutAccuracy: number;
  readonly loss: number;
  readonly epochs: number;
  readonly trainMs: number;
}

export interface FitResult {
  readonly head: Head;
  readonly threshold: ThresholdChoice;
  readonly metrics: FitMetrics;
}

/** Splits rows into train and held-out, per class for multi-class so every class is in both where it can be. */
export function splitHoldout(kind: HeadKind, targets: HeadTargets, n: number, classes: number, share: number, seed: number): { train: Int32Array; holdout: Int32Array } {
  const rand = mulberry32(seed);
  const groups: number[][] = kind === 'multiclass' ? Array.from({ length: classes }, () => []) : [[]];
  for (let i = 0; i < n; i++) groups[kind === 'multiclass' ? targets[i]! : 0]!.push(i);
  const train: number[] = [];
  const holdout: number[] = [];
  for (const g of groups) {
    for (let i = g.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [g[i], g[j]] = [g[j]!, g[i]!];
    }
    // A class with a single row trains; otherwise at least one row of it is held out.
    const h = g.length < 2 ? 0 : Math.max(1, Math.round(g.length * share));
    holdout.push(...g.slice(0, h));
    train.push(...g.slice(h));
  }
  train.sort((a, b) => a - b);
  holdout.sort((a, b) => a - b);
  return { train: Int32Array.from(train), holdout: Int32Array.from(holdout) };
}

function gather(x: Float32Array, d: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) out.set(x.subarray(rows[r]! * d, rows[r]! * d + d), r * d);
  return out;
}

function gatherTargets(kind: HeadKind, targets: HeadTargets, classes: number, rows: Int32Array): HeadTargets {
  if (kind === 'multiclass') return Int32Array.from(rows, (r) => targets[r]!);
  const out = new Uint8Array(rows.length * classes);
  for (let r = 0; r < rows.length; r++) out.set(targets.subarray(rows[r]! * classes, rows[r]! * classes + classes), r * classes);
  return out;
}

/**
 * The neighbours' gate on multi-class predictions: each row's class votes from its labeled
 * neighbours (n×classes shares), and the share the predicted class needs.
 */
export interface Agreement {
  readonly votes: Float32Array;
  readonly min: number;
}

function agrees(agreement: Agreement | undefined, at: number): boolean {
  return !agreement || agreement.votes[at]! >= agreement.min;
}

/** Per-prediction confidence and correctness on held-out rows, as the threshold choice reads them. */
export function validationPairs(
  kind: HeadKind,
  probs: Float32Array,
  targets: HeadTargets,
  n: number,
  classes: number,
  gated?: readonly number[],
  agreement?: Agreement,
): { confidence: Float32Array; correct: Uint8Array } {
  const off = new Uint8Array(classes);
  for (const c of gated ?? []) if (c >= 0 && c < classes) off[c] = 1;
  if (kind === 'multiclass') {
    const confidence: number[] = [];
    const correct: number[] = [];
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
      // A prediction of a gated class, or one its neighbours do not back, is never a prelabel, so it is no candidate either.
      if (off[best] || !agrees(agreement, i * classes + best)) continue;
      confidence.push(probs[i * classes + best]!);
      correct.push(best === targets[i] ? 1 : 0);
    }
    return { confidence: Float32Array.from(confidence), correct: Uint8Array.from(correct) };
  }
  // Multi-label: every (row, class) pair of a class that is not gated is a prediction "row has class".
  const confidence: number[] = [];
  const correct: number[] = [];
  for (let i = 0; i < n * classes; i++) {
    if (off[i % classes]) continue;
    confidence.push(probs[i]!);
    correct.push(targets[i] ? 1 : 0);
  }
  return { confidence: Float32Array.from(confidence), correct: Uint8Array.from(correct) };
}

export async function fitHead(x: Float32Array, n: number, d: number, targets: HeadTargets, classes: number, kind: HeadKind, options: FitOptions = {}): Promise<FitResult> {
  const share = options.holdout ?? 0.2;
  if (!(share > 0 && share < 1)) throw new LabelkitError('E_INVALID_ARGUMENT', `holdout must be between 0 and 1 (got ${share}).`);
  const { train, holdout } = splitHoldout(kind, targets, n, classes, share, options.seed ?? 1);
  if (!train.length || !holdout.length) throw new LabelkitError('E_INVALID_ARGUMENT', `Training needs labeled rows both to train on and to hold out (got ${n}).`, { rows: n });
  const trained = await trainHead(gather(x, d, train), train.length, d, gatherTargets(kind, targets, classes, train), classes, kind, options);
  const holdoutTargets = gatherTargets(kind, targets, classes, holdout);
  const probs = predictHead(trained.head, gather(x, d, holdout), holdout.length);
  const { confidence, correct } = validationPairs(kind, probs, holdoutTargets, holdout.length, classes);
  let hits = 0;
  if (kind === 'multiclass') for (let i = 0; i < correct.length; i++) hits += correct[i]!;
  else for (let i = 0; i < confidence.length; i++) hits += (confidence[i]! >= 0.5 ? 1 : 0) === correct[i] ? 1 : 0;
  const threshold = chooseThreshold(confidence, correct, options);
  return {
    head: trained.head,
    threshold,
    metrics: {
      trainRows: train.length,
      holdoutRows: holdout.length,
      holdoutAccuracy: hits / correct.length,
      loss: trained.loss,
      epochs: trained.epochs,
      trainMs: trained.ms,
    },
  };
}

/**
 * Label spreading on top of the head (multi-class): the score of a row is
 * `(1 − weight) · head + weight · spread`, where `spread` is the labels spread over a k-nearest-
 * neighbour graph of the labeled and the unlabeled rows (numerics/propagate.ts).
 */
export interface PropagationOptions extends SpreadOptions {
  /** Share of the spread labels in the score (default 0.25; 1: the spread labels alone). */
  readonly weight?: number;
}

export interface CrossFitOptions extends HeadTrainOptions, ThresholdOptions {
  /** Folds for out-of-fold predictions (default 5; at least 2). */
  readonly folds?: number;
  /**
   * Rows whose out-of-fold predictions may choose the threshold (1) or not (0); default all. Labels
   * that were accepted or corrected prelabels are a selected sample (the model's confident items):
   * they are measured as realized precision instead.
   */
  readonly calibrate?: Uint8Array;
  /** Classes never predicted (too few labels): their predictions are not prelabels. */
  readonly gated?: readonly number[];
  /**
   * Multi-class: a prediction counts only when at least `minAgreement` of its `neighbours` nearest
   * labeled rows (cosine, in the head's standardized space) carry its class; out of fold, the
   * neighbours come from the other folds. 0 or absent: no such gate.
   */
  readonly neighbours?: number;
  /** Share of the neighbours that must carry the predicted class (default 0.5). */
  readonly minAgreement?: number;
  /**
   * Multi-class: embeddings of unlabeled rows (u×d, the items still to label) for `propagation`:
   * graph nodes the labels spread through. Without `propagation` they are not read.
   */
  readonly unlabeled?: Float32Array;
  /**
   * Multi-class, with `unlabeled`: score rows by the head mixed with label spreading over the
   * labeled and unlabeled rows. Out of fold, each fold's labels are hidden from the spreading (its
   * rows are unlabeled nodes then), so the threshold is chosen on scores that never saw the row's
   * own label, as the head's out-of-fold predictions did not.
   */
  readonly propagation?: PropagationOptions;
  readonly seed?: number;
}

export interface CrossFitMetrics {
  readonly rows: number;
  readonly folds: number;
  /** Rows whose out-of-fold predictions chose the threshold. */
  readonly calibrationRows: number;
  /** Top-1 accuracy (multi-label: of the 0.5 cut per pair) of the out-of-fold predictions on calibration rows. */
  readonly oofAccuracy: number;
  readonly loss: number;
  readonly epochs: number;
  readonly trainMs: number;
}

export interface CrossFitResult {
  readonly head: Head;
  readonly threshold: ThresholdChoice;
  readonly metrics: CrossFitMetrics;
  /**
   * With `propagation`: the scores (u×classes) of the `unlabeled` rows — the head trained on all
   * rows mixed with the spreading of all labels — the same mix the threshold was chosen on.
   */
  readonly unlabeled?: Float32Array;
}

/** Fold of each row: per class (multi-class) in a seeded shuffled order, dealt round-robin. */
export function foldsOf(kind: HeadKind, targets: HeadTargets, n: number, classes: number, folds: number, seed: number): Int32Array {
  const rand = mulberry32(seed);
  const groups: number[][] = kind === 'multiclass' ? Array.from({ length: classes }, () => []) : [[]];
  for (let i = 0; i < n; i++) groups[kind === 'multiclass' ? targets[i]! : 0]!.push(i);
  const out = new Int32Array(n);
  let deal = 0;
  for (const g of groups) {
    for (let i = g.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [g[i], g[j]] = [g[j]!, g[i]!];
    }
    // Continue dealing where the last class stopped, so small classes do not all start at fold 0.
    for (const r of g) out[r] = deal++ % folds;
  }
  return out;
}

/**
 * Trains the head on all rows and chooses its threshold on out-of-fold predictions: k heads, each
 * trained without one fold, predict that fold, so every labeled row is judged by a model that did
 * not see it. The threshold then rests on all the calibration rows rather than a 20 % holdout.
 */
export async function fitHeadCV(
  x: Float32Array,
  n: number,
  d: number,
  targets: HeadTargets,
  classes: number,
  kind: HeadKind,
  options: CrossFitOptions = {},
): Promise<CrossFitResult> {
  const folds = Math.max(2, Math.min(options.folds ?? 5, n));
  if (n < 2) throw new LabelkitError('E_INVALID_ARGUMENT', `Training needs at least two labeled rows (got ${n}).`, { rows: n });
  const fold = foldsOf(kind, targets, n, classes, folds, options.seed ?? 1);
  const oof = new Float32Array(n * classes);
  // The head on all rows first: its standardization (no labels in it) places the neighbours.
  const trained = await trainHead(x.subarray(0, n * d), n, d, targets, classes, kind, options);
  const k = kind === 'multiclass' ? (options.neighbours ?? 0) : 0;
  const unit = k > 0 ? unitRows(x, n, d, trained.head.mean, trained.head.invStd) : undefined;
  const oofVotes = unit ? new Float32Array(n * classes) : undefined;
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    if (!test.length || !train.length) continue;
    const tr = Int32Array.from(train);
    const te = Int32Array.from(test);
    const t = await trainHead(gather(x, d, tr), tr.length, d, gatherTargets(kind, targets, classes, tr), classes, kind, options);
    const probs = predictHead(t.head, gather(x, d, te), te.length);
    for (let r = 0; r < te.length; r++) oof.set(probs.subarray(r * classes, r * classes + classes), te[r]! * classes);
    if (unit && oofVotes) {
      const votes = neighbourVotes(gather(unit, d, te), te.length, gather(unit, d, tr), tr.length, d, gatherTargets(kind, targets, classes, tr), classes, k);
      for (let r = 0; r < te.length; r++) oofVotes.set(votes.subarray(r * classes, r * classes + classes), te[r]! * classes);
    }
  }
  const spread = kind === 'multiclass' && options.propagation && options.unlabeled ? propagate(x, n, d, targets, classes, fold, folds, trained.head, options) : undefined;
  if (spread) mix(oof, spread.oof, spread.weight);
  // Calibration pairs: the out-of-fold predictions of the calibration rows, without gated classes.
  const cal: number[] = [];
  for (let i = 0; i < n; i++) if (!options.calibrate || options.calibrate[i]) cal.push(i);
  const calRows = Int32Array.from(cal);
  const calProbs = gather(oof, classes, calRows);
  const calTargets = gatherTargets(kind, targets, classes, calRows);
  const agreement = oofVotes ? { votes: gather(oofVotes, classes, calRows), min: options.minAgreement ?? 0.5 } : undefined;
  const { confidence, correct } = validationPairs(kind, calProbs, calTargets, calRows.length, classes, options.gated, agreement);
  const plain = validationPairs(kind, calProbs, calTargets, calRows.length, classes);
  let hits = 0;
  for (let i = 0; i < plain.correct.length; i++) hits += kind === 'multiclass' ? plain.correct[i]! : (plain.confidence[i]! >= 0.5 ? 1 : 0) === plain.correct[i] ? 1 : 0;
  const total = plain.correct.length;
  const threshold = chooseThreshold(confidence, correct, options);
  return {
    head: trained.head,
    threshold,
    metrics: { rows: n, folds, calibrationRows: calRows.length, oofAccuracy: total ? hits / total : 0, loss: trained.loss, epochs: trained.epochs, trainMs: trained.ms },
    ...(spread ? { unlabeled: spread.unlabeled } : {}),
  };
}

/** `into ← (1 − weight) · into + weight · spread`, element-wise. */
function mix(into: Float32Array, spread: Float32Array, weight: number): void {
  for (let i = 0; i < into.length; i++) into[i] = (1 - weight) * into[i]! + weight * spread[i]!;
}

/**
 * Label spreading over the labeled rows and `options.unlabeled`: the out-of-fold spreading of the
 * labeled rows (each fold's labels hidden while it is scored) and the mix of the head with the
 * spreading of all labels for the unlabeled rows. The graph is built once, in the head's
 * standardized space (cosine); only the seeds differ from one spreading to the next.
 */
function propagate(
  x: Float32Array,
  n: number,
  d: number,
  targets: HeadTargets,
  classes: number,
  fold: Int32Array,
  folds: number,
  head: Head,
  options: CrossFitOptions,
): { oof: Float32Array; unlabeled: Float32Array; weight: number } {
  const extra = options.unlabeled!; // the caller checked
  const p = options.propagation!;
  const weight = p.weight ?? 0.25;
  if (!(weight >= 0 && weight <= 1)) throw new LabelkitError('E_INVALID_ARGUMENT', `Propagation's weight must be between 0 and 1 (got ${weight}).`);
  if (extra.length % d) throw new LabelkitError('E_INVALID_ARGUMENT', `The unlabeled rows hold ${extra.length} values, not a multiple of the width ${d}.`);
  const u = extra.length / d;
  const all = new Float32Array((n + u) * d);
  all.set(x.subarray(0, n * d));
  all.set(extra, n * d);
  const graph = spreadGraph(unitRows(all, n + u, d, head.mean, head.invStd), n + u, d, p.neighbours ?? 10);
  const oof = spreadOutOfFold(graph, targets as Int32Array, fold, folds, classes, p);
  const seeds = new Int32Array(n + u).fill(-1);
  seeds.set(targets.subarray(0, n));
  const unlabeled = predictHead(head, extra, u);
  mix(unlabeled, spreadLabels(graph, seeds, classes, p).subarray(n * classes), weight);
  return { oof, unlabeled, weight };
}

/** One prelabel: the row and its classes (one for multi-class) with their confidences. */
export interface ScoredPrelabel {
  readonly row: number;
  readonly classes: readonly number[];
  readonly confidences: readonly number[];
}

/** Rows whose predictions reach the threshold (and, with `agreement`, that their neighbours back), with the classes to prelabel. */
export function prelabelsFromProbs(
  kind: HeadKind,
  probs: Float32Array,
  n: number,
  classes: number,
  threshold: number,
  gated?: readonly number[],
  agreement?: Agreement,
): ScoredPrelabel[] {
  const out: ScoredPrelabel[] = [];
  const off = new Uint8Array(classes);
  for (const c of gated ?? []) if (c >= 0 && c < classes) off[c] = 1;
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    if (kind === 'multiclass') {
      let best = 0;
      for (let c = 1; c < classes; c++) if (probs[o + c]! > probs[o + best]!) best = c;
      // The model's best guess is a gated class: no prelabel (not the runner-up, which is likely wrong).
      if (!off[best] && probs[o + best]! >= threshold && agrees(agreement, o + best)) out.push({ row: i, classes: [best], confidences: [probs[o + best]!] });
    } else {
      const cls: number[] = [];
      const conf: number[] = [];
      for (let c = 0; c < classes; c++) {
        if (!off[c] && probs[o + c]! >= threshold) {
          cls.push(c);
          conf.push(probs[o + c]!);
        }
      }
      if (cls.length) out.push({ row: i, classes: cls, confidences: conf });
    }
  }
  return out;
}
