import { LabelkitError, throwIfAborted } from '../errors.js';

/** Why an item could not be decoded, as the project records it on an `unreadable` item. */
export interface DecodeFailure {
  /** 'E_UNSUPPORTED_FORMAT' | 'E_CORRUPT_IMAGE' | 'E_IMAGE_TOO_LARGE' | 'E_ABORTED' | 'E_STORE_READ' … */
  readonly code: string;
  /** One sentence for people. */
  readonly reason: string;
}

/**
 * Turns whatever a decode or probe threw into `{ code, reason }` for an `unreadable` item. A
 * LabelkitError keeps its code and message; anything else (a codec's own exception, a RangeError
 * from a broken file, an out-of-memory) becomes E_CORRUPT_IMAGE with the original text.
 */
export function describeDecodeFailure(err: unknown): DecodeFailure {
  if (LabelkitError.is(err)) return { code: err.code, reason: err.message };
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : String(err);
  return { code: 'E_CORRUPT_IMAGE', reason: `The image could not be decoded: ${text || 'unknown error'}.` };
}

/**
 * Whether a failure is one the queue should turn into an `unreadable` item (and move on): the bytes
 * were read and are not an image we can show. A failure to get the bytes is not (`isFetchFailure`).
 */
export function isUnreadableFailure(err: unknown): boolean {
  if (LabelkitError.is(err)) return err.code === 'E_UNSUPPORTED_FORMAT' || err.code === 'E_CORRUPT_IMAGE' || err.code === 'E_IMAGE_TOO_LARGE';
  return !(err instanceof Error && err.name === 'AbortError');
}

/** Wraps a non-Labelkit exception from a codec as E_CORRUPT_IMAGE. */
export function corrupt(what: string, err: unknown, details: Record<string, unknown> = {}): LabelkitError {
  if (LabelkitError.is(err)) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new LabelkitError('E_CORRUPT_IMAGE', `${what}: ${text}`, details, { cause: err });
}

/**
 * Whether a failure is in getting an item's bytes — a network error, an HTTP 404 or 5xx, a storage
 * outage (`E_STORE_READ`, `E_NOT_FOUND`, `E_FETCH_FAILED`) — rather than in the bytes themselves. Such
 * an item is not unreadable: it may load a moment later.
 */
export function isFetchFailure(err: unknown): boolean {
  return LabelkitError.is(err) && (err.code === 'E_STORE_READ' || err.code === 'E_NOT_FOUND' || err.code === 'E_FETCH_FAILED');
}

export interface FetchRetryOptions {
  /** Further attempts after the first one fails (default 3). */
  readonly retries?: number;
  /** Wait before retry n (0-based) is baseMs × 2^n (default 250: 250, 500, 1000 ms). */
  readonly baseMs?: number;
  /** Stops waiting and retrying; the call then fails with E_ABORTED. */
  readonly signal?: AbortSignal;
  /** What is fetched, for the message (an item path). */
  readonly what?: string;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      done();
      reject(new LabelkitError('E_ABORTED', 'The operation was cancelled.', {}, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `load` and, while it fails with a fetch failure (`isFetchFailure`), tries again after
 * 250 ms, 500 ms, 1 s (by default). Any other failure — a decode error, E_ABORTED — is thrown at
 * once. When every attempt failed, throws `E_FETCH_FAILED` with the last failure as its cause and
 * `details: { attempts, code, status? }`.
 */
export async function retryFetch<T>(load: (attempt: number) => Promise<T>, options: FetchRetryOptions = {}): Promise<T> {
  const retries = Math.max(0, options.retries ?? 3);
  const baseMs = Math.max(0, options.baseMs ?? 250);
  let last: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    throwIfAborted(options.signal);
    if (attempt > 0) await wait(baseMs * 2 ** (attempt - 1), options.signal);
    try {
      return await load(attempt);
    } catch (err) {
      throwIfAborted(options.signal);
      if (!isFetchFailure(err)) throw err;
      last = err;
    }
  }
  const cause = last as LabelkitError;
  const status = cause.details?.status;
  // A URL's query may hold a token (a SAS): never put it in a message or details.
  const what = options.what?.replace(/[?#].*$/s, '');
  throw new LabelkitError(
    'E_FETCH_FAILED',
    `Could not fetch ${what ?? 'the image'} after ${retries + 1} attempts (${cause.message.replace(/\.$/, '')}). The file was not marked unreadable; it can be tried again later.`,
    { attempts: retries + 1, code: cause.code, ...(status !== undefined ? { status } : {}), ...(what ? { path: what } : {}) },
    { cause },
  );
}
