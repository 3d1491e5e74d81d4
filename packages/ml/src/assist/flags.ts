// Items a person should look at, found in embedding space after each training round:
// near-duplicate groups (items whose embeddings are nearly the same) and likely-mislabeled items
// (a human label that the model and the item's labeled neighbours both confidently contradict).
// Neighbours are searched within each k-means cluster (near-duplicates share one), so the work
// grows with n·(cluster size), not n².
import type { AssistFlags, ItemView, Project } from '@labelkit/core';
import { groupsOf, nearest } from '../numerics/neighbours.js';
import { assistable } from './assistable.js';
import type { EmbeddingCache } from './embedding-cache.js';

export interface FlagOptions {
  /**
   * Two items are near-duplicates when their embeddings are closer than this share of the median
   * distance from an item to its nearest neighbour (default 0.15).
   */
  readonly duplicateDistance?: number;
  /** Labeled neighbours that vote on a label (default 7). */
  readonly neighbours?: number;
  /**
   * The model's probability for another class a suspect needs (default: the round's prelabel
   * threshold — the model would prelabel the item with that class — or 0.8 without one).
   */
  readonly minConfidence?: number;
  /** Share of the neighbours that must carry that other class (default 0.7). */
  readonly minAgreement?: number;
}

export interface FlagInput {
  /** n×dim embeddings of the rows. */
  readonly data: Float32Array;
  readonly dim: number;
  /** Item index of each row. */
  readonly items: readonly number[];
  /** Cluster of each row (neighbours are searched within it); undefined: one group. */
  readonly clusters?: readonly (number | undefined)[];
  /** Human class of each row, −1 when unlabeled. */
  readonly labels: Int32Array;
  /** rows×classes probabilities of the model (labeled rows are what count). */
  readonly probabilities?: Float32Array;
  readonly classes: number;
}

export interface RowFlags {
  /** Groups of item indices. */
  readonly duplicates: number[][];
  readonly suspects: { item: number; label: number; suggested: number; confidence: number; agreement: number }[];
}

/** Near-duplicate groups and likely-mislabeled rows of `input`. */
export function findFlags(input: FlagInput, options: FlagOptions = {}): RowFlags {
  const { data, dim, items, labels, classes } = input;
  const ratio = options.duplicateDistance ?? 0.15;
  const kn = options.neighbours ?? 7;
  const minConf = options.minConfidence ?? 0.8;
  const minAgree = options.minAgreement ?? 0.7;
  const n = items.length;
  const byCluster = new Map<number | undefined, number[]>();
  for (let i = 0; i < n; i++) {
    const c = input.clusters?.[i];
    const g = byCluster.get(c);
    if (g) g.push(i);
    else byCluster.set(c, [i]);
  }
  const gather = (rows: readonly number[]) => {
    const out = new Float32Array(rows.length * dim);
    rows.forEach((r, s) => out.set(data.subarray(r * dim, r * dim + dim), s * dim));
    return out;
  };
  // Near-duplicates: the 4 nearest of each row within its cluster, and the median nearest distance.
  const found: { rows: number[]; nn: ReturnType<typeof nearest>; k: number }[] = [];
  const firsts: number[] = [];
  for (const rows of byCluster.values()) {
    if (rows.length < 2) continue;
    const k = Math.min(4, rows.length - 1);
    const sub = gather(rows);
    const nn = nearest(sub, rows.length, sub, rows.length, dim, k, (q, j) => q === j);
    for (let s = 0; s < rows.length; s++) firsts.push(nn.distance[s * k]!);
    found.push({ rows, nn, k });
  }
  firsts.sort((a, b) => a - b);
  const typical = firsts.length ? firsts[Math.floor(firsts.length / 2)]! : 0;
  const duplicates: number[][] = [];
  for (const { rows, nn, k } of found) for (const g of groupsOf(rows.length, k, nn, typical * ratio * ratio)) duplicates.push(g.map((s) => items[rows[s]!]!));
  // Suspects: labeled rows whose model and labeled neighbours (within the cluster) agree on another class.
  const suspects: RowFlags['suspects'] = [];
  for (const rows of input.probabilities ? byCluster.values() : []) {
    const lab = rows.filter((r) => labels[r]! >= 0);
    if (lab.length <= kn) continue;
    const pool = gather(lab);
    const nn = nearest(pool, lab.length, pool, lab.length, dim, kn, (q, j) => q === j);
    for (let s = 0; s < lab.length; s++) {
      const r = lab[s]!;
      const y = labels[r]!;
      let best = -1;
      let p = 0;
      for (let c = 0; c < classes; c++) {
        const v = input.probabilities![r * classes + c]!;
        if (v > p) {
          p = v;
          best = c;
        }
      }
      if (best === y || best < 0 || p < minConf) continue;
      let votes = 0;
      for (let t = 0; t < kn; t++) if (labels[lab[nn.index[s * kn + t]!]!] === best) votes++;
      if (votes / kn < minAgree) continue;
      suspects.push({ item: items[r]!, label: y, suggested: best, confidence: p, agreement: votes / kn });
    }
  }
  duplicates.sort((a, b) => b.length - a.length || a[0]! - b[0]!);
  suspects.sort((a, b) => b.confidence * b.agreement - a.confidence * a.agreement);
  return { duplicates, suspects };
}

/** The row flags in the project's terms (label ids, the time they were found). */
export function toAssistFlags(flags: RowFlags, labelIds: readonly string[], at: number): AssistFlags {
  return {
    at,
    duplicates: flags.duplicates,
    suspects: flags.suspects.map((s) => ({ item: s.item, label: labelIds[s.label]!, suggested: labelIds[s.suggested]!, confidence: s.confidence, agreement: s.agreement })),
  };
}

/** The human class of an item (its first class annotation), or −1. */
export function humanClass(it: ItemView, labelIndex: ReadonlyMap<string, number>): number {
  if (it.state !== 'labeled' && it.state !== 'needs-review') return -1;
  const a = it.annotations.find((x) => x.kind === 'class');
  return a ? (labelIndex.get(a.label) ?? -1) : -1;
}

/**
 * The flags of a project now: its labeled and todo items with embeddings, the head's probabilities
 * for the labeled ones (`predict`), neighbours within clusters.
 */
export async function projectFlags(
  project: Project,
  cache: EmbeddingCache,
  hasRow: (it: ItemView) => boolean,
  predict: ((rows: number[]) => Promise<Float32Array>) | undefined,
  options: FlagOptions = {},
): Promise<AssistFlags> {
  const labelIndex = new Map(project.labels.map((l, i) => [l.id, i]));
  const list = [...project.items({ states: ['labeled', 'needs-review', 'todo'] })].filter((it) => assistable(it) && hasRow(it));
  const labels = Int32Array.from(list, (it) => humanClass(it, labelIndex));
  const classes = project.labels.length;
  let probabilities: Float32Array | undefined;
  if (predict) {
    const labeledRows = list.map((it, r) => (labels[r]! >= 0 ? r : -1)).filter((r) => r >= 0);
    const probs = labeledRows.length ? await predict(labeledRows.map((r) => list[r]!.index)) : new Float32Array(0);
    probabilities = new Float32Array(list.length * classes);
    labeledRows.forEach((r, s) => probabilities!.set(probs.subarray(s * classes, s * classes + classes), r * classes));
  }
  const flags = findFlags(
    {
      data: cache.matrix(list.map((it) => it.index)),
      dim: cache.dim,
      items: list.map((it) => it.index),
      clusters: list.map((it) => it.cluster),
      labels,
      probabilities,
      classes,
    },
    options,
  );
  return toAssistFlags(
    flags,
    project.labels.map((l) => l.id),
    project.now(),
  );
}
