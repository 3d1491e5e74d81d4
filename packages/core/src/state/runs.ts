import type { JournalEvent } from '../journal/events.js';
import type { RunKind, RunStatus } from '../types.js';

export interface RunRecord {
  id: string;
  kind: RunKind;
  status: RunStatus;
  device?: string;
  startedAt: number;
  finishedAt?: number;
  startedBy: string;
  params?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  error?: string;
  /** Labeled items when the run started (the dashboard's "labels until next run" counts from it). */
  labeledAtStart: number;
}

/** The ML runs a project recorded (`run.started`, `run.finished`) and where training stands. */
export class Runs {
  readonly #runs: Map<string, RunRecord>;
  #trainingRuns: number;
  /** Labeled count when the last training run completed. */
  #labeledAtLastTraining: number;

  constructor(runs: Iterable<RunRecord> = [], trainingRuns = 0, labeledAtLastTraining = 0) {
    this.#runs = new Map([...runs].map((r) => [r.id, r]));
    this.#trainingRuns = trainingRuns;
    this.#labeledAtLastTraining = labeledAtLastTraining;
  }

  started(e: Extract<JournalEvent, { type: 'run.started' }>, labeledNow: number): void {
    this.#runs.set(e.run, {
      id: e.run,
      kind: e.kind,
      status: 'running',
      device: e.device,
      startedAt: e.at,
      startedBy: e.by,
      params: e.params,
      labeledAtStart: labeledNow,
    });
  }

  finished(e: Extract<JournalEvent, { type: 'run.finished' }>): void {
    const r = this.#runs.get(e.run);
    if (!r) return;
    r.status = e.status;
    r.finishedAt = e.at;
    r.metrics = e.metrics;
    r.error = e.error;
    if (e.device) r.device = e.device;
    if (r.kind === 'training' && e.status === 'completed') {
      this.#trainingRuns++;
      this.#labeledAtLastTraining = r.labeledAtStart;
    }
  }

  has(id: string): boolean {
    return this.#runs.has(id);
  }

  /** The runs in the order they were recorded (a snapshot keeps them so). */
  records(): RunRecord[] {
    return [...this.#runs.values()];
  }

  /** Completed training runs. */
  get trainingRuns(): number {
    return this.#trainingRuns;
  }

  /** Labeled items when the last completed training run started (0 before the first). */
  get labeledAtLastTraining(): number {
    return this.#labeledAtLastTraining;
  }
}
