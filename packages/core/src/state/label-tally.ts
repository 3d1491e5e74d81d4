import type { Annotation } from '../types.js';

/** Per label id: how many items carry it and how many shapes it has, kept as labels change. */
export class LabelTally {
  /** Per label id: [items, shapes]. */
  readonly #tally: Map<string, [number, number]>;

  constructor(entries: Iterable<[string, [number, number]]> = []) {
    this.#tally = new Map(entries);
  }

  /** Counts one item's annotations in (`+1`) or out (`-1`). */
  count(anns: readonly Annotation[], sign: 1 | -1): void {
    if (anns.length === 1) {
      // One annotation (a class tag, one box): the fold's common case, without a Set.
      const t = this.#tally.get(anns[0]!.label) ?? [0, 0];
      t[0] += sign;
      t[1] += sign;
      this.#tally.set(anns[0]!.label, t);
      return;
    }
    const seen = new Set<string>();
    for (const a of anns) {
      const t = this.#tally.get(a.label) ?? [0, 0];
      if (!seen.has(a.label)) {
        t[0] += sign;
        seen.add(a.label);
      }
      t[1] += sign;
      this.#tally.set(a.label, t);
    }
  }

  /** [items, shapes] for a label id. */
  of(label: string): readonly [number, number] {
    return this.#tally.get(label) ?? [0, 0];
  }

  entries(): [string, [number, number]][] {
    return [...this.#tally].map(([k, v]) => [k, [v[0], v[1]]]);
  }
}
