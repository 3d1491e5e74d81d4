// The batch featurizer: an onnxruntime module run outside the browser fills the project's
// embeddings cache, and the labelers' AssistLoop then finds every row and featurizes nothing.
// Here the module is onnxruntime-web's WASM build in Node (onnxruntime-node has the same API; the
// benchmark runs it): 'cuda' fails to load and the next provider runs.
import { MemoryStore, ProjectRegistry } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { createAssistant } from '../src/assistant.js';
import { featurizeProject } from '../src/batch-featurize.js';
import { AssistLoop } from '../src/assist/loop.js';
import { MNIST_EMBEDDING, ORT_WASM_DIR, modelBytes } from './fixtures.js';
import { digitImage, loadDigits } from './mnist.js';
import { nodeDigitSource } from './mnist-node.js';
import { ort } from './ort-node.js';

describe('featurizeProject (batch, outside the browser)', () => {
  it('fills the cache AssistLoop reads, with the rows the assistant computes, on the first provider that loads', async () => {
    const digits = await loadDigits(nodeDigitSource, 40, { seed: 2 });
    const project = await new ProjectRegistry(new MemoryStore()).create(
      { name: 'batch', kind: 'image-classification-multiclass', labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], assist: { enabled: true } },
      { actor: { id: 'job', role: 'owner' } },
    );
    await project.addItems(digits.map((_, i) => ({ path: `d/${String(i).padStart(3, '0')}.png`, etag: `"${i}"` })));
    const featurizer = { source: modelBytes('mnist'), preprocess: { width: 28, height: 28, channels: 'gray' as const }, embedding: { tensor: MNIST_EMBEDDING } };
    const readImage = async (it: { path: string }) => digitImage(digits[Number(it.path.slice(2, 5))]!);
    const progress: number[] = [];
    const r = await featurizeProject(project, {
      ort,
      featurizer,
      readImage,
      executionProviders: ['cuda', 'wasm'],
      batch: 16,
      chunkSize: 16,
      onProgress: (p) => progress.push(p.done),
    });
    expect(r).toMatchObject({ featurized: 40, failed: [], device: 'wasm' });
    expect(progress).toEqual([16, 32, 40]);
    const run = project.runs.find((x) => x.kind === 'featurization')!;
    expect(run).toMatchObject({ status: 'completed', device: 'wasm' });
    expect(run.metrics).toMatchObject({ items: 40, dim: 256 });
    // Run again: nothing left to do.
    expect((await featurizeProject(project, { ort, featurizer, readImage, executionProviders: ['wasm'], chunkSize: 16 })).featurized).toBe(0);

    const assistant = createAssistant({ device: 'wasm', inProcess: true, wasmPaths: ORT_WASM_DIR, models: { featurizer } });
    const loop = new AssistLoop({ project, assistant, readImage, chunkSize: 16 });
    expect((await loop.featurize()).featurized).toBe(0);
    const own = await assistant.featurize(digits.slice(0, 5).map(digitImage));
    const cached = loop.cache.matrix([0, 1, 2, 3, 4]);
    for (let i = 0; i < cached.length; i++) expect(cached[i]).toBeCloseTo(own.embeddings.data[i]!, 3);
    await assistant.dispose();
  });

  it('names the providers that failed when none loads', async () => {
    const project = await new ProjectRegistry(new MemoryStore()).create(
      { name: 'none', kind: 'image-classification-multiclass', labels: ['a', 'b'] },
      { actor: { id: 'job', role: 'owner' } },
    );
    await expect(
      featurizeProject(project, {
        ort,
        featurizer: { source: modelBytes('mnist'), preprocess: { width: 28, height: 28, channels: 'gray' } },
        readImage: async () => ({ width: 1, height: 1, channels: 1, data: new Uint8Array(1) }),
        executionProviders: ['cuda'],
      }),
    ).rejects.toMatchObject({ code: 'E_MODEL' });
  });
});
