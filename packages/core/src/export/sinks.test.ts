import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory-store.js';
import { FaultyStore } from '../../test/faulty-store.js';
import type { PutOptions } from '../store/store.js';
import { collectBytes, exportCoco, exportJsonl, exportKey, exportYolo, toBlob, toReadableStream, writeFilesToStore, writeToStore, zipFiles, type StreamingStore } from './index.js';
import { writeExportFile, writeExportFiles } from './node.js';
import { LABELS, memoryReader, text } from '../../test/export-readers.js';

const DATE = new Date('2024-05-01T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'labelkit-sinks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reader = memoryReader({
  name: 'Sinks',
  kind: 'image-object-detection',
  labels: LABELS,
  items: Array.from({ length: 5000 }, (_, i) => ({ path: `d/${i}.jpg`, width: 100, height: 100, annotations: [{ kind: 'box' as const, label: 'l-cat', x: 1, y: 2, w: 3, h: 4 }] })),
});

describe('toReadableStream / toBlob', () => {
  it('gives the same bytes, pulled on demand', async () => {
    const expected = await collectBytes(exportCoco(reader, { date: DATE }));
    const body = toReadableStream(exportCoco(reader, { date: DATE }));
    const got = new Uint8Array(await new Response(body).arrayBuffer());
    expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true);
    const blob = await toBlob(exportCoco(reader, { date: DATE }));
    expect(blob.type).toBe('application/json');
    expect(blob.size).toBe(expected.byteLength);
  });

  it('cancelling the stream stops the export', async () => {
    const out = exportCoco(reader, { date: DATE });
    const stream = toReadableStream(out);
    const r = stream.getReader();
    await r.read();
    await r.cancel('user closed the dialog');
    expect(out.report.complete).toBe(false);
    expect(out.report.images).toBeLessThan(5000);
  });
});

describe('exportKey', () => {
  it('puts exports under Labeling/export/<format>/', () => {
    expect(exportKey(exportCoco(reader, { date: DATE }))).toBe('Labeling/export/coco/Sinks_20240501_000000.json');
    expect(exportKey(exportJsonl(reader, { date: DATE }))).toBe('Labeling/export/jsonl/Sinks_20240501_000000.jsonl');
    expect(exportKey(exportYolo(reader, { date: DATE }))).toBe('Labeling/export/yolo/Sinks_20240501_000000');
    expect(exportKey(zipFiles(exportYolo(reader, { date: DATE })))).toBe('Labeling/export/yolo/Sinks_20240501_000000.zip');
    expect(exportKey(exportCoco(reader, { date: DATE }), 'team/exports/')).toBe('team/exports/coco/Sinks_20240501_000000.json');
  });
});

describe('writeToStore', () => {
  it('writes create-only to the key, and refuses to overwrite unless asked', async () => {
    const store = new MemoryStore();
    const out = exportCoco(reader, { date: DATE });
    const key = exportKey(out);
    const { bytes, etag } = await writeToStore(store, key, out);
    expect(etag).toBeTruthy();
    const stored = await store.get(key);
    expect(text(stored!.bytes)).toBe(text(await collectBytes(exportCoco(reader, { date: DATE }))));
    expect(bytes).toBe(stored!.bytes.byteLength);
    await expect(writeToStore(store, key, exportCoco(reader, { date: DATE }))).rejects.toMatchObject({ code: 'E_CONFLICT' });
    await expect(writeToStore(store, key, exportCoco(reader, { date: DATE }), { overwrite: true })).resolves.toMatchObject({ key });
  });

  it('fails with E_CAPACITY past maxBytes on stores that take whole objects', async () => {
    const store = new MemoryStore();
    await expect(writeToStore(store, 'k', exportCoco(reader), { maxBytes: 10_000 })).rejects.toMatchObject({ code: 'E_CAPACITY' });
    expect(await store.get('k')).toBeUndefined();
  });

  it('streams to stores that have putStream, without gathering the export', async () => {
    const chunks: number[] = [];
    const inner = new MemoryStore();
    const streaming: StreamingStore = Object.assign(Object.create(inner) as MemoryStore, {
      async putStream(key: string, source: AsyncIterable<Uint8Array>, options?: PutOptions) {
        const parts: Uint8Array[] = [];
        for await (const c of source) {
          chunks.push(c.byteLength);
          parts.push(c);
        }
        return inner.put(
          key,
          await collectBytes(
            (async function* () {
              yield* parts;
            })(),
          ),
          options,
        );
      },
    });
    const res = await writeToStore(streaming, 'big.json', exportCoco(reader), { maxBytes: 10 });
    expect(chunks.length).toBeGreaterThan(3);
    expect(res.bytes).toBe(chunks.reduce((a, b) => a + b, 0));
  });

  it('turns store failures into E_STORE_WRITE with the key', async () => {
    const store = new FaultyStore(new MemoryStore());
    store.failPut = () => new Error('disk full');
    await expect(writeToStore(store, 'x.json', exportCoco(reader))).rejects.toMatchObject({ code: 'E_STORE_WRITE', details: { key: 'x.json' } });
  });
});

describe('writeFilesToStore', () => {
  it('writes one object per file under the prefix', async () => {
    const store = new MemoryStore();
    const files = exportYolo(reader, { date: DATE });
    const prefix = exportKey(files);
    const res = await writeFilesToStore(store, prefix, files, { concurrency: 8 });
    expect(res).toMatchObject({ prefix, files: 5001 });
    expect(text((await store.get(`${prefix}/labels/d/42.txt`))!.bytes)).toBe('0 0.025000 0.040000 0.030000 0.040000\n');
    expect(text((await store.get(`${prefix}/data.yaml`))!.bytes)).toMatch(/names:/);
  });

  it('reports how far it got when a put fails', async () => {
    const store = new FaultyStore(new MemoryStore());
    store.failPut = (key) => (key.endsWith('/labels/d/100.txt') ? new Error('503') : undefined);
    const err = await writeFilesToStore(store, 'p', exportYolo(reader), { concurrency: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_STORE_WRITE' });
    expect((err as { details: { written: string[] } }).details.written).toContain('p/labels/d/99.txt');
  });
});

describe('Node files', () => {
  it('writes an export to a file via a .partial file, and never overwrites by default', async () => {
    const path = join(dir, 'out', 'coco.json');
    const res = await writeExportFile(exportCoco(reader, { date: DATE }), path);
    expect(readFileSync(path, 'utf8')).toBe(text(await collectBytes(exportCoco(reader, { date: DATE }))));
    expect(res.bytes).toBe(readFileSync(path).byteLength);
    expect(existsSync(`${path}.partial`)).toBe(false);
    await expect(writeExportFile(exportCoco(reader), path)).rejects.toMatchObject({ code: 'E_CONFLICT' });
    await expect(writeExportFile(exportCoco(reader), path, { overwrite: true })).resolves.toMatchObject({ path });
  });

  it('leaves nothing behind when cancelled', async () => {
    const path = join(dir, 'cancelled.json');
    const controller = new AbortController();
    const out = exportCoco(reader, { signal: controller.signal, onProgress: (p) => p.done >= 2000 && controller.abort(), progressEvery: 1000 });
    await expect(writeExportFile(out, path)).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.partial`)).toBe(false);
  });

  it('keeps an existing file when an export into it fails', async () => {
    const path = join(dir, 'keep.json');
    writeFileSync(path, 'previous');
    const controller = new AbortController();
    controller.abort();
    await expect(writeExportFile(exportCoco(reader, { signal: controller.signal }), path, { overwrite: true })).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(readFileSync(path, 'utf8')).toBe('previous');
  });

  it('writes multi-file exports under a folder and refuses paths that leave it', async () => {
    const target = join(dir, 'yolo');
    const res = await writeExportFiles(exportYolo(reader), target);
    expect(res.files).toBe(5001);
    expect(readdirSync(join(target, 'labels', 'd'))).toHaveLength(5000);
    await expect(writeExportFiles([{ path: '../escape.txt', chunks: [] }] as never, target)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(writeExportFiles(exportYolo(reader), target)).rejects.toMatchObject({ code: 'E_CONFLICT' });
  });
});
