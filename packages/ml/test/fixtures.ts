// Paths shared by the Node tests and benchmarks of @labelkit/ml.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fixture } from '../../../test/fixtures/paths.mjs';

const require = createRequire(import.meta.url);

export function modelBytes(name: 'mnist' | 'yolox_nano'): Uint8Array {
  return new Uint8Array(readFileSync(fixture('models', `${name}.onnx`)));
}

/**
 * onnxruntime-web's dist folder as a plain path: in Node, WASM threads only start when
 * `wasmPaths` is a file-system path (not a file: URL).
 */
export const ORT_WASM_DIR = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')) + '/';

/** The mnist.onnx tensor before the last MatMul: the flattened 256-wide feature vector. */
export const MNIST_EMBEDDING = 'Pooling160_Output_0_reshape0';
/** yolox_nano's last backbone stage (dark5): [1, 256, 13, 13] at 416². */
export const YOLOX_BACKBONE = '/backbone/backbone/dark5/dark5.2/conv3/act/Mul_output_0';
