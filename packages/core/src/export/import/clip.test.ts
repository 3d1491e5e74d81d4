// Hostile files: regions reaching outside their image are clipped to it at import (or fail when that
// leaves no area), so that everything an import accepts can be submitted — and one bad region never
// blocks the good ones of the same image.
import { describe, expect, it } from 'vitest';
import { MIN_REGION_AREA } from '../../geometry.js';
import { ProjectRegistry } from '../../registry.js';
import { MemoryStore } from '../../store/memory-store.js';
import type { Annotation, ProjectKind } from '../../types.js';
import { importCoco, importJsonl } from '../index.js';
import type { ImportResult } from '../types.js';

const owner = { id: 'olivia', role: 'owner' } as const;

/** A project with a.jpg (100×80) and b.jpg (50×50), sizes known. */
async function project(kind: ProjectKind) {
  const registry = new ProjectRegistry(new MemoryStore());
  const p = await registry.create({ name: `Clip ${kind}`, kind, labels: ['cat', 'dog'], seed: 1 }, { actor: owner });
  await p.addItems([
    { path: 'a.jpg', etag: '"a"', size: 1 },
    { path: 'b.jpg', etag: '"b"', size: 1 },
  ]);
  await p.setItemSizes([
    { item: 0, width: 100, height: 80 },
    { item: 1, width: 50, height: 50 },
  ]);
  return p;
}

/** Submits every imported item through the project's own command; throws E_INVALID_ANNOTATION if one is refused. */
async function submitAll(p: Awaited<ReturnType<typeof project>>, result: ImportResult): Promise<void> {
  const byIndex = new Map(result.parsed.map((it) => [it.index, it.annotations]));
  for (;;) {
    const task = await p.nextTask();
    if (!task) break;
    const items = task.items.filter((it) => byIndex.get(it.index)?.length);
    if (!items.length) {
      await p.release(task.id);
      break;
    }
    await p.submit(
      task.id,
      items.map((it) => ({ item: it.index, annotations: byIndex.get(it.index)! })),
    );
  }
}

const poly = (label: string, ...points: number[]): Annotation => ({ kind: 'polygon', label, points });

describe('COCO import of regions outside their image', () => {
  const hostile = {
    images: [
      { id: 1, file_name: 'a.jpg', width: 100, height: 80 },
      { id: 2, file_name: 'b.jpg', width: 50, height: 50 },
    ],
    categories: [
      { id: 1, name: 'cat' },
      { id: 2, name: 'dog' },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 1, segmentation: [[10, 10, 50, 10, 30, 40]] }, // fine
      { id: 2, image_id: 1, category_id: 2, segmentation: [[-20, -5, 130, 10, 60, 95]] }, // negative and past width/height
      { id: 3, image_id: 1, category_id: 1, segmentation: [[150, 10, 200, 10, 180, 60]] }, // entirely right of the image
      { id: 4, image_id: 1, category_id: 1, segmentation: [[-50, -50, -10, -50, -30, -10]] }, // entirely above-left
      { id: 5, image_id: 1, category_id: 2, segmentation: [[60, 50, 90, 50, 90, 70, 60, 70]] }, // fine
      { id: 6, image_id: 1, category_id: 1, segmentation: [[1, 1, 1.5, 1, 1.5, 1.5]] }, // inside, but 0.125 px²
      { id: 7, image_id: 2, category_id: 1, segmentation: [[-1e6, -1e6, 1e6, -1e6, 1e6, 1e6, -1e6, 1e6]] }, // covers the image
    ],
  };

  it('clips polygons to the image with a warning, fails those left without area, keeps the good ones', async () => {
    const r = await importCoco(hostile, {
      kind: 'image-instance-segmentation',
      labels: [
        { id: 'cat', name: 'cat', color: '#f00' },
        { id: 'dog', name: 'dog', color: '#0f0' },
      ],
    });
    expect(r.failed.map((f) => [f.code, f.source, f.path])).toEqual([
      ['invalid-shape', 'annotations[2] (id 3)', 'a.jpg'],
      ['invalid-shape', 'annotations[3] (id 4)', 'a.jpg'],
      ['invalid-shape', 'annotations[5] (id 6)', 'a.jpg'],
    ]);
    expect(r.failed[0].reason).toBe('The polygon lies outside its 100×80 image; clipped to it, a polygon needs at least 3 distinct points (got 2).');
    expect(r.failed[2].reason).toMatch(new RegExp(`^The polygon encloses 0.125 px².*at least ${MIN_REGION_AREA} px²`));
    expect(r.parsed.map((p) => [p.path, p.annotations])).toEqual([
      ['a.jpg', [poly('cat', 10, 10, 50, 10, 30, 40), poly('dog', 0, 0, 100, 10, 60, 80), poly('dog', 60, 50, 90, 50, 90, 70, 60, 70)]],
      ['b.jpg', [poly('cat', 0, 0, 50, 0, 50, 50, 0, 50)]],
    ]);
    expect(r.warnings).toEqual(['2 region(s) reaching outside their image were clipped to it (annotations[1] (id 2) in a.jpg; annotations[6] (id 7) in b.jpg).']);
  });

  it('imports into a real project whose submit accepts every imported annotation', async () => {
    const p = await project('image-instance-segmentation');
    const r = await importCoco(hostile, { reader: p });
    expect(r.failed).toHaveLength(3);
    await submitAll(p, r);
    expect(p.stats().counts.labeled).toBe(2);
    expect(p.item(0).annotations).toEqual(r.parsed[0].annotations);
    expect(p.item(0).annotations).toHaveLength(3);
  });

  it('detection: a bbox within the tolerance and a polygon-only annotation outside are clipped; submit takes them', async () => {
    const p = await project('image-object-detection');
    const r = await importCoco(
      {
        ...hostile,
        annotations: [
          { id: 1, image_id: 1, category_id: 1, bbox: [-0.3, 10, 20.3, 20] }, // 0.3 px past the left edge (tolerance 0.5)
          { id: 2, image_id: 1, category_id: 2, segmentation: [[-20, -5, 130, 10, 60, 95]] }, // no bbox: its polygon's bounds
          { id: 3, image_id: 1, category_id: 2, bbox: [10, 10, 0.5, 0.5] }, // 0.25 px²
          { id: 4, image_id: 2, category_id: 1, bbox: [5, 5, 10, 10] },
        ],
      },
      { reader: p },
    );
    expect(r.failed.map((f) => [f.code, f.source])).toEqual([['invalid-shape', 'annotations[2] (id 3)']]);
    expect(r.parsed[0].annotations).toEqual([
      { kind: 'box', label: 'cat', x: 0, y: 10, w: 20, h: 20 },
      { kind: 'box', label: 'dog', x: 0, y: 0, w: 100, h: 80 },
    ]);
    expect(r.warnings).toHaveLength(1);
    await submitAll(p, r);
    expect(p.stats().counts.labeled).toBe(2);
  });
});

describe('JSONL import of regions outside their image', () => {
  it('clips normalized polygons past [0, 1] and boxes within the tolerance', async () => {
    const p = await project('image-instance-segmentation');
    const lines = [
      {
        image_url: 'a.jpg',
        label: [
          { label: 'cat', polygon: [[-0.5, 0, 0.5, 0, 0.5, 2]] },
          { label: 'dog', polygon: [[0.1, 0.1, 0.2, 0.1, 0.2, 0.2]] },
          { label: 'dog', polygon: [[2, 2, 3, 2, 3, 3]] },
        ],
      },
      { image_url: 'b.jpg', label: [{ label: 'cat', polygon: [[0, 0, 1, 0, 1, 1]] }] },
    ];
    const r = await importJsonl(lines.map((l) => JSON.stringify(l)).join('\n'), { reader: p });
    expect(r.failed.map((f) => [f.code, f.source])).toEqual([['invalid-shape', 'line 1, label[2]']]);
    expect(r.parsed[0].annotations).toEqual([poly('cat', 0, 0, 50, 0, 50, 80), poly('dog', 10, 8, 20, 8, 20, 16)]);
    expect(r.warnings).toEqual(['1 region(s) reaching outside their image were clipped to it (line 1, label[0] in a.jpg).']);
    await submitAll(p, r);
    expect(p.stats().counts.labeled).toBe(2);

    const d = await project('image-object-detection');
    const boxes = await importJsonl(JSON.stringify({ image_url: 'a.jpg', label: [{ label: 'cat', topX: -0.004, topY: 0, bottomX: 0.5, bottomY: 1.005 }] }), { reader: d });
    expect(boxes.failed).toEqual([]);
    expect(boxes.parsed[0].annotations).toEqual([{ kind: 'box', label: 'cat', x: 0, y: 0, w: 50, h: 80 }]);
    await submitAll(d, boxes);
    expect(d.item(0).annotations).toEqual(boxes.parsed[0].annotations);
  });
});
