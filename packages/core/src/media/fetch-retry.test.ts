// retryFetch / isFetchFailure: a failure to get bytes is retried with backoff and ends as
// E_FETCH_FAILED; a failure of the bytes themselves is never retried; an abort stops the waiting.
import { describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { isFetchFailure, isUnreadableFailure, retryFetch } from './failure.js';

const outage = (status = 503) => new LabelkitError('E_STORE_READ', `The storage answered HTTP ${status}.`, { status });

describe('retryFetch', () => {
  it('retries fetch failures with 1×, 2×, 4× the base delay, then succeeds', async () => {
    const at: number[] = [];
    const t0 = performance.now();
    const value = await retryFetch(
      async (attempt) => {
        at.push(performance.now() - t0);
        if (attempt < 3) throw attempt === 1 ? new LabelkitError('E_NOT_FOUND', 'HTTP 404.', { status: 404 }) : outage();
        return 'bytes';
      },
      { retries: 3, baseMs: 40 },
    );
    expect(value).toBe('bytes');
    expect(at).toHaveLength(4);
    // Waits of at least 40, 80 and 160 ms between attempts (timers never fire early).
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(39);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(79);
    expect(at[3] - at[2]).toBeGreaterThanOrEqual(159);
  });

  it('gives E_FETCH_FAILED with the last failure as cause when every attempt fails, and never leaks a query', async () => {
    let calls = 0;
    const err = await retryFetch(
      async () => {
        calls++;
        throw outage(500);
      },
      { retries: 2, baseMs: 1, what: 'https://acct.blob.core.windows.net/c/a.png?sv=2024&sig=SECRET' },
    ).catch((e: unknown) => e as LabelkitError);
    expect(calls).toBe(3);
    expect(LabelkitError.is(err, 'E_FETCH_FAILED')).toBe(true);
    expect(err.details).toMatchObject({ attempts: 3, code: 'E_STORE_READ', status: 500, path: 'https://acct.blob.core.windows.net/c/a.png' });
    expect((err.cause as LabelkitError).code).toBe('E_STORE_READ');
    expect(`${err.message} ${JSON.stringify(err.details)}`).not.toMatch(/sig=|SECRET/);
    expect(isFetchFailure(err)).toBe(true);
    expect(isUnreadableFailure(err)).toBe(false);
  });

  it('does not retry a decode failure or a programming error', async () => {
    for (const thrown of [new LabelkitError('E_CORRUPT_IMAGE', 'Corrupt PNG.'), new TypeError('x is undefined')]) {
      let calls = 0;
      const err = await retryFetch(async () => {
        calls++;
        throw thrown;
      }).catch((e: unknown) => e);
      expect(err).toBe(thrown);
      expect(calls).toBe(1);
    }
  });

  it('an abort during the backoff ends it at once with E_ABORTED', async () => {
    const ctrl = new AbortController();
    let calls = 0;
    const t0 = performance.now();
    const p = retryFetch(
      async () => {
        calls++;
        if (calls === 1) queueMicrotask(() => ctrl.abort());
        throw outage();
      },
      { retries: 3, baseMs: 10_000, signal: ctrl.signal },
    ).catch((e: unknown) => e);
    const err = await p;
    expect(LabelkitError.is(err, 'E_ABORTED')).toBe(true);
    expect(calls).toBe(1);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
