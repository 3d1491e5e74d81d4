import { LabelkitError, throwIfAborted } from '../errors.js';
import type { ItemRef } from '../types.js';
import type { DataSource } from './source.js';

/** A list of image URLs. Paths are the URLs themselves; bytes are fetched on demand. */
export class UrlListSource implements DataSource {
  readonly description: string;
  constructor(
    readonly urls: readonly string[],
    readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
  ) {
    this.description = `URL list (${urls.length})`;
  }

  async *list(options?: { signal?: AbortSignal }): AsyncIterable<ItemRef> {
    for (const url of this.urls) {
      throwIfAborted(options?.signal);
      yield { path: url };
    }
  }

  async read(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await this.fetchImpl(path, { signal: options?.signal });
    } catch (err) {
      throwIfAborted(options?.signal);
      throw new LabelkitError(
        'E_STORE_READ',
        `Could not fetch ${stripQuery(path)}: ${(err as Error).message}. Check the URL and the network.`,
        { path: stripQuery(path) },
        { cause: err },
      );
    }
    if (!res.ok) {
      throw new LabelkitError(res.status === 404 ? 'E_NOT_FOUND' : 'E_STORE_READ', `Fetching ${stripQuery(path)} answered HTTP ${res.status}.`, {
        path: stripQuery(path),
        status: res.status,
      });
    }
    return new Uint8Array(await res.arrayBuffer());
  }

  url(path: string): string {
    return path;
  }
}

/** URLs may carry SAS tokens: never echo the query string. */
export function stripQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
