// Multi-file exports: YOLO (one txt per image plus data.yaml) and Pascal VOC (one XML per image).
import { polygonArea, polygonBounds, type Corners } from '../geometry.js';
import type { ItemView, ProjectReader } from '../types.js';
import { unsupported } from './issues.js';
import { outputStem } from './paths.js';
import type { Region } from './regions.js';
import { ExportRun, filesExport } from './run.js';
import type { ExportFiles } from './stream.js';
import { checkDecimals, utf8, xmlEscape } from './text.js';
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
  return filesExport(reader, options, 'yolo', (report) => yoloEntries(reader, options, decimals, report));
}

async function* yoloEntries(reader: ProjectReader, options: YoloExportOptions, decimals: number, report: ExportReport): AsyncGenerator<ExportEntry> {
  const run = new ExportRun(reader, options, report, 1);
  const { walk, adapter } = run;
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
  yield run.file('data.yaml', yaml);

  for await (const { item, width, height, stem } of namedItems(run)) {
    let lines = '';
    report.annotations += adapter.regions(item, width, height, (r) => {
      const line = yoloLine(r, width, height, decimals);
      if (line !== undefined) lines += `${r.label.index} ${line}\n`;
      return line !== undefined;
    });
    report.images++;
    yield run.file(`labels/${stem}.txt`, lines);
  }
  walk.finish();
}

/** `cx cy w h` or `x0 y0 x1 y1 …`, normalized, fixed `decimals`; undefined when that leaves no area. */
function yoloLine(r: Region, W: number, H: number, decimals: number): string | undefined {
  const s = r.shape;
  if (s.kind === 'box') {
    const ws = ((s.x1 - s.x0) / W).toFixed(decimals);
    const hs = ((s.y1 - s.y0) / H).toFixed(decimals);
    if (!(Number(ws) > 0 && Number(hs) > 0)) return undefined;
    return `${((s.x0 + s.x1) / 2 / W).toFixed(decimals)} ${((s.y0 + s.y1) / 2 / H).toFixed(decimals)} ${ws} ${hs}`;
  }
  const text = s.points.map((v, i) => (v / (i % 2 === 0 ? W : H)).toFixed(decimals));
  if (!(polygonArea(text.map(Number)) > 0)) return undefined;
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
  return filesExport(reader, options, 'voc', (report) => vocEntries(reader, options, report));
}

async function* vocEntries(reader: ProjectReader, options: VocExportOptions, report: ExportReport): AsyncGenerator<ExportEntry> {
  const run = new ExportRun(reader, options, report, 1);
  const { walk, adapter } = run;
  let list = '';
  const listChunks: Uint8Array[] = [];
  for await (const { item, width, height, stem } of namedItems(run)) {
    let objects = '';
    report.annotations += adapter.regions(item, width, height, (r) => {
      const box = vocBox(r);
      if (box) objects += vocObject(r.label.name, box);
      return box !== undefined;
    });
    report.images++;
    list += `${stem}\n`;
    if (list.length >= 64 * 1024) {
      listChunks.push(utf8(list));
      list = '';
    }
    yield run.file(`Annotations/${stem}.xml`, vocXml(item, width, height, objects));
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

/** VOC's 1-based whole-pixel box of a region (a polygon's bounds); undefined when it covers no pixel. */
function vocBox(r: Region): Corners | undefined {
  const b = r.shape.kind === 'box' ? r.shape : polygonBounds(r.shape.points);
  const box = { x0: Math.round(b.x0) + 1, y0: Math.round(b.y0) + 1, x1: Math.round(b.x1), y1: Math.round(b.y1) };
  return box.x1 < box.x0 || box.y1 < box.y0 ? undefined : box;
}

function vocObject(name: string, b: Corners): string {
  return (
    `\t<object>\n\t\t<name>${xmlEscape(name)}</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n\t\t<difficult>0</difficult>\n` +
    `\t\t<bndbox>\n\t\t\t<xmin>${b.x0}</xmin>\n\t\t\t<ymin>${b.y0}</ymin>\n\t\t\t<xmax>${b.x1}</xmax>\n\t\t\t<ymax>${b.y1}</ymax>\n\t\t</bndbox>\n\t</object>\n`
  );
}

function vocXml(item: ItemView, width: number, height: number, objects: string): string {
  const clean = item.path.replace(/\\/g, '/').replace(/[?#].*$/, '');
  const slash = clean.lastIndexOf('/');
  const folder = slash >= 0 ? clean.slice(0, slash) : '';
  const filename = clean.slice(slash + 1);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<annotation>\n\t<folder>${xmlEscape(folder)}</folder>\n\t<filename>${xmlEscape(filename)}</filename>\n\t<path>${xmlEscape(item.path)}</path>\n` +
    `\t<source>\n\t\t<database>Labelkit</database>\n\t</source>\n\t<size>\n\t\t<width>${width}</width>\n\t\t<height>${height}</height>\n\t\t<depth>3</depth>\n\t</size>\n\t<segmented>0</segmented>\n` +
    `${objects}</annotation>\n`
  );
}

/**
 * The items of a one-file-per-image export with their output stems: items of unknown size are left
 * out (`size-unknown`), and so is an item whose stem an earlier item took (`name-collision`: same path
 * but for the extension or letter case). Memory grows with the set of names written.
 */
async function* namedItems(run: ExportRun): AsyncGenerator<{ item: ItemView; width: number; height: number; stem: string }> {
  const names = new Set<string>();
  for await (const batch of run.walk.batches(true)) {
    for (const { item, width, height } of batch) {
      if (!run.visit(item, width, height)) continue;
      const stem = outputStem(item.path);
      const key = stem.normalize('NFC').toLowerCase();
      if (names.has(key)) {
        run.issues.add(
          item,
          'name-collision',
          true,
          `Another item already writes "${stem}" (same path but for the extension or letter case); this item was left out. Rename one of them.`,
        );
        continue;
      }
      names.add(key);
      yield { item, width: width!, height: height!, stem };
    }
  }
}
