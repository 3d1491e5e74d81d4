// A box or polygon task in <label-queue>: one image on a <label-canvas>. The canvas's events are the
// only way its work reaches the queue: on every edit the canvas replaces its `annotations` and
// `prelabels` arrays (it never mutates them) and fires an event; those very arrays become the item's
// work, and the queue hands them back unchanged (so the canvas keeps its undo history). One copy.
import { html, type ReactiveControllerHost } from 'lit';
import { guard } from 'lit/directives/guard.js';
import type { Annotation, LabelClass, Project, Task } from '@labelkit/core';
import type { ErrorDetail, ImageLoadDetail, SelectionChangeDetail, ToolChangeDetail } from '../events.js';
import type { Commands } from '../controllers/commands.js';
import type { LabelCanvas, ShapeKind } from '../label-canvas/label-canvas.component.js';
import type { TaskImages } from './task-images.js';

type Work = ReadonlyMap<number, readonly Annotation[]>;
const EMPTY: readonly Annotation[] = Object.freeze([]);
const BOX_ONLY: readonly ShapeKind[] = Object.freeze(['box']);
const POLYGON_ONLY: readonly ShapeKind[] = Object.freeze(['polygon']);

/** What the region task sees of `<label-queue>`. */
export interface RegionContext {
  readonly host: ReactiveControllerHost;
  readonly project: Project | undefined;
  readonly task: Task | undefined;
  readonly commands: Commands;
  readonly images: TaskImages;
  readonly work: Work;
  /** Prelabels not yet accepted or rejected, per item. */
  readonly pending: Work;
  /** The canvas reported an edit of `item`. */
  edited(item: number, annotations: readonly Annotation[], prelabels: readonly Annotation[]): void;
}

export class RegionTask {
  #activeLabel: string | undefined;
  #selected: readonly string[] = [];

  constructor(private readonly c: RegionContext) {}

  /** The label new shapes get (undefined: the first label), as the canvas last reported it. */
  get activeLabel(): string | undefined {
    return this.#activeLabel;
  }

  /** A new task: nothing is selected on its canvas. */
  reset(): void {
    this.#selected = [];
  }

  /** The labels of the shapes selected on the canvas, from the queue's copy of the work. */
  selectionLabels(): string[] {
    const it = this.c.task?.items[0];
    if (!it || !this.#selected.length) return [];
    const shapes = [...(this.c.work.get(it.index) ?? []), ...(this.c.pending.get(it.index) ?? [])];
    const byId = new Map(shapes.map((a) => [a.id, a.label]));
    return [...new Set(this.#selected.map((id) => byId.get(id)).filter((l): l is string => !!l))];
  }

  readonly #changed = (e: Event): void => {
    const canvas = e.currentTarget as LabelCanvas;
    const it = this.c.task?.items[0];
    // Only edits of the image shown count (never a late event from the previous task's image).
    if (!it || this.c.commands.busy || canvas.image !== this.c.images.url(it.path)) return;
    this.c.edited(it.index, canvas.annotations, canvas.prelabels);
  };

  readonly #toolChanged = (e: CustomEvent<ToolChangeDetail>): void => {
    this.#activeLabel = e.detail.activeLabel;
    this.c.host.requestUpdate();
  };

  readonly #selectionChanged = (e: CustomEvent<SelectionChangeDetail>): void => {
    this.#selected = e.detail.ids;
    this.c.host.requestUpdate();
  };

  render(task: Task, labels: readonly LabelClass[]) {
    const it = task.items[0]!;
    const { work, pending, images } = this.c;
    const url = images.url(it.path);
    const boxes = this.c.project!.kind === 'image-object-detection';
    return html`<label-canvas
      part="canvas"
      .image=${url ? url : null}
      .labels=${labels}
      .annotations=${guard([task.id, it.index, work.get(it.index)], () => work.get(it.index) ?? EMPTY)}
      .prelabels=${guard([task.id, it.index, pending.get(it.index)], () => pending.get(it.index) ?? EMPTY)}
      mode=${boxes ? 'box' : 'polygon'}
      .shapes=${boxes ? BOX_ONLY : POLYGON_ONLY}
      rail="start"
      region-list
      @label-tool-change=${this.#toolChanged}
      @label-selection-change=${this.#selectionChanged}
      @label-annotation-create=${this.#changed}
      @label-annotation-update=${this.#changed}
      @label-annotation-delete=${this.#changed}
      @label-prelabel-accept=${this.#changed}
      @label-prelabel-reject=${this.#changed}
      @label-image-load=${(e: CustomEvent<ImageLoadDetail>) => images.sizeKnown(it, e.detail)}
      @label-error=${(e: CustomEvent<ErrorDetail>) => {
        if (e.detail.during === 'image-load') images.failed(it, e.detail.error);
      }}
    ></label-canvas>`;
  }
}
