import { isClassificationKind, type Annotation, type ItemView, type ProjectReader } from '../types.js';
import {
  ChunkWriter,
  IndexMap,
  IssueLog,
  ItemWalk,
  checkDecimals,
  clipBox,
  clipPolygon,
  cocoDate,
  hasArea,
  isHttpUrl,
  labelIndex,
  newReport,
  polygonArea,
  polygonBounds,
  roundTo,
  safeName,
  timestamp,
  type LabelIndex,
} from './internal.js';
import { ExportStream } from './stream.js';
import type { CocoExportOptions, CocoInfo } from './types.js';

/**
 * Streams a project as one COCO JSON file (compact, the bytes `JSON.stringify` would give):
 * `info`, `licenses`, `images`, `annotations`, `categories`.
 *
 * - `images`: `id` (1, 2, … in item order), `width`, `height`, `file_name` (the item path) and
 *   `coco_url` when known.
 * - `categories`: the project's labels in order, `id` 1, 2, …, `name`, `supercategory` "".
 * - Detection: `bbox` [x, y, w, h] in pixels, `area` = w·h, `iscrowd` 0, `segmentation` [].
 * - Instance segmentation: `segmentation` [[x0, y0, …]] with `bbox` and `area` computed from the polygon.
 * - Classification: one annotation per label of the image, with `id`, `image_id` and `category_id`
 *   only — no `bbox`, `area` or `segmentation`.
 *
 * Pixel values keep `decimals` places (default 2); areas keep 2·decimals+1, which is exact for a
 * polygon with such vertices, so export → import → export gives the same bytes. Shapes reaching outside
 * the image are clipped to it (issue `clipped`). Items whose size is unknown after probing are left
 * out of region projects and written without width/height in classification projects (issue
 * `size-unknown` either way). The project is read twice (images, then annotations) and never held.
 */
export function exportCoco(reader: ProjectReader, options: CocoExportOptions = {}): ExportStream {
  const decimals = checkDecimals(options.decimals ?? 2);
  const date = options.date ?? new Date();
  const report = newReport('coco', reader.kind);
  return new ExportStream({
    fileName: `${safeName(reader.name)}_${timestamp(date)}.json`,
    contentType: 'application/json',
    format: 'coco',
    report,
    source: () => cocoChunks(reader, options, decimals, date, report),
  });
}

async function* cocoChunks(reader: ProjectReader, options: CocoExportOptions, decimals: number, date: Date, report: ReturnType<typeof newReport>): AsyncGenerator<Uint8Array> {
  const kind = reader.kind;
  const classification = isClassificationKind(kind);
  const labels = labelIndex(reader.labels);
  const walk = new ItemWalk(reader, options, report, 2);
  const issues = new IssueLog(report, options);
  const out = new ChunkWriter();
  const imageIds = new IndexMap(reader.itemCount);
  const imageUrl = options.imageUrl ?? ((item: ItemView) => (isHttpUrl(item.path) ? item.path : undefined));
  const areaDecimals = Math.min(2 * decimals + 1, 14);

  const info: Required<CocoInfo> = {
    description: reader.name,
    url: '',
    version: '1.0',
    year: date.getUTCFullYear(),
    contributor: 'Labelkit',
    date_created: cocoDate(date),
    ...options.info,
  };
  const licenses = (options.licenses ?? []).map((l) => ({ id: l.id, name: l.name, url: l.url ?? '' }));
  out.write(`{"info":${JSON.stringify(info)},"licenses":${JSON.stringify(licenses)},"images":[`);

  // Pass 1: images. Sizes are resolved here (probing when needed) and remembered for pass 2.
  walk.phase = 'images';
  let imageId = 0;
  for await (const batch of walk.batches(true)) {
    for (const { item, width, height } of batch) {
      walk.visited(item);
      const known = width !== undefined && height !== undefined;
      if (!known) {
        if (!classification) {
          issues.add(item, 'size-unknown', true, 'The image size is unknown (not probed, or the probe failed), so its pixel coordinates cannot be checked; the item was left out.');
          continue;
        }
        issues.add(item, 'size-unknown', false, 'The image size is unknown; the image was written without width and height.');
      }
      imageId++;
      imageIds.set(item.index, imageId);
      const url = imageUrl(item);
      out.write(
        `${imageId > 1 ? ',' : ''}{"id":${imageId}${known ? `,"width":${width},"height":${height}` : ''},"file_name":${JSON.stringify(item.path)}${
          url !== undefined ? `,"coco_url":${JSON.stringify(url)}` : ''
        }}`,
      );
      report.images++;
      if (out.full) {
        const chunk = out.take();
        walk.bytes = report.bytes = out.bytes;
        yield chunk;
      }
    }
  }

  // Pass 2: annotations of the items written in pass 1.
  out.write('],"annotations":[');
  walk.phase = 'annotations';
  const state = { annotationId: 0 };
  for await (const batch of walk.batches(false)) {
    for (const { item, width, height } of batch) {
      walk.visited(item);
      const id = imageIds.get(item.index);
      if (id === 0) continue;
      if (classification) writeClasses(out, item, id, labels, state, issues, kind === 'image-classification-multiclass');
      else writeRegions(out, item, id, width, height, labels, state, issues, kind === 'image-instance-segmentation', decimals, areaDecimals);
      report.annotations = state.annotationId;
      if (out.full) {
        const chunk = out.take();
        walk.bytes = report.bytes = out.bytes;
        yield chunk;
      }
    }
  }

  const categories = reader.labels.map((l, i) => ({ id: i + 1, name: l.name, supercategory: '' }));
  out.write(`],"categories":${JSON.stringify(categories)}}`);
  const last = out.take();
  walk.bytes = report.bytes = out.bytes;
  report.annotations = state.annotationId;
  yield last;
  walk.finish();
}

function writeClasses(out: ChunkWriter, item: ItemView, imageId: number, labels: LabelIndex, state: { annotationId: number }, issues: IssueLog, multiclass: boolean): void {
  const seen = new Set<string>();
  for (const a of item.annotations) {
    if (a.kind !== 'class') {
      issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in a classification project was not written.`);
      continue;
    }
    if (seen.has(a.label)) continue;
    const label = labels.get(a.label);
    if (!label) {
      issues.add(item, 'unknown-label', false, `Label id "${a.label}" is not a label of the project; the annotation was not written.`);
      continue;
    }
    seen.add(a.label);
    const id = ++state.annotationId;
    out.write(`${id > 1 ? ',' : ''}{"id":${id},"image_id":${imageId},"category_id":${label.index + 1}}`);
  }
  if (multiclass && seen.size > 1) {
    issues.add(item, 'conflicting-labels', false, `A multi-class item carries ${seen.size} labels; all were written.`);
  }
}

function writeRegions(
  out: ChunkWriter,
  item: ItemView,
  imageId: number,
  width: number | undefined,
  height: number | undefined,
  labels: LabelIndex,
  state: { annotationId: number },
  issues: IssueLog,
  polygons: boolean,
  decimals: number,
  areaDecimals: number,
): void {
  for (const a of item.annotations) {
    const label = labels.get(a.label);
    if (!label) {
      issues.add(item, 'unknown-label', false, `Label id "${a.label}" is not a label of the project; the annotation was not written.`);
      continue;
    }
    const text = polygons ? polygonJson(a, item, width, height, issues, decimals, areaDecimals) : boxJson(a, item, width, height, issues, decimals, areaDecimals);
    if (text === undefined) continue;
    const id = ++state.annotationId;
    out.write(`${id > 1 ? ',' : ''}{"id":${id},"image_id":${imageId},"category_id":${label.index + 1},${text}}`);
  }
}

function boxJson(a: Annotation, item: ItemView, width: number | undefined, height: number | undefined, issues: IssueLog, decimals: number, areaDecimals: number): string | undefined {
  if (a.kind !== 'box') {
    issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in an object detection project was not written.`);
    return undefined;
  }
  const box = clipBox(a.x, a.y, a.w, a.h, width, height, decimals);
  if (!box) {
    issues.add(item, 'invalid-shape', false, 'A box with non-finite coordinates was not written.');
    return undefined;
  }
  const w = roundTo(box.x1 - box.x0, decimals);
  const h = roundTo(box.y1 - box.y0, decimals);
  if (!(w > 0 && h > 0)) {
    issues.add(item, 'invalid-shape', false, box.clipped ? 'A box lying outside the image was not written.' : 'A box of zero area was not written.');
    return undefined;
  }
  if (box.clipped) issues.add(item, 'clipped', false, 'A box reaching outside the image was clipped to it.');
  return `"segmentation":[],"area":${roundTo(w * h, areaDecimals)},"bbox":[${box.x0},${box.y0},${w},${h}],"iscrowd":0`;
}

function polygonJson(a: Annotation, item: ItemView, width: number | undefined, height: number | undefined, issues: IssueLog, decimals: number, areaDecimals: number): string | undefined {
  if (a.kind !== 'polygon') {
    issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in an instance segmentation project was not written.`);
    return undefined;
  }
  const poly = clipPolygon(a.points, width, height, decimals);
  if (!poly) {
    issues.add(item, 'invalid-shape', false, 'A polygon with fewer than 3 points or non-finite coordinates was not written.');
    return undefined;
  }
  const area = roundTo(polygonArea(poly.points), areaDecimals);
  if (!(area > 0) || !hasArea(poly.points)) {
    issues.add(item, 'invalid-shape', false, poly.clipped ? 'A polygon lying outside the image was not written.' : 'A polygon of zero area was not written.');
    return undefined;
  }
  if (poly.clipped) issues.add(item, 'clipped', false, 'A polygon reaching outside the image was clipped to it.');
  const b = polygonBounds(poly.points);
  return `"segmentation":[[${poly.points.join(',')}]],"area":${area},"bbox":[${b.x0},${b.y0},${roundTo(b.x1 - b.x0, decimals)},${roundTo(b.y1 - b.y0, decimals)}],"iscrowd":0`;
}
