// The k-means distance step on onnxruntime-web: a four-node graph built here (Gemm → ArgMin /
// ReduceMin), run on the WASM backend (SIMD, and threads when the page is cross-origin isolated)
// or on WebGPU. ORT's GEMM is several times faster than any loop JavaScript can express.
import { LabelkitError } from '@labelkit/core';
import type * as Ort from 'onnxruntime-web';
import { ElemType, buildModel } from '../onnx/model.js';
import type { AssignKernel } from './assign.js';

/** Both graphs' inputs: the rows X, the centres C and their squared norms CN. */
const DISTANCE_INPUTS = [
  { name: 'X', shape: ['n', 'd'] },
  { name: 'C', shape: ['k', 'd'] },
  { name: 'CN', shape: ['k'] },
];

/** The graph: S = CN − 2·X·Cᵀ (Gemm, alpha −2, transB); index = ArgMin(S, 1); score = ReduceMin(S, 1). */
export function assignGraph(): Uint8Array {
  return buildModel({
    opset: 13,
    inputs: DISTANCE_INPUTS,
    outputs: [
      { name: 'index', elemType: ElemType.INT32, shape: ['n'] },
      { name: 'score', shape: ['n'] },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['X', 'C', 'CN'], outputs: ['S'], attrs: { transB: 1 }, floatAttrs: { alpha: -2, beta: 1 } },
      { op: 'ArgMin', inputs: ['S'], outputs: ['index64'], attrs: { axis: 1, keepdims: 0 } },
      { op: 'Cast', inputs: ['index64'], outputs: ['index'], attrs: { to: ElemType.INT32 } },
      { op: 'ReduceMin', inputs: ['S'], outputs: ['score'], attrs: { axes: [1], keepdims: 0 } },
    ],
  });
}

/** The score matrix alone: S = CN − 2·X·Cᵀ (for k-means with bounds, which needs the two nearest). */
export function scoresGraph(): Uint8Array {
  return buildModel({
    opset: 13,
    inputs: DISTANCE_INPUTS,
    outputs: [{ name: 'S', shape: ['n', 'k'] }],
    nodes: [{ op: 'Gemm', inputs: ['X', 'C', 'CN'], outputs: ['S'], attrs: { transB: 1 }, floatAttrs: { alpha: -2, beta: 1 } }],
  });
}

/** An assign kernel backed by an ORT session on `executionProvider` ('wasm' or 'webgpu'). */
export async function createOrtAssignKernel(ort: typeof Ort, executionProvider: 'wasm' | 'webgpu'): Promise<AssignKernel> {
  const options = { executionProviders: [executionProvider], graphOptimizationLevel: 'all' } as const;
  const session = await ort.InferenceSession.create(assignGraph(), options);
  const scoring = await ort.InferenceSession.create(scoresGraph(), options);
  return {
    name: executionProvider,
    async scores(x, n, d, centers, k, centerNorms, out) {
      const res = await scoring.run({
        X: new ort.Tensor('float32', x.length === n * d ? x : x.subarray(0, n * d), [n, d]),
        C: new ort.Tensor('float32', centers.length === k * d ? centers : centers.subarray(0, k * d), [k, d]),
        CN: new ort.Tensor('float32', centerNorms.length === k ? centerNorms : centerNorms.subarray(0, k), [k]),
      });
      out.set((res.S!.data as Float32Array).subarray(0, n * k));
      res.S!.dispose();
    },
    async assign(x, n, d, centers, k, centerNorms, outIndex, outScore) {
      const feeds = {
        X: new ort.Tensor('float32', x.length === n * d ? x : x.subarray(0, n * d), [n, d]),
        C: new ort.Tensor('float32', centers.length === k * d ? centers : centers.subarray(0, k * d), [k, d]),
        CN: new ort.Tensor('float32', centerNorms.length === k ? centerNorms : centerNorms.subarray(0, k), [k]),
      };
      const { index, score } = await session.run(feeds);
      if (!index || !score) throw new LabelkitError('E_MODEL', 'The k-means distance graph returned no index or score output.');
      outIndex.set((index.data as Int32Array).subarray(0, n));
      outScore.set((score.data as Float32Array).subarray(0, n));
      index.dispose();
      score.dispose();
    },
    dispose: async () => {
      await session.release();
      await scoring.release();
    },
  };
}
