import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { collectBytes, exportCoco, exportJsonl, validateCoco, type ExportProgress } from './index.js';
import { LABELS, memoryReader, text } from '../../test/export-readers.js';

const DATE = new Date('2024-05-01T12:34:56Z');

async function cocoOf(reader: Parameters<typeof exportCoco>[0], options: Parameters<typeof exportCoco>[1] = {}) {
  const out = exportCoco(reader, { date: DATE, ...options });
  const raw = text(await collectBytes(out));
  return { raw, json: JSON.parse(raw), report: out.report, out };
}

describe('exportCoco', () => {
  it('writes detection projects as compact COCO, byte for byte what JSON.stringify gives', async () => {
    const reader = memoryReader({
      name: 'Boxes',
      kind: 'image-object-detection',
      labels: LABELS,
      items: [
        { path: 'a/1.jpg', width: 640, height: 480, annotations: [{ kind: 'box', label: 'l-cat', x: 10, y: 20, w: 30, h: 40 }] },
        { path: 'https://host/x/2.png', width: 100, height: 50, annotations: [] },
        { path: 'todo.jpg', width: 10, height: 10, state: 'todo', annotations: [] },
      ],
    });
    const { raw, json, report } = await cocoOf(reader);
    expect(raw).toBe(JSON.stringify(json));
    expect(json).toEqual({
      info: { description: 'Boxes', url: '', version: '1.0', year: 2024, contributor: 'Labelkit', date_created: '2024/05/01' },
      licenses: [],
      images: [
        { id: 1, width: 640, height: 480, file_name: 'a/1.jpg' },
        { id: 2, width: 100, height: 50, file_name: 'https://host/x/2.png', coco_url: 'https://host/x/2.png' },
      ],
      annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: [], area: 1200, bbox: [10, 20, 30, 40], iscrowd: 0 }],
      categories: [
        { id: 1, name: 'cat', supercategory: '' },
        { id: 2, name: 'dog', supercategory: '' },
        { id: 3, name: 'odd "name" <&> ü', supercategory: '' },
      ],
    });
    expect(report).toMatchObject({ format: 'coco', images: 2, annotations: 1, skippedItems: 0, complete: true, bytes: new TextEncoder().encode(raw).byteLength });
    expect(validateCoco(json)).toMatchObject({ ok: true, problems: [] });
  });

  it('includes every item with `all`, and chosen states with `states`', async () => {
    const reader = memoryReader({
      kind: 'image-object-detection',
      labels: LABELS,
      items: [
        { path: '1.jpg', width: 10, height: 10 },
        { path: '2.jpg', width: 10, height: 10, state: 'todo' },
        { path: '3.jpg', width: 10, height: 10, state: 'needs-review' },
      ],
    });
    expect((await cocoOf(reader, { all: true })).json.images.map((i: { file_name: string }) => i.file_name)).toEqual(['1.jpg', '2.jpg', '3.jpg']);
    expect((await cocoOf(reader, { states: ['labeled', 'needs-review'] })).json.images.map((i: { file_name: string }) => i.file_name)).toEqual(['1.jpg', '3.jpg']);
  });

  it('computes bbox and area of polygons, clips shapes to the image and reports what it changed', async () => {
    const reader = memoryReader({
      kind: 'image-instance-segmentation',
      labels: LABELS,
      items: [
        {
          path: 'p.jpg',
          width: 100,
          height: 80,
          annotations: [
            { kind: 'polygon', label: 'l-dog', points: [10.123, 10, 50, 10.456, 30, 40.0001] },
            { kind: 'polygon', label: 'l-cat', points: [90, 70, 120, 70, 120, 100, 90, 100] }, // reaches outside
            { kind: 'polygon', label: 'l-cat', points: [0, 0, 10, 10, 20, 20] }, // no area
            { kind: 'polygon', label: 'l-cat', points: [0, 0, 10, 10] }, // 2 points
            { kind: 'box', label: 'l-cat', x: 0, y: 0, w: 5, h: 5 }, // wrong kind
            { kind: 'polygon', label: 'gone', points: [0, 0, 10, 0, 10, 10] }, // unknown label
          ],
        },
      ],
    });
    const { json, report } = await cocoOf(reader);
    expect(json.annotations).toEqual([
      { id: 1, image_id: 1, category_id: 2, segmentation: [[10.12, 10, 50, 10.46, 30, 40]], area: 593.6276, bbox: [10.12, 10, 39.88, 30], iscrowd: 0 },
      { id: 2, image_id: 1, category_id: 1, segmentation: [[90, 70, 100, 70, 100, 80, 90, 80]], area: 100, bbox: [90, 70, 10, 10], iscrowd: 0 },
    ]);
    // shoelace of the rounded polygon, exactly
    const p = [10.12, 10, 50, 10.46, 30, 40];
    const shoelace = Math.abs((p[0] * p[3] - p[2] * p[1] + p[2] * p[5] - p[4] * p[3] + p[4] * p[1] - p[0] * p[5]) / 2);
    expect(json.annotations[0].area).toBeCloseTo(shoelace, 9);
    expect(report.issueCounts).toEqual({ clipped: 1, 'invalid-shape': 2, 'unsupported-shape': 1, 'unknown-label': 1 });
    expect(report.issues.every((i) => i.index === 0 && i.path === 'p.jpg' && !i.skipped)).toBe(true);
    expect(validateCoco(json).ok).toBe(true);
  });

  it('keeps `decimals` places for pixels and 2·decimals+1 for areas', async () => {
    const reader = memoryReader({
      kind: 'image-object-detection',
      labels: LABELS,
      items: [{ path: 'a.jpg', width: 1000, height: 1000, annotations: [{ kind: 'box', label: 'l-cat', x: 1.23456, y: 2.5, w: 10.55555, h: 3.33333 }] }],
    });
    expect((await cocoOf(reader, { decimals: 0 })).json.annotations[0]).toMatchObject({ bbox: [1, 3, 11, 3], area: 33 });
    expect((await cocoOf(reader, { decimals: 3 })).json.annotations[0]).toMatchObject({ bbox: [1.235, 2.5, 10.555, 3.333], area: 35.179815 });
    expect(() => exportCoco(reader, { decimals: 11 })).toThrow(LabelkitError);
  });

  it('writes classification as one annotation per label without bbox', async () => {
    const multi = memoryReader({
      kind: 'image-classification-multilabel',
      labels: LABELS,
      items: [
        {
          path: 'a.jpg',
          width: 10,
          height: 10,
          annotations: [
            { kind: 'class', label: 'l-dog' },
            { kind: 'class', label: 'l-cat' },
            { kind: 'class', label: 'l-dog' },
          ],
        },
        { path: 'b.jpg', annotations: [{ kind: 'class', label: 'l-cat' }] }, // size unknown
      ],
    });
    const { json, report } = await cocoOf(multi);
    expect(json.images).toEqual([
      { id: 1, width: 10, height: 10, file_name: 'a.jpg' },
      { id: 2, file_name: 'b.jpg' },
    ]);
    expect(json.annotations).toEqual([
      { id: 1, image_id: 1, category_id: 2 },
      { id: 2, image_id: 1, category_id: 1 },
      { id: 3, image_id: 2, category_id: 1 },
    ]);
    expect(report.issueCounts).toEqual({ 'size-unknown': 1 });
    expect(report.issues[0]).toMatchObject({ code: 'size-unknown', path: 'b.jpg', skipped: false });
    expect(validateCoco(json).ok).toBe(true);

    const single = memoryReader({
      kind: 'image-classification-multiclass',
      labels: LABELS,
      items: [
        {
          path: 'a.jpg',
          width: 1,
          height: 1,
          annotations: [
            { kind: 'class', label: 'l-dog' },
            { kind: 'class', label: 'l-cat' },
          ],
        },
      ],
    });
    const r = await cocoOf(single);
    expect(r.json.annotations).toHaveLength(2);
    expect(r.report.issueCounts).toEqual({ 'conflicting-labels': 1 });
  });

  it('probes missing sizes and reports items it could not size instead of writing 0', async () => {
    const reader = memoryReader({
      kind: 'image-object-detection',
      labels: LABELS,
      items: [
        { path: 'known.jpg', width: 10, height: 10, annotations: [{ kind: 'box', label: 'l-cat', x: 1, y: 1, w: 2, h: 2 }] },
        { path: 'probed.jpg', annotations: [{ kind: 'box', label: 'l-cat', x: 1, y: 1, w: 50, h: 2 }] },
        { path: 'broken.jpg', annotations: [{ kind: 'box', label: 'l-cat', x: 1, y: 1, w: 2, h: 2 }] },
      ],
    });
    const probed: string[] = [];
    const probe = async (path: string) => {
      probed.push(path);
      if (path === 'broken.jpg') throw new Error('not an image');
      return { width: 20, height: 30 };
    };
    const { json, report } = await cocoOf(reader, { probe });
    expect(probed).toEqual(['probed.jpg', 'broken.jpg']); // once each, in pass 1 only
    expect(json.images).toEqual([
      { id: 1, width: 10, height: 10, file_name: 'known.jpg' },
      { id: 2, width: 20, height: 30, file_name: 'probed.jpg' },
    ]);
    expect(json.annotations[1]).toMatchObject({ image_id: 2, bbox: [1, 1, 19, 2] }); // clipped to the probed width
    expect(report.skippedItems).toBe(1);
    expect(report.issues.find((i) => i.skipped)).toMatchObject({ code: 'size-unknown', path: 'broken.jpg', index: 2 });
    expect(JSON.stringify(json)).not.toMatch(/"width":0/);

    const noProbe = await cocoOf(reader);
    expect(noProbe.json.images).toHaveLength(1);
    expect(noProbe.report.issueCounts['size-unknown']).toBe(2);
  });

  it('streams in bounded chunks, reads the project twice, reports progress and is lazy', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => ({
      path: `img/${i}.jpg`,
      width: 640,
      height: 480,
      annotations: [
        { kind: 'box' as const, label: 'l-cat', x: i % 600, y: 1, w: 10.5, h: 20 },
        { kind: 'box' as const, label: 'l-dog', x: 3, y: 4, w: 5, h: 6 },
      ],
    }));
    const reader = memoryReader({ kind: 'image-object-detection', labels: LABELS, items });
    const progress: ExportProgress[] = [];
    const out = exportCoco(reader, { date: DATE, onProgress: (p) => progress.push(p), progressEvery: 5000 });
    expect(reader.iterations).toBe(0); // lazy until read
    const sizes: number[] = [];
    const parts: Uint8Array[] = [];
    for await (const chunk of out) {
      sizes.push(chunk.byteLength);
      parts.push(chunk);
    }
    expect(reader.iterations).toBe(2);
    expect(sizes.length).toBeGreaterThan(20);
    expect(Math.max(...sizes)).toBeLessThan(64 * 1024 * 3 + 4096); // one chunk of text at most
    const json = JSON.parse(text(concat(parts)));
    expect(json.images).toHaveLength(20_000);
    expect(json.annotations).toHaveLength(40_000);
    expect(json.annotations[39_999].id).toBe(40_000);
    expect(progress.map((p) => p.done)).toEqual([5000, 10000, 15000, 20000, 25000, 30000, 35000, 40000, 40000]);
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: 40000, total: 40000, images: 20000, annotations: 40000 });
    expect(progress[0]).toMatchObject({ phase: 'images', total: 40000 });
    expect(progress[4]).toMatchObject({ phase: 'annotations' });
    expect(() => out[Symbol.asyncIterator]()).toThrow(/already been read/);
  });

  it('reports progress by item index when a filter skips items, ending at the total', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ path: `${i}.jpg`, width: 10, height: 10, state: (i < 50 ? 'labeled' : 'todo') as 'labeled' | 'todo' }));
    const progress: ExportProgress[] = [];
    await collectBytes(exportJsonl(memoryReader({ kind: 'image-object-detection', labels: LABELS, items }), { progressEvery: 20, onProgress: (p) => progress.push(p) }));
    expect(progress.map((p) => [p.phase, p.done, p.total])).toEqual([
      ['items', 20, 100],
      ['items', 40, 100],
      ['done', 100, 100],
    ]);
  });

  it('stops with E_ABORTED when its signal fires, and reading stops early', async () => {
    const items = Array.from({ length: 50_000 }, (_, i) => ({
      path: `${i}.jpg`,
      width: 10,
      height: 10,
      annotations: [{ kind: 'box' as const, label: 'l-cat', x: 1, y: 1, w: 2, h: 2 }],
    }));
    const reader = memoryReader({ kind: 'image-object-detection', labels: LABELS, items });
    const controller = new AbortController();
    let chunks = 0;
    const read = async () => {
      for await (const _ of exportCoco(reader, { signal: controller.signal })) {
        if (++chunks === 2) controller.abort();
      }
    };
    await expect(read()).rejects.toMatchObject({ name: 'LabelkitError', code: 'E_ABORTED' });
    expect(chunks).toBe(2);

    const already = new AbortController();
    already.abort();
    await expect(collectBytes(exportCoco(reader, { signal: already.signal }))).rejects.toMatchObject({ code: 'E_ABORTED' });
  });

  it('caps the issues it keeps but counts them all', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ path: `${i}.jpg`, annotations: [] }));
    const reader = memoryReader({ kind: 'image-object-detection', labels: LABELS, items });
    const seen: string[] = [];
    const out = exportCoco(reader, { maxIssues: 5, onIssue: (i) => seen.push(i.path) });
    await collectBytes(out);
    expect(out.report.issues).toHaveLength(5);
    expect(out.report.issueCounts['size-unknown']).toBe(30);
    expect(out.report.skippedItems).toBe(30);
    expect(seen).toHaveLength(30);
  });

  it('uses info, licenses and imageUrl from options', async () => {
    const reader = memoryReader({ kind: 'image-object-detection', labels: [], items: [{ path: 'a.jpg', width: 1, height: 1 }] });
    const { json } = await cocoOf(reader, {
      info: { description: 'Mine', version: '2' },
      licenses: [{ id: 1, name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' }],
      imageUrl: (item) => `https://cdn/${item.path}`,
    });
    expect(json.info).toMatchObject({ description: 'Mine', version: '2', date_created: '2024/05/01' });
    expect(json.licenses).toEqual([{ id: 1, name: 'CC BY 4.0', url: 'https://creativecommons.org/licenses/by/4.0/' }]);
    expect(json.images[0].coco_url).toBe('https://cdn/a.jpg');
    expect(json.categories).toEqual([]);
  });

  it('names its file after the project and the date', () => {
    const reader = memoryReader({ name: 'My / Project: v2', kind: 'image-object-detection', labels: [], items: [] });
    const out = exportCoco(reader, { date: DATE });
    expect(out.fileName).toBe('My_Project_v2_20240501_123456.json');
    expect(out.contentType).toBe('application/json');
  });

  it('writes an empty project as a valid file', async () => {
    const reader = memoryReader({ kind: 'image-object-detection', labels: LABELS, items: [] });
    const { json } = await cocoOf(reader);
    expect(json.images).toEqual([]);
    expect(json.annotations).toEqual([]);
    expect(validateCoco(json).ok).toBe(true);
  });
});

describe.skipIf(spawnSync('python3', ['--version']).error !== undefined)('exportCoco read by Python', () => {
  it('Python builds the pycocotools index from it, and its json module writes back the same bytes', async () => {
    const reader = memoryReader({
      kind: 'image-instance-segmentation',
      labels: LABELS,
      items: Array.from({ length: 300 }, (_, i) => ({
        path: `dïr/\u00e9\u{1F600}\t/${i}"q\\".jpg`,
        width: 640,
        height: 480,
        annotations: [{ kind: 'polygon' as const, label: LABELS[i % 3].id, points: [i % 600, 1.25, 30.5, 2 / 3, 40, 50.125] }],
      })),
    });
    const raw = text(await collectBytes(exportCoco(reader, { date: DATE })));
    // pycocotools' COCO.createIndex, line for line, then a compact re-dump.
    const script = `
import json, sys
from collections import defaultdict
dataset = json.loads(sys.stdin.buffer.read().decode('utf-8'))
assert type(dataset) == dict, 'annotation file format {} not supported'.format(type(dataset))
anns, cats, imgs = {}, {}, {}
imgToAnns, catToImgs = defaultdict(list), defaultdict(list)
if 'annotations' in dataset:
    for ann in dataset['annotations']:
        imgToAnns[ann['image_id']].append(ann)
        anns[ann['id']] = ann
if 'images' in dataset:
    for img in dataset['images']:
        imgs[img['id']] = img
if 'categories' in dataset:
    for cat in dataset['categories']:
        cats[cat['id']] = cat
if 'annotations' in dataset and 'categories' in dataset:
    for ann in dataset['annotations']:
        catToImgs[ann['category_id']].append(ann['image_id'])
assert len(anns) == len(dataset['annotations']) and len(imgs) == len(dataset['images'])
assert all(a['image_id'] in imgs and a['category_id'] in cats for a in anns.values())
sys.stdout.buffer.write(json.dumps(dataset, separators=(',', ':'), ensure_ascii=False).encode('utf-8'))
`;
    const r = spawnSync('python3', ['-c', script], { input: raw, maxBuffer: 1 << 26 });
    expect(r.stderr.toString()).toBe('');
    expect(r.stdout.toString('utf8')).toBe(raw);
  });
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
