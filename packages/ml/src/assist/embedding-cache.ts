// Embeddings persisted through the project's Store, in chunks of item indices, so a reload (or a
// featurization cut short) does not redo work. An item's row is reused while its etag is unchanged.
import { LabelkitError, type Store, crc32 } from '@labelkit/core';

const MAGIC = 0x4d454b4c; // 'LKEM' little-endian
const VERSION = 1;
const HEADER = 16;

/** One chunk: the items it holds (by index), their etag fingerprints and their rows. */
export interface EmbeddingChunk {
  readonly dim: number;
  readonly items: Uint32Array;
  readonly etags: Uint32Array;
  /** items.length × dim; NaN rows mark items that could not be featurized. */
  readonly data: Float32Array;
}

export function etagFingerprint(etag: string | undefined): number {
  return etag ? crc32(new TextEncoder().encode(etag)) || 1 : 0;
}

export function encodeChunk(chunk: EmbeddingChunk): Uint8Array {
  const n = chunk.items.length;
  const bytes = new Uint8Array(HEADER + n * 8 + n * chunk.dim * 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, chunk.dim, true);
  view.setUint32(12, n, true);
  for (let i = 0; i < n; i++) {
    view.setUint32(HEADER + i * 4, chunk.items[i]!, true);
    view.setUint32(HEADER + n * 4 + i * 4, chunk.etags[i]!, true);
  }
  const off = HEADER + n * 8;
  for (let i = 0; i < chunk.data.length; i++) view.setFloat32(off + i * 4, chunk.data[i]!, true);
  return bytes;
}

export function decodeChunk(bytes: Uint8Array, key = ''): EmbeddingChunk {
  const bad = (why: string) => new LabelkitError('E_STORE_READ', `The embeddings in ${key} are damaged (${why}); they will be computed again.`, { key });
  if (bytes.length < HEADER) throw bad('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw bad('not an embeddings chunk');
  if (view.getUint32(4, true) !== VERSION) throw bad(`version ${view.getUint32(4, true)}`);
  const dim = view.getUint32(8, true);
  const n = view.getUint32(12, true);
  if (bytes.length !== HEADER + n * 8 + n * dim * 4) throw bad('wrong length');
  const items = new Uint32Array(n);
  const etags = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    items[i] = view.getUint32(HEADER + i * 4, true);
    etags[i] = view.getUint32(HEADER + n * 4 + i * 4, true);
  }
  const data = new Float32Array(n * dim);
  const off = HEADER + n * 8;
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(off + i * 4, true);
  return { dim, items, etags, data };
}

/**
 * Embeddings of a project's items under `projects/<id>/assist/embeddings/<model>/<chunk>.f32`,
 * one object per `chunkSize` consecutive item indices.
 */
export class EmbeddingCache {
  readonly prefix: string;
  #rows = new Map<number, { etag: number; row: Float32Array }>();
  #dim = 0;

  constructor(
    readonly store: Store,
    projectId: string,
    modelKey: string,
    readonly chunkSize = 1024,
  ) {
    this.prefix = `projects/${projectId}/assist/embeddings/${encodeURIComponent(modelKey)}/`;
  }

  get dim(): number {
    return this.#dim;
  }

  get size(): number {
    return this.#rows.size;
  }

  chunkKey(chunk: number): string {
    return `${this.prefix}${String(chunk).padStart(6, '0')}.f32`;
  }

  /** Loads every stored chunk; damaged chunks are skipped (their items are featurized again). */
  async load(signal?: AbortSignal): Promise<{ chunks: number; damaged: string[] }> {
    const damaged: string[] = [];
    let chunks = 0;
    for await (const entry of this.store.list(this.prefix, { signal })) {
      const obj = await this.store.get(entry.key, { signal });
      if (!obj) continue;
      try {
        const c = decodeChunk(obj.bytes, entry.key);
        this.#dim ||= c.dim;
        if (c.dim !== this.#dim) throw new LabelkitError('E_STORE_READ', `mixed widths in ${entry.key}`);
        for (let i = 0; i < c.items.length; i++) this.#rows.set(c.items[i]!, { etag: c.etags[i]!, row: c.data.subarray(i * c.dim, (i + 1) * c.dim) });
        chunks++;
      } catch {
        damaged.push(entry.key);
      }
    }
    return { chunks, damaged };
  }

  /** The row of an item, if stored with the same etag (NaN rows are items that failed). */
  get(item: number, etag?: string): Float32Array | undefined {
    const r = this.#rows.get(item);
    return r && r.etag === etagFingerprint(etag) ? r.row : undefined;
  }

  has(item: number, etag?: string): boolean {
    return this.get(item, etag) !== undefined;
  }

  /** Records rows and writes the chunks they fall in. */
  async put(rows: readonly { item: number; etag?: string; row: Float32Array }[], signal?: AbortSignal): Promise<void> {
    const dim = rows[0]?.row.length;
    if (dim === undefined) return;
    if (this.#dim && dim !== this.#dim) {
      throw new LabelkitError('E_INVALID_ARGUMENT', `Embeddings are ${this.#dim} wide in this cache, not ${dim}; use another model key.`);
    }
    this.#dim = dim;
    const touched = new Set<number>();
    for (const r of rows) {
      this.#rows.set(r.item, { etag: etagFingerprint(r.etag), row: r.row });
      touched.add(Math.floor(r.item / this.chunkSize));
    }
    for (const chunk of touched) {
      const items: number[] = [];
      for (let i = chunk * this.chunkSize; i < (chunk + 1) * this.chunkSize; i++) if (this.#rows.has(i)) items.push(i);
      const data = new Float32Array(items.length * dim);
      const etags = new Uint32Array(items.length);
      items.forEach((item, k) => {
        const r = this.#rows.get(item)!;
        data.set(r.row, k * dim);
        etags[k] = r.etag;
      });
      await this.store.put(this.chunkKey(chunk), encodeChunk({ dim, items: Uint32Array.from(items), etags, data }), { signal });
    }
  }

  /** Rows of `items` as one matrix (rows of unknown items are NaN). */
  matrix(items: readonly number[]): Float32Array {
    const out = new Float32Array(items.length * this.#dim).fill(NaN);
    items.forEach((item, k) => {
      const r = this.#rows.get(item);
      if (r) out.set(r.row, k * this.#dim);
    });
    return out;
  }
}
