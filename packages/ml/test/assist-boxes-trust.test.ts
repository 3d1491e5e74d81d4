// Box prelabels a labeler can trust: the box threshold needs the Wilson lower bound on precision,
// what the labeler submitted on a prelabeled image tells which shown boxes were right (IoU ≥ 0.5
// with a submitted box of their label), and the loop raises the box threshold where they fell short
// — trimming the boxes under it — and a new round does not swing back below what reality showed.
import { type AssistImage, type DetectResult, type ItemView, MemoryStore, type Project, ProjectRegistry } from '@labelkit/core';
import { describe, expect, it } from 'vitest';
import { AssistLoop, type AssistLoopOptions } from '../src/assist/loop.js';
import { checkedShapes } from '../src/assist/realized.js';
import { calibrateBoxThreshold } from '../src/numerics/detect.js';
import { FakeAssistant, vectorImage } from './fake-assistant.js';

const owner = { id: 'sim', role: 'owner' as const };
/** Boxes per image: box k sits at x = 50 k and scores 0.5 + 0.04 k (0.50 … 0.94). */
const BOXES = 12;
const score = (k: number) => Math.round((0.5 + 0.04 * k) * 100) / 100;
const boxAt = (k: number) => ({ x: 50 * k, y: 10, w: 40, h: 40 });

/** A detector that finds the same 12 boxes (COCO class 0) on every image. */
class BoxAssistant extends FakeAssistant {
  override async detect(...args: unknown[]): Promise<DetectResult> {
    const images = args[0] as readonly AssistImage[];
    const t = Date.now();
    return {
      detections: images.map(() => Array.from({ length: BOXES }, (_, k) => ({ ...boxAt(k), classIndex: 0, score: score(k) }))),
      failed: [],
      run: { kind: 'inference', status: 'completed', device: 'wasm', startedAt: t, finishedAt: t, timings: {}, metrics: {} },
    };
  }
}

async function setup(opts: { items?: number; firstTrainingAt: number; retrainEvery?: number; loop?: Partial<AssistLoopOptions> }) {
  const project = await new ProjectRegistry(new MemoryStore()).create(
    {
      name: `boxes ${Math.random()}`,
      kind: 'image-object-detection',
      labels: ['person', 'dog'],
      assist: { enabled: true, firstTrainingAt: opts.firstTrainingAt, retrainEvery: opts.retrainEvery ?? 1000, targetPrecision: 0.95, clustering: false },
      seed: 2,
    },
    { actor: owner },
  );
  const n = opts.items ?? 60;
  await project.addItems(Array.from({ length: n }, (_, i) => ({ path: `b/${String(i).padStart(3, '0')}.png`, etag: `"${i}"` })));
  await project.setItemSizes(Array.from({ length: n }, (_, item) => ({ item, width: 640, height: 100 })));
  const assistant = new BoxAssistant('wasm');
  const person = project.labels[0]!.id;
  const loop = new AssistLoop({ project, assistant, readImage: async (it: ItemView) => vectorImage([it.index]), detectorLabels: { 0: person }, ...opts.loop });
  return { project, assistant, loop, person };
}

/**
 * Labels n images one page at a time: the true boxes are those with k ≥ `rightFrom` (the labeler
 * keeps shown boxes there, deletes the others and draws what is missing).
 */
async function labelN(project: Project, n: number, rightFrom: number): Promise<ItemView[]> {
  const person = project.labels[0]!.id;
  const done: ItemView[] = [];
  for (let i = 0; i < n; i++) {
    const t = await project.nextTask({ size: 1 });
    if (!t) break;
    const it = t.items[0]!;
    const annotations = Array.from({ length: BOXES - rightFrom }, (_, j) => ({ kind: 'box' as const, label: person, ...boxAt(rightFrom + j) }));
    await project.submit(t.id, [{ item: it.index, annotations }]);
    done.push(it);
  }
  return done;
}

function prelabeledTodo(project: Project): ItemView[] {
  return [...project.items({ states: ['todo'] })].filter((it) => it.lane === 'prelabeled');
}

describe('which shown boxes were right', () => {
  it('counts a shown box right only at IoU ≥ 0.5 with a submitted box of its label, each submitted box once', () => {
    const shown = [
      { kind: 'box' as const, label: 'p', x: 0, y: 0, w: 100, h: 100, confidence: 0.9 },
      // IoU 0.6 with the submitted box at x = 200: right.
      { kind: 'box' as const, label: 'p', x: 225, y: 0, w: 100, h: 100, confidence: 0.8 },
      // IoU 1/3 with the same: wrong.
      { kind: 'box' as const, label: 'p', x: 450, y: 0, w: 100, h: 100, confidence: 0.7 },
      // Right place, other label: wrong.
      { kind: 'box' as const, label: 'd', x: 600, y: 0, w: 100, h: 100, confidence: 0.6 },
      // A second box on the first submitted one, less confident: wrong (matched once).
      { kind: 'box' as const, label: 'p', x: 5, y: 0, w: 100, h: 100, confidence: 0.5 },
    ];
    const submitted = [
      { kind: 'box' as const, label: 'p', x: 0, y: 0, w: 100, h: 100 },
      { kind: 'box' as const, label: 'p', x: 200, y: 0, w: 100, h: 100 },
      { kind: 'box' as const, label: 'p', x: 500, y: 0, w: 100, h: 100 },
      { kind: 'box' as const, label: 'p', x: 600, y: 0, w: 100, h: 100 },
    ];
    expect(checkedShapes(shown, submitted).map((x) => x.correct)).toEqual([true, true, false, false, false]);
    expect(checkedShapes(shown, submitted).map((x) => x.confidence)).toEqual([0.9, 0.8, 0.7, 0.6, 0.5]);
    // Boxes a labeler drew (no confidence) are not a model's prelabels: nothing to measure.
    expect(checkedShapes(submitted, submitted)).toEqual([]);
    expect(checkedShapes(undefined, submitted)).toEqual([]);
  });
});

describe('the box threshold needs the lower bound', () => {
  it('blocks a threshold picked on 11 right boxes out of 11', async () => {
    const truth = Array.from({ length: 11 }, (_, k) => ({ ...boxAt(k), label: 'p' }));
    const images = [{ predictions: truth.map((b, k) => ({ ...b, score: 0.9 + k / 200 })), truth }];
    expect(calibrateBoxThreshold(images, { targetPrecision: 0.95, minSupport: 10 }).threshold).toBe(0.9);
    const bounded = calibrateBoxThreshold(images, { targetPrecision: 0.95, minSupport: 10, z: 1.6449 });
    expect(bounded.threshold).toBeNull();
    expect(bounded.lowerBound!).toBeLessThan(0.81);
    // Through the loop (default confidence for boxes 0.99): one labeled image with 11 right boxes of 12 above 0.54.
    const { project, loop } = await setup({ firstTrainingAt: 1 });
    await labelN(project, 1, 1);
    const report = await loop.step();
    expect(report.trained).toBe(true);
    expect(report.threshold).toBeNull();
    expect(prelabeledTodo(project)).toHaveLength(0);
    const training = project.runs.find((r) => r.kind === 'training')!;
    expect(training.params).toMatchObject({ confidence: 0.99 });
    expect(training.metrics).toMatchObject({ threshold: null, images: 1 });
    expect(training.metrics!.lowerBound as number).toBeLessThan(0.81);
    // Five such images (55 right of 60 at all, 55 of 55 from 0.54 on) reach a 95 % bound (lower
    // bound 95.7 %) but not the 99 % one (91.0 %); ten (110 of 110) reach that too (95.3 %).
    await labelN(project, 4, 1);
    expect((await loop.detectAndPrelabel()).threshold).toBeNull();
    await labelN(project, 5, 1);
    const r = await loop.detectAndPrelabel();
    expect(r.threshold).toBe(0.54);
    expect(r.prelabeled).toBe(50);
  });
});

describe('the realized watch on box prelabels', () => {
  it('raises the box threshold after wrong shown boxes, trimming the boxes under it', async () => {
    // At a 95 % bound (the box default is 99 %): five images labeled with every box right, 60 of 60,
    // and the bound holds from 0.50 on.
    const { project, loop } = await setup({ firstTrainingAt: 5, loop: { confidence: 0.95 } });
    await labelN(project, 5, 0);
    const first = await loop.step();
    expect(first.threshold).toBe(0.5);
    expect(prelabeledTodo(project)).toHaveLength(55);
    // On the next five images the boxes under 0.74 (k < 6) are wrong: the labeler deletes them.
    const checked = await labelN(project, 5, 6);
    expect(checked.every((it) => it.prelabels?.length === BOXES)).toBe(true);
    const seen = loop.realized()!;
    expect(seen).toMatchObject({ threshold: 0.5, shown: 60, right: 30 });
    const report = await loop.step();
    expect(report.trained).toBe(false);
    const check = project.runs.filter((r) => r.kind === 'validation').at(-1)!;
    expect(check.params).toMatchObject({ check: 'realized' });
    expect(check.metrics).toMatchObject({ action: 'raised', threshold: 0.74, previousThreshold: 0.5, realizedPrecision: 0.5, realizedShown: 60 });
    // Every image kept its boxes from 0.74 on and lost the others (none was left empty).
    expect(report.withdrawn).toBe(0);
    const todo = prelabeledTodo(project);
    expect(todo).toHaveLength(50);
    expect(todo.every((it) => it.prelabels!.length === 6 && it.prelabels!.every((a) => a.confidence! >= 0.74))).toBe(true);
    // From then on the realized precision is measured above the raised threshold, where it holds
    // (the recent window: 30 boxes from 0.74 on before the raise, 18 after).
    await labelN(project, 3, 6);
    expect(loop.realized()).toMatchObject({ threshold: 0.74, shown: 48, right: 48 });
    expect((await loop.step()).withdrawn).toBe(0);
    expect(project.runs.filter((r) => r.kind === 'validation')).toHaveLength(1);
  });

  it('withdraws an image whose boxes are all under the raised threshold', async () => {
    const { project, loop } = await setup({ firstTrainingAt: 5, loop: { confidence: 0.95 } });
    await labelN(project, 5, 0);
    await loop.step();
    await labelN(project, 5, 6);
    // An image the detector boxes only under 0.74 now (its prelabels replaced by hand, for the test).
    const [left] = prelabeledTodo(project);
    const run = project.runs.find((r) => r.kind === 'inference')!.id;
    const person = project.labels[0]!.id;
    await project.proposePrelabels(run, [{ item: left!.index, annotations: [{ kind: 'box', label: person, ...boxAt(0), confidence: 0.5 }] }]);
    const withdrawn = await loop.watchRealized();
    expect(withdrawn).toBe(1);
    expect(project.item(left!.index).prelabels).toBeUndefined();
    expect(prelabeledTodo(project)).toHaveLength(49);
  });

  it('a new round does not swing back below what the shown boxes showed', async () => {
    // Point estimates for the calibration (confidence 0), so 20 easy images pull it down to 0.66.
    const { project, loop } = await setup({ firstTrainingAt: 20, loop: { confidence: 0 } });
    await labelN(project, 20, 0);
    expect((await loop.step()).threshold).toBe(0.5);
    // Five prelabeled images whose boxes under 0.74 are wrong; no step runs meanwhile.
    await labelN(project, 5, 6);
    const r = await loop.detectAndPrelabel();
    const training = project.runs.filter((x) => x.kind === 'training').at(-1)!;
    // On all 25 labeled images, 0.66 reaches 95 % (190 of 200); the 40 boxes shown from 0.66 on were 75 % right.
    expect(training.metrics).toMatchObject({ calibratedThreshold: 0.66, realizedShown: 40, realizedPrecision: 0.75, threshold: 0.74 });
    expect(r.threshold).toBe(0.74);
    expect(prelabeledTodo(project).every((it) => it.prelabels!.every((a) => a.confidence! >= 0.74))).toBe(true);
  });

  it('with marginal, the least confident boxes a threshold keeps must reach the target too', async () => {
    const { project, loop } = await setup({ firstTrainingAt: 20, loop: { confidence: 0, marginal: 0.25 } });
    await labelN(project, 20, 0);
    await loop.step();
    await labelN(project, 5, 6);
    // 0.66 reaches 95 % on all (190 of 200) but its least confident 50 boxes are 80 % right.
    const r = await loop.detectAndPrelabel();
    expect(r.threshold).toBe(0.74);
    const training = project.runs.filter((x) => x.kind === 'training').at(-1)!;
    expect(training.metrics).toMatchObject({ threshold: 0.74, support: 150, precision: 1 });
    expect(training.metrics!.calibratedThreshold).toBeUndefined();
  });
});
