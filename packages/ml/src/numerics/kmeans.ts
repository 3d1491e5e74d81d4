// k-means: k-means++ seeding (greedy for large inputs), then Lloyd iterations whose distance step
// is a blocked matrix product (see assign.ts), all over flat Float32Arrays.
import { LabelkitError, throwIfAborted } from '@labelkit/core';
import { type AssignKernel, jsAssignKernel, rowNorms } from './assign.js';
import { iterateBounded } from './kmeans-bounds.js';
import { mulberry32, sampleIndices, yieldToEventLoop } from './random.js';

export interface KMeansOptions {
  readonly k: number;
  /** Most Lloyd iterations (default 100). */
  readonly maxIterations?: number;
  /**
   * Stop when the largest squared center move, relative to the mean squared norm of the data,
   * falls below this (default 1e-6), or when no assignment changes.
   */
  readonly tolerance?: number;
  readonly seed?: number;
  /** Initial centers (k×d); k-means++ when left out. */
  readonly initialCenters?: Float32Array;
  /** k-means++ seeds from a random sample of at most this many rows (default 10,000). */
  readonly seedSample?: number;
  /**
   * Candidates drawn per k-means++ step, keeping the one that lowers the sample's potential most
   * (greedy k-means++, scikit-learn's seeding). Default 2 + ⌊ln k⌋ from 50,000 rows on (fewer, down
   * to 1, where sample rows × k × d × trials would pass 2·10⁹), else 1.
   */
  readonly seedTrials?: number;
  /** Rows per call of the kernel (default 8,192). */
  readonly blockRows?: number;
  /** The distance step (default: the typed-array kernel). */
  readonly kernel?: AssignKernel;
  /**
   * Skip rows that cannot change cluster (Hamerly's bounds; default true). The result is that of
   * plain Lloyd iterations; `false` runs every row through the kernel on every iteration.
   */
  readonly bounds?: boolean;
  readonly signal?: AbortSignal;
  readonly onIteration?: (info: { iteration: number; changed: number; inertia: number }) => void;
}

export interface KMeansResult {
  /** Cluster of each row. */
  readonly assignments: Int32Array;
  /** k×d centers. */
  readonly centers: Float32Array;
  /** Sum of squared distances of the rows to their centers. */
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Milliseconds spent seeding and iterating. */
  readonly seedMs: number;
  readonly iterateMs: number;
  readonly kernel: string;
  /** Rows whose distances to every center were computed, over all iterations (n per iteration without bounds). */
  readonly distanceRows: number;
}

/**
 * k-means++ on a sample: each next center is drawn with probability ∝ squared distance. With
 * `trials` > 1 (greedy k-means++, as scikit-learn seeds), each step draws that many candidates and
 * keeps the one that lowers the sample's potential most.
 */
export function kmeansPlusPlus(x: Float32Array, n: number, d: number, k: number, seed: number, sampleSize = 10_000, trials = 1): Float32Array {
  const steps = plusPlusSteps(x, n, d, k, seed, sampleSize, trials);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `kmeansPlusPlus` that gives the event loop a turn about every 50 ms and stops with
 * `E_ABORTED` once `signal` fires: greedy seeding of a large sample takes a second or more, and
 * in a worker an abort message is only read between tasks.
 */
export async function kmeansPlusPlusAsync(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  seed: number,
  sampleSize = 10_000,
  trials = 1,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const steps = plusPlusSteps(x, n, d, k, seed, sampleSize, trials);
  let turn = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (signal && performance.now() - turn > 50) {
      await yieldToEventLoop();
      throwIfAborted(signal);
      turn = performance.now();
    }
  }
}

/** The k-means++ seeding, one center per step (the centers are the return value). */
function* plusPlusSteps(x: Float32Array, n: number, d: number, k: number, seed: number, sampleSize: number, trials: number): Generator<void, Float32Array> {
  const rand = mulberry32(seed);
  const rows = n > sampleSize ? sampleIndices(n, sampleSize, rand) : Int32Array.from({ length: n }, (_, i) => i);
  const m = rows.length;
  // The sample as one contiguous block, with its squared norms: ‖x − c‖² = ‖x‖² + ‖c‖² − 2·x·c.
  const xs = new Float32Array(m * d);
  for (let s = 0; s < m; s++) xs.set(x.subarray(rows[s]! * d, rows[s]! * d + d), s * d);
  const xn = rowNorms(xs, m, d);
  const centers = new Float32Array(k * d);
  const best = new Float64Array(m).fill(Infinity);
  // Squared distances of every sample row to each candidate of a step (m×L), and their norms.
  const L = Math.max(1, Math.floor(trials));
  const dist = new Float64Array(m * L);
  const cand = new Int32Array(L);
  const candNorm = new Float64Array(L);
  const potential = new Float64Array(L);
  /** Fills dist and potential (Σ min(best, dist)) for the first `count` candidates, four at a time. */
  const evaluate = (count: number) => {
    for (let c = 0; c < count; c++) {
      const co = cand[c]! * d;
      let cn = 0;
      for (let p = 0; p < d; p++) cn += xs[co + p]! * xs[co + p]!;
      candNorm[c] = cn;
    }
    potential.fill(0);
    for (let s = 0; s < m; s++) {
      const xo = s * d;
      const b = best[s]!;
      let c = 0;
      for (; c + 4 <= count; c += 4) {
        const c0 = cand[c]! * d,
          c1 = cand[c + 1]! * d,
          c2 = cand[c + 2]! * d,
          c3 = cand[c + 3]! * d;
        let a0 = 0,
          a1 = 0,
          a2 = 0,
          a3 = 0;
        for (let p = 0; p < d; p++) {
          const v = xs[xo + p]!;
          a0 += v * xs[c0 + p]!;
          a1 += v * xs[c1 + p]!;
          a2 += v * xs[c2 + p]!;
          a3 += v * xs[c3 + p]!;
        }
        const so = s * L + c;
        dist[so] = Math.min(b, Math.max(0, xn[s]! + candNorm[c]! - 2 * a0));
        dist[so + 1] = Math.min(b, Math.max(0, xn[s]! + candNorm[c + 1]! - 2 * a1));
        dist[so + 2] = Math.min(b, Math.max(0, xn[s]! + candNorm[c + 2]! - 2 * a2));
        dist[so + 3] = Math.min(b, Math.max(0, xn[s]! + candNorm[c + 3]! - 2 * a3));
        potential[c]! += dist[so]!;
        potential[c + 1]! += dist[so + 1]!;
        potential[c + 2]! += dist[so + 2]!;
        potential[c + 3]! += dist[so + 3]!;
      }
      for (; c < count; c++) {
        const co = cand[c]! * d;
        let a0 = 0,
          a1 = 0,
          a2 = 0,
          a3 = 0;
        let p = 0;
        for (; p < d4; p += 4) {
          a0 += xs[xo + p]! * xs[co + p]!;
          a1 += xs[xo + p + 1]! * xs[co + p + 1]!;
          a2 += xs[xo + p + 2]! * xs[co + p + 2]!;
          a3 += xs[xo + p + 3]! * xs[co + p + 3]!;
        }
        for (; p < d; p++) a0 += xs[xo + p]! * xs[co + p]!;
        const v = Math.min(b, Math.max(0, xn[s]! + candNorm[c]! - 2 * (a0 + a1 + a2 + a3)));
        dist[s * L + c] = v;
        potential[c]! += v;
      }
    }
  };
  const d4 = d & ~3;
  /** A row drawn with probability ∝ best. */
  const draw = (total: number): number => {
    let target = rand() * total;
    let s = 0;
    for (; s < m - 1; s++) {
      target -= best[s]!;
      if (target <= 0) break;
    }
    return s;
  };
  cand[0] = Math.floor(rand() * m);
  for (let c = 0; ; c++) {
    // Evaluate the step's candidates, keep the one of least potential (the first on ties).
    const count = c === 0 ? 1 : L;
    evaluate(count);
    let pick = 0;
    for (let q = 1; q < count; q++) if (potential[q]! < potential[pick]!) pick = q;
    centers.set(xs.subarray(cand[pick]! * d, cand[pick]! * d + d), c * d);
    const total = potential[pick]!;
    for (let s = 0; s < m; s++) best[s] = dist[s * L + pick]!;
    if (c + 1 === k) break;
    yield;
    if (!(total > 0)) {
      // Fewer distinct rows than k: repeat a random row.
      cand[0] = Math.floor(rand() * m);
      for (let q = 1; q < L; q++) cand[q] = cand[0]!;
      continue;
    }
    for (let q = 0; q < L; q++) cand[q] = draw(total);
  }
  return centers;
}

/** From this many rows on, the default seeding is greedy k-means++ (see `seedTrials`). */
export const LARGE_N = 50_000;

/** Clusters the n×d rows of `x` into k groups. */
export async function kmeans(x: Float32Array, n: number, d: number, options: KMeansOptions): Promise<KMeansResult> {
  const k = options.k;
  if (!(Number.isInteger(k) && k >= 1)) throw new LabelkitError('E_INVALID_ARGUMENT', `k must be a positive integer (got ${k}).`, { k });
  if (x.length < n * d) throw new LabelkitError('E_INVALID_ARGUMENT', `The data holds ${x.length} values, fewer than ${n}×${d}.`, { n, d });
  if (n < k) throw new LabelkitError('E_INVALID_ARGUMENT', `k-means needs at least k rows (k = ${k}, rows = ${n}).`, { k, n });
  const kernel = options.kernel ?? jsAssignKernel;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  const blockRows = options.blockRows ?? 8192;
  const signal = options.signal;

  // Greedy seeding costs `trials` times plain k-means++ (on this thread, giving way to an abort
  // about every 50 ms): the default keeps it under ~2·10⁹ multiply-adds (a second or two).
  const seedWork = Math.min(n, options.seedSample ?? 10_000) * k * d;
  const trials = options.seedTrials ?? (n >= LARGE_N ? Math.max(1, Math.min(2 + Math.floor(Math.log(k)), Math.floor(2e9 / seedWork))) : 1);
  if (!(Number.isInteger(trials) && trials >= 1)) throw new LabelkitError('E_INVALID_ARGUMENT', `seedTrials must be a positive integer (got ${trials}).`, { trials });

  const t0 = performance.now();
  const centers = options.initialCenters ? Float32Array.from(options.initialCenters) : await kmeansPlusPlusAsync(x, n, d, k, options.seed ?? 1, options.seedSample, trials, signal);
  if (centers.length !== k * d) throw new LabelkitError('E_INVALID_ARGUMENT', `initialCenters must hold k×d = ${k * d} values (got ${centers.length}).`);
  const seedMs = performance.now() - t0;
  if (options.bounds ?? true) {
    const t = performance.now();
    const r = await iterateBounded(x, n, d, centers, { k, maxIterations, tolerance, blockRows, kernel, signal, onIteration: options.onIteration });
    return { ...r, centers, seedMs, iterateMs: performance.now() - t, kernel: kernel.name };
  }

  const xNorms = rowNorms(x, n, d);
  let meanNorm = 0;
  for (let i = 0; i < n; i++) meanNorm += xNorms[i]!;
  meanNorm = meanNorm / n || 1;
  const assignments = new Int32Array(n).fill(-1);
  const blockIndex = new Int32Array(Math.min(n, blockRows));
  const score = new Float32Array(n);
  const centerNorms = new Float32Array(k);
  // Running per-cluster sums and counts of the current assignments.
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let inertia = 0;
  let iterations = 0;
  let converged = false;

  const t1 = performance.now();
  while (iterations < maxIterations) {
    throwIfAborted(signal);
    rowNorms(centers, k, d, centerNorms);
    let changed = 0;
    for (let start = 0; start < n; start += blockRows) {
      const rows = Math.min(blockRows, n - start);
      await kernel.assign(x.subarray(start * d, (start + rows) * d), rows, d, centers, k, centerNorms, blockIndex, score.subarray(start, start + rows));
      // Keep per-cluster sums up to date by moving only the rows that changed cluster.
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        const j = blockIndex[r]!;
        const old = assignments[i]!;
        if (old === j) continue;
        assignments[i] = j;
        changed++;
        const xo = i * d;
        const so = j * d;
        counts[j]!++;
        if (old >= 0) {
          const oo = old * d;
          counts[old]!--;
          for (let p = 0; p < d; p++) {
            const v = x[xo + p]!;
            sums[so + p]! += v;
            sums[oo + p]! -= v;
          }
        } else {
          for (let p = 0; p < d; p++) sums[so + p]! += x[xo + p]!;
        }
      }
      throwIfAborted(signal);
    }
    iterations++;
    inertia = 0;
    for (let i = 0; i < n; i++) inertia += Math.max(0, xNorms[i]! + score[i]!);
    options.onIteration?.({ iteration: iterations, changed, inertia });
    if (changed === 0) {
      converged = true;
      break;
    }
    // Update step: each center moves to the mean of its rows.
    let maxMove = 0;
    let reseeded = 0;
    for (let j = 0; j < k; j++) {
      const so = j * d;
      if (counts[j] === 0) {
        // An empty cluster restarts at the row farthest from its center (sums follow on the next pass).
        let far = -1;
        let farDist = -1;
        for (let i = 0; i < n; i++) {
          const dist = xNorms[i]! + score[i]!;
          if (dist > farDist && counts[assignments[i]!]! > 1) {
            farDist = dist;
            far = i;
          }
        }
        if (far < 0) continue;
        score[far] = -xNorms[far]!;
        centers.set(x.subarray(far * d, far * d + d), so);
        reseeded++;
        continue;
      }
      const inv = 1 / counts[j]!;
      let move = 0;
      for (let p = 0; p < d; p++) {
        const v = sums[so + p]! * inv;
        const diff = v - centers[so + p]!;
        move += diff * diff;
        centers[so + p] = v;
      }
      if (move > maxMove) maxMove = move;
    }
    if (!reseeded && maxMove / meanNorm < tolerance) {
      converged = true;
      break;
    }
    // Let an abort message reach a worker between iterations.
    if (signal) await yieldToEventLoop();
  }
  return {
    assignments,
    centers,
    inertia,
    iterations,
    converged,
    seedMs,
    iterateMs: performance.now() - t1,
    kernel: kernel.name,
    distanceRows: iterations * n,
  };
}
