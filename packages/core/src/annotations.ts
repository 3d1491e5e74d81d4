import { LabelkitError } from './errors.js';
import type { Annotation, LabelClass, ProjectKind } from './types.js';

export interface ImageBounds {
  readonly width?: number;
  readonly height?: number;
}

/**
 * Checks one item's annotations for a project kind. Throws `E_INVALID_ANNOTATION` naming the
 * first problem: wrong shape for the kind, unknown label, zero-area box, polygon with fewer than
 * 3 distinct points or zero area, coordinates outside the image (when its size is known), more
 * than one label in a multi-class project, or nothing at all.
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
    } else if (a.kind === 'box') {
      for (const v of [a.x, a.y, a.w, a.h]) if (typeof v !== 'number' || !Number.isFinite(v)) fail('box coordinates must be finite numbers.');
      if (!(a.w > 0 && a.h > 0)) fail(`a box must have a positive width and height (got ${a.w}×${a.h}); zero-size boxes are not kept.`);
      checkInside([a.x, a.y, a.x + a.w, a.y + a.h], bounds, fail);
    } else {
      const p = a.points;
      if (!Array.isArray(p) || p.length % 2 !== 0) fail('polygon points must be a flat [x0, y0, x1, y1, …] list.');
      for (const v of p) if (typeof v !== 'number' || !Number.isFinite(v)) fail('polygon coordinates must be finite numbers.');
      const distinct = new Set<string>();
      for (let i = 0; i < p.length; i += 2) distinct.add(`${p[i]},${p[i + 1]}`);
      if (distinct.size < 3) fail(`a polygon needs at least 3 distinct points (got ${distinct.size}).`);
      if (polygonArea(p) <= 0) fail('the polygon has zero area (its points are on one line).');
      checkInside(p, bounds, fail);
    }
  }
  if (kind === 'image-classification-multiclass' && anns.length !== 1) fail(`a multi-class project takes exactly one label per image (got ${anns.length}).`);
}

function checkInside(coords: readonly number[], b: ImageBounds, fail: (m: string, d?: Record<string, unknown>) => never): void {
  if (!b.width || !b.height) return;
  const eps = 1e-6;
  for (let i = 0; i < coords.length; i += 2) {
    const x = coords[i];
    const y = coords[i + 1];
    if (x < -eps || y < -eps || x > b.width + eps || y > b.height + eps) {
      fail(`point (${x}, ${y}) is outside the ${b.width}×${b.height} image.`, { x, y });
    }
  }
}

/** Shoelace area of a flat polygon. */
export function polygonArea(points: readonly number[]): number {
  let s = 0;
  const n = points.length / 2;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    s += points[2 * i] * points[2 * j + 1] - points[2 * j] * points[2 * i + 1];
  }
  return Math.abs(s) / 2;
}
