import { LABEL_PALETTE, type LabelClass } from '@labelkit/core';

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

/** A label's colour: its own, else the core's colour-blind-safe palette by position; grey for an unknown label. */
export function labelColor(labels: readonly LabelClass[], id: string): string {
  const i = labels.findIndex((l) => l.id === id);
  return i < 0 ? '#9ca3af' : labels[i]!.color || LABEL_PALETTE[i % LABEL_PALETTE.length]!;
}

/** A label's name, or its id when it is not one of `labels`. */
export function labelName(labels: readonly LabelClass[], id: string): string {
  return labels.find((l) => l.id === id)?.name ?? id;
}
