import { throwIfAborted } from './errors.js';
import { upcast } from './journal/events.js';
import { crc32, prepareCrc32 } from './util/crc32.js';
import type { JournalEvent } from './journal/events.js';
import type { JournalCursor } from './journal/journal.js';
import type { ProjectState } from './state/project-state.js';
import { decodeSnapshot } from './state/snapshot.js';
import { utf8, type Store } from './store/store.js';

/**
 * Checkpoints: what lets a project reopen without replaying its journal segment by segment.
 *
 * Reading the journal costs one store read per segment (one segment per command), so a project
 * left 1,000 submits after its last snapshot reopened in ~0.3–0.6 s at 100k items, almost all of it
 * in those reads. A full snapshot fixes that but costs O(items) to write (51 MB at 500k items), too
 * much to write every few dozen submits. So there are two kinds:
 * - a **snapshot** (`<n>.snap`): the whole state, written rarely (every `snapshotEvery` events);
 * - a **tail** (`<n>.tail`, next to the snapshot it extends): every event applied since that
 *   snapshot, in the order applied, as one CRC-checked blob with the journal cursor it reaches.
 *   Cheap (O(events since the snapshot)); rewritten in idle time after a few dozen events, on
 *   `pagehide`, when the page is hidden and on `close()`.
 * Opening reads the newest good snapshot, its tail, then only the segments after the tail's cursor.
 * A damaged or missing tail costs only speed: the journal still holds every event.
 */
export const TAIL_FORMAT = 'labelkit-tail/2';

/** Snapshots from this size on have the CRC's code compiled while they are read (`prepareCrc32`). */
const WARM_CRC_FROM = 1 << 20;

/** A tail grows to itemCount / this many events (at least 256, at most `snapshotEvery`) before a snapshot replaces it. */
const TAIL_ITEMS_PER_EVENT = 200;

export interface TailHeader {
  readonly format: typeof TAIL_FORMAT;
  /** The snapshot key this tail extends. */
  readonly base: string;
  /** The journal cursor after the tail's events. */
  readonly cursor: JournalCursor;
  readonly events: number;
  /** CRC-32 of the body (one JSON array of the events: one parse, not one per record). */
  readonly crc: number;
  /**
   * Set by writers whose journal joins the client registry before its first segment: every client
   * is then in the cursor or the registry, and opening asks each for its next segments instead of
   * listing the journal. Tails without it (older writers) are read with a listing.
   */
  readonly registered?: true;
}

export function snapshotPrefix(projectId: string): string {
  return `projects/${projectId}/snapshots/`;
}

export function snapshotKey(projectId: string, eventCount: number): string {
  return `${snapshotPrefix(projectId)}${String(eventCount).padStart(12, '0')}.snap`;
}

export function tailKeyOf(snapshotKey: string): string {
  return snapshotKey.replace(/\.snap$/, '.tail');
}

export function encodeTail(base: string, cursor: JournalCursor, events: readonly JournalEvent[]): Uint8Array {
  const body = utf8.encode(JSON.stringify(events));
  const header: TailHeader = { format: TAIL_FORMAT, base, cursor, events: events.length, crc: crc32(body), registered: true };
  const head = utf8.encode(JSON.stringify(header) + '\n');
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** The tail's events, or undefined when it is damaged, incomplete or not for `base`. */
export function decodeTail(bytes: Uint8Array, base: string): { cursor: JournalCursor; events: JournalEvent[]; registered: boolean } | undefined {
  const nl = bytes.indexOf(10);
  if (nl < 0) return undefined;
  let header: TailHeader;
  try {
    header = JSON.parse(utf8.decode(bytes.subarray(0, nl))) as TailHeader;
  } catch {
    return undefined;
  }
  if (header.format !== TAIL_FORMAT || header.base !== base) return undefined;
  const body = bytes.subarray(nl + 1);
  if (crc32(body) !== header.crc) return undefined;
  let raw: Record<string, unknown>[];
  try {
    raw = JSON.parse(utf8.decode(body)) as Record<string, unknown>[];
  } catch {
    return undefined;
  }
  if (!Array.isArray(raw) || raw.length !== header.events) return undefined;
  try {
    return { cursor: header.cursor, events: raw.map(upcast), registered: header.registered === true };
  } catch {
    return undefined; // written by a newer Labelkit: read the journal instead
  }
}

export interface Checkpoint {
  state: ProjectState;
  cursor: JournalCursor;
  /** The snapshot key the state came from. */
  base: string;
  /** Events applied on top of the snapshot from its tail. */
  tail: JournalEvent[];
  /** The journal after `cursor` may be read by asking each client (`Journal.read`'s `probe`): see `TailHeader.registered`. */
  probe: boolean;
}

/**
 * The newest good snapshot under the project's prefix, with its tail applied when that is good.
 * Damaged snapshots are reported and older ones tried. `onTail` hears of a good tail as soon as it is
 * read, before the (much larger) snapshot is decoded, so the journal after it can be read meanwhile;
 * the checkpoint returned ends at that tail's cursor (the same object) only if its snapshot was good.
 */
export async function loadCheckpoint(
  store: Store,
  projectId: string,
  damage: { key: string; reason: string }[],
  signal?: AbortSignal,
  onTail?: (tail: { cursor: JournalCursor; registered: boolean }) => void,
): Promise<Checkpoint | undefined> {
  const keys: string[] = [];
  let largest = 0;
  for await (const e of store.list(snapshotPrefix(projectId), { signal })) {
    keys.push(e.key);
    if (!e.key.endsWith('.tail')) largest = Math.max(largest, e.size ?? 0);
  }
  const tails = new Set(keys.filter((k) => k.endsWith('.tail')));
  // Snapshots newest first (`.snap`; older deployments wrote the same names).
  for (const key of keys.filter((k) => !k.endsWith('.tail')).reverse()) {
    throwIfAborted(signal);
    const tk = tailKeyOf(key);
    // The tail is read with the snapshot (one round trip) and decoded first: it is small.
    const tailRead = tails.has(tk) ? store.get(tk, { signal }).catch(() => undefined) : Promise.resolve(undefined);
    const snapRead = store.get(key, { signal });
    snapRead.catch(() => undefined);
    const t = await tailRead;
    const tail = t && decodeTail(t.bytes, key);
    if (tail) onTail?.(tail);
    // While a large snapshot is still being read, get the CRC's code compiled (see prepareCrc32).
    if (largest >= WARM_CRC_FROM) prepareCrc32();
    const obj = await snapRead;
    if (!obj) continue;
    let snap: { state: ProjectState; cursor: JournalCursor };
    try {
      snap = decodeSnapshot(obj.bytes);
    } catch (err) {
      damage.push({ key, reason: (err as Error).message });
      continue;
    }
    const cp: Checkpoint = { state: snap.state, cursor: snap.cursor, base: key, tail: [], probe: false };
    if (tail) {
      for (const e of tail.events) cp.state.apply(e);
      cp.tail = tail.events;
      cp.cursor = tail.cursor;
      cp.probe = tail.registered;
    } else if (t) {
      damage.push({ key: tk, reason: 'the tail checkpoint is damaged or incomplete; the journal was read instead' });
    }
    return cp;
  }
  return undefined;
}

/** Keeps the newest `keep` snapshots (and their tails); removes older ones. Best effort. */
export async function pruneSnapshots(store: Store, projectId: string, keep = 2): Promise<void> {
  const keys: string[] = [];
  for await (const e of store.list(snapshotPrefix(projectId))) keys.push(e.key);
  const snaps = keys.filter((k) => !k.endsWith('.tail'));
  const kept = new Set(snaps.slice(-keep));
  for (const k of keys) {
    const owner = k.endsWith('.tail') ? k.replace(/\.tail$/, '.snap') : k;
    if (!kept.has(owner)) await store.delete(k).catch(() => undefined);
  }
}

/** Runs `fn` when the page is idle (requestIdleCallback), else on the next macrotask; never keeps Node alive. */
export function whenIdle(fn: () => void, timeoutMs = 1000): void {
  const ric = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number }).requestIdleCallback;
  if (ric) {
    ric(fn, { timeout: timeoutMs });
    return;
  }
  const t = setTimeout(fn, 0) as unknown as { unref?: () => void };
  t.unref?.();
}

/** A new macrotask (setImmediate in Node, a MessageChannel message elsewhere): input and rendering can run first. */
export function nextMacrotask(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => void g.setImmediate!(resolve));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(undefined);
  });
}

/**
 * In a page: runs `flush` when the page is hidden or left (`visibilitychange`, `pagehide`), the
 * last moments a checkpoint can still be written. Returns the unhook. Elsewhere: nothing.
 */
export function hookPage(flush: () => void): (() => void) | undefined {
  const win = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener; document?: { visibilityState?: string } };
  if (typeof win.addEventListener !== 'function' || !win.document) return undefined;
  const onHide = () => {
    if (win.document?.visibilityState === 'hidden') flush();
  };
  win.addEventListener('pagehide', flush);
  win.addEventListener('visibilitychange', onHide);
  return () => {
    win.removeEventListener?.('pagehide', flush);
    win.removeEventListener?.('visibilitychange', onHide);
  };
}

/** What a `Checkpointer` needs of its project. */
export interface CheckpointHost {
  readonly store: Store;
  readonly projectId: string;
  itemCount(): number;
  cursor(): JournalCursor;
  /** A shared store (Azure): no tails, full snapshots through the If-Match head. */
  readonly shared: boolean;
  /** Runs `fn` as a command, after those queued before it. */
  run(fn: () => Promise<void>): Promise<void>;
  /** Writes a full snapshot (and calls `snapshotWritten`). */
  writeSnapshot(): Promise<unknown>;
  /**
   * Inside a command: takes the state for a full snapshot now, and returns its key and the write,
   * which encodes it in slices and stores it after the command, while others run. Undefined (or
   * absent): `writeSnapshot` in the command.
   */
  captureSnapshot?(): { key: string; write(): Promise<void> } | undefined;
}

/**
 * Keeps a project's checkpoints up to date: collects the events applied since the last snapshot
 * (the tail), and writes the tail — or a full snapshot once the tail is long — in idle time after
 * `checkpointEvery` events or `checkpointAfterMs`, on `pagehide`, when the page is hidden, and on
 * `close()`. Never inside a command: a checkpoint is a command of its own, queued behind the others.
 */
export class Checkpointer {
  /** Events applied since the last full snapshot, in order: what a tail holds. */
  #tail: JournalEvent[];
  /** The snapshot key the tail extends (undefined before the first snapshot, and on shared stores). */
  #base: string | undefined;
  /** Events not in any checkpoint yet. */
  #pending: number;
  /** A snapshot was written and its (empty) tail not yet. */
  #tailDue = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** A full snapshot being encoded and written after the command that took it. */
  #snapshotting: Promise<void> | undefined;
  #queued = false;
  #closed = false;
  readonly #unhookPage: (() => void) | undefined;
  readonly snapshotEvery: number;
  readonly checkpointEvery: number;
  readonly checkpointAfterMs: number;

  constructor(
    readonly host: CheckpointHost,
    options: { snapshotEvery: number; checkpointEvery?: number; checkpointAfterMs?: number },
    start: { base?: string; tail: JournalEvent[]; pending: number },
  ) {
    this.snapshotEvery = options.snapshotEvery;
    this.checkpointEvery = Math.max(1, options.checkpointEvery ?? 64);
    this.checkpointAfterMs = options.checkpointAfterMs ?? 10_000;
    this.#base = start.base;
    this.#tail = start.tail;
    this.#pending = start.pending;
    // The page is going: no time for a snapshot in slices, and whatever is written must be now.
    this.#unhookPage = this.snapshotEvery ? hookPage(() => void this.flush(true)) : undefined;
  }

  /** Events now in the state: they join the tail, and a checkpoint follows in idle time. */
  noteApplied(events: readonly JournalEvent[]): void {
    if (!events.length) return;
    for (const e of events) this.#tail.push(e);
    this.#pending += events.length;
    this.#schedule();
  }

  /**
   * A full snapshot was written (`key`, or undefined on a shared store): the tail starts over. An
   * empty tail follows it (in the same command when the checkpointer wrote the snapshot, else in
   * idle time), so the next open still skips the journal listing (`TailHeader.registered`).
   */
  snapshotWritten(key: string | undefined): void {
    this.#base = key;
    this.#tail = [];
    this.#pending = 0;
    this.#tailDue = !!key && !this.host.shared;
    if (this.#tailDue) this.#schedule();
  }

  /**
   * Writes a checkpoint now if events are not in one (a failed one loses nothing: the journal has
   * them); settles once it is written, with any full snapshot in flight. `urgent` (the page is
   * going): a snapshot is written whole inside the command, not in slices after it.
   */
  async flush(urgent = false): Promise<void> {
    if (!this.snapshotEvery) return;
    if (this.#due()) await this.host.run(() => this.#write(urgent)).catch(() => undefined);
    const landing = this.#snapshotting;
    if (!landing) return;
    // Then the tail of the snapshot that landed (the events applied since it was taken).
    await landing;
    if (this.#due()) await this.host.run(() => this.#write(urgent)).catch(() => undefined);
  }

  /** Stops scheduling; writes a last checkpoint if events are not in one. */
  close(): Promise<void> {
    const flushed = this.flush();
    this.#closed = true;
    this.#unhookPage?.();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    return flushed;
  }

  #due(): boolean {
    return this.#pending > 0 || this.#tailDue;
  }

  async #write(urgent: boolean): Promise<void> {
    if (!this.#due()) return;
    if (this.host.shared) {
      if (this.#tail.length >= this.snapshotEvery) await this.host.writeSnapshot();
      return;
    }
    // Replaying a tail costs far more per event than decoding a snapshot per item (in a fresh page,
    // ~10 µs an event against ~0.3 µs an item): snapshot once the tail reaches itemCount / 200
    // events (at least 256, at most snapshotEvery), so a worst-case tail costs a reopen no more than
    // its snapshot's decoding does. At 100k items that is 500 events (~250 submits).
    const tailLimit = Math.min(this.snapshotEvery, Math.max(256, Math.ceil(this.host.itemCount() / TAIL_ITEMS_PER_EVENT)));
    // While a snapshot is on its way, the tail of the one before it keeps every event checkpointed.
    if (this.#base && (this.#tail.length < tailLimit || this.#snapshotting) && (await this.#writeTail())) return;
    if (this.#snapshotting) return;
    // Encoding a snapshot takes a 500k-item page 60–190 ms, and its store write as long again: only
    // taking the state holds the command queue (and a submit behind it); the rest runs after it, in
    // slices, so keys and submits go on meanwhile.
    const job = urgent ? undefined : this.host.captureSnapshot?.();
    if (!job) {
      await this.host.writeSnapshot();
      if (this.#base) await this.#writeTail();
      return;
    }
    const taken = this.#tail.length;
    this.#snapshotting = job
      .write()
      .then(
        () => this.#landed(job.key, taken),
        () => undefined, // nothing lost: the journal and the previous snapshot's tail hold every event
      )
      .finally(() => (this.#snapshotting = undefined));
  }

  /** A snapshot taken when the tail held `taken` events is stored: the tail now starts after them. */
  #landed(key: string, taken: number): void {
    // A snapshot written since (Project.snapshot(), in a command) is as new or newer: it stands.
    if (this.#base !== undefined && this.#base >= key) return;
    this.#base = key;
    this.#tail = this.#tail.slice(taken);
    this.#pending = this.#tail.length;
    this.#tailDue = true;
    this.#schedule();
  }

  /** Writes the tail of the current snapshot; false when it has grown too big for one (8 MB). */
  async #writeTail(): Promise<boolean> {
    const base = this.#base!;
    const bytes = encodeTail(base, this.host.cursor(), this.#tail);
    if (bytes.length > 8 * 2 ** 20) return false;
    const pending = this.#pending;
    await this.host.store.put(tailKeyOf(base), bytes);
    this.#pending -= pending;
    this.#tailDue = false;
    return true;
  }

  #schedule(): void {
    if (!this.snapshotEvery || this.#closed || !this.#due()) return;
    if (this.#pending >= this.checkpointEvery || this.#tailDue) {
      if (this.#queued) return;
      this.#queued = true;
      whenIdle(() => {
        this.#queued = false;
        if (!this.#closed) void this.flush();
      });
    } else if (!this.#timer) {
      const t = setTimeout(() => {
        this.#timer = undefined;
        if (!this.#closed) whenIdle(() => void this.flush());
      }, this.checkpointAfterMs);
      (t as unknown as { unref?: () => void }).unref?.();
      this.#timer = t;
    }
  }
}
