// Decompression bombs in Node: small files whose headers promise a small image but whose data would
// inflate (or allocate) far more. Each must fail with a LabelkitError fast and in bounded memory.
import { constants, deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pngFile } from '../../../../examples/vanilla/scripts/png.mjs';
import { LabelkitError } from '../errors.js';
import { decodeImage } from './index.js';
import { pngDataSize } from './raster-js.js';

/**
 * A zlib stream of `repeats` × 16 MiB of zeros, about 16 KB per repeat: zlib's own deflate of 16 MiB of
 * zeros, ended with a sync flush (byte-aligned, not final), repeated, then a final empty block and the
 * Adler-32 of the whole output. 64 repeats: a ~1 MB file that inflates to 1 GiB.
 */
let piece: Buffer | undefined;
function zeroBomb(repeats: number): Uint8Array {
  piece ??= deflateRawSync(Buffer.alloc(16 << 20), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const total = repeats * (16 << 20);
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((total % 65521) << 16) | 1) >>> 0); // a = 1 (all zeros), b = total mod 65521
  return new Uint8Array(Buffer.concat([Buffer.from([0x78, 0xda]), ...Array(repeats).fill(piece), Buffer.from([0x03, 0x00]), adler]));
}

async function decodeMeasured(bytes: Uint8Array): Promise<{ error: unknown; ms: number; rssDeltaMB: number; peakDeltaMB: number }> {
  const rss0 = process.memoryUsage().rss;
  const peak0 = process.resourceUsage().maxRSS; // kilobytes, the process's high-water mark
  const t0 = performance.now();
  let error: unknown;
  try {
    await decodeImage(bytes, { hint: 'bomb.png' });
  } catch (err) {
    error = err;
  }
  const ms = performance.now() - t0;
  return {
    error,
    ms,
    rssDeltaMB: (process.memoryUsage().rss - rss0) / 2 ** 20,
    peakDeltaMB: (process.resourceUsage().maxRSS - peak0) / 1024,
  };
}

describe('PNG decompression bombs (Node decoder)', () => {
  it('the bomb is what it claims: ~1 MB that inflates to 1 GiB under a 100×100 header', () => {
    const z = zeroBomb(64);
    expect(z.length).toBeLessThan(1.2e6);
    expect(z.length).toBeGreaterThan(0.5e6);
    // zlib itself (which checks the Adler-32) agrees the stream is valid: one repeat is 16 MiB of zeros.
    const one = inflateSync(zeroBomb(1));
    expect(one.length).toBe(16 << 20);
    expect(one.every((v) => v === 0)).toBe(true);
  });

  it('a 100×100 RGBA header over 1 GiB of zeros fails fast with E_CORRUPT_IMAGE, in bounded memory', async () => {
    const bytes = pngFile(100, 100, zeroBomb(64));
    const r = await decodeMeasured(bytes);
    expect(LabelkitError.is(r.error, 'E_CORRUPT_IMAGE'), String(r.error)).toBe(true);
    expect((r.error as LabelkitError).message).toMatch(/more than the 40100 bytes its header allows/);
    expect(r.ms).toBeLessThan(1000); // was ~10 s
    expect(r.rssDeltaMB).toBeLessThan(64); // was ~1–2 GB
    expect(r.peakDeltaMB).toBeLessThan(64);
  });

  it('an interlaced header is held to its Adam7 size', async () => {
    // 100×100 RGBA, Adam7: passes of 13×13, 12×13, 25×12, 25×25, 50×25, 50×50, 100×50 pixels.
    expect(pngDataSize(100, 100, 32, true)).toBe(13 * 53 + 13 * 49 + 12 * 101 + 25 * 101 + 25 * 201 + 50 * 201 + 50 * 401);
    const r = await decodeMeasured(pngFile(100, 100, zeroBomb(64), { interlace: 1 }));
    expect(LabelkitError.is(r.error, 'E_CORRUPT_IMAGE'), String(r.error)).toBe(true);
    expect(r.ms).toBeLessThan(1000);
    expect(r.peakDeltaMB).toBeLessThan(64);
  });

  it('exactly the bytes the header allows still decode, and one byte short is E_CORRUPT_IMAGE', async () => {
    const w = 7;
    const h = 5;
    const raw = Buffer.alloc(h * (1 + w * 3));
    for (let y = 0; y < h; y++) for (let i = 0; i < w * 3; i++) raw[y * (1 + w * 3) + 1 + i] = (y * 40 + i * 7) & 255;
    const ok = await decodeImage(pngFile(w, h, deflateSync(raw), { colorType: 2 }));
    expect([ok.width, ok.height]).toEqual([w, h]);
    expect(Array.from(ok.rgba!.subarray(4 * (2 * w + 3), 4 * (2 * w + 3) + 4))).toEqual([(80 + 9 * 7) & 255, (80 + 10 * 7) & 255, (80 + 11 * 7) & 255, 255]);
    await expect(decodeImage(pngFile(w, h, deflateSync(raw.subarray(0, raw.length - 1)), { colorType: 2 }))).rejects.toMatchObject({ code: 'E_CORRUPT_IMAGE' });
    await expect(decodeImage(pngFile(w, h, deflateSync(Buffer.concat([raw, Buffer.alloc(1)])), { colorType: 2 }))).rejects.toMatchObject({ code: 'E_CORRUPT_IMAGE' });
  });

  it('the header guard still comes first: E_IMAGE_TOO_LARGE before any inflating', async () => {
    const r = await decodeMeasured(pngFile(100_000, 100_000, zeroBomb(1)));
    expect(LabelkitError.is(r.error, 'E_IMAGE_TOO_LARGE'), String(r.error)).toBe(true);
    expect(r.ms).toBeLessThan(1000);
  });
});

describe('BMP: no inflate stage, and a big header over a tiny file allocates nothing', () => {
  it('an 8000×8000 24-bit header (a 256 MB image) in a 1 KB file fails fast with E_CORRUPT_IMAGE', async () => {
    const b = Buffer.alloc(1024);
    b.write('BM', 0, 'latin1');
    b.writeUInt32LE(b.length, 2);
    b.writeUInt32LE(54, 10);
    b.writeUInt32LE(40, 14);
    b.writeInt32LE(8000, 18);
    b.writeInt32LE(8000, 22);
    b.writeUInt16LE(1, 26);
    b.writeUInt16LE(24, 28);
    const r = await decodeMeasured(new Uint8Array(b));
    expect(LabelkitError.is(r.error, 'E_CORRUPT_IMAGE'), String(r.error)).toBe(true);
    expect(r.ms).toBeLessThan(1000);
    expect(r.peakDeltaMB).toBeLessThan(64);
  });
});
