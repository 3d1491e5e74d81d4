// Inputs shared by the ML benchmark's processes: the featurizer specs and the k-means data.
import { mulberry32 } from '../../packages/ml/src/numerics/random.js';
import type { FeaturizerSpec } from '../../packages/ml/src/engine/specs.js';
import { MNIST_EMBEDDING, YOLOX_BACKBONE, modelBytes } from '../../packages/ml/test/fixtures.js';

export type ModelName = 'yolox' | 'mnist';

export function featurizer(name: ModelName): FeaturizerSpec {
  return name === 'yolox'
    ? { source: modelBytes('yolox_nano'), preprocess: { width: 416, height: 416, fit: 'letterbox', pad: 114, channels: 'bgr' }, embedding: { tensor: YOLOX_BACKBONE, pool: 'avg' } }
    : { source: modelBytes('mnist'), preprocess: { width: 28, height: 28, channels: 'gray' }, embedding: { tensor: MNIST_EMBEDDING } };
}

/** n×d rows around k Gaussian centers (seeded), as embeddings of a real project would cluster. */
export function kmeansData(n: number, d: number, k: number, seed = 2024): Float32Array {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const centers = new Float32Array(k * d).map(() => gauss() * 2);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * k);
    for (let p = 0; p < d; p++) x[i * d + p] = centers[c * d + p] + gauss() * 3;
  }
  return x;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}
