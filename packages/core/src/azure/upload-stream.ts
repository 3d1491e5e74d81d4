import type { BlockBlobClient } from '@azure/storage-blob';
import { bodyBytes, sameBytes } from './body.js';
import { Final } from './retry.js';
import { concatBytes } from '../util/bytes.js';

/** Where streamed bytes come from: a web stream, an async iterable (Node streams are) or an array of chunks. */
export type ChunkSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface UploadStreamOptions {
  /** Bytes per staged block (default 4 MiB; Azure allows up to 4,000 MiB and 50,000 blocks). */
  readonly blockSize?: number;
  /** Blocks staged at once (default 2). */
  readonly concurrency?: number;
  /** Create-only: fail with `E_CONFLICT` when the blob exists. */
  readonly ifNoneMatch?: '*';
  /** Replace only this version of the blob: fail with `E_CONFLICT` when it changed. */
  readonly ifMatch?: string;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

type Run = <T>(op: string, target: string, fn: (signal: AbortSignal, ambiguous: boolean) => Promise<T>, signal?: AbortSignal) => Promise<T>;

async function* iterate(source: ChunkSource): AsyncGenerator<Uint8Array> {
  if (typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    yield* source as AsyncIterable<Uint8Array>;
  }
}

function randomId(): string {
  const a = new Uint8Array(6);
  globalThis.crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Stages the chunks as blocks and commits them in order. Nothing is visible until the commit; a
 * failure before it leaves uncommitted blocks that the service discards (after a week) and never
 * alters the blob. Re-staging a block under the same id is idempotent, so retries are safe.
 */
export async function uploadChunks(blob: BlockBlobClient, source: ChunkSource, options: UploadStreamOptions, run: Run): Promise<{ etag: string; bytes: number }> {
  const blockSize = Math.max(1, options.blockSize ?? 4 * 1024 * 1024);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const conditions = options.ifNoneMatch === '*' ? { ifNoneMatch: '*' } : options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : undefined;
  const contentType = options.contentType ?? contentTypeOf(blob.name);
  const headers = contentType ? { blobContentType: contentType } : undefined;
  const nonce = randomId();
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  let firstError: unknown;
  let total = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let firstBlock: Uint8Array | undefined;

  const stage = async (bytes: Uint8Array) => {
    const id = btoa(`${nonce}-${String(ids.length).padStart(6, '0')}`);
    ids.push(id);
    const p = run('write', ` block ${ids.length}`, (signal) => blob.stageBlock(id, bytes, bytes.byteLength, { abortSignal: signal }), options.signal)
      .then(() => undefined)
      .catch((err) => {
        firstError ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (firstError) throw firstError;
  };
  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = pending[0]!; // callers ask for at most pendingBytes, the sum of pending's lengths
      const k = Math.min(c.byteLength, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.byteLength) pending.shift();
      else pending[0] = c.subarray(k);
    }
    pendingBytes -= n;
    return out;
  };

  for await (const chunk of iterate(source)) {
    if (!chunk.byteLength) continue;
    pending.push(chunk);
    pendingBytes += chunk.byteLength;
    total += chunk.byteLength;
    while (pendingBytes >= blockSize) {
      const block = take(blockSize);
      if (!firstBlock && ids.length === 0) {
        firstBlock = block; // held back: if it is the only one, a single upload is cheaper
      } else {
        if (firstBlock) {
          const f = firstBlock;
          firstBlock = undefined;
          await stage(f);
        }
        await stage(block);
      }
    }
  }
  const rest = pendingBytes ? take(pendingBytes) : undefined;
  pending = [];

  if (ids.length === 0) {
    // Everything fits one request: a single Put Blob.
    const parts = [firstBlock, rest].filter((x): x is Uint8Array => !!x);
    const bytes = parts.length === 1 ? parts[0]! : concatBytes(parts);
    return run(
      'write',
      '',
      async (signal, ambiguous) => {
        try {
          const res = await blob.upload(bytes, bytes.byteLength, { conditions, blobHTTPHeaders: headers, abortSignal: signal });
          return { etag: res.etag ?? '', bytes: total };
        } catch (err) {
          if (ambiguous && conditions && [409, 412].includes((err as { statusCode?: number }).statusCode ?? 0)) {
            const got = await blob.download(0, undefined, { abortSignal: signal });
            if (sameBytes(await bodyBytes(got, got.contentLength), bytes)) return { etag: got.etag ?? '', bytes: total };
          }
          throw err;
        }
      },
      options.signal,
    );
  }
  if (firstBlock) await stage(firstBlock);
  if (rest) await stage(rest);
  await Promise.all(inFlight);
  if (firstError) throw firstError;

  return run(
    'write',
    ' (commit)',
    async (signal, ambiguous) => {
      try {
        const res = await blob.commitBlockList(ids, { conditions, blobHTTPHeaders: headers, abortSignal: signal });
        return { etag: res.etag ?? '', bytes: total };
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if (ambiguous && conditions && (status === 409 || status === 412)) {
          // Our lost-answer commit may have landed: the committed blocks are then exactly ours (the nonce is unique).
          const list = await blob.getBlockList('committed', { abortSignal: signal });
          const committed = (list.committedBlocks ?? []).map((b) => b.name);
          if (committed.length === ids.length && committed.every((n, i) => n === ids[i])) return { etag: list.etag ?? '', bytes: total };
        }
        if (status === 409 || status === 412) throw new Final({ kind: 'http', status, code: (err as { code?: string }).code }, 1, ambiguous);
        throw err;
      }
    },
    options.signal,
  );
}

function contentTypeOf(name: string): string | undefined {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return ({ json: 'application/json', jsonl: 'application/jsonl', zip: 'application/zip', xml: 'application/xml', txt: 'text/plain' } as Record<string, string>)[ext];
}
