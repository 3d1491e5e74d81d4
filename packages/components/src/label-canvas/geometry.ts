// Pure geometry of the canvas: the view transform, bounding boxes, hit tests and a uniform-grid
// spatial index. No DOM, no Konva: everything here is in image pixels unless it says "screen".
// Area, bounds, clipping and the "has area" rule come from the core (`@labelkit/core`, geometry.ts),
// so what the canvas lets a user make is what `Project.submit` and the exports accept.
import { MIN_REGION_AREA, clipPolygon, distinctPoints, polygonArea, polygonBounds, type Annotation } from '@labelkit/core';
import type { IdentifiedAnnotation } from '../events.js';

/** The view: `screen = image · scale + (x, y)`. */
export interface View {
  readonly scale: number;
  readonly x: number;
  readonly y: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The view that shows the whole image centred in a `vw × vh` viewport (the "fitted" view). */
export function fitView(iw: number, ih: number, vw: number, vh: number): View {
  const scale = Math.min(vw / iw, vh / ih);
  return { scale, x: (vw - iw * scale) / 2, y: (vh - ih * scale) / 2 };
}

/** The view of `scale` whose viewport centre shows image point (cx, cy). */
export function viewAt(scale: number, cx: number, cy: number, vw: number, vh: number): View {
  return { scale, x: vw / 2 - cx * scale, y: vh / 2 - cy * scale };
}

/** Zoom by `factor` keeping the image point under screen point (sx, sy) fixed. */
export function zoomAt(v: View, factor: number, sx: number, sy: number, min: number, max: number): View {
  const scale = Math.min(max, Math.max(min, v.scale * factor));
  const k = scale / v.scale;
  return { scale, x: sx - (sx - v.x) * k, y: sy - (sy - v.y) * k };
}

export const toImage = (v: View, sx: number, sy: number): [number, number] => [(sx - v.x) / v.scale, (sy - v.y) / v.scale];
export const toScreen = (v: View, ix: number, iy: number): [number, number] => [ix * v.scale + v.x, iy * v.scale + v.y];

/** The image rectangle visible in a `vw × vh` viewport. */
export function visibleRect(v: View, vw: number, vh: number): Rect {
  return { x: -v.x / v.scale, y: -v.y / v.scale, w: vw / v.scale, h: vh / v.scale };
}

/** Bounding box of a box or polygon; null for a whole-image class tag. */
export function bounds(a: Annotation): Rect | null {
  if (a.kind === 'box') return { x: a.x, y: a.y, w: a.w, h: a.h };
  if (a.kind === 'polygon') {
    const { x0, y0, x1, y1 } = polygonBounds(a.points);
    return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
  return null;
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.x <= b.x + b.w && b.x <= a.x + a.w && a.y <= b.y + b.h && b.y <= a.y + a.h;
}

export function union(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x),
    y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

export function pointInPolygon(px: number, py: number, p: readonly number[]): boolean {
  let inside = false;
  for (let i = 0, j = p.length - 2; i < p.length; j = i, i += 2) {
    const xi = p[i]!,
      yi = p[i + 1]!,
      xj = p[j]!,
      yj = p[j + 1]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Squared distance from (px, py) to the segment (ax, ay)–(bx, by), and the parameter t of the nearest point. */
export function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): [number, number] {
  const dx = bx - ax,
    dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  const qx = ax + t * dx - px,
    qy = ay + t * dy - py;
  return [qx * qx + qy * qy, t];
}

/** True when (px, py) is inside the shape or within `tol` image pixels of its outline. */
export function hitShape(a: Annotation, px: number, py: number, tol: number): boolean {
  if (a.kind === 'box') return px >= a.x - tol && px <= a.x + a.w + tol && py >= a.y - tol && py <= a.y + a.h + tol;
  if (a.kind === 'polygon') {
    if (pointInPolygon(px, py, a.points)) return true;
    const p = a.points,
      t2 = tol * tol;
    for (let i = 0, j = p.length - 2; i < p.length; j = i, i += 2) {
      if (segmentDistance2(px, py, p[j]!, p[j + 1]!, p[i]!, p[i + 1]!)[0] <= t2) return true;
    }
  }
  return false;
}

/**
 * A box is degenerate when either side is below `min` (in the units of `w` and `h`): the canvas's
 * click-or-drag rule, 4 screen pixels. It implies the core's `MIN_REGION_AREA` up to a zoom of
 * 4 screen pixels per image pixel.
 */
export const isDegenerateBox = (w: number, h: number, min: number) => !(Math.abs(w) >= min && Math.abs(h) >= min);

/** A polygon is degenerate with fewer than 3 distinct points or less area than the core's `MIN_REGION_AREA` (image pixels²). */
export function isDegeneratePolygon(points: readonly number[], minArea = MIN_REGION_AREA): boolean {
  return distinctPoints(points) < 3 || !(polygonArea(points) >= minArea);
}

/** Moves an annotation by (dx, dy) image pixels. */
export function translate<A extends Annotation>(a: A, dx: number, dy: number): A {
  if (a.kind === 'box') return { ...a, x: a.x + dx, y: a.y + dy };
  if (a.kind === 'polygon') return { ...a, points: a.points.map((v, i) => v + (i % 2 ? dy : dx)) };
  return a;
}

/** Clamps a box or polygon so it stays inside the image, keeping its size where it can. */
export function clampToImage<A extends Annotation>(a: A, iw: number, ih: number): A {
  if (a.kind === 'box') {
    const w = Math.min(a.w, iw),
      h = Math.min(a.h, ih);
    return { ...a, w, h, x: Math.max(0, Math.min(iw - w, a.x)), y: Math.max(0, Math.min(ih - h, a.y)) };
  }
  if (a.kind === 'polygon') {
    const clipped = clipPolygon(a.points, iw, ih);
    return clipped ? { ...a, points: clipped.points } : a;
  }
  return a;
}

/**
 * A uniform grid over the image: each cell lists the indices of the shapes whose bounding box
 * touches it. Queries (culling a viewport, hit-testing a pointer) look only at the cells they cover,
 * so their cost follows what is on screen or under the pointer, not the number of shapes.
 */
export class GridIndex {
  private cells: number[][] = [];
  private cols = 1;
  private rows = 1;
  private stamp: Uint32Array = new Uint32Array(0);
  private epoch = 0;
  private boxes: (Rect | null)[] = [];

  constructor(readonly cell = 128) {}

  rebuild(shapes: readonly IdentifiedAnnotation[], iw: number, ih: number): void {
    this.cols = Math.max(1, Math.ceil(iw / this.cell));
    this.rows = Math.max(1, Math.ceil(ih / this.cell));
    this.cells = Array.from({ length: this.cols * this.rows }, () => []);
    this.boxes = [];
    this.stamp = new Uint32Array(Math.max(16, shapes.length * 2));
    this.epoch = 0;
    for (let i = 0; i < shapes.length; i++) this.insert(i, shapes[i]!);
  }

  insert(i: number, a: Annotation): void {
    const b = bounds(a);
    this.boxes[i] = b;
    if (i >= this.stamp.length) {
      const s = new Uint32Array(this.stamp.length * 2 + 16);
      s.set(this.stamp);
      this.stamp = s;
    }
    if (b) this.forCells(b, (c) => this.cells[c]!.push(i));
  }

  remove(i: number): void {
    const b = this.boxes[i];
    if (b)
      this.forCells(b, (c) => {
        const list = this.cells[c]!;
        const k = list.indexOf(i);
        if (k >= 0) list.splice(k, 1);
      });
    this.boxes[i] = null;
  }

  /** Indices of the shapes whose bounding box touches `r`, in ascending (drawing) order. */
  query(r: Rect): number[] {
    const out: number[] = [];
    if (++this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    const e = this.epoch;
    this.forCells(r, (c) => {
      for (const i of this.cells[c]!) {
        if (this.stamp[i] === e) continue;
        this.stamp[i] = e;
        const b = this.boxes[i];
        if (b && intersects(b, r)) out.push(i);
      }
    });
    return out.sort((a, b) => a - b);
  }

  private forCells(r: Rect, f: (cell: number) => void): void {
    const c0 = Math.max(0, Math.floor(r.x / this.cell)),
      c1 = Math.min(this.cols - 1, Math.floor((r.x + r.w) / this.cell));
    const r0 = Math.max(0, Math.floor(r.y / this.cell)),
      r1 = Math.min(this.rows - 1, Math.floor((r.y + r.h) / this.cell));
    for (let y = r0; y <= r1; y++) for (let x = c0; x <= c1; x++) f(y * this.cols + x);
  }
}
