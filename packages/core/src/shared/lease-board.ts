import { LabelkitError, throwIfAborted } from '../errors.js';
import { utf8, type Store } from '../store/store.js';

/**
 * Task leases on a shared store, coordinated with conditional writes only (no server of our own).
 *
 * One small lease document per leased unit (an item index, usually) at
 * `projects/<id>/leases/<unit>`. A claim creates it with `If-None-Match: *`, or takes over an
 * expired or released one with `If-Match: <etag>`; every later change by the holder (renew, done,
 * release) is `If-Match` its own etag. So two clients can never both believe they hold a unit: the
 * store lets exactly one conditional write win. Leases expire back into the queue: once
 * `expiresAt + skewMs` has passed, anyone may take the unit over; the holder itself stops trusting
 * its lease at `expiresAt - skewMs`, so clocks may differ by up to `skewMs` without overlap.
 *
 * A unit marked `done` stays done (its labels are in the journal) until `reopen` (review rejects,
 * requeues) puts it back.
 */
export interface LeaseRecord {
  readonly v: 1;
  readonly unit: string;
  readonly holder: string;
  /** Unique per grant: a re-sent claim is recognised as ours by its bytes. */
  readonly token: string;
  readonly task?: string;
  readonly state: 'held' | 'released' | 'done';
  readonly expiresAt: number;
  readonly at: number;
}

export interface HeldUnit {
  readonly unit: string;
  etag: string;
  record: LeaseRecord;
}

export interface Lease {
  readonly task: string;
  readonly holder: string;
  readonly units: HeldUnit[];
  /** The earliest expiry among the units. */
  expiresAt: number;
}

export interface BusyUnit {
  readonly unit: string;
  readonly state: 'held' | 'done';
  readonly holder: string;
  readonly expiresAt: number;
}

/**
 * A unit won from a lease that was still `held` when it ran out: its holder may have written work
 * (a submission, a skip) before it crashed or lost its connection, without marking the unit done.
 * The taker must read that holder's journal before handing the unit out.
 */
export interface TakenOver {
  readonly unit: string;
  readonly previousHolder: string;
}

export type ClaimResult =
  | { readonly granted: true; readonly lease: Lease; readonly busy: readonly BusyUnit[]; readonly takenOver: readonly TakenOver[] }
  | { readonly granted: false; readonly busy: readonly BusyUnit[] };

export interface LeaseBoardOptions {
  /** Lease length in ms (default 15 minutes). */
  readonly leaseMs?: number;
  /** Tolerated clock difference between clients in ms (default 5,000, at most a quarter of the lease). */
  readonly skewMs?: number;
  /** Clock (tests). */
  readonly now?: () => number;
  /** Told about each grant and end, for audits and tests. */
  readonly onEvent?: (e: LeaseEvent) => void;
}

export type LeaseEvent =
  | {
      readonly type: 'granted';
      readonly unit: string;
      readonly holder: string;
      readonly token: string;
      readonly at: number;
      readonly trustedUntil: number;
      readonly takeover: boolean;
    }
  | { readonly type: 'renewed'; readonly unit: string; readonly holder: string; readonly token: string; readonly at: number; readonly trustedUntil: number }
  | { readonly type: 'ending'; readonly unit: string; readonly holder: string; readonly token: string; readonly at: number; readonly state: 'done' | 'released' }
  | { readonly type: 'lost'; readonly unit: string; readonly holder: string; readonly token: string; readonly at: number };

export function leasePrefix(projectId: string): string {
  return `projects/${projectId}/leases/`;
}

function token(): string {
  const a = new Uint8Array(9);
  globalThis.crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class LeaseBoard {
  readonly leaseMs: number;
  readonly skewMs: number;
  readonly #now: () => number;
  readonly #onEvent?: (e: LeaseEvent) => void;

  constructor(
    readonly store: Store,
    readonly projectId: string,
    readonly clientId: string,
    options: LeaseBoardOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 15 * 60_000;
    this.skewMs = options.skewMs ?? Math.min(5_000, Math.floor(this.leaseMs / 4));
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent;
    if (this.leaseMs <= 2 * this.skewMs) {
      throw new LabelkitError('E_INVALID_ARGUMENT', `The lease (${this.leaseMs} ms) must be longer than twice the clock skew allowance (${this.skewMs} ms).`);
    }
  }

  key(unit: string): string {
    return leasePrefix(this.projectId) + unit;
  }

  /** Whether the holder may still act on the lease (with `marginMs` to spare). */
  isLive(lease: Lease, marginMs = 0): boolean {
    return this.#now() + marginMs < lease.expiresAt - this.skewMs;
  }

  /**
   * Claims units, all in parallel. Units held by someone's live lease, or done, are reported as
   * busy. With `partial` the lease holds whichever units were free (granted when at least one
   * was); without it, it is all or nothing and units obtained are released again at once.
   * `expiresAt` defaults to now + leaseMs.
   */
  async claim(units: readonly string[], options: { task?: string; expiresAt?: number; partial?: boolean; signal?: AbortSignal } = {}): Promise<ClaimResult> {
    throwIfAborted(options.signal);
    const task = options.task ?? units.join(',');
    const results = await Promise.all(units.map((u) => this.#claimOne(u, task, options.expiresAt, options.signal).catch((err: unknown) => ({ error: err }))));
    const got = results.filter((r): r is HeldUnit & { takeover: boolean; previous?: LeaseRecord } => 'etag' in r);
    const failed = results.find((r): r is { error: unknown } => 'error' in r);
    const busy = results.filter((r): r is { busy: BusyUnit } => 'busy' in r).map((r) => r.busy);
    if (failed || (busy.length && !options.partial) || !got.length) {
      await Promise.all(got.map((h) => this.#end(h, 'released').catch(() => undefined)));
      if (failed) throw failed.error;
      return { granted: false, busy };
    }
    const lease: Lease = {
      task,
      holder: this.clientId,
      units: got.map(({ unit, etag, record }) => ({ unit, etag, record })),
      expiresAt: Math.min(...got.map((h) => h.record.expiresAt)),
    };
    const takenOver = got.filter((h) => h.previous?.state === 'held').map((h) => ({ unit: h.unit, previousHolder: h.previous!.holder }));
    return { granted: true, lease, busy, takenOver };
  }

  /**
   * Re-adopts the units of `task` this client still holds on the board (after a reload, when the
   * etags were lost). Units no longer held for that task, or held by another client (another tab
   * of the same user), are left out: a lease belongs to a client, not to a user.
   */
  async resume(task: string, units: readonly string[], signal?: AbortSignal): Promise<Lease | undefined> {
    const held: HeldUnit[] = [];
    for (const unit of units) {
      const cur = await this.store.get(this.key(unit), { signal });
      if (!cur) continue;
      const rec = decode(cur.bytes);
      if (rec.state === 'held' && rec.task === task && rec.holder === this.clientId) held.push({ unit, etag: cur.etag, record: rec });
    }
    return held.length ? { task, holder: this.clientId, units: held, expiresAt: Math.min(...held.map((h) => h.record.expiresAt)) } : undefined;
  }

  /** Extends the lease (If-Match each unit). Throws `E_LEASE_EXPIRED` when any unit was taken over. */
  async renew(lease: Lease, signal?: AbortSignal, expiresAt = this.#now() + this.leaseMs): Promise<void> {
    await Promise.all(
      lease.units.map(async (h) => {
        const record: LeaseRecord = { ...h.record, expiresAt, at: this.#now() };
        try {
          const { etag } = await this.store.put(this.key(h.unit), encode(record), { ifMatch: h.etag, signal });
          h.etag = etag;
          h.record = record;
          this.#onEvent?.({ type: 'renewed', unit: h.unit, holder: this.clientId, token: record.token, at: this.#now(), trustedUntil: expiresAt - this.skewMs });
        } catch (err) {
          if (LabelkitError.is(err, 'E_CONFLICT')) throw this.#lost(h);
          throw err;
        }
      }),
    );
    lease.expiresAt = expiresAt;
  }

  /**
   * Runs `write` (the submission: a journal append) under the lease: renews first when less than
   * `marginMs` of trusted time is left, so the write happens while no one else can take the units,
   * then marks the units done. Throws `E_LEASE_EXPIRED` (and writes nothing) when the lease was lost.
   * Resolves with what `write` returned and the units whose done-mark found the lease taken over
   * meanwhile (the submission stands; they were labeled twice). `units` limits it to some units.
   */
  async submit<T>(
    lease: Lease,
    write: () => Promise<T>,
    options: { marginMs?: number; units?: readonly string[]; signal?: AbortSignal } = {},
  ): Promise<{ value: T; lostAfterWrite: string[] }> {
    await this.ensureLive(lease, options);
    const value = await write();
    const lostAfterWrite = await this.finish(lease, 'done', options);
    return { value, lostAfterWrite };
  }

  /** Renews the lease when less than `marginMs` of trusted time is left. `E_LEASE_EXPIRED` when lost. */
  async ensureLive(lease: Lease, options: { marginMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const margin = options.marginMs ?? Math.min(this.leaseMs / 3, 60_000);
    if (!this.isLive(lease, margin)) await this.renew(lease, options.signal);
  }

  /**
   * Ends the lease on `units` (all by default) as done or released. Returns the units that had been
   * taken over meanwhile. Ended units leave `lease.units`.
   */
  async finish(lease: Lease, state: 'done' | 'released', options: { units?: readonly string[]; signal?: AbortSignal } = {}): Promise<string[]> {
    const chosen = options.units ? lease.units.filter((h) => options.units!.includes(h.unit)) : [...lease.units];
    const lost: string[] = [];
    await Promise.all(
      chosen.map((h) =>
        this.#end(h, state, options.signal).catch((err: unknown) => {
          if (LabelkitError.is(err, 'E_LEASE_EXPIRED')) lost.push(h.unit);
          else throw err;
        }),
      ),
    );
    const ended = new Set(chosen.map((h) => h.unit));
    lease.units.splice(0, lease.units.length, ...lease.units.filter((h) => !ended.has(h.unit)));
    return lost;
  }

  /** Gives the units back to the queue (skip, cancel, close). Units lost meanwhile are ignored. */
  async release(lease: Lease, signal?: AbortSignal): Promise<void> {
    await this.finish(lease, 'released', { signal });
  }

  /** Puts done units back into the queue (after a review rejects them, or a requeue). */
  async reopen(units: readonly string[], signal?: AbortSignal): Promise<void> {
    await Promise.all(units.map((unit) => this.#reopenOne(unit, signal)));
  }

  async #reopenOne(unit: string, signal?: AbortSignal): Promise<void> {
    {
      for (let tries = 0; tries < 10; tries++) {
        const cur = await this.store.get(this.key(unit), { signal });
        if (!cur) break;
        const rec = decode(cur.bytes);
        if (rec.state !== 'done') break;
        try {
          await this.store.put(this.key(unit), encode({ ...rec, state: 'released', holder: this.clientId, token: token(), at: this.#now() }), { ifMatch: cur.etag, signal });
          break;
        } catch (err) {
          if (!LabelkitError.is(err, 'E_CONFLICT')) throw err;
        }
      }
    }
  }

  /** The current record of a unit, if any (for dashboards and audits). */
  async inspect(unit: string, signal?: AbortSignal): Promise<(LeaseRecord & { etag: string }) | undefined> {
    const cur = await this.store.get(this.key(unit), { signal });
    return cur && { ...decode(cur.bytes), etag: cur.etag };
  }

  async #claimOne(
    unit: string,
    task: string,
    expiresAt: number | undefined,
    signal?: AbortSignal,
  ): Promise<(HeldUnit & { takeover: boolean; previous?: LeaseRecord }) | { busy: BusyUnit }> {
    const key = this.key(unit);
    for (let tries = 0; tries < 5; tries++) {
      const now = this.#now();
      const record: LeaseRecord = { v: 1, unit, holder: this.clientId, token: token(), task, state: 'held', expiresAt: expiresAt ?? now + this.leaseMs, at: now };
      const cur = tries === 0 ? undefined : await this.store.get(key, { signal });
      try {
        if (!cur) {
          // Optimistic create: the common case (a unit never leased) costs one request.
          const { etag } = await this.store.put(key, encode(record), { ifNoneMatch: '*', signal });
          return this.#granted(unit, etag, record, false);
        }
        const rec = decode(cur.bytes);
        if (rec.state === 'done') return { busy: { unit, state: 'done', holder: rec.holder, expiresAt: rec.expiresAt } };
        if (rec.state === 'held' && now <= rec.expiresAt + this.skewMs) return { busy: { unit, state: 'held', holder: rec.holder, expiresAt: rec.expiresAt } };
        const { etag } = await this.store.put(key, encode(record), { ifMatch: cur.etag, signal });
        return { ...this.#granted(unit, etag, record, true), previous: rec };
      } catch (err) {
        if (!LabelkitError.is(err, 'E_CONFLICT')) throw err;
        // Someone wrote in between: read what is there now and decide again.
      }
    }
    return { busy: { unit, state: 'held', holder: '?', expiresAt: this.#now() + this.leaseMs } };
  }

  #granted(unit: string, etag: string, record: LeaseRecord, takeover: boolean): HeldUnit & { takeover: boolean } {
    this.#onEvent?.({ type: 'granted', unit, holder: this.clientId, token: record.token, at: this.#now(), trustedUntil: record.expiresAt - this.skewMs, takeover });
    return { unit, etag, record, takeover };
  }

  async #end(h: HeldUnit, state: 'done' | 'released', signal?: AbortSignal): Promise<void> {
    const record: LeaseRecord = { ...h.record, state, at: this.#now() };
    this.#onEvent?.({ type: 'ending', unit: h.unit, holder: this.clientId, token: h.record.token, at: this.#now(), state });
    try {
      const { etag } = await this.store.put(this.key(h.unit), encode(record), { ifMatch: h.etag, signal });
      h.etag = etag;
      h.record = record;
    } catch (err) {
      if (LabelkitError.is(err, 'E_CONFLICT')) throw this.#lost(h);
      throw err;
    }
  }

  #lost(h: HeldUnit): LabelkitError {
    this.#onEvent?.({ type: 'lost', unit: h.unit, holder: this.clientId, token: h.record.token, at: this.#now() });
    return new LabelkitError('E_LEASE_EXPIRED', `Your lease on this task ran out and another labeler took it over. Your work on it was not submitted; take the next task.`, {
      unit: h.unit,
    });
  }
}

function encode(r: LeaseRecord): Uint8Array {
  return utf8.encode(JSON.stringify(r));
}

function decode(bytes: Uint8Array): LeaseRecord {
  try {
    return JSON.parse(utf8.decode(bytes)) as LeaseRecord;
  } catch {
    // An unreadable lease document blocks nobody: treat it as released (a takeover rewrites it).
    return { v: 1, unit: '?', holder: '?', token: '?', state: 'released', expiresAt: 0, at: 0 };
  }
}
