// `npm run bench -- ml [--quick]`: @labelkit/ml against its baselines, in the same run.
//
// 1. Embeddings per second on yolox_nano's backbone (416², cut at dark5 and average-pooled) and on
//    mnist.onnx (cut at its 256-wide layer): onnxruntime-web WASM in Node with 1 and 2 threads
//    (each in its own process: the thread count is fixed once ORT starts) against
//    onnxruntime-node (native CPU) on the same cut model and the same input tensors.
// 2. The WebGPU figure in headless Chromium on SwiftShader (software: for the record only).
// 3. k-means on 100k × 512, k = 100: per Lloyd iteration from the same k-means++ seeds, our
//    distance step as a matrix product (ORT Gemm graph on WASM, 2 threads; and the typed-array
//    kernel) against ml-kmeans in this process; and our time to convergence.
//    Then the scale figure: 500,000 × 256, k = 100, ours (the default) to convergence, beside Lloyd
//    converged from the same seeds (inertia reference), the previous default, plain Lloyd per
//    iteration and ml-kmeans per iteration on the same data in the same run
//    (bench/results/kmeans-scale.json).
// 4. Head training: softmax heads on real mnist embeddings and on 5,000 × 512 synthetic rows.
//
// `--scale` runs the 500,000 × 256 k-means figure alone (no onnxruntime-node needed).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { kmeansGenerator } from 'ml-kmeans';
import { cutModel } from '../packages/ml/src/onnx/model.js';
import { preprocess } from '../packages/ml/src/preprocess.js';
import { jsAssignKernel } from '../packages/ml/src/numerics/assign.js';
import { createOrtAssignKernel } from '../packages/ml/src/numerics/ort-assign.js';
import { kmeans, kmeansPlusPlus } from '../packages/ml/src/numerics/kmeans.js';
import { trainHead } from '../packages/ml/src/numerics/head.js';
import { createAssistant } from '../packages/ml/src/assistant.js';
import { ORT_WASM_DIR } from '../packages/ml/test/fixtures.js';
import { loadCoco } from '../packages/ml/test/coco.js';
import { digitImage, loadDigits } from '../packages/ml/test/mnist.js';
import { nodeDigitSource } from '../packages/ml/test/mnist-node.js';
import { browserFigures } from './ml/browser.js';
import { featurizer, kmeansData, median, type ModelName } from './ml/shared.js';

// The native baseline is not a dependency of the repository (its install script downloads CUDA
// libraries on Linux x64): `npm run bench -- ml` installs the pinned onnxruntime-node on demand
// (scripts/bench.mjs). Its API is onnxruntime-common's, the same as onnxruntime-web's.
const NATIVE = 'onnxruntime-node';
const scaleOnly = process.argv.includes('--scale');
const ortNode: typeof import('onnxruntime-web') = scaleOnly
  ? (undefined as never)
  : await import(NATIVE).catch((err: Error) => {
      throw new Error(`${NATIVE} is not installed (${err.message}). Run the benchmark with \`npm run bench -- ml\`, which installs it for this run.`);
    });

const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));
const IMAGES: Record<ModelName, number> = quick ? { mnist: 200, yolox: 12 } : { mnist: 1000, yolox: 40 };
const KM = quick ? { n: 20_000, d: 512, k: 100, iterations: 3 } : { n: 100_000, d: 512, k: 100, iterations: 5 };
const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

console.log(`@labelkit/ml benchmark${quick ? ' (quick)' : ''} — Node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);

if (!scaleOnly) {
  // ── 1. ORT-web WASM (child processes) ──
  type WebFig = { inferenceMs: number; totalMs: number; perSecond: number; dim: number };
  type Child = { threads: number; mnist: WebFig; yolox: WebFig };
  function child(threads: number): Child {
    const r = spawnSync('npx', ['tsx', '--conditions=source', 'bench/ml/ort-web-node.ts', String(threads), JSON.stringify({ images: IMAGES })], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const line = r.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop();
    if (r.status !== 0 || !line) throw new Error(`ort-web child (${threads} threads) failed:\n${r.stderr.slice(-2000)}`);
    return JSON.parse(line) as Child;
  }
  const web1 = child(1);
  const web2 = child(2);

  // ── onnxruntime-node on the same cut models and tensors ──
  async function nodeFigure(name: ModelName, threads: number): Promise<{ inferenceMs: number; perSecond: number }> {
    const spec = featurizer(name);
    const cut = cutModel(spec.source as Uint8Array, { outputs: [{ tensor: spec.embedding!.tensor, pool: spec.embedding!.pool }] });
    const session = await ortNode.InferenceSession.create(cut.bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    const p = spec.preprocess;
    const inputs: Float32Array[] = [];
    if (name === 'mnist') for (const d of await loadDigits(nodeDigitSource, IMAGES.mnist, { seed: 3 })) inputs.push(preprocess(digitImage(d), p).data);
    else {
      const coco = await loadCoco();
      for (let i = 0; i < IMAGES.yolox; i++) inputs.push(preprocess(coco[i % 4], p).data);
    }
    const dims = [1, p.channels === 'gray' ? 1 : 3, p.height, p.width];
    for (let i = 0; i < 3; i++) await session.run({ [session.inputNames[0]]: new ortNode.Tensor('float32', inputs[i], dims) });
    const t = performance.now();
    for (const x of inputs) await session.run({ [session.inputNames[0]]: new ortNode.Tensor('float32', x, dims) });
    const ms = (performance.now() - t) / inputs.length;
    await session.release();
    return { inferenceMs: ms, perSecond: 1000 / ms };
  }
  const native: Record<string, { inferenceMs: number; perSecond: number }> = {};
  for (const name of ['mnist', 'yolox'] as const) for (const th of [1, 2]) native[`${name}${th}`] = await nodeFigure(name, th);

  console.log('\nEmbeddings (ms per image, inference only; per second incl. preprocessing) — ratio = ORT-web ÷ onnxruntime-node, same threads');
  console.log('| model | runtime | threads | ms/image | embeddings/s | ratio vs native |');
  console.log('|---|---|---|---|---|---|');
  for (const name of ['yolox', 'mnist'] as const) {
    const label = name === 'yolox' ? `yolox_nano backbone → ${web1.yolox.dim}-d` : `mnist → ${web1.mnist.dim}-d`;
    for (const [th, web] of [
      [1, web1],
      [2, web2],
    ] as const) {
      const nat = native[`${name}${th}`];
      console.log(`| ${label} | onnxruntime-node (native) | ${th} | ${fmt(nat.inferenceMs, 3)} | ${fmt(nat.perSecond, 0)} | 1.00 |`);
      console.log(
        `| ${label} | onnxruntime-web WASM (Node) | ${th} | ${fmt(web[name].inferenceMs, 3)} | ${fmt(web[name].perSecond, 0)} | ${fmt(web[name].inferenceMs / nat.inferenceMs)}× slower |`,
      );
    }
  }

  // ── 2. WebGPU on SwiftShader ──
  try {
    const g = (await browserFigures({ device: 'webgpu', mnistImages: quick ? 20 : 50, yoloxImages: quick ? 1 : 3 })) as Record<
      ModelName,
      { device: string; note: string; images: number; inferenceMs: number; perSecond: number }
    >;
    console.log(`\nWebGPU in headless Chromium (${g.mnist.note}) — for the record: a software rasterizer, not a GPU`);
    console.log('| model | device used | images | ms/image | embeddings/s | vs ORT-web WASM 1 thread (Node) |');
    console.log('|---|---|---|---|---|---|');
    for (const name of ['yolox', 'mnist'] as const)
      console.log(
        `| ${name} | ${g[name].device} | ${g[name].images} | ${fmt(g[name].inferenceMs, 1)} | ${fmt(g[name].perSecond, 2)} | ${fmt(g[name].inferenceMs / web1[name].inferenceMs, 0)}× slower |`,
      );
  } catch (err) {
    console.log(`\nWebGPU figure not measured: ${(err as Error).message.split('\n')[0]}`);
  }
}

// ── 3. k-means ── (onnxruntime-web in this process with 2 threads; rounds alternate ours and
// ml-kmeans so that load on the machine hits both alike)
if (!scaleOnly) {
  const { n, d, k, iterations } = KM;
  const ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.numThreads = 2;
  ort.env.wasm.wasmPaths = ORT_WASM_DIR;
  const kernel = await createOrtAssignKernel(ort, 'wasm');
  const x = kmeansData(n, d, k);
  let t = performance.now();
  const init = kmeansPlusPlus(x, n, d, k, 1);
  const seedMs = performance.now() - t;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(x.subarray(i * d, (i + 1) * d)));
  const initRows: number[][] = [];
  for (let j = 0; j < k; j++) initRows.push(Array.from(init.subarray(j * d, (j + 1) * d)));
  const gen = kmeansGenerator(rows, k, { initialization: initRows, maxIterations: iterations + 1, tolerance: 0 });
  const ours: number[] = [];
  const theirs: number[] = [];
  const js: number[] = [];
  for (let r = 0; r < iterations; r++) {
    // Our first iteration from the seeds: every row changes cluster, the dearest iteration there is.
    ours.push((await kmeans(x, n, d, { k, initialCenters: init, kernel, maxIterations: 1, tolerance: 0 })).iterateMs);
    t = performance.now();
    gen.next();
    theirs.push(performance.now() - t);
    if (r < 2) js.push((await kmeans(x, n, d, { k, initialCenters: init, kernel: jsAssignKernel, maxIterations: 1, tolerance: 0 })).iterateMs);
  }
  const full = await kmeans(x, n, d, { k, initialCenters: init, kernel, maxIterations: 300 });
  const [o, m, j] = [median(ours), median(theirs), median(js)];
  console.log(
    `\nk-means, ${n.toLocaleString('en')} × ${d}, k = ${k}, same k-means++ seeds (ours seeds in ${fmt(seedMs / 1000)} s from a 10,000-row sample); median of ${iterations} alternating rounds`,
  );
  console.log('| implementation | s per Lloyd iteration | speed-up vs ml-kmeans |');
  console.log('|---|---|---|');
  console.log(`| ml-kmeans 7 (number[][], one thread) | ${fmt(m / 1000)} | 1.0× |`);
  console.log(`| ours, typed-array 4×4 blocked kernel (one thread) | ${fmt(j / 1000)} | ${fmt(m / j, 1)}× |`);
  console.log(`| ours, ORT Gemm graph on WASM, 2 threads | ${fmt(o / 1000)} | ${fmt(m / o, 1)}× |`);
  console.log(
    `Ours to convergence (WASM, 2 threads): ${full.iterations} iterations in ${fmt(full.iterateMs / 1000)} s${full.converged ? '' : ' (not converged)'} = ${fmt(full.iterateMs / full.iterations / 1000)} s per iteration (later iterations move few rows); ml-kmeans for as many iterations ≈ ${fmt((m * full.iterations) / 1000, 0)} s.`,
  );
  await kernel.dispose?.();
}

// ── 3b. k-means at scale: 500,000 × 256, k = 100 ──
// Ours as kmeans() runs by default (greedy k-means++ seeds, then Lloyd with bounds to
// convergence), timed from the raw rows; beside it, in the same process: plain Lloyd (no bounds)
// to convergence from the same seeds (the quality reference), the previous default (plain
// k-means++ seeds, Lloyd with bounds), and ml-kmeans per iteration from the plain k-means++ seeds.
{
  const [n, d, k] = quick ? [100_000, 256, 100] : [500_000, 256, 100];
  const ort = await import('onnxruntime-web/wasm');
  ort.env.wasm.numThreads = 2;
  ort.env.wasm.wasmPaths = ORT_WASM_DIR;
  const kernel = await createOrtAssignKernel(ort, 'wasm');
  const x = kmeansData(n, d, k, 77);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const timed = async <T>(run: () => Promise<T>): Promise<{ r: T; wall: number; cpu: number }> => {
    const [c, t] = [cpu(), performance.now()];
    const r = await run();
    return { r, wall: (performance.now() - t) / 1000, cpu: cpu() - c };
  };
  const load0 = (await import('node:os')).loadavg().map((v) => v.toFixed(1));
  // 1. The default, seeds included.
  const ours = await timed(() => kmeans(x, n, d, { k, seed: 1, kernel, maxIterations: 300 }));
  // 2. The quality reference: plain Lloyd (every row every iteration, no bounds) to convergence
  //    from ours' seeds.
  const greedySeeds = kmeansPlusPlus(x, n, d, k, 1, 10_000, 2 + Math.floor(Math.log(k)));
  const reference = await timed(() => kmeans(x, n, d, { k, initialCenters: greedySeeds, kernel, maxIterations: 300, bounds: false }));
  // 3. The previous default: plain k-means++ seeds, Lloyd with bounds.
  const before = await timed(async () => {
    const init = kmeansPlusPlus(x, n, d, k, 1);
    return { init, r: await kmeans(x, n, d, { k, initialCenters: init, kernel, maxIterations: 300 }) };
  });
  const init = before.r.init;
  await kernel.dispose?.();
  // 4. ml-kmeans on the same rows from the plain k-means++ seeds: per iteration (two iterations; it does not converge within this bench's time).
  let rows: number[][] | undefined = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(x.subarray(i * d, (i + 1) * d)));
  const initRows: number[][] = [];
  for (let j = 0; j < k; j++) initRows.push(Array.from(init.subarray(j * d, (j + 1) * d)));
  const gen = kmeansGenerator(rows, k, { initialization: initRows, maxIterations: 3, tolerance: 0 });
  const theirs: number[] = [];
  for (let r = 0; r < 2; r++) {
    const t2 = performance.now();
    gen.next();
    theirs.push(performance.now() - t2);
  }
  rows = undefined;
  const m = Math.min(...theirs) / 1000;
  const lloyd = before.r.r.iterations;
  const mlS = m * lloyd;
  const b = before.r.r;
  const o = ours.r;
  const ref = reference.r;
  const load = (await import('node:os')).loadavg().map((v) => v.toFixed(1));
  const kernelRows = (r: { distanceRows: number }) => r.distanceRows;
  console.log(
    `\nk-means at scale: ${n.toLocaleString('en')} × ${d}, k = ${k}, to convergence (no assignment changes, or the largest squared center move under 1e-6 of the mean squared row norm); ml-kmeans from the plain k-means++ seeds, over the ${lloyd} iterations Lloyd needs from them`,
  );
  console.log('| implementation | Lloyd iterations | rows through the distance kernel | s to convergence (wall) | CPU s (all threads) | inertia | vs ml-kmeans |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(
    `| ml-kmeans 7 (number[][], one thread): ${fmt(m)} s per iteration (best of 2) × ${lloyd} | ${lloyd} | ${(n * lloyd).toLocaleString('en')} | ≈ ${fmt(mlS, 0)} | – | – | 1.0× |`,
  );
  console.log(
    `| ours, plain Lloyd (no bounds) from the greedy seeds, ORT Gemm on WASM (2 threads): ${fmt(reference.wall / ref.iterations)} s per iteration | ${ref.iterations}${ref.converged ? '' : ' (not converged)'} | ${kernelRows(ref).toLocaleString('en')} | ${fmt(reference.wall)} | ${fmt(reference.cpu)} | ${ref.inertia.toExponential(4)} | ${fmt(mlS / reference.wall, 1)}× |`,
  );
  console.log(
    `| ours before: k-means++ seeds + Lloyd with bounds | ${b.iterations}${b.converged ? '' : ' (not converged)'} | ${kernelRows(b).toLocaleString('en')} | ${fmt(before.wall)} | ${fmt(before.cpu)} | ${b.inertia.toExponential(4)} | ${fmt(mlS / before.wall, 1)}× |`,
  );
  console.log(
    `| **ours now (the default): greedy k-means++ seeds + Lloyd with bounds** | ${o.iterations}${o.converged ? '' : ' (not converged)'} | ${kernelRows(o).toLocaleString('en')} | **${fmt(ours.wall)}** | ${fmt(ours.cpu)} | ${o.inertia.toExponential(4)} | **${fmt(mlS / ours.wall, 1)}×** |`,
  );
  console.log(
    `Ours: seeding ${fmt(o.seedMs / 1000)} s, Lloyd ${fmt(o.iterateMs / 1000)} s. Inertia ÷ plain Lloyd's from the same seeds: ${(o.inertia / ref.inertia).toFixed(5)} (iterations ${o.iterations} vs ${ref.iterations}, assignments ${o.assignments.every((a, i) => a === ref.assignments[i]) ? 'identical' : 'not identical'}); ÷ the previous default's: ${(o.inertia / b.inertia).toFixed(5)}. Load average (1, 5, 15 min) before: ${load0.join(' ')}, at the end: ${load.join(' ')}.`,
  );
  if (!quick) {
    const { writeFileSync } = await import('node:fs');
    const result = {
      n,
      d,
      k,
      date: new Date().toISOString(),
      loadBefore: load0.map(Number),
      loadAfter: load.map(Number),
      ours: {
        wallS: ours.wall,
        cpuS: ours.cpu,
        seedS: o.seedMs / 1000,
        iterateS: o.iterateMs / 1000,
        iterations: o.iterations,
        converged: o.converged,
        kernelRows: kernelRows(o),
        inertia: o.inertia,
      },
      plainLloydSameSeeds: { wallS: reference.wall, cpuS: reference.cpu, iterations: ref.iterations, converged: ref.converged, kernelRows: kernelRows(ref), inertia: ref.inertia },
      before: { wallS: before.wall, cpuS: before.cpu, iterations: b.iterations, converged: b.converged, kernelRows: kernelRows(b), inertia: b.inertia },
      mlKmeans: { sPerIteration: m, iterations: lloyd, extrapolatedS: mlS },
      inertiaRatio: { vsPlainLloydSameSeeds: o.inertia / ref.inertia, vsBefore: o.inertia / b.inertia },
      sameAssignmentsAsPlainLloyd: o.assignments.every((a, i) => a === ref.assignments[i]),
      speedup: { vsMlKmeans: mlS / ours.wall, vsBefore: before.wall / ours.wall, vsPlainLloydSameSeeds: reference.wall / ours.wall },
    };
    writeFileSync(new URL('results/kmeans-scale.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  }
}

// ── 4. Head training ──
if (!scaleOnly) {
  const a = createAssistant({ device: 'wasm', inProcess: true, wasmPaths: ORT_WASM_DIR, models: { featurizer: featurizer('mnist') } });
  const digits = await loadDigits(nodeDigitSource, 1000, { seed: 9 });
  const emb = (await a.featurize(digits.map(digitImage))).embeddings;
  await a.dispose();
  const mn = await trainHead(
    emb.data,
    1000,
    emb.cols,
    Int32Array.from(digits, (g) => g.label),
    10,
    'multiclass',
  );
  const syn = kmeansData(5000, 512, 10, 7);
  const targets = Int32Array.from({ length: 5000 }, (_, i) => i % 10);
  const big = await trainHead(syn, 5000, 512, targets, 10, 'multiclass', { epochs: 100 });
  console.log('\nHead training (softmax, full-batch Adam, in the worker thread)');
  console.log('| rows × dim, classes | epochs | ms | ms per epoch |');
  console.log('|---|---|---|---|');
  console.log(`| 1,000 × 256 (mnist embeddings), 10 | ${mn.epochs} | ${fmt(mn.ms, 0)} | ${fmt(mn.ms / mn.epochs)} |`);
  console.log(`| 5,000 × 512 (synthetic), 10 | ${big.epochs} | ${fmt(big.ms, 0)} | ${fmt(big.ms / big.epochs)} |`);
}
process.exit(0);
