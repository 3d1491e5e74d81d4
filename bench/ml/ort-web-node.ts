// One onnxruntime-web configuration per process (its thread count is fixed once it starts):
// `tsx bench/ml/ort-web-node.ts <threads> <json-args>`. Prints one JSON line with the figures.
import { createAssistant } from '../../packages/ml/src/assistant.js';
import { ORT_WASM_DIR } from '../../packages/ml/test/fixtures.js';
import { loadCoco } from '../../packages/ml/test/coco.js';
import { digitImage, loadDigits } from '../../packages/ml/test/mnist.js';
import { nodeDigitSource } from '../../packages/ml/test/mnist-node.js';
import { featurizer, type ModelName } from './shared.js';

const threads = Number(process.argv[2]);
const args = JSON.parse(process.argv[3]) as { images: Record<ModelName, number> };
const out: Record<string, unknown> = { threads };

for (const name of ['mnist', 'yolox'] as const) {
  const a = createAssistant({ device: 'wasm', inProcess: true, threads, wasmPaths: ORT_WASM_DIR, models: { featurizer: featurizer(name) } });
  const n = args.images[name];
  const make = async () => {
    if (name === 'mnist') return (await loadDigits(nodeDigitSource, n, { seed: 3 })).map(digitImage);
    const coco = await loadCoco();
    return Array.from({ length: n }, (_, i) => ({ width: coco[i % 4].width, height: coco[i % 4].height, data: coco[i % 4].data.slice() }));
  };
  await a.featurize((await make()).slice(0, 3)); // session + warm-up
  const r = await a.featurize(await make());
  const images = r.embeddings.rows - r.failed.length;
  const total = r.run.timings.decode + r.run.timings.preprocess + r.run.timings.inference;
  out[name] = { images, dim: r.embeddings.cols, inferenceMs: r.run.timings.inference / images, totalMs: total / images, perSecond: (1000 * images) / total };
  await a.dispose();
}

console.log(JSON.stringify(out));
process.exit(0);
