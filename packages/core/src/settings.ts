import { LabelkitError } from './errors.js';
import type { Annotation, AssistSettings, QueueSettings } from './types.js';
import { cleanConsensus } from './team/consensus.js';

// Checks of a project's settings, and the shape of an annotation as the journal keeps it.

/** Keeps only the fields of a shape (drops UI state a component may have attached). */
export function cleanAnnotation(a: Annotation): Annotation {
  const base = { ...(a.id ? { id: a.id } : {}), ...(a.confidence !== undefined ? { confidence: a.confidence } : {}) };
  switch (a.kind) {
    case 'class':
      return { kind: 'class', label: a.label, ...base };
    case 'box':
      return { kind: 'box', label: a.label, x: a.x, y: a.y, w: a.w, h: a.h, ...base };
    case 'polygon':
      return { kind: 'polygon', label: a.label, points: [...a.points], ...base };
  }
}

export function checkAssist(a: AssistSettings): AssistSettings {
  const bad = (m: string) => new LabelkitError('E_INVALID_ARGUMENT', `Assist settings: ${m}`);
  if (typeof a.enabled !== 'boolean') throw bad('enabled must be true or false.');
  if (!(Number.isInteger(a.firstTrainingAt) && a.firstTrainingAt >= 1)) throw bad('firstTrainingAt must be a whole number ≥ 1.');
  if (!(Number.isInteger(a.retrainEvery) && a.retrainEvery >= 1)) throw bad('retrainEvery must be a whole number ≥ 1.');
  if (!(a.targetPrecision > 0 && a.targetPrecision <= 1)) throw bad('targetPrecision must be in (0, 1].');
  return { enabled: a.enabled, firstTrainingAt: a.firstTrainingAt, retrainEvery: a.retrainEvery, targetPrecision: a.targetPrecision, clustering: !!a.clustering };
}

export function checkQueue(q: QueueSettings): QueueSettings {
  if (!(q.leaseMs >= 1000)) throw new LabelkitError('E_INVALID_ARGUMENT', 'A lease lasts at least a second (leaseMs ≥ 1000).');
  const lanes = new Set(q.laneOrder);
  if (lanes.size !== q.laneOrder.length || ![...lanes].every((l) => l === 'manual' || l === 'clustered' || l === 'prelabeled')) {
    throw new LabelkitError('E_INVALID_ARGUMENT', "laneOrder lists 'manual', 'clustered' and 'prelabeled', each at most once.");
  }
  if (q.order !== undefined && q.order !== 'shuffled' && q.order !== 'informative') {
    throw new LabelkitError('E_INVALID_ARGUMENT', `queue order is 'shuffled' or 'informative', not '${String(q.order)}'.`, { order: q.order });
  }
  const consensus = cleanConsensus(q.consensus);
  return { leaseMs: q.leaseMs, laneOrder: [...q.laneOrder], ...(consensus ? { consensus } : {}), ...(q.order ? { order: q.order } : {}) };
}
