import { describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { exportVoc, exportYolo, type ExportEntry } from './index.js';
import { LABELS, memoryReader, text } from '../../test/export-readers.js';

const DATE = new Date('2024-05-01T00:00:00Z');

async function entries(files: AsyncIterable<ExportEntry>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of files) {
    let s = '';
    for await (const c of e.chunks as AsyncIterable<Uint8Array>) s += text(c);
    out[e.path] = s;
  }
  return out;
}

describe('exportYolo', () => {
  it('writes data.yaml and one normalized label file per image (empty for no objects)', async () => {
    const reader = memoryReader({
      name: 'Yolo "test"',
      kind: 'image-object-detection',
      labels: LABELS,
      items: [
        {
          path: 'imgs/a.jpg',
          width: 200,
          height: 100,
          annotations: [
            { kind: 'box', label: 'l-dog', x: 20, y: 10, w: 100, h: 50 },
            { kind: 'box', label: 'l-cat', x: 150, y: 50, w: 100, h: 100 },
          ],
        },
        { path: 'imgs/empty.png', width: 10, height: 10, annotations: [] },
        { path: 'imgs/A.JPG', width: 10, height: 10, annotations: [] }, // collides with imgs/a.jpg on case-insensitive disks
        { path: 'imgs/a.png', width: 10, height: 10, annotations: [] }, // collides: same stem
        { path: 'nosize.jpg', annotations: [] },
        { path: 'https://h.example/p/../q/c.jpg?x=1', width: 3, height: 3, annotations: [{ kind: 'box', label: 'l-odd', x: 0, y: 0, w: 1, h: 1 }] },
      ],
    });
    const files = exportYolo(reader, { date: DATE });
    const out = await entries(files);
    expect(Object.keys(out)).toEqual(['data.yaml', 'labels/imgs/a.txt', 'labels/imgs/empty.txt', 'labels/h.example/p/q/c.txt']);
    expect(out['data.yaml']).toBe(
      [
        '# Labelkit export of "Yolo \\"test\\"" (image-object-detection).',
        '# Put the images under images/ with the same relative paths as the label files under labels/.',
        'path: .',
        'train: images',
        'val: images',
        'nc: 3',
        'names:',
        '  0: "cat"',
        '  1: "dog"',
        '  2: "odd \\"name\\" <&> ü"',
        '',
      ].join('\n'),
    );
    expect(out['labels/imgs/a.txt']).toBe('1 0.350000 0.350000 0.500000 0.500000\n0 0.875000 0.750000 0.250000 0.500000\n');
    expect(out['labels/imgs/empty.txt']).toBe('');
    expect(out['labels/h.example/p/q/c.txt']).toBe('2 0.166667 0.166667 0.333333 0.333333\n');
    expect(files.report).toMatchObject({ images: 3, annotations: 3, skippedItems: 3, files: 4, complete: true });
    expect(files.report.issueCounts).toEqual({ 'name-collision': 2, 'size-unknown': 1, clipped: 1 });
    expect(files.name).toBe('Yolo_test_20240501_000000');
  });

  it('writes polygons for segmentation projects', async () => {
    const reader = memoryReader({
      kind: 'image-instance-segmentation',
      labels: LABELS,
      items: [{ path: 'a.jpg', width: 100, height: 50, annotations: [{ kind: 'polygon', label: 'l-cat', points: [10, 5, 90, 5, 50, 45] }] }],
    });
    const out = await entries(exportYolo(reader, { decimals: 3 }));
    expect(out['labels/a.txt']).toBe('0 0.100 0.100 0.900 0.100 0.500 0.900\n');
  });

  it('refuses classification projects', () => {
    const reader = memoryReader({ kind: 'image-classification-multiclass', labels: LABELS, items: [] });
    expect(() => exportYolo(reader)).toThrow(LabelkitError);
    expect(() => exportVoc(reader)).toThrow(/does not support image-classification-multiclass/);
  });
});

describe('exportVoc', () => {
  it('writes one XML per image with 1-based pixel boxes, and the image set list', async () => {
    const reader = memoryReader({
      kind: 'image-object-detection',
      labels: LABELS,
      items: [
        { path: 'dir/sub/a&b.jpg', width: 200, height: 100, annotations: [{ kind: 'box', label: 'l-odd', x: 0, y: 10, w: 100.4, h: 50 }] },
        { path: 'c.jpg', width: 10, height: 10, annotations: [] },
      ],
    });
    const files = exportVoc(reader);
    const out = await entries(files);
    expect(Object.keys(out)).toEqual(['Annotations/dir/sub/a&b.xml', 'Annotations/c.xml', 'ImageSets/Main/default.txt']);
    expect(out['Annotations/dir/sub/a&b.xml']).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<annotation>
	<folder>dir/sub</folder>
	<filename>a&amp;b.jpg</filename>
	<path>dir/sub/a&amp;b.jpg</path>
	<source>
		<database>Labelkit</database>
	</source>
	<size>
		<width>200</width>
		<height>100</height>
		<depth>3</depth>
	</size>
	<segmented>0</segmented>
	<object>
		<name>odd &quot;name&quot; &lt;&amp;&gt; ü</name>
		<pose>Unspecified</pose>
		<truncated>0</truncated>
		<difficult>0</difficult>
		<bndbox>
			<xmin>1</xmin>
			<ymin>11</ymin>
			<xmax>100</xmax>
			<ymax>60</ymax>
		</bndbox>
	</object>
</annotation>
`);
    expect(out['ImageSets/Main/default.txt']).toBe('dir/sub/a&b\nc\n');
    expect(files.report).toMatchObject({ images: 2, annotations: 1, files: 3 });
  });

  it('writes polygon bounds for segmentation projects', async () => {
    const reader = memoryReader({
      kind: 'image-instance-segmentation',
      labels: LABELS,
      items: [{ path: 'a.jpg', width: 100, height: 50, annotations: [{ kind: 'polygon', label: 'l-cat', points: [10, 5, 90, 5, 50, 45] }] }],
    });
    const xml = (await entries(exportVoc(reader)))['Annotations/a.xml'];
    expect(xml).toMatch(/<xmin>11<\/xmin>\s*<ymin>6<\/ymin>\s*<xmax>90<\/xmax>\s*<ymax>45<\/ymax>/);
  });
});
