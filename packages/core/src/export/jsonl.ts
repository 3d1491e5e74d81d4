import { isClassificationKind, type ItemView, type ProjectReader } from '../types.js';
import { ChunkWriter, IssueLog, ItemWalk, checkDecimals, clipBox, clipPolygon, formatOf, hasArea, labelIndex, newReport, roundTo, safeName, timestamp, type LabelIndex } from './internal.js';
import { ExportStream } from './stream.js';
import type { ImageUrlOf, JsonlExportOptions } from './types.js';

/** Where an Azure ML datastore keeps the images: the parts of an `azureml://` URL. */
export interface AzuremlDatastore {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly workspace: string;
  readonly datastore: string;
  /** Folder inside the datastore that item paths are relative to ('' by default). */
  readonly prefix?: string;
}

/**
 * `image_url` in Azure ML's long form:
 * `azureml://subscriptions/<s>/resourcegroups/<rg>/workspaces/<ws>/datastores/<ds>/paths/<prefix><path>`.
 * The JSONL importer maps such URLs back to `<prefix><path>` (strip the prefix with `pathOf`).
 */
export function azuremlImageUrl(store: AzuremlDatastore): ImageUrlOf {
  const prefix = store.prefix ? store.prefix.replace(/^\/+/, '').replace(/\/*$/, '/') : '';
  const base = `azureml://subscriptions/${store.subscription}/resourcegroups/${store.resourceGroup}/workspaces/${store.workspace}/datastores/${store.datastore}/paths/${prefix}`;
  return (item) => base + item.path.replace(/^\/+/, '');
}

/**
 * Streams a project as an Azure ML JSONL dataset: one line per image with `image_url`,
 * `image_details` (`format`, `width` and `height` as "640px"), and `label`:
 * - multi-class: the label name (a string);
 * - multi-label: a list of label names;
 * - object detection: a list of `{label, topX, topY, bottomX, bottomY, isCrowd: 0}`, normalized to [0, 1];
 * - instance segmentation: a list of `{label, isCrowd: 0, polygon: [[x0, y0, x1, y1, …]]}`, normalized.
 *
 * Normalized values keep `decimals` places (default 6), which survives import and export again
 * unchanged. Region items whose size is unknown after probing are left out (issue `size-unknown`);
 * classification items are written without width and height.
 */
export function exportJsonl(reader: ProjectReader, options: JsonlExportOptions = {}): ExportStream {
  const decimals = checkDecimals(options.decimals ?? 6);
  const date = options.date ?? new Date();
  const report = newReport('jsonl', reader.kind);
  return new ExportStream({
    fileName: `${safeName(reader.name)}_${timestamp(date)}.jsonl`,
    contentType: 'application/jsonl',
    format: 'jsonl',
    report,
    source: () => jsonlChunks(reader, options, decimals, report),
  });
}

async function* jsonlChunks(reader: ProjectReader, options: JsonlExportOptions, decimals: number, report: ReturnType<typeof newReport>): AsyncGenerator<Uint8Array> {
  const kind = reader.kind;
  const classification = isClassificationKind(kind);
  const labels = labelIndex(reader.labels);
  const walk = new ItemWalk(reader, options, report, 1);
  const issues = new IssueLog(report, options);
  const out = new ChunkWriter();
  const imageUrl = options.imageUrl ?? ((item: ItemView) => item.path);

  for await (const batch of walk.batches(true)) {
    for (const { item, width, height } of batch) {
      walk.visited(item);
      const known = width !== undefined && height !== undefined;
      if (!known && !classification) {
        issues.add(item, 'size-unknown', true, 'The image size is unknown (not probed, or the probe failed), so coordinates cannot be normalized; the item was left out.');
        continue;
      }
      let label: unknown;
      let count = 0;
      if (classification) {
        const names = classNames(item, labels, issues);
        if (kind === 'image-classification-multiclass') {
          if (names.length !== 1) {
            issues.add(item, names.length ? 'conflicting-labels' : 'no-label', true, names.length ? `A multi-class item carries ${names.length} labels; Azure ML takes one. The item was left out.` : 'A multi-class item has no label; the item was left out.');
            continue;
          }
          label = names[0];
        } else label = names;
        count = names.length;
        if (!known) issues.add(item, 'size-unknown', false, 'The image size is unknown; image_details has no width and height.');
      } else {
        const regions = kind === 'image-object-detection' ? boxes(item, width!, height!, labels, issues, decimals) : polygons(item, width!, height!, labels, issues, decimals);
        label = regions;
        count = regions.length;
      }
      const format = formatOf(item.path);
      const details: Record<string, string> = {};
      if (format) details.format = format;
      if (known) {
        details.width = `${width}px`;
        details.height = `${height}px`;
      }
      out.write(`${JSON.stringify({ image_url: imageUrl(item) ?? item.path, image_details: details, label })}\n`);
      report.images++;
      report.annotations += count;
      if (out.full) {
        const chunk = out.take();
        walk.bytes = report.bytes = out.bytes;
        yield chunk;
      }
    }
  }
  if (out.pending) {
    const chunk = out.take();
    walk.bytes = report.bytes = out.bytes;
    yield chunk;
  }
  walk.finish();
}

function classNames(item: ItemView, labels: LabelIndex, issues: IssueLog): string[] {
  const seen = new Set<string>();
  const names: string[] = [];
  for (const a of item.annotations) {
    if (a.kind !== 'class') {
      issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in a classification project was not written.`);
      continue;
    }
    const label = labels.get(a.label);
    if (!label) {
      issues.add(item, 'unknown-label', false, `Label id "${a.label}" is not a label of the project; the annotation was not written.`);
      continue;
    }
    if (seen.has(a.label)) continue;
    seen.add(a.label);
    names.push(label.name);
  }
  return names;
}

interface JsonlBox {
  label: string;
  topX: number;
  topY: number;
  bottomX: number;
  bottomY: number;
  isCrowd: 0;
}

function boxes(item: ItemView, width: number, height: number, labels: LabelIndex, issues: IssueLog, decimals: number): JsonlBox[] {
  const out: JsonlBox[] = [];
  for (const a of item.annotations) {
    const label = labels.get(a.label);
    if (!label) {
      issues.add(item, 'unknown-label', false, `Label id "${a.label}" is not a label of the project; the annotation was not written.`);
      continue;
    }
    if (a.kind !== 'box') {
      issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in an object detection project was not written.`);
      continue;
    }
    const box = clipBox(a.x, a.y, a.w, a.h, width, height, 15);
    if (!box) {
      issues.add(item, 'invalid-shape', false, 'A box with non-finite coordinates was not written.');
      continue;
    }
    const b: JsonlBox = {
      label: label.name,
      topX: roundTo(box.x0 / width, decimals),
      topY: roundTo(box.y0 / height, decimals),
      bottomX: roundTo(box.x1 / width, decimals),
      bottomY: roundTo(box.y1 / height, decimals),
      isCrowd: 0,
    };
    if (!(b.bottomX > b.topX && b.bottomY > b.topY)) {
      issues.add(item, 'invalid-shape', false, box.clipped ? 'A box lying outside the image was not written.' : 'A box of zero area was not written.');
      continue;
    }
    if (box.clipped) issues.add(item, 'clipped', false, 'A box reaching outside the image was clipped to it.');
    out.push(b);
  }
  return out;
}

interface JsonlPolygon {
  label: string;
  isCrowd: 0;
  polygon: number[][];
}

function polygons(item: ItemView, width: number, height: number, labels: LabelIndex, issues: IssueLog, decimals: number): JsonlPolygon[] {
  const out: JsonlPolygon[] = [];
  for (const a of item.annotations) {
    const label = labels.get(a.label);
    if (!label) {
      issues.add(item, 'unknown-label', false, `Label id "${a.label}" is not a label of the project; the annotation was not written.`);
      continue;
    }
    if (a.kind !== 'polygon') {
      issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in an instance segmentation project was not written.`);
      continue;
    }
    const poly = clipPolygon(a.points, width, height, 15);
    if (!poly) {
      issues.add(item, 'invalid-shape', false, 'A polygon with fewer than 3 points or non-finite coordinates was not written.');
      continue;
    }
    const points = poly.points.map((v, i) => roundTo(v / (i % 2 === 0 ? width : height), decimals));
    // Test the area on the pixels an importer will compute from these numbers.
    if (!hasArea(points.map((v, i) => v * (i % 2 === 0 ? width : height)))) {
      issues.add(item, 'invalid-shape', false, poly.clipped ? 'A polygon lying outside the image was not written.' : 'A polygon of zero area was not written.');
      continue;
    }
    if (poly.clipped) issues.add(item, 'clipped', false, 'A polygon reaching outside the image was clipped to it.');
    out.push({ label: label.name, isCrowd: 0, polygon: [points] });
  }
  return out;
}
