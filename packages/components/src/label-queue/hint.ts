// First task first: <label-queue> shows the task the tab held (a `TaskHint`, written each time a
// task is shown) before its project is open, with every command off. Once the project is open the
// queue loads as ever: the task the core says this client holds replaces the preview (the same one
// when the lease still stands, another when it was lost or its items submitted elsewhere). Nothing
// in the preview can be tagged, skipped or submitted.
// A host page may have drawn that preview already, before the element's code loaded (first-look.ts,
// `paintFirstLook`): light DOM in slot `first-look`. The element then adopts it — its preview is that
// slot, so nothing is drawn twice and nothing flashes — and removes it once the preview ends.
import { html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import {
  clearTaskHint,
  writeFirstLook,
  isClassificationKind,
  taskHintScope,
  writeTaskHint,
  type DataSource,
  type Project,
  type Stats,
  type Task,
  type TaskHint,
  type TaskSize,
} from '@labelkit/core';
import { emit } from '../events.js';
import { firstLookKey } from '../first-look.js';
import { renderActions, renderGrid, renderHeader, renderPalette, type QueueView } from './views.js';

/** What the hint sees of `<label-queue>`: its public properties, and its status and counts. */
export interface HintHost extends ReactiveControllerHost, HTMLElement {
  hint: TaskHint | undefined;
  readonly project: Project | undefined;
  readonly source: DataSource | undefined;
  readonly currentTask: Task | undefined;
  readonly gridSize: TaskSize;
}

export type { TaskHint };

const noop = () => undefined;

export class TaskHintView implements ReactiveController {
  /** The hint whose preview was announced (`label-task-preview` fires once per hint). */
  #announced: TaskHint | undefined;
  /** The task last written as the tab's hint, and the status last seen. */
  #recorded: Task | undefined;
  #status = '';

  constructor(
    private readonly host: HintHost,
    private readonly inner: () => { status: string; stats: Stats | undefined },
  ) {
    host.addController(this);
  }

  /** The hint to preview now: before the project is open, or while it loads its first task. */
  get preview(): TaskHint | undefined {
    const { hint, project, currentTask: task } = this.host;
    const { status } = this.inner();
    if (!hint || task || !isClassificationKind(hint.kind)) return undefined;
    if (project && (project.id !== hint.projectId || (status !== 'idle' && status !== 'loading'))) return undefined;
    return hint;
  }

  hostUpdated(): void {
    const { hint, project, currentTask: task } = this.host;
    const { status } = this.inner();
    // Every task shown (a new one, a renewed lease, the rest of a skipped task) is the tab's hint for
    // its next page load; no task left clears it.
    if (project && task && task !== this.#recorded && status === 'ready') this.#record(project, task);
    if (project && status === 'empty' && this.#status !== 'empty') {
      this.#recorded = undefined;
      clearTaskHint(project.id, taskHintScope(project.store));
    }
    this.#status = status;
    if (hint && (task || status === 'empty' || status === 'error')) this.host.hint = undefined;
    const shown = this.preview;
    if (!shown) {
      this.#painted()?.remove(); // the early paint (if any) is no longer shown: the real task, or no task
      return;
    }
    if (shown === this.#announced) return;
    this.#announced = shown;
    // The early paint fired the event when it drew this task.
    if (!this.adopts(shown)) emit(this.host, 'label-task-preview', { task: shown.task });
  }

  /** The host page's early paint of a task (`paintFirstLook`), if the element holds one. */
  #painted(): HTMLElement | null {
    return this.host.querySelector<HTMLElement>(':scope > [data-first-look]');
  }

  /** Whether the element holds an early paint of this hint's task: its preview is then that paint. */
  adopts(hint: TaskHint): boolean {
    return this.#painted()?.dataset.task === firstLookKey(hint.task);
  }

  #record(p: Project, task: Task): void {
    this.#recorded = task;
    if (!isClassificationKind(p.kind)) return;
    const urls: Record<string, string> = {};
    for (const it of task.items) {
      const url = this.#url(it.path);
      if (url && !url.startsWith('blob:') && !url.startsWith('data:')) urls[it.path] = url;
    }
    const s = this.inner().stats;
    const hint: TaskHint = {
      v: 1,
      projectId: p.id,
      clientId: p.clientId,
      name: p.name,
      kind: p.kind,
      labels: p.labels,
      task,
      taskSize: task.items.length,
      urls,
      ...(p.instructions ? { instructions: true as const } : {}),
      done: s ? s.counts.labeled + s.counts['needs-review'] : 0,
      left: s ? s.counts.todo + s.counts.assigned : 0,
      savedAt: Date.now(),
    };
    const scope = taskHintScope(p.store);
    writeTaskHint(hint, scope);
    // A new tab's first look: this task's items (once their lease runs out) or the ones after them.
    const next = p.peekNext(this.host.gridSize);
    for (const it of next) {
      const url = this.#url(it.path);
      if (url && !url.startsWith('blob:') && !url.startsWith('data:')) urls[it.path] = url;
    }
    writeFirstLook({ held: hint, next }, scope);
  }

  /** An item's URL from the source (the queue's own may be a `blob:` URL, gone after a reload). */
  #url(path: string): string {
    return this.host.source?.url?.(path) ?? '';
  }

  /** The preview: the same header, palette, grid and actions as the real task, all commands off. */
  render(hint: TaskHint) {
    // The host drew this task before the element upgraded: show that paint as it is (inert light DOM).
    if (this.adopts(hint)) return html`<div class="preview" data-preview aria-busy="true" inert><slot name="first-look"></slot></div>`;
    const view: QueueView = {
      task: hint.task,
      labels: hint.labels,
      classification: true,
      work: new Map(),
      selected: new Set(),
      focusIndex: -1,
      columns: hint.taskSize <= 1 ? 1 : hint.taskSize <= 4 ? 2 : 3,
      taskSize: hint.taskSize,
      activeLabel: undefined,
      selectionLabels: [],
      targets: [],
      url: (path) => hint.urls[path] ?? this.#url(path),
      decoded: noop,
      applyLabel: noop,
      tileClick: noop,
      toggleSelect: noop,
      tileLoaded: noop,
      imageFailed: noop,
      gridSize: this.host.gridSize,
      busy: true,
      canSubmit: false,
      needsReview: false,
      canRequeue: false,
      setGrid: noop,
      setReview: noop,
      skip: noop,
      submit: noop,
      load: noop,
      requeueSkipped: noop,
    };
    const stats = { counts: { labeled: hint.done, 'needs-review': 0, todo: hint.left, assigned: 0 } } as unknown as Stats;
    return html`<div class="preview" data-preview aria-busy="true" inert>
      ${renderHeader(view, hint.name, stats, 'none')} ${renderPalette(view)} ${renderGrid(view, hint.task)} ${renderActions(view)}
    </div>`;
  }
}
