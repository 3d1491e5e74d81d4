import { describe, expect, it } from 'vitest';
import { loadCoco } from '../../test/coco.js';
import { modelBytes } from '../../test/fixtures.js';
import { runModel } from '../../test/ort-node.js';
import { preprocess } from '../preprocess.js';
import { calibrateBoxThreshold, decodeYolox, iou, mapDetections, matchBoxes, nms } from './detect.js';

const YOLOX = { width: 416, height: 416, fit: 'letterbox' as const, pad: 114, channels: 'bgr' as const };

describe('YOLOX decode', () => {
  it('decodes one anchor: grid offset, exp size, stride, objectness × class, letterbox ratio', () => {
    // 4×4 input with strides [2, 4]: 4 + 1 anchors, 2 classes → 7 columns.
    const cols = 7;
    const out = new Float32Array(5 * cols);
    // Anchor (gx=1, gy=0) of stride 2: dx 0.5, dy 0.5, w = e^0·2 = 2, h = e^ln2·2 = 4.
    out.set([0.5, 0.5, 0, Math.log(2), 0.9, 0.2, 0.8], 1 * cols);
    const dets = decodeYolox(out, { inputWidth: 4, inputHeight: 4, strides: [2, 4], minScore: 0.1, placement: { ratioX: 0.5, ratioY: 0.5, sourceWidth: 8, sourceHeight: 8 } });
    expect(dets).toHaveLength(1);
    const d = dets[0];
    expect(d.classIndex).toBe(1);
    expect(d.score).toBeCloseTo(0.72);
    // centre (3, 1), size 2×4 in the input → [2, -1, 4, 3] → clipped at 0, then ÷ 0.5.
    expect([d.x, d.y, d.w, d.h].map((v) => Math.round(v * 100) / 100)).toEqual([4, 0, 4, 6]);
  });

  it('NMS keeps the best of overlapping same-class boxes, and other classes', () => {
    const a = { x: 0, y: 0, w: 10, h: 10, classIndex: 0, score: 0.9 };
    const b = { x: 1, y: 1, w: 10, h: 10, classIndex: 0, score: 0.8 };
    const c = { x: 1, y: 1, w: 10, h: 10, classIndex: 1, score: 0.7 };
    const far = { x: 50, y: 50, w: 10, h: 10, classIndex: 0, score: 0.6 };
    expect(iou(a, b)).toBeCloseTo(81 / 119);
    expect(nms([b, far, a, c])).toEqual([a, c, far]);
  });

  it('matches predictions at IoU ≥ 0.5 once per truth box, best score first, same label only', () => {
    const truth = [{ x: 0, y: 0, w: 10, h: 10, label: 'p' }];
    const preds = [
      { x: 0, y: 0, w: 10, h: 9, label: 'p', score: 0.6 },
      { x: 0, y: 0, w: 10, h: 10, label: 'p', score: 0.9 },
      { x: 0, y: 0, w: 10, h: 10, label: 'q', score: 0.95 },
      { x: 0, y: 0, w: 30, h: 30, label: 'p', score: 0.99 },
    ];
    expect([...matchBoxes(preds, truth)]).toEqual([0, 1, 0, 0]);
    const cal = calibrateBoxThreshold([{ predictions: preds, truth }], { targetPrecision: 0.5, minSupport: 1 });
    // By score: 0.99 ✗, 0.95 ✗, 0.9 ✓ (1/3), 0.6 ✗ → no threshold reaches 0.5.
    expect(cal.threshold).toBeNull();
    expect(calibrateBoxThreshold([{ predictions: preds.slice(0, 2), truth }], { targetPrecision: 0.5, minSupport: 1 }).threshold).toBe(0.6);
  });
});

describe('yolox_nano on the COCO person images (onnxruntime-web WASM in Node)', () => {
  it('finds the people the fixture README lists, maps person → a project label, and calibrates a threshold', async () => {
    const images = await loadCoco();
    const found = [];
    for (const img of images) {
      const { data, placement } = preprocess(img, YOLOX);
      const out = await runModel(modelBytes('yolox_nano'), { images: { data, dims: [1, 3, 416, 416] } });
      expect(out.output.dims).toEqual([1, 3549, 85]);
      const dets = nms(decodeYolox(out.output.data, { inputWidth: 416, inputHeight: 416, placement }), 0.45);
      found.push({ img, dets });
    }
    // README smoke test: 000000000785.jpg → person 0.876 at [278, 53, 213, 332].
    const top = found.find((f) => f.img.file === '000000000785.jpg')!.dets[0];
    expect(top.classIndex).toBe(0);
    expect(top.score).toBeCloseTo(0.876, 1);
    expect(iou(top, { x: 278, y: 53, w: 213, h: 332 })).toBeGreaterThan(0.9);
    const labeled = found.map((f) => ({ predictions: mapDetections(f.dets, { 0: 'lbl-person' }), truth: f.img.boxes.map((b) => ({ ...b, label: 'lbl-person' })) }));
    // Only person boxes survive the mapping.
    expect(labeled.every((l) => l.predictions.every((p) => p.label === 'lbl-person'))).toBe(true);
    const cal = calibrateBoxThreshold(labeled, { targetPrecision: 0.8, minSupport: 5 });
    expect(cal.truthBoxes).toBe(14);
    expect(cal.threshold).not.toBeNull();
    expect(cal.precision).toBeGreaterThanOrEqual(0.8);
    expect(cal.recall).toBeGreaterThan(0.4);
  });
});
