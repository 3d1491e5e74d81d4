// The Azure ML JSONL importer: read line by line, normalized coordinates placed with the image size.
import { throwIfAborted } from '../../errors.js';
import { allFinite } from '../../geometry.js';
import type { Annotation } from '../../types.js';
import type { ImportInput, ImportOptions, ImportResult } from '../types.js';
import { ImportContext, isRecord, pixels } from './context.js';
import { lines, stripBom } from './input.js';

/**
 * Imports an Azure ML JSONL dataset (text, bytes, or a byte stream, read line by line) as labels or
 * prelabels. Each line is `{image_url, image_details?, label}` in the shape of the project kind (see
 * `exportJsonl`); normalized coordinates are turned into pixels with the size from `image_details` or
 * the matched item (a line whose size is unknown fails as `size-unknown`). `isCrowd` regions fail as
 * `crowd`; a multi-part polygon becomes several polygons (with a warning). Regions are clipped to
 * the image and held to the submit rule, as in `importCoco`. `image_url`s are matched to
 * item paths as given, then (for `azureml://…/paths/<path>`) by `<path>`, then by a unique file name;
 * `pathOf` maps them otherwise.
 */
export async function importJsonl(input: ImportInput, options: ImportOptions = {}): Promise<ImportResult> {
  const ctx = new ImportContext('jsonl', options);
  let split = 0;
  let lineNo = 0;
  const rows = lines(input);
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = await rows.next();
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      ctx.fail('unparsable', `line ${lineNo + 1}`, `The file is not valid UTF-8 text from here on: ${err.message}`);
      break;
    }
    if (next.done) break;
    const line = next.value;
    lineNo++;
    if (lineNo % 1000 === 0) throwIfAborted(options.signal);
    if (line.trim() === '') continue;
    const source = `line ${lineNo}`;
    let row: unknown;
    try {
      row = JSON.parse(lineNo === 1 ? stripBom(line) : line);
    } catch (err) {
      ctx.fail('unparsable', source, `The line is not valid JSON: ${(err as Error).message}`);
      continue;
    }
    if (!isRecord(row) || typeof row.image_url !== 'string' || row.image_url === '' || !('label' in row)) {
      ctx.fail('invalid-structure', source, 'A line needs "image_url" (a string) and "label".');
      continue;
    }
    const details = isRecord(row.image_details) ? row.image_details : {};
    const width = pixels(details.width);
    const height = pixels(details.height);
    const target = ctx.match([row.image_url], source, width && height ? width : undefined, width && height ? height : undefined, 1);
    if (!target) continue;
    const annotations: Annotation[] = [];
    const label = row.label;
    if (ctx.kindIsClassification) {
      const names = typeof label === 'string' ? [label] : Array.isArray(label) && label.every((l) => typeof l === 'string') ? (label as string[]) : undefined;
      if (!names) {
        ctx.fail('invalid-structure', source, 'For classification, "label" is a class name or a list of class names.', target.path);
        continue;
      }
      if (ctx.kind === 'image-classification-multiclass' && new Set(names).size > 1) {
        ctx.fail('conflicting-labels', source, `A multi-class project takes one label per image; this line has ${names.length}.`, target.path);
        continue;
      }
      const seen = new Set<string>();
      let ok = true;
      for (const name of names) {
        const id = ctx.labelFor(name, source, target.path);
        if (id === undefined) ok = false;
        else if (!seen.has(id)) {
          seen.add(id);
          annotations.push({ kind: 'class', label: id });
        }
      }
      if (!ok && annotations.length === 0) continue;
      ctx.add(target, annotations, source, names.length === 0);
      continue;
    }
    if (!Array.isArray(label)) {
      ctx.fail('invalid-structure', source, '"label" must be a list of regions for detection and segmentation.', target.path);
      continue;
    }
    if (target.width === undefined || target.height === undefined) {
      ctx.fail('size-unknown', source, 'The image size is in neither image_details nor the project, so the normalized coordinates cannot be placed.', target.path);
      continue;
    }
    const W = target.width;
    const H = target.height;
    const tol = options.tolerance ?? 0.5;
    label.forEach((region, k) => {
      const at = `${source}, label[${k}]`;
      if (!isRecord(region) || typeof region.label !== 'string') {
        ctx.fail('invalid-structure', at, 'A region needs a "label" (the class name).', target.path);
        return;
      }
      if (region.isCrowd === 1 || region.isCrowd === true || region.isCrowd === '1') {
        ctx.fail('crowd', at, 'This is an isCrowd region; Labelkit has no crowd flag, and importing it as an ordinary object would teach models the wrong thing.', target.path);
        return;
      }
      const id = ctx.labelFor(region.label, at, target.path);
      if (id === undefined) return;
      const score = typeof region.score === 'number' ? region.score : typeof region.confidence === 'number' ? region.confidence : undefined;
      if (ctx.kind === 'image-object-detection') {
        const v = [region.topX, region.topY, region.bottomX, region.bottomY];
        if (!v.every((n) => typeof n === 'number' && Number.isFinite(n))) {
          ctx.fail('invalid-structure', at, 'A box needs numbers topX, topY, bottomX and bottomY.', target.path);
          return;
        }
        const [tx, ty, bx, by] = v as [number, number, number, number];
        const x0 = tx * W;
        const y0 = ty * H;
        const x1 = bx * W;
        const y1 = by * H;
        if (!(x1 > x0 && y1 > y0)) {
          ctx.fail('invalid-shape', at, 'The box has no area (bottom/right not beyond top/left).', target.path);
          return;
        }
        if (x0 < -tol || y0 < -tol || x1 > W + tol || y1 > H + tol) {
          ctx.fail('invalid-shape', at, 'The box reaches outside the image (normalized coordinates outside [0, 1]).', target.path);
          return;
        }
        const box = ctx.region({ kind: 'box', label: id, x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, target, at);
        if (box) annotations.push(ctx.asPrelabel(box, score));
        return;
      }
      const poly = region.polygon;
      const parts = Array.isArray(poly) && poly.length > 0 && Array.isArray(poly[0]) ? (poly as unknown[]) : Array.isArray(poly) && poly.length > 0 ? [poly] : undefined;
      if (!parts) {
        ctx.fail('invalid-structure', at, 'A segmentation region needs "polygon": [[x0, y0, x1, y1, …]].', target.path);
        return;
      }
      const shapes: Annotation[] = [];
      for (const part of parts) {
        if (!Array.isArray(part) || !allFinite(part as number[]) || !part.every((n) => typeof n === 'number')) {
          ctx.fail('invalid-structure', at, 'A polygon is a list of numbers.', target.path);
          return;
        }
        if (part.length % 2 !== 0 || part.length < 6) {
          ctx.fail('invalid-shape', at, 'A polygon needs an even number of coordinates and at least 3 points.', target.path);
          return;
        }
        const points = (part as number[]).map((n, i) => n * (i % 2 === 0 ? W : H));
        const polygon = ctx.region({ kind: 'polygon', label: id, points }, target, at);
        if (!polygon) return;
        shapes.push(ctx.asPrelabel(polygon, score));
      }
      if (shapes.length > 1) split++;
      annotations.push(...shapes);
    });
    ctx.add(target, annotations, source, label.length === 0);
  }
  if (split) ctx.warnings.push(`${split} region(s) made of several polygons were split into one polygon annotation per part.`);
  return ctx.result();
}
