import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { LabelkitError, throwIfAborted, type ErrorCode } from '../errors.js';
import { extensionOf, MAX_ITEMS_PER_PROJECT } from '../formats.js';
import { LeftOut, type IngestReport } from '../ingest.js';
import { DirectoryHandleSource, FileListSource, type DirectoryHandleLike, type FileLike } from '../sources/file-source.js';
import type { DataSource } from '../sources/source.js';
import type { ItemRef } from '../types.js';
import { AzureBlobSource } from './blob-source.js';
import { AzureBlobStore } from './blob-store.js';
import { bodyBytes, sameBytes } from './body.js';
import { createContainerClient, type AzureContainerTarget } from './connection.js';
import { toLabelkitError } from './errors.js';
import { AttemptsExhausted, DEFAULT_RETRY, Final, withRetry, type AzureRetryEvent, type AzureRetryOptions } from './retry.js';

/** The metadata key holding a blob's SHA-256 (hex) — how a re-run knows a blob is already there. */
export const UPLOAD_HASH_METADATA = 'labelkitsha256';

/** What to upload: chosen files (`FileList`, `File[]`), a granted folder (a directory handle) or any `DataSource` (`FsSource` in Node). */
export type UploadInput = DataSource | DirectoryHandleLike | Iterable<FileLike> | ArrayLike<FileLike>;

/** The part of a `Project` an upload uses: the cap, what is known, and the refresh afterwards. */
export interface UploadProject {
  readonly itemCount: number;
  indexOf(path: string): number;
  refresh(source: DataSource, options?: { signal?: AbortSignal }): Promise<IngestReport>;
}

export interface UploadProgress {
  readonly phase: 'listing' | 'uploading' | 'refreshing' | 'done';
  /** Files that will be uploaded or checked (accepted, within the cap). */
  readonly files: number;
  /** Files finished: uploaded, already there, in conflict or failed. */
  readonly filesDone: number;
  readonly bytes: number;
  readonly bytesDone: number;
  readonly uploaded: number;
  readonly alreadyThere: number;
  readonly conflicts: number;
  readonly failed: number;
}

/** A file that was not uploaded, and why. `E_CONFLICT`: a different blob of that name exists and was kept. */
export interface UploadProblem {
  readonly path: string;
  readonly blobName: string;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface UploadReport {
  /** Blob-name prefix the files went under ('' or ending in '/'). */
  readonly prefix: string;
  /** Files the input listed. */
  readonly listed: number;
  /** Files sent. */
  readonly uploaded: number;
  /** Files whose blob was already there with the same size and SHA-256 (a resumed upload): not sent again. */
  readonly alreadyThere: number;
  /** Bytes sent in blob bodies (blocks of a resumed large file that were already staged are not counted). */
  readonly bytesSent: number;
  /** Files without an accepted image extension, left out. */
  readonly unsupported: IngestReport['unsupported'];
  /** Accepted files beyond the 500,000-item cap of the project, left out before anything was sent. */
  readonly overCap: IngestReport['overCap'];
  /** Names taken by a different blob (never overwritten). */
  readonly conflicts: readonly UploadProblem[];
  /** Files that could not be read or sent after the retries; running the upload again resumes them. */
  readonly failed: readonly UploadProblem[];
  /** The project's refresh from the uploaded path, when a project was given. */
  readonly refresh?: IngestReport;
}

export interface UploadOptions {
  /** Blob-name prefix inside the container (e.g. `images/2026-11/`); a '/' is added when missing. Default ''. */
  readonly prefix?: string;
  /** Files sent at once (default 8). */
  readonly concurrency?: number;
  /** Files up to this size go in one Put Blob; larger ones are staged in blocks of this size (default 4 MiB). */
  readonly blockSize?: number;
  /** Blocks of one large file staged at once (default 4). */
  readonly blockConcurrency?: number;
  /** The project the files are for: the cap counts its items, and it is refreshed from the prefix afterwards. */
  readonly project?: UploadProject;
  /** Without a project: items already in it, for the cap (default 0). */
  readonly existingItems?: number;
  readonly signal?: AbortSignal;
  /** Called as files and blocks finish (and once per phase change). */
  readonly onProgress?: (progress: UploadProgress) => void;
  readonly retry?: AzureRetryOptions;
  readonly onRetry?: (event: AzureRetryEvent) => void;
}

/** Where to upload: a store (its container; its key prefix is not applied) or a container target. */
export type UploadTarget = AzureBlobStore | (AzureContainerTarget & { readonly retry?: AzureRetryOptions; readonly onRetry?: (event: AzureRetryEvent) => void });

interface Existing {
  readonly size: number;
  readonly hash?: string;
}

interface Planned {
  readonly path: string;
  readonly blobName: string;
  readonly size: number;
}

/**
 * Uploads local images into a container under `prefix` — Azure ML's "From local files" — and then
 * refreshes `options.project` from that path. Files without an image extension are counted and left
 * out; accepted files beyond the project's 500,000-item cap are left out before anything is sent.
 *
 * Resumable: every blob carries its SHA-256 in metadata, and a run first lists what is under the
 * prefix, so a file already there with the same size and hash is skipped (a reload, a dropped
 * connection or an abort loses only the files in flight). Large files are staged in blocks whose ids
 * derive from the content hash, so a re-run stages only the blocks that are missing.
 *
 * Never overwrites: every write is create-only (`If-None-Match: *`); a name taken by a different
 * blob is reported in `conflicts` with `E_CONFLICT` and that blob is kept. A file that fails after
 * the retries is reported in `failed`; the other files go on. Aborting rejects with `E_ABORTED`.
 */
export async function uploadFiles(target: UploadTarget, input: UploadInput, options: UploadOptions = {}): Promise<UploadReport> {
  const container = target instanceof AzureBlobStore ? target.container : createContainerClient(target);
  const retry = { ...DEFAULT_RETRY, ...(target instanceof AzureBlobStore ? {} : target.retry), ...options.retry };
  const onRetry = options.onRetry ?? (target instanceof AzureBlobStore ? undefined : target.onRetry);
  const prefix = normalizePrefix(options.prefix ?? '');
  const source = toSource(input);
  const signal = options.signal;
  const where = `${container.containerName}/${prefix}`;
  const run = <T>(op: string, what: string, fn: (s: AbortSignal, ambiguous: boolean) => Promise<T>) =>
    withRetry(op, what, retry, (c) => fn(c.signal, c.ambiguous), signal, onRetry);

  // 1. What to send: accepted files within the cap, in listing order.
  const left = new LeftOut();
  let listed = 0;
  let room = MAX_ITEMS_PER_PROJECT - (options.project?.itemCount ?? options.existingItems ?? 0);
  const planned: Planned[] = [];
  const seen = new Set<string>();
  for await (const ref of source.list({ signal }) as AsyncIterable<ItemRef>) {
    listed++;
    const path = cleanPath(ref.path);
    if (left.unsupportedPath(path, ref.path)) continue;
    const blobName = prefix + path;
    if (seen.has(blobName)) continue;
    seen.add(blobName);
    const known = options.project ? options.project.indexOf(blobName) >= 0 : false;
    if (!known) {
      if (room <= 0) {
        left.overCapPath(ref.path);
        continue;
      }
      room--;
    }
    planned.push({ path: ref.path, blobName, size: ref.size ?? 0 });
  }

  const progress = {
    phase: 'listing' as UploadProgress['phase'],
    files: planned.length,
    filesDone: 0,
    bytes: 0,
    bytesDone: 0,
    uploaded: 0,
    alreadyThere: 0,
    conflicts: 0,
    failed: 0,
  };
  for (const p of planned) progress.bytes += p.size;
  const tell = () => options.onProgress?.({ ...progress });
  tell();

  // 2. What is there already (one listing of the prefix, with metadata).
  const existing = new Map<string, Existing>();
  if (planned.length) {
    try {
      let token: string | undefined;
      do {
        const page = await run(
          'list',
          `"${prefix}*"`,
          async (s) => (await container.listBlobsFlat({ prefix, includeMetadata: true, abortSignal: s }).byPage({ maxPageSize: 5000, continuationToken: token }).next()).value,
        );
        if (!page) break;
        for (const b of page.segment.blobItems) existing.set(b.name, { size: b.properties.contentLength ?? 0, hash: b.metadata?.[UPLOAD_HASH_METADATA] });
        token = page.continuationToken || undefined;
      } while (token);
    } catch (err) {
      throw failure('list', `"${prefix}*"`, where, err);
    }
  }

  // 3. Send, `concurrency` files at once.
  progress.phase = 'uploading';
  tell();
  const conflicts: UploadProblem[] = [];
  const failed: UploadProblem[] = [];
  let bytesSent = 0;
  const blockSize = Math.max(1, options.blockSize ?? 4 * 1024 * 1024);
  const ctx: FileContext = {
    container,
    run,
    blockSize,
    blockConcurrency: Math.max(1, options.blockConcurrency ?? 4),
    signal,
    onBytes: (n, sent) => {
      progress.bytesDone += n;
      if (sent) bytesSent += n;
      tell();
    },
  };
  let next = 0;
  const worker = async () => {
    while (next < planned.length) {
      throwIfAborted(signal);
      const file = planned[next++]!; // checked against length just above, with no await between
      let outcome: Outcome;
      try {
        outcome = await uploadOne(ctx, source, file, existing.get(file.blobName));
      } catch (err) {
        if (LabelkitError.is(err, 'E_ABORTED') || signal?.aborted) throw LabelkitError.is(err, 'E_ABORTED') ? err : new LabelkitError('E_ABORTED', 'The upload was cancelled.');
        const e = err instanceof LabelkitError ? err : failure('write', `"${file.blobName}"`, where, err);
        if (!(e instanceof LabelkitError)) throw e; // not a storage failure: a bug, surfaced as it is
        outcome = { kind: 'failed', problem: problemOf(file, e) };
      }
      if (outcome.kind === 'uploaded') progress.uploaded++;
      else if (outcome.kind === 'there') progress.alreadyThere++;
      else if (outcome.kind === 'conflict') {
        progress.conflicts++;
        conflicts.push(outcome.problem);
      } else {
        progress.failed++;
        failed.push(outcome.problem);
      }
      if (outcome.kind !== 'uploaded') progress.bytesDone += file.size - (outcome.counted ?? 0);
      progress.filesDone++;
      tell();
    }
  };
  const workers = Array.from({ length: Math.min(planned.length, Math.max(1, options.concurrency ?? 8)) }, worker);
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;

  // 4. The project sees the new blobs.
  let refresh: IngestReport | undefined;
  if (options.project) {
    progress.phase = 'refreshing';
    tell();
    refresh = await options.project.refresh(new AzureBlobSource({ containerClient: container, path: prefix ? `${prefix}**` : '**', retry, onRetry }), { signal });
  }
  progress.phase = 'done';
  tell();
  return {
    prefix,
    listed,
    uploaded: progress.uploaded,
    alreadyThere: progress.alreadyThere,
    bytesSent,
    unsupported: left.unsupported,
    overCap: left.overCap,
    conflicts,
    failed,
    ...(refresh ? { refresh } : {}),
  };
}

type Run = <T>(op: string, what: string, fn: (s: AbortSignal, ambiguous: boolean) => Promise<T>) => Promise<T>;

interface FileContext {
  readonly container: ContainerClient;
  readonly run: Run;
  readonly blockSize: number;
  readonly blockConcurrency: number;
  readonly signal?: AbortSignal;
  /** Bytes of a file that are done; `sent` when they went over the wire. */
  onBytes(n: number, sent: boolean): void;
}

type Outcome = { kind: 'uploaded' } | { kind: 'there'; counted?: number } | { kind: 'conflict' | 'failed'; problem: UploadProblem; counted?: number };

async function uploadOne(ctx: FileContext, source: DataSource, file: Planned, there: Existing | undefined): Promise<Outcome> {
  const bytes = await source.read(file.path, { signal: ctx.signal });
  const hash = await sha256Hex(bytes);
  const blob = ctx.container.getBlockBlobClient(file.blobName);
  if (there) return (await isSame(ctx, blob, there, bytes, hash)) ? { kind: 'there' } : conflictOf(file, 'already exists with other content');
  const metadata = { [UPLOAD_HASH_METADATA]: hash };
  const blobHTTPHeaders = { blobContentType: contentTypeOf(file.blobName) };
  const conditions = { ifNoneMatch: '*' };
  let counted = 0;
  try {
    if (bytes.byteLength <= ctx.blockSize) {
      await ctx.run('write', `"${file.blobName}"`, (s) => blob.upload(bytes, bytes.byteLength, { conditions, metadata, blobHTTPHeaders, abortSignal: s }));
      ctx.onBytes(bytes.byteLength, true);
      counted = bytes.byteLength;
    } else {
      counted = await stageBlocks(ctx, blob, bytes, hash);
      await ctx.run('write', `"${file.blobName}" (commit)`, (s) =>
        blob.commitBlockList(blockIds(bytes.byteLength, ctx.blockSize, hash), { conditions, metadata, blobHTTPHeaders, abortSignal: s }),
      );
    }
    return { kind: 'uploaded' };
  } catch (err) {
    if (err instanceof Final && (err.failure.status === 409 || err.failure.status === 412)) {
      // Someone (or our own attempt whose answer was lost) created it meanwhile: the same content is fine.
      const props = await ctx.run('read', `"${file.blobName}"`, (s) => blob.getProperties({ abortSignal: s }));
      const now: Existing = { size: props.contentLength ?? 0, hash: props.metadata?.[UPLOAD_HASH_METADATA] };
      if (await isSame(ctx, blob, now, bytes, hash)) return { kind: 'there', counted };
      return { ...conflictOf(file, 'was created with other content while uploading'), counted };
    }
    throw err;
  }
}

/** Stages the blocks the service does not hold yet (ids derive from the content), returns the bytes counted. */
async function stageBlocks(ctx: FileContext, blob: BlockBlobClient, bytes: Uint8Array, hash: string): Promise<number> {
  const ids = blockIds(bytes.byteLength, ctx.blockSize, hash);
  let staged = new Set<string>();
  try {
    const list = await ctx.run('read', `"${blob.name}" (blocks)`, (s) => blob.getBlockList('uncommitted', { abortSignal: s }));
    staged = new Set((list.uncommittedBlocks ?? []).map((b) => b.name));
  } catch (err) {
    if (!(err instanceof Final && err.failure.status === 404)) throw err;
  }
  let next = 0;
  let counted = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      const id = ids[i]!; // checked against length just above, with no await between
      const part = bytes.subarray(i * ctx.blockSize, Math.min(bytes.byteLength, (i + 1) * ctx.blockSize));
      if (staged.has(id)) {
        ctx.onBytes(part.byteLength, false);
      } else {
        await ctx.run('write', `"${blob.name}" block ${i + 1}`, (s) => blob.stageBlock(id, part, part.byteLength, { abortSignal: s }));
        ctx.onBytes(part.byteLength, true);
      }
      counted += part.byteLength;
    }
  };
  await Promise.all(Array.from({ length: Math.min(ids.length, ctx.blockConcurrency) }, worker));
  return counted;
}

/** Block ids of equal length, unique to the content: `lk-<16 hex of the hash>-<index>`. */
function blockIds(size: number, blockSize: number, hash: string): string[] {
  const n = Math.ceil(size / blockSize);
  return Array.from({ length: n }, (_, i) => btoa(`lk-${hash.slice(0, 16)}-${String(i).padStart(6, '0')}`));
}

async function isSame(ctx: FileContext, blob: BlockBlobClient, there: Existing, bytes: Uint8Array, hash: string): Promise<boolean> {
  if (there.size !== bytes.byteLength) return false;
  if (there.hash) return there.hash === hash;
  // Put there by another tool, without our hash: compare the bytes.
  const got = await ctx.run('read', `"${blob.name}"`, async (s) => {
    const res = await blob.download(0, undefined, { abortSignal: s });
    return bodyBytes(res, res.contentLength);
  });
  return sameBytes(got, bytes);
}

function conflictOf(file: Planned, why: string): Extract<Outcome, { kind: 'conflict' | 'failed' }> {
  const message = `The blob "${file.blobName}" ${why}; it was kept and "${file.path}" was not uploaded. Rename the file, upload it under another prefix, or delete the blob first.`;
  return { kind: 'conflict', problem: { path: file.path, blobName: file.blobName, code: 'E_CONFLICT', message } };
}

function problemOf(file: Planned, err: LabelkitError): UploadProblem {
  return { path: file.path, blobName: file.blobName, code: err.code, message: err.message };
}

function failure(op: 'read' | 'write' | 'list', what: string, where: string, err: unknown): unknown {
  if (err instanceof LabelkitError) return err;
  if (err instanceof Final || err instanceof AttemptsExhausted) return toLabelkitError(op, what, `${where}`, err.failure, err.attempts);
  return err;
}

function toSource(input: UploadInput): DataSource {
  const any = input as Partial<DataSource> & Partial<DirectoryHandleLike>;
  if (typeof any.list === 'function' && typeof any.read === 'function') return input as DataSource;
  if (any.kind === 'directory' && typeof any.values === 'function') return new DirectoryHandleSource(input as DirectoryHandleLike);
  if (input && (Symbol.iterator in Object(input) || typeof (input as ArrayLike<FileLike>).length === 'number')) return new FileListSource(input as Iterable<FileLike>);
  throw new LabelkitError('E_INVALID_ARGUMENT', 'Upload takes a FileList or an array of Files, a directory handle, or a DataSource (FsSource in Node).');
}

function normalizePrefix(prefix: string): string {
  const p = cleanPath(prefix).replace(/\/+$/, '');
  return p ? `${p}/` : '';
}

/** '/'-separated, no leading '/', no '.' or '..' segments (a '..' is refused). */
function cleanPath(path: string): string {
  const parts = path
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s && s !== '.');
  if (parts.includes('..')) throw new LabelkitError('E_INVALID_ARGUMENT', `"${path}" leaves its folder ('..'); it cannot name a blob.`, { path });
  return parts.join('/');
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let out = '';
  for (const b of digest) out += b.toString(16).padStart(2, '0');
  return out;
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jpe': 'image/jpeg',
  '.jfif': 'image/jpeg',
  '.png': 'image/png',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.dcm': 'application/dicom',
  '.dicom': 'application/dicom',
};

function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extensionOf(name)] ?? 'application/octet-stream';
}
