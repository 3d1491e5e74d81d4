import { mulberry32 } from '../src/numerics/random.js';

/** n points around k well-separated random centers in d dimensions; truth = generating center. */
export function blobs(n: number, d: number, k: number, seed: number, spread = 0.3) {
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const centers = new Float32Array(k * d).map(() => gauss() * 3);
  const x = new Float32Array(n * d);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * k);
    truth[i] = c;
    for (let p = 0; p < d; p++) x[i * d + p] = centers[c * d + p] + gauss() * spread;
  }
  return { x, truth, centers };
}
