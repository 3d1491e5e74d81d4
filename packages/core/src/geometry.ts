// The geometry of regions (boxes and polygons, in image pixels), decided once for the whole SDK:
// area (shoelace), bounds, clipping to the image, and the one rule for "has area". Submit
// validation (annotations.ts), the importers and exporters (export/) and <label-canvas> all use
// these functions, so a shape that one of them accepts is accepted by the others.
import type { Annotation } from './types.js';

/**
 * **The one "has area" rule**: a region has area when it encloses at least this many square image
 * pixels — one pixel. Measured after clipping to the image when its size is known, and, in an export,
 * on the numbers as the format writes them. It is what `<label-canvas>` has always required of a
 * drawn polygon, it is far above floating-point noise (points on a line never pass it), and a smaller
 * region tells a training tool nothing.
 */
export const MIN_REGION_AREA = 1;

/** An image's size in pixels, when known. */
export interface ImageBounds {
  readonly width?: number;
  readonly height?: number;
}

/** The corners of an axis-aligned rectangle: (x0, y0) top-left, (x1, y1) bottom-right. */
export interface Corners {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Area of a flat polygon [x0, y0, x1, y1, …] (shoelace; the polygon may wind either way). */
export function polygonArea(points: ArrayLike<number>): number {
  const n = points.length >> 1;
  let s = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    s += points[2 * j]! * points[2 * i + 1]! - points[2 * i]! * points[2 * j + 1]!;
  }
  return Math.abs(s) / 2;
}

/** Min/max corners of a flat polygon. */
export function polygonBounds(points: ArrayLike<number>): Corners {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

/** The corners of a box or a polygon's bounds; undefined for a whole-image class tag. */
export function regionBounds(a: Annotation): Corners | undefined {
  if (a.kind === 'box') return { x0: Math.min(a.x, a.x + a.w), y0: Math.min(a.y, a.y + a.h), x1: Math.max(a.x, a.x + a.w), y1: Math.max(a.y, a.y + a.h) };
  if (a.kind === 'polygon') return polygonBounds(a.points);
  return undefined;
}

/** The rule, on an area in square image pixels (NaN has none). */
export function hasArea(area: number): boolean {
  return area >= MIN_REGION_AREA;
}

/** A box of `w × h` image pixels has area: both sides positive and `w · h ≥ MIN_REGION_AREA`. */
export function boxHasArea(w: number, h: number): boolean {
  return w > 0 && h > 0 && hasArea(w * h);
}

/** A flat polygon has area: its shoelace area is at least `MIN_REGION_AREA`. */
export function polygonHasArea(points: ArrayLike<number>): boolean {
  return hasArea(polygonArea(points));
}

/** How many different points a flat polygon has. */
export function distinctPoints(points: ArrayLike<number>): number {
  const seen = new Set<string>();
  for (let i = 0; i + 1 < points.length; i += 2) seen.add(`${points[i]},${points[i + 1]}`);
  return seen.size;
}

export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Rounds to `decimals` places (15 or more: unchanged); idempotent, so a value written, read back and written again is unchanged. */
export function roundTo(x: number, decimals: number): number {
  if (decimals >= 15) return x;
  const f = POW10[decimals] ?? 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0
}
const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14];

/** A box clipped to its image: corners in pixels, and whether clipping changed them. */
export interface ClippedBox extends Corners {
  readonly clipped: boolean;
}

/** A polygon clipped to its image, and whether clipping changed it. */
export interface ClippedPolygon {
  readonly points: number[];
  readonly clipped: boolean;
}

/**
 * **Clipping to the image**: a box's corners are clamped into [0, width] × [0, height] (when the size
 * is known) and rounded to `decimals` places (default: not rounded). `clipped` says whether clamping
 * changed the rounded corners. Undefined for non-finite input.
 */
export function clipBox(x: number, y: number, w: number, h: number, width: number | undefined, height: number | undefined, decimals = 15): ClippedBox | undefined {
  if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(w) || !Number.isFinite(h)) return undefined;
  let x0 = Math.min(x, x + w);
  let x1 = Math.max(x, x + w);
  let y0 = Math.min(y, y + h);
  let y1 = Math.max(y, y + h);
  const r0 = [roundTo(x0, decimals), roundTo(y0, decimals), roundTo(x1, decimals), roundTo(y1, decimals)];
  if (width !== undefined && height !== undefined) {
    x0 = clamp(x0, 0, width);
    x1 = clamp(x1, 0, width);
    y0 = clamp(y0, 0, height);
    y1 = clamp(y1, 0, height);
  }
  const box = { x0: roundTo(x0, decimals), y0: roundTo(y0, decimals), x1: roundTo(x1, decimals), y1: roundTo(y1, decimals), clipped: false };
  box.clipped = box.x0 !== r0[0] || box.y0 !== r0[1] || box.x1 !== r0[2] || box.y1 !== r0[3];
  return box;
}

/**
 * **Clipping to the image**, for polygons: every vertex is clamped into the image (when its size is
 * known) and rounded to `decimals` places (default: not rounded). A polygon entirely outside collapses
 * onto the border and has no area. Undefined for fewer than 3 points, an odd count or non-finite input.
 */
export function clipPolygon(points: readonly number[], width: number | undefined, height: number | undefined, decimals = 15): ClippedPolygon | undefined {
  if (points.length < 6 || points.length % 2 !== 0 || !allFinite(points)) return undefined;
  const out = new Array<number>(points.length);
  let clipped = false;
  for (let i = 0; i < points.length; i += 2) {
    const rx = roundTo(points[i]!, decimals);
    const ry = roundTo(points[i + 1]!, decimals);
    let x = points[i]!;
    let y = points[i + 1]!;
    if (width !== undefined && height !== undefined) {
      x = clamp(x, 0, width);
      y = clamp(y, 0, height);
    }
    out[i] = roundTo(x, decimals);
    out[i + 1] = roundTo(y, decimals);
    if (out[i] !== rx || out[i + 1] !== ry) clipped = true;
  }
  return { points: out, clipped };
}

/** The first point of a flat coordinate list outside the image (more than `eps` past an edge), if any. */
export function pointOutside(coords: ArrayLike<number>, bounds: ImageBounds, eps = 1e-6): [number, number] | undefined {
  const { width, height } = bounds;
  if (!width || !height) return undefined;
  for (let i = 0; i + 1 < coords.length; i += 2) {
    const x = coords[i]!;
    const y = coords[i + 1]!;
    if (x < -eps || y < -eps || x > width + eps || y > height + eps) return [x, y];
  }
  return undefined;
}

/**
 * What is wrong with a region's geometry, as a sentence, or undefined when it is a usable box or
 * polygon: finite numbers, a positive box, a polygon of at least 3 distinct points, area by the one
 * rule (`MIN_REGION_AREA`), and — when `bounds` gives the image size — inside the image. Class tags
 * have no geometry and pass.
 */
export function regionProblem(a: Annotation, bounds: ImageBounds = {}): string | undefined {
  let corners: number[];
  if (a.kind === 'box') {
    if (![a.x, a.y, a.w, a.h].every((v) => typeof v === 'number' && Number.isFinite(v))) return 'box coordinates must be finite numbers.';
    if (!(a.w > 0 && a.h > 0)) return `a box must have a positive width and height (got ${a.w}×${a.h}); zero-size boxes are not kept.`;
    if (!boxHasArea(a.w, a.h)) return `the box encloses ${a.w * a.h} px²; a region needs at least ${MIN_REGION_AREA} px².`;
    corners = [a.x, a.y, a.x + a.w, a.y + a.h];
  } else if (a.kind === 'polygon') {
    const p = a.points;
    if (!Array.isArray(p) || p.length % 2 !== 0) return 'polygon points must be a flat [x0, y0, x1, y1, …] list.';
    if (!allFinite(p)) return 'polygon coordinates must be finite numbers.';
    const distinct = distinctPoints(p);
    if (distinct < 3) return `a polygon needs at least 3 distinct points (got ${distinct}).`;
    if (!polygonHasArea(p)) return `the polygon encloses ${polygonArea(p)} px² (are its points on one line?); a region needs at least ${MIN_REGION_AREA} px².`;
    corners = p;
  } else {
    return undefined;
  }
  const out = pointOutside(corners, bounds);
  return out ? `point (${out[0]}, ${out[1]}) is outside the ${bounds.width}×${bounds.height} image.` : undefined;
}

/** Whether (x, y) lies inside a flat polygon (even-odd rule). */
export function pointInPolygon(x: number, y: number, points: ArrayLike<number>): boolean {
  let inside = false;
  const n = points.length >> 1;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = points[2 * i]!;
    const yi = points[2 * i + 1]!;
    const xj = points[2 * j]!;
    const yj = points[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Intersection over union of two rectangles (0 when either has no area). */
export function cornersIoU(a: Corners, b: Corners): number {
  const iw = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const ih = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (!(iw > 0 && ih > 0)) return 0;
  const inter = iw * ih;
  const union = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Intersection over union of two regions: exact for two boxes; for a polygon, measured on a
 * `samples` × `samples` grid of cell centres over the two shapes' joint bounds (the error is about
 * one cell's share of that area — 64 gives better than 2 %, enough to decide a match at 0.5).
 * Class tags have no geometry: 1 for the same label, else 0.
 */
export function regionIoU(a: Annotation, b: Annotation, samples = 64): number {
  if (a.kind === 'class' || b.kind === 'class') return a.kind === b.kind && a.label === b.label ? 1 : 0;
  const ca = regionBounds(a)!;
  const cb = regionBounds(b)!;
  if (a.kind === 'box' && b.kind === 'box') return cornersIoU(ca, cb);
  if (cornersIoU(ca, cb) === 0) return 0;
  const x0 = Math.min(ca.x0, cb.x0);
  const y0 = Math.min(ca.y0, cb.y0);
  const sx = (Math.max(ca.x1, cb.x1) - x0) / samples;
  const sy = (Math.max(ca.y1, cb.y1) - y0) / samples;
  const inside = (r: Annotation, x: number, y: number) =>
    r.kind === 'box' ? x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h : pointInPolygon(x, y, (r as { readonly points: readonly number[] }).points);
  let inter = 0;
  let union = 0;
  for (let j = 0; j < samples; j++) {
    const y = y0 + (j + 0.5) * sy;
    for (let i = 0; i < samples; i++) {
      const x = x0 + (i + 0.5) * sx;
      const ia = inside(a, x, y);
      const ib = inside(b, x, y);
      if (ia || ib) union++;
      if (ia && ib) inter++;
    }
  }
  return union ? inter / union : 0;
}
