import { LabelkitError } from '../errors.js';
import type { AzureBlobStore } from './blob-store.js';
import type { ChunkSource } from './upload-stream.js';

export interface ExportTarget {
  /** Project name (or id); characters Azure or file systems dislike become '_'. */
  readonly project: string;
  /** Export format folder: 'coco' (default), 'jsonl', … */
  readonly format?: string;
  /** When the export was taken (default now). */
  readonly at?: Date | number;
  /** File extension without dot (default 'json'). */
  readonly extension?: string;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * `Labeling/export/<format>/<project>_<timestamp>.<ext>` — where Azure ML puts its exports — with a
 * UTC timestamp `YYYYMMDD_HHMMSS`.
 */
export function exportBlobName(target: ExportTarget): string {
  const at = new Date(target.at ?? Date.now());
  if (Number.isNaN(at.getTime())) throw new LabelkitError('E_INVALID_ARGUMENT', 'The export time is not a valid date.');
  const format = (target.format ?? 'coco').replace(/[^A-Za-z0-9_-]/g, '_');
  const project =
    target.project
      .trim()
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^\.+/, '_') || 'project';
  const stamp = `${at.getUTCFullYear()}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}_${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}`;
  return `Labeling/export/${format}/${project}_${stamp}.${target.extension ?? 'json'}`;
}

/**
 * Streams an export (the chunks an exporter produces) into the project's container at
 * `Labeling/export/coco/<project>_<timestamp>.json`, create-only: an export never replaces another.
 * Two exports of one project in the same second: the second fails with `E_CONFLICT`.
 * The store's key prefix is not applied: exports live where Azure ML users look for them.
 */
export async function writeExport(
  store: AzureBlobStore,
  target: ExportTarget,
  chunks: ChunkSource,
  options: { signal?: AbortSignal; contentType?: string; blockSize?: number } = {},
): Promise<{ blobName: string; url: string; etag: string; bytes: number }> {
  const at = new Date(target.at ?? Date.now());
  const name = exportBlobName({ ...target, at });
  const relative = name.startsWith(store.prefix) ? name.slice(store.prefix.length) : undefined;
  const key = relative ?? name;
  const write = (k: string) =>
    relative !== undefined
      ? store.putStream(k, chunks, { ifNoneMatch: '*', contentType: options.contentType ?? 'application/json', signal: options.signal, blockSize: options.blockSize })
      : rootStore(store).putStream(k, chunks, { ifNoneMatch: '*', contentType: options.contentType ?? 'application/json', signal: options.signal, blockSize: options.blockSize });
  try {
    const r = await write(key);
    return { blobName: name, url: urlOf(store, name), ...r };
  } catch (err) {
    if (!LabelkitError.is(err, 'E_CONFLICT')) throw err;
    // Same second as another export. The stream is spent, so it cannot be re-sent under another name.
    throw new LabelkitError('E_CONFLICT', `An export named "${name}" already exists. Wait a second and export again.`, { blobName: name });
  }
}

function rootStore(store: AzureBlobStore): AzureBlobStore {
  return store.withPrefix('');
}

function urlOf(store: AzureBlobStore, name: string): string {
  const u = store.container.getBlobClient(name).url;
  const q = u.search(/[?#]/);
  return q < 0 ? u : u.slice(0, q);
}
