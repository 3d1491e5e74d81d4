import type { Stats } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { LabelkitError, throwIfAborted } from '../errors.js';
import type { ItemRef } from '../types.js';
import type { DataSource } from './source.js';

/** A local folder in Node, walked recursively in name order; paths are relative with '/'. */
export class FsSource implements DataSource {
  readonly description: string;
  constructor(readonly root: string) {
    this.description = `folder ${root}`;
  }

  async *list(options?: { signal?: AbortSignal }): AsyncIterable<ItemRef> {
    const root = this.root;
    async function* walk(dir: string): AsyncGenerator<ItemRef> {
      const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // The files of a folder are stat'ed 64 at a time (one at a time cost a thread-pool round trip each).
      const stats = new Map<string, Promise<Stats>>();
      const files = entries.filter((e) => e.isFile());
      let ahead = 0;
      const prefetch = () => {
        for (; ahead < files.length && stats.size < 64; ahead++) {
          const st = stat(join(dir, files[ahead]!.name));
          st.catch(() => undefined); // a listing given up early leaves no unhandled rejection; the await below still throws
          stats.set(files[ahead]!.name, st);
        }
      };
      for (const e of entries) {
        throwIfAborted(options?.signal);
        const full = join(dir, e.name);
        if (e.isDirectory()) yield* walk(full);
        else if (e.isFile()) {
          prefetch();
          const st = await stats.get(e.name)!;
          stats.delete(e.name);
          yield { path: relative(root, full).split(sep).join('/'), size: st.size, lastModified: st.mtimeMs, etag: `${st.size}-${Math.floor(st.mtimeMs)}` };
        }
      }
    }
    yield* walk(root);
  }

  async read(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    throwIfAborted(options?.signal);
    if (path.split('/').includes('..')) throw new LabelkitError('E_INVALID_ARGUMENT', `"${path}" leaves the folder.`, { path });
    try {
      return new Uint8Array(await readFile(join(this.root, ...path.split('/'))));
    } catch (err) {
      throw new LabelkitError('E_NOT_FOUND', `Could not read "${path}" in ${this.root}: ${(err as Error).message}`, { path }, { cause: err });
    }
  }
}
