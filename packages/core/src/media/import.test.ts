// Core runs in Node and workers: importing @labelkit/core/media must touch no DOM global.
import { describe, expect, it } from 'vitest';

describe('importing @labelkit/core/media', () => {
  it('reads no DOM global and starts no worker', async () => {
    const touched: string[] = [];
    const names = ['window', 'document', 'navigator', 'Worker', 'createImageBitmap', 'OffscreenCanvas', 'ImageData', 'HTMLCanvasElement', 'self'];
    const saved = new Map<string, PropertyDescriptor | undefined>();
    for (const n of names) {
      saved.set(n, Object.getOwnPropertyDescriptor(globalThis, n));
      Object.defineProperty(globalThis, n, { configurable: true, get: () => (touched.push(n), undefined) });
    }
    try {
      const media = await import('./index.js');
      expect(typeof media.decodeImage).toBe('function');
      expect(typeof media.probeImage).toBe('function');
    } finally {
      for (const n of names) {
        const d = saved.get(n);
        if (d) Object.defineProperty(globalThis, n, d);
        else delete (globalThis as Record<string, unknown>)[n];
      }
    }
    expect(touched).toEqual([]);
  });
});
