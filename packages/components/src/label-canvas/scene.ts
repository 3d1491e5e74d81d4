// Drawing of the image and the static (not selected, not being edited) shapes.
//
// Two paths, as the benchmark's peer figures ask:
// - settled: a crisp pass, clipped to the viewport (or to a dirty region): the shapes the grid index
//   finds there, batched into one path per colour, so 10,000 boxes cost a few fill/stroke calls;
// - moving (zoom/pan in progress): a prerendered raster of image + shapes, shown as its own canvas
//   element and moved by a CSS transform, so a frame is a compositor-only transform whatever the
//   number of shapes. The raster is updated region by region when shapes change, and the crisp pass
//   runs again once the view settles.
import type { Annotation } from '@labelkit/core';
import type { IdentifiedAnnotation } from '../events.js';
import { bounds, intersects, visibleRect, type Rect, type View } from './geometry.js';
import type { CanvasModel } from './model.js';
import type { CanvasTheme } from './theme.js';

export type Source = CanvasImageSource & { width: number; height: number };

export interface SceneInput {
  readonly model: CanvasModel;
  readonly image: Source | null;
  readonly iw: number;
  readonly ih: number;
  /** Ids drawn elsewhere (the edit layer) and so left out here. */
  readonly hidden: ReadonlySet<string>;
  readonly theme: CanvasTheme;
  readonly colorOf: (label: string) => string;
  readonly nameOf: (label: string) => string;
}

/** The longest side of the motion raster, in pixels (memory: 4 bytes a pixel). */
const RASTER_MAX_SIDE = 4096;
/** How many times the fitted scale the motion raster is drawn at (sharp enough up to that zoom). */
const RASTER_ZOOM = 2;
/** Polygon points in one path before it is painted and a new one begun (see drawShapes). */
const POLYGON_BATCH = 2048;
/** Below this many visible shapes, the crisp pass also writes label names. */
const TEXT_LIMIT = 150;

/**
 * Draws shapes of `ids` in one batched pass: a fill and a stroke per colour. `lw` is the stroke
 * width in the context's user units (image pixels under the current transform).
 */
function drawShapes(ctx: CanvasRenderingContext2D, shapes: readonly Annotation[], s: SceneInput, lw: number, dashed: boolean): void {
  const groups = new Map<string, Annotation[]>();
  for (const a of shapes) {
    if (a.kind === 'class') continue;
    const c = s.colorOf(a.label);
    let g = groups.get(c);
    if (!g) groups.set(c, (g = []));
    g.push(a);
  }
  ctx.lineWidth = lw;
  ctx.lineJoin = 'miter';
  if (dashed) ctx.setLineDash([lw * 3, lw * 2]);
  for (const [color, list] of groups) {
    ctx.fillStyle = color;
    ctx.strokeStyle = color;
    const paint = () => {
      ctx.globalAlpha = s.theme.fillOpacity;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.stroke();
    };
    ctx.beginPath();
    let points = 0;
    for (const a of list) {
      if (a.kind === 'box') {
        // The same holds for many rectangles (100,000 in one path: minutes to rasterize).
        if (points >= POLYGON_BATCH) {
          paint();
          ctx.beginPath();
          points = 0;
        }
        ctx.rect(a.x, a.y, a.w, a.h);
        points += 4;
      } else if (a.kind === 'polygon') {
        // Chromium builds one path of many polygon contours in time that grows faster than its
        // points (10,000 × 32 vertices: seconds); a path of at most POLYGON_BATCH points stays linear.
        if (points >= POLYGON_BATCH) {
          paint();
          ctx.beginPath();
          points = 0;
        }
        const p = a.points;
        ctx.moveTo(p[0]!, p[1]!);
        for (let i = 2; i + 1 < p.length; i += 2) ctx.lineTo(p[i]!, p[i + 1]!);
        ctx.closePath();
        points += p.length / 2;
      }
    }
    paint();
  }
  if (dashed) ctx.setLineDash([]);
}

function drawNames(ctx: CanvasRenderingContext2D, shapes: readonly IdentifiedAnnotation[], s: SceneInput, scale: number, withConfidence: boolean): void {
  const px = 12 / scale;
  ctx.font = `${px}px ${s.theme.font}`;
  ctx.textBaseline = 'bottom';
  for (const a of shapes) {
    if (a.kind === 'class') continue;
    const x = a.kind === 'box' ? a.x : a.points[0]!;
    const y = a.kind === 'box' ? a.y : a.points[1]!;
    let text = s.nameOf(a.label);
    if (withConfidence && a.confidence !== undefined) text += ` ${Math.round(a.confidence * 100)}%`;
    const w = ctx.measureText(text).width + 6 / scale;
    ctx.fillStyle = s.colorOf(a.label);
    ctx.fillRect(x, y - px - 4 / scale, w, px + 4 / scale);
    ctx.fillStyle = s.theme.textColor;
    ctx.fillText(text, x + 3 / scale, y - 2 / scale);
  }
}

/**
 * Draws image and static shapes within image rect `r` (already clipped by the caller), with the
 * context's transform mapping image pixels to its device pixels at `scale` device px per image px.
 */
function drawRegion(ctx: CanvasRenderingContext2D, s: SceneInput, r: Rect, scale: number, names: boolean): void {
  if (s.image) {
    // Only the visible part of the source: cheaper than letting the clip discard the rest.
    const x0 = Math.max(0, Math.floor(r.x)),
      y0 = Math.max(0, Math.floor(r.y));
    const x1 = Math.min(s.iw, Math.ceil(r.x + r.w)),
      y1 = Math.min(s.ih, Math.ceil(r.y + r.h));
    if (x1 > x0 && y1 > y0) {
      const kx = s.image.width / s.iw,
        ky = s.image.height / s.ih;
      ctx.imageSmoothingEnabled = scale < 4;
      ctx.drawImage(s.image, x0 * kx, y0 * ky, (x1 - x0) * kx, (y1 - y0) * ky, x0, y0, x1 - x0, y1 - y0);
    }
  }
  const pad = (s.theme.strokeWidth + 2) / scale;
  const q = { x: r.x - pad, y: r.y - pad, w: r.w + 2 * pad, h: r.h + 2 * pad };
  const found = s.model.index.query(q);
  const shapes: IdentifiedAnnotation[] = [];
  for (const i of found) {
    const a = s.model.items[i]!;
    if (!s.hidden.has(a.id)) shapes.push(a);
  }
  const lw = s.theme.strokeWidth / scale;
  drawShapes(ctx, shapes, s, lw, false);
  const pre = s.model.prelabels.filter((p) => !s.hidden.has(p.id) && p.kind !== 'class' && intersectsShape(p, q));
  if (pre.length) drawShapes(ctx, pre, s, lw, true);
  if (names && shapes.length + pre.length <= TEXT_LIMIT) {
    drawNames(ctx, shapes, s, scale, false);
    drawNames(ctx, pre, s, scale, true);
  }
}

function intersectsShape(a: Annotation, r: Rect): boolean {
  const b = bounds(a);
  return b !== null && intersects(b, r);
}

/** The scene: the crisp pass, the motion raster and its dirty regions. */
export class Scene {
  private raster_: HTMLCanvasElement | null = null;
  private rasterScale_ = 1;
  private rasterDirty: Rect[] | 'all' = 'all';

  /** Marks the raster (all, or a region in image pixels) as needing a redraw. */
  invalidate(r: Rect | 'all'): void {
    if (r === 'all' || this.rasterDirty === 'all') this.rasterDirty = 'all';
    else this.rasterDirty.push(r);
  }

  /** Brings the raster up to date (full build or dirty regions). Returns ms spent. */
  updateRaster(s: SceneInput, fitScale: number): number {
    const t0 = performance.now();
    const r = Math.min(RASTER_MAX_SIDE / Math.max(s.iw, s.ih), Math.max(fitScale * RASTER_ZOOM, 1e-6), 1);
    const w = Math.max(1, Math.round(s.iw * r)),
      h = Math.max(1, Math.round(s.ih * r));
    if (!this.raster_ || this.raster_.width !== w || this.raster_.height !== h || this.rasterScale_ !== r) {
      if (!this.raster_) {
        this.raster_ = document.createElement('canvas');
        this.raster_.className = 'raster';
      }
      this.raster_.width = w;
      this.raster_.height = h;
      this.rasterScale_ = r;
      this.rasterDirty = 'all';
    }
    const ctx = this.raster_.getContext('2d')!;
    const regions = this.rasterDirty === 'all' ? [{ x: 0, y: 0, w: s.iw, h: s.ih }] : this.rasterDirty;
    // The raster is seen at up to RASTER_ZOOM× the fitted scale while moving; a stroke of the
    // theme's width at the geometric middle of that range looks right at both ends.
    const strokeScale = r / Math.sqrt(RASTER_ZOOM);
    for (const reg of regions) {
      const pad = (s.theme.strokeWidth * 2 + 2) / strokeScale;
      const q = { x: reg.x - pad, y: reg.y - pad, w: reg.w + 2 * pad, h: reg.h + 2 * pad };
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      const dx = Math.floor(q.x * r),
        dy = Math.floor(q.y * r);
      const dw = Math.ceil((q.x + q.w) * r) - dx,
        dh = Math.ceil((q.y + q.h) * r) - dy;
      ctx.beginPath();
      ctx.rect(dx, dy, dw, dh);
      ctx.clip();
      ctx.clearRect(dx, dy, dw, dh);
      ctx.setTransform(r, 0, 0, r, 0, 0);
      drawRegion(ctx, { ...s, theme: { ...s.theme, strokeWidth: (s.theme.strokeWidth * r) / strokeScale } }, q, r, false);
      ctx.restore();
    }
    this.rasterDirty = [];
    return performance.now() - t0;
  }

  /** The motion raster (image + static shapes at `rasterScale` px per image px), once built. */
  get raster(): HTMLCanvasElement | null {
    return this.raster_;
  }
  get rasterScale(): number {
    return this.rasterScale_;
  }
  /** True when the raster shows every change (no dirty region left). */
  get rasterCurrent(): boolean {
    return this.raster_ !== null && this.rasterDirty !== 'all' && this.rasterDirty.length === 0;
  }

  /** The crisp pass into `ctx` (device pixels = CSS px · `pr`), limited to `region` (image px) when given. */
  draw(ctx: CanvasRenderingContext2D, s: SceneInput, v: View, vw: number, vh: number, pr: number, region: Rect | null): void {
    ctx.save();
    ctx.setTransform(pr, 0, 0, pr, 0, 0);
    const vis = visibleRect(v, vw, vh);
    let r = vis;
    if (region) {
      const pad = (s.theme.strokeWidth * 2 + 16) / v.scale;
      const x0 = Math.max(vis.x, region.x - pad),
        y0 = Math.max(vis.y, region.y - pad - 20 / v.scale);
      const x1 = Math.min(vis.x + vis.w, region.x + region.w + pad),
        y1 = Math.min(vis.y + vis.h, region.y + region.h + pad);
      if (x1 <= x0 || y1 <= y0) {
        ctx.restore();
        return;
      }
      r = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    }
    // Clip in device pixels, aligned to whole pixels so no seam is left at the region's edge.
    const sx0 = Math.floor(r.x * v.scale + v.x),
      sy0 = Math.floor(r.y * v.scale + v.y);
    const sx1 = Math.ceil((r.x + r.w) * v.scale + v.x),
      sy1 = Math.ceil((r.y + r.h) * v.scale + v.y);
    ctx.beginPath();
    ctx.rect(sx0, sy0, sx1 - sx0, sy1 - sy0);
    ctx.clip();
    ctx.clearRect(sx0, sy0, sx1 - sx0, sy1 - sy0);
    ctx.setTransform(pr * v.scale, 0, 0, pr * v.scale, pr * v.x, pr * v.y);
    const rr = { x: (sx0 - v.x) / v.scale, y: (sy0 - v.y) / v.scale, w: (sx1 - sx0) / v.scale, h: (sy1 - sy0) / v.scale };
    drawRegion(ctx, s, rr, v.scale, true);
    ctx.restore();
  }
}
