import { getJson, putJson, type Store } from './store/store.js';

/**
 * Work in progress per task and labeler: not journal events, scratch that survives a reload
 * (`projects/<id>/drafts/<user>/<task>.json`). A finished task deletes its draft only if one was
 * saved or loaded here (a DELETE costs a request on Azure).
 */
export class Drafts {
  readonly #known = new Set<string>();

  constructor(
    readonly store: Store,
    readonly projectId: string,
    readonly userId: string,
    readonly now: () => number,
  ) {}

  async save(taskId: string, draft: unknown): Promise<void> {
    this.#known.add(taskId); // before the write: a submit racing this save must still clear it
    await putJson(this.store, this.#key(taskId), { taskId, savedAt: this.now(), draft });
  }

  async load<T = unknown>(taskId: string): Promise<T | undefined> {
    const got = await getJson<{ draft: T }>(this.store, this.#key(taskId));
    if (got) this.#known.add(taskId);
    return got?.value.draft;
  }

  async clear(taskId: string): Promise<void> {
    this.#known.delete(taskId);
    await this.store.delete(this.#key(taskId)).catch(() => undefined);
  }

  /** Clears the task's draft if it has one. */
  async clearIfAny(taskId: string): Promise<void> {
    if (this.#known.has(taskId)) await this.clear(taskId);
  }

  #key(taskId: string): string {
    return `projects/${this.projectId}/drafts/${encodeURIComponent(this.userId)}/${taskId}.json`;
  }
}
