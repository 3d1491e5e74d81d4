import { describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { importCoco, importJsonl, validateCoco } from './index.js';
import { LABELS, memoryReader } from '../../test/export-readers.js';

const det = 'image-object-detection' as const;
const seg = 'image-instance-segmentation' as const;

function coco(annotations: object[], extra: { images?: object[]; categories?: object[] } = {}) {
  return {
    images: extra.images ?? [
      { id: 1, file_name: 'a.jpg', width: 100, height: 80 },
      { id: 2, file_name: 'b.jpg', width: 50, height: 50 },
    ],
    categories: extra.categories ?? [
      { id: 1, name: 'cat' },
      { id: 7, name: 'dog' },
    ],
    annotations,
  };
}

const rle = { counts: 'abc', size: [80, 100] };

describe('validateCoco (what pycocotools checks on load, and a little more)', () => {
  it('rejects files that are not COCO at all', () => {
    expect(validateCoco([]).problems).toMatchObject([{ code: 'invalid-structure', source: 'file' }]);
    expect(validateCoco({ images: [], annotations: {} }).problems.map((p) => p.reason)).toEqual([
      '"annotations" is not an array; a COCO file needs "images", "annotations" and "categories" arrays.',
      '"categories" is missing; a COCO file needs "images", "annotations" and "categories" arrays.',
    ]);
  });

  it('finds every problem, with where and why', () => {
    const data = coco(
      [
        { id: 1, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], area: 12 }, // fine
        { id: 1, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], area: 12 }, // duplicate id
        { id: 2, image_id: 99, category_id: 1, bbox: [1, 2, 3, 4] }, // no such image
        { id: 3, image_id: 1, category_id: 99, bbox: [1, 2, 3, 4] }, // no such category
        { id: 4, image_id: 1, category_id: 1, bbox: [90, 2, 30, 4] }, // outside the 100-wide image
        { id: 5, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], area: 0 }, // area 0
        { id: 6, image_id: 1, category_id: 1, segmentation: [[1, 2, 3, 4]] }, // 2 points
        { id: 7, image_id: 1, category_id: 1, segmentation: [[1, 2, 3, 4, 5]] }, // odd
        { id: 8, image_id: 1, category_id: 1, bbox: [1, 2, 0, 4] }, // zero width
        { image_id: 1, category_id: 1 }, // no id
        { id: 9, image_id: 1, category_id: 1, segmentation: { counts: 'x', size: [10, 10] } }, // RLE of the wrong size
        { id: 10, image_id: 3, category_id: 1 }, // image 3 is duplicated
        { id: 11, image_id: 1, category_id: 1, iscrowd: 2 },
      ],
      {
        images: [{ id: 1, file_name: 'a.jpg', width: 100, height: 80 }, { id: 3, file_name: 'c.jpg' }, { id: 3, file_name: 'd.jpg' }, { id: 4 }],
      },
    );
    const v = validateCoco(data);
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => [p.code, p.source])).toEqual([
      ['duplicate-id', 'images[2]'],
      ['duplicate-id', 'images[1]'],
      ['invalid-structure', 'images[3]'],
      ['duplicate-id', 'annotations[1] (id 1)'],
      ['missing-image', 'annotations[2] (id 2)'],
      ['missing-category', 'annotations[3] (id 3)'],
      ['invalid-shape', 'annotations[4] (id 4)'],
      ['invalid-shape', 'annotations[5] (id 5)'],
      ['invalid-shape', 'annotations[6] (id 6)'],
      ['invalid-shape', 'annotations[7] (id 7)'],
      ['invalid-shape', 'annotations[8] (id 8)'],
      ['invalid-structure', 'annotations[9]'],
      ['invalid-shape', 'annotations[10] (id 9)'],
      ['duplicate-id', 'annotations[11] (id 10)'],
      ['invalid-structure', 'annotations[12] (id 11)'],
    ]);
    expect(v.problems[6].reason).toBe('The bbox [90, 2, 30, 4] reaches outside its 100×80 image.');
    expect(v.problems[8].reason).toBe('Polygon 0 has 2 point(s); a polygon needs at least 3.');
  });

  it('allows a bbox a little past the edge (tolerance)', () => {
    const data = coco([{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 100.3, 80] }]);
    expect(validateCoco(data).ok).toBe(true);
    expect(validateCoco(data, { tolerance: 0 }).ok).toBe(false);
  });
});

describe('importCoco', () => {
  it('imports boxes as labels, with label ids by name', async () => {
    const r = await importCoco(
      coco([
        { id: 1, image_id: 1, category_id: 7, bbox: [1, 2, 3, 4], area: 12, iscrowd: 0 },
        { id: 2, image_id: 1, category_id: 1, segmentation: [[10, 10, 20, 10, 20, 30]] }, // no bbox: its polygon's bounds
      ]),
      { kind: det, labels: LABELS },
    );
    expect(r).toEqual({
      format: 'coco',
      as: 'labels',
      failed: [],
      warnings: [],
      parsed: [
        {
          path: 'a.jpg',
          width: 100,
          height: 80,
          source: 'images[0]',
          annotations: [
            { kind: 'box', label: 'l-dog', x: 1, y: 2, w: 3, h: 4 },
            { kind: 'box', label: 'l-cat', x: 10, y: 10, w: 10, h: 20 },
          ],
        },
        { path: 'b.jpg', width: 50, height: 50, source: 'images[1]', annotations: [] },
      ],
    });
  });

  it('imports as prelabels with the score as confidence', async () => {
    const r = await importCoco(coco([{ id: 1, image_id: 2, category_id: 1, bbox: [1, 2, 3, 4], score: 0.87 }]), {
      kind: det,
      labels: LABELS,
      as: 'prelabels',
      includeEmpty: false,
    });
    expect(r.as).toBe('prelabels');
    expect(r.parsed).toEqual([
      { path: 'b.jpg', width: 50, height: 50, source: 'images[1]', annotations: [{ kind: 'box', label: 'l-cat', x: 1, y: 2, w: 3, h: 4, confidence: 0.87 }] },
    ]);
  });

  it('reports iscrowd RLE masks as not importable into polygon projects, never drops them silently', async () => {
    const data = coco([
      { id: 1, image_id: 1, category_id: 1, segmentation: rle, bbox: [0, 0, 10, 10], area: 50, iscrowd: 1 },
      { id: 2, image_id: 1, category_id: 1, segmentation: [[0, 0, 10, 0, 10, 10]], bbox: [0, 0, 10, 10], area: 50, iscrowd: 1 },
      { id: 3, image_id: 1, category_id: 1, segmentation: rle, bbox: [0, 0, 10, 10], area: 50, iscrowd: 0 },
      { id: 4, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100 },
      {
        id: 5,
        image_id: 1,
        category_id: 1,
        segmentation: [
          [0, 0, 10, 0, 10, 10],
          [50, 50, 60, 50, 60, 60],
        ],
        bbox: [0, 0, 60, 60],
        area: 100,
      },
    ]);
    const r = await importCoco(data, { kind: seg, labels: LABELS });
    expect(r.failed.map((f) => [f.code, f.source, f.path])).toEqual([
      ['rle-mask', 'annotations[0] (id 1)', 'a.jpg'],
      ['crowd', 'annotations[1] (id 2)', 'a.jpg'],
      ['rle-mask', 'annotations[2] (id 3)', 'a.jpg'],
      ['unsupported-shape', 'annotations[3] (id 4)', 'a.jpg'],
    ]);
    expect(r.failed[0].reason).toMatch(/RLE mask, which cannot be imported into a polygon project/);
    expect(r.parsed[0].annotations).toEqual([
      { kind: 'polygon', label: 'l-cat', points: [0, 0, 10, 0, 10, 10] },
      { kind: 'polygon', label: 'l-cat', points: [50, 50, 60, 50, 60, 60] },
    ]);
    expect(r.warnings).toEqual(['1 annotation(s) made of several polygons were split into one polygon annotation per part.']);

    const boxes = await importCoco(data, { kind: det, labels: LABELS });
    expect(boxes.failed.map((f) => f.code)).toEqual(['crowd', 'crowd']);
    expect(boxes.parsed[0].annotations).toHaveLength(3); // id 3 (RLE, not crowd) keeps its bbox
  });

  it('an image whose annotations all failed is not imported as "empty"', async () => {
    const r = await importCoco(coco([{ id: 1, image_id: 2, category_id: 1, segmentation: rle, iscrowd: 1, bbox: [0, 0, 10, 10] }]), { kind: seg, labels: LABELS });
    expect(r.parsed.map((p) => p.path)).toEqual(['a.jpg']); // a.jpg had none in the file; b.jpg is not "empty"
    expect(r.failed).toHaveLength(1);
  });

  it('unknown labels fail unless labelId gives an id', async () => {
    const data = coco([{ id: 1, image_id: 1, category_id: 7, bbox: [1, 2, 3, 4] }]);
    const r = await importCoco(data, { kind: det, labels: [] });
    expect(r.failed).toEqual([{ code: 'unknown-label', source: 'annotations[0] (id 1)', path: 'a.jpg', reason: '"dog" is not a label of the project.' }]);
    const asked: string[] = [];
    const r2 = await importCoco(data, { kind: det, labelId: (name) => (asked.push(name), `new-${name}`) });
    expect(r2.failed).toEqual([]);
    expect(r2.parsed[0].annotations[0]).toMatchObject({ label: 'new-dog' });
    expect(asked).toEqual(['dog']);
  });

  it('matches images to items: by path, then coco_url, then a unique file name; checks sizes', async () => {
    const project = memoryReader({
      kind: det,
      labels: LABELS,
      items: [
        { path: 'folder/a.jpg', width: 100, height: 80, state: 'todo' },
        { path: 'x/b.jpg', width: 50, height: 50, state: 'todo' },
        { path: 'y/b.jpg', width: 50, height: 50, state: 'todo' },
        { path: 'https://cdn/c.jpg', width: 10, height: 10, state: 'todo' },
        { path: 'd.jpg', width: 999, height: 999, state: 'todo' },
      ],
    });
    const data = coco([], {
      images: [
        { id: 1, file_name: 'a.jpg', width: 100, height: 80 },
        { id: 2, file_name: 'b.jpg' },
        { id: 3, file_name: 'c-local.jpg', coco_url: 'https://cdn/c.jpg' },
        { id: 4, file_name: 'd.jpg', width: 100, height: 100 },
        { id: 5, file_name: 'folder/a.jpg' },
      ],
    });
    const r = await importCoco(data, { reader: project });
    expect(r.parsed.map((p) => [p.index, p.path, p.width])).toEqual([
      [0, 'folder/a.jpg', 100],
      [3, 'https://cdn/c.jpg', 10],
    ]);
    expect(r.failed.map((f) => [f.code, f.source])).toEqual([
      ['not-in-project', 'images[1]'], // b.jpg is ambiguous
      ['size-mismatch', 'images[3]'],
      ['duplicate-id', 'images[4]'], // folder/a.jpg was already imported from images[0]
    ]);
    const strict = await importCoco(data, { reader: project, matchBasename: false });
    expect(strict.parsed.map((p) => p.index)).toEqual([3, 0]);
  });

  it('multi-class images take one label; multi-label images take several', async () => {
    const data = coco([
      { id: 1, image_id: 1, category_id: 1 },
      { id: 2, image_id: 1, category_id: 7 },
      { id: 3, image_id: 2, category_id: 7, bbox: [1, 1, 2, 2] },
      { id: 4, image_id: 2, category_id: 7 },
    ]);
    const multi = await importCoco(data, { kind: 'image-classification-multiclass', labels: LABELS });
    expect(multi.failed.map((f) => [f.code, f.source])).toEqual([['conflicting-labels', 'images[0]']]);
    expect(multi.parsed).toEqual([{ path: 'b.jpg', width: 50, height: 50, source: 'images[1]', annotations: [{ kind: 'class', label: 'l-dog' }] }]);
    const many = await importCoco(data, { kind: 'image-classification-multilabel', labels: LABELS });
    expect(many.failed).toEqual([]);
    expect(many.parsed[0].annotations).toEqual([
      { kind: 'class', label: 'l-cat' },
      { kind: 'class', label: 'l-dog' },
    ]);
  });

  it('reports unparsable input as data, and missing kind as a programming error', async () => {
    expect(await importCoco('{"images": [', { kind: det })).toMatchObject({ parsed: [], failed: [{ code: 'unparsable', source: 'file' }] });
    expect(await importCoco(new Uint8Array([0xff, 0xfe, 0x00]), { kind: det })).toMatchObject({ failed: [{ code: 'unparsable' }] });
    await expect(importCoco('{}', {})).rejects.toBeInstanceOf(LabelkitError);
  });

  it('reads bytes from a ReadableStream split anywhere, a BOM included', async () => {
    const json = `\ufeff${JSON.stringify(coco([{ id: 1, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4] }], { images: [{ id: 1, file_name: 'ü/ß.jpg', width: 10, height: 10 }] }))}`;
    const bytes = new TextEncoder().encode(json);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7));
        c.close();
      },
    });
    const r = await importCoco(stream, { kind: det, labels: LABELS });
    expect(r.failed).toEqual([]);
    expect(r.parsed[0].path).toBe('ü/ß.jpg');
  });
});

describe('importJsonl', () => {
  const line = (o: object) => JSON.stringify(o);

  it('imports every kind, with sizes as "640px" or numbers', async () => {
    const boxes = await importJsonl(
      line({
        image_url: 'a.jpg',
        image_details: { format: 'jpg', width: '200px', height: 100 },
        label: [{ label: 'cat', topX: 0.1, topY: 0.2, bottomX: 0.6, bottomY: 0.7, isCrowd: 0 }],
      }),
      { kind: det, labels: LABELS },
    );
    expect(boxes.failed).toEqual([]);
    expect(boxes.parsed).toEqual([{ path: 'a.jpg', width: 200, height: 100, source: 'line 1', annotations: [{ kind: 'box', label: 'l-cat', x: 20, y: 20, w: 100, h: 50 }] }]);

    const polys = await importJsonl(
      line({
        image_url: 'a.jpg',
        image_details: { width: '10px', height: '10px' },
        label: [
          {
            label: 'dog',
            isCrowd: 0,
            polygon: [
              [0, 0, 0.5, 0, 0.5, 0.5],
              [0.6, 0.6, 0.9, 0.6, 0.9, 0.9],
            ],
          },
        ],
      }),
      { kind: seg, labels: LABELS },
    );
    expect(polys.parsed[0].annotations).toEqual([
      { kind: 'polygon', label: 'l-dog', points: [0, 0, 5, 0, 5, 5] },
      { kind: 'polygon', label: 'l-dog', points: [6, 6, 9, 6, 9, 9] },
    ]);
    expect(polys.warnings).toHaveLength(1);

    const tags = await importJsonl([line({ image_url: 'a.jpg', label: 'cat' }), line({ image_url: 'b.jpg', label: ['cat', 'dog'] })].join('\r\n'), {
      kind: 'image-classification-multilabel',
      labels: LABELS,
    });
    expect(tags.parsed.map((p) => p.annotations.map((a) => a.label))).toEqual([['l-cat'], ['l-cat', 'l-dog']]);
  });

  it('reports each bad line and region, and goes on', async () => {
    const text = [
      line({ image_url: 'ok.jpg', image_details: { width: 10, height: 10 }, label: [] }),
      '{not json',
      line({ label: [] }),
      line({ image_url: 'nosize.jpg', label: [{ label: 'cat', topX: 0, topY: 0, bottomX: 1, bottomY: 1 }] }),
      line({ image_url: 'crowd.jpg', image_details: { width: 10, height: 10 }, label: [{ label: 'cat', topX: 0, topY: 0, bottomX: 1, bottomY: 1, isCrowd: 1 }] }),
      line({
        image_url: 'bad.jpg',
        image_details: { width: 10, height: 10 },
        label: [
          { label: 'cat', topX: 0.5, topY: 0, bottomX: 0.4, bottomY: 1 },
          { label: 'cat', topX: 0, topY: 0, bottomX: 1.5, bottomY: 1 },
          { label: 'emu', topX: 0, topY: 0, bottomX: 1, bottomY: 1 },
        ],
      }),
      '',
    ].join('\n');
    const r = await importJsonl(text, { kind: det, labels: LABELS });
    expect(r.failed.map((f) => [f.code, f.source])).toEqual([
      ['unparsable', 'line 2'],
      ['invalid-structure', 'line 3'],
      ['size-unknown', 'line 4'],
      ['crowd', 'line 5, label[0]'],
      ['invalid-shape', 'line 6, label[0]'],
      ['invalid-shape', 'line 6, label[1]'],
      ['unknown-label', 'line 6, label[2]'],
    ]);
    expect(r.parsed.map((p) => p.path)).toEqual(['ok.jpg']);
  });

  it('maps azureml:// URLs and unique file names to item paths, and uses the item size', async () => {
    const project = memoryReader({
      kind: det,
      labels: LABELS,
      items: [
        { path: 'imgs/a.jpg', width: 100, height: 50, state: 'todo' },
        { path: 'other/b.png', width: 10, height: 10, state: 'todo' },
      ],
    });
    const url = 'azureml://subscriptions/s/resourcegroups/r/workspaces/w/datastores/d/paths/imgs/a.jpg';
    const r = await importJsonl(
      [
        line({ image_url: url, label: [{ label: 'cat', topX: 0, topY: 0, bottomX: 0.5, bottomY: 0.5 }] }),
        line({ image_url: 'AmlDatastore://store/b.png', label: [] }),
        line({ image_url: 'nowhere.jpg', label: [] }),
      ].join('\n'),
      { reader: project, as: 'prelabels' },
    );
    expect(r.parsed).toEqual([
      { path: 'imgs/a.jpg', index: 0, width: 100, height: 50, source: 'line 1', annotations: [{ kind: 'box', label: 'l-cat', x: 0, y: 0, w: 50, h: 25 }] },
      { path: 'other/b.png', index: 1, width: 10, height: 10, source: 'line 2', annotations: [] },
    ]);
    expect(r.failed).toMatchObject([{ code: 'not-in-project', source: 'line 3' }]);
  });

  it('streams lines from chunks split mid-line and mid-character', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => line({ image_url: `ü${i}.jpg`, label: 'cat' })).join('\n');
    const bytes = new TextEncoder().encode(rows);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 333) yield bytes.slice(i, i + 333);
    }
    const r = await importJsonl(chunks(), { kind: 'image-classification-multiclass', labels: LABELS });
    expect(r.failed).toEqual([]);
    expect(r.parsed).toHaveLength(2000);
    expect(r.parsed[1999]).toMatchObject({ path: 'ü1999.jpg', source: 'line 2000' });
  });

  it('multi-class lines with several labels fail', async () => {
    const r = await importJsonl(line({ image_url: 'a.jpg', label: ['cat', 'dog'] }), { kind: 'image-classification-multiclass', labels: LABELS });
    expect(r.failed).toMatchObject([{ code: 'conflicting-labels', source: 'line 1', path: 'a.jpg' }]);
  });
});
