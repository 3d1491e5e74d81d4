/**
 * The one error class of Labelkit. `code` is stable and meant for programs; `message` says what
 * happened and what to do, for people. Expected, per-item failures are data (see `unreadable`
 * items and importers' `{ parsed, failed }`); `LabelkitError` is for programming and
 * infrastructure failures.
 */
export type ErrorCode =
  | 'E_NAME_TAKEN'
  | 'E_NOT_FOUND'
  | 'E_UNSUPPORTED_FORMAT'
  | 'E_CORRUPT_IMAGE'
  | 'E_IMAGE_TOO_LARGE'
  | 'E_FETCH_FAILED'
  | 'E_CONFLICT'
  | 'E_FORBIDDEN'
  | 'E_INVALID_ANNOTATION'
  | 'E_INVALID_ARGUMENT'
  | 'E_LEASE_EXPIRED'
  | 'E_PROJECT_STOPPED'
  | 'E_PROJECT_ARCHIVED'
  | 'E_CORRUPT_JOURNAL'
  | 'E_CORRUPT_SNAPSHOT'
  | 'E_STORE_WRITE'
  | 'E_STORE_READ'
  | 'E_CAPACITY'
  | 'E_ABORTED'
  | 'E_UNSUPPORTED_DEVICE'
  | 'E_MODEL'
  | 'E_IMPORT'
  | 'E_WORKER_FAILED';

export class LabelkitError extends Error {
  readonly code: ErrorCode;
  /** Machine-readable context (item path, key, expected/actual values …). Never holds secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LabelkitError';
    this.code = code;
    this.details = details;
  }

  /** True when `err` is a LabelkitError, optionally with the given code. Works across realms/bundles. */
  static is(err: unknown, code?: ErrorCode): err is LabelkitError {
    return (
      typeof err === 'object' &&
      err !== null &&
      (err as { name?: unknown }).name === 'LabelkitError' &&
      typeof (err as { code?: unknown }).code === 'string' &&
      (code === undefined || (err as { code: string }).code === code)
    );
  }
}

/** Throws `E_ABORTED` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new LabelkitError('E_ABORTED', 'The operation was cancelled.', {}, { cause: signal.reason });
  }
}
