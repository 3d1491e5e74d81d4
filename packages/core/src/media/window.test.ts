import { describe, expect, it } from 'vitest';
import { dragWindow, minMaxWindow, percentileWindow, renderWindow, windowFromRange, windowPresets, windowValue, WindowLeveler, type RawGrey } from './index.js';

function raster(values: number[], extra: Partial<RawGrey> = {}): RawGrey {
  const data = Int16Array.from(values);
  return {
    width: values.length,
    height: 1,
    data,
    min: Math.min(...values),
    max: Math.max(...values),
    slope: 1,
    intercept: 0,
    invert: false,
    bitsStored: 16,
    signed: true,
    ...extra,
  };
}

describe('window/level', () => {
  it('follows the DICOM linear VOI function', () => {
    // c = 40, w = 400 (a CT soft-tissue window): below -160 black, above 240 white.
    expect(windowValue(-1000, 40, 400)).toBe(0);
    expect(windowValue(-160, 40, 400)).toBe(0);
    expect(windowValue(240, 40, 400)).toBe(255);
    expect(windowValue(1000, 40, 400)).toBe(255);
    expect(windowValue(39.5, 40, 400)).toBe(128);
    // width 1: a threshold at the centre
    expect(windowValue(10, 10.5, 1)).toBe(0);
    expect(windowValue(11, 10.5, 1)).toBe(255);
  });

  it('maps [lo, hi] exactly onto 0..255 with windowFromRange', () => {
    const w = windowFromRange(-1024, 3071);
    expect(windowValue(-1024, w.center, w.width)).toBe(0);
    expect(windowValue(3071, w.center, w.width)).toBe(255);
    const full8 = windowFromRange(0, 255);
    for (const v of [0, 1, 17, 128, 254, 255]) expect(windowValue(v, full8.center, full8.width)).toBe(v);
  });

  it('applies rescale slope/intercept and MONOCHROME1 inversion', () => {
    const r = raster([0, 1000, 2000], { slope: 2, intercept: -1000 });
    expect(minMaxWindow(r)).toEqual(windowFromRange(-1000, 3000));
    const out = renderWindow(r, minMaxWindow(r));
    expect([out[0], out[4], out[8]]).toEqual([0, 128, 255]);
    const inv = renderWindow({ ...r, invert: true }, minMaxWindow(r));
    expect([inv[0], inv[4], inv[8], inv[3]]).toEqual([255, 127, 0, 255]);
  });

  it('finds percentile windows that ignore a few outliers', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 100 + (i % 100));
    values[0] = -30000;
    values[1] = 30000;
    const r = raster(values);
    const p = percentileWindow(r, 0.5, 99.5);
    expect(p.center - p.width / 2).toBeGreaterThanOrEqual(99);
    expect(p.center + p.width / 2).toBeLessThanOrEqual(201);
    expect(minMaxWindow(r).width).toBe(60001);
  });

  it('lists file windows first, then auto presets', () => {
    const presets = windowPresets(raster([0, 10]), [{ center: 40, width: 400, explanation: 'SOFT TISSUE' }]);
    expect(presets.map((p) => p.id)).toEqual(['dicom-0', 'auto-minmax', 'auto-p0.5-99.5', 'auto-p2-98']);
    expect(presets[0]).toEqual({ id: 'dicom-0', label: 'SOFT TISSUE (file)', window: { center: 40, width: 400 } });
  });

  it('drags: right widens, down raises the centre; never below width 1', () => {
    const r = raster([0, 5120]);
    expect(dragWindow({ center: 100, width: 200 }, 10, 0, r)).toEqual({ center: 100, width: 300 });
    expect(dragWindow({ center: 100, width: 200 }, 0, 10, r)).toEqual({ center: 200, width: 200 });
    expect(dragWindow({ center: 100, width: 200 }, -1000, 0, r).width).toBe(1);
  });

  it('WindowLeveler re-renders into one buffer and applies presets by id', () => {
    const r = raster([0, 50, 100]);
    const wl = new WindowLeveler(r);
    const a = wl.render();
    expect([a[0], a[4], a[8]]).toEqual([0, 128, 255]);
    wl.set({ center: 0.5, width: 1 });
    const b = wl.render();
    expect(b).toBe(a);
    expect([b[0], b[4], b[8]]).toEqual([0, 255, 255]);
    expect(wl.preset('auto-minmax')).toEqual(minMaxWindow(r));
    expect(() => wl.preset('nope')).toThrowError(/No window preset/);
  });

  it('uses the same values with and without the lookup table (wide 32-bit range)', () => {
    const wide: RawGrey = {
      width: 3,
      height: 1,
      data: Int32Array.from([-2_000_000, 0, 2_000_000]),
      min: -2_000_000,
      max: 2_000_000,
      slope: 1,
      intercept: 0,
      invert: false,
      bitsStored: 32,
      signed: true,
    };
    const out = renderWindow(wide, minMaxWindow(wide));
    expect([out[0], out[4], out[8]]).toEqual([0, 128, 255]);
  });
});
