// ML assist in the demo: one call, `attachAssist` from @labelkit/ml. While the project's assist switch
// is on it runs in this browser in the background (a module Web Worker with onnxruntime-web), after
// a quiet period following each change: featurizes the digits with the model the build wrote
// (dist/models/), clusters the todo items (similar digits on one page), and, every time enough
// labels arrived, trains a head, validates it and prelabels todo items — withdrawing what the new
// model no longer proposes. Labeling never waits for it. Every step is a run in the project's
// journal (the dashboard's "ML runs"); its progress shows on the dashboard; a failure is a failed
// run there and a `label-error` event (during: 'ml-assist').
import type { AssistActivity, AssistDeviceRequest, DataSource, Project } from '@labelkit/core';
import { type AssistHandle, type FeaturizerSpec, attachAssist } from '@labelkit/ml';

/** What the build wrote to models/featurizer.json. */
export interface FeaturizerManifest extends FeaturizerSpec {
  /** Names the embeddings cache; changes with the model. */
  readonly key: string;
  readonly source: string;
}

export interface DemoAssistOptions {
  readonly device: AssistDeviceRequest;
  readonly featurizer: FeaturizerManifest;
  /** Fewest out-of-fold predictions at or above the threshold (AssistLoop's minSupport). */
  readonly minSupport: number;
  /** Multi-class: a class with fewer labels is not predicted (AssistLoop's minLabelsPerClass). */
  readonly minLabelsPerClass: number;
  /** Confidence of the lower bound on precision (AssistLoop's confidence; 0: point estimate). */
  readonly confidence?: number;
  /** Quiet time after the last change before a step runs (ms). */
  readonly debounceMs: number;
}

/** The status line's words for what assist is doing. */
function describe(a: AssistActivity, project: Project): string {
  switch (a.state) {
    case 'working':
      return `ML assist: ${a.phase ?? 'working'}${a.total ? ` ${a.done ?? 0}/${a.total}` : ''}…`;
    case 'failed':
      return `ML assist failed: ${a.error}`;
    case 'stopped':
      return 'ML assist: stopped';
    case 'off':
      return 'ML assist: off';
    default:
      return `ML assist: ${project.stats().lanes.prelabeled} in the prelabeled lane`;
  }
}

/** Runs ML assist for one open project (a thin wrapper: status line and error hooks). */
export class DemoAssist {
  readonly handle: AssistHandle;

  constructor(project: Project, source: DataSource, options: DemoAssistOptions, hooks: { onError: (error: unknown) => void; onStatus: (text: string) => void }) {
    const { key, ...featurizer } = options.featurizer;
    this.handle = attachAssist(project, {
      device: options.device,
      models: { featurizer: { ...featurizer, source: new URL(featurizer.source, location.href).href } },
      engine: {
        // Served beside the page by the demo's build (scripts/build.mjs).
        wasmPaths: new URL('ort/', location.href).href,
        worker: () => new Worker(new URL('ml-worker.js', location.href), { type: 'module', name: 'labelkit-ml' }),
      },
      // Encoded PNG bytes: the worker decodes them (createImageBitmap) and resizes to 28×28.
      source,
      featurizerKey: key,
      schedule: { debounceMs: options.debounceMs },
      loop: {
        batch: 32,
        minSupport: options.minSupport,
        minLabelsPerClass: options.minLabelsPerClass,
        ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
      },
      onError: hooks.onError,
    });
    this.handle.subscribe((a) => hooks.onStatus(describe(a, project)));
  }

  /** The loop (the e2e tests read its assistant's info()). */
  get loop() {
    return this.handle.loop;
  }

  close(): void {
    void this.handle.dispose();
  }
}
