import { boxHasArea, polygonArea, polygonBounds, roundTo } from '../geometry.js';
import type { ItemView, ProjectReader } from '../types.js';
import { isHttpUrl } from './paths.js';
import type { Region } from './regions.js';
import { ExportRun, streamExport } from './run.js';
import type { ExportStream } from './stream.js';
import { checkDecimals, cocoDate } from './text.js';
import type { CocoExportOptions, CocoInfo, ExportReport } from './types.js';
import { IndexMap } from './walk.js';

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
 * the image are clipped to it (issue `clipped`); regions with less than `MIN_REGION_AREA` (1 px²) left
 * are reported as `invalid-shape`. Items whose size is unknown after probing are left
 * out of region projects and written without width/height in classification projects (issue
 * `size-unknown` either way). The project is read twice (images, then annotations) and never held.
 */
export function exportCoco(reader: ProjectReader, options: CocoExportOptions = {}): ExportStream {
  const decimals = checkDecimals(options.decimals ?? 2);
  return streamExport(reader, options, 'coco', { extension: 'json', contentType: 'application/json' }, (report, date) => cocoChunks(reader, options, decimals, date, report));
}

async function* cocoChunks(reader: ProjectReader, options: CocoExportOptions, decimals: number, date: Date, report: ExportReport): AsyncGenerator<Uint8Array> {
  const run = new ExportRun(reader, options, report, 2, decimals);
  const { walk, out, adapter } = run;
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
      if (!run.visit(item, width, height)) continue;
      imageId++;
      imageIds.set(item.index, imageId);
      const url = imageUrl(item);
      out.write(
        `${imageId > 1 ? ',' : ''}{"id":${imageId}${width !== undefined && height !== undefined ? `,"width":${width},"height":${height}` : ''},"file_name":${JSON.stringify(item.path)}${
          url !== undefined ? `,"coco_url":${JSON.stringify(url)}` : ''
        }}`,
      );
      report.images++;
      if (out.full) yield run.take();
    }
  }

  // Pass 2: annotations of the items written in pass 1.
  out.write('],"annotations":[');
  walk.phase = 'annotations';
  let annotationId = 0;
  let imageOf = 0;
  const writeRegion = (r: Region): boolean => {
    const text = regionJson(r, decimals, areaDecimals);
    if (text === undefined) return false;
    const id = ++annotationId;
    out.write(`${id > 1 ? ',' : ''}{"id":${id},"image_id":${imageOf},"category_id":${r.label.index + 1},${text}}`);
    return true;
  };
  for await (const batch of walk.batches(false)) {
    for (const { item, width, height } of batch) {
      walk.visited(item);
      imageOf = imageIds.get(item.index);
      if (imageOf === 0) continue;
      if (run.regions) adapter.regions(item, width, height, writeRegion);
      else {
        const labels = adapter.classes(item);
        for (const label of labels) {
          const id = ++annotationId;
          out.write(`${id > 1 ? ',' : ''}{"id":${id},"image_id":${imageOf},"category_id":${label.index + 1}}`);
        }
        if (reader.kind === 'image-classification-multiclass' && labels.length > 1) {
          run.issues.add(item, 'conflicting-labels', false, `A multi-class item carries ${labels.length} labels; all were written.`);
        }
      }
      report.annotations = annotationId;
      if (out.full) yield run.take();
    }
  }

  const categories = reader.labels.map((l, i) => ({ id: i + 1, name: l.name, supercategory: '' }));
  out.write(`],"categories":${JSON.stringify(categories)}}`);
  const last = run.take();
  report.annotations = annotationId;
  yield last;
  walk.finish();
}

/**
 * The geometry fields of a region: a box's `bbox` (corners already rounded; w, h rounded again) and
 * `area` = w·h, or a polygon's points with its bounds and shoelace area. Undefined when rounding leaves
 * a box less area than the importer will accept.
 */
function regionJson(r: Region, decimals: number, areaDecimals: number): string | undefined {
  const s = r.shape;
  if (s.kind === 'box') {
    const w = roundTo(s.x1 - s.x0, decimals);
    const h = roundTo(s.y1 - s.y0, decimals);
    if (!boxHasArea(w, h)) return undefined;
    return `"segmentation":[],"area":${roundTo(w * h, areaDecimals)},"bbox":[${s.x0},${s.y0},${w},${h}],"iscrowd":0`;
  }
  const b = polygonBounds(s.points);
  return `"segmentation":[[${s.points.join(',')}]],"area":${roundTo(polygonArea(s.points), areaDecimals)},"bbox":[${b.x0},${b.y0},${roundTo(b.x1 - b.x0, decimals)},${roundTo(b.y1 - b.y0, decimals)}],"iscrowd":0`;
}
