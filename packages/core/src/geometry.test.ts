import { describe, expect, it } from 'vitest';
import { validateAnnotations } from './annotations.js';
import { MIN_REGION_AREA, boxHasArea, clipBox, clipPolygon, polygonArea, polygonBounds, polygonHasArea, regionBounds, regionProblem } from './geometry.js';
import type { Annotation } from './types.js';

const labels = [{ id: 'cat', name: 'cat', color: '#f00' }];

describe('the one "has area" rule', () => {
  it('is one square image pixel, for boxes and polygons alike', () => {
    expect(MIN_REGION_AREA).toBe(1);
    expect(boxHasArea(1, 1)).toBe(true);
    expect(boxHasArea(0.5, 2)).toBe(true);
    expect(boxHasArea(0.5, 1.9)).toBe(false);
    expect(boxHasArea(-2, -2)).toBe(false);
    expect(boxHasArea(NaN, 5)).toBe(false);
    expect(polygonHasArea([0, 0, 2, 0, 0, 1])).toBe(true); // exactly 1 px²
    expect(polygonHasArea([0, 0, 1, 0, 0, 1])).toBe(false); // 0.5 px²
    expect(polygonHasArea([1, 0, 0, 1247, 1, 0, 0, 458])).toBe(false); // on a line, whatever the rounding noise
  });

  it('is what submit validation applies', () => {
    const ok = (a: Annotation, kind: 'image-object-detection' | 'image-instance-segmentation') => () => validateAnnotations(kind, labels, [a], { width: 100, height: 80 });
    expect(ok({ kind: 'box', label: 'cat', x: 1, y: 1, w: 1, h: 1 }, 'image-object-detection')).not.toThrow();
    expect(ok({ kind: 'box', label: 'cat', x: 1, y: 1, w: 0.9, h: 1 }, 'image-object-detection')).toThrow(/encloses 0.9 px²; a region needs at least 1 px²/);
    expect(ok({ kind: 'polygon', label: 'cat', points: [0, 0, 2, 0, 0, 1] }, 'image-instance-segmentation')).not.toThrow();
    expect(ok({ kind: 'polygon', label: 'cat', points: [0, 0, 1, 0, 0, 1] }, 'image-instance-segmentation')).toThrow(/encloses 0.5 px²/);
    expect(ok({ kind: 'polygon', label: 'cat', points: [0, 0, 200, 0, 0, 10] }, 'image-instance-segmentation')).toThrow(/point \(200, 0\) is outside the 100×80 image/);
  });
});

describe('regionProblem', () => {
  it('names the first problem of a region, and passes class tags', () => {
    expect(regionProblem({ kind: 'box', label: 'x', x: 0, y: 0, w: Infinity, h: 1 })).toBe('box coordinates must be finite numbers.');
    expect(regionProblem({ kind: 'box', label: 'x', x: 0, y: 0, w: 0, h: 5 })).toMatch(/positive width and height \(got 0×5\)/);
    expect(regionProblem({ kind: 'polygon', label: 'x', points: [0, 0, 1] })).toMatch(/flat/);
    expect(regionProblem({ kind: 'polygon', label: 'x', points: [0, 0, 5, 5, 0, 0, 5, 5] })).toBe('a polygon needs at least 3 distinct points (got 2).');
    expect(regionProblem({ kind: 'box', label: 'x', x: -1, y: 0, w: 5, h: 5 }, { width: 10, height: 10 })).toBe('point (-1, 0) is outside the 10×10 image.');
    expect(regionProblem({ kind: 'box', label: 'x', x: -1, y: 0, w: 5, h: 5 })).toBeUndefined(); // size unknown: not checked
    expect(regionProblem({ kind: 'class', label: 'x' })).toBeUndefined();
  });
});

describe('clipping to the image', () => {
  it('clamps box corners and polygon vertices, and says whether anything changed', () => {
    expect(clipBox(-5, 10, 20, 100, 100, 80)).toEqual({ x0: 0, y0: 10, x1: 15, y1: 80, clipped: true });
    expect(clipBox(5, 10, -2, 3, 100, 80)).toEqual({ x0: 3, y0: 10, x1: 5, y1: 13, clipped: false });
    expect(clipBox(0.004, 0, 10, 10, 100, 80, 2)).toEqual({ x0: 0, y0: 0, x1: 10, y1: 10, clipped: false }); // rounded first
    expect(clipBox(NaN, 0, 1, 1, 10, 10)).toBeUndefined();
    expect(clipPolygon([-20, -5, 130, 10, 60, 95], 100, 80)).toEqual({ points: [0, 0, 100, 10, 60, 80], clipped: true });
    expect(clipPolygon([1, 2, 3, 4, 5, 7], undefined, undefined)).toEqual({ points: [1, 2, 3, 4, 5, 7], clipped: false });
    expect(clipPolygon([1, 2, 3, 4], 10, 10)).toBeUndefined();
    // entirely outside: collapses onto the border, with no area left
    expect(polygonArea(clipPolygon([150, 10, 200, 10, 180, 60], 100, 80)!.points)).toBe(0);
  });

  it('bounds of boxes (either direction) and polygons', () => {
    expect(polygonBounds([3, 4, -1, 9, 2, 2])).toEqual({ x0: -1, y0: 2, x1: 3, y1: 9 });
    expect(regionBounds({ kind: 'box', label: 'x', x: 10, y: 10, w: -4, h: 2 })).toEqual({ x0: 6, y0: 10, x1: 10, y1: 12 });
    expect(regionBounds({ kind: 'class', label: 'x' })).toBeUndefined();
  });
});
