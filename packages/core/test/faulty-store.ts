// A store wrapper that makes chosen calls fail, for tests of retry and recovery paths
// (test support: not part of the published package).
import type { PutOptions, Store } from '../src/store/store.js';

/** Wraps a store so that chosen calls fail: for tests of retry and recovery paths. */
export class FaultyStore implements Store {
  readonly description: string;
  /** Called before each put; return an error to make that put fail. */
  failPut: ((key: string, attempt: number) => Error | undefined) | undefined;
  #attempts = 0;
  constructor(readonly inner: Store) {
    this.description = `faulty(${inner.description})`;
  }
  get(key: string, options?: { signal?: AbortSignal }) {
    return this.inner.get(key, options);
  }
  async put(key: string, bytes: Uint8Array, options?: PutOptions) {
    const err = this.failPut?.(key, ++this.#attempts);
    if (err) throw err;
    return this.inner.put(key, bytes, options);
  }
  delete(key: string, options?: { ifMatch?: string; signal?: AbortSignal }) {
    return this.inner.delete(key, options);
  }
  list(prefix: string, options?: { signal?: AbortSignal }) {
    return this.inner.list(prefix, options);
  }
}
