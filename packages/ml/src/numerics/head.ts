// A linear head on embeddings: softmax for multi-class, a sigmoid per class for multi-label.
// Features are standardized with the training rows' mean and spread; full-batch Adam with L2.
import { LabelkitError, throwIfAborted, type AssistHead, type HeadKind } from '@labelkit/core';
import { yieldToEventLoop } from './random.js';

/** A trained head: plain typed arrays, so it can be transferred, stored and reloaded (the core port's type). */
export type Head = AssistHead;
export type { HeadKind };

/**
 * Targets: for 'multiclass' the class index of each row (Int32Array of n); for 'multilabel' an
 * n×classes 0/1 matrix (Uint8Array).
 */
export type HeadTargets = Int32Array | Uint8Array;

export interface HeadTrainOptions {
  /** Most full-batch epochs (default 300); training stops earlier once the loss settles. */
  readonly epochs?: number;
  readonly learningRate?: number;
  /** L2 penalty on the weights (default 1e-2). */
  readonly l2?: number;
  readonly signal?: AbortSignal;
}

export interface HeadTrainResult {
  readonly head: Head;
  readonly loss: number;
  readonly epochs: number;
  readonly ms: number;
}

function checkTargets(kind: HeadKind, targets: HeadTargets, n: number, classes: number): void {
  if (kind === 'multiclass') {
    if (targets.length !== n) throw new LabelkitError('E_INVALID_ARGUMENT', `A multi-class head needs one class index per row (${n}); got ${targets.length}.`);
    for (let i = 0; i < n; i++) {
      if (!(targets[i]! >= 0 && targets[i]! < classes)) throw new LabelkitError('E_INVALID_ARGUMENT', `Row ${i} has class ${targets[i]}, outside 0..${classes - 1}.`, { row: i });
    }
  } else if (targets.length !== n * classes) {
    throw new LabelkitError('E_INVALID_ARGUMENT', `A multi-label head needs an n×classes 0/1 matrix (${n * classes} values); got ${targets.length}.`);
  }
}

function standardizer(x: Float32Array, n: number, d: number): { mean: Float32Array; invStd: Float32Array } {
  const mean = new Float32Array(d);
  const invStd = new Float32Array(d);
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let p = 0; p < d; p++) {
      const v = x[o + p]!;
      sum[p]! += v;
      sq[p]! += v * v;
    }
  }
  for (let p = 0; p < d; p++) {
    const m = sum[p]! / n;
    const variance = Math.max(0, sq[p]! / n - m * m);
    mean[p] = m;
    invStd[p] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
  }
  return { mean, invStd };
}

function standardize(x: Float32Array, n: number, d: number, mean: Float32Array, invStd: Float32Array): Float32Array {
  const z = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let p = 0; p < d; p++) z[o + p] = (x[o + p]! - mean[p]!) * invStd[p]!;
  }
  return z;
}

/** Logits of standardized row `zo` of `z` into `out` (classes blocked by 4, so each feature is loaded once per block). */
function logits(z: Float32Array, zo: number, d: number, classes: number, w: Float32Array, b: Float32Array, out: Float64Array): void {
  let c = 0;
  for (; c + 4 <= classes; c += 4) {
    const w0 = c * d;
    const w1 = w0 + d;
    const w2 = w1 + d;
    const w3 = w2 + d;
    let s0 = b[c]!;
    let s1 = b[c + 1]!;
    let s2 = b[c + 2]!;
    let s3 = b[c + 3]!;
    for (let p = 0; p < d; p++) {
      const v = z[zo + p]!;
      s0 += v * w[w0 + p]!;
      s1 += v * w[w1 + p]!;
      s2 += v * w[w2 + p]!;
      s3 += v * w[w3 + p]!;
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  for (; c < classes; c++) {
    const w0 = c * d;
    let s = b[c]!;
    for (let p = 0; p < d; p++) s += z[zo + p]! * w[w0 + p]!;
    out[c] = s;
  }
}

/** Turns logits into probabilities in place: softmax (multi-class) or a sigmoid per class. */
function activate(kind: HeadKind, s: Float64Array, classes: number): void {
  if (kind === 'multiclass') {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (s[c]! > max) max = s[c]!;
    let total = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(s[c]! - max);
      s[c] = e;
      total += e;
    }
    for (let c = 0; c < classes; c++) s[c]! /= total;
  } else {
    for (let c = 0; c < classes; c++) s[c] = 1 / (1 + Math.exp(-s[c]!));
  }
}

/** Writes class probabilities (n×classes) for standardized rows `z` into `out`. */
function forward(kind: HeadKind, z: Float32Array, n: number, d: number, classes: number, w: Float32Array, b: Float32Array, out: Float32Array): void {
  const s = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    logits(z, i * d, d, classes, w, b, s);
    activate(kind, s, classes);
    for (let c = 0; c < classes; c++) out[i * classes + c] = s[c]!;
  }
}

/**
 * One pass over the rows: the loss (before the penalty) and its gradient, (p − y)/n ⊗ z for both
 * softmax cross-entropy and per-class binary cross-entropy, added into `gw`, `gb` (zeroed first).
 * Each row is read once for its logits and once, still in cache, for its gradient.
 */
function lossAndGradient(
  kind: HeadKind,
  z: Float32Array,
  y: Float32Array,
  n: number,
  d: number,
  classes: number,
  w: Float32Array,
  b: Float32Array,
  gw: Float32Array,
  gb: Float32Array,
): number {
  const s = new Float64Array(classes);
  let loss = 0;
  gw.fill(0);
  gb.fill(0);
  for (let i = 0; i < n; i++) {
    const zo = i * d;
    const yo = i * classes;
    logits(z, zo, d, classes, w, b, s);
    activate(kind, s, classes);
    for (let c = 0; c < classes; c++) {
      const p = Math.fround(s[c]!);
      const t = y[yo + c]!;
      if (kind === 'multiclass') {
        if (t) loss -= Math.log(Math.max(p, 1e-12));
      } else {
        loss -= t ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
      }
      s[c] = (p - t) / n;
      gb[c]! += s[c]!;
    }
    let c = 0;
    for (; c + 4 <= classes; c += 4) {
      const w0 = c * d;
      const w1 = w0 + d;
      const w2 = w1 + d;
      const w3 = w2 + d;
      const g0 = s[c]!;
      const g1 = s[c + 1]!;
      const g2 = s[c + 2]!;
      const g3 = s[c + 3]!;
      for (let q = 0; q < d; q++) {
        const v = z[zo + q]!;
        gw[w0 + q]! += g0 * v;
        gw[w1 + q]! += g1 * v;
        gw[w2 + q]! += g2 * v;
        gw[w3 + q]! += g3 * v;
      }
    }
    for (; c < classes; c++) {
      const w0 = c * d;
      const g = s[c]!;
      if (g === 0) continue;
      for (let q = 0; q < d; q++) gw[w0 + q]! += g * z[zo + q]!;
    }
  }
  return loss;
}

/** Trains a head on n×d embeddings. */
export async function trainHead(
  x: Float32Array,
  n: number,
  d: number,
  targets: HeadTargets,
  classes: number,
  kind: HeadKind,
  options: HeadTrainOptions = {},
): Promise<HeadTrainResult> {
  if (n < 1) throw new LabelkitError('E_INVALID_ARGUMENT', 'Training needs at least one labeled row.');
  if (classes < 1) throw new LabelkitError('E_INVALID_ARGUMENT', 'Training needs at least one class.');
  checkTargets(kind, targets, n, classes);
  const t0 = performance.now();
  const maxEpochs = options.epochs ?? 300;
  const lr = options.learningRate ?? 0.05;
  const l2 = options.l2 ?? 1e-2;
  const { mean, invStd } = standardizer(x, n, d);
  const z = standardize(x, n, d, mean, invStd);
  const y = new Float32Array(n * classes);
  if (kind === 'multiclass') for (let i = 0; i < n; i++) y[i * classes + targets[i]!] = 1;
  else y.set(targets);

  const w = new Float32Array(classes * d);
  const b = new Float32Array(classes);
  const gw = new Float32Array(classes * d);
  const gb = new Float32Array(classes);
  const mw = new Float32Array(classes * d);
  const vw = new Float32Array(classes * d);
  const mb = new Float32Array(classes);
  const vb = new Float32Array(classes);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let loss = Infinity;
  let epoch = 0;
  let settled = 0;
  for (; epoch < maxEpochs; epoch++) {
    let nextLoss = lossAndGradient(kind, z, y, n, d, classes, w, b, gw, gb);
    let penalty = 0;
    for (let q = 0; q < w.length; q++) {
      penalty += w[q]! * w[q]!;
      gw[q]! += l2 * w[q]!;
    }
    nextLoss = nextLoss / n + 0.5 * l2 * penalty;
    settled = Math.abs(loss - nextLoss) <= 1e-6 * Math.max(1, Math.abs(nextLoss)) ? settled + 1 : 0;
    loss = nextLoss;
    if (settled >= 5) break;
    const c1 = 1 - Math.pow(beta1, epoch + 1);
    const c2 = 1 - Math.pow(beta2, epoch + 1);
    for (let q = 0; q < w.length; q++) {
      const g = gw[q]!;
      mw[q] = beta1 * mw[q]! + (1 - beta1) * g;
      vw[q] = beta2 * vw[q]! + (1 - beta2) * g * g;
      w[q]! -= (lr * (mw[q]! / c1)) / (Math.sqrt(vw[q]! / c2) + 1e-8);
    }
    for (let c = 0; c < classes; c++) {
      const g = gb[c]!;
      mb[c] = beta1 * mb[c]! + (1 - beta1) * g;
      vb[c] = beta2 * vb[c]! + (1 - beta2) * g * g;
      b[c]! -= (lr * (mb[c]! / c1)) / (Math.sqrt(vb[c]! / c2) + 1e-8);
    }
    if (options.signal && epoch % 25 === 24) {
      await yieldToEventLoop();
      throwIfAborted(options.signal);
    }
  }
  return { head: { kind, dim: d, classes, mean, invStd, weights: w, bias: b }, loss, epochs: epoch, ms: performance.now() - t0 };
}

/** Class probabilities (n×classes) of a head on n×dim embeddings. */
export function predictHead(head: Head, x: Float32Array, n: number): Float32Array {
  if (x.length < n * head.dim) throw new LabelkitError('E_INVALID_ARGUMENT', `The embeddings hold ${x.length} values, fewer than ${n}×${head.dim}.`);
  const z = standardize(x, n, head.dim, head.mean, head.invStd);
  const out = new Float32Array(n * head.classes);
  forward(head.kind, z, n, head.dim, head.classes, head.weights, head.bias, out);
  return out;
}
