import { LabelkitError, throwIfAborted } from '../errors.js';
import { conflict, type AppendResult, type PutOptions, type Store, type StoreEntry, type StoredObject, type TailRead } from './store.js';

interface Row {
  key: string;
  bytes: Uint8Array;
  etag: string;
  /** Blocks appended (append-only objects). */
  blocks?: number;
}

/** Blocks an append-only object takes before it is sealed, as on Azure. */
const MAX_APPEND_BLOCKS = 50_000;

/**
 * The browser's default store: one IndexedDB object store keyed by path. A put resolves when its
 * transaction completes (durability 'strict' where the browser supports it), so an acknowledged
 * journal segment survives a crash or reload. Conditional writes read and write in one
 * readwrite transaction, so two tabs cannot both create the same key.
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
      r.onsuccess = () => g.resolve(r.result && { bytes: r.result.bytes, etag: r.result.etag });
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
          os.put({ key, bytes: bytes.slice(), etag } satisfies Row);
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
          const joined = new Uint8Array((cur?.bytes.byteLength ?? 0) + bytes.byteLength);
          if (cur) joined.set(cur.bytes);
          joined.set(bytes, cur?.bytes.byteLength ?? 0);
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
      return await this.#tx(
        'readonly',
        async (os) => {
          const row = await req<Row | undefined>(os.get(key));
          if (!row) return undefined;
          const size = row.bytes.byteLength;
          return { bytes: row.bytes.slice(Math.min(Math.max(0, offset), size)), size, sealed: (row.blocks ?? 0) >= MAX_APPEND_BLOCKS };
        },
        options?.signal,
      );
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
