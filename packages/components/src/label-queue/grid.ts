// The classification grid's selection and focus in <label-queue>: which images are selected, which
// one has the focus, and how the arrows move it over the grid's columns.
import type { ReactiveControllerHost } from 'lit';
import type { Task } from '@labelkit/core';

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
}
