// The real COCO val2017 sample in test/fixtures/coco imports cleanly and round-trips.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectBytes, exportCoco, exportJsonl, exportVoc, exportYolo, importCoco, importJsonl, validateCoco } from './index.js';
import { memoryReader, readerFromImport, text } from '../../test/export-readers.js';
import type { LabelClass } from '../types.js';
import { fixture } from '../../../../test/fixtures/paths.mjs';

const DIR = fixture('coco', 'mmpose_coco_val2017_person');
const FILE = join(DIR, 'test_coco.json');
const original = JSON.parse(readFileSync(FILE, 'utf8'));
const DATE = new Date('2024-05-01T00:00:00Z');
const PERSON: LabelClass[] = [{ id: 'person', name: 'person', color: '#e11' }];

/** The JPEG's size from its SOF marker (the media layer's probe does this for real). */
async function jpegSize(path: string): Promise<{ width: number; height: number }> {
  const b = await readFile(join(DIR, path));
  let i = 2;
  while (i < b.length) {
    if (b[i] !== 0xff) throw new Error('bad marker');
    const marker = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  throw new Error('no SOF');
}

describe('test/fixtures/coco (COCO val2017, mmpose sample)', () => {
  it('passes validation', () => {
    expect(validateCoco(original)).toMatchObject({ ok: true, images: 4, annotations: 14, categories: 1 });
  });

  it('imports cleanly into a polygon project, file given as bytes', async () => {
    const result = await importCoco(readFileSync(FILE), { kind: 'image-instance-segmentation', labels: PERSON });
    expect(result.failed).toEqual([]);
    expect(result.parsed.map((p) => [p.path, p.width, p.height])).toEqual(
      original.images.map((i: { file_name: string; width: number; height: number }) => [i.file_name, i.width, i.height]),
    );
    const polygons = original.annotations.reduce((n: number, a: { segmentation: unknown[] }) => n + a.segmentation.length, 0);
    expect(result.parsed.reduce((n, p) => n + p.annotations.length, 0)).toBe(polygons); // 14 annotations, one with 4 parts → 17
    expect(result.warnings).toEqual([
      '14 annotation(s) had keypoints, which Labelkit does not hold; their boxes/polygons were imported without them.',
      '1 annotation(s) made of several polygons were split into one polygon annotation per part.',
    ]);
  });

  it('exports the same polygons, bboxes and areas, and round-trips byte for byte', async () => {
    const kind = 'image-instance-segmentation';
    const imported = await importCoco(readFileSync(FILE, 'utf8'), { kind, labels: PERSON });
    const project = readerFromImport(imported, { name: 'coco-fixture', kind, labels: PERSON });
    const first = text(await collectBytes(exportCoco(project, { date: DATE })));
    const exported = JSON.parse(first);
    expect(validateCoco(exported).ok).toBe(true);
    // Every single-polygon annotation comes out with the original segmentation, bbox and area.
    const byImage = new Map<number, string>(original.images.map((i: { id: number; file_name: string }) => [i.id, i.file_name]));
    const outImage = new Map<number, string>(exported.images.map((i: { id: number; file_name: string }) => [i.id, i.file_name]));
    for (const a of original.annotations.filter((a: { segmentation: unknown[] }) => a.segmentation.length === 1)) {
      const match = exported.annotations.find(
        (e: { image_id: number; segmentation: number[][] }) =>
          outImage.get(e.image_id) === byImage.get(a.image_id) && JSON.stringify(e.segmentation) === JSON.stringify(a.segmentation),
      );
      expect(match, `annotation ${a.id}`).toBeDefined();
      expect(match.bbox).toEqual(a.bbox);
      expect(Math.abs(match.area - a.area)).toBeLessThan(1e-3);
      expect(match.category_id).toBe(1);
    }
    const again = await importCoco(first, { kind, labels: PERSON });
    expect(again.failed).toEqual([]);
    const second = text(await collectBytes(exportCoco(readerFromImport(again, { name: 'coco-fixture', kind, labels: PERSON }), { date: DATE })));
    expect(second).toBe(first);
  });

  it('imports into a detection project with the original boxes, sizes probed from the JPEGs', async () => {
    const kind = 'image-object-detection';
    // A project whose items have no sizes yet: the export probes the real JPEG headers.
    const files = original.images.map((i: { file_name: string }) => i.file_name) as string[];
    const bare = memoryReader({ kind, labels: PERSON, items: files.map((path) => ({ path, state: 'todo' as const })) });
    const imported = await importCoco(readFileSync(FILE), { reader: bare });
    expect(imported.failed).toEqual([]);
    const project = memoryReader({ kind, labels: PERSON, items: imported.parsed.map((p) => ({ path: p.path, annotations: p.annotations })) });
    const out = exportCoco(project, { date: DATE, probe: jpegSize });
    const exported = JSON.parse(text(await collectBytes(out)));
    expect(out.report.issues).toEqual([]);
    expect(exported.images.map((i: { width: number; height: number }) => [i.width, i.height])).toEqual(
      original.images.map((i: { width: number; height: number }) => [i.width, i.height]),
    );
    const boxes = (x: { annotations: { bbox: number[] }[] }) => x.annotations.map((a) => a.bbox).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    expect(boxes(exported)).toEqual(boxes(original));
  });

  it('goes through JSONL, YOLO and VOC without losing an object', async () => {
    const kind = 'image-instance-segmentation';
    const imported = await importCoco(readFileSync(FILE), { kind, labels: PERSON });
    const project = readerFromImport(imported, { name: 'coco-fixture', kind, labels: PERSON });
    const jsonl = exportJsonl(project, { date: DATE });
    const lines = text(await collectBytes(jsonl));
    expect(jsonl.report).toMatchObject({ images: 4, annotations: 17, skippedItems: 0, issues: [] });
    const back = await importJsonl(lines, { kind, labels: PERSON });
    expect(back.failed).toEqual([]);
    expect(back.parsed.reduce((n, p) => n + p.annotations.length, 0)).toBe(17);

    for (const files of [exportYolo(project, { date: DATE }), exportVoc(project, { date: DATE })]) {
      let count = 0;
      for await (const entry of files) {
        for (const _ of entry.chunks as Iterable<Uint8Array>) count++;
      }
      expect(count).toBe(5); // 4 images + data.yaml / ImageSets list
      expect(files.report).toMatchObject({ images: 4, annotations: 17, skippedItems: 0, issues: [] });
    }
  });
});
