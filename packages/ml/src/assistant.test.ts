// The assistant in Node: the same engine the worker runs, in this thread (inProcess), on
// onnxruntime-web's WASM backend with the real mnist.onnx and yolox_nano.onnx.
import { LabelkitError } from '@labelkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCoco } from '../test/coco.js';
import { MNIST_EMBEDDING, ORT_WASM_DIR, modelBytes } from '../test/fixtures.js';
import { digitImage, loadDigits } from '../test/mnist.js';
import { nodeDigitSource } from '../test/mnist-node.js';
import { createAssistant } from './assistant.js';
import { isDicomBytes } from './engine/decode.js';

const mnistFeaturizer = {
  source: modelBytes('mnist'),
  preprocess: { width: 28, height: 28, channels: 'gray' as const },
  embedding: { tensor: MNIST_EMBEDDING },
};

describe('createAssistant (in-process, Node)', () => {
  const assistant = createAssistant({ device: 'auto', inProcess: true, wasmPaths: ORT_WASM_DIR, models: { featurizer: mnistFeaturizer } });
  afterAll(() => assistant.dispose());

  it('rejects an unknown device with the list of supported ones', () => {
    try {
      createAssistant({ device: 'cuda' as never, models: { featurizer: mnistFeaturizer } });
      expect.unreachable();
    } catch (err) {
      expect(LabelkitError.is(err, 'E_UNSUPPORTED_DEVICE')).toBe(true);
      expect((err as Error).message).toContain('auto, webgpu, wasm');
    }
  });

  it('auto falls back to WASM where there is no WebGPU; asking for WebGPU there is E_UNSUPPORTED_DEVICE', async () => {
    expect(await assistant.device()).toBe('wasm');
    expect((await assistant.info()).note).toMatch(/no WebGPU/);
    const gpu = createAssistant({ device: 'webgpu', inProcess: true, models: { featurizer: mnistFeaturizer } });
    await expect(gpu.device()).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_UNSUPPORTED_DEVICE'));
  });

  it('featurizes digits into 256-wide embeddings, records the run, and reports bad images as data', async () => {
    const digits = await loadDigits(nodeDigitSource, 6, { seed: 2 });
    const progress: number[] = [];
    const images = [...digits.map(digitImage), { width: 28, height: 28, data: new Uint8Array(5) }];
    const r = await assistant.featurize(images, { onProgress: (p) => progress.push(p.done) });
    expect(r.embeddings.rows).toBe(7);
    expect(r.embeddings.cols).toBe(256);
    expect(r.failed).toEqual([{ index: 6, code: 'E_CORRUPT_IMAGE', reason: expect.stringContaining('too small') }]);
    expect(Number.isNaN(r.embeddings.data[6 * 256])).toBe(true);
    expect(r.embeddings.data.subarray(0, 6 * 256).every(Number.isFinite)).toBe(true);
    expect(progress.at(-1)).toBe(7);
    expect(r.run).toMatchObject({ kind: 'featurization', status: 'completed', device: 'wasm', metrics: { images: 7, failed: 1, dim: 256, batch: 1 } });
    expect(r.run.timings.inference).toBeGreaterThan(0);
  });

  it('never featurizes DICOM bytes', async () => {
    const dicom = new Uint8Array(200);
    dicom.set([0x44, 0x49, 0x43, 0x4d], 128);
    expect(isDicomBytes(dicom)).toBe(true);
    const r = await assistant.featurize([{ bytes: dicom }]);
    expect(r.failed[0].code).toBe('E_UNSUPPORTED_FORMAT');
  });

  it('clusters, trains with validation, and predicts through the port', async () => {
    const digits = await loadDigits(nodeDigitSource, 200, { seed: 4 });
    const f = await assistant.featurize(digits.map(digitImage));
    const emb = f.embeddings;
    const c = await assistant.cluster({ ...emb, data: emb.data.slice() }, { k: 10, seed: 1 });
    expect(c.assignments.length).toBe(200);
    expect(c.run).toMatchObject({ kind: 'clustering', device: 'cpu', metrics: { k: 10, kernel: 'js' } });
    const targets = Int32Array.from(digits, (d) => d.label);
    const t = await assistant.train({ ...emb, data: emb.data.slice() }, { kind: 'multiclass', classes: 10, targets, minSupport: 10 });
    expect(t.training).toMatchObject({ kind: 'training', device: 'cpu' });
    expect(t.validation.kind).toBe('validation');
    // The threshold is chosen on 5-fold out-of-fold predictions over all 200 rows.
    expect(t.validation.metrics).toMatchObject({ method: '5-fold out-of-fold', calibrationRows: 200 });
    expect(t.validation.metrics.oofAccuracy).toBeGreaterThan(0.9);
    expect(t.validation.metrics.lowerBound).toBeGreaterThanOrEqual(0.95);
    expect(t.threshold).not.toBeNull();
    const p = await assistant.predict(t.head, { ...emb, data: emb.data.slice() });
    expect(p.probabilities.cols).toBe(10);
    expect(p.run.kind).toBe('inference');
  });

  it('a call whose signal fires rejects with E_ABORTED, and the assistant keeps working', async () => {
    const digits = await loadDigits(nodeDigitSource, 40, { seed: 5 });
    const ac = new AbortController();
    const run = assistant.featurize(digits.map(digitImage), { signal: ac.signal, onProgress: (p) => p.done >= 2 && ac.abort() });
    await expect(run).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_ABORTED'));
    await expect(assistant.featurize([digitImage(digits[0])], { signal: AbortSignal.abort() })).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_ABORTED'));
    expect((await assistant.featurize([digitImage(digits[0])])).embeddings.rows).toBe(1);
  });

  it('after dispose every call is refused', async () => {
    const a = createAssistant({ device: 'wasm', inProcess: true, wasmPaths: ORT_WASM_DIR, models: { featurizer: mnistFeaturizer } });
    await a.device();
    await a.dispose();
    await expect(a.device()).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_ABORTED'));
  });

  it('a model that cannot be fetched or parsed fails with E_MODEL', async () => {
    const a = createAssistant({ device: 'wasm', inProcess: true, wasmPaths: ORT_WASM_DIR, models: { featurizer: { ...mnistFeaturizer, source: new Uint8Array([1, 2, 3]) } } });
    await expect(a.featurize([{ width: 28, height: 28, data: new Uint8Array(784), channels: 1 }])).rejects.toSatisfy((e) => LabelkitError.is(e, 'E_MODEL'));
    await a.dispose();
  });
});

describe('detector through the assistant (yolox_nano)', () => {
  it('returns boxes in image pixels per image', async () => {
    const a = createAssistant({
      device: 'wasm',
      inProcess: true,
      wasmPaths: ORT_WASM_DIR,
      models: { detector: { format: 'yolox', source: modelBytes('yolox_nano'), preprocess: { width: 416, height: 416, fit: 'letterbox', pad: 114, channels: 'bgr' } } },
    });
    const [img] = (await loadCoco()).filter((c) => c.file === '000000196141.jpg');
    const r = await a.detect([{ width: img.width, height: img.height, data: img.data }], { minScore: 0.3 });
    // README smoke test: person 0.891 at [450, 207, 179, 208].
    const best = r.detections[0][0];
    expect(best.classIndex).toBe(0);
    expect(best.score).toBeCloseTo(0.891, 1);
    expect(Math.abs(best.x - 450)).toBeLessThan(6);
    expect(r.run).toMatchObject({ kind: 'detection', device: 'wasm' });
    await a.dispose();
  });
});
