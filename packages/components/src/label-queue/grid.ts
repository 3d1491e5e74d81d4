// The classification grid's selection and focus in <label-queue>: which images are selected, which
// one has the focus, and how the arrows move it over the grid's columns.
import type { ReactiveControllerHost } from 'lit';
import type { Annotation, Task } from '@labelkit/core';

export class GridSelection {
  #selected: ReadonlySet<number> = new Set();
  #focus = 0;
  /** The size the task on screen was asked with; the grid keeps its columns when items leave it. */
  taskSize = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly task: () => Task | undefined,
  ) {}

  get selected(): ReadonlySet<number> {
    return this.#selected;
  }
  set selected(s: ReadonlySet<number>) {
    this.#selected = s;
    this.host.requestUpdate();
  }

  /** The position of the focused image in the task. */
  get focus(): number {
    return this.#focus;
  }
  set focus(k: number) {
    this.#focus = k;
    this.host.requestUpdate();
  }

  /** Columns of the grid: from the size the task was asked with, so skipping images never reflows it. */
  get columns(): number {
    const n = Math.max(this.taskSize, this.task()?.items.length ?? 1);
    return n <= 1 ? 1 : n <= 4 ? 2 : 3;
  }

  /** What a label applies to: the selected images, else the focused one. */
  targets(): number[] {
    const task = this.task();
    if (!task) return [];
    if (this.#selected.size) return task.items.filter((it) => this.#selected.has(it.index)).map((it) => it.index);
    const f = task.items[this.#focus];
    return f ? [f.index] : [];
  }

  /** Adds or removes an image (`only`: selects it alone, as a plain click does). */
  toggle(item: number, only = false): void {
    const next = only ? new Set<number>() : new Set(this.#selected);
    if (this.#selected.has(item) && (!only || this.#selected.size === 1)) next.delete(item);
    else next.add(item);
    this.selected = next;
  }

  /** Space: selects the focused image, or unselects it. */
  toggleFocused(): void {
    const it = this.task()?.items[this.#focus];
    if (it) this.toggle(it.index);
  }

  /** Selects every image, or none when all were. */
  selectAll(): void {
    const task = this.task();
    if (!task) return;
    const all = task.items.map((i) => i.index);
    this.selected = this.#selected.size === all.length ? new Set() : new Set(all);
  }

  move(key: string): void {
    const n = this.task()?.items.length ?? 0;
    if (!n) return;
    const c = this.columns;
    const d = key === 'ArrowLeft' ? -1 : key === 'ArrowRight' ? 1 : key === 'ArrowUp' ? -c : c;
    this.focus = Math.min(n - 1, Math.max(0, this.#focus + d));
  }

  /**
   * Tags the targets with a label: single-label replaces their tag; multi-label adds it, or removes it
   * when every target has it. Tagging the focused image alone moves the focus on to the next image
   * without a tag (the keyboard flow). Returns the new work, or undefined when there is no target.
   */
  tag(work: ReadonlyMap<number, readonly Annotation[]>, labelId: string, multi: boolean): Map<number, readonly Annotation[]> | undefined {
    const task = this.task();
    const items = this.targets();
    if (!task || !items.length) return undefined;
    const next = new Map(work);
    const allHave = items.every((i) => (next.get(i) ?? []).some((a) => a.label === labelId));
    for (const i of items) {
      const cur = (next.get(i) ?? []).filter((a) => a.kind === 'class');
      if (!multi) next.set(i, [{ kind: 'class', label: labelId }]);
      else if (allHave)
        next.set(
          i,
          cur.filter((a) => a.label !== labelId),
        );
      else if (!cur.some((a) => a.label === labelId)) next.set(i, [...cur, { kind: 'class', label: labelId }]);
    }
    if (!this.#selected.size && !multi) {
      const n = task.items.length;
      for (let k = 1; k <= n; k++) {
        const j = (this.#focus + k) % n;
        if (!next.get(task.items[j]!.index)?.length) {
          this.focus = j;
          break;
        }
      }
    }
    return next;
  }
}
