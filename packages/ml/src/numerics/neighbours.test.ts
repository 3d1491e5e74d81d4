import { describe, expect, it } from 'vitest';
import { fitHeadCV, prelabelsFromProbs } from './fit.js';
import { predictHead } from './head.js';
import { neighbourVotes, unitRows } from './neighbours.js';
import { mulberry32 } from './random.js';

/**
 * Three classes a linear head gets confidently wrong in one place: class 0 around (−4, 0) with a
 * fifth of it around (+4, 0), class 1 around (0, 0), class 2 around (0, 4); the other dims noise.
 * The head calls the (+4, 0) group class 1 — most confidently of all — while its neighbours are right.
 */
function split(n: number, seed: number, d = 4) {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  const centers = [
    [-4, 0],
    [0, 0],
    [0, 4],
    [4, 0],
  ];
  for (let i = 0; i < n; i++) {
    const u = r();
    const group = u < 0.3 ? 0 : u < 0.38 ? 3 : u < 0.69 ? 1 : 2;
    y[i] = group === 3 ? 0 : group;
    for (let p = 0; p < d; p++) x[i * d + p] = (centers[group]![p] ?? 0) + gauss() * 0.6;
  }
  return { x, y, d };
}

describe('neighbour votes', () => {
  it('are the shares of the k nearest pool rows by cosine, in the standardized space', () => {
    const d = 2;
    const pool = Float32Array.from([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9, -1, 0]);
    const classes = [0, 0, 1, 1, 2];
    const unit = unitRows(pool, 5, d, new Float32Array(d), new Float32Array(d).fill(1));
    const query = unitRows(Float32Array.from([2, 0.05, 0, -3]), 2, d, new Float32Array(d), new Float32Array(d).fill(1));
    const votes = neighbourVotes(query, 2, unit, 5, d, classes, 3, 2);
    expect(Array.from(votes.subarray(0, 3))).toEqual([1, 0, 0]);
    // (0, −1) is equally far from (1, 0) and (−1, 0) by angle; its 2 nearest share two classes.
    expect(votes[3]! + votes[4]! + votes[5]!).toBeCloseTo(1, 6);
    // Fewer pool rows than k: all of them vote.
    const all = neighbourVotes(query, 2, unit, 5, d, classes, 3, 50);
    expect(Array.from(all.subarray(0, 3), (v) => Math.round(v * 5))).toEqual([2, 2, 1]);
  });
});

describe('the neighbours gate on out-of-fold calibration', () => {
  it('raises coverage at the bound where the head alone is confidently wrong, and its prelabels still reach the target', async () => {
    const { x, y, d } = split(400, 3);
    const test = split(2000, 4);
    const common = { targetPrecision: 0.95, minSupport: 10, z: 1.6449, folds: 5, seed: 1 } as const;
    const shown = async (neighbours: number) => {
      const fit = await fitHeadCV(x, 400, d, y, 3, 'multiclass', { ...common, neighbours });
      if (fit.threshold.threshold === null) return { count: 0, precision: 1 };
      const probs = predictHead(fit.head, test.x, 2000);
      const unit = unitRows(x, 400, d, fit.head.mean, fit.head.invStd);
      const query = unitRows(test.x, 2000, d, fit.head.mean, fit.head.invStd);
      const agreement = neighbours ? { votes: neighbourVotes(query, 2000, unit, 400, d, y, 3, neighbours), min: 0.5 } : undefined;
      const pre = prelabelsFromProbs('multiclass', probs, 2000, 3, fit.threshold.threshold, undefined, agreement);
      if (agreement) for (const p of pre) expect(agreement.votes[p.row * 3 + p.classes[0]!]).toBeGreaterThanOrEqual(0.5);
      return { count: pre.length, precision: pre.filter((p) => p.classes[0] === test.y[p.row]).length / pre.length };
    };
    const head = await shown(0);
    const gated = await shown(10);
    expect(gated.count).toBeGreaterThan(head.count + 200);
    expect(gated.precision).toBeGreaterThanOrEqual(0.95);
  });

  it('never prelabels an item whose neighbours do not back its class, and is deterministic', async () => {
    const { x, y, d } = split(300, 5);
    const options = { targetPrecision: 0.9, minSupport: 10, z: 1.6449, folds: 5, seed: 2, neighbours: 7, minAgreement: 0.6 } as const;
    const a = await fitHeadCV(x, 300, d, y, 3, 'multiclass', options);
    const b = await fitHeadCV(x, 300, d, y, 3, 'multiclass', options);
    expect(b.threshold).toEqual(a.threshold);
    expect(Array.from(b.head.weights)).toEqual(Array.from(a.head.weights));
    const probs = predictHead(a.head, x, 300);
    // Votes that back nobody's prediction: every row's neighbours name a class the head does not pick.
    const votes = new Float32Array(300 * 3);
    for (let i = 0; i < 300; i++) {
      let best = 0;
      for (let c = 1; c < 3; c++) if (probs[i * 3 + c]! > probs[i * 3 + best]!) best = c;
      votes[i * 3 + ((best + 1) % 3)] = i % 2 ? 1 : 0.7;
      votes[i * 3 + best] = i % 2 ? 0 : 0.3;
    }
    expect(prelabelsFromProbs('multiclass', probs, 300, 3, 0, undefined, { votes, min: 0.6 })).toEqual([]);
    expect(prelabelsFromProbs('multiclass', probs, 300, 3, 0, undefined, { votes, min: 0.3 }).length).toBe(150);
  });
});
