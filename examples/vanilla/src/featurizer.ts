// The demo's own featurizer for ML assist: a small ONNX model the build writes with @labelkit/ml's
// protobuf writer (no download, no pretrained weights). Over the 28×28 grey digit it computes
//   • the digit at 7×7 (4×4 average pooling): the coarse shape, 49 values;
//   • 16 fixed random 5×5 filters (seeded, zero-mean) → ReLU → 4×4 average pooling of each map
//     ("random convolutional features"): where strokes of each orientation are, 16·7·7 = 784 values.
// Nothing is learned here: the assist loop trains a linear head on these features in the browser.
// It is a honest baseline, far weaker than a trained backbone (the build can use mnist.onnx instead).
import { mulberry32 } from '@labelkit/core';
import { buildModel } from '@labelkit/ml';

/** Input tensor name, output tensor name and the preprocessing the model expects. */
export const BUILTIN_FEATURIZER = {
  input: 'pixels',
  output: 'features',
  preprocess: { width: 28, height: 28, fit: 'resize' as const, channels: 'gray' as const, scale: 1 / 255 },
};

const FILTERS = 16;
const K = 5;

/** Zero-mean random filters (Gaussian by Box–Muller), each scaled to unit length. */
function randomFilters(seed: number, filters: number, k: number): Float32Array {
  const rand = mulberry32(seed);
  const w = new Float32Array(filters * k * k);
  for (let i = 0; i < w.length; i++) w[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  for (let f = 0; f < filters; f++) {
    const row = w.subarray(f * k * k, (f + 1) * k * k);
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    let norm = 0;
    for (let i = 0; i < row.length; i++) norm += (row[i] -= mean) ** 2;
    for (let i = 0; i < row.length; i++) row[i] /= Math.sqrt(norm) || 1;
  }
  return w;
}

/** The model's bytes, the same for the same seed. */
export function buildFeaturizerModel(seed = 28): Uint8Array {
  const weights = randomFilters(seed, FILTERS, K);
  return buildModel({
    opset: 13,
    inputs: [{ name: 'pixels', shape: ['n', 1, 28, 28] }],
    outputs: [{ name: 'features', shape: ['n', 49 + FILTERS * 49] }],
    initializers: [{ name: 'W', dims: [FILTERS, 1, K, K], data: weights }],
    nodes: [
      { op: 'AveragePool', inputs: ['pixels'], outputs: ['coarse'], attrs: { kernel_shape: [4, 4], strides: [4, 4] } },
      { op: 'Flatten', inputs: ['coarse'], outputs: ['coarse_flat'], attrs: { axis: 1 } },
      { op: 'Conv', inputs: ['pixels', 'W'], outputs: ['maps'], attrs: { kernel_shape: [K, K], pads: [2, 2, 2, 2] } },
      { op: 'Relu', inputs: ['maps'], outputs: ['act'] },
      { op: 'AveragePool', inputs: ['act'], outputs: ['pooled'], attrs: { kernel_shape: [4, 4], strides: [4, 4] } },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['pooled_flat'], attrs: { axis: 1 } },
      { op: 'Concat', inputs: ['coarse_flat', 'pooled_flat'], outputs: ['features'], attrs: { axis: 1 } },
    ],
  });
}
