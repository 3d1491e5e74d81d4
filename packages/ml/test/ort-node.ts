// onnxruntime-web's WASM backend in Node, configured once for the tests.
import * as ort from 'onnxruntime-web/wasm';
import { ORT_WASM_DIR } from './fixtures.js';

ort.env.wasm.wasmPaths = ORT_WASM_DIR;
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

export { ort };

export async function runModel(
  bytes: Uint8Array,
  feeds: Record<string, { data: Float32Array; dims: number[] }>,
): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const input: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) input[k] = new ort.Tensor('float32', v.data, v.dims);
    const out = await session.run(input);
    const res: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const [k, v] of Object.entries(out)) res[k] = { data: v.data as Float32Array, dims: v.dims };
    return res;
  } finally {
    await session.release();
  }
}
