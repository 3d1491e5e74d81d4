// Multi-file exports: YOLO (one txt per image plus data.yaml) and Pascal VOC (one XML per image).
import type { ItemView, ProjectReader } from '../types.js';
import {
  IssueLog,
  ItemWalk,
  checkDecimals,
  clipBox,
  clipPolygon,
  hasArea,
  labelIndex,
  newReport,
  outputStem,
  polygonBounds,
  safeName,
  timestamp,
  unsupported,
  utf8,
  type LabelIndex,
} from './internal.js';
import { ExportFiles } from './stream.js';
import type { ExportEntry, ExportReport, VocExportOptions, YoloExportOptions } from './types.js';

/**
 * Streams a detection or instance segmentation project in the YOLO (Ultralytics) layout:
 * - `data.yaml` first: `path: .`, `train: images`, `val: images`, `nc` and `names` (class index → label
 *   name, in the project's label order);
 * - `labels/<item path without extension>.txt` per image: one line per shape, `class cx cy w h`
 *   (detection) or `class x0 y0 x1 y1 …` (segmentation), normalized to [0, 1] with `decimals` places
 *   (default 6). An image without shapes gets an empty file (a background image).
 *
 * Put the images under `images/` with the same relative paths (Ultralytics finds each label file by
 * replacing `/images/` with `/labels/`). Items whose output names collide (same path but for the
 * extension or letter case) keep the first and report the rest (`name-collision`); items of unknown
 * size are left out (`size-unknown`). Memory grows only with the set of names written (for collisions).
 */
export function exportYolo(reader: ProjectReader, options: YoloExportOptions = {}): ExportFiles {
  if (reader.kind !== 'image-object-detection' && reader.kind !== 'image-instance-segmentation') {
    throw unsupported('yolo', reader.kind, 'YOLO label files hold boxes or polygons; use COCO or JSONL for classification.');
  }
  const decimals = checkDecimals(options.decimals ?? 6);
  const date = options.date ?? new Date();
  const report = newReport('yolo', reader.kind);
  return new ExportFiles({
    name: `${safeName(reader.name)}_${timestamp(date)}`,
    format: 'yolo',
    report,
    date,
    source: () => yoloEntries(reader, options, decimals, report),
  });
}

async function* yoloEntries(reader: ProjectReader, options: YoloExportOptions, decimals: number, report: ExportReport): AsyncGenerator<ExportEntry> {
  const labels = labelIndex(reader.labels);
  const walk = new ItemWalk(reader, options, report, 1);
  const issues = new IssueLog(report, options);
  const segmentation = reader.kind === 'image-instance-segmentation';

  const yaml = [
    `# Labelkit export of ${JSON.stringify(reader.name)} (${reader.kind}).`,
    '# Put the images under images/ with the same relative paths as the label files under labels/.',
    'path: .',
    'train: images',
    'val: images',
    `nc: ${reader.labels.length}`,
    'names:',
    ...reader.labels.map((l, i) => `  ${i}: ${JSON.stringify(l.name)}`),
    '',
  ].join('\n');
  yield file('data.yaml', yaml, report, walk);

  const names = new Set<string>();
  for await (const batch of walk.batches(true)) {
    for (const { item, width, height } of batch) {
      walk.visited(item);
      if (width === undefined || height === undefined) {
        issues.add(item, 'size-unknown', true, 'The image size is unknown (not probed, or the probe failed), so coordinates cannot be normalized; the item was left out.');
        continue;
      }
      const stem = claimName(item, names, issues);
      if (stem === undefined) continue;
      const lines: string[] = [];
      for (const a of item.annotations) {
        const label = labels.get(a.label);
        if (!label) {
          issues.add(item, 'unknown-label', false, `Label id "${a.label}" is not a label of the project; the annotation was not written.`);
          continue;
        }
        const line = segmentation ? yoloPolygon(a, item, width, height, issues, decimals) : yoloBox(a, item, width, height, issues, decimals);
        if (line !== undefined) lines.push(`${label.index} ${line}`);
      }
      report.annotations += lines.length;
      report.images++;
      yield file(`labels/${stem}.txt`, lines.length ? `${lines.join('\n')}\n` : '', report, walk);
    }
  }
  walk.finish();
}

function yoloBox(a: ItemView['annotations'][number], item: ItemView, width: number, height: number, issues: IssueLog, decimals: number): string | undefined {
  if (a.kind !== 'box') {
    issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in an object detection project was not written.`);
    return undefined;
  }
  const box = clipBox(a.x, a.y, a.w, a.h, width, height, 15);
  if (!box) {
    issues.add(item, 'invalid-shape', false, 'A box with non-finite coordinates was not written.');
    return undefined;
  }
  const w = (box.x1 - box.x0) / width;
  const h = (box.y1 - box.y0) / height;
  const ws = w.toFixed(decimals);
  const hs = h.toFixed(decimals);
  if (!(Number(ws) > 0 && Number(hs) > 0)) {
    issues.add(item, 'invalid-shape', false, box.clipped ? 'A box lying outside the image was not written.' : 'A box of zero area was not written.');
    return undefined;
  }
  if (box.clipped) issues.add(item, 'clipped', false, 'A box reaching outside the image was clipped to it.');
  return `${((box.x0 + box.x1) / 2 / width).toFixed(decimals)} ${((box.y0 + box.y1) / 2 / height).toFixed(decimals)} ${ws} ${hs}`;
}

function yoloPolygon(a: ItemView['annotations'][number], item: ItemView, width: number, height: number, issues: IssueLog, decimals: number): string | undefined {
  if (a.kind !== 'polygon') {
    issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in an instance segmentation project was not written.`);
    return undefined;
  }
  const poly = clipPolygon(a.points, width, height, 15);
  if (!poly) {
    issues.add(item, 'invalid-shape', false, 'A polygon with fewer than 3 points or non-finite coordinates was not written.');
    return undefined;
  }
  const text = poly.points.map((v, i) => (v / (i % 2 === 0 ? width : height)).toFixed(decimals));
  if (!hasArea(text.map(Number))) {
    issues.add(item, 'invalid-shape', false, poly.clipped ? 'A polygon lying outside the image was not written.' : 'A polygon of zero area was not written.');
    return undefined;
  }
  if (poly.clipped) issues.add(item, 'clipped', false, 'A polygon reaching outside the image was clipped to it.');
  return text.join(' ');
}

/**
 * Streams a detection or instance segmentation project as Pascal VOC:
 * `Annotations/<item path without extension>.xml` per image and `ImageSets/Main/default.txt` listing
 * them. Boxes use VOC's 1-based pixel convention: `xmin = round(x) + 1`, `xmax = round(x + w)` (so
 * loaders that subtract 1, like Detectron2's, get the box back). Segmentation polygons are written as
 * their bounding boxes with `segmented` 0 (VOC keeps masks as PNGs, which this export does not make).
 * `depth` is written as 3. Unknown sizes and name collisions are handled as in `exportYolo`.
 */
export function exportVoc(reader: ProjectReader, options: VocExportOptions = {}): ExportFiles {
  if (reader.kind !== 'image-object-detection' && reader.kind !== 'image-instance-segmentation') {
    throw unsupported('voc', reader.kind, 'Pascal VOC XML holds boxes; use COCO or JSONL for classification.');
  }
  const date = options.date ?? new Date();
  const report = newReport('voc', reader.kind);
  return new ExportFiles({
    name: `${safeName(reader.name)}_${timestamp(date)}`,
    format: 'voc',
    report,
    date,
    source: () => vocEntries(reader, options, report),
  });
}

async function* vocEntries(reader: ProjectReader, options: VocExportOptions, report: ExportReport): AsyncGenerator<ExportEntry> {
  const labels = labelIndex(reader.labels);
  const walk = new ItemWalk(reader, options, report, 1);
  const issues = new IssueLog(report, options);
  const names = new Set<string>();
  let list = '';
  const listChunks: Uint8Array[] = [];

  for await (const batch of walk.batches(true)) {
    for (const { item, width, height } of batch) {
      walk.visited(item);
      if (width === undefined || height === undefined) {
        issues.add(item, 'size-unknown', true, 'The image size is unknown (not probed, or the probe failed); VOC needs it. The item was left out.');
        continue;
      }
      const stem = claimName(item, names, issues);
      if (stem === undefined) continue;
      const xml = vocXml(item, width, height, labels, issues, reader.kind === 'image-instance-segmentation');
      report.annotations += xml.objects;
      report.images++;
      list += `${stem}\n`;
      if (list.length >= 64 * 1024) {
        listChunks.push(utf8(list));
        list = '';
      }
      yield file(`Annotations/${stem}.xml`, xml.text, report, walk);
    }
  }
  if (list) listChunks.push(utf8(list));
  let bytes = 0;
  for (const c of listChunks) bytes += c.byteLength;
  report.bytes += bytes;
  report.files++;
  walk.bytes = report.bytes;
  yield { path: 'ImageSets/Main/default.txt', chunks: listChunks };
  walk.finish();
}

function vocXml(item: ItemView, width: number, height: number, labels: LabelIndex, issues: IssueLog, polygons: boolean): { text: string; objects: number } {
  const slash = item.path.replace(/\\/g, '/').replace(/[?#].*$/, '').lastIndexOf('/');
  const clean = item.path.replace(/\\/g, '/').replace(/[?#].*$/, '');
  const folder = slash >= 0 ? clean.slice(0, slash) : '';
  const filename = clean.slice(slash + 1);
  let objects = '';
  let count = 0;
  for (const a of item.annotations) {
    const label = labels.get(a.label);
    if (!label) {
      issues.add(item, 'unknown-label', false, `Label id "${a.label}" is not a label of the project; the annotation was not written.`);
      continue;
    }
    let box: { x0: number; y0: number; x1: number; y1: number; clipped: boolean } | undefined;
    if (polygons && a.kind === 'polygon') {
      const poly = clipPolygon(a.points, width, height, 15);
      if (poly && hasArea(poly.points)) box = { ...polygonBounds(poly.points), clipped: poly.clipped };
    } else if (!polygons && a.kind === 'box') {
      box = clipBox(a.x, a.y, a.w, a.h, width, height, 15);
    } else {
      issues.add(item, 'unsupported-shape', false, `A ${a.kind} annotation in a ${polygons ? 'segmentation' : 'detection'} project was not written.`);
      continue;
    }
    const xmin = box ? Math.round(box.x0) + 1 : 0;
    const ymin = box ? Math.round(box.y0) + 1 : 0;
    const xmax = box ? Math.round(box.x1) : 0;
    const ymax = box ? Math.round(box.y1) : 0;
    if (!box || xmax < xmin || ymax < ymin) {
      issues.add(item, 'invalid-shape', false, 'A shape smaller than a pixel, of zero area or with non-finite coordinates was not written.');
      continue;
    }
    if (box.clipped) issues.add(item, 'clipped', false, 'A shape reaching outside the image was clipped to it.');
    count++;
    objects +=
      `\t<object>\n\t\t<name>${xmlEscape(label.name)}</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n\t\t<difficult>0</difficult>\n` +
      `\t\t<bndbox>\n\t\t\t<xmin>${xmin}</xmin>\n\t\t\t<ymin>${ymin}</ymin>\n\t\t\t<xmax>${xmax}</xmax>\n\t\t\t<ymax>${ymax}</ymax>\n\t\t</bndbox>\n\t</object>\n`;
  }
  const text =
    `<?xml version="1.0" encoding="UTF-8"?>\n<annotation>\n\t<folder>${xmlEscape(folder)}</folder>\n\t<filename>${xmlEscape(filename)}</filename>\n\t<path>${xmlEscape(item.path)}</path>\n` +
    `\t<source>\n\t\t<database>Labelkit</database>\n\t</source>\n\t<size>\n\t\t<width>${width}</width>\n\t\t<height>${height}</height>\n\t\t<depth>3</depth>\n\t</size>\n\t<segmented>0</segmented>\n` +
    `${objects}</annotation>\n`;
  return { text, objects: count };
}

/** XML text/attribute escaping; characters XML 1.0 forbids are dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function claimName(item: ItemView, names: Set<string>, issues: IssueLog): string | undefined {
  const stem = outputStem(item.path);
  const key = stem.normalize('NFC').toLowerCase();
  if (names.has(key)) {
    issues.add(item, 'name-collision', true, `Another item already writes "${stem}" (same path but for the extension or letter case); this item was left out. Rename one of them.`);
    return undefined;
  }
  names.add(key);
  return stem;
}

function file(path: string, text: string, report: ExportReport, walk: ItemWalk): ExportEntry {
  const bytes = utf8(text);
  report.bytes += bytes.byteLength;
  report.files++;
  walk.bytes = report.bytes;
  return { path, chunks: [bytes] };
}
