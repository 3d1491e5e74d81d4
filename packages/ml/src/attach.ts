// attachAssist: ML assist for an open project in one call. It runs the AssistLoop in the
// background — featurize → cluster → train → validate → infer (and the realized-precision watch) —
// whenever the project changes in a way that can make work due, after a quiet period so it idles
// while the labeler works; resumes after a reload (embeddings are cached in the project's store,
// and a training run still due is run); follows the project's assist switch; and stops on
// dispose(). Its `activity` (with {done,total} progress) is what `<label-dashboard>` shows.
import {
  type AssistActivity,
  type AssistDeviceRequest,
  type AssistImage,
  type AssistMonitor,
  type Assistant,
  type DataSource,
  type ItemView,
  LabelkitError,
  type Project,
} from '@labelkit/core';
import { type AssistantOptions, createAssistant } from './assistant.js';
import type { EngineConfig } from './engine/specs.js';
import { AssistLoop, type AssistLoopOptions, type AssistLoopReport } from './assist/loop.js';

export interface AttachAssistOptions {
  /** The models: `{ featurizer }` for classification, `{ detector }` for object detection. Not needed with `assistant`. */
  readonly models?: EngineConfig['models'];
  /** 'auto' (default): WebGPU when there is an adapter, else WASM. */
  readonly device?: AssistDeviceRequest;
  /**
   * When work runs: `debounceMs` of quiet after the last change (default 1500), so a step never
   * competes with the labeler's clicks; `onOpen` (default true) runs a step at once, which resumes
   * featurization or a due training after a reload.
   */
  readonly schedule?: { readonly debounceMs?: number; readonly onOpen?: boolean };
  /** Reads an item's image for the model. Default: its encoded bytes from `source`. */
  readonly readImage?: (item: ItemView, signal?: AbortSignal) => Promise<AssistImage>;
  /** Where images are read from when there is no `readImage`. */
  readonly source?: DataSource;
  /** Names the embeddings cache; change it when the featurizer changes (default 'featurizer'). */
  readonly featurizerKey?: string;
  /** More createAssistant options (wasmPaths, worker, threads, kmeansKernel, inProcess). */
  readonly engine?: Omit<AssistantOptions, 'device' | 'models'>;
  /** An assistant to use instead of creating one; dispose() leaves it running. */
  readonly assistant?: Assistant;
  /** AssistLoop settings (minSupport, minLabelsPerClass, folds, confidence, batch…). */
  readonly loop?: Omit<AssistLoopOptions, 'project' | 'assistant' | 'readImage' | 'featurizerKey' | 'onProgress' | 'onRunStart'>;
  /** A step failed (also `activity.state === 'failed'`, and a failed run in the journal). */
  readonly onError?: (error: unknown) => void;
}

/** What attachAssist returns: the running loop, its live activity, and dispose(). */
export interface AssistHandle extends AssistMonitor {
  readonly loop: AssistLoop;
  readonly assistant: Assistant;
  /** The last step's report. */
  readonly last?: AssistLoopReport;
  /** Runs a step now (or once the one in flight ends); resolves when it has. */
  run(): Promise<void>;
  /** Stops: aborts the step in flight, stops listening, and disposes the assistant it created. */
  dispose(): Promise<void>;
}

/** Events that can make assist work due: new labels, new or changed items, the switch, prelabels taken. */
const TRIGGERS = new Set(['labels.submitted', 'items.added', 'items.changed', 'items.rejected', 'items.requeued', 'items.reviewed', 'assist.updated', 'label.added']);

/**
 * Turns ML assist on for an open project: one call does what a host otherwise writes by hand.
 *
 * ```ts
 * const assist = attachAssist(project, { models: { featurizer }, device: 'auto', source });
 * dashboard.assist = assist;           // progress bar and status
 * // … later
 * await assist.dispose();
 * ```
 */
export function attachAssist(project: Project, options: AttachAssistOptions): AssistHandle {
  const owned = !options.assistant;
  if (!options.assistant && !options.models) throw new LabelkitError('E_INVALID_ARGUMENT', 'attachAssist needs models ({ featurizer } or { detector }) or an assistant.');
  if (!options.readImage && !options.source) throw new LabelkitError('E_INVALID_ARGUMENT', 'attachAssist needs readImage or a source to read images from.');
  const assistant = options.assistant ?? createAssistant({ ...options.engine, device: options.device ?? 'auto', models: options.models! });
  const source = options.source;
  const readImage = options.readImage ?? (async (item: ItemView, signal?: AbortSignal) => ({ bytes: await source!.read(item.path, { signal }) }));
  const debounceMs = options.schedule?.debounceMs ?? 1500;
  const listeners = new Set<(a: AssistActivity) => void>();
  let activity: AssistActivity = { state: project.assist.enabled && project.status.state === 'active' ? 'idle' : 'off' };
  const set = (a: AssistActivity) => {
    activity = a;
    for (const l of listeners) l(a);
  };

  const loop = new AssistLoop({
    ...options.loop,
    project,
    assistant,
    readImage,
    featurizerKey: options.featurizerKey,
    onRunStart: (kind) => set({ state: 'working', phase: kind }),
    onProgress: (p) => set({ state: 'working', phase: p.phase, done: p.done, total: p.total }),
  });

  let timer: ReturnType<typeof setTimeout> | undefined;
  let abort: AbortController | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let last: AssistLoopReport | undefined;
  let failedOnce = false;

  // A stopped or archived project runs no assist rounds (its activity reads 'off' until it is started).
  const active = () => !closed && project.assist.enabled && project.can('labeler') && project.status.state === 'active';

  const schedule = (delay = debounceMs) => {
    if (!active()) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => void step(), delay);
  };

  const step = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    if (!active()) return Promise.resolve();
    running = (async () => {
      again = false;
      const ac = (abort = new AbortController());
      const runsBefore = project.runs.length;
      set({ state: 'working' });
      try {
        last = await loop.step({ signal: ac.signal });
        failedOnce = false;
        set({ state: project.assist.enabled ? 'idle' : 'off' });
      } catch (err) {
        if (LabelkitError.is(err, 'E_ABORTED') || closed) {
          set({ state: closed ? 'stopped' : project.assist.enabled ? 'idle' : 'off' });
        } else {
          failedOnce = true;
          set({ state: 'failed', error: err instanceof Error ? err.message : String(err) });
          await recordFailure(project, err, runsBefore);
          options.onError?.(err);
        }
      } finally {
        if (abort === ac) abort = undefined;
      }
    })().finally(() => {
      running = undefined;
      // Labels that arrived meanwhile, or a training run still due, start another step (not after a failure).
      if (again || (active() && !failedOnce && project.stats().labelsToNextRun === 0 && last?.trained === false)) schedule();
    });
    return running;
  };

  const unsubscribe = project.subscribe((change) => {
    if (change.events.some((e) => e.type === 'assist.updated')) {
      if (!project.assist.enabled) {
        abort?.abort();
        set({ state: 'off' });
      } else if (activity.state === 'off') set({ state: 'idle' });
    }
    if (change.events.some((e) => e.type === 'project.stopped' || e.type === 'project.archived')) {
      abort?.abort();
      set({ state: 'off' });
    } else if (change.events.some((e) => e.type === 'project.started') && project.assist.enabled) {
      set({ state: 'idle' });
      schedule(0);
    }
    if (change.events.some((e) => TRIGGERS.has(e.type))) schedule();
  });
  if (options.schedule?.onOpen ?? true) schedule(0);

  return {
    loop,
    assistant,
    get last() {
      return last;
    },
    get activity() {
      return activity;
    },
    get flags() {
      return loop.flags;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    run() {
      clearTimeout(timer);
      return step();
    },
    async dispose() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      abort?.abort();
      unsubscribe();
      await running?.catch(() => undefined);
      set({ state: 'stopped' });
      listeners.clear();
      if (owned) await assistant.dispose();
    },
  };
}

/** A failure before any run was recorded (the worker or a model did not load) is still a failed run. */
async function recordFailure(project: Project, err: unknown, runsBefore: number): Promise<void> {
  if (project.runs.slice(runsBefore).some((r) => r.status === 'failed')) return;
  try {
    const id = await project.startRun('featurization', { params: { stage: 'start' } });
    await project.finishRun(id, 'failed', { error: err instanceof Error ? err.message : String(err) });
  } catch {
    // The project may be closed or read-only for this user; onError still reports it.
  }
}
