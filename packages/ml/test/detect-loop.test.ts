// The assist loop on a detection project: yolox_nano (onnxruntime-web WASM in Node) on the COCO
// person fixture; the box threshold is calibrated on the labeled images and boxes are prelabeled.
import { type ItemView, MemoryStore, ProjectRegistry } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { createAssistant } from '../src/assistant.js';
import { AssistLoop } from '../src/assist/loop.js';
import { iou } from '../src/numerics/detect.js';
import { loadCoco } from './coco.js';
import { ORT_WASM_DIR, modelBytes } from './fixtures.js';

describe('assist loop on an object detection project', () => {
  it('calibrates the box threshold on labeled images (IoU ≥ 0.5) and prelabels the rest', async () => {
    const coco = await loadCoco();
    const project = await new ProjectRegistry(new MemoryStore()).create(
      {
        name: 'people',
        kind: 'image-object-detection',
        labels: ['person'],
        assist: { enabled: true, firstTrainingAt: 3, retrainEvery: 10, targetPrecision: 0.8, clustering: false },
        seed: 3,
      },
      { actor: { id: 'o', role: 'owner' } },
    );
    await project.addItems(coco.map((c) => ({ path: `coco/${c.file}`, etag: c.file })));
    await project.setItemSizes(coco.map((c, item) => ({ item, width: c.width, height: c.height })));
    const person = project.labels[0].id;
    const byPath = new Map(coco.map((c) => [`coco/${c.file}`, c]));
    const assistant = createAssistant({
      device: 'wasm',
      inProcess: true,
      wasmPaths: ORT_WASM_DIR,
      models: { detector: { format: 'yolox', source: modelBytes('yolox_nano'), preprocess: { width: 416, height: 416, fit: 'letterbox', pad: 114, channels: 'bgr' } } },
    });
    const loop = new AssistLoop({
      project,
      assistant,
      readImage: async (item: ItemView) => {
        const c = byPath.get(item.path)!;
        return { width: c.width, height: c.height, data: c.data.slice() };
      },
      detectorLabels: { 0: person },
      minSupport: 3,
      // Three images hold about 10 boxes: too few for the Wilson bound (the default, confidence
      // 0.95) to reach any target; this test is about the path, so it takes the point estimate.
      confidence: 0,
    });
    // The labeler boxes the first three images the queue gives; the fourth is left to assist.
    for (let n = 0; n < 3; n++) {
      const task = (await project.nextTask())!;
      const item = task.items[0];
      const boxes = byPath.get(item.path)!.boxes.map((b) => ({ kind: 'box' as const, label: person, ...b }));
      await project.submit(task.id, [{ item: item.index, annotations: boxes }]);
    }
    expect(project.stats().labelsToNextRun).toBe(0);
    const report = await loop.step();
    expect(report.trained).toBe(true);
    expect(report.threshold).not.toBeNull();
    expect(report.prelabeled).toBe(1);
    const [left] = [...project.items({ states: ['todo'] })];
    const truth = byPath.get(left.path)!.boxes;
    const pre = left.prelabels!;
    expect(pre.length).toBeGreaterThanOrEqual(1);
    // Every prelabeled box is a person box of the image (IoU ≥ 0.5 with one of its boxes).
    for (const b of pre) {
      expect(b.kind).toBe('box');
      expect(Math.max(...truth.map((t) => iou(b as never, t)))).toBeGreaterThanOrEqual(0.5);
    }
    const training = project.runs.find((r) => r.kind === 'training')!;
    expect(training.device).toBe('wasm');
    expect(training.metrics).toMatchObject({ images: 3, truthBoxes: 14 - truth.length, device: 'wasm' });
    expect(training.metrics!.precision as number).toBeGreaterThanOrEqual(0.8);
    expect(project.runs.find((r) => r.kind === 'inference')!.metrics).toMatchObject({ prelabeled: 1 });
    await assistant.dispose();
  }, 120_000);
});
