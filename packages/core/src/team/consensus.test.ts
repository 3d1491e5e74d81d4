import { describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { regionIoU } from '../geometry.js';
import type { Annotation } from '../types.js';
import { agreesWith, cleanConsensus, decide, matchAnswers } from './consensus.js';

const tag = (label: string): Annotation => ({ kind: 'class', label });
const box = (label: string, x: number, y: number, w: number, h: number): Annotation => ({ kind: 'box', label, x, y, w, h });
const poly = (label: string, ...points: number[]): Annotation => ({ kind: 'polygon', label, points });

describe('regionIoU', () => {
  it('is exact for boxes and close for polygons', () => {
    expect(regionIoU(box('a', 0, 0, 10, 10), box('a', 5, 0, 10, 10))).toBeCloseTo(50 / 150, 10);
    expect(regionIoU(box('a', 0, 0, 10, 10), box('a', 20, 0, 10, 10))).toBe(0);
    // A square as a polygon against the same square shifted by half: 1/3.
    expect(regionIoU(poly('a', 0, 0, 10, 0, 10, 10, 0, 10), poly('a', 5, 0, 15, 0, 15, 10, 5, 10))).toBeCloseTo(1 / 3, 1);
    // A triangle inside its bounding box: 1/2.
    expect(regionIoU(poly('a', 0, 0, 10, 0, 0, 10), box('a', 0, 0, 10, 10))).toBeCloseTo(0.5, 1);
  });
});

describe('consensus', () => {
  it('matches answers one to one by label and IoU', () => {
    expect(matchAnswers([box('a', 0, 0, 10, 10), box('b', 50, 50, 10, 10)], [box('b', 51, 50, 10, 10), box('a', 1, 1, 10, 10)])).toEqual([1, 0]);
    expect(matchAnswers([box('a', 0, 0, 10, 10)], [box('b', 0, 0, 10, 10)])).toBeUndefined();
    expect(matchAnswers([box('a', 0, 0, 10, 10)], [box('a', 6, 0, 10, 10)])).toBeUndefined(); // IoU 0.25
    expect(matchAnswers([box('a', 0, 0, 10, 10)], [box('a', 6, 0, 10, 10)], 0.2)).toEqual([0]);
    expect(matchAnswers([tag('cat'), tag('dog')], [tag('dog'), tag('cat')])).toEqual([1, 0]);
  });

  it('decides classification by majority or by all', () => {
    const m = { labelers: 3, agreement: 'majority' } as const;
    expect(decide([[tag('cat')], [tag('cat')], [tag('dog')]], m)).toEqual({ agreed: true, final: [tag('cat')], agreeing: [true, true, false] });
    expect(decide([[tag('cat')], [tag('dog')], [tag('bird')]], m).agreed).toBe(false);
    expect(decide([[tag('cat')], [tag('cat')], [tag('dog')]], { labelers: 3, agreement: 'all' }).agreed).toBe(false);
    expect(decide([[tag('cat')], [tag('cat')]], { labelers: 2, agreement: 'majority' }).agreed).toBe(true);
    expect(decide([[tag('cat')], [tag('dog')]], { labelers: 2, agreement: 'majority' }).agreed).toBe(false);
  });

  it('averages the agreeing boxes into the final label', () => {
    const d = decide([[box('a', 10, 10, 20, 20)], [box('a', 12, 10, 20, 22)], [box('a', 200, 200, 5, 5)]], { labelers: 3, agreement: 'majority' });
    expect(d.agreed).toBe(true);
    expect(d.final).toEqual([box('a', 11, 10, 20, 21)]);
    expect(d.agreeing).toEqual([true, true, false]);
    expect(agreesWith([box('a', 200, 200, 5, 5)], d.final!)).toBe(false);
    expect(agreesWith([box('a', 10, 10, 20, 20)], d.final!)).toBe(true);
  });

  it('checks its setting', () => {
    expect(cleanConsensus({ labelers: 1, agreement: 'majority' })).toBeUndefined();
    expect(cleanConsensus({ labelers: 3, agreement: 'all', iou: 0.7 })).toEqual({ labelers: 3, agreement: 'all', iou: 0.7 });
    expect(() => cleanConsensus({ labelers: 0, agreement: 'all' })).toThrow(LabelkitError);
    expect(() => cleanConsensus({ labelers: 2, agreement: 'most' as never })).toThrow(LabelkitError);
  });
});
