import { LabelkitError } from '../errors.js';
import { classify, describeFailure, isAmbiguous, isRetryable, type AzureFailure } from './errors.js';

/** How requests to Azure are retried. The SDK's own retry policy is switched off; this one is ours. */
export interface AzureRetryOptions {
  /** Attempts per operation, the first included (default 6). */
  readonly maxAttempts?: number;
  /** First backoff step in ms (default 100); doubles each time, with full jitter. */
  readonly baseDelayMs?: number;
  /** Largest backoff in ms (default 5,000). */
  readonly maxDelayMs?: number;
  /** A single attempt gets this long before it is abandoned and retried (default 30,000 ms). */
  readonly tryTimeoutMs?: number;
}

/** Told about every retry: for logs and dashboards. Carries no URL, header or body. */
export interface AzureRetryEvent {
  readonly op: string;
  /** The blob name (or prefix) involved. */
  readonly target: string;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
  readonly failure: AzureFailure;
}

export const DEFAULT_RETRY: Required<AzureRetryOptions> = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 5_000, tryTimeoutMs: 30_000 };

export interface AttemptContext {
  /** Signal for this attempt: fires on the caller's abort or on the per-try timeout. */
  readonly signal: AbortSignal;
  /** 1-based. */
  readonly attempt: number;
  /** True when an earlier attempt failed in a way that may still have applied the request. */
  readonly ambiguous: boolean;
}

export class AttemptsExhausted extends Error {
  constructor(
    readonly failure: AzureFailure,
    readonly attempts: number,
  ) {
    super(`gave up after ${attempts} attempts: ${describeFailure(failure)}`);
    this.name = 'AttemptsExhausted';
  }
}

/** A failure that must not be retried (404, 409, 412, 403…), handed to the caller to interpret. */
export class Final extends Error {
  constructor(
    readonly failure: AzureFailure,
    readonly attempts: number,
    readonly ambiguousBefore: boolean,
  ) {
    super(describeFailure(failure));
    this.name = 'Final';
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(aborted(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function aborted(signal: AbortSignal | undefined): LabelkitError {
  return new LabelkitError('E_ABORTED', 'The operation was cancelled.', {}, { cause: signal?.reason });
}

/**
 * Runs `fn` until it succeeds, a non-retryable failure happens (thrown as `Final`), attempts run out
 * (`AttemptsExhausted`) or the caller aborts (`E_ABORTED`). Each attempt gets its own timeout.
 */
export async function withRetry<T>(
  op: string,
  target: string,
  options: Required<AzureRetryOptions>,
  fn: (ctx: AttemptContext) => Promise<T>,
  signal?: AbortSignal,
  onRetry?: (e: AzureRetryEvent) => void,
  random: () => number = Math.random,
): Promise<T> {
  let ambiguous = false;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw aborted(signal);
    const ctl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, options.tryTimeoutMs);
    const onAbort = () => ctl.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn({ signal: ctl.signal, attempt, ambiguous });
    } catch (err) {
      if (err instanceof LabelkitError || err instanceof Final) throw err;
      if (signal?.aborted) throw aborted(signal);
      const failure = classify(err, timedOut);
      if (!failure) throw err;
      if (failure.kind === 'aborted') throw aborted(signal);
      if (!isRetryable(failure)) throw new Final(failure, attempt, ambiguous);
      ambiguous ||= isAmbiguous(failure);
      if (attempt >= options.maxAttempts) throw new AttemptsExhausted(failure, attempt);
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(failure.retryAfterMs !== undefined ? Math.min(failure.retryAfterMs, options.maxDelayMs) : 0, Math.round(random() * cap));
      onRetry?.({ op, target, attempt, delayMs, reason: describeFailure(failure), failure });
      await sleep(delayMs, signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
