// Validation: the lowest confidence threshold whose predictions reach the target precision — by
// default as a point estimate; with `z`, the Wilson lower confidence bound on it must reach the
// target, so 11 right out of 11 is not taken for 95 %.

export interface ThresholdOptions {
  /** Precision the kept predictions must reach (default 0.95). */
  readonly targetPrecision?: number;
  /** Fewest kept predictions a threshold must have to count (default 10). */
  readonly minSupport?: number;
  /**
   * Require the Wilson lower bound on precision, at this many standard deviations (1.645 for a
   * one-sided 95 % bound), to reach the target instead of the point estimate. 0 or absent: point
   * estimate.
   */
  readonly z?: number;
  /**
   * The lowest-confidence part of what a threshold keeps (this share of its support, at least
   * `minSupport` predictions) must reach the target as well (point estimate), not only the whole.
   * The items still to prelabel sit mostly just above the threshold once the confident ones are
   * labeled, so a threshold that is only right on average over-promises there. 0 or absent: off.
   */
  readonly marginal?: number;
}

export interface ThresholdChoice {
  /** The chosen threshold, or null when no threshold reaches the target with enough support. */
  readonly threshold: number | null;
  /** Precision and number of predictions at or above the threshold (or of the best candidate). */
  readonly precision: number;
  readonly support: number;
  /** Share of all predictions that are at or above the threshold. */
  readonly coverage: number;
  /** The lower confidence bound on that precision (equal to it without `z`). */
  readonly lowerBound?: number;
}

/** Wilson score interval's lower end for k successes in n trials at z standard deviations. */
export function wilsonLower(k: number, n: number, z: number): number {
  if (n <= 0) return 0;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}

/** Wilson score interval's upper end. */
export function wilsonUpper(k: number, n: number, z: number): number {
  if (n <= 0) return 1;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.min(1, (centre + margin) / (1 + z2 / n));
}

/**
 * z of a one-sided bound at confidence `level` (exact at 0.8, 0.9, 0.95, 0.975, 0.99, 0.999;
 * linear between them, which is close enough for a level a host picks).
 */
export function zOf(level: number): number {
  if (!(level > 0.5)) return 0;
  const table: [number, number][] = [
    [0.5, 0],
    [0.8, 0.8416],
    [0.9, 1.2816],
    [0.95, 1.6449],
    [0.975, 1.96],
    [0.99, 2.3263],
    [0.999, 3.0902],
  ];
  if (level >= 0.999) return 3.0902;
  for (let i = 1; i < table.length; i++) {
    const [l1, z1] = table[i]!;
    const [l0, z0] = table[i - 1]!;
    if (level <= l1) return z0 + ((z1 - z0) * (level - l0)) / (l1 - l0);
  }
  return 3.0902;
}

/**
 * Sorts predictions by confidence and walks down: at each distinct confidence, the predictions at
 * or above it have a precision; the lowest confidence whose precision ≥ target with support ≥
 * minSupport wins (so the most items get prelabels). `correct[i]` is 1 when prediction i was right.
 * With `z`, "precision" is its Wilson lower bound: the threshold must reach the target with that
 * confidence, which needs support (all right, 52 predictions at z = 1.645 for 0.95).
 */
export function chooseThreshold(confidence: ArrayLike<number>, correct: ArrayLike<number>, options: ThresholdOptions = {}): ThresholdChoice {
  const target = options.targetPrecision ?? 0.95;
  const minSupport = options.minSupport ?? 10;
  const z = options.z ?? 0;
  const marginal = options.marginal ?? 0;
  const n = confidence.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[b]! - confidence[a]!);
  // Right predictions among the first r (by decreasing confidence), for the marginal band.
  const right = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) right[r + 1] = right[r]! + (correct[order[r]!] ? 1 : 0);
  let tp = 0;
  let best: ThresholdChoice = { threshold: null, precision: 0, support: 0, coverage: 0 };
  let bestPrecisionSeen = -1;
  for (let r = 0; r < n; r++) {
    tp += correct[order[r]!] ? 1 : 0;
    // Only at the end of a run of equal confidences is the set "≥ this confidence" complete.
    if (r + 1 < n && confidence[order[r + 1]!] === confidence[order[r]!]) continue;
    const support = r + 1;
    const precision = tp / support;
    const lowerBound = z > 0 ? wilsonLower(tp, support, z) : precision;
    const bound = z > 0 ? { lowerBound } : {};
    const band = Math.min(support, Math.max(minSupport, Math.ceil(marginal * support)));
    const marginalOk = !(marginal > 0) || (right[support]! - right[support - band]!) / band >= target;
    if (lowerBound >= target && support >= minSupport && marginalOk) {
      best = { threshold: confidence[order[r]!]!, precision, support, coverage: support / n, ...bound };
    } else if (best.threshold === null && support >= minSupport && lowerBound > bestPrecisionSeen) {
      // Report the best failing candidate, so the run record says how close it came.
      bestPrecisionSeen = lowerBound;
      best = { threshold: null, precision, support, coverage: support / n, ...bound };
    }
  }
  return best;
}
