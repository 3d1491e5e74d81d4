import { throwIfAborted } from '../errors.js';
import { decodeSegment } from '../journal/codec.js';
import { journalPrefix, type JournalCursor, type SegmentRead } from '../journal/journal.js';
import { canAppend, utf8, type Store } from '../store/store.js';
import { clientsPrefix, segmentKey, sortSegments } from './journal-follower.js';
import { SharedTail, type TailRecord } from './tail.js';

/**
 * Follows the journal segments of every client of a project on a shared store, cheaply.
 *
 * `Journal.read` lists the whole journal each time: fine for one client, quadratic for a team.
 * On a store with append-only objects (every store of this package), the follower reads the
 * project's shared tail (`SharedTail`) from where it stopped: one small ranged read per sync,
 * whatever the team's size, carrying the segments themselves. What the tail may lack (a writer that
 * crashed between its segment and its tail record) is found by asking that client for its next
 * sequence numbers: on a gap in its sequence, when a lease of it is taken over (`know`), and by a
 * slow sweep that asks one client at a time (`sweepEveryMs`).
 *
 * On a store without them, it lists once, then asks each known client for its next sequence number
 * until the store says there is none — one small GET per client per sync — and finds new clients
 * from the small `projects/<id>/clients/` registry that `register()` writes when a client joins.
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

  /** The shared tail, on stores with append-only objects (unless `tail: false`). */
  readonly tail: SharedTail | undefined;
  /** With a tail: one client's next segment is asked for every this many ms (default 5,000). */
  readonly sweepEveryMs: number;
  /** Clients to ask directly on the next read (a lease's previous holder, a gap in a sequence). */
  readonly #probeNext = new Set<string>();
  #probeAll = false;
  #sweepAt = 0;
  #sweepTurn = 0;
  /** When each client last wrote to the tail (this clock), for `activeClients`. */
  readonly #lastSeen = new Map<string, number>();

  constructor(
    readonly store: Store,
    readonly projectId: string,
    options: { cursor?: JournalCursor; discoverEveryMs?: number; maxIdleMs?: number; concurrency?: number; tail?: boolean; sweepEveryMs?: number } = {},
  ) {
    this.maxIdleMs = options.maxIdleMs ?? 1_000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.#cursor = { ...options.cursor };
    for (const c of Object.keys(this.#cursor)) this.#clients.add(c);
    this.discoverEveryMs = options.discoverEveryMs ?? 2_000;
    this.sweepEveryMs = options.sweepEveryMs ?? 5_000;
    this.tail = options.tail !== false && canAppend(store) ? new SharedTail(store, projectId) : undefined;
  }

  readonly discoverEveryMs: number;

  /**
   * Starts following the tail at its current end, then asks every known client once for what it
   * wrote since the caller's cursor (segments written around the start are then read either way).
   */
  async startTail(signal?: AbortSignal): Promise<void> {
    if (!this.tail || this.tail.ready) return;
    await this.tail.init(signal);
    this.#probeAll = true;
    this.#lastDiscovery = 0;
  }

  /** When the tail was last read (this clock; 0 before). */
  lastReadAt = 0;

  /** Clients that wrote to the tail in the last `withinMs` (at least 1: this one). */
  activeClients(withinMs = 60_000): number {
    const since = Date.now() - withinMs;
    let n = 0;
    for (const at of this.#lastSeen.values()) if (at >= since) n++;
    return Math.max(1, n);
  }

  /** Tells the others about a segment this client wrote (resolves when it is in the tail; never rejects). */
  announce(segment: { client: string; seq: number; bytes: Uint8Array }, lingerMs = 0): Promise<void> {
    return this.tail ? this.tail.announce(segment, { lingerMs }) : Promise.resolve();
  }

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
    this.#probeNext.add(client);
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
    if (this.tail?.ready && !options.fullList) return this.#readTail(signal);
    const found: SegmentRead[] = [];
    if (!this.#listedOnce || options.fullList) {
      // Cold start: one listing finds every client and segment written so far.
      const prefix = journalPrefix(this.projectId);
      const keys: { key: string; client: string; seq: number }[] = [];
      for await (const e of this.store.list(prefix, { signal })) {
        const m = /^([A-Za-z0-9_-]+)\/(\d+)\.jsonl$/.exec(e.key.slice(prefix.length));
        if (!m) continue;
        const client = m[1]!; // both groups are required by the pattern
        this.#clients.add(client);
        keys.push({ key: e.key, client, seq: Number(m[2]) });
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
    await this.#probe([...this.#clients], found, signal, options.all);
    return sortSegments(found);
  }

  /** The tail's new records, then the clients due a direct question (gaps, takeovers, the sweep). */
  async #readTail(signal?: AbortSignal): Promise<SegmentRead[]> {
    const found: SegmentRead[] = [];
    const records = await this.tail!.read(signal);
    const seenAt = Date.now();
    this.lastReadAt = seenAt;
    for (const r of records) this.#lastSeen.set(r.client, seenAt);
    const byKey = new Map<string, TailRecord>();
    for (const r of records) if (r.seq > (this.#cursor[r.client] ?? 0)) byKey.set(`${r.client}/${r.seq}`, r);
    for (const r of [...byKey.values()].sort((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : a.seq - b.seq))) {
      this.#clients.add(r.client);
      const have = this.#cursor[r.client] ?? 0;
      if (r.seq <= have) continue;
      // A sequence number the tail skipped (its record was lost in a crash, or is still on its way):
      // read those segments directly; numbers never written (taken by a reload) are passed over.
      for (let s = have + 1; s < r.seq && s - have <= 64; s++) {
        const seg = await this.#get(r.client, s, signal);
        if (seg) found.push(seg);
      }
      const seg = r.bytes
        ? { key: segmentKey(this.projectId, r.client, r.seq), client: r.client, seq: r.seq, events: decodeSegment(r.bytes).events }
        : await this.#get(r.client, r.seq, signal);
      if (seg) found.push(seg);
      this.#cursor[r.client] = r.seq;
    }
    const now = Date.now();
    const ask = new Set(this.#probeNext);
    this.#probeNext.clear();
    if (this.#probeAll || now - this.#lastDiscovery >= Math.max(this.discoverEveryMs, 300_000)) {
      // The registry, now and then: the sweep also asks clients that never wrote to the tail.
      const prefix = clientsPrefix(this.projectId);
      for await (const e of this.store.list(prefix, { signal })) this.#clients.add(e.key.slice(prefix.length));
      this.#lastDiscovery = now;
    }
    if (this.#probeAll) {
      for (const c of this.#clients) ask.add(c);
      this.#probeAll = false;
      this.#sweepAt = now + this.sweepEveryMs;
    } else if (now >= this.#sweepAt) {
      // The sweep asks the next client that has been quiet in the tail for a while: a client that
      // writes shows any segment the tail lacks by the gap in its sequence, a quiet one (or a dead
      // one whose last record was lost) only when asked.
      const quiet = [...this.#clients].filter((c) => (this.#lastSeen.get(c) ?? 0) < now - this.sweepEveryMs).sort();
      if (quiet.length) ask.add(quiet[this.#sweepTurn++ % quiet.length]!);
      this.#sweepAt = now + this.sweepEveryMs;
    }
    if (ask.size) await this.#probe([...ask], found, signal, true);
    return sortSegments(found);
  }

  /** Asks each client for its next segments until one is missing. */
  async #probe(clients: string[], found: SegmentRead[], signal: AbortSignal | undefined, all: boolean | undefined): Promise<void> {
    const now = Date.now();
    await inPool(clients, this.concurrency, async (client) => {
      // A client that had nothing new is asked again after a growing pause (up to maxIdleMs),
      // unless the caller wants everything now (`all`).
      const idle = this.#idle.get(client);
      if (!all && idle && now < idle.nextAt) return;
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

async function inPool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
