import { LabelkitError, throwIfAborted } from './errors.js';
import { decodeSegment } from './journal/codec.js';
import type { JournalCursor, SegmentRead } from './journal/journal.js';
import { clientsPrefix, segmentKey, sortSegments } from './shared/journal-follower.js';
import { utf8, type Store } from './store/store.js';
import { randomId } from './util/prng.js';

/**
 * Browser tabs of one origin that open the same project.
 *
 * A lease (a task handed out) belongs to a *client*: a tab or a process. Two tabs of one user are
 * two clients, so neither may resume the other's task. A reload of a tab is the same client, so it
 * finds its task again. `tabClientId` gives each tab a client id that survives reloads
 * (sessionStorage) and is never used by two live tabs at once (a Web Lock held for the page's
 * life; a duplicated tab, which inherits sessionStorage, finds the lock taken and picks a new id).
 *
 * Outside a browser (Node, workers without these APIs) it returns undefined: the caller picks a
 * random id per process.
 */
interface LockManagerLike {
  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal; mode?: 'exclusive' | 'shared' }, cb: (lock: unknown) => unknown): Promise<unknown>;
  query?(): Promise<{ held?: { name?: string }[]; pending?: { name?: string }[] }>;
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function webLocks(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks && typeof nav.locks.request === 'function' ? nav.locks : undefined;
}

function sessionStore(): StorageLike | undefined {
  try {
    const s = (globalThis as { sessionStorage?: StorageLike }).sessionStorage;
    return s && typeof s.getItem === 'function' ? s : undefined;
  } catch {
    return undefined; // sandboxed frames throw on access
  }
}

/** Ids this page holds a lock for (one per project and scope). */
const held = new Map<string, Promise<string | undefined>>();

/**
 * A client id for this tab and project, stable across reloads of the tab, unique among live tabs.
 * `scope` separates stores (e.g. two IndexedDB databases). Undefined where the browser lacks
 * sessionStorage or Web Locks.
 */
export function tabClientId(projectId: string, scope = ''): Promise<string | undefined> {
  const key = `labelkit:client:${scope}:${projectId}`;
  let p = held.get(key);
  if (!p) {
    p = claimTabId(key, scope, projectId);
    held.set(key, p);
  }
  return p;
}

async function claimTabId(key: string, scope: string, projectId: string): Promise<string | undefined> {
  const locks = webLocks();
  const storage = sessionStore();
  if (!locks || !storage) return undefined;
  const remembered = storage.getItem(key);
  // The page that held this id before a reload may still be unloading: wait for it briefly.
  const candidates = remembered && /^[A-Za-z0-9_-]{1,64}$/.test(remembered) ? [remembered] : [];
  candidates.push(randomId('c'));
  for (const [n, id] of candidates.entries()) {
    // The same lock TabSync reads to tell which tabs are alive.
    if (await holdForever(locks, clientLockName(scope, projectId, id), n === 0 && candidates.length > 1 ? 1500 : 0)) {
      storage.setItem(key, id);
      return id;
    }
  }
  return undefined;
}

/** Takes an exclusive lock and keeps it until the page goes away. Resolves whether it was taken. */
function holdForever(locks: LockManagerLike, name: string, waitMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const signal = waitMs > 0 && typeof AbortSignal.timeout === 'function' ? AbortSignal.timeout(waitMs) : undefined;
    locks
      .request(name, waitMs > 0 ? { signal } : { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(false);
          return undefined;
        }
        resolve(true);
        return new Promise(() => undefined); // held for the page's life
      })
      .catch(() => resolve(false));
  });
}

/** A BroadcastChannel where the environment has one. */
function tabChannel(name: string): BroadcastChannel | undefined {
  const BC = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  try {
    return BC ? new BC(name) : undefined;
  } catch {
    return undefined;
  }
}

function clientLockName(scope: string, projectId: string, client: string): string {
  return `labelkit:client:${scope}:${projectId}:${client}`;
}

/**
 * Keeps a project in one tab up to date with what other tabs of the origin wrote to the same store
 * (IndexedDB). Every command runs under one Web Lock per project (`lockName`), so when it starts,
 * everything other tabs wrote is already durable.
 *
 * The lock is *sticky*: a tab keeps it after a command and runs its next commands without asking
 * again (a Web Lock request is a round trip through the browser process: 4–25 ms per command on a
 * loaded machine, more than a whole frame). A tab that wants the lock asks for it and says so on a
 * BroadcastChannel; the holder lets go after the command it is running, or after `idleReleaseMs`
 * (15 s) without commands. A tab that (re)acquires the lock first catches up — while it held the lock
 * throughout, nobody else can have written.
 *
 * `catchUp` reads exactly the segments this tab has not seen:
 * - tabs alive now are those holding their client lock (`navigator.locks.query`): each is asked for
 *   its next segment (one small get, usually a miss);
 * - a tab that went away since the last command is asked once more (its last writes), then dropped;
 * - a tab this one never saw alive is found in the project's small client registry and read once.
 * So the cost per command follows the tabs open now, not every tab ever opened.
 */
export class TabSync {
  readonly lockName: string;
  /**
   * Release a sticky lock after this long without a command (ms): longer than a labeler's pause
   * between submits, so a lone tab keeps it; a tab that wants it asks and gets it at once anyway.
   */
  idleReleaseMs = 15_000;
  /** Called when another tab says it wrote (debounce it: it is a hint to refresh a view). */
  onRemoteChange: (() => void) | undefined;
  readonly #channel: BroadcastChannel | undefined;
  /** Set while this tab holds the lock: releases it. */
  #release: (() => void) | undefined;
  #acquiring: Promise<void> | undefined;
  #running = false;
  #wanted = false;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #cursor: JournalCursor;
  readonly #known = new Set<string>();
  #live = new Set<string>();
  #registered = false;

  constructor(
    readonly store: Store,
    readonly projectId: string,
    readonly clientId: string,
    readonly scope: string,
    cursor: JournalCursor,
  ) {
    this.lockName = `labelkit:project:${scope}:${projectId}`;
    this.#cursor = { ...cursor };
    for (const c of Object.keys(cursor)) this.#known.add(c);
    this.#channel = tabChannel(this.lockName);
    if (this.#channel) {
      this.#channel.onmessage = (e: MessageEvent<{ type?: string }>) => {
        if (e.data?.type === 'want') {
          this.#wanted = true;
          if (!this.#running) this.#letGo();
        } else if (e.data?.type === 'changed') this.onRemoteChange?.();
      };
    }
  }

  /**
   * Runs `fn` holding the project's lock; `fn` is told whether the lock was just (re)acquired, i.e.
   * whether other tabs may have written since this tab's last command. Commands must not overlap
   * (the project runs them one at a time).
   */
  async run<T>(fn: (reacquired: boolean) => Promise<T>): Promise<T> {
    if (this.#closed) return fn(false);
    clearTimeout(this.#idleTimer);
    let reacquired = false;
    if (!this.#release) {
      await this.#acquire();
      reacquired = true;
    }
    this.#running = true;
    try {
      return await fn(reacquired);
    } finally {
      this.#running = false;
      if (this.#wanted) this.#letGo();
      else if (this.#release) {
        this.#idleTimer = setTimeout(() => this.#letGo(), this.idleReleaseMs);
        (this.#idleTimer as unknown as { unref?: () => void }).unref?.();
        this.#checkWaiters();
      }
    }
  }

  /**
   * Off the critical path: whether another tab is queued for the lock (its 'want' message may have
   * arrived before this tab held the lock, and been cleared). If so, let go once idle.
   */
  #checkWaiters(): void {
    const locks = webLocks();
    void locks
      ?.query?.()
      .then((snap) => {
        const waiting = snap.pending?.some((l) => l.name === this.lockName);
        if (!waiting || !this.#release) return;
        this.#wanted = true;
        if (!this.#running) this.#letGo();
      })
      .catch(() => undefined);
  }

  /** Tells the other tabs that this one wrote (they refresh their views when idle). */
  announce(): void {
    this.#channel?.postMessage({ type: 'changed' });
  }

  /** Lets go of the lock and stops listening. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    this.#letGo();
    this.#channel?.close();
  }

  #acquire(): Promise<void> {
    const locks = webLocks();
    if (!locks) return Promise.resolve();
    this.#acquiring ??= new Promise<void>((resolve, reject) => {
      locks
        .request(this.lockName, {}, () => {
          this.#acquiring = undefined;
          this.#wanted = false;
          resolve();
          return new Promise<void>((release) => (this.#release = release));
        })
        .catch((err: unknown) => {
          this.#acquiring = undefined;
          reject(err);
        });
      // Whoever holds it now: let go after your current command.
      this.#channel?.postMessage({ type: 'want' });
    });
    return this.#acquiring;
  }

  #letGo(): void {
    clearTimeout(this.#idleTimer);
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  /** Marks an own segment as read. */
  advance(client: string, seq: number): void {
    this.#known.add(client);
    if (seq > (this.#cursor[client] ?? 0)) this.#cursor[client] = seq;
  }

  /** Segments other tabs wrote since the last call, in the journal's deterministic order. */
  async catchUp(signal?: AbortSignal): Promise<SegmentRead[]> {
    const locks = webLocks();
    if (!this.#registered) {
      // Announce this client (others find it in the registry) and hold its liveness lock.
      const key = clientsPrefix(this.projectId) + this.clientId;
      if (!(await this.store.get(key, { signal }))) {
        await this.store.put(key, utf8.encode(JSON.stringify({ v: 1, client: this.clientId })), { ifNoneMatch: '*', signal }).catch((err: unknown) => {
          if (!LabelkitError.is(err, 'E_CONFLICT')) throw err;
        });
      }
      if (locks) void holdForever(locks, clientLockName(this.scope, this.projectId, this.clientId), 0);
      this.#known.add(this.clientId);
      this.#registered = true;
    }
    const probe = new Set<string>();
    const prefix = clientsPrefix(this.projectId);
    for await (const e of this.store.list(prefix, { signal })) {
      const c = e.key.slice(prefix.length);
      if (!this.#known.has(c)) {
        this.#known.add(c);
        probe.add(c);
      }
    }
    const live = new Set<string>();
    const snapshot = await locks?.query?.().catch(() => undefined);
    const livePrefix = clientLockName(this.scope, this.projectId, '');
    if (snapshot) {
      for (const l of snapshot.held ?? []) if (l.name?.startsWith(livePrefix)) live.add(l.name.slice(livePrefix.length));
    } else {
      for (const c of this.#known) live.add(c); // no liveness information: ask everyone
    }
    for (const c of live) probe.add(c);
    for (const c of this.#live) if (!live.has(c)) probe.add(c); // gone since: its last writes
    this.#live = live;
    probe.delete(this.clientId);
    const found: SegmentRead[] = [];
    await Promise.all(
      [...probe].map(async (client) => {
        for (let seq = (this.#cursor[client] ?? 0) + 1; ; seq++) {
          throwIfAborted(signal);
          const key = segmentKey(this.projectId, client, seq);
          const obj = await this.store.get(key, { signal });
          if (!obj) break;
          found.push({ key, client, seq, events: decodeSegment(obj.bytes).events });
          this.#cursor[client] = seq;
        }
      }),
    );
    return sortSegments(found);
  }
}

/**
 * The client id a project writes as: the caller's, else in a browser tab one that survives reloads
 * of that tab and no other live tab uses (so a reload resumes its task and a second tab does not),
 * else a random one per process.
 */
export async function defaultClientId(store: Store, projectId: string, options: { clientId?: string }): Promise<string> {
  return options.clientId ?? (await tabClientId(projectId, store.tabScope ?? store.description)) ?? randomId('c');
}
