// What a pointer gesture of <label-canvas> sees of the element, and the shape every gesture has: one
// file per gesture in this folder (pan, box, marquee, window/level, pinch; polygon drawing is a
// click-by-click draft, in polygon.ts), as tldraw keeps one tool per file.
import type { IdentifiedAnnotation } from '../../events.js';
import type { Rect } from '../geometry.js';
import type { LoadedImage, Window } from '../image-input.js';
import type { Viewport } from '../viewport.js';

export interface GestureContext {
  readonly viewport: Viewport;
  /** The image shown (gestures start only once there is one). */
  readonly image: LoadedImage;
  readonly selection: readonly string[];
  readonly locked: boolean;
  readonly spaceDown: boolean;
  /** Pointers down, in stage px. */
  readonly pointers: ReadonlyMap<number, readonly [number, number]>;
  /** The topmost selectable shape or prelabel at a stage point. */
  hitTest(sx: number, sy: number): IdentifiedAnnotation | null;
  /** Ids of the annotations whose bounds meet `r` (image px). */
  queryArea(r: Rect): string[];
  select(ids: readonly string[]): void;
  /** The edit layer needs drawing. */
  editChanged(): void;
  createBox(x: number, y: number, w: number, h: number): void;
  setWindow(w: Window): void;
  updateCursor(): void;
}

export interface PointerGesture {
  readonly kind: 'pan' | 'box' | 'marquee' | 'window' | 'pinch';
  /** Is this pointer one the gesture follows? */
  owns(pointerId: number): boolean;
  move(ctx: GestureContext, sx: number, sy: number, e: PointerEvent): void;
  /** The pointer went up (not cancelled). */
  end(ctx: GestureContext, sx: number, sy: number, e: PointerEvent): void;
  /** The rectangle drawn on the edit layer while it lasts (box, marquee), in image px. */
  rect?(): Rect | null;
}

export const MIN_SCREEN_SIZE = 4; // screen px of movement under which a press is a click

/** A click: select what is under it (Shift toggles it in the selection), or clear the selection. */
export function selectAt(ctx: GestureContext, sx: number, sy: number, additive: boolean): void {
  const hit = ctx.hitTest(sx, sy);
  ctx.select(hit ? (additive ? toggle(ctx.selection, hit.id) : [hit.id]) : []);
}

export const toggle = (list: readonly string[], id: string): string[] => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);
export const clampX = (x: number, img: { width: number }) => Math.max(0, Math.min(img.width, x));
export const clampY = (y: number, img: { height: number }) => Math.max(0, Math.min(img.height, y));
export const clampCoord = (v: number, k: number, img: { width: number; height: number }) => (k % 2 ? clampY(v, img) : clampX(v, img));
/** The normalized rectangle between two corners. */
export const rectOf = (x0: number, y0: number, x1: number, y1: number): Rect => ({ x: Math.min(x0, x1), y: Math.min(y0, y1), w: Math.abs(x1 - x0), h: Math.abs(y1 - y0) });
