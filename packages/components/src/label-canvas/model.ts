// The canvas's document: annotations and prelabels with ids, a spatial index, and undo/redo as a
// stack of reversible changes. No DOM: the element turns applied changes into events and redraws.
import type { Annotation } from '@labelkit/core';
import { LabelkitError, regionProblem } from '@labelkit/core';
import type { IdentifiedAnnotation } from '../events.js';
import { GridIndex, bounds, union, type Rect } from './geometry.js';

/** One edit: each pair is (before, after); `null` before = created, `null` after = deleted. */
export interface Change {
  readonly annotations: readonly Pair[];
  readonly prelabels: readonly Pair[];
}
export type Pair = readonly [IdentifiedAnnotation | null, IdentifiedAnnotation | null];

/** The change that undoes `c`. (A change never touches one id twice, so the order of pairs is kept: a restored list keeps its order.) */
export const inverse = (c: Change): Change => ({
  annotations: c.annotations.map(([b, a]) => [a, b] as Pair),
  prelabels: c.prelabels.map(([b, a]) => [a, b] as Pair),
});

let counter = 0;
/** A short id, unique within this page. */
export function newId(prefix = 'a'): string {
  counter = (counter + 1) % 0x7fffffff;
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 0x10000).toString(36)}${counter.toString(36)}`;
}

/**
 * Checks one annotation from a host; returns it with an id, or throws E_INVALID_ANNOTATION. Boxes and
 * polygons are held to the core's `regionProblem` (finite, 3 distinct points, `MIN_REGION_AREA`) —
 * the rule `Project.submit` applies — so the canvas never holds a shape that cannot be submitted.
 */
export function normalize(a: Annotation, prefix: string): IdentifiedAnnotation {
  const bad = (why: string) =>
    new LabelkitError('E_INVALID_ANNOTATION', `Annotation ${a?.id ?? '(no id)'} ${why.replace(/\.$/, '')}; fix or drop it before passing it to <label-canvas>.`, { id: a?.id });
  if (!a || typeof a !== 'object') throw bad('is not an object');
  if (typeof a.label !== 'string') throw bad('has no label');
  if (a.kind === 'box' || a.kind === 'polygon') {
    const problem = regionProblem(a);
    if (problem) throw bad(`is not a usable ${a.kind}: ${problem}`);
  } else if (a.kind !== 'class') {
    throw bad(`has an unknown kind "${(a as { kind?: unknown }).kind}"`);
  }
  return (a.id ? a : { ...a, id: newId(prefix) }) as IdentifiedAnnotation;
}

export class CanvasModel {
  items: IdentifiedAnnotation[] = [];
  prelabels: IdentifiedAnnotation[] = [];
  readonly index = new GridIndex(128);
  private byId = new Map<string, number>();
  private undoStack: Change[] = [];
  private redoStack: Change[] = [];
  private iw = 1;
  private ih = 1;

  /**
   * Replaces the annotations (and prelabels, when given) with a host's data. Invalid entries are left
   * out and returned as `LabelkitError`s (E_INVALID_ANNOTATION); the valid ones get ids where missing.
   */
  load(items: readonly Annotation[] | null, prelabels: readonly Annotation[] | null): LabelkitError[] {
    const failed: LabelkitError[] = [];
    const check = (list: readonly Annotation[], prefix: string) => {
      const out: IdentifiedAnnotation[] = [];
      for (const a of list) {
        try {
          out.push(normalize(a, prefix));
        } catch (e) {
          failed.push(e as LabelkitError);
        }
      }
      return out;
    };
    if (items) {
      this.items = check(items, 'a');
      this.reindex();
    }
    if (prelabels) this.prelabels = check(prelabels, 'p');
    return failed;
  }

  /** Forgets undo/redo (a new image). */
  clearHistory(): void {
    this.undoStack = [];
    this.redoStack = [];
  }

  resize(iw: number, ih: number): void {
    this.iw = iw;
    this.ih = ih;
    this.reindex();
  }

  private reindex(): void {
    this.byId = new Map(this.items.map((a, i) => [a.id, i]));
    this.index.rebuild(this.items, this.iw, this.ih);
  }

  get(id: string): IdentifiedAnnotation | undefined {
    const i = this.byId.get(id);
    return i === undefined ? this.prelabels.find((p) => p.id === id) : this.items[i];
  }
  isPrelabel(id: string): boolean {
    return !this.byId.has(id) && this.prelabels.some((p) => p.id === id);
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }
  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** Applies a change and records it for undo. Returns the image region it touched. */
  commit(c: Change): Rect | null {
    this.undoStack.push(c);
    if (this.undoStack.length > 500) this.undoStack.shift();
    this.redoStack = [];
    return this.apply(c);
  }
  undo(): Change | null {
    const c = this.undoStack.pop();
    if (!c) return null;
    this.redoStack.push(c);
    const inv = inverse(c);
    this.apply(inv);
    return inv;
  }
  redo(): Change | null {
    const c = this.redoStack.pop();
    if (!c) return null;
    this.undoStack.push(c);
    this.apply(c);
    return c;
  }

  /** Applies a change without recording it; returns the union of the touched bounding boxes. */
  apply(c: Change): Rect | null {
    let dirty: Rect | null = null;
    const deleted = new Set<string>();
    for (const [before, after] of c.annotations) {
      dirty = union(dirty, before && bounds(before));
      dirty = union(dirty, after && bounds(after));
      if (before && after) {
        const i = this.byId.get(before.id);
        if (i === undefined) continue;
        this.items[i] = after;
        this.index.remove(i);
        this.index.insert(i, after);
      } else if (after) {
        this.byId.set(after.id, this.items.length);
        this.index.insert(this.items.length, after);
        this.items.push(after);
      } else if (before && this.byId.has(before.id)) {
        deleted.add(before.id);
      }
    }
    if (deleted.size) {
      this.items = this.items.filter((a) => !deleted.has(a.id));
      this.reindex();
    }
    this.items = this.items.slice(); // a new array each change: the element's `annotations` is immutable
    if (c.prelabels.length) {
      const next = this.prelabels.slice();
      for (const [before, after] of c.prelabels) {
        dirty = union(dirty, before && bounds(before));
        dirty = union(dirty, after && bounds(after));
        const i = before ? next.findIndex((p) => p.id === before.id) : -1;
        if (i >= 0 && after) next[i] = after;
        else if (i >= 0) next.splice(i, 1);
        else if (after) next.push(after);
      }
      this.prelabels = next;
    }
    return dirty;
  }
}
