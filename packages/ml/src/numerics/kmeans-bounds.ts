// Lloyd iterations with Hamerly's bounds (Hamerly 2010, "Making k-means even faster"): each row
// keeps an upper bound u on the distance to its center and a lower bound l on the distance to any
// other center. When centers move, u grows by its center's move and l shrinks by the largest move of
// another center; a row whose u is at most max(l, half the distance from its center to the nearest
// other center) cannot change cluster and is skipped. Only the rows that fail both tests (after u is
// made exact) are gathered into blocks and sent through the matrix-product kernel again, so the
// result is the one plain Lloyd iterations give, at a fraction of the distance work once few rows
// move.
//
// The lower bound is kept per group of centers (Ding et al. 2015, "Yinyang k-means": t = k/10
// groups), each shrinking by the largest move in its group only: in the first iterations a few
// centers move far, and one scalar bound shrunk by the largest move of all sends every row back to
// the kernel.
import { throwIfAborted } from '@labelkit/core';
import type { AssignKernel } from './assign.js';
import { yieldToEventLoop } from './random.js';

/** Writes S[r·k + j] = ‖c_j‖² − 2·x_r·c_j for the n rows of x (n×d) and the k centers. */
export type ScoresFn = (x: Float32Array, n: number, d: number, centers: Float32Array, k: number, centerNorms: Float32Array, out: Float32Array) => void | Promise<void>;

/** The typed-array product: four rows share each loaded center value. */
export function jsScores(x: Float32Array, n: number, d: number, centers: Float32Array, k: number, centerNorms: Float32Array, out: Float32Array): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x0 = i * d,
      x1 = x0 + d,
      x2 = x1 + d,
      x3 = x2 + d;
    for (let j = 0; j < k; j++) {
      const c = j * d;
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0;
      for (let p = 0; p < d; p++) {
        const v = centers[c + p]!;
        a0 += x[x0 + p]! * v;
        a1 += x[x1 + p]! * v;
        a2 += x[x2 + p]! * v;
        a3 += x[x3 + p]! * v;
      }
      const cn = centerNorms[j]!;
      out[i * k + j] = cn - 2 * a0;
      out[(i + 1) * k + j] = cn - 2 * a1;
      out[(i + 2) * k + j] = cn - 2 * a2;
      out[(i + 3) * k + j] = cn - 2 * a3;
    }
  }
  for (; i < n; i++) {
    const xo = i * d;
    for (let j = 0; j < k; j++) {
      const c = j * d;
      let a = 0;
      for (let p = 0; p < d; p++) a += x[xo + p]! * centers[c + p]!;
      out[i * k + j] = centerNorms[j]! - 2 * a;
    }
  }
}

export interface BoundedOptions {
  readonly k: number;
  readonly maxIterations: number;
  readonly tolerance: number;
  readonly blockRows: number;
  readonly kernel: AssignKernel;
  readonly signal?: AbortSignal;
  readonly onIteration?: (info: { iteration: number; changed: number; inertia: number }) => void;
}

export interface BoundedResult {
  readonly assignments: Int32Array;
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Rows whose distances to every center were computed, over all iterations (n per plain Lloyd iteration). */
  readonly distanceRows: number;
}

/** Runs the iterations on `centers` (k×d, updated in place) from no assignment. */
export async function iterateBounded(x: Float32Array, n: number, d: number, centers: Float32Array, o: BoundedOptions): Promise<BoundedResult> {
  const { k, signal } = o;
  const scores: ScoresFn = o.kernel.scores?.bind(o.kernel) ?? jsScores;
  const xNorms = new Float64Array(n);
  let meanNorm = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const xo = i * d;
    for (let p = 0; p < d; p++) s += x[xo + p]! * x[xo + p]!;
    xNorms[i] = s;
    meanNorm += s;
  }
  meanNorm = meanNorm / n || 1;
  const assignments = new Int32Array(n).fill(-1);
  const upper = new Float64Array(n);
  // Groups of centers (j mod t) and each row's lower bound per group (centers other than its own).
  const t = Math.max(1, Math.min(k, Math.round(k / 10)));
  const lower = new Float64Array(n * t);
  const groupBest = new Float64Array(t);
  const groupSecond = new Float64Array(t);
  const groupMove = new Float64Array(t);
  // Lower bounds shrink by the moves of the centers they cover. Rather than rewriting n·t values on
  // every iteration, each is stored plus the summed moves so far (drift[g] for group g's bound,
  // drifted for the bound on all other centers, which shrinks by the largest move of any center):
  // its value now is the stored one minus the summed moves now.
  const drift = new Float64Array(t);
  let drifted = 0;
  const lowest = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  const centerNorms = new Float32Array(k);
  const move = new Float64Array(k);
  const half = new Float64Array(k);
  const old = new Float32Array(k * d);
  const block = Math.max(1, Math.min(n, o.blockRows));
  const gathered = new Int32Array(block);
  const buf = new Float32Array(block * d);
  const out = new Float32Array(block * k);
  let changed = 0;
  let distanceRows = 0;

  const computeCenterNorms = () => {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += centers[j * d + p]! * centers[j * d + p]!;
      centerNorms[j] = s;
    }
  };
  /** Full distances for the gathered rows: new center, exact-ish bounds, running sums. */
  const flush = async (m: number, contiguousFrom = -1) => {
    if (!m) return;
    let rows: Float32Array;
    if (contiguousFrom >= 0) rows = x.subarray(contiguousFrom * d, (contiguousFrom + m) * d);
    else {
      for (let r = 0; r < m; r++) buf.set(x.subarray(gathered[r]! * d, gathered[r]! * d + d), r * d);
      rows = buf.subarray(0, m * d);
    }
    await scores(rows, m, d, centers, k, centerNorms, out);
    distanceRows += m;
    for (let r = 0; r < m; r++) {
      const i = contiguousFrom >= 0 ? contiguousFrom + r : gathered[r]!;
      // One pass over the row's scores: the nearest center, and per group the nearest other one.
      const so = r * k;
      let b1 = Infinity,
        j1 = 0,
        g1 = 0;
      for (let g = 0; g < t; g++) {
        let m1 = Infinity,
          m2 = Infinity,
          mj = g;
        for (let j = g; j < k; j += t) {
          const s = out[so + j]!;
          if (s < m1) {
            m2 = m1;
            m1 = s;
            mj = j;
          } else if (s < m2) m2 = s;
        }
        groupBest[g] = m1;
        groupSecond[g] = m2;
        // Ties go to the lower index, as in the kernels' ArgMin.
        if (m1 < b1 || (m1 === b1 && mj < j1)) {
          b1 = m1;
          j1 = mj;
          g1 = g;
        }
      }
      groupBest[g1] = groupSecond[g1]!;
      // The float32 product loses ~1e-6 of ‖x‖‖c‖: widen the bounds by a margin so no row is skipped wrongly.
      const xn = xNorms[i]!;
      const margin = 1e-5 * (xn + centerNorms[j1]!) + 1e-12;
      upper[i] = Math.sqrt(Math.max(0, xn + b1 + margin));
      // Stored plus the drift so far (see below), so that iterations need not rewrite them.
      let l = Infinity;
      for (let g = 0, o = i * t; g < t; g++) {
        const v = groupBest[g] === Infinity ? Infinity : Math.sqrt(Math.max(0, xn + groupBest[g]! - margin));
        if (v < l) l = v;
        lower[o + g] = v + drift[g]!;
      }
      lowest[i] = l + drifted;
      const prev = assignments[i]!;
      if (prev === j1) continue;
      assignments[i] = j1;
      changed++;
      const xo = i * d;
      const so2 = j1 * d;
      counts[j1]!++;
      if (prev >= 0) {
        counts[prev]!--;
        const oo = prev * d;
        for (let p = 0; p < d; p++) {
          const v = x[xo + p]!;
          sums[so2 + p]! += v;
          sums[oo + p]! -= v;
        }
      } else for (let p = 0; p < d; p++) sums[so2 + p]! += x[xo + p]!;
    }
  };

  let iterations = 0;
  let converged = false;
  computeCenterNorms();
  // The first pass: every row against every center.
  for (let start = 0; start < n; start += block) {
    throwIfAborted(signal);
    await flush(Math.min(block, n - start), start);
  }
  for (;;) {
    iterations++;
    let bound = 0;
    for (let i = 0; i < n; i++) bound += upper[i]! * upper[i]!;
    o.onIteration?.({ iteration: iterations, changed, inertia: bound });
    if (changed === 0) {
      converged = true;
      break;
    }
    // Update step: centers to the means of their rows; how far each moved.
    old.set(centers);
    let maxMove = 0;
    let reseeded = 0;
    const picked = new Set<number>();
    for (let j = 0; j < k; j++) {
      const so = j * d;
      if (counts[j] === 0) {
        // An empty cluster restarts at the row farthest from its center (the new center lies at
        // that row, so its bounds send it back through the kernel).
        let far = -1;
        let farDist = -1;
        for (let i = 0; i < n; i++)
          if (upper[i]! > farDist && counts[assignments[i]!]! > 1 && !picked.has(i)) {
            farDist = upper[i]!;
            far = i;
          }
        if (far < 0) {
          move[j] = 0;
          continue;
        }
        picked.add(far);
        centers.set(x.subarray(far * d, far * d + d), so);
        reseeded++;
      } else {
        const inv = 1 / counts[j]!;
        for (let p = 0; p < d; p++) centers[so + p] = sums[so + p]! * inv;
      }
      let m2 = 0;
      for (let p = 0; p < d; p++) {
        const diff = centers[so + p]! - old[so + p]!;
        m2 += diff * diff;
      }
      move[j] = Math.sqrt(m2);
      if (m2 > maxMove) maxMove = m2;
    }
    if (!reseeded && maxMove / meanNorm < o.tolerance) {
      converged = true;
      break;
    }
    if (iterations >= o.maxIterations) break;
    computeCenterNorms();
    // Half the distance from each center to its nearest other center.
    half.fill(Infinity);
    for (let a = 0; a < k; a++)
      for (let b = a + 1; b < k; b++) {
        let s = 0;
        for (let p = 0; p < d; p++) {
          const diff = centers[a * d + p]! - centers[b * d + p]!;
          s += diff * diff;
        }
        const h = Math.sqrt(s) / 2;
        if (h < half[a]!) half[a] = h;
        if (h < half[b]!) half[b] = h;
      }
    groupMove.fill(0);
    for (let j = 0; j < k; j++) if (move[j]! > groupMove[j % t]!) groupMove[j % t] = move[j]!;
    for (let g = 0; g < t; g++) drift[g]! += groupMove[g]!;
    drifted += Math.sqrt(maxMove);
    changed = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const a = assignments[i]!;
      const u = upper[i]! + move[a]!;
      const h = half[a]!;
      // The bound on all other centers first (one value), then the one per group.
      if (u <= h || u <= lowest[i]! - drifted) {
        upper[i] = u;
        continue;
      }
      let l = Infinity;
      for (let g = 0, o = i * t; g < t; g++) {
        const v = lower[o + g]! - drift[g]!;
        if (v < l) l = v;
      }
      lowest[i] = l + drifted;
      if (u <= l) {
        upper[i] = u;
        continue;
      }
      // Make the upper bound exact, and test again.
      const xo = i * d;
      const co = a * d;
      let s = 0;
      for (let p = 0; p < d; p++) {
        const diff = x[xo + p]! - centers[co + p]!;
        s += diff * diff;
      }
      upper[i] = Math.sqrt(s);
      if (upper[i]! <= h || upper[i]! <= l) continue;
      gathered[m++] = i;
      if (m === block) {
        throwIfAborted(signal);
        await flush(m);
        m = 0;
      }
    }
    await flush(m);
    throwIfAborted(signal);
    // Let an abort message reach a worker between iterations.
    if (signal) await yieldToEventLoop();
  }
  // The inertia, exactly.
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    const co = assignments[i]! * d;
    let s = 0;
    for (let p = 0; p < d; p++) {
      const diff = x[xo + p]! - centers[co + p]!;
      s += diff * diff;
    }
    inertia += s;
  }
  return { assignments, inertia, iterations, converged, distanceRows };
}
