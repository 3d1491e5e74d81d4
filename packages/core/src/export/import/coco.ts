// The COCO importer: a file checked as `validateCoco` does, its images matched to items, its
// annotations turned into the project kind's shapes.
import { LabelkitError, throwIfAborted } from '../../errors.js';
import { polygonBounds } from '../../geometry.js';
import type { Annotation } from '../../types.js';
import type { ImportInput, ImportOptions, ImportResult } from '../types.js';
import { indexCoco, type CocoAnnotation } from '../validate.js';
import { ImportContext, type Target } from './context.js';
import { isParsed, readText, stripBom } from './input.js';

/**
 * Imports a COCO file (text, bytes, a stream, or the parsed object) as labels or prelabels.
 *
 * The file is checked as `validateCoco` does; whatever fails is listed in `failed` with a reason and
 * the rest is imported. Per project kind:
 * - detection: each annotation's `bbox` (or its polygon's bounds) becomes a box;
 * - instance segmentation: each polygon becomes a polygon annotation (an annotation made of several
 *   polygons becomes several, with a warning); RLE masks (`iscrowd` 1 regions) cannot become polygons
 *   and fail as `rle-mask`; a bbox without polygon fails as `unsupported-shape`;
 * - classification: each annotation's category becomes a tag of its image (bbox and segmentation are
 *   ignored; a multi-class image with several categories fails as `conflicting-labels`).
 * Crowd regions (`iscrowd` 1) fail as `crowd` in region projects: Labelkit has no crowd flag.
 * Images are matched to items by `file_name` (then `coco_url`, then a unique file name); categories to
 * labels by name. Regions are clipped to their image when its size is known (a warning counts them)
 * and held to the rule `Project.submit` applies, so everything imported can be submitted; a region
 * left without area fails as `invalid-shape`. An image whose annotations partly failed is imported
 * with the rest — look for its `path` in `failed`. Keypoints are not kept (a warning says how many).
 */
export async function importCoco(input: ImportInput | object, options: ImportOptions = {}): Promise<ImportResult> {
  const ctx = new ImportContext('coco', options);
  let data: unknown;
  if (isParsed(input)) data = input;
  else {
    try {
      data = JSON.parse(stripBom(await readText(input)));
    } catch (err) {
      if (LabelkitError.is(err)) throw err;
      ctx.fail('unparsable', 'file', `The file is not valid JSON: ${(err as Error).message}`);
      return ctx.result();
    }
  }
  throwIfAborted(options.signal);
  const index = indexCoco(data, options.tolerance ?? 0.5);
  ctx.failed.push(...index.problems);
  let keypoints = 0;
  let split = 0;
  let visited = 0;
  for (const image of index.images) {
    if (++visited % 1000 === 0) throwIfAborted(options.signal);
    keypoints += image.annotations.filter((a) => a.keypoints).length;
    const target = ctx.match([image.fileName, image.cocoUrl], image.source, image.width, image.height, image.annotations.length + image.failedAnnotations);
    if (!target) continue;
    const annotations: Annotation[] = [];
    const tags = new Set<string>();
    for (const a of image.annotations) {
      const label = ctx.labelFor(a.category, a.source, target.path);
      if (label === undefined) continue;
      if (ctx.kindIsClassification) {
        if (!tags.has(label)) annotations.push(ctx.asPrelabel({ kind: 'class', label }, a.score));
        tags.add(label);
        continue;
      }
      const shapes = cocoShapes(a, label, ctx, target);
      if (shapes.length > 1) split++;
      for (const s of shapes) annotations.push(ctx.asPrelabel(s, a.score));
    }
    if (ctx.kind === 'image-classification-multiclass' && tags.size > 1) {
      ctx.fail('conflicting-labels', image.source, `A multi-class project takes one label per image; this image has ${tags.size}.`, target.path);
      continue;
    }
    ctx.add(target, annotations, image.source, image.annotations.length + image.failedAnnotations === 0);
  }
  if (keypoints) ctx.warnings.push(`${keypoints} annotation(s) had keypoints, which Labelkit does not hold; their boxes/polygons were imported without them.`);
  if (split) ctx.warnings.push(`${split} annotation(s) made of several polygons were split into one polygon annotation per part.`);
  return ctx.result();
}

function cocoShapes(a: CocoAnnotation, label: string, ctx: ImportContext, target: Target): Annotation[] {
  const path = target.path;
  if (a.crowd) {
    if (ctx.kind === 'image-instance-segmentation' && a.rle) {
      ctx.fail('rle-mask', a.source, 'This iscrowd region is an RLE mask, which cannot be imported into a polygon project (Labelkit holds polygons only).', path);
    } else {
      ctx.fail('crowd', a.source, 'This is an iscrowd region; Labelkit has no crowd flag, and importing it as an ordinary object would teach models the wrong thing.', path);
    }
    return [];
  }
  if (ctx.kind === 'image-object-detection') {
    let box = a.bbox;
    if (!box && a.polygons) {
      const all = a.polygons.flat();
      const b = polygonBounds(all);
      box = [b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0];
    }
    if (!box) {
      ctx.fail('unsupported-shape', a.source, 'The annotation has neither a bbox nor a polygon; a detection project needs a box.', path);
      return [];
    }
    const shape = ctx.region({ kind: 'box', label, x: box[0], y: box[1], w: box[2], h: box[3] }, target, a.source);
    return shape ? [shape] : [];
  }
  // instance segmentation
  if (a.rle) {
    ctx.fail('rle-mask', a.source, 'The segmentation is an RLE mask, which cannot be imported into a polygon project (Labelkit holds polygons only).', path);
    return [];
  }
  if (!a.polygons) {
    ctx.fail('unsupported-shape', a.source, 'The annotation has a bbox but no polygon; a segmentation project needs polygons (import it into a detection project instead).', path);
    return [];
  }
  const out: Annotation[] = [];
  for (const p of a.polygons) {
    const shape = ctx.region({ kind: 'polygon', label, points: [...p] }, target, a.source);
    if (!shape) return [];
    out.push(shape);
  }
  return out;
}
