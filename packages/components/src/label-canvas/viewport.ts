// The viewport of <label-canvas>: the view (scale and offset), zoom, fit, the "moving → settled"
// cycle, and the motion raster. While the view moves, a prerendered raster of image + shapes is shown
// under the stage and moved by a CSS transform (the compositor scales it; no pixels are drawn); 140 ms
// after the last change the crisp pass runs again and the raster is hidden in the same frame.
import { fitView, toImage, toScreen, viewAt, zoomAt, type View } from './geometry.js';
import type { Scene, SceneInput } from './scene.js';

export const SETTLE_MS = 140; // no view change for this long → crisp redraw

/** What the viewport asks of the element it serves. */
export interface ViewportHost {
  /** A frame is needed (the element batches them). */
  requestFrame(): void;
  /** The view changed (moving): everything view-dependent is dirty. */
  viewMoved(): void;
  /** The view settled: a crisp redraw, and `label-view-change`. */
  viewSettled(): void;
}

export class Viewport {
  /** Viewport size in CSS px. */
  vw = 0;
  vh = 0;
  /** `screen = image · scale + (x, y)`. */
  state: View = { scale: 1, x: 0, y: 0 };
  /** The user zoomed or panned: a resize keeps the view's centre instead of fitting again. */
  userMoved = false;
  /** Between the first change of a view move and its settling. */
  moving = false;
  /** The raster is shown (the crisp scene canvas is hidden). */
  rasterShown = false;
  private settleTimer = 0;
  private imageSize: { width: number; height: number } | null = null;
  /** Screen px at the left and right edges that panels (the tool rail, the region list) cover. */
  private insets = { left: 0, right: 0 };

  constructor(
    private readonly host: ViewportHost,
    private readonly scene: Scene,
  ) {}

  /** The image whose size `fit` and `fitScale` use (null when there is none). */
  setImage(size: { width: number; height: number } | null): void {
    this.imageSize = size;
  }

  /** The current view: screen px per image px, and the image point at the viewport's centre. */
  get center(): { scale: number; cx: number; cy: number } {
    const v = this.state;
    return { scale: v.scale, cx: (this.vw / 2 - v.x) / v.scale, cy: (this.vh / 2 - v.y) / v.scale };
  }

  /** The scale at which the whole image fits the viewport (beside the panels). */
  get fitScale(): number {
    return this.fitted()?.scale ?? 1;
  }

  /** The fitted view, or null with no image: the image whole and centred in the part panels leave free. */
  fitted(): View | null {
    const i = this.imageSize;
    if (!i) return null;
    const { left, right } = this.usableInsets();
    const v = fitView(i.width, i.height, Math.max(1, this.vw - left - right) || 1, this.vh || 1);
    return { scale: v.scale, x: v.x + left, y: v.y };
  }

  /** Panels are left out of the fit only while they leave the image most of the viewport (not on a phone). */
  private usableInsets(): { left: number; right: number } {
    const { left, right } = this.insets;
    return this.vw - left - right >= Math.max(240, this.vw * 0.45) ? this.insets : { left: 0, right: 0 };
  }

  /** Panels now cover `left` and `right` screen px; an unmoved view fits again. True when that changed the view. */
  setInsets(left: number, right: number): boolean {
    if (left === this.insets.left && right === this.insets.right) return false;
    this.insets = { left, right };
    const f = this.fitted();
    if (!f || this.userMoved) return false;
    this.state = f;
    return true;
  }

  setView(view: { scale?: number; cx: number; cy: number }): void {
    this.userMoved = true;
    this.apply(viewAt(view.scale ?? this.state.scale, view.cx, view.cy, this.vw, this.vh));
  }

  fit(): void {
    this.userMoved = false;
    const f = this.fitted();
    if (f) this.apply(f);
  }

  /** Zooms by `factor` around a viewport point (default: the centre), between ¼ and 64× the fitted scale. */
  zoomBy(factor: number, at: readonly [number, number] = [this.vw / 2, this.vh / 2]): void {
    this.userMoved = true;
    const fs = this.fitScale;
    this.apply(zoomAt(this.state, factor, at[0], at[1], fs / 4, Math.max(32, fs * 64)));
  }

  /** Moves the view by (dx, dy) screen px. */
  panBy(dx: number, dy: number): void {
    this.userMoved = true;
    const v = this.state;
    this.apply({ scale: v.scale, x: v.x + dx, y: v.y + dy });
  }

  /** Sets the view (moving); it settles SETTLE_MS after the last call. */
  apply(v: View): void {
    if (!Number.isFinite(v.scale) || v.scale <= 0) return;
    this.state = v;
    this.moving = true;
    this.host.viewMoved();
    clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => this.settle(), SETTLE_MS);
    this.host.requestFrame();
  }

  private settle(): void {
    this.moving = false;
    this.host.viewSettled();
  }

  /** The viewport has a new size: keep the fit (or the centre, once the user moved). Returns true when it changed. */
  resize(w: number, h: number): boolean {
    if (w === this.vw && h === this.vh) return false;
    const c = this.center;
    this.vw = w;
    this.vh = h;
    const f = this.fitted();
    this.state = f && !this.userMoved ? f : viewAt(this.state.scale, c.cx, c.cy, w, h);
    return true;
  }

  /** A new image (or one of another size): fit it unless the user moved and the size is the same. */
  reset(sizeChanged: boolean, newImage: boolean): void {
    if (newImage) this.userMoved = false;
    const f = this.fitted();
    if (f && (!this.userMoved || sizeChanged)) this.state = f;
  }

  toImage(sx: number, sy: number): [number, number] {
    return toImage(this.state, sx, sy);
  }
  toScreen(ix: number, iy: number): [number, number] {
    return toScreen(this.state, ix, iy);
  }

  /** Shows the motion raster in `host` at the current view, hiding the crisp scene canvas. */
  showRaster(host: HTMLElement, sceneCanvas: HTMLCanvasElement, input: () => SceneInput): HTMLCanvasElement {
    if (!this.scene.rasterCurrent) this.scene.updateRaster(input(), this.fitScale);
    const c = this.scene.raster!;
    if (c.parentNode !== host) host.append(c);
    const v = this.state;
    c.style.transform = `translate(${v.x}px, ${v.y}px) scale(${v.scale / this.scene.rasterScale})`;
    if (!this.rasterShown) {
      c.style.visibility = 'visible';
      this.rasterShown = true;
      // Hidden, the scene canvas costs the compositor nothing (a transparent canvas is still blended).
      sceneCanvas.style.visibility = 'hidden';
    }
    return c;
  }

  /** Settling: the caller has drawn the crisp scene; show it and hide the raster in the same frame. */
  hideRaster(sceneCanvas: HTMLCanvasElement): void {
    this.rasterShown = false;
    sceneCanvas.style.visibility = '';
    if (this.scene.raster) this.scene.raster.style.visibility = 'hidden';
  }

  /** Follows `el`'s size; `resized` is called when it changed (in CSS px). */
  observe(el: HTMLElement, resized: (w: number, h: number) => void): void {
    this.observer?.disconnect();
    this.observer = new ResizeObserver(() => {
      const r = el.getBoundingClientRect();
      const w = Math.max(1, Math.round(r.width)),
        h = Math.max(1, Math.round(r.height));
      if (this.resize(w, h)) resized(w, h);
    });
    this.observer.observe(el);
  }
  private observer?: ResizeObserver;

  dispose(): void {
    clearTimeout(this.settleTimer);
    this.observer?.disconnect();
  }
}
