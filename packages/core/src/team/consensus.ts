import { LabelkitError } from '../errors.js';
import { regionIoU } from '../geometry.js';
import type { Annotation } from '../types.js';

/**
 * Consensus labeling (a project setting, `queue.consensus`): each item goes to `labelers` distinct
 * labelers; their answers agree or not, and agreement gives the final label.
 * - `majority`: more than half of the answers are equivalent; `all`: every answer is.
 * - Answers are equivalent when they hold the same class tags (classification), or when their regions
 *   match one to one: same label and IoU ≥ `iou` (default 0.5).
 */
export interface ConsensusSettings {
  readonly labelers: number;
  readonly agreement: 'majority' | 'all';
  /** IoU two regions need to be the same object (default 0.5). */
  readonly iou?: number;
}

export const DEFAULT_CONSENSUS_IOU = 0.5;

/** Checks and normalizes a consensus setting; `labelers` 1 (or none) means no consensus. */
export function cleanConsensus(c: ConsensusSettings | null | undefined): ConsensusSettings | undefined {
  if (c == null) return undefined;
  const n = c.labelers;
  if (!Number.isInteger(n) || n < 1 || n > 10)
    throw new LabelkitError('E_INVALID_ARGUMENT', `consensus.labelers must be a whole number from 1 to 10 (got ${String(n)}).`, { labelers: n });
  if (c.agreement !== 'majority' && c.agreement !== 'all')
    throw new LabelkitError('E_INVALID_ARGUMENT', `consensus.agreement is 'majority' or 'all' (got ${String(c.agreement)}).`);
  const iou = c.iou ?? DEFAULT_CONSENSUS_IOU;
  if (!(iou > 0 && iou <= 1)) throw new LabelkitError('E_INVALID_ARGUMENT', `consensus.iou must be in (0, 1] (got ${String(iou)}).`);
  if (n === 1) return undefined;
  return { labelers: n, agreement: c.agreement, ...(c.iou !== undefined ? { iou } : {}) };
}

/** Matches two answers' regions one to one (same label, IoU ≥ `iou`, best first); undefined when they are not equivalent. */
export function matchAnswers(a: readonly Annotation[], b: readonly Annotation[], iou = DEFAULT_CONSENSUS_IOU): number[] | undefined {
  if (a.length !== b.length) return undefined;
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!;
    for (let j = 0; j < b.length; j++) {
      const bj = b[j]!;
      if (ai.label !== bj.label || ai.kind !== bj.kind) continue;
      const v = regionIoU(ai, bj);
      if (v >= iou) pairs.push([v, i, j]);
    }
  }
  pairs.sort((x, y) => y[0] - x[0]);
  const ofA = new Array<number>(a.length).fill(-1);
  const usedB = new Set<number>();
  for (const [, i, j] of pairs) {
    if (ofA[i]! >= 0 || usedB.has(j)) continue;
    ofA[i] = j;
    usedB.add(j);
  }
  return ofA.every((j) => j >= 0) ? ofA : undefined;
}

export interface Decision {
  /** Whether the answers agree under the setting. */
  readonly agreed: boolean;
  /** The final label, when they agree. */
  readonly final?: Annotation[];
  /** Per answer: whether it is equivalent to the winning answer. */
  readonly agreeing: boolean[];
}

/**
 * Decides `answers` (one per labeler, skips left out): groups equivalent answers, and the largest
 * group wins when it is a majority (or all, for `all`). The final label is that group's: class tags
 * as given; boxes averaged over the group's matched boxes; polygons as the first answer drew them.
 */
export function decide(answers: readonly (readonly Annotation[])[], settings: ConsensusSettings): Decision {
  const iou = settings.iou ?? DEFAULT_CONSENSUS_IOU;
  const groups: number[][] = [];
  for (let k = 0; k < answers.length; k++) {
    // A group is created with its first member, so members[0] is always an index into answers.
    const g = groups.find((members) => matchAnswers(answers[members[0]!]!, answers[k]!, iou));
    if (g) g.push(k);
    else groups.push([k]);
  }
  let best = groups[0] ?? [];
  for (const g of groups) if (g.length > best.length) best = g;
  const agreeing = answers.map((_, k) => best.includes(k));
  const need = settings.agreement === 'all' ? answers.length : Math.floor(answers.length / 2) + 1;
  if (!answers.length || best.length < need) return { agreed: false, agreeing };
  return {
    agreed: true,
    final: merge(
      best.map((k) => answers[k]!),
      iou,
    ),
    agreeing,
  };
}

/** Whether one answer is equivalent to the final label (for per-labeler agreement). */
export function agreesWith(answer: readonly Annotation[], final: readonly Annotation[], iou = DEFAULT_CONSENSUS_IOU): boolean {
  return !!matchAnswers(answer, final, iou);
}

function merge(group: readonly (readonly Annotation[])[], iou: number): Annotation[] {
  const first = group[0]!; // decide() merges only a winning group, which has at least one member (need >= 1)
  const out: Annotation[] = [];
  for (let i = 0; i < first.length; i++) {
    const a = first[i]!;
    if (a.kind !== 'box') {
      out.push(strip(a));
      continue;
    }
    let x = 0;
    let y = 0;
    let x1 = 0;
    let y1 = 0;
    let n = 0;
    for (const other of group) {
      const m = matchAnswers(first, other, iou);
      const b = m ? other[m[i]!] : undefined; // m pairs every index of first with one of other
      if (b?.kind !== 'box') continue;
      x += b.x;
      y += b.y;
      x1 += b.x + b.w;
      y1 += b.y + b.h;
      n++;
    }
    const r = (v: number) => Math.round((v / n) * 100) / 100;
    out.push({ kind: 'box', label: a.label, x: r(x), y: r(y), w: r(x1) - r(x), h: r(y1) - r(y) });
  }
  return out;
}

function strip(a: Annotation): Annotation {
  if (a.kind === 'class') return { kind: 'class', label: a.label };
  if (a.kind === 'polygon') return { kind: 'polygon', label: a.label, points: [...a.points] };
  return { kind: 'box', label: a.label, x: a.x, y: a.y, w: a.w, h: a.h };
}
