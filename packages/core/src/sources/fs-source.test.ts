import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsSource } from './fs-source.js';

const dir = mkdtempSync(join(tmpdir(), 'labelkit-fs-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FsSource', () => {
  it('lists a folder tree in name order with sizes, many files a folder included, and reads them', async () => {
    mkdirSync(join(dir, 'b/sub'), { recursive: true });
    for (let i = 0; i < 150; i++) writeFileSync(join(dir, 'b', `${String(i).padStart(3, '0')}.png`), Buffer.alloc(i + 1));
    writeFileSync(join(dir, 'b/sub/z.jpg'), 'zz');
    writeFileSync(join(dir, 'a.txt'), 'a');
    const refs = [];
    for await (const r of new FsSource(dir).list()) refs.push(r);
    expect(refs.map((r) => r.path)).toEqual(['a.txt', ...Array.from({ length: 150 }, (_, i) => `b/${String(i).padStart(3, '0')}.png`), 'b/sub/z.jpg']);
    expect(refs.slice(1, 151).every((r, i) => r.size === i + 1)).toBe(true);
    expect(new TextDecoder().decode(await new FsSource(dir).read('b/sub/z.jpg'))).toBe('zz');
  });
});
