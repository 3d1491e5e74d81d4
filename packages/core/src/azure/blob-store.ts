import type { ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';
import { LabelkitError } from '../errors.js';
import { conflict, type AppendResult, type PutOptions, type Store, type StoreEntry, type StoredObject, type TailRead } from '../store/store.js';
import { bodyBytes, quoteEtag, sameBytes } from './body.js';
import { createContainerClient, describeContainer, inspectWithoutSecrets, type AzureContainerTarget, type Inspect } from './connection.js';
import { toLabelkitError } from './errors.js';
import { AttemptsExhausted, DEFAULT_RETRY, Final, withRetry, type AzureRetryEvent, type AzureRetryOptions } from './retry.js';
import { uploadChunks, type ChunkSource, type UploadStreamOptions } from './upload-stream.js';

export type AzureBlobStoreOptions = AzureContainerTarget & {
  /** Blob-name prefix the store's keys live under ('' by default: keys are blob names). */
  readonly prefix?: string;
  readonly retry?: AzureRetryOptions;
  /** Page size of listings (default 5,000, the service's maximum). */
  readonly pageSize?: number;
  /** Told about each retry (op, blob name, attempt, delay, status): never carries secrets. */
  readonly onRetry?: (event: AzureRetryEvent) => void;
  /** Extra SDK pipeline options (a custom httpClient, proxy, user agent). Its retry policy stays off. */
  readonly pipeline?: StoragePipelineOptions;
};

/**
 * A `Store` on an Azure Blob container: the shared store of a team. Every write that the port makes
 * conditional (`ifNoneMatch: '*'`, `ifMatch`) is sent with the matching HTTP precondition, so no
 * shared document is ever overwritten last-writer-wins; a failed precondition is `E_CONFLICT`.
 *
 * Requests are retried with exponential backoff and jitter on 408, 429, 5xx, timeouts and dropped
 * connections. A retried conditional write whose earlier attempt did land (the answer was lost) is
 * recognised by comparing the stored bytes with ours and reported as the success it was — never as
 * a conflict with ourselves, never written twice.
 */
export class AzureBlobStore implements Store {
  readonly description: string;
  readonly prefix: string;
  readonly #container: ContainerClient;
  readonly #retry: Required<AzureRetryOptions>;
  readonly #pageSize: number;
  readonly #onRetry?: (event: AzureRetryEvent) => void;
  readonly #options: AzureBlobStoreOptions;

  constructor(options: AzureBlobStoreOptions) {
    this.#options = options;
    this.#container = createContainerClient(options, options.pipeline);
    this.prefix = options.prefix ?? '';
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#pageSize = Math.max(1, Math.min(5000, options.pageSize ?? 5000));
    this.#onRetry = options.onRetry;
    this.description = `Azure Blob ${describeContainer(this.container)}${this.prefix ? '/' + this.prefix.replace(/\/$/, '') : ''}`;
  }

  /**
   * The SDK's container client. A getter over a private field, so that `util.inspect(store)`,
   * `JSON.stringify(store)` and a debugger's object preview never print its URL (which holds the SAS).
   */
  get container(): ContainerClient {
    return this.#container;
  }

  /** A description without secrets (what `JSON.stringify` writes). */
  toJSON(): { description: string; prefix: string } {
    return { description: this.description, prefix: this.prefix };
  }

  /** What `util.inspect` shows: never the SDK client, whose URL and pipeline can hold a SAS or key. */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: unknown, inspect?: Inspect): string {
    return inspectWithoutSecrets(this, options, inspect);
  }

  /** The same container and settings with another key prefix (shares the SDK client). */
  withPrefix(prefix: string): AzureBlobStore {
    return new AzureBlobStore({ ...this.#options, containerClient: this.container, prefix } as AzureBlobStoreOptions);
  }

  /** Creates the container when it does not exist yet (needs an account-level credential or SAS). */
  async ensureContainer(signal?: AbortSignal): Promise<void> {
    await this.#run('write', 'the container', signal, (s) => this.container.createIfNotExists({ abortSignal: s }));
  }

  blobName(key: string): string {
    return this.prefix + key;
  }

  async get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject | undefined> {
    const blob = this.container.getBlobClient(this.blobName(key));
    try {
      return await this.#run('read', `"${key}"`, options?.signal, async (signal) => {
        const res = await blob.download(0, undefined, { abortSignal: signal });
        const bytes = await bodyBytes(res, res.contentLength);
        return { bytes, etag: res.etag ?? '' };
      });
    } catch (err) {
      if (err instanceof Final && err.failure.status === 404) return undefined;
      throw this.#error('read', key, err);
    }
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    const blob = this.container.getBlockBlobClient(this.blobName(key));
    const conditions = options.ifNoneMatch === '*' ? { ifNoneMatch: '*' } : options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : undefined;
    try {
      return await this.#run('write', `"${key}"`, options.signal, async (signal) => {
        const res = await blob.upload(bytes, bytes.byteLength, { conditions, abortSignal: signal });
        return { etag: res.etag ?? '' };
      });
    } catch (err) {
      if (err instanceof Final && conditions && isPreconditionFailure(err.failure.status)) {
        if (err.ambiguousBefore) {
          // An earlier attempt may have landed and its answer been lost. If what is stored is
          // exactly what we sent, that write was ours: report it as the success it was.
          const mine = await this.#storedIfSame(key, bytes, options.signal);
          if (mine) return { etag: mine };
        }
        throw conflict(key, options.ifNoneMatch === '*' ? 'already exists' : 'has changed');
      }
      throw this.#error('write', key, err);
    }
  }

  async delete(key: string, options: { ifMatch?: string; signal?: AbortSignal } = {}): Promise<void> {
    const blob = this.container.getBlobClient(this.blobName(key));
    const conditions = options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : undefined;
    try {
      await this.#run('delete', `"${key}"`, options.signal, (signal) => blob.delete({ conditions, abortSignal: signal }));
    } catch (err) {
      if (err instanceof Final && (err.failure.status === 404 || isPreconditionFailure(err.failure.status))) {
        if (!conditions && err.failure.status === 404) return; // already gone
        if (err.ambiguousBefore) {
          // Our earlier attempt may have deleted it: gone is what we asked for.
          const still = await this.get(key, { signal: options.signal });
          if (!still) return;
        }
        throw conflict(key, err.failure.status === 404 ? 'no longer exists' : 'has changed');
      }
      throw this.#error('delete', key, err);
    }
  }

  /**
   * Appends one block to an append blob (Append Block), creating the blob create-only first when it
   * is missing. Blocks of several writers never interleave. At the service's limit of 50,000 blocks
   * the blob is full (409 `BlockCountExceedsLimit`): `{ sealed: true }`, nothing written. A retry
   * after a lost answer may append the block twice; the tail's readers drop repeated records.
   */
  async append(key: string, bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<AppendResult> {
    const blob = this.container.getAppendBlobClient(this.blobName(key));
    for (let created = false; ; created = true) {
      try {
        const res = await this.#run('write', `"${key}"`, options?.signal, (signal) => blob.appendBlock(bytes, bytes.byteLength, { abortSignal: signal }));
        return { sealed: false, blocks: res.blobCommittedBlockCount };
      } catch (err) {
        if (err instanceof Final && err.failure.status === 409 && (err.failure.code === 'BlockCountExceedsLimit' || err.failure.code === 'BlobIsSealed')) return { sealed: true };
        if (!(err instanceof Final && err.failure.status === 404) || created) throw this.#error('write', key, err);
      }
      try {
        await this.#run('write', `"${key}"`, options?.signal, (signal) => blob.create({ conditions: { ifNoneMatch: '*' }, abortSignal: signal }));
      } catch (err) {
        if (!(err instanceof Final && isPreconditionFailure(err.failure.status))) throw this.#error('write', key, err); // someone created it first: fine
      }
    }
  }

  /** Seals an append blob (Append Blob Seal): appends after it fail with `BlobIsSealed`. */
  async seal(key: string, options?: { signal?: AbortSignal }): Promise<void> {
    const blob = this.container.getAppendBlobClient(this.blobName(key));
    try {
      await this.#run('write', `"${key}"`, options?.signal, (signal) => blob.seal({ abortSignal: signal }));
    } catch (err) {
      throw this.#error('write', key, err);
    }
  }

  /**
   * An append blob's bytes from `offset` on, in one ranged GET. It asks from `offset − 1`, so that a
   * blob with nothing new still answers 200 (with the one byte we had) rather than 416, and tells
   * its committed block count (sealed at 50,000) on the same answer.
   */
  async readFrom(key: string, offset: number, options?: { signal?: AbortSignal }): Promise<TailRead | undefined> {
    const blob = this.container.getBlobClient(this.blobName(key));
    const sealedOf = (r: { blobCommittedBlockCount?: number; isSealed?: boolean }) => !!r.isSealed || (r.blobCommittedBlockCount ?? 0) >= APPEND_BLOB_MAX_BLOCKS;
    try {
      return await this.#run('read', `"${key}"`, options?.signal, async (signal) => {
        if (Number.isFinite(offset)) {
          const from = Math.max(0, offset - 1);
          try {
            const res = await blob.download(from, undefined, { abortSignal: signal });
            const bytes = await bodyBytes(res, res.contentLength);
            const skip = Math.min(bytes.byteLength, Math.max(0, offset) - from);
            return { bytes: bytes.subarray(skip), size: from + bytes.byteLength, sealed: sealedOf(res) };
          } catch (err) {
            if ((err as { statusCode?: number }).statusCode !== 416) throw err;
          }
        }
        const props = await blob.getProperties({ abortSignal: signal });
        return { bytes: new Uint8Array(0), size: props.contentLength ?? 0, sealed: sealedOf(props) };
      });
    } catch (err) {
      if (err instanceof Final && err.failure.status === 404) return undefined;
      throw this.#error('read', key, err);
    }
  }

  /** Keys under `prefix` in ascending order, one service page (up to `pageSize`) at a time. */
  async *list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<StoreEntry> {
    const full = this.blobName(prefix);
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#run('list', `"${prefix}*"`, options?.signal, async (signal) => {
          const it = this.container.listBlobsFlat({ prefix: full, abortSignal: signal }).byPage({ maxPageSize: this.#pageSize, continuationToken: token });
          return (await it.next()).value;
        });
      } catch (err) {
        throw this.#error('list', `${prefix}*`, err);
      }
      if (!page) return;
      for (const b of page.segment.blobItems) {
        yield { key: b.name.slice(this.prefix.length), etag: quoteEtag(b.properties.etag) ?? '', size: b.properties.contentLength ?? 0 };
      }
      token = page.continuationToken || undefined;
    } while (token);
  }

  /**
   * Streams chunks into a block blob: staged as blocks (`stageBlock`) and committed once
   * (`commitBlockList`), so readers never see a half-written blob. `ifNoneMatch: '*'` makes it
   * create-only, `ifMatch` replaces only that version. Resolves with the new etag and the byte
   * count. This makes the store a `StreamingStore` for the export sinks (`writeToStore`).
   */
  async putStream(key: string, chunks: ChunkSource, options: UploadStreamOptions = {}): Promise<{ etag: string; bytes: number }> {
    try {
      return await uploadChunks(this.container.getBlockBlobClient(this.blobName(key)), chunks, options, (op, target, fn, signal) => this.#run(op, `"${key}"${target}`, signal, fn));
    } catch (err) {
      if (err instanceof Final && isPreconditionFailure(err.failure.status)) throw conflict(key, options.ifNoneMatch === '*' ? 'already exists' : 'has changed');
      throw this.#error('write', key, err);
    }
  }

  async #storedIfSame(key: string, bytes: Uint8Array, signal?: AbortSignal): Promise<string | undefined> {
    const current = await this.get(key, { signal });
    return current && sameBytes(current.bytes, bytes) ? current.etag : undefined;
  }

  #run<T>(op: string, target: string, signal: AbortSignal | undefined, fn: (signal: AbortSignal, ambiguous: boolean) => Promise<T>): Promise<T> {
    return withRetry(op, target, this.#retry, (ctx) => fn(ctx.signal, ctx.ambiguous), signal, this.#onRetry);
  }

  #error(op: 'read' | 'write' | 'delete' | 'list', key: string, err: unknown): unknown {
    if (err instanceof LabelkitError) return err;
    if (err instanceof Final || err instanceof AttemptsExhausted) return toLabelkitError(op, `"${key}"`, this.description, err.failure, err.attempts);
    return err;
  }
}

/** Blocks an append blob takes (Azure's documented limit). */
const APPEND_BLOB_MAX_BLOCKS = 50_000;

function isPreconditionFailure(status: number | undefined): boolean {
  return status === 409 || status === 412;
}
