import { LabelkitError } from '../errors.js';

/** One stored object. `etag` changes on every write; conditional writes compare it. */
export interface StoredObject {
  readonly bytes: Uint8Array;
  readonly etag: string;
}

export interface StoreEntry {
  readonly key: string;
  /** Present where listing gives it for free (memory, IndexedDB, Azure); the file system omits it. */
  readonly etag?: string;
  readonly size?: number;
}

export interface PutOptions {
  /** Write only if the object does not exist yet (create-only). Fails with `E_CONFLICT`. */
  readonly ifNoneMatch?: '*';
  /** Write only if the object's current etag is this one. Fails with `E_CONFLICT`. */
  readonly ifMatch?: string;
  readonly signal?: AbortSignal;
}

/**
 * The `Store` port: where a project's journal, snapshots, drafts, embeddings and exports live.
 * A small object store with conditional writes, so the same journal and lease logic runs on
 * memory, IndexedDB, the file system and Azure Blob. Keys are '/'-separated paths.
 *
 * Contract:
 * - `put` resolves only once the bytes are durable for that store; it rejects with
 *   `E_CONFLICT` when a precondition fails and with `E_STORE_WRITE` when the write failed.
 * - `list` yields keys under a prefix in ascending key order (code-unit order).
 * - Implementations never log or echo credentials.
 */
export interface Store {
  /** A short description for the dashboard, without secrets (e.g. 'IndexedDB labelkit'). */
  readonly description: string;
  /**
   * Set by stores that every tab of an origin sees at once (IndexedDB): a project on it coordinates
   * its tabs (one command at a time under a Web Lock, each starting from what the others wrote).
   * The value names the database, so two databases do not share locks.
   */
  readonly tabScope?: string;
  get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject | undefined>;
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<{ etag: string }>;
  delete(key: string, options?: { ifMatch?: string; signal?: AbortSignal }): Promise<void>;
  list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<StoreEntry>;
  /**
   * Appends `bytes` as one block at the end of an append-only object, creating it when missing
   * (optional: every store of this package has it). Concurrent appends of several clients never
   * interleave inside a block; their order is the store's. A store with a block limit (Azure: 50,000
   * blocks per append blob) answers `{ sealed: true }` and writes nothing once the object is full —
   * then it never changes again. An append retried after a lost answer may land twice: readers
   * recognise repeated records (see `shared/tail.ts`).
   */
  append?(key: string, bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<AppendResult>;
  /**
   * The bytes of an append-only object from `offset` to its current end (empty when `offset` is at
   * or past it), its size, and whether it is sealed (full: nothing will be appended any more).
   * `undefined` when it does not exist.
   */
  readFrom?(key: string, offset: number, options?: { signal?: AbortSignal }): Promise<TailRead | undefined>;
  /**
   * Seals an append-only object: no append lands after this (they answer `{ sealed: true }`), and
   * `readFrom` says `sealed`. Optional: a store without it (the file system) is never sealed early.
   */
  seal?(key: string, options?: { signal?: AbortSignal }): Promise<void>;
}

export interface AppendResult {
  /** The object is full or sealed; nothing was written. Append to the next one. */
  readonly sealed: boolean;
  /** Blocks the object holds after this append, where the store says (Azure, memory, IndexedDB). */
  readonly blocks?: number;
}

export interface TailRead {
  readonly bytes: Uint8Array;
  /** The object's size when read. */
  readonly size: number;
  readonly sealed: boolean;
}

/** A store that keeps append-only objects (`append` and `readFrom`). */
export type AppendStore = Store & Required<Pick<Store, 'append' | 'readFrom'>>;

export function canAppend(store: Store): store is AppendStore {
  return typeof store.append === 'function' && typeof store.readFrom === 'function';
}

export function conflict(key: string, what: string): LabelkitError {
  return new LabelkitError('E_CONFLICT', `The object "${key}" ${what}; someone else wrote it first. Reload and try again.`, { key });
}

/** Collect a listing into an array (small listings only). */
export async function listAll(store: Store, prefix: string, signal?: AbortSignal): Promise<StoreEntry[]> {
  const out: StoreEntry[] = [];
  for await (const entry of store.list(prefix, { signal })) out.push(entry);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const utf8 = {
  encode: (s: string): Uint8Array => encoder.encode(s),
  decode: (b: Uint8Array): string => decoder.decode(b),
};

export async function getJson<T>(store: Store, key: string, signal?: AbortSignal): Promise<{ value: T; etag: string } | undefined> {
  const obj = await store.get(key, { signal });
  if (!obj) return undefined;
  return { value: JSON.parse(utf8.decode(obj.bytes)) as T, etag: obj.etag };
}

export function putJson(store: Store, key: string, value: unknown, options?: PutOptions): Promise<{ etag: string }> {
  return store.put(key, utf8.encode(JSON.stringify(value)), options);
}
