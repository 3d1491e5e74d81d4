// Frames of <label-canvas>: what is dirty (scene region, edit layer, selection nodes), one
// requestAnimationFrame at a time, the crisp scene pass or the moving raster, and the edit layer.
import type { IdentifiedAnnotation } from '../events.js';
import { bounds, union, type Rect } from './geometry.js';
import type { CanvasInternals } from './internals.js';
import type { SceneInput } from './scene.js';
import type { ViewportHost } from './viewport.js';

export class FrameRenderer implements ViewportHost {
  /** The scene region (image px) to draw again, all of it, or nothing. */
  sceneDirty: Rect | 'all' | null = 'all';
  editDirty = true;
  selectionDirty = true;
  private editClear = false;
  private frameRequest = 0;
  private rasterIdle = 0;
  private c!: CanvasInternals;

  attach(c: CanvasInternals): void {
    this.c = c;
  }

  sceneInput(): SceneInput {
    const c = this.c;
    const l = c.loader.loaded;
    return {
      model: c.model,
      image: l?.source ?? null,
      iw: l?.width ?? 1,
      ih: l?.height ?? 1,
      hidden: c.hidden.size ? new Set([...c.hidden, ...c.selection]) : new Set(c.selection.filter((id) => c.model.get(id))),
      theme: c.theme,
      colorOf: (id) => c.colorOf(id),
      nameOf: (id) => c.el.labels.find((x) => x.id === id)?.name ?? id,
    };
  }

  drawScene(ctx: CanvasRenderingContext2D): void {
    const c = this.c;
    const region = this.sceneDirty === 'all' ? null : this.sceneDirty;
    if (!c.loader.loaded || !c.stage) {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
      ctx.restore();
      return;
    }
    const pr = c.stage.sceneLayer.getCanvas().getPixelRatio();
    c.scene.draw(ctx, this.sceneInput(), c.viewport.state, c.viewport.vw, c.viewport.vh, pr, region);
  }

  /** Everything needs drawing again (theme, labels, image, new data). */
  all(): void {
    this.c.scene.invalidate('all');
    this.sceneDirty = 'all';
    this.selectionDirty = true;
    this.request();
    this.scheduleRaster();
  }

  /** A region of the scene (image px) changed. */
  region(r: Rect | null): void {
    if (!r) return;
    this.c.scene.invalidate(r);
    if (this.sceneDirty !== 'all') this.sceneDirty = union(this.sceneDirty, r);
    this.request();
    this.scheduleRaster();
  }

  /** The selection nodes need rebuilding. */
  selection(): void {
    this.selectionDirty = true;
    this.request();
  }

  /** The edit layer needs drawing (a draft, hover or marquee changed). */
  edit(): void {
    this.editDirty = true;
    this.request();
  }

  /** Shapes moved between the scene and the edit layer (a selection change): redraw where they are. */
  selectionMoved(ids: Iterable<string>): void {
    let dirty: Rect | null = null;
    for (const id of ids) {
      const a = this.c.model.get(id);
      if (a) dirty = union(dirty, bounds(a));
    }
    if (dirty) {
      if (this.sceneDirty !== 'all') this.sceneDirty = union(this.sceneDirty, dirty);
      this.c.scene.invalidate(dirty);
      this.scheduleRaster();
    }
    this.selection();
  }

  /** Brings the motion raster up to date when the page is idle, so the next zoom or pan starts at once. */
  scheduleRaster(): void {
    cancelIdle(this.rasterIdle);
    this.rasterIdle = requestIdle(() => {
      if (this.c.loader.loaded && !this.c.viewport.moving) this.c.scene.updateRaster(this.sceneInput(), this.c.viewport.fitScale);
    });
  }

  requestFrame(): void {
    this.request();
  }
  viewMoved(): void {
    this.sceneDirty = 'all';
    this.editDirty = true;
    this.c.viewChanged(false);
  }
  viewSettled(): void {
    this.sceneDirty = 'all';
    this.edit();
    this.c.viewChanged(true);
  }

  request(): void {
    if (this.frameRequest || !this.c?.stage) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.frame();
    });
  }

  /**
   * One frame. Moving: the raster element gets a new CSS transform (the compositor scales and moves
   * it; no pixels are drawn). Settled: the crisp scene pass where dirty. Then the edit layer if dirty.
   */
  frame(): void {
    const c = this.c;
    const k = c.stage;
    if (!k) return;
    const vp = c.viewport;
    const raster = vp.moving && c.loader.loaded ? vp.showRaster(c.rasterHost, k.sceneCanvas, () => this.sceneInput()) : null;
    if (raster) this.sceneDirty = null;
    else if (vp.rasterShown) {
      // Settling: draw the crisp scene, then hide the raster, in the same frame (no flash).
      this.sceneDirty = 'all';
      k.sceneLayer.draw();
      this.sceneDirty = null;
      vp.hideRaster(k.sceneCanvas);
    }
    if (this.sceneDirty && !raster) {
      k.sceneLayer.draw();
      this.sceneDirty = null;
    }
    if (this.selectionDirty) this.syncSelectionNodes();
    if (this.editDirty || this.selectionDirty) {
      // An empty edit layer that is already clear is not drawn again: while the view moves, that
      // spares a clear and a compositor upload of a viewport-sized canvas every frame.
      const { gesture, draft, hoverId } = c.input;
      const empty = !c.selection.length && !draft && !hoverId && gesture?.kind !== 'box' && gesture?.kind !== 'marquee';
      if (!(empty && this.editClear)) {
        this.syncOverlay();
        k.editLayer.draw();
      }
      // An empty edit layer is hidden too, so the compositor does not blend a transparent canvas.
      if (empty !== this.editClear) k.editCanvas.style.visibility = empty ? 'hidden' : '';
      this.editClear = empty;
      this.editDirty = false;
      this.selectionDirty = false;
    }
  }

  private syncSelectionNodes(): void {
    const c = this.c;
    const shapes = c.selection.map((id) => c.model.get(id)).filter((a): a is IdentifiedAnnotation => !!a && a.kind !== 'class');
    c.stage?.syncSelection(shapes, {
      theme: c.theme,
      editable: !c.frozen,
      view: c.viewport.state,
      isPrelabel: (id) => c.model.isPrelabel(id),
      colorOf: (l) => c.colorOf(l),
    });
    c.updateActions();
  }

  private syncOverlay(): void {
    const c = this.c;
    const { gesture: g, draft, hoverId, pointerImage } = c.input;
    const h = hoverId ? c.model.get(hoverId) : undefined;
    c.stage?.syncOverlay({
      view: c.viewport.state,
      theme: c.theme,
      hover: h && !c.selection.includes(h.id) ? h : null,
      box: g?.kind === 'box' ? g.rect!() : null,
      polygon: draft?.points ?? null,
      pointer: pointerImage,
      marquee: g?.kind === 'marquee' ? g.rect!() : null,
      color: c.colorOf(c.el.effectiveLabel ?? ''),
    });
  }

  dispose(): void {
    cancelAnimationFrame(this.frameRequest);
    cancelIdle(this.rasterIdle);
    this.frameRequest = 0;
  }
}

const requestIdle = (f: () => void): number => (typeof requestIdleCallback === 'function' ? requestIdleCallback(f, { timeout: 500 }) : window.setTimeout(f, 50));
const cancelIdle = (h: number) => (typeof cancelIdleCallback === 'function' ? cancelIdleCallback(h) : clearTimeout(h));
