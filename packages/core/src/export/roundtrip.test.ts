// Export → import → export gives the same bytes, for COCO and JSONL and every project kind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Annotation, ProjectKind } from '../types.js';
import { collectBytes, exportCoco, exportJsonl, importCoco, importJsonl, validateCoco } from './index.js';
import { LABELS, memoryReader, readerFromImport, text, type PlainItem } from '../../test/export-readers.js';

const DATE = new Date('2024-05-01T00:00:00Z');

function box(label: string, x: number, y: number, w: number, h: number): Annotation {
  return { kind: 'box', label, x, y, w, h };
}
function poly(label: string, ...points: number[]): Annotation {
  return { kind: 'polygon', label, points };
}
function tag(label: string): Annotation {
  return { kind: 'class', label };
}

/** Awkward data: fractions that do not round-trip through decimal naively, shapes past the edge, odd paths. */
const ITEMS: Record<ProjectKind, PlainItem[]> = {
  'image-object-detection': [
    { path: 'a/1.jpg', width: 640, height: 480, annotations: [box('l-cat', 0.1 + 0.2, 10 / 3, 123.456789, 7.000000001), box('l-dog', 600, 400, 100, 100)] },
    { path: 'b/ünï côdé.png', width: 333, height: 777, annotations: [] },
    { path: 'https://example.com/img/3.jpeg?sig=x', width: 1, height: 1, annotations: [box('l-odd', 0, 0, 1, 1)] },
    { path: 'c\\windows\\4.bmp', width: 4000, height: 3000, annotations: [box('l-cat', 1234.5678, 2345.6789, 0.01, 0.02), box('l-cat', 1, 2, 3, 4)] },
    { path: 'skipped.jpg', width: 10, height: 10, state: 'skipped', annotations: [] },
  ],
  'image-instance-segmentation': [
    { path: 'a/1.jpg', width: 640, height: 480, annotations: [poly('l-cat', 0.1, 0.2, 100.333333, 0.7, 50.5, 99.99999), poly('l-dog', 600, 400, 700, 400, 700, 500, 600, 500)] },
    { path: 'b/2.png', width: 333, height: 777, annotations: [] },
    { path: 'c/3.jpg', width: 1000, height: 1000, annotations: [poly('l-odd', 1 / 3, 2 / 3, 999.999, 0, 500, 1000, 250.125, 600.0625)] },
  ],
  'image-classification-multiclass': [
    { path: 'a.jpg', width: 10, height: 20, annotations: [tag('l-cat')] },
    { path: 'b.jpg', width: 30, height: 40, annotations: [tag('l-odd')] },
    { path: 'dir/c.tif', annotations: [tag('l-dog')] }, // size unknown: allowed for classification
  ],
  'image-classification-multilabel': [
    { path: 'a.jpg', width: 10, height: 20, annotations: [tag('l-dog'), tag('l-cat')] },
    { path: 'b.jpg', width: 30, height: 40, annotations: [] },
    { path: 'c.jpg', annotations: [tag('l-odd')] },
  ],
};

const KINDS = Object.keys(ITEMS) as ProjectKind[];

const FORMATS = {
  coco: { write: exportCoco, read: importCoco },
  jsonl: { write: exportJsonl, read: importJsonl },
} as const;

describe.each(Object.keys(FORMATS) as (keyof typeof FORMATS)[])('%s round trip', (format) => {
  const { write, read } = FORMATS[format];

  it.each(KINDS)('%s: export → import → export is byte-stable', async (kind) => {
    const project = memoryReader({ name: 'Round trip', kind, labels: LABELS, items: ITEMS[kind] });
    const first = text(await collectBytes(write(project, { date: DATE })));
    if (format === 'coco') expect(validateCoco(JSON.parse(first)).problems).toEqual([]);

    const imported = await read(first, { kind, labels: LABELS });
    expect(imported.failed).toEqual([]);
    const again = readerFromImport(imported, { name: 'Round trip', kind, labels: LABELS });
    const second = text(await collectBytes(write(again, { date: DATE })));
    expect(second).toBe(first);

    // and once more, from the second export
    const third = text(await collectBytes(write(readerFromImport(await read(second, { kind, labels: LABELS }), { name: 'Round trip', kind, labels: LABELS }), { date: DATE })));
    expect(third).toBe(first);
  });

  it.each(KINDS)('%s: import matches images to the project items', async (kind) => {
    const project = memoryReader({ name: 'Round trip', kind, labels: LABELS, items: ITEMS[kind] });
    const first = text(await collectBytes(write(project, { date: DATE })));
    const imported = await read(first, { reader: project });
    expect(imported.failed).toEqual([]);
    const exported = ITEMS[kind].map((it, index) => ({ ...it, index })).filter((it) => (it.state ?? 'labeled') === 'labeled');
    expect(imported.parsed.map((p) => [p.index, p.path])).toEqual(exported.map((it) => [it.index, it.path]));
  });
});

describe('round trip keeps the geometry', () => {
  it('detection boxes come back within the rounding of each format', async () => {
    const kind = 'image-object-detection';
    const project = memoryReader({ kind, labels: LABELS, items: ITEMS[kind] });
    for (const [format, tolerance] of [
      ['coco', 0.005],
      ['jsonl', 4000 * 5e-7],
    ] as const) {
      const { write, read } = FORMATS[format];
      const imported = await read(text(await collectBytes(write(project, { date: DATE }))), { reader: project });
      const back = imported.parsed[0].annotations[0];
      expect(back.kind).toBe('box');
      if (back.kind !== 'box') return;
      expect(Math.abs(back.x - 0.3)).toBeLessThan(tolerance);
      expect(Math.abs(back.y - 10 / 3)).toBeLessThan(tolerance);
      expect(Math.abs(back.w - 123.456789)).toBeLessThan(2 * tolerance);
      // the second box was clipped to the 640×480 image
      const clipped = imported.parsed[0].annotations[1] as Extract<Annotation, { kind: 'box' }>;
      expect(Math.abs(clipped.x - 600)).toBeLessThan(tolerance);
      expect(Math.abs(clipped.y - 400)).toBeLessThan(tolerance);
      expect(clipped.x + clipped.w).toBeCloseTo(640, 9);
      expect(clipped.y + clipped.h).toBeCloseTo(480, 9);
    }
  });
});

describe('round trip, property-based', () => {
  const coord = fc.oneof(fc.double({ min: -50, max: 5050, noNaN: true }), fc.integer({ min: 0, max: 5000 }));
  const shape = (kind: 'box' | 'polygon') =>
    kind === 'box'
      ? fc.record({
          kind: fc.constant('box' as const),
          label: fc.constantFrom('l-cat', 'l-dog', 'l-odd'),
          x: coord,
          y: coord,
          w: fc.double({ min: -100, max: 3000, noNaN: true }),
          h: fc.double({ min: -100, max: 3000, noNaN: true }),
        })
      : fc.record({
          kind: fc.constant('polygon' as const),
          label: fc.constantFrom('l-cat', 'l-dog', 'l-odd'),
          points: fc.array(coord, { minLength: 6, maxLength: 24 }).map((p) => (p.length % 2 ? p.slice(1) : p)),
        });
  const project = (kind: 'box' | 'polygon') =>
    fc.array(
      fc.record({
        width: fc.integer({ min: 1, max: 5000 }),
        height: fc.integer({ min: 1, max: 5000 }),
        annotations: fc.array(shape(kind) as fc.Arbitrary<Annotation>, { maxLength: 6 }),
      }),
      { minLength: 1, maxLength: 8 },
    );

  for (const [kind, shapeKind] of [
    ['image-object-detection', 'box'],
    ['image-instance-segmentation', 'polygon'],
  ] as const) {
    it(`${kind}: whatever is exported imports without failure and exports to the same bytes`, async () => {
      await fc.assert(
        fc.asyncProperty(project(shapeKind), async (items) => {
          const reader = memoryReader({ kind, labels: LABELS, items: items.map((it, i) => ({ path: `i/${i}.png`, ...it })) });
          for (const format of ['coco', 'jsonl'] as const) {
            const { write, read } = FORMATS[format];
            const first = text(await collectBytes(write(reader, { date: DATE })));
            if (format === 'coco') expect(validateCoco(JSON.parse(first), { tolerance: 0 }).problems).toEqual([]);
            const imported = await read(first, { kind, labels: LABELS });
            expect(imported.failed).toEqual([]);
            const second = text(await collectBytes(write(readerFromImport(imported, { name: 'Test project', kind, labels: LABELS }), { date: DATE })));
            expect(second).toBe(first);
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});

it('a polygon whose points lie on a line is not exported, whatever the rounding noise (found by fast-check)', async () => {
  const kind = 'image-instance-segmentation';
  const reader = memoryReader({ kind, labels: LABELS, items: [{ path: 'i.png', width: 1, height: 1577, annotations: [poly('l-cat', 1, 0, 0, 1247, 1, 0, 0, 458)] }] });
  for (const format of ['coco', 'jsonl'] as const) {
    const out = FORMATS[format].write(reader, { date: DATE });
    const imported = await FORMATS[format].read(text(await collectBytes(out)), { kind, labels: LABELS });
    expect(out.report.issueCounts).toEqual({ 'invalid-shape': 1 });
    expect(imported.failed).toEqual([]);
  }
});
