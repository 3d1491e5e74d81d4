import { LabelkitError } from './errors.js';
import { regionProblem, type ImageBounds } from './geometry.js';
import type { Annotation, LabelClass, ProjectKind } from './types.js';

export type { ImageBounds } from './geometry.js';

/**
 * Checks one item's annotations for a project kind. Throws `E_INVALID_ANNOTATION` naming the
 * first problem: wrong shape for the kind, unknown label, a box or polygon that `regionProblem`
 * (geometry.ts) refuses — non-finite, fewer than 3 distinct points, less area than
 * `MIN_REGION_AREA`, outside the image when its size is known — more than one label in a
 * multi-class project, or nothing at all.
 */
export function validateAnnotations(kind: ProjectKind, labels: readonly LabelClass[], anns: readonly Annotation[], bounds: ImageBounds = {}, path = ''): void {
  const fail = (msg: string, details: Record<string, unknown> = {}) => {
    throw new LabelkitError('E_INVALID_ANNOTATION', `${path ? `${path}: ` : ''}${msg}`, { path, ...details });
  };
  if (!Array.isArray(anns)) fail('annotations must be an array.');
  if (anns.length === 0) fail('give at least one label, or skip the item.');
  const ids = new Set(labels.map((l) => l.id));
  const want = kind === 'image-object-detection' ? 'box' : kind === 'image-instance-segmentation' ? 'polygon' : 'class';
  const seen = new Set<string>();
  for (const a of anns) {
    if (!a || typeof a !== 'object') fail('an annotation must be an object.');
    if (a.kind !== want) fail(`a ${kind} project takes '${want}' annotations, not '${String(a.kind)}'.`, { kind: a.kind });
    if (!ids.has(a.label)) fail(`label "${String(a.label)}" is not one of this project's label classes.`, { label: a.label });
    if (a.confidence !== undefined && !(a.confidence >= 0 && a.confidence <= 1)) fail('confidence must be between 0 and 1.');
    if (a.kind === 'class') {
      if (seen.has(a.label)) fail(`label "${a.label}" is given twice.`);
      seen.add(a.label);
      continue;
    }
    const problem = regionProblem(a, bounds);
    if (problem) fail(problem);
  }
  if (kind === 'image-classification-multiclass' && anns.length !== 1) fail(`a multi-class project takes exactly one label per image (got ${anns.length}).`);
}
