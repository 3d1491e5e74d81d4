// The export module in a real browser: no Node built-ins, ReadableStream/Blob download, a zip whose
// deflated entries the browser's own DecompressionStream reads back, and JSONL import from a Blob.
import { expect } from '@esm-bundle/chai';
import { crc32, exportCoco, exportJsonl, exportYolo, importJsonl, toBlob, toReadableStream, validateCoco, zipFiles } from '@labelkit/core/export';
import { LABELS, memoryReader } from '../../test/export-readers.js';

// Mocha's globals, as web-test-runner provides them (the tools tsconfig types Node only).
declare const describe: (name: string, body: () => void) => void;
declare const it: (name: string, body: () => Promise<void> | void) => void;

const reader = memoryReader({
  name: 'Browser',
  kind: 'image-object-detection',
  labels: LABELS,
  items: Array.from({ length: 2000 }, (_, i) => ({
    path: `imgs/${i}.jpg`,
    width: 640,
    height: 480,
    annotations: Array.from({ length: 1 + (i % 30) }, (_, k) => ({ kind: 'box' as const, label: LABELS[k % 3].id, x: k, y: k, w: 20, h: 10 })),
  })),
});

describe('@labelkit/core/export in the browser', () => {
  it('streams COCO through a ReadableStream into a Response and a Blob', async () => {
    const body = toReadableStream(exportCoco(reader, { date: new Date('2024-05-01T00:00:00Z') }));
    const json = await new Response(body).json();
    expect(json.images).to.have.length(2000);
    expect(validateCoco(json).ok).to.equal(true);
    const blob = await toBlob(exportCoco(reader));
    expect(blob.type).to.equal('application/json');
    expect(blob.size).to.be.greaterThan(100_000);
    const url = URL.createObjectURL(blob);
    expect(url).to.match(/^blob:/);
    URL.revokeObjectURL(url);
  });

  it('zips a YOLO export with CompressionStream, and the entries inflate back', async () => {
    const expected = new Map<string, string>();
    for await (const e of exportYolo(reader)) {
      let s = '';
      for await (const c of e.chunks as AsyncIterable<Uint8Array>) s += new TextDecoder().decode(c);
      expected.set(e.path, s);
    }
    const zip = new Uint8Array(await (await toBlob(zipFiles(exportYolo(reader)))).arrayBuffer());
    const view = new DataView(zip.buffer);
    let at = 0;
    let count = 0;
    let deflated = 0;
    while (view.getUint32(at, true) === 0x04034b50) {
      const method = view.getUint16(at + 8, true);
      const crc = view.getUint32(at + 14, true);
      const csize = view.getUint32(at + 18, true);
      const nameLen = view.getUint16(at + 26, true);
      const extraLen = view.getUint16(at + 28, true);
      const name = new TextDecoder().decode(zip.subarray(at + 30, at + 30 + nameLen));
      const data = zip.subarray(at + 30 + nameLen + extraLen, at + 30 + nameLen + extraLen + csize);
      let raw = data;
      if (method === 8) {
        deflated++;
        const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
        raw = new Uint8Array(await new Response(stream).arrayBuffer());
      }
      expect(crc32(raw), name).to.equal(crc);
      expect(new TextDecoder().decode(raw), name).to.equal(expected.get(name));
      count++;
      at += 30 + nameLen + extraLen + csize;
    }
    expect(count).to.equal(2001);
    expect(deflated).to.be.greaterThan(100);
  });

  it('imports JSONL from a Blob', async () => {
    const blob = await toBlob(exportJsonl(reader));
    const result = await importJsonl(blob, { reader });
    expect(result.failed).to.deep.equal([]);
    expect(result.parsed).to.have.length(2000);
    expect(result.parsed[1999].annotations).to.have.length(1 + (1999 % 30));
  });
});
