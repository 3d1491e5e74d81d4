import { crc32 as zlibCrc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from './prng.js';
import { crc32, useNativeCrc32 } from './crc32.js';

describe('crc32', () => {
  afterEach(() => useNativeCrc32(undefined));

  it('the JavaScript slicing-by-8 CRC (by 32-bit words from 256 bytes) equals zlib’s on every length and offset', () => {
    const rand = mulberry32(9);
    const bytes = Uint8Array.from({ length: 70_001 }, () => Math.floor(rand() * 256));
    for (const [start, end] of [
      [0, 0],
      [0, 1],
      [3, 11],
      [1, 4096],
      [7, 70_001],
      [0, 70_001],
      [5000, 9001],
    ] as const) {
      expect(crc32(bytes, start, end)).toBe(zlibCrc32(bytes.subarray(start, end)));
    }
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    // Views that start anywhere in their buffer, around the length where 32-bit loads take over.
    for (const skew of [1, 2, 3, 5]) {
      const view = bytes.subarray(skew, skew + 5000);
      for (const [start, end] of [
        [0, 255],
        [0, 256],
        [1, 258],
        [2, 263],
        [3, 5000],
      ] as const) {
        expect(crc32(view, start, end)).toBe(zlibCrc32(view.subarray(start, end)));
      }
    }
  });

  it('a registered native CRC gives the same results, whole or in part', () => {
    const rand = mulberry32(4);
    const bytes = Uint8Array.from({ length: 50_000 }, () => Math.floor(rand() * 256));
    const js = [crc32(bytes), crc32(bytes, 17, 40_000), crc32(bytes, 0, 100)];
    let calls = 0;
    useNativeCrc32((b) => (calls++, zlibCrc32(b)));
    expect([crc32(bytes), crc32(bytes, 17, 40_000), crc32(bytes, 0, 100)]).toEqual(js);
    expect(calls).toBe(2); // short ranges stay in JavaScript
  });

  it('continues from the CRC of the bytes before (prev): pieces give the whole input’s CRC, with or without a native one', () => {
    const rand = mulberry32(12);
    const bytes = Uint8Array.from({ length: 300_001 }, () => Math.floor(rand() * 256));
    const whole = zlibCrc32(bytes);
    for (const cuts of [
      [0, 300_001],
      [0, 1, 300_001],
      [0, 3, 65_536, 65_541, 300_001],
      [0, 100_000, 200_000, 299_999, 300_001],
    ]) {
      for (const nat of [false, true]) {
        useNativeCrc32(nat ? (b) => zlibCrc32(b) : undefined);
        let c = 0;
        for (let k = 1; k < cuts.length; k++) c = crc32(bytes, cuts[k - 1]!, cuts[k]!, c);
        expect(c, `${cuts.join('/')} native ${nat}`).toBe(whole);
      }
    }
  });
});
