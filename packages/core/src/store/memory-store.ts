import { LabelkitError, throwIfAborted } from '../errors.js';
import { conflict, type AppendResult, type PutOptions, type Store, type StoreEntry, type StoredObject, type TailRead } from './store.js';

/** A store in memory: tests, demos and benchmarks. Bytes are copied in and out. */
export class MemoryStore implements Store {
  readonly description = 'memory';
  readonly #objects = new Map<string, StoredObject>();
  /** Append-only objects: their blocks (joined on read). */
  readonly #appended = new Map<string, { blocks: Uint8Array[]; size: number; sealed?: boolean }>();
  #version = 0;
  /** Blocks an append-only object takes before it is sealed (Azure: 50,000; small in tests). */
  readonly maxAppendBlocks: number;

  constructor(options: { maxAppendBlocks?: number } = {}) {
    this.maxAppendBlocks = Math.max(1, options.maxAppendBlocks ?? 50_000);
  }

  async get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject | undefined> {
    throwIfAborted(options?.signal);
    this.#join(key);
    const obj = this.#objects.get(key);
    return obj && { bytes: obj.bytes.slice(), etag: obj.etag };
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    throwIfAborted(options.signal);
    const current = this.#objects.get(key);
    if (options.ifNoneMatch === '*' && current) throw conflict(key, 'already exists');
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw conflict(key, 'has changed');
    const etag = `"m${++this.#version}"`;
    this.#appended.delete(key);
    this.#objects.set(key, { bytes: bytes.slice(), etag });
    return { etag };
  }

  async append(key: string, bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<AppendResult> {
    throwIfAborted(options?.signal);
    let tail = this.#appended.get(key);
    if (!tail) {
      const cur = this.#objects.get(key);
      tail = { blocks: cur ? [cur.bytes] : [], size: cur?.bytes.byteLength ?? 0 };
      this.#appended.set(key, tail);
    }
    if (tail.sealed || tail.blocks.length >= this.maxAppendBlocks) return { sealed: true };
    tail.blocks.push(bytes.slice());
    tail.size += bytes.byteLength;
    this.#objects.set(key, { bytes: new Uint8Array(0), etag: `"m${++this.#version}"` });
    return { sealed: false, blocks: tail.blocks.length };
  }

  async seal(key: string, options?: { signal?: AbortSignal }): Promise<void> {
    throwIfAborted(options?.signal);
    const tail = this.#appended.get(key);
    if (tail) tail.sealed = true;
  }

  async readFrom(key: string, offset: number, options?: { signal?: AbortSignal }): Promise<TailRead | undefined> {
    throwIfAborted(options?.signal);
    const tail = this.#appended.get(key);
    if (!tail) {
      const obj = this.#objects.get(key);
      return obj && { bytes: obj.bytes.slice(Math.min(offset, obj.bytes.byteLength)), size: obj.bytes.byteLength, sealed: false };
    }
    const out = new Uint8Array(Math.max(0, tail.size - offset));
    let at = 0;
    for (const b of tail.blocks) {
      const from = Math.max(0, offset - at);
      if (from < b.byteLength) out.set(b.subarray(from), at + from - offset);
      at += b.byteLength;
    }
    return { bytes: out, size: tail.size, sealed: !!tail.sealed || tail.blocks.length >= this.maxAppendBlocks };
  }

  /** An append-only object read whole: its blocks joined once. */
  #join(key: string): void {
    const tail = this.#appended.get(key);
    const obj = this.#objects.get(key);
    if (!tail || !obj || obj.bytes.byteLength === tail.size) return;
    const bytes = new Uint8Array(tail.size);
    let at = 0;
    for (const b of tail.blocks) {
      bytes.set(b, at);
      at += b.byteLength;
    }
    this.#objects.set(key, { bytes, etag: obj.etag });
  }

  async delete(key: string, options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<void> {
    throwIfAborted(options.signal);
    const current = this.#objects.get(key);
    if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) throw conflict(key, 'has changed');
    this.#objects.delete(key);
    this.#appended.delete(key);
  }

  async *list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<StoreEntry> {
    const keys = [...this.#objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    for (const key of keys) {
      throwIfAborted(options?.signal);
      const obj = this.#objects.get(key);
      if (obj) yield { key, etag: obj.etag, size: this.#appended.get(key)?.size ?? obj.bytes.byteLength };
    }
  }

  /** Total bytes held (for tests and benchmarks). */
  get byteSize(): number {
    let n = 0;
    for (const [k, o] of this.#objects) n += this.#appended.get(k)?.size ?? o.bytes.byteLength;
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
