import { LabelkitError } from '../errors.js';

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

/** Whether a failure is one the queue should turn into an `unreadable` item (and move on). */
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
