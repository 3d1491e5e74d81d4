import type { ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';
import { LabelkitError } from '../errors.js';
import type { DataSource } from '../sources/source.js';
import type { ItemRef } from '../types.js';
import { bodyBytes } from './body.js';
import { createContainerClient, describeContainer, inspectWithoutSecrets, type AzureContainerTarget, type Inspect } from './connection.js';
import { toLabelkitError } from './errors.js';
import { stripQuery } from './redact.js';
import { quoteEtag } from './body.js';
import { AttemptsExhausted, DEFAULT_RETRY, Final, withRetry, type AzureRetryEvent, type AzureRetryOptions } from './retry.js';

/** A datastore path with Azure ML's meaning, parsed. */
export interface AzurePathSpec {
  /** Blob-name prefix, '' or ending with '/'. */
  readonly prefix: string;
  /** Whether blobs in subfolders count. */
  readonly recursive: boolean;
  /**
   * Set when the path names a file (`folder/a.png`: no trailing '/', no wildcard, a dot in its last
   * part): that blob, when it exists, is listed too (first: it sorts before the folder of that name).
   */
  readonly file?: string;
}

/**
 * Azure ML's datastore path forms:
 * - `folder/` (or `folder`): the blobs directly in that folder, not its subfolders;
 * - `folder/**`, `folder/**\/.` or `folder/**\/*.*`: that folder and all its subfolders;
 * - `**\/.`, `**` or `**\/*.*`: the whole container;
 * - `folder/a.png`: that one blob (and the blobs in a folder of that name, if there is one);
 * - `''` or `/`: the blobs at the container's root only.
 * A leading '/' is ignored. `*.*` after `**\/` means every file (it does not require a dot in the
 * name). Any other wildcard is refused with `E_INVALID_ARGUMENT`.
 */
export function parseAzurePath(path: string): AzurePathSpec {
  let p = path.trim().replace(/\\/g, '/').replace(/^\/+/, '');
  let recursive = false;
  p = p.replace(/(^|\/)\*\*\/\*\.\*$/, '$1**');
  if (p === '**' || p === '**/.' || p === '**/') return { prefix: '', recursive: true };
  const m = /^(.*?)\/\*\*(?:\/\.?)?$/.exec(p);
  if (m) {
    p = m[1] ?? '';
    recursive = true;
  }
  if (/[*?[\]]/.test(p)) {
    throw new LabelkitError(
      'E_INVALID_ARGUMENT',
      `The path "${path}" is not one Labelkit understands. Use "folder/" (that folder), "folder/**" or "folder/**/*.*" (with subfolders), "**/." or "**/*.*" (the whole container), or "folder/a.png" (one file).`,
      { path },
    );
  }
  const file = !recursive && !/\/$/.test(p) && /\.[^/.]+$/.test(p) && !/(^|\/)\.\.?$/.test(p) ? p : undefined;
  p = p.replace(/\/+$/, '');
  if (p === '.') p = '';
  return { prefix: p ? p + '/' : '', recursive, ...(file ? { file } : {}) };
}

export type AzureBlobSourceOptions = AzureContainerTarget & {
  /** Azure ML path form (default `**\/.`, the whole container). */
  readonly path?: string;
  /** Blobs per listing page (default 5,000, the service's maximum). */
  readonly pageSize?: number;
  readonly retry?: AzureRetryOptions;
  readonly onRetry?: (event: AzureRetryEvent) => void;
  readonly pipeline?: StoragePipelineOptions;
};

/**
 * A `DataSource` over an Azure Blob container. `list()` pages through the service (5,000 blobs a
 * page by default) and yields every blob the path covers, in the service's (name) order, with
 * etag, size and last-modified; the project filters extensions, applies the cap and reports.
 * A refresh is a fresh `list()`: the project keeps only new or changed blobs (by etag).
 */
export class AzureBlobSource implements DataSource {
  readonly description: string;
  readonly spec: AzurePathSpec;
  readonly #container: ContainerClient;
  readonly #pageSize: number;
  readonly #retry: Required<AzureRetryOptions>;
  readonly #onRetry?: (event: AzureRetryEvent) => void;
  readonly #hasSas: boolean;
  readonly #anonymous: boolean;

  constructor(options: AzureBlobSourceOptions) {
    this.#container = createContainerClient(options, options.pipeline);
    this.spec = parseAzurePath(options.path ?? '**/.');
    this.#pageSize = Math.max(1, Math.min(5000, options.pageSize ?? 5000));
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#onRetry = options.onRetry;
    this.#hasSas = /[?&]sig=/.test(this.container.url);
    this.#anonymous = !this.#hasSas && !('credential' in options && options.credential) && !('connectionString' in options) && !('containerClient' in options);
    const shown = this.spec.recursive ? (this.spec.prefix ? `${this.spec.prefix}**` : '**/.') : (this.spec.file ?? (this.spec.prefix || '/'));
    this.description = `Azure Blob ${describeContainer(this.container)} ${shown}`;
  }

  /**
   * The SDK's container client. A getter over a private field, so that `util.inspect(source)`,
   * `JSON.stringify(source)` and a debugger's object preview never print its URL (which holds the SAS).
   */
  get container(): ContainerClient {
    return this.#container;
  }

  /** A description without secrets (what `JSON.stringify` writes). */
  toJSON(): { description: string; spec: AzurePathSpec } {
    return { description: this.description, spec: this.spec };
  }

  /** What `util.inspect` shows: never the SDK client, whose URL and pipeline can hold a SAS or key. */
  [Symbol.for('nodejs.util.inspect.custom')](_depth: number, options: unknown, inspect?: Inspect): string {
    return inspectWithoutSecrets(this, options, inspect);
  }

  async *list(options?: { signal?: AbortSignal }): AsyncIterable<ItemRef> {
    const { prefix, recursive, file } = this.spec;
    if (file) {
      const one = await this.#stat(file, options?.signal);
      if (one) yield one;
    }
    let token: string | undefined;
    do {
      let page: { items: { name: string; properties: { etag?: string; contentLength?: number; lastModified?: Date } }[]; token?: string } | undefined;
      try {
        page = await withRetry(
          'list',
          `${prefix}*`,
          this.#retry,
          async ({ signal }) => {
            if (recursive) {
              const r = (await this.container.listBlobsFlat({ prefix, abortSignal: signal }).byPage({ maxPageSize: this.#pageSize, continuationToken: token }).next()).value;
              return r && { items: r.segment.blobItems, token: r.continuationToken };
            }
            const r = (await this.container.listBlobsByHierarchy('/', { prefix, abortSignal: signal }).byPage({ maxPageSize: this.#pageSize, continuationToken: token }).next())
              .value;
            return r && { items: r.segment.blobItems, token: r.continuationToken };
          },
          options?.signal,
          this.#onRetry,
        );
      } catch (err) {
        throw this.#error('list', `the blobs under "${prefix || '/'}"`, err);
      }
      if (!page) return;
      for (const b of page.items) {
        if (b.name.endsWith('/')) continue; // folder placeholder
        yield {
          path: b.name,
          size: b.properties.contentLength,
          etag: quoteEtag(b.properties.etag),
          lastModified: b.properties.lastModified?.getTime(),
        };
      }
      token = page.token || undefined;
    } while (token);
  }

  /** One blob's ItemRef, or undefined when there is no such blob. */
  async #stat(path: string, signal?: AbortSignal): Promise<ItemRef | undefined> {
    try {
      const p = await withRetry('read', path, this.#retry, ({ signal: s }) => this.#container.getBlobClient(path).getProperties({ abortSignal: s }), signal, this.#onRetry);
      return { path, size: p.contentLength, etag: quoteEtag(p.etag), lastModified: p.lastModified?.getTime() };
    } catch (err) {
      if (err instanceof Final && err.failure.status === 404) return undefined;
      throw this.#error('read', `"${path}"`, err);
    }
  }

  async read(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    const blob = this.container.getBlobClient(path);
    try {
      return await withRetry(
        'read',
        path,
        this.#retry,
        async ({ signal }) => {
          const res = await blob.download(0, undefined, { abortSignal: signal });
          return bodyBytes(res, res.contentLength);
        },
        options?.signal,
        this.#onRetry,
      );
    } catch (err) {
      if (err instanceof Final && err.failure.status === 404) {
        throw new LabelkitError('E_NOT_FOUND', `The blob "${path}" is no longer in ${this.description}. It was moved or deleted; refresh the source.`, { path });
      }
      throw this.#error('read', `"${path}"`, err);
    }
  }

  /**
   * A URL to show or cite the blob, for a container that allows anonymous reads: its plain URL.
   * Undefined when access needs a SAS or a credential — callers then `read()` the bytes (the
   * components make an object URL), so the secret never leaves the SDK client, never reaches the
   * DOM, a project or an export. `signedUrl` is there for hosts that want the SAS URL anyway.
   */
  url(path: string): string | undefined {
    return this.#anonymous ? stripQuery(this.container.getBlobClient(path).url) : undefined;
  }

  /**
   * The blob's URL carrying the source's SAS, for an `<img src>` in this session only. It is a
   * secret: never write it to a project, an export or a log. Undefined when the source has no SAS.
   */
  signedUrl(path: string): string | undefined {
    return this.#hasSas ? this.container.getBlobClient(path).url : undefined;
  }

  #error(op: 'read' | 'list', what: string, err: unknown): unknown {
    if (err instanceof LabelkitError) return err;
    if (err instanceof Final || err instanceof AttemptsExhausted) return toLabelkitError(op, what, describeContainer(this.container), err.failure, err.attempts);
    return err;
  }
}
