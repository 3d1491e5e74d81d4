import { throwIfAborted } from '../errors.js';
import { decodeSegment } from '../journal/codec.js';
import { journalPrefix, type JournalCursor, type SegmentRead } from '../journal/journal.js';
import { utf8, type Store } from '../store/store.js';

const SEQ_DIGITS = 10;

export function clientsPrefix(projectId: string): string {
  return `projects/${projectId}/clients/`;
}

/** The key of one segment, as `Journal.append` writes it. */
export function segmentKey(projectId: string, client: string, seq: number): string {
  return `${journalPrefix(projectId)}${client}/${String(seq).padStart(SEQ_DIGITS, '0')}.jsonl`;
}

/**
 * Follows the journal segments of every client of a project on a shared store, cheaply.
 *
 * `Journal.read` lists the whole journal each time: fine for one client, quadratic for a team (every
 * sync of every client lists every segment ever written). A follower lists once (`cold` start, or
 * when asked), then for each known client simply asks for the next sequence number until the store
 * says there is none — one small GET per client per sync — and finds new clients from the small
 * `projects/<id>/clients/` registry that `register()` writes (create-only) when a client joins.
 * Segments come back in the same deterministic order as `Journal.read`.
 */
export class JournalFollower {
  #cursor: JournalCursor;
  #clients = new Set<string>();
  #listedOnce = false;
  #lastDiscovery = 0;

  /** Longest pause before an idle client is asked again (without `all`), ms. */
  readonly maxIdleMs: number;
  /** Clients asked at once (default 4): a team of many clients does not flood the store. */
  readonly concurrency: number;

  constructor(
    readonly store: Store,
    readonly projectId: string,
    options: { cursor?: JournalCursor; discoverEveryMs?: number; maxIdleMs?: number; concurrency?: number } = {},
  ) {
    this.maxIdleMs = options.maxIdleMs ?? 1_000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.#cursor = { ...options.cursor };
    for (const c of Object.keys(this.#cursor)) this.#clients.add(c);
    this.discoverEveryMs = options.discoverEveryMs ?? 2_000;
  }

  readonly discoverEveryMs: number;

  get cursor(): JournalCursor {
    return { ...this.#cursor };
  }

  /**
   * Starts from a cursor the caller already read up to (a project just loaded: its journal read
   * listed everything), so the first `read` probes instead of listing again.
   */
  seed(cursor: JournalCursor): void {
    for (const [client, seq] of Object.entries(cursor)) {
      this.#clients.add(client);
      if (seq > (this.#cursor[client] ?? 0)) this.#cursor[client] = seq;
    }
    this.#listedOnce = true;
    this.#lastDiscovery = 0;
  }

  /** Marks a segment as read (this client's own appends). */
  advance(client: string, seq: number): void {
    this.#clients.add(client);
    if (seq > (this.#cursor[client] ?? 0)) this.#cursor[client] = seq;
  }

  /** Adds a client to follow (e.g. a lease's previous holder, before the registry listing finds it). */
  know(client: string): void {
    this.#clients.add(client);
    this.#idle.delete(client);
  }

  /** Announces a client (idempotent). Call once when a client opens the project on a shared store. */
  async register(clientId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.store.put(clientsPrefix(this.projectId) + clientId, utf8.encode(JSON.stringify({ v: 1, client: clientId })), { ifNoneMatch: '*', signal });
    } catch (err) {
      if ((err as { code?: string }).code !== 'E_CONFLICT') throw err;
    }
    this.#clients.add(clientId);
  }

  /** Reads every segment not read yet, from every client. */
  async read(signal?: AbortSignal, options: { fullList?: boolean; all?: boolean } = {}): Promise<SegmentRead[]> {
    const found: SegmentRead[] = [];
    if (!this.#listedOnce || options.fullList) {
      // Cold start: one listing finds every client and segment written so far.
      const prefix = journalPrefix(this.projectId);
      const keys: { key: string; client: string; seq: number }[] = [];
      for await (const e of this.store.list(prefix, { signal })) {
        const m = /^([A-Za-z0-9_-]+)\/(\d+)\.jsonl$/.exec(e.key.slice(prefix.length));
        if (!m) continue;
        this.#clients.add(m[1]);
        keys.push({ key: e.key, client: m[1], seq: Number(m[2]) });
      }
      this.#listedOnce = true;
      this.#lastDiscovery = Date.now();
      // Only contiguous sequences are taken, as the probe below would.
      keys.sort((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : a.seq - b.seq));
      for (const k of keys) {
        if (k.seq !== (this.#cursor[k.client] ?? 0) + 1) continue;
        const seg = await this.#fetch(k.client, k.seq, signal);
        if (!seg) continue;
        found.push(seg);
      }
    } else if (Date.now() - this.#lastDiscovery >= this.discoverEveryMs) {
      const prefix = clientsPrefix(this.projectId);
      for await (const e of this.store.list(prefix, { signal })) this.#clients.add(e.key.slice(prefix.length));
      this.#lastDiscovery = Date.now();
    }
    const now = Date.now();
    await inPool([...this.#clients], this.concurrency, async (client) => {
      // A client that had nothing new is asked again after a growing pause (up to maxIdleMs),
      // unless the caller wants everything now (`all`).
      const idle = this.#idle.get(client);
      if (!options.all && idle && now < idle.nextAt) return;
      let got = 0;
      for (let depth = 1; ; depth = 2) {
        throwIfAborted(signal);
        // After a hit, ask for the next few at once: an active client usually has several.
        const base = (this.#cursor[client] ?? 0) + 1;
        const segs = await Promise.all(Array.from({ length: depth }, (_, k) => this.#get(client, base + k, signal)));
        let k = 0;
        for (; k < segs.length && segs[k]; k++) {
          const seg = segs[k]!;
          this.#cursor[client] = seg.seq;
          found.push(seg);
          got++;
        }
        if (k < segs.length) break;
      }
      if (got) this.#idle.delete(client);
      else {
        const wait = Math.min(this.maxIdleMs, idle ? idle.wait * 2 : 50);
        this.#idle.set(client, { wait, nextAt: now + wait });
      }
    });
    return sortSegments(found);
  }

  readonly #idle = new Map<string, { wait: number; nextAt: number }>();

  async #get(client: string, seq: number, signal?: AbortSignal): Promise<SegmentRead | undefined> {
    const key = segmentKey(this.projectId, client, seq);
    const obj = await this.store.get(key, { signal });
    return obj ? { key, client, seq, events: decodeSegment(obj.bytes).events } : undefined;
  }

  async #fetch(client: string, seq: number, signal?: AbortSignal): Promise<SegmentRead | undefined> {
    const key = segmentKey(this.projectId, client, seq);
    const obj = await this.store.get(key, { signal });
    if (!obj) return undefined;
    this.#cursor[client] = seq;
    return { key, client, seq, events: decodeSegment(obj.bytes).events };
  }
}

/** The deterministic segment order: first event's time, then client id, then sequence. */
export function compareSegments(a: Pick<SegmentRead, 'client' | 'seq' | 'events'>, b: Pick<SegmentRead, 'client' | 'seq' | 'events'>): number {
  return (a.events[0]?.at ?? 0) - (b.events[0]?.at ?? 0) || (a.client < b.client ? -1 : a.client > b.client ? 1 : 0) || a.seq - b.seq;
}

export function sortSegments<T extends Pick<SegmentRead, 'client' | 'seq' | 'events'>>(segments: T[]): T[] {
  return segments.sort(compareSegments);
}

async function inPool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}
