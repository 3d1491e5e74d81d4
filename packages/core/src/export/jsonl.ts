import { boxHasArea, polygonHasArea, roundTo } from '../geometry.js';
import type { ItemView, ProjectReader } from '../types.js';
import { formatOf } from './paths.js';
import type { Region } from './regions.js';
import { ExportRun, streamExport } from './run.js';
import type { ExportStream } from './stream.js';
import { checkDecimals } from './text.js';
import type { ExportReport, ImageUrlOf, JsonlExportOptions } from './types.js';

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
  return streamExport(reader, options, 'jsonl', { extension: 'jsonl', contentType: 'application/jsonl' }, (report) => jsonlChunks(reader, options, decimals, report));
}

async function* jsonlChunks(reader: ProjectReader, options: JsonlExportOptions, decimals: number, report: ExportReport): AsyncGenerator<Uint8Array> {
  const run = new ExportRun(reader, options, report, 1);
  const { walk, out, adapter } = run;
  const imageUrl = options.imageUrl ?? ((item: ItemView) => item.path);
  let regions: JsonlRegion[] = [];
  let W = 0;
  let H = 0;
  const writeRegion = (r: Region): boolean => {
    const region = jsonlRegion(r, W, H, decimals);
    if (region) regions.push(region);
    return region !== undefined;
  };

  for await (const batch of walk.batches(true)) {
    for (const { item, width, height } of batch) {
      walk.visited(item);
      const known = width !== undefined && height !== undefined;
      if (!known && run.regions) {
        run.issues.sizeUnknown(item, true);
        continue;
      }
      let label: unknown;
      let count = 0;
      if (run.regions) {
        regions = [];
        W = width!;
        H = height!;
        count = adapter.regions(item, width, height, writeRegion);
        label = regions;
      } else {
        const names = adapter.classes(item).map((l) => l.name);
        if (reader.kind === 'image-classification-multiclass') {
          if (names.length !== 1) {
            run.issues.add(
              item,
              names.length ? 'conflicting-labels' : 'no-label',
              true,
              names.length
                ? `A multi-class item carries ${names.length} labels; Azure ML takes one. The item was left out.`
                : 'A multi-class item has no label; the item was left out.',
            );
            continue;
          }
          label = names[0];
        } else label = names;
        count = names.length;
        if (!known) run.issues.sizeUnknown(item, false);
      }
      const format = formatOf(item.path);
      const details: Record<string, string> = {};
      if (format) details.format = format;
      if (known) {
        details.width = `${width}px`;
        details.height = `${height}px`;
      }
      const line: Record<string, unknown> = { image_url: imageUrl(item) ?? item.path, image_details: details, label };
      if (options.answers) line.labeler_answers = answersOf(reader, item.index, W, H, decimals);
      out.write(`${JSON.stringify(line)}\n`);
      report.images++;
      report.annotations += count;
      if (out.full) yield run.take();
    }
  }
  if (out.pending) yield run.take();
  walk.finish();
}

/** Every labeler's answer for an item, in the form of `label` (regions normalized, not clipped). */
function answersOf(reader: ProjectReader, index: number, W: number, H: number, decimals: number): unknown[] {
  const names = new Map(reader.labels.map((l) => [l.id, l.name]));
  return (reader.consensusOf?.(index)?.answers ?? []).map((a) => {
    if (a.skipped) return { labeler: a.by, skipped: true };
    const anns = a.annotations ?? [];
    if (reader.kind === 'image-classification-multiclass') return { labeler: a.by, label: names.get(anns[0]?.label ?? '') ?? null };
    if (reader.kind === 'image-classification-multilabel') return { labeler: a.by, label: anns.map((x) => names.get(x.label) ?? x.label) };
    const label = anns.flatMap((x): Record<string, unknown>[] => {
      const name = names.get(x.label) ?? x.label;
      if (x.kind === 'box')
        return [
          {
            label: name,
            topX: roundTo(x.x / W, decimals),
            topY: roundTo(x.y / H, decimals),
            bottomX: roundTo((x.x + x.w) / W, decimals),
            bottomY: roundTo((x.y + x.h) / H, decimals),
            isCrowd: 0,
          },
        ];
      if (x.kind === 'polygon') return [{ label: name, isCrowd: 0, polygon: [x.points.map((v, i) => roundTo(v / (i % 2 === 0 ? W : H), decimals))] }];
      return [];
    });
    return { labeler: a.by, label };
  });
}

type JsonlRegion = { label: string; topX: number; topY: number; bottomX: number; bottomY: number; isCrowd: 0 } | { label: string; isCrowd: 0; polygon: number[][] };

/**
 * A region normalized by the image size, `decimals` places. Undefined when, read back as the importer
 * does (normalized × size), it would have less area than the importer accepts.
 */
function jsonlRegion(r: Region, W: number, H: number, decimals: number): JsonlRegion | undefined {
  const s = r.shape;
  if (s.kind === 'box') {
    const topX = roundTo(s.x0 / W, decimals);
    const topY = roundTo(s.y0 / H, decimals);
    const bottomX = roundTo(s.x1 / W, decimals);
    const bottomY = roundTo(s.y1 / H, decimals);
    if (!boxHasArea(bottomX * W - topX * W, bottomY * H - topY * H)) return undefined;
    return { label: r.label.name, topX, topY, bottomX, bottomY, isCrowd: 0 };
  }
  const points = s.points.map((v, i) => roundTo(v / (i % 2 === 0 ? W : H), decimals));
  if (!polygonHasArea(points.map((v, i) => v * (i % 2 === 0 ? W : H)))) return undefined;
  return { label: r.label.name, isCrowd: 0, polygon: [points] };
}
