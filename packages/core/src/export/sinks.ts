// Where exports go: a ReadableStream or Blob (browser download), bytes (small exports, tests), or a
// Store path such as `Labeling/export/coco/<project>_<timestamp>.json`. Node files: see ./node.ts.
import { LabelkitError, throwIfAborted } from '../errors.js';
import { concatBytes } from '../util/bytes.js';
import { storeWriteError } from '../store/memory-store.js';
import type { PutOptions, Store } from '../store/store.js';
import type { ExportFiles, ExportStream } from './stream.js';
import type { ExportEntry } from './types.js';

/**
 * An export as a WHATWG `ReadableStream` (pull-based: the project is read only as fast as the
 * consumer reads). Cancelling the stream stops the export.
 *
 * ```ts
 * const body = toReadableStream(exportCoco(project));
 * await body.pipeTo(await fileHandle.createWritable()); // File System Access API
 * ```
 */
export function toReadableStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= source[Symbol.asyncIterator]();
        const r = await iterator.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel(reason) {
        await iterator?.return?.(reason);
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * An export as a `Blob`, for a download link (`URL.createObjectURL`). The chunks are handed to the
 * Blob as they come (browsers may keep large Blobs on disk); no single string is ever built.
 */
export async function toBlob(source: ExportStream | AsyncIterable<Uint8Array>, type?: string): Promise<Blob> {
  const parts: BlobPart[] = [];
  for await (const chunk of source) parts.push(chunk as BlobPart);
  return new Blob(parts, { type: type ?? (source as Partial<ExportStream>).contentType ?? 'application/octet-stream' });
}

/** The whole export as one byte array. For small exports and tests; prefer a stream, a Blob or a file. */
export async function collectBytes(source: AsyncIterable<Uint8Array>, maxBytes = 512 * 2 ** 20): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(total, maxBytes);
    parts.push(chunk);
  }
  return concatBytes(parts, total);
}

/** The default store folder of exports. */
export const EXPORT_ROOT = 'Labeling/export';

/**
 * The store key of an export: `Labeling/export/<format>/<project>_<timestamp>.<ext>` for one-file
 * exports and zips; `Labeling/export/<format>/<project>_<timestamp>` (a folder) for files.
 */
export function exportKey(exported: ExportStream | ExportFiles, root = EXPORT_ROOT): string {
  const base = root.replace(/\/+$/, '');
  if ('fileName' in exported) return `${base}/${exported.format}/${exported.fileName}`;
  return `${base}/${exported.format}/${exported.name}`;
}

/**
 * A store that can write an object from a stream of chunks without holding it (e.g. Azure block
 * blobs: stage blocks, then commit the list). `writeToStore` uses it when a store has it.
 */
export interface StreamingStore extends Store {
  putStream(key: string, chunks: AsyncIterable<Uint8Array>, options?: PutOptions): Promise<{ etag: string }>;
}

export function isStreamingStore(store: Store): store is StreamingStore {
  return typeof (store as Partial<StreamingStore>).putStream === 'function';
}

export interface WriteToStoreOptions {
  readonly signal?: AbortSignal;
  /** Replace an object already at the key (default false: the write is create-only). */
  readonly overwrite?: boolean;
  /**
   * For stores without `putStream`, the export is gathered in memory and written with one `put`;
   * larger exports fail with `E_CAPACITY` (default 512 MiB).
   */
  readonly maxBytes?: number;
}

/** The `put` options of an export write: create-only unless `overwrite`. */
function putOptionsOf(options: { readonly signal?: AbortSignal; readonly overwrite?: boolean }): PutOptions {
  return { signal: options.signal, ...(options.overwrite ? {} : { ifNoneMatch: '*' as const }) };
}

/**
 * Writes a one-file export (or a zip) to a store key (see `exportKey`). Stores with `putStream`
 * (`StreamingStore`) receive the chunks as they come, in constant memory; other stores get one `put`
 * of the gathered bytes, up to `maxBytes` — the `Store` port writes whole objects. Create-only unless
 * `overwrite`.
 */
export async function writeToStore(
  store: Store,
  key: string,
  source: ExportStream | AsyncIterable<Uint8Array>,
  options: WriteToStoreOptions = {},
): Promise<{ key: string; etag: string; bytes: number }> {
  const putOptions = putOptionsOf(options);
  throwIfAborted(options.signal);
  let sent = 0;
  const chunks = (async function* () {
    for await (const chunk of source) {
      throwIfAborted(options.signal);
      sent += chunk.byteLength;
      yield chunk;
    }
  })();
  if (isStreamingStore(store)) {
    const { etag } = await store.putStream(key, chunks, putOptions);
    return { key, etag, bytes: sent };
  }
  const bytes = await collectBytes(chunks, options.maxBytes ?? 512 * 2 ** 20);
  try {
    const { etag } = await store.put(key, bytes, putOptions);
    return { key, etag, bytes: bytes.byteLength };
  } catch (err) {
    if (LabelkitError.is(err)) throw err;
    throw storeWriteError(key, err);
  }
}

export interface WriteFilesToStoreOptions {
  readonly signal?: AbortSignal;
  readonly overwrite?: boolean;
  /** Puts in flight at once (default 4). */
  readonly concurrency?: number;
}

/**
 * Writes a multi-file export under a store prefix, one object per file: `<prefix>/<entry path>`
 * (see `exportKey` for the prefix). Files are written as they come, a few at once; memory holds only
 * those in flight. Not atomic: on failure, the files written so far stay (their list is in the error's
 * `details.written`).
 */
export async function writeFilesToStore(
  store: Store,
  prefix: string,
  files: ExportFiles | AsyncIterable<ExportEntry>,
  options: WriteFilesToStoreOptions = {},
): Promise<{ prefix: string; files: number; bytes: number }> {
  const base = prefix.replace(/\/+$/, '');
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const putOptions = putOptionsOf(options);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let count = 0;
  let bytes = 0;
  const written: string[] = [];
  for await (const entry of files) {
    throwIfAborted(options.signal);
    if (failure) break;
    const data = await collectBytes(entry.chunks as AsyncIterable<Uint8Array>);
    const key = `${base}/${entry.path}`;
    const p: Promise<void> = store.put(key, data, putOptions).then(
      () => {
        count++;
        bytes += data.byteLength;
        if (written.length < 1000) written.push(key);
        inFlight.delete(p);
      },
      (err: unknown) => {
        failure ??= LabelkitError.is(err) ? err : storeWriteError(key, err);
        inFlight.delete(p);
      },
    );
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) {
    const err = failure as LabelkitError;
    throw new LabelkitError(err.code, `${err.message} ${count} file(s) of the export were written before it failed.`, { ...err.details, written }, { cause: err });
  }
  return { prefix: base, files: count, bytes };
}

function tooLarge(total: number, max: number): LabelkitError {
  return new LabelkitError(
    'E_CAPACITY',
    `The export is larger than ${max} bytes, more than this sink holds in memory. Write it to a file, a ReadableStream, or a store with streaming writes (putStream).`,
    { bytes: total, maxBytes: max },
  );
}
