// `npm run bench -- assist [--quick] [--seeds 3] [--items 1000] [--featurizers builtin,yolox] [--tag after] [--order informative] [--to-end]`
//
// A simulated labeler on MNIST digits, driving ML assist through the public API only (a core
// Project, @labelkit/ml's createAssistant and AssistLoop), the way a host app runs it: after every
// page the labeler submits, the loop gets a step (as attachAssist schedules one after each quiet
// period). The labeler takes pages of 9 from the queue (prelabeled lane first), accepts a right
// prelabel, corrects a wrong one, and labels the rest from scratch. Project defaults: first training
// at 50 labels, then every 50, target precision 0.95, clustering on.
//
// Featurizers NOT trained on the digits (every real user's situation): the demo's built-in one
// (random convolutional features, examples/vanilla/src/featurizer.ts) and yolox_nano's backbone
// (trained on COCO). `mnist` (mnist.onnx, trained on these very digits) is a reference only.
//
// Checkpoints at 50/100/200/400 human labels (items labeled with no prelabel shown): coverage
// (share of the remaining todo items that carry a prelabel), REALIZED precision of the prelabels
// shown so far and since the last checkpoint (against ground truth), and human actions (labels
// from scratch + corrections). Goal: realized precision ≥ target at every checkpoint.
//
// Run the same file against older code (a `git worktree` of an earlier commit) for before/after:
// it uses only APIs both have.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type Assistant, type AssistImage, type ItemView, MemoryStore, ProjectRegistry } from '../packages/core/src/index.js';
import { AssistLoop, type AssistLoopOptions, createAssistant, type FeaturizerSpec } from '../packages/ml/src/index.js';
import { MNIST_EMBEDDING, ORT_WASM_DIR, YOLOX_BACKBONE, modelBytes } from '../packages/ml/test/fixtures.js';
import { type Digit, digitImage, loadDigits } from '../packages/ml/test/mnist.js';
import { nodeDigitSource } from '../packages/ml/test/mnist-node.js';
import { BUILTIN_FEATURIZER, buildFeaturizerModel } from '../examples/vanilla/src/featurizer.js';
import { arg, flag } from './lib/args.js';

const quick = flag('quick');
const ITEMS = Number(arg('items', quick ? '400' : '1000'));
const SEEDS = Number(arg('seeds', quick ? '1' : '3'));
/** `--seed-list 2,3`: only these seeds (to run seeds in separate processes). */
const SEED_LIST = arg('seed-list', '').split(',').filter(Boolean).map(Number);
const FEATURIZERS = arg('featurizers', 'builtin,yolox').split(',') as Name[];
const TAG = arg('tag', 'run');
/** `--loop '{"confidence":0.99}'`: AssistLoop options for an experiment (defaults otherwise). */
const LOOP = JSON.parse(arg('loop', '{}')) as Partial<AssistLoopOptions>;
/** `--order informative`: the project's queue.order (active ordering); default shuffled. */
const ORDER = arg('order', 'shuffled') as 'shuffled' | 'informative';
/** `--to-end`: go on past the last checkpoint until the queue is done (an 'end' checkpoint). */
const TO_END = flag('to-end');
const CHECKPOINTS = [50, 100, 200, 400];
const TARGET = 0.95;

type Name = 'builtin' | 'yolox' | 'mnist';

function spec(name: Name): FeaturizerSpec {
  if (name === 'builtin')
    return {
      source: buildFeaturizerModel(),
      preprocess: BUILTIN_FEATURIZER.preprocess,
    };
  if (name === 'yolox')
    return {
      source: modelBytes('yolox_nano'),
      preprocess: {
        width: 416,
        height: 416,
        fit: 'letterbox',
        pad: 114,
        channels: 'bgr',
      },
      embedding: { tensor: YOLOX_BACKBONE, pool: 'avg' },
    };
  return {
    source: modelBytes('mnist'),
    preprocess: { width: 28, height: 28, channels: 'gray' },
    embedding: { tensor: MNIST_EMBEDDING },
  };
}

/** Seconds spent in the assistant's calls during one simulation (where a run's time goes). */
let spent: Record<string, number> = {};
async function timed<T>(what: string, p: Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await p;
  } finally {
    spent[what] = (spent[what] ?? 0) + (performance.now() - t0) / 1000;
  }
}

/**
 * Embeddings of the digits (index in the seed-7 digit sequence → row), kept in .cache/ between
 * runs (`--no-cache`: featurize again): featurizing is the same work in every run and every seed,
 * and yolox takes minutes of it. The digit sequence is a prefix sequence, so any --items reuses it.
 */
const CACHE = !flag('no-cache');
const cacheFile = (name: Name) => new URL(`../.cache/assist-embeddings/${name}.f32`, import.meta.url);
function loadRows(name: Name): { rows: Map<number, Float32Array>; dim: number } {
  const rows = new Map<number, Float32Array>();
  if (!CACHE || !existsSync(cacheFile(name))) return { rows, dim: 0 };
  const buf = readFileSync(cacheFile(name));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const dim = all[0]!;
  for (let i = 0, o = 1; o + dim <= all.length; i++, o += dim) rows.set(i, all.slice(o, o + dim));
  return { rows, dim };
}
function saveRows(name: Name, rows: Map<number, Float32Array>, dim: number): void {
  if (!CACHE || !dim) return;
  let count = 0;
  while (rows.has(count)) count++;
  const all = new Float32Array(1 + count * dim);
  all[0] = dim;
  for (let i = 0; i < count; i++) all.set(rows.get(i)!, 1 + i * dim);
  mkdirSync(new URL('../.cache/assist-embeddings/', import.meta.url), { recursive: true });
  writeFileSync(cacheFile(name), all);
}

/**
 * The assistant, with featurization memoized by digit: seeds share the images, so each is
 * featurized once (the same rows the assistant would compute again), and kept in .cache/.
 */
function memoized(inner: Assistant, index: Map<Uint8Array, number>, name: Name): Assistant & { save(): void } {
  const loaded = loadRows(name);
  const rows = loaded.rows;
  let dim = loaded.dim;
  return {
    save: () => saveRows(name, rows, dim),
    requestedDevice: inner.requestedDevice,
    device: (o) => inner.device(o),
    async featurize(images, options) {
      const keys = images.map((img) => index.get((img as { data: Uint8Array }).data) ?? -1);
      const missing = images.filter((_, k) => keys[k] < 0 || !rows.has(keys[k]));
      const missingKeys = keys.filter((key) => key < 0 || !rows.has(key));
      let run;
      if (missing.length) {
        const res = await timed('featurize', inner.featurize(missing, options));
        dim = res.embeddings.cols;
        run = res.run;
        missingKeys.forEach((key, k) => rows.set(key, res.embeddings.data.slice(k * dim, (k + 1) * dim)));
      }
      const data = new Float32Array(images.length * dim);
      keys.forEach((key, k) => data.set(rows.get(key)!, k * dim));
      const device = await inner.device();
      return {
        embeddings: { rows: images.length, cols: dim, data },
        failed: [],
        run: run ?? {
          kind: 'featurization',
          status: 'completed',
          device,
          startedAt: Date.now(),
          finishedAt: Date.now(),
          timings: {},
          metrics: { cached: images.length },
        },
      };
    },
    cluster: (e, o) => timed('cluster', inner.cluster(e, o)),
    train: (e, r, o) => timed('train', inner.train(e, r, o)),
    predict: (h, e, o) => timed('predict', inner.predict(h, e, o)),
    detect: (i, o) => inner.detect(i, o),
    dispose: () => inner.dispose(),
  };
}

interface Checkpoint {
  /** 'end': the queue ran out before the next checkpoint. */
  at: number | 'end';
  human: number;
  labeled: number;
  remaining: number;
  coverage: number;
  shown: number;
  right: number;
  windowShown: number;
  windowRight: number;
  actions: number;
}

/** One validation or inference run (a round's threshold, a realized-precision check, what was prelabeled) and when it came. */
interface Round {
  kind: string;
  human: number;
  labeled: number;
  metrics: Record<string, unknown>;
  params: Record<string, unknown>;
}

async function simulate(
  name: Name,
  seed: number,
  digits: Digit[],
  assistant: Assistant,
  index: Map<Uint8Array, number>,
): Promise<{ checkpoints: Checkpoint[]; seconds: number; trainings: number; spent: Record<string, number>; rounds: Round[]; log: [number, number, number][] }> {
  const t0 = performance.now();
  spent = {};
  const registry = new ProjectRegistry(new MemoryStore());
  const labels = Array.from({ length: 10 }, (_, d) => String(d));
  const project = await registry.create(
    {
      name: `bench ${name} ${seed}`,
      kind: 'image-classification-multiclass',
      labels,
      assist: { enabled: true },
      queue: { order: ORDER },
      seed,
    },
    { actor: { id: 'sim', role: 'owner' } },
  );
  await project.addItems(
    digits.map((_, i) => ({
      path: `d/${String(i).padStart(5, '0')}.png`,
      etag: `"${i}"`,
    })),
  );
  const readImage = async (item: ItemView): Promise<AssistImage> => {
    const img = digitImage(digits[Number(item.path.slice(2, 7))]);
    index.set(img.data, Number(item.path.slice(2, 7)));
    return img;
  };
  const loop = new AssistLoop({
    project,
    assistant,
    readImage,
    featurizerKey: name,
    batch: 64,
    seed,
    ...LOOP,
  });
  const id = new Map(project.labels.map((l) => [l.name, l.id]));
  const truth = (it: ItemView) => id.get(String(digits[Number(it.path.slice(2, 7))].label))!;
  let human = 0;
  let shown = 0;
  let right = 0;
  let actions = 0;
  let last = { shown: 0, right: 0 };
  const checkpoints: Checkpoint[] = [];
  // What each validation and inference run decided (at how many human labels), and each prelabel shown:
  // [human labels so far, its confidence, 1 right / 0 wrong] — to see where the errors come from.
  const rounds: Round[] = [];
  const log: [number, number, number][] = [];
  let seenRuns = 0;
  const noteRounds = () => {
    const runs = project.runs;
    for (; seenRuns < runs.length; seenRuns++) {
      const r = runs[seenRuns]!;
      if ((r.kind === 'validation' || r.kind === 'inference') && r.status === 'completed')
        rounds.push({ kind: r.kind, human, labeled: project.stats().counts.labeled, metrics: r.metrics ?? {}, params: r.params ?? {} });
    }
  };
  await loop.step();
  noteRounds();
  let next = 0;
  while (next < CHECKPOINTS.length || TO_END) {
    const task = await project.nextTask({ size: 9 });
    if (!task) break;
    const results = task.items.map((it) => {
      const label = truth(it);
      if (it.prelabels?.length) {
        shown++;
        const ok = it.prelabels[0].label === label;
        log.push([human, Math.round((it.prelabels[0].confidence ?? 0) * 1e4) / 1e4, ok ? 1 : 0]);
        if (ok) right++;
        else actions++;
      } else {
        human++;
        actions++;
      }
      return {
        item: it.index,
        annotations: [{ kind: 'class' as const, label }],
      };
    });
    await project.submit(task.id, results);
    await loop.step();
    noteRounds();
    while (next < CHECKPOINTS.length && human >= CHECKPOINTS[next]) {
      checkpoints.push(checkpoint(CHECKPOINTS[next]));
      next++;
    }
  }
  if (next < CHECKPOINTS.length || TO_END) checkpoints.push(checkpoint('end'));
  function checkpoint(at: number | 'end'): Checkpoint {
    const todo = [...project.items({ states: ['todo'] })];
    const stats = project.stats();
    const c: Checkpoint = {
      at,
      human,
      labeled: stats.counts.labeled,
      remaining: todo.length,
      coverage: todo.length ? todo.filter((it) => it.prelabels?.length).length / todo.length : 0,
      shown,
      right,
      windowShown: shown - last.shown,
      windowRight: right - last.right,
      actions,
    };
    last = { shown, right };
    return c;
  }
  const trainings = project.runs.filter((r) => r.kind === 'training' && r.status === 'completed').length;
  project.close();
  return { checkpoints, seconds: (performance.now() - t0) / 1000, trainings, spent, rounds, log };
}

const pct = (x: number, n = 1) => (Number.isFinite(x) ? `${(x * 100).toFixed(n)} %` : '—');

const digits = await loadDigits(nodeDigitSource, ITEMS, { seed: 7 });
const results: Record<string, unknown[]> = {};
console.log(
  `assist benchmark [${TAG}]: ${ITEMS} MNIST digits, seeds ${SEED_LIST.length ? SEED_LIST.join(',') : SEEDS}, featurizers ${FEATURIZERS.join(', ')}, target ${TARGET}, order ${ORDER}${TO_END ? ' (to the end)' : ''}, loop options ${JSON.stringify(LOOP)}`,
);
for (const name of FEATURIZERS) {
  const index = new Map<Uint8Array, number>();
  const assistant = memoized(
    createAssistant({
      device: 'wasm',
      inProcess: true,
      wasmPaths: ORT_WASM_DIR,
      models: { featurizer: spec(name) },
    }),
    index,
    name,
  );
  results[name] = [];
  console.log(`\n${name}${name === 'mnist' ? ' (reference: trained on MNIST)' : ''}`);
  console.log('| seed | human labels | labeled | coverage of remaining | prelabels shown | realized precision (all shown) | since last checkpoint | human actions |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const seed of SEED_LIST.length ? SEED_LIST : Array.from({ length: SEEDS }, (_, i) => i + 1)) {
    const r = await simulate(name, seed, digits, assistant, index);
    assistant.save();
    results[name].push({ seed, ...r });
    for (const c of r.checkpoints) {
      const flag = c.windowShown && c.windowRight / c.windowShown < TARGET ? ' ✗' : '';
      console.log(
        `| ${seed} | ${c.at === 'end' ? `${c.human} (queue done)` : c.human} | ${c.labeled} | ${pct(c.coverage)} | ${c.shown} | ${c.shown ? pct(c.right / c.shown) : '—'} | ${
          c.windowShown ? `${pct(c.windowRight / c.windowShown)} (${c.windowRight}/${c.windowShown})${flag}` : '—'
        } | ${c.actions} |`,
      );
    }
    const where = Object.entries(r.spent)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ');
    console.log(`|   | (${r.trainings} trainings, ${r.seconds.toFixed(0)} s: ${where}) | | | | | | |`);
  }
  await assistant.dispose();
}
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`results/assist-${TAG}.json`, import.meta.url), JSON.stringify({ items: ITEMS, seeds: SEEDS, target: TARGET, results }, null, 1));
