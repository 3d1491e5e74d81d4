// Node-only sinks for exports (re-exported by `@labelkit/core/node`; never imported by the browser entry).
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { LabelkitError, throwIfAborted } from '../errors.js';
import type { ExportFiles, ExportStream } from './stream.js';
import type { ExportEntry } from './types.js';

export interface WriteFileOptions {
  readonly signal?: AbortSignal;
  /** Replace a file already at the path (default false: `E_CONFLICT`). */
  readonly overwrite?: boolean;
}

/**
 * Writes a one-file export (or a zip) to a file, chunk by chunk, in constant memory. The bytes go to
 * `<path>.partial` first and are renamed into place only once complete, so a failed or cancelled
 * export never leaves a truncated file behind (the partial file is removed).
 */
export async function writeExportFile(source: ExportStream | AsyncIterable<Uint8Array>, path: string, options: WriteFileOptions = {}): Promise<{ path: string; bytes: number }> {
  throwIfAborted(options.signal);
  if (!options.overwrite && (await exists(path))) throw conflict(path);
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const handle = await open(partial, 'w');
  let bytes = 0;
  try {
    for await (const chunk of source) {
      throwIfAborted(options.signal);
      let at = 0;
      while (at < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, at, chunk.byteLength - at);
        at += bytesWritten;
      }
      bytes += chunk.byteLength;
    }
    await handle.close();
    if (!options.overwrite && (await exists(path))) throw conflict(path);
    await rename(partial, path);
    return { path, bytes };
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    if (LabelkitError.is(err)) throw err;
    throw new LabelkitError('E_STORE_WRITE', `Could not write the export to "${path}": ${(err as Error).message}`, { path }, { cause: err });
  }
}

/**
 * Writes a multi-file export (YOLO, VOC) under a folder, one file per entry. Entry paths are kept
 * inside the folder (an entry that would leave it is refused). Not atomic: on failure the files written
 * so far stay.
 */
export async function writeExportFiles(
  files: ExportFiles | AsyncIterable<ExportEntry>,
  dir: string,
  options: WriteFileOptions = {},
): Promise<{ dir: string; files: number; bytes: number }> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const made = new Set<string>([root]);
  let count = 0;
  let bytes = 0;
  for await (const entry of files) {
    throwIfAborted(options.signal);
    const target = resolve(root, entry.path);
    if (!target.startsWith(root + sep)) {
      throw new LabelkitError('E_INVALID_ARGUMENT', `The export entry "${entry.path}" would be written outside "${root}".`, { path: entry.path });
    }
    const parent = dirname(target);
    if (!made.has(parent)) {
      await mkdir(parent, { recursive: true });
      made.add(parent);
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of entry.chunks as AsyncIterable<Uint8Array>) {
      parts.push(chunk);
      size += chunk.byteLength;
    }
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    try {
      await writeFile(target, data, { flag: options.overwrite ? 'w' : 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw conflict(target);
      throw new LabelkitError('E_STORE_WRITE', `Could not write "${target}": ${(err as Error).message}`, { path: target }, { cause: err });
    }
    count++;
    bytes += size;
  }
  return { dir: root, files: count, bytes };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function conflict(path: string): LabelkitError {
  return new LabelkitError('E_CONFLICT', `"${path}" already exists. Choose another name or pass { overwrite: true }.`, { path });
}
