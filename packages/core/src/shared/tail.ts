import { throwIfAborted } from '../errors.js';
import { utf8, type AppendStore } from '../store/store.js';
import { concatBytes } from '../util/bytes.js';

/**
 * The shared tail of a team project: one append-only object (an Azure append blob) that every client
 * appends its journal segments to, right after writing them, and every client reads by range from
 * where it stopped. Following the team is then one small read per sync for each client, whatever
 * the team's size — instead of one read per other client.
 *
 * The tail is an index for followers, never the record: the journal segments stay the truth (a
 * fresh open lists and reads them), so a crash between a segment and its tail record loses nothing;
 * followers find such a segment when its writer appends its next one (a gap in its sequence), by a
 * slow sweep of one client at a time, or when they take over a lease of that writer.
 *
 * Format: records `L1 <client> <seq> <length>\n<segment bytes>`; length `-1` says "read the segment
 * blob" (segments over `inlineMax`). Several records may share one block. A block never
 * interleaves with another, but a retried append may repeat one (readers skip sequences they have).
 * When a tail is sealed — by the writer whose append took it to `rollAt` blocks, or full at Azure's
 * 50,000 — writers go on in the next one (`projects/<id>/tail/<n+1>.log`) and readers follow once
 * they have read the sealed one to its end.
 */
export interface TailRecord {
  readonly client: string;
  readonly seq: number;
  /** The segment's bytes; undefined when only its key was announced (large segments). */
  readonly bytes?: Uint8Array;
}

export function tailPrefix(projectId: string): string {
  return `projects/${projectId}/tail/`;
}

export function tailKey(projectId: string, index: number): string {
  return `${tailPrefix(projectId)}${String(index).padStart(6, '0')}.log`;
}

const NL = 10;

export function encodeRecords(records: readonly TailRecord[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const r of records) {
    const head = utf8.encode(`L1 ${r.client} ${r.seq} ${r.bytes ? r.bytes.byteLength : -1}\n`);
    parts.push(head);
    size += head.byteLength;
    if (r.bytes) {
      parts.push(r.bytes);
      size += r.bytes.byteLength;
    }
  }
  return concatBytes(parts, size);
}

/**
 * The complete records in `bytes`, and how many bytes they took: an incomplete last record (a file
 * still being written by another process) is left for the next read. A line that is not a record
 * header is skipped up to its end (never the case on a store that appends whole blocks).
 */
export function decodeRecords(bytes: Uint8Array): { records: TailRecord[]; consumed: number; skipped: number } {
  const records: TailRecord[] = [];
  let at = 0;
  let skipped = 0;
  while (at < bytes.byteLength) {
    const nl = bytes.indexOf(NL, at);
    if (nl < 0) break;
    const m = /^L1 ([A-Za-z0-9_-]{1,64}) (\d{1,15}) (-1|\d{1,12})$/.exec(utf8.decode(bytes.subarray(at, nl)));
    if (!m) {
      skipped += nl + 1 - at;
      at = nl + 1;
      continue;
    }
    const len = Number(m[3]);
    const end = nl + 1 + Math.max(0, len);
    if (end > bytes.byteLength) break;
    records.push({ client: m[1]!, seq: Number(m[2]), bytes: len >= 0 ? bytes.slice(nl + 1, end) : undefined });
    at = end;
  }
  return { records, consumed: at, skipped };
}

export interface SharedTailOptions {
  /** Segments larger than this are announced by key only (default 256 KiB). */
  readonly inlineMax?: number;
  /** Most bytes one append carries (default 1 MiB; Azure takes up to 4 MiB a block). */
  readonly blockMax?: number;
  /**
   * Blocks after which a writer seals the tail and goes on in the next (default 10,000; Azure's hard
   * limit is 50,000): small tails keep a joining client's first read and the emulator's work small.
   * Only on stores that can seal (`Store.seal`).
   */
  readonly rollAt?: number;
}

export class SharedTail {
  readonly inlineMax: number;
  readonly blockMax: number;
  #readIndex = 0;
  #offset = 0;
  #writeIndex = 0;
  #ready = false;
  #pending: TailRecord[] = [];
  #flushing: Promise<void> | undefined;
  #sealable = true;
  /** Appends that failed (after the store's retries); their records were kept for the next one. */
  failedAppends = 0;
  /** Bytes read from the tail so far. */
  bytesRead = 0;

  constructor(
    readonly store: AppendStore,
    readonly projectId: string,
    options: SharedTailOptions = {},
  ) {
    this.inlineMax = options.inlineMax ?? 256 * 1024;
    this.blockMax = Math.max(1024, options.blockMax ?? 1024 * 1024);
    this.rollAt = Math.max(1, options.rollAt ?? 10_000);
  }

  readonly rollAt: number;

  get ready(): boolean {
    return this.#ready;
  }

  /** Where reading stands: the tail's index and the offset in it. */
  get position(): { index: number; offset: number } {
    return { index: this.#readIndex, offset: this.#offset };
  }

  /**
   * Starts reading at the current end of the newest tail (one listing of the few tail objects and
   * one read of a size). What was written before is the caller's to read from the journal.
   */
  async init(signal?: AbortSignal): Promise<void> {
    let newest = -1;
    for await (const e of this.store.list(tailPrefix(this.projectId), { signal })) {
      const m = /^(\d+)\.log$/.exec(e.key.slice(tailPrefix(this.projectId).length));
      if (m) newest = Math.max(newest, Number(m[1]));
    }
    let index = Math.max(0, newest);
    let offset = 0;
    if (newest >= 0) {
      const r = await this.store.readFrom(tailKey(this.projectId, newest), Number.POSITIVE_INFINITY, { signal });
      if (r?.sealed) index++;
      else offset = r?.size ?? 0;
    }
    this.#readIndex = index;
    this.#offset = offset;
    this.#writeIndex = Math.max(this.#writeIndex, index);
    this.#ready = true;
  }

  /** Records appended since the last read (one ranged read; more only past a sealed tail). */
  async read(signal?: AbortSignal): Promise<TailRecord[]> {
    const out: TailRecord[] = [];
    for (;;) {
      throwIfAborted(signal);
      const r = await this.store.readFrom(tailKey(this.projectId, this.#readIndex), this.#offset, { signal });
      if (!r) return out;
      this.bytesRead += r.bytes.byteLength;
      const { records, consumed } = decodeRecords(r.bytes);
      out.push(...records);
      this.#offset += consumed;
      if (!r.sealed || this.#offset < r.size) return out;
      this.#readIndex++;
      this.#offset = 0;
      this.#writeIndex = Math.max(this.#writeIndex, this.#readIndex);
    }
  }

  /**
   * Announces a segment this client has written (durably) to the others. Appends are serial and
   * batched: segments written while one append is in flight go together in the next. Resolves when
   * the record is in the tail — or when the append failed (it is kept and sent with the next one;
   * until then the sweep and the writer's next sequence number lead followers to it). Never rejects.
   */
  announce(record: TailRecord, options: { lingerMs?: number } = {}): Promise<void> {
    const bytes = record.bytes && record.bytes.byteLength <= this.inlineMax ? record.bytes : undefined;
    this.#pending.push({ client: record.client, seq: record.seq, bytes });
    if (!options.lingerMs) return this.flush();
    // Lingering: sent with the next flush (a submission's), or when the time is up — a task handed
    // out and submitted at once then costs one append, not two.
    this.#linger ??= new Promise<void>((resolve) =>
      setTimeout(() => {
        this.#linger = undefined;
        void this.flush().then(resolve);
      }, options.lingerMs),
    );
    return this.#linger;
  }

  #linger: Promise<void> | undefined;

  /** Waits for announcements in flight (and sends those still pending). Never rejects. */
  flush(): Promise<void> {
    if (!this.#flushing) {
      this.#flushing = this.#drain().finally(() => (this.#flushing = undefined));
      return this.#flushing;
    }
    // One in flight: the records just queued go with the next append.
    const current = this.#flushing;
    return current.then(() => (this.#pending.length ? this.flush() : undefined));
  }

  async #drain(): Promise<void> {
    while (this.#pending.length) {
      const batch: TailRecord[] = [];
      let size = 0;
      while (this.#pending.length && (batch.length === 0 || size + (this.#pending[0]!.bytes?.byteLength ?? 0) + 96 <= this.blockMax)) {
        const r = this.#pending.shift()!;
        batch.push(r);
        size += (r.bytes?.byteLength ?? 0) + 96;
      }
      const block = encodeRecords(batch);
      let written = false;
      try {
        // A sealed tail: on to the next (written by whoever gets there first).
        for (let hops = 0; !written && hops < 16; hops++) {
          const key = tailKey(this.projectId, this.#writeIndex);
          const r = await this.store.append(key, block);
          written = !r.sealed;
          if (!written) this.#writeIndex++;
          else if (r.blocks !== undefined && r.blocks >= this.rollAt && this.store.seal && this.#sealable) {
            // Full enough: sealed here (whoever is first), everyone goes on in the next. A store that
            // refuses the seal (Azurite with a SAS) keeps this tail until its hard limit.
            try {
              await this.store.seal(key);
              this.#writeIndex++;
            } catch {
              this.#sealable = false;
            }
          }
        }
      } catch {
        written = false;
      }
      if (!written) {
        this.failedAppends++;
        this.#pending.unshift(...batch);
        return;
      }
    }
  }
}
