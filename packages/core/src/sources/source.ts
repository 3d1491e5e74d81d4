import type { ItemRef } from '../types.js';

/**
 * The `DataSource` port: where a project's images come from. `list` yields every file reference
 * (the project filters extensions and applies the cap, so it can report what it left out);
 * `read` fetches bytes on demand.
 */
export interface DataSource {
  /** A short description for the dashboard, without secrets (e.g. 'files: 120 chosen'). */
  readonly description: string;
  list(options?: { signal?: AbortSignal }): AsyncIterable<ItemRef>;
  read(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** A URL the browser can show or an export can cite, when there is one. */
  url?(path: string): string | undefined;
}
