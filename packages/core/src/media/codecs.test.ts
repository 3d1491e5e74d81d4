import { describe, expect, it } from 'vitest';
import { decodeDicomRle } from './codecs/rle.js';
import { decodeTiffLzw } from './codecs/lzw.js';

/** A PackBits segment that literally copies its bytes. */
function literal(bytes: number[]): number[] {
  return [bytes.length - 1, ...bytes];
}

describe('DICOM RLE', () => {
  it('decodes runs and literals, MSB segment first, into little-endian samples', () => {
    const msb = [...literal([0x01, 0x02]), 0xff, 0x03]; // 01 02 03 03
    const lsb = [0xfd, 0x10]; // 10 10 10 10
    const header = new Uint8Array(64);
    const dv = new DataView(header.buffer);
    dv.setUint32(0, 2, true);
    dv.setUint32(4, 64, true);
    dv.setUint32(8, 64 + msb.length, true);
    const frame = new Uint8Array([...header, ...msb, ...lsb]);
    const out = decodeDicomRle(frame, 2, 2, 1, 2);
    expect(Array.from(new Uint16Array(out.buffer))).toEqual([0x0110, 0x0210, 0x0310, 0x0310]);
  });

  it('reports a short segment as corrupt instead of inventing pixels', () => {
    const header = new Uint8Array(64);
    new DataView(header.buffer).setUint32(0, 1, true);
    new DataView(header.buffer).setUint32(4, 64, true);
    expect(() => decodeDicomRle(new Uint8Array([...header, ...literal([1, 2])]), 2, 2, 1, 1)).toThrowError(/truncated/);
  });
});

/** A small LZW encoder (libtiff's rules) to check the decoder against: MSB-first codes with early change, or old-style LSB-first ones. */
function lzwEncode(data: number[], oldStyle = false): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let nbits = 0;
  let width = 9;
  const put = (code: number) => {
    if (oldStyle) {
      acc |= code << nbits;
      nbits += width;
      while (nbits >= 8) {
        out.push(acc & 255);
        acc >>>= 8;
        nbits -= 8;
      }
    } else {
      acc = ((acc << width) | code) & 0xffffff;
      nbits += width;
      while (nbits >= 8) {
        out.push((acc >>> (nbits - 8)) & 255);
        nbits -= 8;
      }
    }
  };
  let table = new Map<number, number>();
  let next = 258;
  put(256);
  let prefix = -1;
  for (const c of data) {
    if (prefix < 0) {
      prefix = c;
      continue;
    }
    const key = prefix * 256 + c;
    const hit = table.get(key);
    if (hit !== undefined) {
      prefix = hit;
      continue;
    }
    put(prefix);
    if (next >= 4093) {
      put(256);
      table = new Map();
      next = 258;
      width = 9;
    } else {
      table.set(key, next++);
      if (oldStyle ? next > 1 << width : next > (1 << width) - 1) width = Math.min(12, width + 1);
    }
    prefix = c;
  }
  if (prefix >= 0) put(prefix);
  put(257);
  if (nbits > 0) out.push(oldStyle ? acc & 255 : (acc << (8 - nbits)) & 255);
  return new Uint8Array(out);
}

describe('TIFF LZW (both flavours)', () => {
  const data = Array.from({ length: 20000 }, (_, i) => ((i * 7 + (i >> 5)) ^ (i >> 9)) & 255);
  for (const oldStyle of [false, true]) {
    it(`round-trips ${oldStyle ? 'old-style (LSB-first)' : 'TIFF 6 (MSB-first)'} codes`, () => {
      const enc = lzwEncode(data, oldStyle);
      const out = new Uint8Array(data.length);
      expect(decodeTiffLzw(enc, 0, enc.length, out, 0)).toBe(data.length);
      expect(Array.from(out)).toEqual(data);
    });
  }

  it('stops at garbage and never writes past its output', () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    const out = new Uint8Array(100);
    const n = decodeTiffLzw(garbage, 0, garbage.length, out, 0);
    expect(n).toBeLessThanOrEqual(4096 * 8);
  });
});
