import type { LabelClass } from '@labelkit/core';

/**
 * The key of a label: its own `key` (core gives '1'…'9', then '0', to the first ten), else its place
 * on the number row (labels handed to `<label-canvas>` as plain data have no `key`).
 */
export function labelKey(labels: readonly LabelClass[], i: number): string | undefined {
  return labels[i]?.key ?? (i < 10 ? String((i + 1) % 10) : undefined);
}

/** The label a number key picks, if any. */
export function labelForKey(labels: readonly LabelClass[], key: string): LabelClass | undefined {
  for (let i = 0; i < labels.length; i++) if (labelKey(labels, i) === key) return labels[i];
  return undefined;
}
