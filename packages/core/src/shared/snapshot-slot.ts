import { LabelkitError } from '../errors.js';
import type { JournalCursor } from '../journal/journal.js';
import { getJson, putJson, type Store } from '../store/store.js';

/** What the snapshot head points at. */
export interface SnapshotHead {
  readonly v: 1;
  /** Key of the (immutable) snapshot body. */
  readonly body: string;
  /** Per client, the last segment the snapshot covers. */
  readonly cursor: JournalCursor;
  readonly by: string;
  readonly at: number;
}

export function snapshotHeadKey(projectId: string): string {
  return `projects/${projectId}/snapshot/head.json`;
}

/** True when `a` covers everything `b` does and more. */
export function cursorDominates(a: JournalCursor, b: JournalCursor): boolean {
  let more = false;
  for (const [client, seq] of Object.entries(b)) if ((a[client] ?? 0) < seq) return false;
  for (const [client, seq] of Object.entries(a)) if (seq > (b[client] ?? 0)) more = true;
  return more;
}

/**
 * Snapshots on a shared store without last-writer-wins. The body is written create-only under a
 * name of its own (`projects/<id>/snapshot/<client>-<cursor hash>.bin`) and the small head that
 * points at it is replaced only `If-Match` the head we read — and only when our snapshot covers
 * everything the current one does. A client that loses the race re-reads the head and either
 * retries (ours still newer) or stands down (someone published a newer one).
 */
export async function publishSnapshot(
  store: Store,
  projectId: string,
  clientId: string,
  cursor: JournalCursor,
  body: Uint8Array,
  options: { signal?: AbortSignal; now?: () => number } = {},
): Promise<{ published: boolean; head: SnapshotHead }> {
  const now = options.now ?? Date.now;
  const headKey = snapshotHeadKey(projectId);
  const bodyKey = `projects/${projectId}/snapshot/${clientId}-${cursorTag(cursor)}.bin`;
  try {
    await store.put(bodyKey, body, { ifNoneMatch: '*', signal: options.signal });
  } catch (err) {
    if (!LabelkitError.is(err, 'E_CONFLICT')) throw err; // same client, same cursor: the same snapshot
  }
  const head: SnapshotHead = { v: 1, body: bodyKey, cursor: { ...cursor }, by: clientId, at: now() };
  for (let tries = 0; tries < 8; tries++) {
    const cur = await getJson<SnapshotHead>(store, headKey, options.signal);
    if (cur && !cursorDominates(cursor, cur.value.cursor)) return { published: false, head: cur.value };
    try {
      await putJson(store, headKey, head, cur ? { ifMatch: cur.etag, signal: options.signal } : { ifNoneMatch: '*', signal: options.signal });
      return { published: true, head };
    } catch (err) {
      if (!LabelkitError.is(err, 'E_CONFLICT')) throw err;
    }
  }
  throw new LabelkitError('E_CONFLICT', 'Other labelers kept publishing snapshots; this one was not published. Nothing is lost: the journal holds every change.');
}

/** The current snapshot (head and body), if any. */
export async function loadSnapshot(store: Store, projectId: string, signal?: AbortSignal): Promise<{ head: SnapshotHead; body: Uint8Array } | undefined> {
  const cur = await getJson<SnapshotHead>(store, snapshotHeadKey(projectId), signal);
  if (!cur) return undefined;
  const body = await store.get(cur.value.body, { signal });
  if (!body) throw new LabelkitError('E_CORRUPT_SNAPSHOT', `The snapshot head points at "${cur.value.body}", which is missing. Open the project from its journal instead.`);
  return { head: cur.value, body: body.bytes };
}

function cursorTag(cursor: JournalCursor): string {
  const text = Object.keys(cursor)
    .sort()
    .map((c) => `${c}:${cursor[c]}`)
    .join(',');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const total = Object.values(cursor).reduce((s, n) => s + n, 0);
  return `${String(total).padStart(10, '0')}-${h.toString(16).padStart(8, '0')}`;
}
