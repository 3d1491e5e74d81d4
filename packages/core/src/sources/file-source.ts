import { LabelkitError, throwIfAborted } from '../errors.js';
import type { ItemRef } from '../types.js';
import type { DataSource } from './source.js';

/** The part of `File` this source needs (so Node 20's `File` and test doubles fit too). */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  readonly lastModified: number;
  readonly webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Local files the user picked (`<input type=file multiple>`, `webkitdirectory`, drag and drop). */
export class FileListSource implements DataSource {
  readonly description: string;
  readonly #files = new Map<string, FileLike>();

  constructor(files: Iterable<FileLike> | ArrayLike<FileLike>) {
    const list = Symbol.iterator in Object(files) ? [...(files as Iterable<FileLike>)] : Array.from(files as ArrayLike<FileLike>);
    for (const f of list) this.#files.set(f.webkitRelativePath || f.name, f);
    this.description = `local files (${this.#files.size})`;
  }

  async *list(options?: { signal?: AbortSignal }): AsyncIterable<ItemRef> {
    for (const [path, f] of this.#files) {
      throwIfAborted(options?.signal);
      yield { path, size: f.size, lastModified: f.lastModified, etag: `${f.size}-${f.lastModified}` };
    }
  }

  async read(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    throwIfAborted(options?.signal);
    const f = this.#files.get(path);
    if (!f) throw new LabelkitError('E_NOT_FOUND', `The file "${path}" is not among the chosen files; choose it again.`, { path });
    return new Uint8Array(await f.arrayBuffer());
  }
}

/** Minimal shapes of the File System Access API, so core needs no DOM lib at run time. */
export interface DirectoryHandleLike {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<DirectoryHandleLike | FileHandleLike>;
  getDirectoryHandle(name: string): Promise<DirectoryHandleLike>;
  getFileHandle(name: string): Promise<FileHandleLike>;
}
export interface FileHandleLike {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<FileLike>;
}

/** A folder the user granted (`showDirectoryPicker()`), walked recursively; re-listing sees new files. */
export class DirectoryHandleSource implements DataSource {
  readonly description: string;
  constructor(readonly root: DirectoryHandleLike) {
    this.description = `folder ${root.name}`;
  }

  async *list(options?: { signal?: AbortSignal }): AsyncIterable<ItemRef> {
    const walk = async function* (dir: DirectoryHandleLike, prefix: string): AsyncGenerator<ItemRef> {
      const entries: (DirectoryHandleLike | FileHandleLike)[] = [];
      for await (const e of dir.values()) entries.push(e);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        throwIfAborted(options?.signal);
        if (e.kind === 'directory') yield* walk(e, `${prefix}${e.name}/`);
        else {
          const f = await e.getFile();
          yield { path: `${prefix}${e.name}`, size: f.size, lastModified: f.lastModified, etag: `${f.size}-${f.lastModified}` };
        }
      }
    };
    yield* walk(this.root, '');
  }

  async read(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    throwIfAborted(options?.signal);
    const parts = path.split('/');
    const name = parts.pop() ?? ''; // split gives at least one part
    let dir = this.root;
    try {
      for (const p of parts) dir = await dir.getDirectoryHandle(p);
      const f = await (await dir.getFileHandle(name)).getFile();
      return new Uint8Array(await f.arrayBuffer());
    } catch (err) {
      throw new LabelkitError('E_NOT_FOUND', `"${path}" is no longer in folder ${this.root.name}.`, { path }, { cause: err });
    }
  }
}
