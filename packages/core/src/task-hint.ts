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
  /**
   * A first look (`writeFirstLook`): no task this tab held, but the items a new tab of the project
   * is likely to be handed first; `task.id` is empty and the preview counts only if the task the
   * project then hands out holds the same items.
   */
  readonly firstLook?: true;
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
  /** The project has instructions (the early paint draws their closed box, so the task does not move). */
  readonly instructions?: true;
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

function storage(kind: 'sessionStorage' | 'localStorage'): StorageLike | undefined {
  try {
    const s = (globalThis as { sessionStorage?: StorageLike; localStorage?: StorageLike })[kind];
    return s && typeof s.getItem === 'function' ? s : undefined;
  } catch {
    return undefined; // sandboxed frames throw on access
  }
}
const tabStorage = () => storage('sessionStorage');

/** The scope tab client ids (and so hints) of a store use: the same as `defaultClientId`'s. */
export function taskHintScope(store: Pick<Store, 'tabScope' | 'description'>): string {
  return store.tabScope ?? store.description;
}

const hintKey = (scope: string, projectId: string) => `labelkit:task-hint:${scope}:${projectId}`;
const clientKey = (scope: string, projectId: string) => `labelkit:client:${scope}:${projectId}`;

const firstLookKey = (scope: string, projectId: string) => `labelkit:first-look:${scope}:${projectId}`;

/**
 * The task this tab last showed of a project, if it may still hold it; else, for a tab that held
 * none (a first visit), the project's first look (`writeFirstLook`), if one was written; undefined
 * otherwise.
 */
export function readTaskHint(projectId: string, scope = '', now = Date.now()): TaskHint | undefined {
  return readTabHint(projectId, scope, now) ?? readFirstLook(projectId, scope, now);
}

function readTabHint(projectId: string, scope: string, now: number): TaskHint | undefined {
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

/** Forgets the hint and the project's first look (no task held: the queue is empty, or the task was given back). */
export function clearTaskHint(projectId: string, scope = ''): void {
  try {
    tabStorage()?.removeItem(hintKey(scope, projectId));
    storage('localStorage')?.removeItem(firstLookKey(scope, projectId));
  } catch {
    // as above
  }
}

/**
 * What a new tab of a project is likely to be handed first, kept in localStorage (shared by the
 * origin's tabs) each time a tab shows a task: that task's items and when its lease runs out, and the
 * items the queue would hand out after it. A new tab previews the held items once their lease has run
 * out (they go back to the front of the queue), else the next ones. Only a preview: wrong when
 * another tab or labeler took those items since; the real task then replaces it.
 */
export interface FirstLook {
  readonly held: TaskHint;
  readonly next: readonly Task['items'][number][];
}

/** Records a project's first look (best effort, as `writeTaskHint`). */
export function writeFirstLook(look: FirstLook, scope = ''): void {
  try {
    storage('localStorage')?.setItem(firstLookKey(scope, look.held.projectId), JSON.stringify(look));
  } catch {
    // as above
  }
}

function readFirstLook(projectId: string, scope: string, now: number): TaskHint | undefined {
  try {
    const raw = storage('localStorage')?.getItem(firstLookKey(scope, projectId));
    if (!raw) return undefined;
    const { held, next } = JSON.parse(raw) as FirstLook;
    if (held?.v !== 1 || held.projectId !== projectId || !Array.isArray(held.labels) || !Array.isArray(held.task?.items) || !Array.isArray(next)) return undefined;
    const items = held.task.expiresAt <= now ? held.task.items : next;
    if (!items.length) return undefined;
    return { ...held, firstLook: true, clientId: '', taskSize: items.length, task: { ...held.task, id: '', items } };
  } catch {
    return undefined;
  }
}
