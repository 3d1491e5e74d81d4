import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { MemoryStore } from '../store/memory-store.js';
import { azureMlTable, collectBytes, exportAzureMlDataset, exportJsonl, exportKey, writeFilesToStore } from './index.js';
import { writeExportFiles } from './node.js';
import { LABELS, memoryReader, text } from '../../test/export-readers.js';

const DATE = new Date('2024-05-01T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'labelkit-mltable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reader = memoryReader({
  name: 'Boxes',
  kind: 'image-object-detection',
  labels: LABELS,
  items: Array.from({ length: 20 }, (_, i) => ({ path: `d/${i}.jpg`, width: 100, height: 80, annotations: [{ kind: 'box' as const, label: 'l-cat', x: 10, y: 8, w: 30, h: 20 }] })),
});

// What Azure ML's AutoML-for-images documentation gives as the MLTable of an image JSONL file.
const EXPECTED = `$schema: https://azuremlschemas.azureedge.net/latest/MLTable.schema.json
type: mltable
paths:
  - file: ./Boxes_20240501_000000.jsonl
transformations:
  - read_json_lines:
      encoding: utf8
      invalid_lines: error
      include_path_column: false
  - convert_column_types:
      - columns: image_url
        column_type: stream_info
`;

describe('Azure ML dataset export (JSONL + MLTable)', () => {
  it('writes the JSONL export and the MLTable that reads it, in one folder', async () => {
    const out = exportAzureMlDataset(reader, { date: DATE });
    expect(exportKey(out)).toBe('Labeling/export/jsonl/Boxes_20240501_000000');
    const store = new MemoryStore();
    await writeFilesToStore(store, exportKey(out), out);
    const keys: string[] = [];
    for await (const e of store.list('Labeling/')) keys.push(e.key);
    expect(keys).toEqual(['Labeling/export/jsonl/Boxes_20240501_000000/Boxes_20240501_000000.jsonl', 'Labeling/export/jsonl/Boxes_20240501_000000/MLTable']);
    const table = text((await store.get(keys[1]))!.bytes);
    expect(table).toBe(EXPECTED);
    // The JSONL is byte for byte the single-file export, and the report is the export's.
    const jsonl = (await store.get(keys[0]))!.bytes;
    expect(Buffer.from(jsonl).equals(Buffer.from(await collectBytes(exportJsonl(reader, { date: DATE }))))).toBe(true);
    expect(out.report).toMatchObject({ images: 20, complete: true });
    for (const line of text(jsonl).trim().split('\n')) expect(JSON.parse(line)).toHaveProperty('image_url');
  });

  it('writes to a folder on disk (Node)', async () => {
    const out = exportAzureMlDataset(reader, { date: DATE });
    await writeExportFiles(out, join(dir, out.name));
    expect(readdirSync(join(dir, out.name)).sort()).toEqual(['Boxes_20240501_000000.jsonl', 'MLTable']);
    expect(readFileSync(join(dir, out.name, 'MLTable'), 'utf8')).toBe(EXPECTED);
  });

  it('names only plain relative files', () => {
    expect(azureMlTable('./a.jsonl')).toContain('  - file: ./a.jsonl\n');
    expect(() => azureMlTable('a\nb.jsonl')).toThrow(LabelkitError);
  });
});
