// Object detection: YOLOX grid decode, non-maximum suppression, model-class → project-label
// mapping, and the box-confidence threshold calibrated on labeled images (precision at IoU ≥ 0.5).
import { LabelkitError } from '@labelkit/core';
import type { Placement } from '../preprocess.js';
import { type ThresholdChoice, type ThresholdOptions, chooseThreshold } from './threshold.js';

/** A box in image pixels; (x, y) is the top-left corner. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Detection extends Box {
  /** Index of the model's class. */
  readonly classIndex: number;
  readonly score: number;
}

export interface YoloxDecodeOptions {
  /** Model input size in pixels. */
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Strides of the output levels, in output row order (default [8, 16, 32]). */
  readonly strides?: readonly number[];
  /** Boxes scoring below this are dropped before NMS (default 0.05). */
  readonly minScore?: number;
  /** Where the image sits in the input (from preprocessing), to map boxes back to image pixels. */
  readonly placement?: Placement;
}

/**
 * Decodes one image's YOLOX output (anchors × (5 + classes): dx, dy, log w, log h, objectness,
 * class scores; objectness and classes already sigmoided). Each anchor gives its best class with
 * score = objectness × class score. Boxes come out in image pixels, clipped to the image.
 */
export function decodeYolox(output: Float32Array, options: YoloxDecodeOptions): Detection[] {
  const strides = options.strides ?? [8, 16, 32];
  let anchors = 0;
  for (const s of strides) anchors += Math.floor(options.inputWidth / s) * Math.floor(options.inputHeight / s);
  if (!anchors || output.length % anchors !== 0 || output.length / anchors < 6) {
    throw new LabelkitError(
      'E_MODEL',
      `The detector output (${output.length} values) does not match YOLOX with strides ${strides.join('/')} on ${options.inputWidth}×${options.inputHeight}.`,
      { values: output.length, anchors },
    );
  }
  const cols = output.length / anchors;
  const classes = cols - 5;
  const minScore = options.minScore ?? 0.05;
  const rx = options.placement?.ratioX ?? 1;
  const ry = options.placement?.ratioY ?? 1;
  const imgW = options.placement?.sourceWidth ?? options.inputWidth;
  const imgH = options.placement?.sourceHeight ?? options.inputHeight;
  const out: Detection[] = [];
  let row = 0;
  for (const s of strides) {
    const gw = Math.floor(options.inputWidth / s);
    const gh = Math.floor(options.inputHeight / s);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++, row++) {
        const o = row * cols;
        const obj = output[o + 4]!;
        if (obj < minScore) continue;
        let best = 0;
        for (let c = 1; c < classes; c++) if (output[o + 5 + c]! > output[o + 5 + best]!) best = c;
        const score = obj * output[o + 5 + best]!;
        if (score < minScore) continue;
        const cx = (output[o]! + gx) * s;
        const cy = (output[o + 1]! + gy) * s;
        const w = Math.exp(output[o + 2]!) * s;
        const h = Math.exp(output[o + 3]!) * s;
        const x0 = Math.max(0, (cx - w / 2) / rx);
        const y0 = Math.max(0, (cy - h / 2) / ry);
        const x1 = Math.min(imgW, (cx + w / 2) / rx);
        const y1 = Math.min(imgH, (cy + h / 2) / ry);
        if (x1 <= x0 || y1 <= y0) continue;
        out.push({ x: x0, y: y0, w: x1 - x0, h: y1 - y0, classIndex: best, score });
      }
    }
  }
  return out;
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy NMS per class: keeps the best box and drops same-class boxes overlapping it by more than `iouThreshold`. */
export function nms(detections: readonly Detection[], iouThreshold = 0.45, maxDetections = 300): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  const removed = new Uint8Array(sorted.length);
  for (let i = 0; i < sorted.length && kept.length < maxDetections; i++) {
    if (removed[i]) continue;
    const a = sorted[i]!;
    kept.push(a);
    for (let j = i + 1; j < sorted.length; j++) {
      if (!removed[j] && sorted[j]!.classIndex === a.classIndex && iou(a, sorted[j]!) > iouThreshold) removed[j] = 1;
    }
  }
  return kept;
}

/** A detection mapped onto a project label. */
export interface LabeledBox extends Box {
  readonly label: string;
  readonly score: number;
}

/**
 * Maps model classes onto project labels (`mapping[modelClassIndex] = labelId`); detections of
 * unmapped classes are dropped.
 */
export function mapDetections(detections: readonly Detection[], mapping: Readonly<Record<number, string>>): LabeledBox[] {
  const out: LabeledBox[] = [];
  for (const d of detections) {
    const label = mapping[d.classIndex];
    if (label !== undefined) out.push({ x: d.x, y: d.y, w: d.w, h: d.h, label, score: d.score });
  }
  return out;
}

/**
 * Marks each prediction of one image as a true positive when it matches a not-yet-matched ground
 * truth box of the same label with IoU ≥ `minIou`, best scores first (the COCO/VOC rule).
 */
export function matchBoxes(predictions: readonly LabeledBox[], truth: readonly (Box & { label: string })[], minIou = 0.5): Uint8Array {
  const order = predictions.map((_, i) => i).sort((a, b) => predictions[b]!.score - predictions[a]!.score);
  const used = new Uint8Array(truth.length);
  const tp = new Uint8Array(predictions.length);
  for (const i of order) {
    const p = predictions[i]!;
    let best = -1;
    let bestIou = minIou;
    for (let t = 0; t < truth.length; t++) {
      if (used[t] || truth[t]!.label !== p.label) continue;
      const v = iou(p, truth[t]!);
      if (v >= bestIou) {
        bestIou = v;
        best = t;
      }
    }
    if (best >= 0) {
      used[best] = 1;
      tp[i] = 1;
    }
  }
  return tp;
}

export interface BoxCalibration extends ThresholdChoice {
  readonly predictions: number;
  readonly truthBoxes: number;
  /** Share of ground-truth boxes found by predictions at or above the threshold. */
  readonly recall: number;
}

/**
 * Calibrates the box-confidence threshold on labeled images: the lowest score at which the
 * predictions kept reach the target precision (a prediction is right when it matches a labeled
 * box of the same label at IoU ≥ 0.5).
 */
export function calibrateBoxThreshold(
  images: readonly { predictions: readonly LabeledBox[]; truth: readonly (Box & { label: string })[] }[],
  options: ThresholdOptions & { minIou?: number } = {},
): BoxCalibration {
  const confidence: number[] = [];
  const correct: number[] = [];
  let truthBoxes = 0;
  for (const img of images) {
    const tp = matchBoxes(img.predictions, img.truth, options.minIou ?? 0.5);
    img.predictions.forEach((p, i) => {
      confidence.push(p.score);
      correct.push(tp[i]!);
    });
    truthBoxes += img.truth.length;
  }
  const choice = chooseThreshold(confidence, correct, options);
  let found = 0;
  if (choice.threshold !== null) {
    for (let i = 0; i < confidence.length; i++) if (confidence[i]! >= choice.threshold && correct[i]) found++;
  }
  return { ...choice, predictions: confidence.length, truthBoxes, recall: truthBoxes ? found / truthBoxes : 0 };
}
