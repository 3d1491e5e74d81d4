import { mulberry32 } from '@labelkit/core';

export { mulberry32 };

/** `count` distinct indices in [0, n), in random order (partial Fisher–Yates). */
export function sampleIndices(n: number, count: number, rand: () => number): Int32Array {
  const m = Math.min(n, count);
  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, m);
}

/** Lets messages (an abort from the main thread) reach a worker between chunks of work. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
