import { LabelkitError } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { fitHeadCV } from './fit.js';
import { predictHead, trainHead } from './head.js';
import { mulberry32 } from './random.js';
import { spreadGraph, spreadLabels, spreadOutOfFold } from './propagate.js';

/** Two interleaved half-circles (scikit-learn's make_moons) with Gaussian noise: class 0 on top, class 1 below. */
function moons(n: number, seed: number, noise = 0.06) {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const xy = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.PI * r();
    y[i] = i % 2;
    xy[i * 2] = (y[i] ? 1 - Math.cos(t) : Math.cos(t)) + gauss() * noise;
    xy[i * 2 + 1] = (y[i] ? 0.5 - Math.sin(t) : Math.sin(t)) + gauss() * noise;
  }
  return { xy, y };
}

/**
 * The plane lifted onto a sphere cap — (x, y, h) scaled to unit length — so that cosine
 * neighbours are the plane's neighbours (the graph's metric is cosine).
 */
function lifted(xy: Float32Array, n: number, h = 3): Float32Array {
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = xy[i * 2]! - 0.5;
    const b = xy[i * 2 + 1]! - 0.25;
    const s = Math.hypot(a, b, h);
    out.set([a / s, b / s, h / s], i * 3);
  }
  return out;
}

function argmax(p: Float32Array, i: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (p[i * classes + c]! > p[i * classes + best]!) best = c;
  return best;
}

/**
 * Two classes in XOR sectors around the origin (class 0 in the first and third quadrants, class 1
 * in the second and fourth), gaps between sectors: no line separates them, cosine neighbours do.
 */
function sectors(n: number, seed: number) {
  const r = mulberry32(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const q = i % 4;
    const angle = ((q * 90 + 8 + r() * 74) * Math.PI) / 180;
    const radius = 0.5 + r();
    x[i * 2] = radius * Math.cos(angle);
    x[i * 2 + 1] = radius * Math.sin(angle);
    y[i] = q % 2;
  }
  return { x, y };
}

describe('label spreading', () => {
  it('recovers two moons from one label per moon, which a linear head trained on ten per moon misses', async () => {
    const n = 400;
    const { xy, y } = moons(n, 3);
    const seeds = new Int32Array(n).fill(-1);
    // One labeled point per moon, at the tip that reaches into the other moon's hollow.
    let tip0 = -1;
    let tip1 = -1;
    for (let i = 0; i < n; i++) {
      if (y[i] === 0 && (tip0 < 0 || xy[i * 2]! > xy[tip0 * 2]!)) tip0 = i;
      if (y[i] === 1 && (tip1 < 0 || xy[i * 2]! < xy[tip1 * 2]!)) tip1 = i;
    }
    seeds[tip0] = 0;
    seeds[tip1] = 1;
    const spread = spreadLabels(spreadGraph(lifted(xy, n), n, 3, 8), seeds, 2, { alpha: 0.99, iterations: 500 });
    let spreadRight = 0;
    for (let i = 0; i < n; i++) spreadRight += argmax(spread, i, 2) === y[i] ? 1 : 0;
    // The head gets 20 labels (the first ten of each moon) and still cuts the moons with a line.
    const rows = Array.from({ length: 20 }, (_, k) => k);
    const head = (
      await trainHead(
        xy.slice(0, 40),
        20,
        2,
        Int32Array.from(rows, (i) => y[i]!),
        2,
        'multiclass',
      )
    ).head;
    const probs = predictHead(head, xy, n);
    let headRight = 0;
    for (let i = 0; i < n; i++) headRight += argmax(probs, i, 2) === y[i] ? 1 : 0;
    expect(spreadRight / n).toBeGreaterThan(0.97);
    expect(headRight / n).toBeLessThan(0.92);
  });

  it('gives a node no seed reaches an even share, and shares that sum to 1', () => {
    // Two far-apart pairs: only the first pair has a seed.
    const unit = Float32Array.from([1, 0, 0.99, 0.141, -1, 0, -0.99, -0.141]);
    const graph = spreadGraph(unit, 4, 2, 1);
    const f = spreadLabels(graph, Int32Array.from([1, -1, -1, -1]), 3);
    expect(argmax(f, 1, 3)).toBe(1);
    for (let i = 0; i < 4; i++) expect(f[i * 3]! + f[i * 3 + 1]! + f[i * 3 + 2]!).toBeCloseTo(1, 5);
    expect(Array.from(f.subarray(6, 9))).toEqual([1 / 3, 1 / 3, 1 / 3].map(Math.fround));
  });

  it("scores a row out of fold without its own label: flipping it leaves the row's score unchanged", () => {
    const n = 200;
    const { xy, y } = moons(n, 9);
    const graph = spreadGraph(lifted(xy, n), n, 3, 8);
    const labeled = 60;
    const targets = Int32Array.from(y.subarray(0, labeled));
    const fold = Int32Array.from({ length: labeled }, (_, i) => i % 5);
    const before = spreadOutOfFold(graph, targets, fold, 5, 2);
    for (const row of [0, 7, 33]) {
      const flipped = Int32Array.from(targets);
      flipped[row] = 1 - flipped[row]!;
      const after = spreadOutOfFold(graph, flipped, fold, 5, 2);
      expect(Array.from(after.subarray(row * 2, row * 2 + 2))).toEqual(Array.from(before.subarray(row * 2, row * 2 + 2)));
      // Nor any row of its fold; rows of other folds do see it.
      for (let i = 0; i < labeled; i++) if (fold[i] === fold[row]) expect(after[i * 2]).toBe(before[i * 2]);
      let moved = 0;
      for (let i = 0; i < labeled; i++) if (fold[i] !== fold[row]) moved += Math.abs(after[i * 2]! - before[i * 2]!);
      expect(moved).toBeGreaterThan(0);
    }
  });

  it('lets the threshold cover a structure the head alone cannot, and scores the unlabeled rows the same way', async () => {
    const labeled = 120;
    const u = 600;
    const { x, y } = sectors(labeled + u, 4);
    const options = { folds: 5, z: 1.645, minSupport: 10, seed: 1 };
    const alone = await fitHeadCV(x, labeled, 2, y.subarray(0, labeled), 2, 'multiclass', { ...options, unlabeled: x.subarray(labeled * 2) });
    const spread = await fitHeadCV(x, labeled, 2, y.subarray(0, labeled), 2, 'multiclass', { ...options, unlabeled: x.subarray(labeled * 2), propagation: {} });
    // The head alone is no better than a coin on XOR: no threshold; with the spreading, most rows.
    expect(alone.threshold.threshold).toBeNull();
    expect(alone.unlabeled).toBeUndefined();
    expect(spread.threshold.threshold).not.toBeNull();
    expect(spread.threshold.coverage).toBeGreaterThan(0.8);
    const scores = spread.unlabeled!;
    expect(scores.length).toBe(u * 2);
    let kept = 0;
    let right = 0;
    for (let i = 0; i < u; i++) {
      const c = argmax(scores, i, 2);
      if (scores[i * 2 + c]! < spread.threshold.threshold!) continue;
      kept++;
      right += c === y[labeled + i] ? 1 : 0;
    }
    expect(kept).toBeGreaterThan(u * 0.7);
    expect(right / kept).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects bad input with a LabelkitError', async () => {
    const unit = Float32Array.from([1, 0, 0, 1]);
    const graph = spreadGraph(unit, 2, 2, 1);
    expect(() => spreadGraph(unit, 2, 2, 0)).toThrow(LabelkitError);
    expect(() => spreadGraph(unit, 3, 2, 1)).toThrow(LabelkitError);
    expect(() => spreadLabels(graph, Int32Array.from([0]), 2)).toThrow(LabelkitError);
    expect(() => spreadLabels(graph, Int32Array.from([0, 5]), 2)).toThrow(LabelkitError);
    expect(() => spreadLabels(graph, Int32Array.from([0, -1]), 2, { alpha: 1 })).toThrow(LabelkitError);
    expect(() => spreadOutOfFold(graph, Int32Array.from([0, 1, 1]), Int32Array.from([0, 1]), 2, 2)).toThrow(LabelkitError);
    const { x, y } = sectors(40, 1);
    const fit = (propagation: { weight?: number }, unlabeled: Float32Array) => fitHeadCV(x, 20, 2, y.subarray(0, 20), 2, 'multiclass', { folds: 2, unlabeled, propagation });
    await expect(fit({ weight: 2 }, x.subarray(40))).rejects.toThrow(LabelkitError);
    await expect(fit({}, x.subarray(40, 43))).rejects.toThrow(LabelkitError);
  });
});
