// `npm run bench -- assist-boxes [--quick] [--seeds 5] [--variants 12] [--every 5] [--tag run]`
//
// Box prelabels with a simulated labeler on the COCO person fixture (test/fixtures/coco: 4 val2017
// images, 14 person boxes), driving ML assist through the public API only, as a host app would: a
// core object-detection Project with the label "person", @labelkit/ml's createAssistant with
// yolox_nano as its detector (onnxruntime-web WASM, in process), and an AssistLoop with
// `detectorLabels: { 0: person }` (COCO class 0 is person) that gets a step after every image the
// labeler submits. Project assist settings: first calibration at `--every` labeled images, again
// every `--every` (the defaults, 50/50, never run on a set this small), target precision 0.95.
//
// Four scenes are too few, so each seed builds a deterministic augmented set from them: per scene
// the original, its mirror image and `--variants` − 2 random variants (mirror with p = ½, a crop of
// 60–100 % of each side, a rescale to 60–120 %, brightness × 0.7–1.3). Ground-truth boxes go through
// the same transform and are clipped to the crop; a box less than 30 % visible is dropped (crops
// are re-drawn, up to 30 times, to avoid cutting a box to 5–50 %). The images are augmentations of
// 4 scenes: strongly correlated, so the figures are a smoke-level measurement, not a benchmark of
// yolox on COCO.
//
// The labeler takes one image at a time from the queue (prelabeled lane first). On an image with
// prelabels it matches them greedily (highest confidence first) to ground-truth boxes: a prelabel
// with IoU ≥ 0.5 with a not yet matched box is right (kept as is when IoU ≥ 0.75, else corrected
// to the true box), any other is wrong (deleted); true boxes left unmatched are drawn. An image
// without prelabels is drawn from scratch. Human actions = boxes drawn + deleted + corrected;
// without assist the same images cost one drawn box per true box.
//
// Figures per seed and at checkpoints of 10/20/40 submitted images (and the end of the queue):
// prelabel boxes shown, their REALIZED precision against ground truth, recall of the prelabels on
// the images that had them, coverage of the remaining images, human actions with and without assist.
import { mkdirSync, writeFileSync } from 'node:fs';
import { type Annotation, type AssistImage, type Assistant, type DetectResult, type ItemView, MemoryStore, ProjectRegistry } from '../packages/core/src/index.js';
import { AssistLoop, type AssistLoopOptions, createAssistant } from '../packages/ml/src/index.js';
import { type CocoImage, loadCoco } from '../packages/ml/test/coco.js';
import { ORT_WASM_DIR, modelBytes } from '../packages/ml/test/fixtures.js';
import { arg, flag } from './lib/args.js';
import { mulberry32 } from '../packages/core/src/util/prng.js';

const quick = flag('quick');
const SEEDS = Number(arg('seeds', quick ? '1' : '5'));
const VARIANTS = Number(arg('variants', quick ? '6' : '12'));
const EVERY = Number(arg('every', '5'));
const TAG = arg('tag', 'run');
/** Extra AssistLoop options as JSON (e.g. `--loop '{"marginal":0.25}'`); default none: the loop's defaults. */
const LOOP = JSON.parse(arg('loop', '{}')) as Partial<AssistLoopOptions>;
const TARGET = 0.95;
const CHECKPOINTS = [10, 20, 40];
/** IoU at or above which a shown box counts as right (COCO AP50). */
const RIGHT_IOU = 0.5;
/** A right box this loose (IoU below) is corrected by the labeler (COCO AP75). */
const TIGHT_IOU = 0.75;
const MIN_VISIBLE = 0.3;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Scene {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
  readonly boxes: readonly Box[];
}

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

/** The part of a box inside [0, w) × [0, h), and the share of its area that is. */
function clip(b: Box, w: number, h: number): { box: Box; visible: number } {
  const x0 = Math.max(0, b.x);
  const y0 = Math.max(0, b.y);
  const x1 = Math.min(w, b.x + b.w);
  const y1 = Math.min(h, b.y + b.h);
  const box = { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
  return { box, visible: b.w * b.h > 0 ? (box.w * box.h) / (b.w * b.h) : 0 };
}

interface Transform {
  flip: boolean;
  /** Crop window in source pixels. */
  cx: number;
  cy: number;
  cw: number;
  ch: number;
  /** Output pixels per source pixel. */
  scale: number;
  brightness: number;
}

/** Crops, rescales (bilinear), mirrors and brightens RGBA pixels; moves the boxes with them. */
function augment(src: Scene, t: Transform, name: string): Scene {
  const W = Math.max(32, Math.round(t.cw * t.scale));
  const H = Math.max(32, Math.round(t.ch * t.scale));
  const out = new Uint8ClampedArray(W * H * 4);
  const sx = t.cw / W;
  const sy = t.ch / H;
  for (let y = 0; y < H; y++) {
    const fy = Math.min(src.height - 1, Math.max(0, t.cy + (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(src.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < W; x++) {
      const ox = t.flip ? W - 1 - x : x;
      const fx = Math.min(src.width - 1, Math.max(0, t.cx + (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(src.width - 1, x0 + 1);
      const wx = fx - x0;
      const o = (y * W + ox) * 4;
      for (let c = 0; c < 3; c++) {
        const a = src.data[(y0 * src.width + x0) * 4 + c]! * (1 - wx) + src.data[(y0 * src.width + x1) * 4 + c]! * wx;
        const b = src.data[(y1 * src.width + x0) * 4 + c]! * (1 - wx) + src.data[(y1 * src.width + x1) * 4 + c]! * wx;
        out[o + c] = (a * (1 - wy) + b * wy) * t.brightness;
      }
      out[o + 3] = 255;
    }
  }
  const boxes: Box[] = [];
  for (const b of src.boxes) {
    const moved = { x: (b.x - t.cx) * (W / t.cw), y: (b.y - t.cy) * (H / t.ch), w: b.w * (W / t.cw), h: b.h * (H / t.ch) };
    const { box, visible } = clip(moved, W, H);
    if (visible < MIN_VISIBLE || box.w < 2 || box.h < 2) continue;
    boxes.push(t.flip ? { ...box, x: W - box.x - box.w } : box);
  }
  return { name, width: W, height: H, data: out, boxes };
}

/** The augmented set of one seed: per scene the original, its mirror and random variants. */
function augmentedSet(scenes: readonly Scene[], seed: number, variants: number): Scene[] {
  const rnd = mulberry32(seed * 7919 + 17);
  const set: Scene[] = [];
  for (const s of scenes) {
    const whole = { cx: 0, cy: 0, cw: s.width, ch: s.height, scale: 1, brightness: 1 };
    set.push(augment(s, { ...whole, flip: false }, `${s.name}/orig`));
    if (variants > 1) set.push(augment(s, { ...whole, flip: true }, `${s.name}/mirror`));
    for (let v = 2; v < variants; v++) {
      let t: Transform | undefined;
      for (let attempt = 0; attempt < 30; attempt++) {
        const fw = 0.6 + 0.4 * rnd();
        const fh = 0.6 + 0.4 * rnd();
        const cw = s.width * fw;
        const ch = s.height * fh;
        const cand: Transform = {
          flip: rnd() < 0.5,
          cx: (s.width - cw) * rnd(),
          cy: (s.height - ch) * rnd(),
          cw,
          ch,
          scale: 0.6 + 0.6 * rnd(),
          brightness: 0.7 + 0.6 * rnd(),
        };
        t = cand;
        const cut = s.boxes.some((b) => {
          const { visible } = clip({ ...b, x: b.x - cand.cx, y: b.y - cand.cy }, cand.cw, cand.ch);
          return visible > 0.05 && visible < 0.5;
        });
        if (!cut) break;
      }
      set.push(augment(s, t!, `${s.name}/v${v}`));
    }
  }
  return set;
}

/**
 * The assistant with detections memoized by image: every calibration runs the detector again on
 * all labeled images and every inference on all todo ones; the detector is deterministic, so
 * repeating it changes no figure, only the time. `--no-cache` runs it every time.
 */
const CACHE = !flag('no-cache');
let detectSeconds = 0;
function memoized(inner: Assistant): Assistant {
  const seen = new Map<ArrayLike<number>, DetectResult['detections'][number]>();
  return {
    requestedDevice: inner.requestedDevice,
    device: (o) => inner.device(o),
    featurize: (i, o) => inner.featurize(i, o),
    cluster: (e, o) => inner.cluster(e, o),
    train: (e, r, o) => inner.train(e, r, o),
    predict: (h, e, o) => inner.predict(h, e, o),
    async detect(images, options) {
      const key = (img: AssistImage) => (img as { data: Uint8ClampedArray }).data;
      const missing = images.map((_, k) => k).filter((k) => !CACHE || !seen.has(key(images[k]!)));
      const t0 = performance.now();
      let run: DetectResult['run'] | undefined;
      const failed: DetectResult['failed'][number][] = [];
      if (missing.length) {
        // A copy: the assistant may transfer (detach) the buffers it is given.
        const copies = missing.map((k) => {
          const img = images[k] as { width: number; height: number; data: Uint8ClampedArray };
          return { width: img.width, height: img.height, data: img.data.slice() };
        });
        const res = await inner.detect(copies, options);
        run = res.run;
        for (const f of res.failed) failed.push({ ...f, index: missing[f.index]! });
        missing.forEach((k, j) => seen.set(key(images[k]!), res.detections[j] ?? []));
      }
      detectSeconds += (performance.now() - t0) / 1000;
      const device = await inner.device();
      return {
        detections: images.map((img) => seen.get(key(img)) ?? []),
        failed,
        run: run ?? { kind: 'inference', status: 'completed', device, startedAt: Date.now(), finishedAt: Date.now(), timings: {}, metrics: { cached: images.length } },
      };
    },
    dispose: () => inner.dispose(),
  };
}

interface Checkpoint {
  /** Submitted images; 'end': the queue ran out. */
  at: number | 'end';
  submitted: number;
  /** Images submitted with no prelabel shown. */
  human: number;
  remaining: number;
  /** Share of the remaining todo images that carry prelabels. */
  coverage: number;
  shown: number;
  right: number;
  windowShown: number;
  windowRight: number;
  /** True boxes on the images that had prelabels, and how many of them a right prelabel covered. */
  truthOnPrelabeled: number;
  actions: number;
  actionsWithout: number;
}

interface SeedResult {
  seed: number;
  images: number;
  truthBoxes: number;
  calibrations: { labeled: number; threshold: number | null; precision: number; support: number; recall: number }[];
  prelabeledImages: number;
  shown: number;
  right: number;
  truthOnPrelabeled: number;
  kept: number;
  corrected: number;
  deleted: number;
  /** The wrong boxes shown: image, confidence, best IoU with a true box, submitted images before it. */
  wrong: { image: string; confidence: number; iou: number; at: number }[];
  /** The realized watch's actions (validation runs with check 'realized'). */
  watch: { action: string; threshold: number | null; previousThreshold: number; realizedPrecision: number; realizedShown: number; withdrawn: number }[];
  drawn: number;
  actions: number;
  actionsWithout: number;
  checkpoints: Checkpoint[];
  seconds: number;
  detectSeconds: number;
}

async function simulate(seed: number, scenes: readonly Scene[], assistant: Assistant): Promise<SeedResult> {
  const t0 = performance.now();
  detectSeconds = 0;
  const set = augmentedSet(scenes, seed, VARIANTS);
  const project = await new ProjectRegistry(new MemoryStore()).create(
    {
      name: `boxes ${seed}`,
      kind: 'image-object-detection',
      labels: ['person'],
      assist: { enabled: true, firstTrainingAt: EVERY, retrainEvery: EVERY, targetPrecision: TARGET, clustering: false },
      seed,
    },
    { actor: { id: 'sim', role: 'owner' } },
  );
  await project.addItems(set.map((s, i) => ({ path: `aug/${String(i).padStart(3, '0')}/${s.name}.png`, etag: `"${seed}-${i}"` })));
  await project.setItemSizes(set.map((s, item) => ({ item, width: s.width, height: s.height })));
  const person = project.labels[0]!.id;
  const scene = (it: ItemView) => set[Number(it.path.slice(4, 7))]!;
  const loop = new AssistLoop({
    project,
    assistant,
    // The same pixels object per image, so the memoized detector knows it again.
    readImage: async (it) => {
      const s = scene(it);
      return { width: s.width, height: s.height, data: s.data };
    },
    detectorLabels: { 0: person },
    seed,
    ...LOOP,
  });
  const r: SeedResult = {
    seed,
    images: set.length,
    truthBoxes: set.reduce((n, s) => n + s.boxes.length, 0),
    calibrations: [],
    prelabeledImages: 0,
    shown: 0,
    right: 0,
    truthOnPrelabeled: 0,
    kept: 0,
    corrected: 0,
    deleted: 0,
    wrong: [],
    watch: [],
    drawn: 0,
    actions: 0,
    actionsWithout: 0,
    checkpoints: [],
    seconds: 0,
    detectSeconds: 0,
  };
  let submitted = 0;
  let human = 0;
  let last = { shown: 0, right: 0 };
  const checkpoint = (at: number | 'end'): Checkpoint => {
    const todo = [...project.items({ states: ['todo'] })];
    const c: Checkpoint = {
      at,
      submitted,
      human,
      remaining: todo.length,
      coverage: todo.length ? todo.filter((it) => it.prelabels?.length).length / todo.length : 0,
      shown: r.shown,
      right: r.right,
      windowShown: r.shown - last.shown,
      windowRight: r.right - last.right,
      truthOnPrelabeled: r.truthOnPrelabeled,
      actions: r.actions,
      actionsWithout: r.actionsWithout,
    };
    last = { shown: r.shown, right: r.right };
    return c;
  };
  await loop.step();
  let next = 0;
  for (;;) {
    const task = await project.nextTask({ size: 1 });
    if (!task) break;
    const results = task.items.map((it) => {
      const truth = scene(it).boxes;
      const pre = (it.prelabels ?? [])
        .filter((a): a is Extract<Annotation, { kind: 'box' }> => a.kind === 'box')
        .slice()
        .sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0));
      const matched = new Set<number>();
      const out: Annotation[] = [];
      if (pre.length) {
        r.prelabeledImages++;
        r.truthOnPrelabeled += truth.length;
      } else human++;
      for (const p of pre) {
        r.shown++;
        let best = -1;
        let bestIou = RIGHT_IOU;
        truth.forEach((t, k) => {
          const v = iou(p, t);
          if (!matched.has(k) && v >= bestIou) [best, bestIou] = [k, v];
        });
        if (best < 0) {
          r.deleted++;
          r.wrong.push({ image: scene(it).name, confidence: p.confidence ?? 0, iou: Math.max(0, ...truth.map((t) => iou(p, t))), at: submitted });
          continue;
        }
        matched.add(best);
        r.right++;
        if (bestIou >= TIGHT_IOU) {
          r.kept++;
          out.push({ kind: 'box', label: person, x: p.x, y: p.y, w: p.w, h: p.h });
        } else {
          r.corrected++;
          out.push({ kind: 'box', label: person, ...truth[best]! });
        }
      }
      truth.forEach((t, k) => {
        if (matched.has(k)) return;
        r.drawn++;
        out.push({ kind: 'box', label: person, ...t });
      });
      r.actions = r.drawn + r.deleted + r.corrected;
      r.actionsWithout += truth.length;
      return { item: it.index, annotations: out };
    });
    await project.submit(task.id, results);
    submitted += task.items.length;
    await loop.step();
    while (next < CHECKPOINTS.length && submitted >= CHECKPOINTS[next]!) r.checkpoints.push(checkpoint(CHECKPOINTS[next++]!));
  }
  r.checkpoints.push(checkpoint('end'));
  for (const run of project.runs) {
    const w = run.metrics as Record<string, number | string | null> | undefined;
    if (run.kind === 'validation' && run.params?.check === 'realized' && w) {
      r.watch.push({
        action: String(w.action),
        threshold: w.threshold as number | null,
        previousThreshold: w.previousThreshold as number,
        realizedPrecision: w.realizedPrecision as number,
        realizedShown: w.realizedShown as number,
        withdrawn: w.withdrawn as number,
      });
    }
    if (run.kind !== 'training' || run.status !== 'completed') continue;
    const m = run.metrics as Record<string, number | null>;
    r.calibrations.push({
      labeled: m.images as number,
      threshold: m.threshold ?? null,
      precision: m.precision as number,
      support: m.support as number,
      recall: m.recall as number,
    });
  }
  project.close();
  r.seconds = (performance.now() - t0) / 1000;
  r.detectSeconds = detectSeconds;
  return r;
}

/** Wilson lower bound (one-sided 95 %, z = 1.645). */
function wilsonLower(k: number, n: number, z = 1.645): number {
  if (!n) return 0;
  const p = k / n;
  const d = 1 + (z * z) / n;
  return (p + (z * z) / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
}
const pct = (x: number, n = 1) => (Number.isFinite(x) ? `${(x * 100).toFixed(n)} %` : '—');
const ratio = (k: number, n: number) => (n ? `${pct(k / n)} (${k}/${n})` : '—');

const coco: CocoImage[] = await loadCoco();
const scenes: Scene[] = coco.map((c) => ({ name: c.file.replace('.jpg', ''), width: c.width, height: c.height, data: c.data, boxes: c.boxes }));
const assistant = memoized(
  createAssistant({
    device: 'wasm',
    inProcess: true,
    wasmPaths: ORT_WASM_DIR,
    models: { detector: { format: 'yolox', source: modelBytes('yolox_nano'), preprocess: { width: 416, height: 416, fit: 'letterbox', pad: 114, channels: 'bgr' } } },
  }),
);
console.log(
  `assist-boxes benchmark [${TAG}]: 4 COCO scenes × ${VARIANTS} variants, seeds 1–${SEEDS}, yolox_nano (WASM), calibration every ${EVERY} labeled images, target ${TARGET}, right at IoU ≥ ${RIGHT_IOU}, loop options ${JSON.stringify(LOOP)}`,
);
const results: SeedResult[] = [];
console.log(
  '\n| seed | images (true boxes) | prelabeled images | box prelabels shown | realized precision | recall on prelabeled images | kept / corrected / deleted / drawn | actions: assist vs none | thresholds | seconds |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (let seed = 1; seed <= SEEDS; seed++) {
  const r = await simulate(seed, scenes, assistant);
  results.push(r);
  const thresholds = r.calibrations.map((c) => (c.threshold === null ? '—' : c.threshold.toFixed(2))).join(' ');
  console.log(
    `| ${seed} | ${r.images} (${r.truthBoxes}) | ${r.prelabeledImages} | ${r.shown} | ${ratio(r.right, r.shown)} | ${ratio(r.right, r.truthOnPrelabeled)} | ${r.kept} / ${r.corrected} / ${r.deleted} / ${r.drawn} | ${r.actions} vs ${r.actionsWithout} (${pct(r.actions / r.actionsWithout, 0)}) | ${thresholds} | ${r.seconds.toFixed(0)} (detector ${r.detectSeconds.toFixed(0)}) |`,
  );
}
console.log('\nCheckpoints (submitted images; human = submitted with no prelabel shown)');
console.log('| seed | submitted | human | remaining | coverage of remaining | shown | realized precision | since last checkpoint | actions: assist vs none |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results)
  for (const c of r.checkpoints) {
    const flag = c.windowShown && c.windowRight / c.windowShown < TARGET ? ' ✗' : '';
    console.log(
      `| ${r.seed} | ${c.at === 'end' ? `${c.submitted} (end)` : c.submitted} | ${c.human} | ${c.remaining} | ${pct(c.coverage)} | ${c.shown} | ${ratio(c.right, c.shown)} | ${c.windowShown ? ratio(c.windowRight, c.windowShown) + flag : '—'} | ${c.actions} vs ${c.actionsWithout} |`,
    );
  }
const sum = (f: (r: SeedResult) => number) => results.reduce((n, r) => n + f(r), 0);
const pooled = {
  shown: sum((r) => r.shown),
  right: sum((r) => r.right),
  truthOnPrelabeled: sum((r) => r.truthOnPrelabeled),
  actions: sum((r) => r.actions),
  actionsWithout: sum((r) => r.actionsWithout),
};
console.log(
  `\nAll seeds: realized precision ${ratio(pooled.right, pooled.shown)}, Wilson 95 % lower bound ${pct(wilsonLower(pooled.right, pooled.shown))} (the seeds share 4 scenes: not independent); recall on prelabeled images ${ratio(pooled.right, pooled.truthOnPrelabeled)}; actions ${pooled.actions} vs ${pooled.actionsWithout} without assist (${pct(pooled.actions / pooled.actionsWithout, 0)}).`,
);
await assistant.dispose();
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
const file = TAG === 'run' ? 'results/assist-boxes.json' : `results/assist-boxes-${TAG}.json`;
writeFileSync(
  new URL(file, import.meta.url),
  JSON.stringify({ scenes: 4, variants: VARIANTS, loop: LOOP, seeds: SEEDS, every: EVERY, target: TARGET, rightIou: RIGHT_IOU, tightIou: TIGHT_IOU, pooled, results }, null, 1),
);
