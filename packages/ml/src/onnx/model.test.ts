import { LabelkitError } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { MNIST_EMBEDDING, YOLOX_BACKBONE, modelBytes } from '../../test/fixtures.js';
import { digitImage, loadDigits } from '../../test/mnist.js';
import { nodeDigitSource } from '../../test/mnist-node.js';
import { runModel } from '../../test/ort-node.js';
import { preprocess } from '../preprocess.js';
import { ElemType, buildModel, cutModel, inspectModel, tensorElemType } from './model.js';
import { Writer, readFields, readVarint } from './wire.js';

describe('protobuf wire format', () => {
  it('round-trips varints, including 64-bit negatives, and nested messages', () => {
    for (const v of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
      const bytes = new Writer().varint(v).finish();
      expect(readVarint(bytes, 0)).toEqual([v, bytes.length]);
    }
    const neg = new Writer().varint(-1).finish();
    expect(neg.length).toBe(10);
    expect([...neg]).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 255, 1]);
    const msg = new Writer()
      .varintField(1, 7)
      .stringField(2, 'héllo')
      .message(3, (w) => w.varintField(1, 42))
      .finish();
    const fields = readFields(msg);
    expect(fields.map((f) => [f.no, f.wire])).toEqual([
      [1, 0],
      [2, 2],
      [3, 2],
    ]);
    expect(readFields(msg, fields[2].dataStart, fields[2].end)[0].value).toBe(42);
  });

  it('rejects bytes that are not a model with E_MODEL', () => {
    const notModel = new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:abc\n');
    expect(() => inspectModel(notModel)).toThrowError(LabelkitError);
    try {
      inspectModel(notModel);
    } catch (err) {
      expect(LabelkitError.is(err, 'E_MODEL')).toBe(true);
    }
  });
});

describe('inspectModel', () => {
  it('lists mnist.onnx: one input, one output, its 12 nodes, and initializers not counted as inputs', () => {
    const info = inspectModel(modelBytes('mnist'));
    expect(info.producer).toBe('CNTK');
    expect(info.opsets).toEqual([{ domain: '', version: 8 }]);
    expect(info.inputs).toEqual([{ name: 'Input3', elemType: ElemType.FLOAT, shape: [1, 1, 28, 28] }]);
    expect(info.outputs.map((o) => o.name)).toEqual(['Plus214_Output_0']);
    expect(info.nodes).toHaveLength(12);
    expect(info.nodes.find((n) => n.outputs.includes(MNIST_EMBEDDING))?.opType).toBe('Reshape');
    expect(tensorElemType(info, MNIST_EMBEDDING)).toBe(ElemType.FLOAT);
  });

  it('infers element types from producers (Shape → int64, Cast → its target)', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', shape: [2, 3] }],
      outputs: [{ name: 'y' }],
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Cast', inputs: ['s'], outputs: ['f'], attrs: { to: ElemType.FLOAT } },
        { op: 'Identity', inputs: ['x'], outputs: ['y'] },
      ],
    });
    const info = inspectModel(bytes);
    expect(tensorElemType(info, 's')).toBe(ElemType.INT64);
    expect(tensorElemType(info, 'f')).toBe(ElemType.FLOAT);
  });
});

describe('cutModel on mnist.onnx', () => {
  it('exposes the 256-wide tensor before the last MatMul, and the product with the weights gives the logits', async () => {
    const [digit] = await loadDigits(nodeDigitSource, 1, { seed: 3 });
    const input = preprocess(digitImage(digit), { width: 28, height: 28, channels: 'gray' }).data;
    const original = await runModel(modelBytes('mnist'), { Input3: { data: input, dims: [1, 1, 28, 28] } });
    const cut = cutModel(modelBytes('mnist'), {
      outputs: [{ tensor: MNIST_EMBEDDING }, { tensor: 'Parameter193_reshape1' }, { tensor: 'Times212_Output_0' }],
      keepOriginalOutputs: true,
    });
    expect(cut.outputNames).toEqual(['Plus214_Output_0', MNIST_EMBEDDING, 'Parameter193_reshape1', 'Times212_Output_0']);
    expect(cut.removedNodes).toBe(0);
    const out = await runModel(cut.bytes, { Input3: { data: input, dims: [1, 1, 28, 28] } });
    // The original output is unchanged by the cut.
    expect([...out.Plus214_Output_0.data]).toEqual([...original.Plus214_Output_0.data]);
    const emb = out[MNIST_EMBEDDING];
    const w = out.Parameter193_reshape1;
    expect(emb.dims).toEqual([1, 256]);
    expect(w.dims).toEqual([256, 10]);
    const times = out.Times212_Output_0.data;
    for (let c = 0; c < 10; c++) {
      let s = 0;
      for (let p = 0; p < 256; p++) s += emb.data[p] * w.data[p * 10 + c];
      expect(s).toBeCloseTo(times[c], 1);
    }
    // And the model still reads the digit right.
    const logits = original.Plus214_Output_0.data;
    expect(logits.indexOf(Math.max(...logits))).toBe(digit.label);
  });

  it('truncates the graph at the embedding: the head nodes and their initializers are gone', async () => {
    const full = modelBytes('mnist');
    const cut = cutModel(full, { outputs: [{ tensor: MNIST_EMBEDDING }] });
    expect(cut.outputNames).toEqual([MNIST_EMBEDDING]);
    expect(cut.removedNodes).toBe(3); // the weight Reshape, MatMul and Add
    const info = inspectModel(cut.bytes);
    expect(info.nodes.map((n) => n.opType)).not.toContain('MatMul');
    expect(info.initializers.map((i) => i.name)).not.toContain('Parameter194');
    expect(cut.bytes.length).toBeLessThan(full.length - 10_000);
    const x = new Float32Array(784).fill(0);
    for (let y = 4; y < 24; y++) x[y * 28 + 14] = 255;
    const out = await runModel(cut.bytes, { Input3: { data: x, dims: [1, 1, 28, 28] } });
    expect(out[MNIST_EMBEDDING].dims).toEqual([1, 256]);
    expect(out[MNIST_EMBEDDING].data.some((v) => v > 0)).toBe(true);
  });

  it('names the unknown tensor and lists real ones when asked for a tensor the graph lacks', () => {
    try {
      cutModel(modelBytes('mnist'), { outputs: [{ tensor: 'nope' }] });
      expect.unreachable();
    } catch (err) {
      expect(LabelkitError.is(err, 'E_MODEL')).toBe(true);
      expect((err as Error).message).toContain('"nope"');
      expect((err as Error).message).toContain('Times212_Output_0');
    }
  });
});

describe('cutModel on yolox_nano.onnx', () => {
  it('pools the dark5 backbone feature map into a 256-d embedding equal to the mean of the map', async () => {
    const bytes = modelBytes('yolox_nano');
    const input = new Float32Array(3 * 416 * 416);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7919) % 256;
    const raw = cutModel(bytes, { outputs: [{ tensor: YOLOX_BACKBONE }] });
    const pooled = cutModel(bytes, { outputs: [{ tensor: YOLOX_BACKBONE, pool: 'avg' }] });
    expect(pooled.exposed[0]).toMatch(/labelkit_embedding$/);
    // The detection head is cut away.
    expect(pooled.removedNodes).toBeGreaterThan(100);
    expect(inspectModel(pooled.bytes).nodes.some((n) => n.name.startsWith('/head/'))).toBe(false);
    const map = (await runModel(raw.bytes, { images: { data: input, dims: [1, 3, 416, 416] } }))[YOLOX_BACKBONE];
    expect(map.dims).toEqual([1, 256, 13, 13]);
    const vec = (await runModel(pooled.bytes, { images: { data: input, dims: [1, 3, 416, 416] } }))[pooled.exposed[0]];
    expect(vec.dims).toEqual([1, 256]);
    for (const c of [0, 17, 128, 255]) {
      let s = 0;
      for (let i = 0; i < 169; i++) s += map.data[c * 169 + i];
      expect(vec.data[c]).toBeCloseTo(s / 169, 3);
    }
  });
});
