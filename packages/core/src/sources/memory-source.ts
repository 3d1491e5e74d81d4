import { LabelkitError, throwIfAborted } from '../errors.js';
import type { ItemRef } from '../types.js';
import type { DataSource } from './source.js';

/** Items held in memory: tests, demos, generated data. `set` adds or changes a file. */
export class MemorySource implements DataSource {
  readonly description: string;
  readonly #files = new Map<string, { bytes: Uint8Array; etag: string; lastModified: number }>();
  #version = 0;

  constructor(files: Iterable<[string, Uint8Array]> = [], description = 'memory') {
    this.description = description;
    for (const [path, bytes] of files) this.set(path, bytes);
  }

  set(path: string, bytes: Uint8Array, lastModified = Date.now()): void {
    this.#files.set(path, { bytes, etag: `"v${++this.#version}"`, lastModified });
  }

  async *list(options?: { signal?: AbortSignal }): AsyncIterable<ItemRef> {
    for (const [path, f] of this.#files) {
      throwIfAborted(options?.signal);
      yield { path, size: f.bytes.byteLength, etag: f.etag, lastModified: f.lastModified };
    }
  }

  async read(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    throwIfAborted(options?.signal);
    const f = this.#files.get(path);
    if (!f) throw new LabelkitError('E_NOT_FOUND', `No file "${path}" in this source.`, { path });
    return f.bytes;
  }
}
