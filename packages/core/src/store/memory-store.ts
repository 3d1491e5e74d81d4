import { LabelkitError, throwIfAborted } from '../errors.js';
import { conflict, type PutOptions, type Store, type StoreEntry, type StoredObject } from './store.js';

/** A store in memory: tests, demos and benchmarks. Bytes are copied in and out. */
export class MemoryStore implements Store {
  readonly description = 'memory';
  readonly #objects = new Map<string, StoredObject>();
  #version = 0;

  async get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject | undefined> {
    throwIfAborted(options?.signal);
    const obj = this.#objects.get(key);
    return obj && { bytes: obj.bytes.slice(), etag: obj.etag };
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    throwIfAborted(options.signal);
    const current = this.#objects.get(key);
    if (options.ifNoneMatch === '*' && current) throw conflict(key, 'already exists');
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw conflict(key, 'has changed');
    const etag = `"m${++this.#version}"`;
    this.#objects.set(key, { bytes: bytes.slice(), etag });
    return { etag };
  }

  async delete(key: string, options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.signal);
    const current = this.#objects.get(key);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw conflict(key, 'has changed');
    this.#objects.delete(key);
  }

  async *list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<StoreEntry> {
    const keys = [...this.#objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    for (const key of keys) {
      throwIfAborted(options?.signal);
      const obj = this.#objects.get(key);
      if (obj) yield { key, etag: obj.etag, size: obj.bytes.byteLength };
    }
  }

  /** Total bytes held (for tests and benchmarks). */
  get byteSize(): number {
    let n = 0;
    for (const o of this.#objects.values()) n += o.bytes.byteLength;
    return n;
  }
}

/** Code-unit order, the order every store lists in. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function storeWriteError(key: string, cause: unknown): LabelkitError {
  return new LabelkitError(
    'E_STORE_WRITE',
    `Could not save "${key}". Nothing was lost: the change was not applied. Check storage space or the connection, then retry.`,
    { key },
    { cause },
  );
}
