import { LabelkitError } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { fitHead, prelabelsFromProbs, splitHoldout } from './fit.js';
import { predictHead, trainHead } from './head.js';
import { blobs } from '../../test/blobs.js';
import { chooseThreshold } from './threshold.js';

describe('chooseThreshold', () => {
  it('picks the lowest confidence whose kept predictions reach the target precision', () => {
    // Sorted by confidence: 0.99 ✓, 0.95 ✓, 0.9 ✓, 0.8 ✗, 0.7 ✓, 0.6 ✗
    const conf = [0.7, 0.99, 0.6, 0.9, 0.95, 0.8];
    const ok = [1, 1, 0, 1, 1, 0];
    // ≥0.9: 3/3; ≥0.8: 3/4 = 0.75; ≥0.7: 4/5 = 0.8; ≥0.6: 4/6.
    expect(chooseThreshold(conf, ok, { targetPrecision: 0.8, minSupport: 1 })).toEqual({ threshold: 0.7, precision: 0.8, support: 5, coverage: 5 / 6 });
    expect(chooseThreshold(conf, ok, { targetPrecision: 0.95, minSupport: 1 }).threshold).toBe(0.9);
  });

  it('needs enough support: none qualifies → null, and reports how close the best came', () => {
    const r = chooseThreshold([0.99, 0.98, 0.5], [1, 1, 0], { targetPrecision: 0.95, minSupport: 3 });
    expect(r.threshold).toBeNull();
    expect(r.support).toBe(3);
    expect(r.precision).toBeCloseTo(2 / 3);
    expect(chooseThreshold([], [], {}).threshold).toBeNull();
  });

  it('with `marginal`, the least confident part of what a threshold keeps must reach the target too', () => {
    // 50 right at 0.99 … 0.50, then 10 at 0.49 … 0.40 of which 0.47, 0.44, 0.41 wrong: all 60 are 57/60 = 95 % right.
    const conf = Array.from({ length: 60 }, (_, i) => 0.99 - i * 0.01);
    const ok = conf.map((_, i) => (i < 50 || ![2, 5, 8].includes(i % 10) ? 1 : 0));
    expect(chooseThreshold(conf, ok, { targetPrecision: 0.95, minSupport: 10 }).threshold).toBeCloseTo(0.4, 6);
    // The lowest quarter (15) of those 60 is 12/15 right; every band that holds 0.47 is under 95 %;
    // down to 0.48 (52 kept), the lowest 13 are all right.
    const r = chooseThreshold(conf, ok, { targetPrecision: 0.95, minSupport: 10, marginal: 0.25 });
    expect(r.threshold).toBeCloseTo(0.48, 6);
    expect(r.support).toBe(52);
  });

  it('treats equal confidences as one step', () => {
    // Both 0.9s must be in or out together: ≥0.9 gives 1/2.
    expect(chooseThreshold([0.9, 0.9, 0.95], [1, 0, 1], { targetPrecision: 0.9, minSupport: 1 }).threshold).toBe(0.95);
  });
});

describe('heads', () => {
  it('a softmax head separates blobs and its probabilities sum to 1', async () => {
    const { x, truth } = blobs(600, 20, 4, 11, 1);
    const r = await trainHead(x, 600, 20, truth, 4, 'multiclass');
    const probs = predictHead(r.head, x, 600);
    let hits = 0;
    for (let i = 0; i < 600; i++) {
      let best = 0;
      let sum = 0;
      for (let c = 0; c < 4; c++) {
        sum += probs[i * 4 + c];
        if (probs[i * 4 + c] > probs[i * 4 + best]) best = c;
      }
      expect(sum).toBeCloseTo(1, 5);
      hits += best === truth[i] ? 1 : 0;
    }
    expect(hits / 600).toBeGreaterThan(0.98);
  });

  it('a sigmoid-per-class head learns independent labels (multi-label)', async () => {
    const n = 400;
    const d = 6;
    const x = new Float32Array(n * d);
    const y = new Uint8Array(n * 2);
    let seed = 1;
    const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < d; p++) x[i * d + p] = r() * 2 - 1;
      y[i * 2] = x[i * d] > 0 ? 1 : 0; // label 0: first feature positive
      y[i * 2 + 1] = x[i * d + 1] + x[i * d + 2] > 0 ? 1 : 0; // label 1: independent of label 0
    }
    const trained = await trainHead(x, n, d, y, 2, 'multilabel', { epochs: 400 });
    const probs = predictHead(trained.head, x, n);
    let hits = 0;
    for (let i = 0; i < n * 2; i++) hits += (probs[i] > 0.5 ? 1 : 0) === y[i] ? 1 : 0;
    expect(hits / (n * 2)).toBeGreaterThan(0.95);
  });

  it('rejects targets that do not fit', async () => {
    await expect(trainHead(new Float32Array(4), 2, 2, Int32Array.from([0, 5]), 3, 'multiclass')).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_INVALID_ARGUMENT'));
    await expect(trainHead(new Float32Array(4), 2, 2, new Uint8Array(3), 3, 'multilabel')).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_INVALID_ARGUMENT'));
  });
});

describe('fitHead (train + validate)', () => {
  it('holds out part of every class', () => {
    const targets = Int32Array.from({ length: 50 }, (_, i) => i % 5);
    const { train, holdout } = splitHoldout('multiclass', targets, 50, 5, 0.2, 1);
    expect(train.length + holdout.length).toBe(50);
    expect(new Set(Array.from(holdout, (i) => targets[i])).size).toBe(5);
    expect(holdout.length).toBe(10);
  });

  it('on separable data, picks a threshold that reaches the target and prelabels confidently', async () => {
    const { x, truth } = blobs(500, 16, 5, 12, 0.8);
    const fit = await fitHead(x, 500, 16, truth, 5, 'multiclass', { targetPrecision: 0.95, minSupport: 10 });
    expect(fit.threshold.threshold).not.toBeNull();
    expect(fit.threshold.precision).toBeGreaterThanOrEqual(0.95);
    expect(fit.metrics.holdoutRows).toBe(100);
    const probs = predictHead(fit.head, x, 500);
    const pre = prelabelsFromProbs('multiclass', probs, 500, 5, fit.threshold.threshold!);
    const right = pre.filter((p) => p.classes[0] === truth[p.row]).length;
    expect(pre.length).toBeGreaterThan(400);
    expect(right / pre.length).toBeGreaterThan(0.95);
  });

  it('on labels that carry no signal, no threshold reaches the target: no prelabels this round', async () => {
    const { x } = blobs(300, 8, 3, 13, 1);
    const noise = Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 3);
    const fit = await fitHead(x, 300, 8, noise, 3, 'multiclass', { targetPrecision: 0.95, minSupport: 10 });
    expect(fit.threshold.threshold).toBeNull();
  });
});
