// Autosave of <label-queue>'s work in progress: every change schedules a draft, written after
// `autosaveDelay` ms of quiet (and at once when the element goes), so a reload restores the task.
import type { ReactiveControllerHost } from 'lit';
import type { Annotation, Project, Task } from '@labelkit/core';
import { emit } from '../events.js';
import type { Commands } from '../controllers/commands.js';

/** What a draft holds: the work on each item of the task, and the review flag. */
export interface QueueDraft {
  readonly work: readonly (readonly [number, readonly Annotation[]])[];
  readonly needsReview: boolean;
  /** Region projects: the prelabels of each item not yet accepted or rejected. */
  readonly pending?: readonly (readonly [number, readonly Annotation[]])[];
  /** Items whose prelabels were all accepted or rejected (drafts written before `pending`). */
  readonly decided?: readonly number[];
}

/** What the autosave sees of `<label-queue>`. */
export interface DraftContext {
  readonly host: ReactiveControllerHost & HTMLElement;
  readonly project: Project | undefined;
  readonly task: Task | undefined;
  readonly commands: Commands;
  readonly delay: number;
  /** The draft of the work on screen. */
  snapshot(): QueueDraft;
}

export type DraftState = 'none' | 'saving' | 'saved';

export class DraftSaver {
  #state: DraftState = 'none';
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The last write: a submit waits for it, so a late draft never lands after the submission. */
  saved: Promise<void> = Promise.resolve();

  constructor(private readonly c: DraftContext) {}

  get state(): DraftState {
    return this.#state;
  }
  set state(s: DraftState) {
    clearTimeout(this.#timer);
    this.#state = s;
    this.c.host.requestUpdate();
  }

  /** The work changed: save it after `delay` ms of quiet. */
  schedule(): void {
    if (!this.c.task) return;
    this.state = 'saving';
    this.#timer = setTimeout(() => this.flush(), this.c.delay);
  }

  /** Writes a scheduled draft now. */
  flush(): void {
    const { task, project } = this.c;
    if (this.#state !== 'saving' || !task || !project) return;
    clearTimeout(this.#timer);
    const taskId = task.id;
    this.saved = project.saveDraft(taskId, this.c.snapshot()).then(
      () => {
        if (this.c.task?.id === taskId) this.state = 'saved';
        emit(this.c.host, 'label-draft-save', { taskId });
      },
      (err) => this.c.commands.fail(err, 'draft-save'),
    );
  }

  /** Loads the draft of `task`, if one was saved. */
  load(task: Task): Promise<QueueDraft | undefined> {
    return this.c.project!.loadDraft<QueueDraft>(task.id).catch(() => undefined);
  }
}

/** A prelabel confirmed by submitting it: an annotation without its confidence. */
export function accepted({ confidence: _c, ...a }: Annotation): Annotation {
  return a as Annotation;
}

/**
 * The work a task starts with: classification prelabels as the tags to confirm, region prelabels as
 * pending shapes (unless the item has annotations), then the draft's work and pending prelabels.
 */
export function startingWork(
  task: Task,
  classification: boolean,
  draft: QueueDraft | undefined,
): { work: Map<number, readonly Annotation[]>; pending: Map<number, readonly Annotation[]> } {
  const work = new Map<number, readonly Annotation[]>();
  const pending = new Map<number, readonly Annotation[]>();
  const open = new Set(task.items.map((i) => i.index));
  for (const it of task.items) {
    if (it.prelabels?.length && classification)
      work.set(
        it.index,
        it.prelabels.map(({ kind, label }) => ({ kind, label }) as Annotation),
      );
    else if (it.annotations.length) work.set(it.index, it.annotations);
    else if (it.prelabels?.length) pending.set(it.index, it.prelabels);
  }
  if (!draft) return { work, pending };
  for (const [i, anns] of draft.work) if (open.has(i)) work.set(i, anns);
  if (draft.pending) {
    pending.clear();
    for (const [i, pre] of draft.pending) if (open.has(i) && pre.length) pending.set(i, pre);
  } else {
    // A draft written before `pending`: prelabels decided, or work begun, are gone.
    for (const i of draft.decided ?? []) pending.delete(i);
    for (const [i, anns] of draft.work) if (anns.length) pending.delete(i);
  }
  return { work, pending };
}
