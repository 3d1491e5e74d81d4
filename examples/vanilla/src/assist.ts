// ML assist in the demo: when the project's assist switch is on, an AssistLoop runs in this browser
// in the background (a module Web Worker with onnxruntime-web), debounced after submits. It
// featurizes the digits with the model the build wrote (dist/models/), clusters the todo items (the
// clustered lane: similar digits on one page), and, every time enough labels arrived, trains a head,
// validates it and prelabels todo items (the prelabeled lane, tags pre-filled). Labeling never
// waits for it. Every step is a run in the project's journal (the dashboard's "ML runs" list);
// a failure is a failed run there and a `label-error` event (during: 'ml-assist').
import { type AssistDeviceRequest, type DataSource, type ItemView, LabelkitError, type Project, type RunKind } from '@labelkit/core';
import { AssistLoop, type AssistLoopReport, type FeaturizerSpec, type MlAssistant, createAssistant } from '@labelkit/ml';

/** What the build wrote to models/featurizer.json. */
export interface FeaturizerManifest extends FeaturizerSpec {
  /** Names the embeddings cache; changes with the model. */
  readonly key: string;
  readonly source: string;
}

export interface DemoAssistOptions {
  readonly device: AssistDeviceRequest;
  readonly featurizer: FeaturizerManifest;
  /** Fewest held-out predictions at or above the threshold (AssistLoop's minSupport). */
  readonly minSupport: number;
  /** Multi-class: fewest labels per class before prelabels (AssistLoop's minLabelsPerClass). */
  readonly minLabelsPerClass: number;
  /** Quiet time after the last change before a step runs (ms). */
  readonly debounceMs: number;
}

/** Events that can make assist work due: new labels, new or changed items, the switch. */
const TRIGGERS = new Set(['task.submitted', 'labels.submitted', 'items.added', 'items.changed', 'items.rejected', 'items.requeued', 'items.reviewed', 'assist.updated', 'label.added']);

let shared: { key: string; assistant: MlAssistant } | undefined;

/** One assistant (one worker) per page and device; models load once. */
function assistantFor(options: DemoAssistOptions): MlAssistant {
  const key = `${options.device}|${options.featurizer.key}`;
  if (shared?.key !== key) {
    void shared?.assistant.dispose();
    const { key: _key, ...featurizer } = options.featurizer;
    shared = {
      key,
      assistant: createAssistant({
        device: options.device,
        // Served beside the page by the demo's build (scripts/build.mjs).
        wasmPaths: new URL('ort/', location.href).href,
        worker: () => new Worker(new URL('ml-worker.js', location.href), { type: 'module', name: 'labelkit-ml' }),
        models: { featurizer: { ...featurizer, source: new URL(featurizer.source, location.href).href } },
      }),
    };
  }
  return shared.assistant;
}

/** Runs the assist loop for one open project while its assist switch is on. */
export class DemoAssist {
  readonly loop: AssistLoop;
  /** The last step's report, or error (for the page's status line and tests). */
  last?: { report?: AssistLoopReport; error?: string; at: number };
  #project: Project;
  #timer?: ReturnType<typeof setTimeout>;
  #abort?: AbortController;
  #running = false;
  #again = false;
  #closed = false;
  #unsubscribe: () => void;
  #options: DemoAssistOptions;
  #onError: (error: unknown) => void;
  #onStatus: (text: string) => void;

  constructor(project: Project, source: DataSource, options: DemoAssistOptions, hooks: { onError: (error: unknown) => void; onStatus: (text: string) => void }) {
    this.#project = project;
    this.#options = options;
    this.#onError = hooks.onError;
    this.#onStatus = hooks.onStatus;
    this.loop = new AssistLoop({
      project,
      assistant: assistantFor(options),
      // Encoded PNG bytes: the worker decodes them (createImageBitmap) and resizes to 28×28.
      readImage: async (item: ItemView) => ({ bytes: await source.read(item.path) }),
      featurizerKey: options.featurizer.key,
      batch: 32,
      minSupport: options.minSupport,
      minLabelsPerClass: options.minLabelsPerClass,
    });
    this.#unsubscribe = project.subscribe((change) => {
      if (change.events.some((e) => e.type === 'assist.updated') && !project.assist.enabled) this.#abort?.abort();
      if (change.events.some((e) => TRIGGERS.has(e.type))) this.schedule();
    });
    // Opening a project with assist on: featurize and cluster what is there.
    this.schedule(0);
  }

  /** Whether this browser may run assist for the project now. */
  get active(): boolean {
    return !this.#closed && this.#project.assist.enabled && this.#project.can('labeler');
  }

  /** Runs a step after `delay` ms of quiet (debounced); a step in flight runs again after it ends. */
  schedule(delay = this.#options.debounceMs): void {
    if (!this.active) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#run(), delay);
  }

  async #run(): Promise<void> {
    if (!this.active || this.#running) return;
    this.#running = true;
    this.#again = false;
    const abort = (this.#abort = new AbortController());
    const runsBefore = this.#project.runs.length;
    this.#onStatus('ML assist: working…');
    try {
      const report = await this.loop.step({ signal: abort.signal });
      this.last = { report, at: Date.now() };
      this.#onStatus(
        `ML assist: ${report.featurized ? `${report.featurized} featurized · ` : ''}${report.clustered ? `${report.clustered} clustered · ` : ''}${report.trained ? `trained, ${report.prelabeled} prelabeled · ` : ''}${this.#project.stats().lanes.prelabeled} in the prelabeled lane`,
      );
    } catch (err) {
      if (LabelkitError.is(err, 'E_ABORTED') || this.#closed) {
        this.#onStatus('ML assist: stopped');
      } else {
        this.last = { error: err instanceof Error ? err.message : String(err), at: Date.now() };
        this.#onStatus(`ML assist failed: ${this.last.error}`);
        await this.#recordFailure(err, runsBefore);
        this.#onError(err);
      }
    } finally {
      this.#running = false;
      if (this.#abort === abort) this.#abort = undefined;
    }
    // Labels that arrived meanwhile, or a training run that is still due, start another step.
    if (this.#again || (this.active && this.#project.stats().labelsToNextRun === 0 && !this.last?.error)) this.schedule();
  }

  /** A failure before any run was recorded (the worker or model did not load) is still a failed run. */
  async #recordFailure(err: unknown, runsBefore: number): Promise<void> {
    if (this.#project.runs.slice(runsBefore).some((r) => r.status === 'failed')) return;
    try {
      const kind: RunKind = 'featurization';
      const id = await this.#project.startRun(kind, { params: { stage: 'start' } });
      await this.#project.finishRun(id, 'failed', { error: err instanceof Error ? err.message : String(err) });
    } catch {
      // The project may be closed or read-only for this user; the label-error event still reports it.
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort?.abort();
    this.#unsubscribe();
  }
}
