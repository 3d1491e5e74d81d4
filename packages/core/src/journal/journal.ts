import { LabelkitError, throwIfAborted } from '../errors.js';
import { clientsPrefix } from '../shared/journal-follower.js';
import { utf8, type Store } from '../store/store.js';
import { decodeSegment, encodeSegment } from './codec.js';
import type { JournalEvent, ProjectEvent } from './events.js';
import { EVENT_SCHEMA_VERSION } from './events.js';

/** Per client, the highest segment sequence number read (or covered by a snapshot). */
export type JournalCursor = Record<string, number>;

export interface JournalDamage {
  readonly key: string;
  readonly line: number;
  readonly reason: string;
  /** Events of that segment that were still read. */
  readonly goodEvents: number;
  /** Where an untouched copy of the damaged segment was kept. */
  readonly quarantinedAt?: string;
}

export interface SegmentRead {
  readonly key: string;
  readonly client: string;
  readonly seq: number;
  readonly events: JournalEvent[];
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
}

const SEQ_DIGITS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function journalPrefix(projectId: string): string {
  return `projects/${projectId}/journal/`;
}

/** The key of one segment of `client`. */
function segmentKey(projectId: string, client: string, seq: number): string {
  return `${journalPrefix(projectId)}${client}/${String(seq).padStart(SEQ_DIGITS, '0')}.jsonl`;
}

/**
 * The project journal: append-only segments in a `Store`, one folder per client
 * (`projects/<id>/journal/<client>/<seq>.jsonl`), each written create-only. A segment is
 * acknowledged only when the store says it is durable; transient failures are retried and a
 * final failure is surfaced as `E_STORE_WRITE`, leaving the caller's state untouched.
 */
export class Journal {
  #nextSeq = 1;
  /** Whether this client is in the project's client registry (written before its first segment). */
  #registered = false;
  /** Latest `at` this client wrote. */
  #lastAt = 0;
  /** Latest `at` read from other clients: new events are stamped after it (causal order). */
  #lastOtherAt = 0;

  constructor(
    readonly store: Store,
    readonly projectId: string,
    readonly clientId: string,
    readonly retry: RetryPolicy = { attempts: 4, baseDelayMs: 25 },
  ) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(clientId)) {
      throw new LabelkitError('E_INVALID_ARGUMENT', `Client id "${clientId}" must be 1–64 letters, digits, '-' or '_'.`);
    }
  }

  /**
   * Reads every segment after `cursor`, in a deterministic order: by the time of a segment's first
   * event, then client id, then sequence. Damaged records are skipped, reported and the raw
   * segment copied to `projects/<id>/quarantine/` (nothing is deleted).
   *
   * By default the whole journal folder is listed (one name per segment ever written: ~50 ms at
   * 20,000 segments). With `probe`, the listing is skipped: each client in the cursor, in the
   * project's client registry (`projects/<id>/clients/`, which every writer joins before its first
   * segment) and this client is asked for its next sequence numbers until the store has none — one
   * small read per client plus one per new segment. Only for a cursor whose writers all registered
   * (a checkpoint says so): a writer that predates the registry would be missed.
   */
  async read(
    cursor: JournalCursor = {},
    signal?: AbortSignal,
    options: { probe?: boolean } = {},
  ): Promise<{ segments: SegmentRead[]; cursor: JournalCursor; damage: JournalDamage[] }> {
    const segments: SegmentRead[] = [];
    const damage: JournalDamage[] = [];
    const next: JournalCursor = { ...cursor };
    const take = async (key: string, client: string, seq: number, bytes: Uint8Array) => {
      const decoded = decodeSegment(bytes);
      if (decoded.damage) {
        const quarantinedAt = `projects/${this.projectId}/quarantine/${client}/${String(seq).padStart(SEQ_DIGITS, '0')}.jsonl`;
        let kept: string | undefined;
        try {
          await this.store.put(quarantinedAt, bytes);
          kept = quarantinedAt;
        } catch {
          kept = undefined;
        }
        damage.push({ key, ...decoded.damage, quarantinedAt: kept });
      }
      segments.push({ key, client, seq, events: decoded.events });
      next[client] = Math.max(next[client] ?? 0, seq);
      if (client === this.clientId && seq >= this.#nextSeq) this.#nextSeq = seq + 1;
      for (const e of decoded.events) this.observe(e.at, client);
    };
    if (options.probe) await this.#probe(cursor, take, signal);
    else await this.#list(cursor, take, signal);
    segments.sort((a, b) => (a.events[0]?.at ?? 0) - (b.events[0]?.at ?? 0) || (a.client < b.client ? -1 : a.client > b.client ? 1 : 0) || a.seq - b.seq);
    return { segments, cursor: next, damage };
  }

  async #list(cursor: JournalCursor, take: (key: string, client: string, seq: number, bytes: Uint8Array) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const prefix = journalPrefix(this.projectId);
    const found: { key: string; client: string; seq: number }[] = [];
    for await (const entry of this.store.list(prefix, { signal })) {
      const rest = entry.key.slice(prefix.length);
      const m = /^([A-Za-z0-9_-]+)\/(\d+)\.jsonl$/.exec(rest);
      if (!m) continue;
      const client = m[1]!; // both groups are required by the pattern
      const seq = Number(m[2]);
      if (client === this.clientId && seq >= this.#nextSeq) this.#nextSeq = seq + 1;
      if (seq <= (cursor[client] ?? 0)) continue;
      found.push({ key: entry.key, client, seq });
    }
    for (const f of found) {
      throwIfAborted(signal);
      const obj = await this.store.get(f.key, { signal });
      if (obj) await take(f.key, f.client, f.seq, obj.bytes);
    }
  }

  async #probe(cursor: JournalCursor, take: (key: string, client: string, seq: number, bytes: Uint8Array) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const clients = new Set([...Object.keys(cursor), this.clientId]);
    const registry = clientsPrefix(this.projectId);
    for await (const e of this.store.list(registry, { signal })) clients.add(e.key.slice(registry.length));
    const own = cursor[this.clientId] ?? 0;
    if (own >= this.#nextSeq) this.#nextSeq = own + 1;
    // Each client is asked for a window of next numbers at once (a store that batches reads, like
    // IndexedDB, serves a window in one round trip), doubling while the window comes back full.
    const ask = async (client: string) => {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(client)) return;
      let seq = (cursor[client] ?? 0) + 1;
      for (let width = 2; ; width = Math.min(width * 2, 64)) {
        throwIfAborted(signal);
        const keys = Array.from({ length: width }, (_, k) => segmentKey(this.projectId, client, seq + k));
        const objs = await Promise.all(keys.map((key) => this.store.get(key, { signal })));
        for (let k = 0; k < width; k++) {
          const obj = objs[k];
          if (!obj) return; // sequence numbers have no gaps: the first missing one ends the journal
          await take(keys[k]!, client, seq + k, obj.bytes);
        }
        seq += width;
      }
    };
    // A few clients at a time: a project many clients wrote to does not flood the store.
    const queue = [...clients];
    await Promise.all(
      Array.from({ length: Math.min(8, queue.length) }, async () => {
        for (let c = queue.shift(); c !== undefined; c = queue.shift()) await ask(c);
      }),
    );
  }

  /**
   * Joins the project's client registry (once per `Journal`, before its first segment), so a reader
   * can find this client's segments by asking for them instead of listing the journal.
   */
  async #register(signal?: AbortSignal): Promise<void> {
    if (this.#registered) return;
    const key = clientsPrefix(this.projectId) + this.clientId;
    if (!(await this.store.get(key, { signal }))) {
      await this.store.put(key, utf8.encode(JSON.stringify({ v: 1, client: this.clientId })), { ifNoneMatch: '*', signal }).catch((err: unknown) => {
        if (!LabelkitError.is(err, 'E_CONFLICT')) throw err;
      });
    }
    this.#registered = true;
  }

  /**
   * Tells the clock about an event that was read. Events of other clients push the clock past them,
   * so whatever this client writes next sorts after everything it had seen, even when two machines'
   * clocks disagree or both write in the same millisecond. Own events only keep it monotonic.
   */
  observe(at: number, client: string): void {
    if (client === this.clientId) this.#lastAt = Math.max(this.#lastAt, at);
    else this.#lastOtherAt = Math.max(this.#lastOtherAt, at);
  }

  /** Stamps events with the envelope (version, causal monotonic time, actor). */
  stamp(events: readonly ProjectEvent[], by: string, now = Date.now()): JournalEvent[] {
    const at = Math.max(now, this.#lastAt, this.#lastOtherAt + 1);
    this.#lastAt = at;
    return events.map((e) => ({ ...e, v: EVENT_SCHEMA_VERSION, at, by }) as JournalEvent);
  }

  /** Writes one segment holding `events`; resolves once durable. Returns its key and sequence. */
  async append(events: readonly JournalEvent[], signal?: AbortSignal): Promise<{ key: string; seq: number }> {
    const bytes = encodeSegment(events);
    let lastErr: unknown;
    let taken = 0;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      throwIfAborted(signal);
      const seq = this.#nextSeq;
      const key = segmentKey(this.projectId, this.clientId, seq);
      try {
        await this.#register(signal);
        await this.store.put(key, bytes, { ifNoneMatch: '*', signal });
        this.#nextSeq = seq + 1;
        return { key, seq };
      } catch (err) {
        lastErr = err;
        if (LabelkitError.is(err, 'E_ABORTED')) throw err;
        if (LabelkitError.is(err, 'E_CONFLICT')) {
          // Either an earlier attempt of ours did land (a timeout after the write), or the
          // sequence number is taken. Same bytes: it is ours. Otherwise move on to the next number.
          const existing = await this.store.get(key, { signal }).catch(() => undefined);
          if (existing && sameBytes(existing.bytes, bytes)) {
            this.#nextSeq = seq + 1;
            return { key, seq };
          }
          this.#nextSeq = seq + 1;
          if (++taken < 64) attempt--; // a taken number is not a failed write
          continue;
        }
        if (attempt + 1 < this.retry.attempts) await sleep(this.retry.baseDelayMs * 2 ** attempt);
      }
    }
    throw new LabelkitError(
      'E_STORE_WRITE',
      `Could not save the change to ${this.store.description} after ${this.retry.attempts} attempts. Nothing was applied and nothing is lost; check the storage and retry.`,
      { projectId: this.projectId },
      { cause: lastErr },
    );
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
