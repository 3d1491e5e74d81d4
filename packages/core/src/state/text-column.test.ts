import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/prng.js';
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

describe('TextColumn.serialize', () => {
  /** Item by item, as the column reads (the reference the runs must match). */
  function reference(col: TextColumn, n: number): { bytes: Uint8Array; offsets: Uint32Array } {
    const enc = new TextEncoder();
    const offsets = new Uint32Array(n + 1);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = col.get(i);
      if (v !== undefined) {
        const b = enc.encode(v);
        parts.push(b);
        total += b.length;
      }
      offsets[i + 1] = total;
    }
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const b of parts) bytes.set(b, (o += b.length) - b.length);
    return { bytes, offsets };
  }

  it('equals the item-by-item arena for any base, overlay (set, cleared, past the base) and n', () => {
    const rand = mulberry32(21);
    for (let trial = 0; trial < 200; trial++) {
      const baseN = Math.floor(rand() * 40);
      const first = new TextColumn();
      for (let i = 0; i < baseN; i++) if (rand() < 0.5) first.set(i, `["v${i}${'é'.repeat(Math.floor(rand() * 3))}"]`);
      const { bytes, offsets } = first.serialize(baseN);
      const col = TextColumn.fromSerialized(bytes, offsets);
      const n = baseN + Math.floor(rand() * 10);
      for (let k = Math.floor(rand() * 12); k > 0; k--) {
        const i = Math.floor(rand() * (n + 3));
        col.set(i, rand() < 0.25 ? undefined : `{"x":${k},"t":"${'ü'.repeat(Math.floor(rand() * 4))}"}`);
      }
      for (const m of [n, Math.floor(rand() * (n + 1)), 0]) {
        const got = col.serialize(m);
        const want = reference(col, m);
        expect(Array.from(got.offsets), `trial ${trial} n ${m}`).toEqual(Array.from(want.offsets));
        expect(Array.from(got.bytes), `trial ${trial} n ${m}`).toEqual(Array.from(want.bytes));
      }
    }
  });
});
