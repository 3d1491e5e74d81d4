import type { LabelClass, ProjectKind } from './types.js';
import type { Task } from './project/types.js';
import type { Store } from './store/store.js';

/**
 * A small record of the task a browser tab holds, so a reload (or a return to the page) can show it
 * at once — before the project has opened (snapshot read, checked, journal replayed).
 *
 * It is only a hint: it says what the tab held when it last showed a task, not what it holds now (the
 * lease may have expired, another tab may have submitted the items). A page shows it with every
 * command off, and swaps to the real task once the project is open; it never makes work submittable.
 *
 * It lives in sessionStorage, beside the tab's client id (tabs.ts): per tab, kept across reloads,
 * read synchronously (well under a millisecond) before any IndexedDB database is even opened. A hint
 * is returned only while the tab still has the client id it was written for and its lease has not
 * run out by the clock.
 */
export interface TaskHint {
  readonly v: 1;
  readonly projectId: string;
  /** The client (tab) that held the task. */
  readonly clientId: string;
  readonly name: string;
  readonly kind: ProjectKind;
  readonly labels: readonly LabelClass[];
  readonly task: Task;
  /** The size the task was asked with (its grid). */
  readonly taskSize: number;
  /** The image URLs the page showed, by item path (only URLs that outlive the page: no `blob:`). */
  readonly urls: Readonly<Record<string, string>>;
  /** The header's counts when it was written. */
  readonly done: number;
  readonly left: number;
  readonly savedAt: number;
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function tabStorage(): StorageLike | undefined {
  try {
    const s = (globalThis as { sessionStorage?: StorageLike }).sessionStorage;
    return s && typeof s.getItem === 'function' ? s : undefined;
  } catch {
    return undefined; // sandboxed frames throw on access
  }
}

/** The scope tab client ids (and so hints) of a store use: the same as `defaultClientId`'s. */
export function taskHintScope(store: Pick<Store, 'tabScope' | 'description'>): string {
  return store.tabScope ?? store.description;
}

const hintKey = (scope: string, projectId: string) => `labelkit:task-hint:${scope}:${projectId}`;
const clientKey = (scope: string, projectId: string) => `labelkit:client:${scope}:${projectId}`;

/** The task this tab last showed of a project, if it may still hold it; undefined otherwise. */
export function readTaskHint(projectId: string, scope = '', now = Date.now()): TaskHint | undefined {
  const storage = tabStorage();
  if (!storage) return undefined;
  try {
    const raw = storage.getItem(hintKey(scope, projectId));
    if (!raw) return undefined;
    const hint = JSON.parse(raw) as TaskHint;
    const valid =
      hint?.v === 1 &&
      hint.projectId === projectId &&
      typeof hint.clientId === 'string' &&
      storage.getItem(clientKey(scope, projectId)) === hint.clientId &&
      Array.isArray(hint.task?.items) &&
      Array.isArray(hint.labels) &&
      typeof hint.task.expiresAt === 'number' &&
      hint.task.expiresAt > now;
    return valid ? hint : undefined;
  } catch {
    return undefined; // unreadable: no hint
  }
}

/** Records the task this tab shows (best effort: a full or missing storage only loses the hint). */
export function writeTaskHint(hint: TaskHint, scope = ''): void {
  try {
    tabStorage()?.setItem(hintKey(scope, hint.projectId), JSON.stringify(hint));
  } catch {
    // quota or privacy mode: the next load waits for the project, as without a hint
  }
}

/** Forgets the hint (no task held: the queue is empty, or the task was given back). */
export function clearTaskHint(projectId: string, scope = ''): void {
  try {
    tabStorage()?.removeItem(hintKey(scope, projectId));
  } catch {
    // as above
  }
}
