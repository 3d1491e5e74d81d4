// Neighbours in embedding space, for the Data tab's flags: k nearest rows by Euclidean distance
// (brute force over blocks of the typed-array product), and groups of rows closer than a bound.
import { rowNorms } from './assign.js';
import { jsScores } from './kmeans-bounds.js';

/**
 * The `k` nearest rows of `pool` (m×d) to each of the n query rows (n×d), by Euclidean distance:
 * indices into the pool and squared distances, nearest first; `exclude(q, j)` leaves pool rows out
 * (the query itself). Brute force in blocks of the typed-array product.
 */
export function nearest(
  query: Float32Array,
  n: number,
  pool: Float32Array,
  m: number,
  d: number,
  k: number,
  exclude?: (q: number, j: number) => boolean,
): { index: Int32Array; distance: Float32Array } {
  const index = new Int32Array(n * k).fill(-1);
  const distance = new Float32Array(n * k).fill(Infinity);
  const poolNorms = rowNorms(pool, m, d);
  const queryNorms = rowNorms(query, n, d);
  const block = 256;
  const out = new Float32Array(block * m);
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    jsScores(query.subarray(start * d, (start + rows) * d), rows, d, pool, m, poolNorms, out);
    for (let r = 0; r < rows; r++) {
      const q = start + r;
      const o = q * k;
      for (let j = 0; j < m; j++) {
        const s = Math.max(0, queryNorms[q]! + out[r * m + j]!);
        if (s >= distance[o + k - 1]! || exclude?.(q, j)) continue;
        // Insert in order.
        let t = k - 1;
        while (t > 0 && distance[o + t - 1]! > s) {
          distance[o + t] = distance[o + t - 1]!;
          index[o + t] = index[o + t - 1]!;
          t--;
        }
        distance[o + t] = s;
        index[o + t] = j;
      }
    }
  }
  return { index, distance };
}

/** Groups of rows joined by a squared distance of at most `max` to one of their `k` nearest (union–find). */
export function groupsOf(n: number, k: number, nn: { index: Int32Array; distance: Float32Array }, max: number): number[][] {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < n; i++)
    for (let t = 0; t < k; t++) {
      const j = nn.index[i * k + t]!;
      if (j < 0 || nn.distance[i * k + t]! > max) break;
      const a = find(i);
      const b = find(j);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/**
 * Rows standardized with `mean`/`invStd` (a head's) and scaled to unit length, so that Euclidean
 * neighbours are cosine neighbours in the space the head sees.
 */
export function unitRows(x: Float32Array, n: number, d: number, mean: Float32Array, invStd: Float32Array): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let s = 0;
    for (let p = 0; p < d; p++) {
      const v = (x[o + p]! - mean[p]!) * invStd[p]!;
      out[o + p] = v;
      s += v * v;
    }
    const r = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let p = 0; p < d; p++) out[o + p]! *= r;
  }
  return out;
}

/**
 * The class votes of each query row's `k` nearest pool rows (cosine, on `unitRows`): n×classes
 * shares that sum to 1 (fewer than k pool rows: all of them vote). `poolClasses` holds the class
 * of each pool row.
 */
export function neighbourVotes(query: Float32Array, n: number, pool: Float32Array, m: number, d: number, poolClasses: ArrayLike<number>, classes: number, k: number): Float32Array {
  const votes = new Float32Array(n * classes);
  const kk = Math.min(k, m);
  if (kk < 1) return votes;
  const nn = nearest(query, n, pool, m, d, kk);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < kk; t++) {
      const j = nn.index[i * kk + t]!;
      if (j >= 0) votes[i * classes + poolClasses[j]!]! += 1 / kk;
    }
  return votes;
}
