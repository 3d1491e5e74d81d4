// The zip writer, checked by real unzippers: Info-ZIP's `unzip -t` and Python's zipfile.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectBytes, crc32, exportYolo, zipFiles, type ExportEntry } from './index.js';
import { LABELS, memoryReader } from '../../test/export-readers.js';

const dir = mkdtempSync(join(tmpdir(), 'labelkit-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const python = spawnSync('python3', ['--version'], { stdio: 'ignore' }).error === undefined;
const unzip = spawnSync('unzip', ['-v'], { stdio: 'ignore' }).error === undefined;

/** Lists a zip with Python's zipfile: [name, size, crc, method] per entry plus the test result. */
function pyList(file: string): { entries: [string, number, number, number][]; bad: string | null; sha: Record<string, string> } {
  const script = `
import zipfile, json, sys, hashlib
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
infos = z.infolist()
sha = {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in infos[:50]}
print(json.dumps({"entries": [[i.filename, i.file_size, i.CRC, i.compress_type] for i in infos], "bad": bad, "sha": sha}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, file], { maxBuffer: 1 << 28 }).toString());
}

describe('crc32', () => {
  it('matches zlib', async () => {
    const data = new TextEncoder().encode('The quick brown fox jumps over the lazy dog');
    expect(crc32(data)).toBe(0x414fa339);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const zlib = (await import('node:zlib')) as { crc32?: (d: Uint8Array) => number };
    if (zlib.crc32) {
      const random = new Uint8Array(100_000).map((_, i) => (i * 2654435761) >>> 24);
      expect(crc32(random)).toBe(zlib.crc32(random));
    }
  });
});

describe.skipIf(!python)('zipFiles', () => {
  it('zips a YOLO export that unzip and Python read back exactly', async () => {
    const reader = memoryReader({
      kind: 'image-object-detection',
      labels: LABELS,
      items: Array.from({ length: 300 }, (_, i) => ({
        path: `dir ${i % 3}/ïmg-${i}.jpg`,
        width: 640,
        height: 480,
        annotations: Array.from({ length: i % 40 }, (_, k) => ({ kind: 'box' as const, label: 'l-cat', x: k, y: k, w: 10, h: 10 })),
      })),
    });
    const zip = zipFiles(exportYolo(reader, { date: new Date('2024-05-01T10:20:30Z') }));
    expect(zip.fileName).toMatch(/^Test_project_20240501_102030\.zip$/);
    const bytes = await collectBytes(zip);
    expect(zip.report).toMatchObject({ format: 'zip', files: 301, images: 300, bytes: bytes.byteLength, complete: true });
    const file = join(dir, 'yolo.zip');
    writeFileSync(file, bytes);
    if (unzip) expect(execFileSync('unzip', ['-t', file]).toString()).toMatch(/No errors detected/);
    const listed = pyList(file);
    expect(listed.bad).toBeNull();
    expect(listed.entries).toHaveLength(301);
    expect(listed.entries[0][0]).toBe('data.yaml');
    expect(listed.entries[1][0]).toBe('labels/dir 0/ïmg-0.txt');
    const methods = new Set(listed.entries.map((e) => e[3]));
    expect(methods).toEqual(new Set([0, 8])); // small files stored, larger ones deflated

    // Same entries through the plain file path give the same bytes (sha of first 50).
    const again = exportYolo(reader, { date: new Date('2024-05-01T10:20:30Z') });
    const expected: Record<string, string> = {};
    const { createHash } = await import('node:crypto');
    let n = 0;
    for await (const e of again) {
      if (n++ >= 50) continue;
      const h = createHash('sha256');
      for await (const c of e.chunks as AsyncIterable<Uint8Array>) h.update(c);
      expected[e.path] = h.digest('hex');
    }
    expect(listed.sha).toEqual(expected);
  });

  it('writes ZIP64 records past 65,535 entries', async () => {
    const count = 70_000;
    async function* many(): AsyncGenerator<ExportEntry> {
      for (let i = 0; i < count; i++) yield { path: `f/${i}.txt`, chunks: [new TextEncoder().encode(`${i}\n`)] };
    }
    const bytes = await collectBytes(zipFiles(many(), { date: new Date('2024-01-01T00:00:00Z') }));
    const file = join(dir, 'many.zip');
    writeFileSync(file, bytes);
    const listed = pyList(file);
    expect(listed.bad).toBeNull();
    expect(listed.entries).toHaveLength(count);
    expect(listed.entries[count - 1]).toEqual([`f/${count - 1}.txt`, String(count - 1).length + 1, crc32(new TextEncoder().encode(`${count - 1}\n`)), 0]);
    if (unzip) expect(execFileSync('unzip', ['-t', '-qq', file]).toString()).toBe('');
  }, 120_000);

  it('refuses paths that leave the archive and duplicate paths', async () => {
    await expect(collectBytes(zipFiles([{ path: '../x', chunks: [] }]))).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    await expect(
      collectBytes(
        zipFiles([
          { path: 'a', chunks: [] },
          { path: 'a', chunks: [] },
        ]),
      ),
    ).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('stores everything with compression "store", and an empty archive is valid', async () => {
    const entries = [{ path: 'big.txt', chunks: [new TextEncoder().encode('x'.repeat(10_000))] }];
    const file = join(dir, 'store.zip');
    writeFileSync(file, await collectBytes(zipFiles(entries, { compression: 'store' })));
    expect(pyList(file).entries).toEqual([['big.txt', 10_000, crc32(new TextEncoder().encode('x'.repeat(10_000))), 0]]);
    const empty = join(dir, 'empty.zip');
    writeFileSync(empty, await collectBytes(zipFiles([])));
    expect(pyList(empty).entries).toEqual([]);
  });
});
