// Validation: the lowest confidence threshold whose predictions reach the target precision.

export interface ThresholdOptions {
  /** Precision the kept predictions must reach (default 0.95). */
  readonly targetPrecision?: number;
  /** Fewest kept predictions a threshold must have to count (default 10). */
  readonly minSupport?: number;
}

export interface ThresholdChoice {
  /** The chosen threshold, or null when no threshold reaches the target with enough support. */
  readonly threshold: number | null;
  /** Precision and number of predictions at or above the threshold (or of the best candidate). */
  readonly precision: number;
  readonly support: number;
  /** Share of all predictions that are at or above the threshold. */
  readonly coverage: number;
}

/**
 * Sorts predictions by confidence and walks down: at each distinct confidence, the predictions at
 * or above it have a precision; the lowest confidence whose precision ≥ target with support ≥
 * minSupport wins (so the most items get prelabels). `correct[i]` is 1 when prediction i was right.
 */
export function chooseThreshold(confidence: ArrayLike<number>, correct: ArrayLike<number>, options: ThresholdOptions = {}): ThresholdChoice {
  const target = options.targetPrecision ?? 0.95;
  const minSupport = options.minSupport ?? 10;
  const n = confidence.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[b] - confidence[a]);
  let tp = 0;
  let best: ThresholdChoice = { threshold: null, precision: 0, support: 0, coverage: 0 };
  let bestPrecisionSeen = -1;
  for (let r = 0; r < n; r++) {
    tp += correct[order[r]] ? 1 : 0;
    // Only at the end of a run of equal confidences is the set "≥ this confidence" complete.
    if (r + 1 < n && confidence[order[r + 1]] === confidence[order[r]]) continue;
    const support = r + 1;
    const precision = tp / support;
    if (precision >= target && support >= minSupport) {
      best = { threshold: confidence[order[r]], precision, support, coverage: support / n };
    } else if (best.threshold === null && support >= minSupport && precision > bestPrecisionSeen) {
      // Report the best failing candidate, so the run record says how close it came.
      bestPrecisionSeen = precision;
      best = { threshold: null, precision, support, coverage: support / n };
    }
  }
  return best;
}
