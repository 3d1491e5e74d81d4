// Label spreading (Zhou et al. 2004, "Learning with local and global consistency") on a k-nearest
// neighbour graph of labeled and unlabeled rows: the labels flow along the graph, so a class whose
// items form a curved or stretched cluster (which a linear head cuts wrongly) is followed through
// the unlabeled items that join its labeled ones.
import { LabelkitError } from '@labelkit/core';
import { nearest } from './neighbours.js';

export interface SpreadOptions {
  /** Neighbours per node in the graph (default 10); the graph is their union, made symmetric. */
  readonly neighbours?: number;
  /** How far labels spread (0 < alpha < 1, default 0.9): each step keeps 1 − alpha of the seeds. */
  readonly alpha?: number;
  /** Most iterations of F ← αSF + (1 − α)Y (default 100; it stops once F changes by under 1e-5). */
  readonly iterations?: number;
}

/** A symmetric weighted graph over N nodes, as adjacency lists (CSR), with S = D^−½ W D^−½ weights. */
export interface SpreadGraph {
  readonly nodes: number;
  readonly start: Int32Array;
  readonly to: Int32Array;
  readonly weight: Float32Array;
}

/**
 * The k-nearest-neighbour graph of N unit rows (cosine: `unitRows`): an edge where either row is
 * among the other's k nearest, weighted by a heat kernel exp(−‖a − b‖² / σ²) with σ² the mean
 * squared distance to the k-th neighbour, then normalized symmetrically (D^−½ W D^−½).
 */
export function spreadGraph(unit: Float32Array, n: number, d: number, k: number): SpreadGraph {
  if (!(Number.isInteger(k) && k >= 1)) throw new LabelkitError('E_INVALID_ARGUMENT', `The propagation graph needs at least one neighbour per node (got ${k}).`);
  if (unit.length < n * d) throw new LabelkitError('E_INVALID_ARGUMENT', `The rows hold ${unit.length} values, fewer than ${n}×${d}.`);
  const kk = Math.min(k, n - 1);
  const edges = new Map<number, number>();
  if (kk >= 1) {
    const nn = nearest(unit, n, unit, n, d, kk, (q, j) => q === j);
    let sigma2 = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const far = nn.distance[i * kk + kk - 1]!;
      if (Number.isFinite(far)) {
        sigma2 += far;
        count++;
      }
    }
    sigma2 = count && sigma2 > 0 ? sigma2 / count : 1;
    for (let i = 0; i < n; i++)
      for (let t = 0; t < kk; t++) {
        const j = nn.index[i * kk + t]!;
        if (j < 0) continue;
        const w = Math.exp(-nn.distance[i * kk + t]! / sigma2);
        const a = Math.min(i, j);
        const b = Math.max(i, j);
        edges.set(a * n + b, w);
      }
  }
  const degree = new Float64Array(n);
  const count = new Int32Array(n + 1);
  for (const [key, w] of edges) {
    const a = Math.floor(key / n);
    const b = key - a * n;
    degree[a]! += w;
    degree[b]! += w;
    count[a + 1]!++;
    count[b + 1]!++;
  }
  for (let i = 0; i < n; i++) count[i + 1]! += count[i]!;
  const start = Int32Array.from(count);
  const to = new Int32Array(count[n]!);
  const weight = new Float32Array(count[n]!);
  const fill = Int32Array.from(count.subarray(0, n));
  for (const [key, w] of edges) {
    const a = Math.floor(key / n);
    const b = key - a * n;
    const s = w / Math.sqrt(degree[a]! * degree[b]!);
    to[fill[a]!] = b;
    weight[fill[a]!++] = s;
    to[fill[b]!] = a;
    weight[fill[b]!++] = s;
  }
  return { nodes: n, start, to, weight };
}

/**
 * Spreads the seeds' classes over the graph: `seeds[i]` is node i's class, or −1 for a node whose
 * label is not used (unlabeled, or hidden out of fold). Returns N×classes shares that sum to 1 per
 * node (a node no seed reaches: 1/classes each). A seed's own row is its class spread back to it,
 * so pass −1 for every row whose score must not see its label.
 */
export function spreadLabels(graph: SpreadGraph, seeds: Int32Array, classes: number, options: SpreadOptions = {}): Float32Array {
  const n = graph.nodes;
  const alpha = options.alpha ?? 0.9;
  const iterations = options.iterations ?? 100;
  if (!(alpha > 0 && alpha < 1)) throw new LabelkitError('E_INVALID_ARGUMENT', `Propagation's alpha must be between 0 and 1 (got ${alpha}).`);
  if (seeds.length !== n) throw new LabelkitError('E_INVALID_ARGUMENT', `Propagation needs one seed per node (${n}); got ${seeds.length}.`);
  if (!(Number.isInteger(classes) && classes >= 1)) throw new LabelkitError('E_INVALID_ARGUMENT', `Propagation needs at least one class (got ${classes}).`);
  const y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    const c = seeds[i]!;
    if (c >= classes) throw new LabelkitError('E_INVALID_ARGUMENT', `Node ${i} has class ${c}, outside 0..${classes - 1}.`, { row: i });
    if (c >= 0) y[i * classes + c] = 1 - alpha;
  }
  let f = Float32Array.from(y);
  let next = new Float32Array(n * classes);
  for (let it = 0; it < iterations; it++) {
    let change = 0;
    for (let i = 0; i < n; i++) {
      const o = i * classes;
      for (let c = 0; c < classes; c++) next[o + c] = y[o + c]!;
      for (let e = graph.start[i]!; e < graph.start[i + 1]!; e++) {
        const w = alpha * graph.weight[e]!;
        const p = graph.to[e]! * classes;
        for (let c = 0; c < classes; c++) next[o + c]! += w * f[p + c]!;
      }
      for (let c = 0; c < classes; c++) change = Math.max(change, Math.abs(next[o + c]! - f[o + c]!));
    }
    [f, next] = [next, f];
    if (change < 1e-5 * (1 - alpha)) break;
  }
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    let s = 0;
    for (let c = 0; c < classes; c++) s += f[o + c]!;
    for (let c = 0; c < classes; c++) f[o + c] = s > 0 ? f[o + c]! / s : 1 / classes;
  }
  return f;
}

/**
 * Out-of-fold spreading of the first `targets.length` nodes (the labeled ones; the other nodes are
 * unlabeled): for each fold, that fold's labels are hidden (its rows seed nothing) and the others
 * spread, and the fold's rows take their scores from that spreading. A row's score thus never
 * depends on its own label, nor on any label of its fold. Returns n×classes shares.
 */
export function spreadOutOfFold(graph: SpreadGraph, targets: Int32Array, fold: Int32Array, folds: number, classes: number, options: SpreadOptions = {}): Float32Array {
  const n = targets.length;
  if (fold.length !== n || n > graph.nodes)
    throw new LabelkitError(
      'E_INVALID_ARGUMENT',
      `Out-of-fold spreading needs one fold per labeled row and no more labeled rows than nodes (${n} rows, ${fold.length} folds, ${graph.nodes} nodes).`,
    );
  const seeds = new Int32Array(graph.nodes).fill(-1);
  const oof = new Float32Array(n * classes);
  for (let f = 0; f < folds; f++) {
    let held = 0;
    for (let i = 0; i < n; i++) {
      seeds[i] = fold[i] === f ? -1 : targets[i]!;
      if (fold[i] === f) held++;
    }
    if (!held) continue;
    const spread = spreadLabels(graph, seeds, classes, options);
    for (let i = 0; i < n; i++) if (fold[i] === f) oof.set(spread.subarray(i * classes, i * classes + classes), i * classes);
  }
  return oof;
}
