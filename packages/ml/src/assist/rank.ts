import type { AssistHead, HeadKind } from '@labelkit/core';
import { assistable } from './assistable.js';
import type { LoopContext } from './types.js';

// Active ordering: after a training round, the todo items without a prelabel are ranked by how
// uncertain the head is about them, spread across clusters (or away from near neighbours), and the
// ranking is recorded (`items.ranked`) for a project whose `queue.order` is 'informative': its
// manual and clustered lanes then serve those items first.

/**
 * How unsure the head is about each row, in [0, 1] (1: a coin toss). Multi-class: one minus the
 * margin between the two most likely classes. Multi-label: how close the most doubtful class is to
 * 0.5 (one minus twice its distance from it).
 */
export function uncertainty(kind: HeadKind, probs: Float32Array, n: number, classes: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    if (kind === 'multiclass') {
      let a = -Infinity;
      let b = -Infinity;
      for (let c = 0; c < classes; c++) {
        const p = probs[o + c]!;
        if (p > a) {
          b = a;
          a = p;
        } else if (p > b) b = p;
      }
      out[i] = classes < 2 ? 0 : 1 - (a - b);
    } else {
      let d = 0.5;
      for (let c = 0; c < classes; c++) d = Math.min(d, Math.abs(probs[o + c]! - 0.5));
      out[i] = 1 - 2 * d;
    }
  }
  return out;
}

/**
 * The `top` most informative rows, most informative first. The candidates are the `3 × top` most
 * uncertain rows. When rows have groups (cluster ids ≥ 0), each pick is the row with the highest
 * score × `decay`^(rows already picked from its group): among rows about as uncertain, the groups
 * take turns, so one confusing cluster does not fill the ranking, while a sure row never jumps
 * ahead of a much less sure one. Else, with `rows` (embeddings), picks are greedy, each row's score
 * lowered by its cosine similarity to the nearest row already picked.
 */
export function informativeOrder(scores: Float32Array, top: number, groups?: Int32Array, rows?: { data: Float32Array; cols: number }, decay = 0.8): number[] {
  const n = scores.length;
  const pool = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, Math.min(n, 3 * top));
  if (groups && pool.some((i) => groups[i]! >= 0)) {
    // Per group, its rows in pool order (most uncertain first); groups in order of their best row.
    const buckets = new Map<number, number[]>();
    for (const i of pool) {
      const g = groups[i]!;
      let b = buckets.get(g);
      if (!b) buckets.set(g, (b = []));
      b.push(i);
    }
    const lists = [...buckets.values()];
    const picked = new Int32Array(lists.length);
    const out: number[] = [];
    while (out.length < Math.min(top, pool.length)) {
      let best = 0;
      let bestScore = -Infinity;
      lists.forEach((l, g) => {
        const k = picked[g]!;
        const s = k < l.length ? scores[l[k]!]! * decay ** k : -Infinity;
        if (s > bestScore) [best, bestScore] = [g, s];
      });
      out.push(lists[best]![picked[best]!++]!);
    }
    return out;
  }
  if (!rows || !rows.cols) return pool.slice(0, top);
  const d = rows.cols;
  const unit = new Float32Array(pool.length * d);
  pool.forEach((i, k) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += rows.data[i * d + j]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) unit[k * d + j] = rows.data[i * d + j]! * inv;
  });
  const nearest = new Float32Array(pool.length).fill(-1);
  const taken = new Uint8Array(pool.length);
  const out: number[] = [];
  while (out.length < Math.min(top, pool.length)) {
    let best = -1;
    let bestScore = -Infinity;
    for (let k = 0; k < pool.length; k++) {
      if (taken[k]) continue;
      const s = scores[pool[k]!]! - Math.max(0, nearest[k]!);
      if (s > bestScore) [best, bestScore] = [k, s];
    }
    taken[best] = 1;
    out.push(pool[best]!);
    for (let k = 0; k < pool.length; k++) {
      if (taken[k]) continue;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += unit[k * d + j]! * unit[best * d + j]!;
      if (dot > nearest[k]!) nearest[k] = dot;
    }
  }
  return out;
}

/**
 * After a round: when the project's `queue.order` is 'informative', ranks the todo items that
 * carry no prelabel with the round's head and records the ranking (`project.rankItems`). The
 * ranking holds `4 × retrainEvery` items (at least 50): the next round ranks again. A round with no
 * threshold (`null`: no prelabels yet, or withdrawn) records an empty ranking instead: the lanes
 * keep their shuffled order until prelabels flow, because the threshold is chosen on the labels
 * humans gave, and a sample of only the items the model is unsure of never shows it the run of
 * right, confident predictions it needs (measured: docs/ml.md, "Active ordering"). Returns how many
 * items were ranked (0 when the setting is off).
 */
export async function rankForQueue(ctx: LoopContext, head: AssistHead, threshold: number | null, signal?: AbortSignal): Promise<number> {
  const p = ctx.project;
  if (p.queueSettings.order !== 'informative') return 0;
  const todo = threshold === null ? [] : [...p.items({ states: ['todo'] })].filter((it) => it.lane !== 'prelabeled' && !it.prelabels && assistable(it) && ctx.hasRow(it));
  if (!todo.length) return p.rankItems(undefined, []);
  const data = ctx.cache.matrix(todo.map((it) => it.index));
  const res = await ctx.assistant.predict(head, { rows: todo.length, cols: ctx.cache.dim, data }, { signal });
  const scores = uncertainty(head.kind, res.probabilities.data, todo.length, head.classes);
  const groups = Int32Array.from(todo, (it) => it.cluster ?? -1);
  const order = informativeOrder(scores, Math.max(50, 4 * p.assist.retrainEvery), groups, { data, cols: ctx.cache.dim });
  return p.rankItems(
    undefined,
    order.map((k) => todo[k]!.index),
    order.map((k) => scores[k]!),
  );
}
