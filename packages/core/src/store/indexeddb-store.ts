import { LabelkitError, throwIfAborted } from '../errors.js';
import { conflict, type AppendResult, type PutOptions, type Store, type StoreEntry, type StoredObject, type TailRead } from './store.js';

interface Row {
  key: string;
  /** The bytes of a small object (and of every append-only one). */
  bytes?: Uint8Array;
  /** The bytes of a large object (`BLOB_FROM` bytes or more), as a Blob: see `put`. */
  blob?: Blob;
  etag: string;
  /** Blocks appended (append-only objects). */
  blocks?: number;
}

/**
 * From this size a put stores its bytes as a Blob. Chromium keeps values this large in files beside
 * its database either way, but reads a typed array back by deserializing it on the main thread
 * (~200–250 ms for a 54 MB snapshot), and a Blob's bytes as one file read (~60–80 ms).
 */
const BLOB_FROM = 64 * 1024;

/** The bytes of a row, whichever way they were stored. */
async function bytesOf(row: Row): Promise<Uint8Array> {
  if (row.blob) return new Uint8Array(await row.blob.arrayBuffer());
  return row.bytes ?? new Uint8Array(0);
}

/** Blocks an append-only object takes before it is sealed, as on Azure. */
const MAX_APPEND_BLOCKS = 50_000;

/**
 * The browser's default store: one IndexedDB object store keyed by path. A put resolves when its
 * transaction completes (durability 'strict' where the browser supports it), so an acknowledged
 * journal segment survives a crash or reload. Conditional writes read and write in one
 * readwrite transaction, so two tabs cannot both create the same key. Objects of 64 KB or more
 * (snapshots, large segments) are stored as Blobs, which read back several times faster.
 */
export class IndexedDBStore implements Store {
  readonly description: string;
  #db: Promise<IDBDatabase> | undefined;
  #etag = 0;

  readonly tabScope: string;

  constructor(readonly dbName = 'labelkit') {
    this.description = `IndexedDB ${dbName}`;
    this.tabScope = `idb:${dbName}`;
  }

  #open(): Promise<IDBDatabase> {
    if (this.#db) return this.#db;
    const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!factory) {
      return Promise.reject(new LabelkitError('E_STORE_READ', 'IndexedDB is not available here (private mode or a non-browser runtime). Use another store.'));
    }
    this.#db = new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(this.dbName, 1);
      req.onupgradeneeded = () => {
        // 'objects' holds the bytes; 'entries' the small listing rows, so a listing never reads bytes.
        req.result.createObjectStore('objects', { keyPath: 'key' });
        req.result.createObjectStore('entries', { keyPath: 'key' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(new LabelkitError('E_STORE_READ', `Could not open IndexedDB "${this.dbName}": ${req.error?.message}.`, {}, { cause: req.error }));
      req.onblocked = () => reject(new LabelkitError('E_STORE_READ', `IndexedDB "${this.dbName}" is blocked by another tab upgrading it; close other tabs and reload.`));
    });
    this.#db.catch(() => (this.#db = undefined));
    return this.#db;
  }

  async #tx<T>(mode: IDBTransactionMode, body: (os: IDBObjectStore, entries: IDBObjectStore) => T | Promise<T>, signal?: AbortSignal): Promise<T> {
    throwIfAborted(signal);
    const db = await this.#open();
    const tx = (db.transaction as (n: string[], m: IDBTransactionMode, o?: { durability: string }) => IDBTransaction).call(db, ['objects', 'entries'], mode, {
      durability: 'strict',
    });
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
    });
    let result: T;
    try {
      result = await body(tx.objectStore('objects'), tx.objectStore('entries'));
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // already finished
      }
      await done.catch(() => undefined);
      throw err;
    }
    await done;
    return result;
  }

  /**
   * Reads asked for in the same task share one readonly transaction (opening a project asks for a
   * snapshot and its tail, then each client's next segments, at once): one round trip each time
   * instead of one per key. Each read resolves as soon as its row is there.
   */
  get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject | undefined> {
    return new Promise<StoredObject | undefined>((resolve, reject) => {
      throwIfAborted(options?.signal); // rejects this read only
      if (!this.#gets) {
        this.#gets = [];
        queueMicrotask(() => void this.#readBatch());
      }
      this.#gets.push({ key, resolve, reject });
    });
  }

  #gets: { key: string; resolve: (o: StoredObject | undefined) => void; reject: (err: unknown) => void }[] | undefined;

  async #readBatch(): Promise<void> {
    const batch = this.#gets!;
    this.#gets = undefined;
    const fail = (err: unknown) => {
      for (const g of batch) {
        g.reject(
          LabelkitError.is(err) ? err : new LabelkitError('E_STORE_READ', `Could not read "${g.key}" from IndexedDB: ${(err as Error)?.message}.`, { key: g.key }, { cause: err }),
        );
      }
    };
    let tx: IDBTransaction;
    try {
      tx = (await this.#open()).transaction(['objects'], 'readonly');
    } catch (err) {
      fail(err);
      return;
    }
    const os = tx.objectStore('objects');
    tx.onerror = tx.onabort = () => fail(tx.error ?? new Error('transaction aborted'));
    for (const g of batch) {
      const r = os.get(g.key) as IDBRequest<Row | undefined>;
      r.onsuccess = () => {
        const row = r.result;
        if (!row?.blob) return g.resolve(row && { bytes: row.bytes ?? new Uint8Array(0), etag: row.etag });
        // A Blob is read after the transaction, outside it: a read of its file that may fail on its own.
        bytesOf(row).then(
          (bytes) => g.resolve({ bytes, etag: row.etag }),
          (err: unknown) => g.reject(new LabelkitError('E_STORE_READ', `Could not read "${g.key}" from IndexedDB: ${(err as Error)?.message}.`, { key: g.key }, { cause: err })),
        );
      };
    }
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    const etag = `"i${Date.now().toString(36)}-${(++this.#etag).toString(36)}-${Math.random().toString(36).slice(2, 8)}"`;
    try {
      await this.#tx(
        'readwrite',
        async (os, entries) => {
          if (options.ifNoneMatch || options.ifMatch !== undefined) {
            const cur = await req<StoreEntry | undefined>(entries.get(key));
            if (options.ifNoneMatch === '*' && cur) throw conflict(key, 'already exists');
            if (options.ifMatch !== undefined && cur?.etag !== options.ifMatch) throw conflict(key, 'has changed');
          }
          os.put((bytes.byteLength >= BLOB_FROM ? { key, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]), etag } : { key, bytes: bytes.slice(), etag }) satisfies Row);
          await req(entries.put({ key, etag, size: bytes.byteLength } satisfies StoreEntry));
        },
        options.signal,
      );
      return { etag };
    } catch (err) {
      if (LabelkitError.is(err)) throw err;
      const quota = (err as DOMException | undefined)?.name === 'QuotaExceededError';
      throw new LabelkitError(
        'E_STORE_WRITE',
        quota
          ? `The browser's storage is full; "${key}" was not saved. Free space (export and remove old projects) and retry.`
          : `Could not save "${key}" to IndexedDB: ${(err as Error)?.message}.`,
        { key, quota },
        { cause: err },
      );
    }
  }

  /** Appends a block in one readwrite transaction (so tabs never interleave inside a block). */
  async append(key: string, bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<AppendResult> {
    const etag = `"i${Date.now().toString(36)}-${(++this.#etag).toString(36)}-${Math.random().toString(36).slice(2, 8)}"`;
    try {
      return await this.#tx(
        'readwrite',
        async (os, entries) => {
          const cur = await req<Row | undefined>(os.get(key));
          const blocks = cur ? (cur.blocks ?? 1) : 0;
          if (blocks >= MAX_APPEND_BLOCKS) return { sealed: true };
          // Append-only objects are written by append alone, which keeps them inline (a Blob cannot be read inside the transaction).
          if (cur?.blob) throw new LabelkitError('E_STORE_WRITE', `"${key}" was written by put, not append; it cannot be appended to.`, { key });
          const prev = cur?.bytes ?? new Uint8Array(0);
          const joined = new Uint8Array(prev.byteLength + bytes.byteLength);
          joined.set(prev);
          joined.set(bytes, prev.byteLength);
          os.put({ key, bytes: joined, etag, blocks: blocks + 1 } satisfies Row);
          await req(entries.put({ key, etag, size: joined.byteLength } satisfies StoreEntry));
          return { sealed: false, blocks: blocks + 1 };
        },
        options?.signal,
      );
    } catch (err) {
      if (LabelkitError.is(err)) throw err;
      throw new LabelkitError('E_STORE_WRITE', `Could not append to "${key}" in IndexedDB: ${(err as Error)?.message}.`, { key }, { cause: err });
    }
  }

  /** Seals an append-only object (its block count is set to the limit). */
  async seal(key: string, options?: { signal?: AbortSignal }): Promise<void> {
    await this.#tx(
      'readwrite',
      async (os) => {
        const cur = await req<Row | undefined>(os.get(key));
        if (cur) await req(os.put({ ...cur, blocks: MAX_APPEND_BLOCKS } satisfies Row));
      },
      options?.signal,
    );
  }

  async readFrom(key: string, offset: number, options?: { signal?: AbortSignal }): Promise<TailRead | undefined> {
    try {
      const row = await this.#tx('readonly', (os) => req<Row | undefined>(os.get(key)), options?.signal);
      if (!row) return undefined;
      const bytes = await bytesOf(row);
      const size = bytes.byteLength;
      return { bytes: bytes.slice(Math.min(Math.max(0, offset), size)), size, sealed: (row.blocks ?? 0) >= MAX_APPEND_BLOCKS };
    } catch (err) {
      if (LabelkitError.is(err)) throw err;
      throw new LabelkitError('E_STORE_READ', `Could not read "${key}" from IndexedDB: ${(err as Error)?.message}.`, { key }, { cause: err });
    }
  }

  async delete(key: string, options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<void> {
    await this.#tx(
      'readwrite',
      async (os, entries) => {
        if (options.ifMatch !== undefined) {
          const cur = await req<StoreEntry | undefined>(entries.get(key));
          if (cur?.etag !== options.ifMatch) throw conflict(key, 'has changed');
        }
        os.delete(key);
        await req(entries.delete(key));
      },
      options.signal,
    );
  }

  /** One request in a readonly transaction, answered as soon as its result is there (not when the transaction ends). */
  async #readOnly<T>(name: 'objects' | 'entries', ask: (os: IDBObjectStore) => IDBRequest<T>, signal?: AbortSignal): Promise<T> {
    throwIfAborted(signal);
    const tx = (await this.#open()).transaction([name], 'readonly');
    return new Promise<T>((resolve, reject) => {
      const r = ask(tx.objectStore(name));
      r.onsuccess = () => resolve(r.result);
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
    });
  }

  async *list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<StoreEntry> {
    // Page through keys so a huge listing never holds one long transaction.
    let after: string | undefined;
    for (;;) {
      const range = after === undefined ? IDBKeyRange.bound(prefix, prefix + '\uffff') : IDBKeyRange.bound(after, prefix + '\uffff', true);
      const rows = await this.#readOnly<StoreEntry[]>('entries', (entries) => entries.getAll(range, 500), options?.signal);
      const page = rows.map((r) => ({ key: r.key, etag: r.etag, size: r.size }));
      for (const e of page) yield e;
      if (page.length < 500) return;
      after = page[page.length - 1]!.key; // a full page here, so not empty
    }
  }

  /** Closes the connection (tests, or before deleting the database). */
  async close(): Promise<void> {
    const db = await this.#db?.catch(() => undefined);
    db?.close();
    this.#db = undefined;
  }
}

function req<T>(r: IDBRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result as T);
    r.onerror = () => reject(r.error);
  });
}
