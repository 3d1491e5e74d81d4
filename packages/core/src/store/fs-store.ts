import type { BigIntStats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, link, unlink, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { LabelkitError, throwIfAborted } from '../errors.js';
import { conflict, type AppendResult, type PutOptions, type Store, type StoreEntry, type StoredObject, type TailRead } from './store.js';

/**
 * A store in a folder of the local file system (Node). Each key is a file; a put writes a
 * temporary file, fsyncs it and then renames (or, create-only, hard-links) it into place, so a
 * crash leaves either the old object or the new one, never half of one.
 */
export class FsStore implements Store {
  readonly description: string;
  #lock: Promise<unknown> = Promise.resolve();
  #tmp = 0;

  constructor(readonly root: string) {
    this.description = `folder ${root}`;
  }

  #path(key: string): string {
    const parts = key.split('/');
    if (!key || parts.some((p) => p === '' || p === '.' || p === '..')) {
      throw new LabelkitError('E_INVALID_ARGUMENT', `"${key}" is not a valid store key.`, { key });
    }
    return join(this.root, ...parts.map(encodePart));
  }

  get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject | undefined> {
    return this.#read(key, options?.signal, async (fh) => {
      const st = await fh.stat({ bigint: true });
      const buf = await fh.readFile();
      // A view, not a copy: `new Uint8Array(buffer)` would copy every byte (a snapshot is tens of MB).
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      return { bytes, etag: etagOf(st) };
    });
  }

  put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    // Conditional writes compare and swap under one in-process lock.
    return this.#locked(async () => {
      throwIfAborted(options.signal);
      const path = this.#path(key);
      await this.#ifMatch(key, options.ifMatch);
      const tmp = `${path}.${process.pid}.${++this.#tmp}.tmp`;
      try {
        await writeSynced(tmp, 'w', bytes);
        if (options.ifNoneMatch === '*') {
          try {
            await link(tmp, path); // atomic: fails if the key exists
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw conflict(key, 'already exists');
            throw err;
          } finally {
            await unlink(tmp).catch(() => undefined);
          }
        } else {
          await rename(tmp, path);
        }
        await syncDir(dirname(path));
      } catch (err) {
        await rm(tmp, { force: true }).catch(() => undefined);
        if (LabelkitError.is(err)) throw err;
        throw new LabelkitError('E_STORE_WRITE', `Could not save "${key}" in ${this.root}: ${(err as Error).message}. Check disk space and permissions.`, { key }, { cause: err });
      }
      return { etag: etagOf(await stat(path, { bigint: true })) };
    });
  }

  delete(key: string, options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<void> {
    return this.#locked(async () => {
      throwIfAborted(options.signal);
      await this.#ifMatch(key, options.ifMatch);
      await rm(this.#path(key), { force: true });
    });
  }

  /** A conditional write's check (under the lock): the key's etag must still be `etag`. */
  async #ifMatch(key: string, etag: string | undefined): Promise<void> {
    if (etag === undefined) return;
    const cur = await this.get(key);
    if (cur?.etag !== etag) throw conflict(key, 'has changed');
  }

  /**
   * Appends one block with O_APPEND (each write lands whole at the end, also across processes) and
   * fsyncs it. A file has no block limit: it is never sealed. A reader in another process may see
   * the last block half written; the tail's records carry their length, so it waits for the rest.
   */
  append(key: string, bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<AppendResult> {
    return this.#locked(async () => {
      throwIfAborted(options?.signal);
      const path = this.#path(key);
      try {
        await writeSynced(path, 'a', bytes);
      } catch (err) {
        throw new LabelkitError(
          'E_STORE_WRITE',
          `Could not append to "${key}" in ${this.root}: ${(err as Error).message}. Check disk space and permissions.`,
          { key },
          { cause: err },
        );
      }
      return { sealed: false };
    });
  }

  readFrom(key: string, offset: number, options?: { signal?: AbortSignal }): Promise<TailRead | undefined> {
    return this.#read(key, options?.signal, async (fh) => {
      const { size } = await fh.stat();
      const from = Math.min(Math.max(0, offset), size);
      const bytes = new Uint8Array(size - from);
      let at = 0;
      while (at < bytes.byteLength) {
        const { bytesRead } = await fh.read(bytes, at, bytes.byteLength - at, from + at);
        if (!bytesRead) break;
        at += bytesRead;
      }
      return { bytes: bytes.subarray(0, at), size: from + at, sealed: false };
    });
  }

  /** Opens a key's file to read with `fn`: undefined if there is none; any other failure is E_STORE_READ. */
  async #read<T>(key: string, signal: AbortSignal | undefined, fn: (fh: FileHandle) => Promise<T>): Promise<T | undefined> {
    throwIfAborted(signal);
    try {
      const fh = await open(this.#path(key), 'r');
      try {
        return await fn(fh);
      } finally {
        await fh.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (LabelkitError.is(err)) throw err;
      throw new LabelkitError('E_STORE_READ', `Could not read "${key}" from ${this.root}: ${(err as Error).message}`, { key }, { cause: err });
    }
  }

  async *list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<StoreEntry> {
    // Walk only the folders the prefix can be in.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const keys: string[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      throwIfAborted(options?.signal);
      for (const e of entries) {
        if (e.name.endsWith('.tmp')) continue;
        const key = keyPrefix + decodePart(e.name);
        if (e.isDirectory()) {
          if ((key + '/').startsWith(prefix) || prefix.startsWith(key + '/')) await walk(join(dir, e.name), key + '/');
        } else if (key.startsWith(prefix)) keys.push(key);
      }
    };
    await walk(dirKey ? join(this.root, ...dirKey.split('/').map(encodePart)) : this.root, dirKey ? dirKey + '/' : '');
    keys.sort(); // code-unit order, as compareKeys, without a comparator call per pair
    // Names only: a stat per file would make listing a long journal slow; `get` gives the etag.
    for (const key of keys) yield { key };
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#lock.then(fn);
    this.#lock = next.catch(() => undefined);
    return next;
  }
}

/** A new file (new inode) is written on every put, so inode + mtime + size change with each write. */
function etagOf(st: BigIntStats): string {
  return `"${st.ino.toString(36)}-${st.mtimeNs.toString(36)}-${st.size.toString(36)}"`;
}

function encodePart(p: string): string {
  return encodeURIComponent(p).replace(/\*/g, '%2A');
}

function decodePart(p: string): string {
  return decodeURIComponent(p);
}

/** Writes a file and fsyncs it: 'w' a new one whole, 'a' one block appended in a single O_APPEND write. */
async function writeSynced(path: string, flags: 'w' | 'a', bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(path, flags);
  try {
    await (flags === 'a' ? fh.write(bytes) : fh.writeFile(bytes));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  if (sep !== '/') return;
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}
