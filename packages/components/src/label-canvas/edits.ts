// The shape edits of <label-canvas> that gestures and keys commit: move, resize, reshape, tags,
// template box, prelabel decisions. Each builds the change and hands it to the one edit path,
// `commit` (`CanvasInternals.edit`): the cancelable request, undo history, commit events.
import { LabelkitError, type Annotation } from '@labelkit/core';
import { emit, type ChangeSource, type EditAction, type IdentifiedAnnotation } from '../events.js';
import { bounds, clampToImage, isDegenerateBox, isDegeneratePolygon, translate, union, type Rect } from './geometry.js';
import type { CanvasInternals } from './internals.js';
import { newId, type Change, type Pair } from './model.js';
import { MIN_SCREEN_SIZE, clampCoord } from './gestures/gesture.js';
import { insertPoint, removePoint } from './gestures/polygon.js';
import type { StageHost } from './stage.js';

type Polygon = IdentifiedAnnotation & { kind: 'polygon' };
const TEMPLATE_SIZE = 50;

export class ShapeEdits implements StageHost {
  /** Size of the last box drawn or resized (the template box's size). */
  lastBoxSize: [number, number] | null = null;
  /** True while the selection is the shape just drawn (a label key then picks the next shape's label). */
  drawnSelection = false;
  private c!: CanvasInternals;

  attach(c: CanvasInternals): void {
    this.c = c;
  }

  /**
   * The one way edits happen: a cancelable `label-edit-request`, then the change (recorded for undo),
   * then the commit events. Returns false when vetoed or readonly.
   */
  commit(action: EditAction, annotations: readonly Pair[], prelabels: readonly Pair[], source: ChangeSource): boolean {
    const { el, frozen, model, renderer } = this.c;
    if (frozen) return false;
    const after = [...annotations, ...prelabels].map(([, a]) => a).filter((a): a is IdentifiedAnnotation => !!a);
    const previous = [...annotations, ...prelabels].map(([b]) => b).filter((a): a is IdentifiedAnnotation => !!a);
    if (!emit(el, 'label-edit-request', { action, annotations: after, previous, source })) {
      renderer.selection();
      return false;
    }
    const change: Change = { annotations, prelabels };
    model.commit(change);
    this.afterChange(change, source, action);
    return true;
  }

  /** After a change (new, undone or redone): sync properties, redraw what it touched, fire events. */
  afterChange(c: Change, source: ChangeSource, action?: EditAction): void {
    const { el, model, renderer } = this.c;
    el.annotations = model.items;
    el.prelabels = model.prelabels;
    const { dirty, created, updated, deleted, prelabelsGone } = splitChange(c);
    renderer.region(dirty);
    // Selection: what was just made or changed; nothing that no longer exists.
    let sel = this.c.selection.filter((id) => model.get(id));
    if (created.length && (source === 'user' || source === 'redo') && action !== 'prelabel-accept') sel = created.filter((a) => a.kind !== 'class').map((a) => a.id);
    if (updated.length && source !== 'user') sel = updated.map(([, a]) => a!.id);
    renderer.selectionDirty = true;
    this.c.setSelection(sel, true);
    this.drawnSelection = action === 'create' && source === 'user' && created.some((a) => a.kind !== 'class');
    if (created.length) emit(el, 'label-annotation-create', { annotations: created, source });
    if (updated.length) emit(el, 'label-annotation-update', { annotations: updated.map(([, a]) => a!), previous: updated.map(([b]) => b!), source });
    if (deleted.length) emit(el, 'label-annotation-delete', { annotations: deleted, source });
    if (prelabelsGone.length) {
      const accepted = action ? action === 'prelabel-accept' : created.length > 0;
      emit(el, accepted ? 'label-prelabel-accept' : 'label-prelabel-reject', { prelabels: prelabelsGone, source });
    }
    el.requestUpdate();
  }

  /** A shape drawn: it gets the active label (a `label-error` when there is no label to give). */
  createShape(a: Annotation): void {
    const label = this.c.el.effectiveLabel;
    if (label === undefined) {
      const error = new LabelkitError('E_INVALID_ARGUMENT', 'There is no label to give the new shape: set `labels` (and `activeLabel`).');
      return void emit(this.c.el, 'label-error', { error, during: 'create' });
    }
    const shape = { ...a, label, id: newId('a') } as IdentifiedAnnotation;
    if (shape.kind === 'box') this.lastBoxSize = [shape.w, shape.h];
    this.commit('create', [[null, shape]], [], 'user');
  }

  get vertexEdit(): boolean {
    return this.c.el.vertexEdit;
  }

  get pressing(): boolean {
    return this.c.input.pressing;
  }

  /** The selection group was dragged by (dx, dy) image px. */
  groupDragged(dx: number, dy: number): void {
    const { model, loader, selection } = this.c;
    const img = loader.loaded!;
    const pairs = selection
      .map((id) => model.get(id)!)
      .filter((a) => a && !model.isPrelabel(a.id) && a.kind !== 'class')
      .map((a) => [a, clampToImage(translate(a, dx, dy), img.width, img.height)] as Pair);
    if (!this.c.edit('update', pairs, [], 'user')) this.c.renderer.selectionDirty = true;
  }

  /** The Transformer resized box `id` to `r`; a box under 4 screen px a side snaps back. */
  boxTransformed(id: string, r: Rect): void {
    const a = this.c.model.get(id);
    const img = this.c.loader.loaded;
    if (!a || a.kind !== 'box' || !img) return;
    const next = clampToImage({ ...a, ...r }, img.width, img.height);
    if (isDegenerateBox(next.w, next.h, MIN_SCREEN_SIZE / this.c.viewport.state.scale)) return this.c.renderer.selection();
    this.lastBoxSize = [next.w, next.h];
    this.c.edit('update', [[a, next]], [], 'user');
  }

  vertexInserted(a: Polygon, x: number, y: number): void {
    this.c.edit('update', [[a, { ...a, points: insertPoint(a.points, x, y) }]], [], 'user');
  }

  vertexRemoved(a: Polygon, k: number): void {
    const next = removePoint(a.points, k);
    if (next) this.c.edit('update', [[a, { ...a, points: next }]], [], 'user');
  }

  /** A vertex was dragged; a polygon that would enclose no area snaps back. */
  vertexDragged(a: Polygon, points: number[]): void {
    const p = points.map((v, k) => clampCoord(v, k, this.c.loader.loaded!));
    if (isDegeneratePolygon(p)) return this.c.renderer.selection();
    this.c.edit('update', [[a, { ...a, points: p }]], [], 'user');
  }

  /** Classification: toggles a tag (multi-class: it replaces the other tag). */
  toggleTag(labelId: string, multiLabel: boolean): void {
    const tags = this.c.model.items.filter((a) => a.kind === 'class');
    const has = tags.find((t) => t.label === labelId);
    if (has) return void this.c.edit('delete', [[has, null]], [], 'user');
    const tag: IdentifiedAnnotation = { kind: 'class', label: labelId, id: newId('a') };
    this.c.edit('create', [...(multiLabel ? [] : tags.map((t) => [t, null] as Pair)), [null, tag]], [], 'user');
  }

  /** T: a box the size of the last one (50×50 px when there is none), centred on the pointer. */
  templateBox(): void {
    const img = this.c.loader.loaded;
    if (!img) return;
    const [w, h] = this.lastBoxSize ?? [TEMPLATE_SIZE, TEMPLATE_SIZE];
    const [cx, cy] = this.c.input.pointerImage ?? [this.c.viewport.center.cx, this.c.viewport.center.cy];
    this.c.createShape(clampToImage({ kind: 'box', label: '', x: cx - w / 2, y: cy - h / 2, w, h } as const, img.width, img.height));
  }

  /**
   * A label for the selection, or the next shape: right after drawing, the new shape is selected but
   * a label picks the active label for the *next* shape; a selection the user made is relabelled.
   * Returns true when it set the selection's label (false: the caller makes it the active label).
   */
  relabelSelection(labelId: string): boolean {
    const { model, selection } = this.c;
    if (!selection.length || this.drawnSelection) return false;
    const sel = selection.map((id) => model.get(id)!).filter((a) => a && !model.isPrelabel(a.id) && a.label !== labelId);
    if (sel.length && !this.c.frozen)
      this.c.edit(
        'update',
        sel.map((a) => [a, { ...a, label: labelId }] as Pair),
        [],
        'user',
      );
    return true;
  }

  /** Deletes the selected annotations and rejects selected prelabels. */
  deleteSelected(): void {
    const { model, selection } = this.c;
    const pre = selection.filter((id) => model.isPrelabel(id));
    if (pre.length) this.rejectPrelabels(pre);
    const del = selection
      .filter((id) => !model.isPrelabel(id))
      .map((id) => model.get(id)!)
      .filter(Boolean);
    if (del.length)
      this.c.edit(
        'delete',
        del.map((a) => [a, null] as Pair),
        [],
        'user',
      );
  }

  deleteAll(): void {
    const items = this.c.model.items;
    if (items.length)
      this.c.edit(
        'delete',
        items.map((a) => [a, null] as Pair),
        [],
        'user',
      );
  }

  /** Accepts prelabels (all when `ids` is omitted); a single-tag classification drops its other tag. */
  acceptPrelabels(ids: readonly string[] | undefined, replaceTags: boolean): void {
    const m = this.c.model;
    const pre = m.prelabels.filter((p) => !ids || ids.includes(p.id));
    if (!pre.length) return;
    const made = pre.map(({ confidence: _c, ...rest }) => ({ ...rest, id: newId('a') }) as IdentifiedAnnotation);
    const replaced: Pair[] = replaceTags ? m.items.filter((a) => a.kind === 'class').map((a) => [a, null] as Pair) : [];
    this.c.edit(
      'prelabel-accept',
      [...replaced, ...made.map((a) => [null, a] as Pair)],
      pre.map((p) => [p, null] as Pair),
      'user',
    );
  }

  rejectPrelabels(ids: readonly string[] | undefined): void {
    const pre = this.c.model.prelabels.filter((p) => !ids || ids.includes(p.id));
    if (pre.length)
      this.c.edit(
        'prelabel-reject',
        [],
        pre.map((p) => [p, null] as Pair),
        'user',
      );
  }
}

/** What a change did: the region it touched (image px), and what it created, updated and deleted. */
export function splitChange(c: Change) {
  let dirty: Rect | null = null;
  for (const [b, a] of [...c.annotations, ...c.prelabels]) dirty = union(union(dirty, b && bounds(b)), a && bounds(a));
  return {
    dirty,
    created: c.annotations.filter(([b, a]) => !b && a).map(([, a]) => a!),
    updated: c.annotations.filter(([b, a]) => b && a),
    deleted: c.annotations.filter(([b, a]) => b && !a).map(([b]) => b!),
    prelabelsGone: c.prelabels.filter(([b, a]) => b && !a).map(([b]) => b!),
  };
}
