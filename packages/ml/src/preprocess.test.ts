import { LabelkitError } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { preprocess } from './preprocess.js';

/** A w×h RGBA image whose pixel (x, y) is (x, y, 100, 255). */
function ramp(w: number, h: number) {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, 100, 255], (y * w + x) * 4);
  return { width: w, height: h, data };
}

describe('preprocess', () => {
  it('keeps pixels as they are at the same size, NCHW, RGB or BGR', () => {
    const img = ramp(4, 3);
    const rgb = preprocess(img, { width: 4, height: 3 }).data;
    expect(rgb.length).toBe(3 * 12);
    expect(rgb[0 * 12 + 1 * 4 + 2]).toBe(2); // R plane, (x=2, y=1)
    expect(rgb[1 * 12 + 1 * 4 + 2]).toBe(1); // G plane
    expect(rgb[2 * 12 + 5]).toBe(100); // B plane
    const bgr = preprocess(img, { width: 4, height: 3, channels: 'bgr' }).data;
    expect(bgr[0 * 12 + 5]).toBe(100);
    expect(bgr[2 * 12 + 1 * 4 + 2]).toBe(2);
  });

  it('applies scale, mean and std per channel, and NHWC layout', () => {
    const img = ramp(2, 2);
    const t = preprocess(img, { width: 2, height: 2, scale: 1 / 255, mean: [0.5, 0, 0], std: [0.5, 1, 2], layout: 'NHWC' }).data;
    // pixel (1, 1): R = 1, G = 1, B = 100
    expect(t[(1 * 2 + 1) * 3 + 0]).toBeCloseTo((1 / 255 - 0.5) / 0.5, 6);
    expect(t[(1 * 2 + 1) * 3 + 2]).toBeCloseTo(100 / 255 / 2, 6);
  });

  it('letterboxes to the top-left with the pad value and reports the ratio (YOLOX)', () => {
    const img = ramp(200, 100);
    const { data, placement } = preprocess(img, { width: 100, height: 100, fit: 'letterbox', pad: 114, channels: 'bgr' });
    expect(placement.ratioX).toBe(0.5);
    expect(placement.ratioY).toBe(0.5);
    // Below the image (rows 50..99) is padding in every channel.
    expect(data[0 * 10000 + 75 * 100 + 10]).toBe(114);
    expect(data[2 * 10000 + 99 * 100 + 99]).toBe(114);
    // Inside: shrunk 2× by box filtering — pixel (10, 10) averages source x 20..21 → 20.5.
    expect(data[2 * 10000 + 10 * 100 + 10]).toBeCloseTo(20.5, 5); // BGR: plane 2 is R
    expect(data[0 * 10000 + 10 * 100 + 10]).toBe(100);
  });

  it('resizes up bilinearly and turns colour into luma for grey models', () => {
    const img = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 255, 255, 255, 255]) };
    const t = preprocess(img, { width: 4, height: 1, channels: 'gray' }).data;
    expect(t.length).toBe(4);
    expect(t[0]).toBe(0);
    expect(t[3]).toBeCloseTo(255, 3);
    expect(t[1]).toBeGreaterThan(0);
    expect(t[1]).toBeLessThan(t[2]);
  });

  it('reads one-channel grey input', () => {
    const grey = { width: 2, height: 2, data: new Uint8Array([0, 50, 100, 150]), channels: 1 as const };
    expect([...preprocess(grey, { width: 2, height: 2, channels: 'gray' }).data]).toEqual([0, 50, 100, 150]);
  });

  it('rejects a pixel buffer too small for its size with E_CORRUPT_IMAGE', () => {
    try {
      preprocess({ width: 10, height: 10, data: new Uint8Array(10) }, { width: 4, height: 4 });
      expect.unreachable();
    } catch (err) {
      expect(LabelkitError.is(err, 'E_CORRUPT_IMAGE')).toBe(true);
    }
  });
});
