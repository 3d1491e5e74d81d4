// An Assistant for loop tests that need no model: an image is its embedding (the pixels' bytes
// read back as float32), and training/prediction either run the real numerics (fitHeadCV,
// predictHead) or follow a script the test sets round by round.
import type {
  AssistCallOptions,
  AssistDevice,
  AssistHead,
  AssistImage,
  AssistRun,
  Assistant,
  ClusterOptions,
  ClusterResult,
  DetectResult,
  FeaturizeResult,
  Matrix,
  PredictResult,
  TrainRequest,
  TrainResult,
} from '@labelkit/core';
import { fitHeadCV } from '../src/numerics/fit.js';
import { predictHead } from '../src/numerics/head.js';
import { zOf } from '../src/numerics/threshold.js';

/** An "image" that carries its embedding. */
export function vectorImage(v: readonly number[]): AssistImage {
  const f = Float32Array.from(v);
  return { width: f.length, height: 1, channels: 1, data: new Uint8Array(f.buffer) };
}

function run(kind: AssistRun['kind'], device: AssistRun['device'], metrics: AssistRun['metrics'] = {}): AssistRun {
  const t = Date.now();
  return { kind, status: 'completed', device, startedAt: t, finishedAt: t, timings: {}, metrics };
}

export interface Script {
  /** The threshold validation returns (null: no threshold passes). */
  threshold: number | null;
  /** Class probabilities of an item from its embedding. */
  probs: (row: Float32Array) => number[];
}

export class FakeAssistant implements Assistant {
  readonly requestedDevice = 'auto' as const;
  /** When set, train/predict follow it; else the real numerics run. */
  script?: Script;
  trainRequests: TrainRequest[] = [];
  constructor(readonly modelDevice: AssistDevice = 'webgpu') {}

  async device(): Promise<AssistDevice> {
    return this.modelDevice;
  }

  async featurize(images: readonly AssistImage[], options: AssistCallOptions = {}): Promise<FeaturizeResult> {
    const rows = images.map((img) => {
      const px = img as { data: Uint8Array };
      return new Float32Array(px.data.buffer, px.data.byteOffset, px.data.byteLength / 4);
    });
    const dim = rows[0]?.length ?? 1;
    const data = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => {
      data.set(r, i * dim);
      options.onProgress?.({ done: i + 1, total: rows.length });
    });
    return { embeddings: { rows: rows.length, cols: dim, data }, failed: [], run: run('featurization', this.modelDevice, { items: rows.length }) };
  }

  async cluster(embeddings: Matrix, options: ClusterOptions): Promise<ClusterResult> {
    const assignments = Int32Array.from({ length: embeddings.rows }, (_, i) => i % options.k);
    return {
      assignments,
      centers: { rows: options.k, cols: embeddings.cols, data: new Float32Array(options.k * embeddings.cols) },
      inertia: 0,
      iterations: 1,
      run: run('clustering', 'cpu'),
    };
  }

  async train(embeddings: Matrix, request: TrainRequest): Promise<TrainResult> {
    this.trainRequests.push(request);
    if (this.script) {
      const head: AssistHead = {
        kind: request.kind,
        dim: embeddings.cols,
        classes: request.classes,
        mean: new Float32Array(0),
        invStd: new Float32Array(0),
        weights: new Float32Array(0),
        bias: new Float32Array(0),
      };
      return {
        head,
        threshold: this.script.threshold,
        training: run('training', 'cpu'),
        validation: run('validation', 'cpu', { threshold: this.script.threshold, calibrationRows: embeddings.rows }),
      };
    }
    const fit = await fitHeadCV(embeddings.data, embeddings.rows, embeddings.cols, request.targets, request.classes, request.kind, {
      folds: request.folds,
      calibrate: request.calibrate,
      gated: request.gated,
      targetPrecision: request.targetPrecision,
      minSupport: request.minSupport,
      z: zOf(request.confidence ?? 0.95),
      seed: request.seed,
    });
    const th = fit.threshold;
    return {
      head: fit.head,
      threshold: th.threshold,
      training: run('training', 'cpu', { trainRows: fit.metrics.rows }),
      validation: run('validation', 'cpu', {
        threshold: th.threshold,
        precision: th.precision,
        lowerBound: th.lowerBound ?? th.precision,
        support: th.support,
        calibrationRows: fit.metrics.calibrationRows,
        oofAccuracy: fit.metrics.oofAccuracy,
      }),
    };
  }

  async predict(head: AssistHead, embeddings: Matrix): Promise<PredictResult> {
    let data: Float32Array;
    if (this.script) {
      data = new Float32Array(embeddings.rows * head.classes);
      for (let i = 0; i < embeddings.rows; i++) data.set(this.script.probs(embeddings.data.subarray(i * embeddings.cols, (i + 1) * embeddings.cols)), i * head.classes);
    } else data = predictHead(head, embeddings.data, embeddings.rows);
    return { probabilities: { rows: embeddings.rows, cols: head.classes, data }, run: run('inference', 'cpu') };
  }

  async detect(): Promise<DetectResult> {
    throw new Error('no detector');
  }

  async dispose(): Promise<void> {}
}
