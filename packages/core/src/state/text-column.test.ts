import { describe, expect, it } from 'vitest';
import type { Annotation } from '../types.js';
import { annotationsText, TextColumn } from './text-column.js';

describe('annotationsText', () => {
  it('is exactly what JSON.stringify writes, cached or not', () => {
    const cases: Annotation[][] = [
      [{ kind: 'class', label: 'cat' }],
      [{ kind: 'class', label: 'cat' }], // again: from the cache
      [{ label: 'cat', kind: 'class' } as Annotation], // other key order: not the cached text
      [{ kind: 'class', label: 'cat', confidence: 0.9 }],
      [{ kind: 'class', label: 'dög "quoted"' }],
      [
        { kind: 'class', label: 'a' },
        { kind: 'class', label: 'b' },
      ],
      [{ kind: 'box', label: 'cat', x: 1, y: 2, w: 3, h: 4 } as Annotation],
      [],
    ];
    for (const anns of cases) expect(annotationsText(anns)).toBe(JSON.stringify(anns));
  });

  it('shares one string per class tag in a column', () => {
    const col = new TextColumn();
    col.set(1, annotationsText([{ kind: 'class', label: 'cat' }]));
    col.set(2, annotationsText([{ kind: 'class', label: 'cat' }]));
    expect(col.get(1)).toBe(col.get(2));
    expect(JSON.parse(col.get(2)!)).toEqual([{ kind: 'class', label: 'cat' }]);
  });
});
