import { LabelkitError } from '../errors.js';

/**
 * Incremental refresh of a source, on an interval or now. `run` is the refresh itself — typically
 * `(signal) => project.refresh(source, { signal })`, which lists the source and adds only new or
 * changed items. Runs never overlap: `refreshNow()` during a run waits for it and then runs once
 * more (many calls meanwhile share that one run); `stop()` cancels the timer and the run in flight.
 */
export class RefreshLoop<T> {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<T> | undefined;
  #queued: Promise<T> | undefined;
  #ctl = new AbortController();
  #stopped = false;
  #started = false;

  constructor(
    readonly run: (signal: AbortSignal) => Promise<T>,
    readonly options: { intervalMs?: number; onResult?: (r: T) => void; onError?: (err: unknown) => void } = {},
  ) {}

  /** Starts refreshing every `intervalMs` (counted from the end of the previous run). */
  start(): this {
    this.#started = true;
    if (this.options.intervalMs && this.options.intervalMs > 0 && !this.#stopped) this.#schedule();
    return this;
  }

  get running(): boolean {
    return !!this.#running;
  }

  refreshNow(): Promise<T> {
    if (this.#stopped) return Promise.reject(new LabelkitError('E_ABORTED', 'This refresh loop was stopped.'));
    if (!this.#running) return this.#go();
    this.#queued ??= this.#running.then(
      () => this.#go(),
      () => this.#go(),
    );
    return this.#queued;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#ctl.abort();
  }

  #go(): Promise<T> {
    this.#queued = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    const p = this.run(this.#ctl.signal);
    this.#running = p;
    p.then(
      (r) => this.options.onResult?.(r),
      (err) => this.options.onError?.(err),
    ).finally(() => {
      if (this.#running === p) this.#running = undefined;
      // Only a started loop refreshes on its own: one used for refreshNow() alone never polls.
      if (this.#started && !this.#stopped && this.options.intervalMs && !this.#queued) this.#schedule();
    });
    return p;
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) void this.#go().catch(() => undefined);
    }, this.options.intervalMs);
  }
}
