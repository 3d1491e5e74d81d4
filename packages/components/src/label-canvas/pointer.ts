// Pointer input of <label-canvas>: which gesture a press starts (gestures/*.ts), hover, wheel zoom,
// double-click, and the polygon being drawn. Touch: two fingers pinch-zoom and pan.
import type { IdentifiedAnnotation } from '../events.js';
import { bounds, hitShape } from './geometry.js';
import type { CanvasInternals } from './internals.js';
import { clampCoord, toggle, type GestureContext, type PointerGesture } from './gestures/gesture.js';
import { PanGesture } from './gestures/pan.js';
import { BoxGesture } from './gestures/box.js';
import { MarqueeGesture } from './gestures/marquee.js';
import { WindowGesture } from './gestures/window-level.js';
import { PinchGesture } from './gestures/pinch.js';
import { PolygonDraft } from './gestures/polygon.js';

export const HIT_TOLERANCE = 4; // screen px around a shape's outline that still hits it
const LONG_PRESS_MS = 500; // a touch held this long without moving changes window/level (touch has no right button)
const LONG_PRESS_SLOP = 8; // screen px a long press may wander

export class PointerInput {
  gesture: PointerGesture | null = null;
  /** The polygon being drawn, click by click. */
  draft: PolygonDraft | null = null;
  /** The pointer in image px (for T, the draft's rubber band), or null off the image. */
  pointerImage: [number, number] | null = null;
  hoverId: string | null = null;
  spaceDown = false;
  private readonly pointers = new Map<number, [number, number]>();
  private longPress: { id: number; sx: number; sy: number; timer: ReturnType<typeof setTimeout> } | null = null;
  private c!: CanvasInternals;
  private ctx!: GestureContext;

  attach(c: CanvasInternals): void {
    this.c = c;
    const input = this;
    this.ctx = {
      viewport: c.viewport,
      get image() {
        return c.loader.loaded!;
      },
      get selection() {
        return c.selection;
      },
      get locked() {
        return c.el.locked;
      },
      get spaceDown() {
        return input.spaceDown;
      },
      pointers: this.pointers,
      hitTest: (sx, sy) => this.hitTest(sx, sy),
      queryArea: (r) =>
        c.model.index
          .query(r)
          .map((i) => c.model.items[i]!.id)
          .filter((id) => !c.hidden.has(id)),
      select: (ids) => c.setSelection(ids),
      editChanged: () => c.renderer.edit(),
      createBox: (x, y, w, h) => c.createShape({ kind: 'box', label: '', x, y, w, h }),
      setWindow: (w) => (c.el.window = w),
      updateCursor: () => this.updateCursor(),
    };
  }

  /** Esc, a tool change: drops the polygon, box or marquee in progress. True when there was one. */
  cancelDraft(): boolean {
    const g = this.gesture?.kind;
    const had = !!this.draft || g === 'box' || g === 'marquee';
    this.draft = null;
    this.c.setHint('');
    if (g && g !== 'pan' && g !== 'pinch') this.gesture = null;
    if (had) this.c.renderer.edit();
    return had;
  }

  /** Enter, a double-click, a click on the first point. Never a degenerate polygon: too few points stay drawn, with a hint. */
  finishPolygon(): void {
    const d = this.draft;
    if (!d) return;
    const problem = d.problem();
    this.c.setHint(problem);
    this.c.renderer.edit();
    if (problem) return;
    this.draft = null;
    this.c.createShape({ kind: 'polygon', label: '', points: d.points.map((v, k) => clampCoord(v, k, this.c.loader.loaded!)) });
  }

  /** Listens on the stage element. */
  listen(el: HTMLElement): void {
    el.addEventListener('pointerdown', this.onPointerDown);
    el.addEventListener('pointermove', this.onPointerMove);
    el.addEventListener('pointerup', this.onPointerUp);
    el.addEventListener('pointercancel', this.onPointerUp);
    el.addEventListener('pointerleave', () => this.setHover(null));
    el.addEventListener('wheel', this.onWheel, { passive: false });
    el.addEventListener('dblclick', this.onDblClick);
    el.addEventListener('contextmenu', (e) => e.preventDefault());
  }

  private localPoint(e: { clientX: number; clientY: number }): [number, number] {
    const r = this.c.stageEl.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  /** The topmost selectable shape or prelabel at a screen point (grid lookup: only shapes near it). */
  hitTest(sx: number, sy: number): IdentifiedAnnotation | null {
    const c = this.c;
    if (!c.loader.loaded) return null;
    const [x, y] = c.viewport.toImage(sx, sy);
    const tol = HIT_TOLERANCE / c.viewport.state.scale;
    const m = c.model;
    const hidden = c.hidden;
    for (let i = m.prelabels.length - 1; i >= 0; i--) {
      const p = m.prelabels[i]!;
      if (!hidden.has(p.id) && hitShape(p, x, y, tol)) return p;
    }
    if (c.el.locked) return null;
    const found = m.index.query({ x: x - tol, y: y - tol, w: 2 * tol, h: 2 * tol });
    // Topmost first; among nested shapes, the smallest one wins so inner boxes stay reachable.
    let best: IdentifiedAnnotation | null = null,
      bestArea = Infinity;
    for (let k = found.length - 1; k >= 0; k--) {
      const a = m.items[found[k]!]!;
      if (hidden.has(a.id) || !hitShape(a, x, y, tol)) continue;
      const b = bounds(a)!;
      if (b.w * b.h < bestArea) {
        best = a;
        bestArea = b.w * b.h;
      }
    }
    return best;
  }

  /**
   * Touch: a finger held still for LONG_PRESS_MS on a DICOM or high-bit-depth image leaves whatever it
   * started (a box, a pan) and drags window/level instead, as right-drag does with a mouse.
   */
  private armLongPress(e: PointerEvent, sx: number, sy: number): void {
    this.disarmLongPress();
    const c = this.c;
    if (e.pointerType !== 'touch' || this.pointers.size !== 1 || !c.loader.loaded?.decoded?.raw || !c.el.window) return;
    const timer = setTimeout(() => {
      const lp = this.longPress;
      this.longPress = null;
      const at = lp && this.pointers.get(lp.id);
      if (!lp || !at || !c.el.window) return;
      this.cancelDraft(); // a box or marquee in progress goes; a pan is replaced below
      this.gesture = new WindowGesture(lp.id, at[0], at[1], c.el.window);
      c.renderer.edit();
    }, LONG_PRESS_MS);
    this.longPress = { id: e.pointerId, sx, sy, timer };
  }
  private disarmLongPress(): void {
    if (this.longPress) clearTimeout(this.longPress.timer);
    this.longPress = null;
  }

  private readonly onPointerDown = (e: PointerEvent): void => {
    const c = this.c;
    const img = c.loader.loaded;
    if (!img || !c.stage) return;
    this.hold();
    c.el.focus({ preventScroll: true });
    const [sx, sy] = this.localPoint(e);
    this.pointers.set(e.pointerId, [sx, sy]);
    this.armLongPress(e, sx, sy);
    if (this.pointers.size === 2 && e.pointerType === 'touch') {
      const [a, b] = [...this.pointers.entries()] as [[number, [number, number]], [number, [number, number]]];
      this.cancelDraft();
      this.gesture = new PinchGesture([a[0], b[0]], a[1], b[1], this.ctx);
      return;
    }
    if (this.gesture) return;
    const capture = () => {
      // Throws for a pointer that is no longer down (or never was: synthetic events); nothing to capture then.
      try {
        c.stageEl.setPointerCapture(e.pointerId);
      } catch {
        /* the gesture still follows the pointer over the stage */
      }
    };
    // Pan: middle button, space+drag, or any left drag in view and classify modes (a click there still selects).
    if (e.button === 1 || (e.button === 0 && (this.spaceDown || c.el.mode === 'view' || c.el.mode === 'classify'))) {
      e.preventDefault();
      this.gesture = new PanGesture(e.pointerId, sx, sy, this.ctx);
      capture();
      this.updateCursor();
      return;
    }
    if (e.button === 2) {
      if (img.decoded?.raw && c.el.window) {
        this.gesture = new WindowGesture(e.pointerId, sx, sy, c.el.window);
        capture();
      }
      return;
    }
    if (e.button !== 0) return;
    if (c.stage.hitsEditLayer(sx, sy) && !this.draft) return c.heldSelection(); // Konva drags the selection / handles
    const [ix, iy] = c.viewport.toImage(sx, sy);
    const drawing = !c.frozen && c.el.tool === 'draw' && (c.el.mode === 'box' || c.el.mode === 'polygon');
    if (drawing && c.el.mode === 'polygon') {
      const d = this.draft;
      if (!d) this.draft = new PolygonDraft(ix, iy, img);
      else if (d.closesAt(sx, sy, (x, y) => c.viewport.toScreen(x, y))) return this.finishPolygon();
      else d.add(ix, iy, img);
      c.setHint(''); // and the live region says "Drawing a polygon"
      c.renderer.edit();
      return;
    }
    if (drawing && c.el.mode === 'box') {
      this.gesture = new BoxGesture(e.pointerId, sx, sy, this.ctx);
      capture();
      return;
    }
    // edit tool (or view/readonly): select; drag on a shape moves it, drag on empty image selects by area
    const hit = this.hitTest(sx, sy);
    if (hit) {
      const sel = c.selection;
      const ids = e.shiftKey || e.ctrlKey || e.metaKey ? toggle(sel, hit.id) : sel.includes(hit.id) ? sel : [hit.id];
      c.setSelection(ids);
      if (!c.frozen && !c.model.isPrelabel(hit.id) && ids.includes(hit.id)) {
        // Start moving at once: the nodes exist after the synchronous frame below.
        c.renderer.frame();
        c.stage.selGroup.startDrag();
      }
      return;
    }
    if (!e.shiftKey) c.setSelection([]);
    this.gesture = new MarqueeGesture(e.pointerId, sx, sy, this.ctx);
    capture();
  };

  private readonly onPointerMove = (e: PointerEvent): void => {
    const c = this.c;
    const [sx, sy] = this.localPoint(e);
    if (this.pointers.has(e.pointerId)) this.pointers.set(e.pointerId, [sx, sy]);
    const lp = this.longPress;
    if (lp && lp.id === e.pointerId && Math.hypot(sx - lp.sx, sy - lp.sy) > LONG_PRESS_SLOP) this.disarmLongPress();
    this.pointerImage = c.loader.loaded ? c.viewport.toImage(sx, sy) : null;
    const g = this.gesture;
    if (g) {
      if (g.owns(e.pointerId)) g.move(this.ctx, sx, sy, e);
    } else if (this.draft) c.renderer.edit();
    else if (e.buttons === 0 && !(c.el.tool === 'draw' && c.el.mode !== 'view' && c.el.mode !== 'classify' && !c.frozen)) {
      this.setHover(this.hitTest(sx, sy)?.id ?? null);
    }
  };

  /** A pointer button went down on the stage and has not been released (anywhere) yet. */
  get pressing(): boolean {
    return this.held;
  }
  private held = false;
  /** Notes a press until its release, wherever the pointer is then; the release redraws the edit layer's hit graph (skipped while pressed: stage.ts). */
  private hold(): void {
    if (this.held) return;
    this.held = true;
    const up = () => {
      removeEventListener('pointerup', up, true);
      removeEventListener('pointercancel', up, true);
      this.held = false;
      this.c.renderer.edit();
    };
    addEventListener('pointerup', up, true);
    addEventListener('pointercancel', up, true);
  }

  private readonly onPointerUp = (e: PointerEvent): void => {
    this.pointers.delete(e.pointerId);
    if (this.longPress?.id === e.pointerId) this.disarmLongPress();
    const g = this.gesture;
    if (!g || !g.owns(e.pointerId)) return;
    this.gesture = null;
    if (g.kind === 'pinch') return;
    const el = this.c.stageEl;
    if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
    if (e.type === 'pointercancel') return this.c.renderer.edit();
    const [sx, sy] = this.localPoint(e);
    g.end(this.ctx, sx, sy, e);
  };

  private readonly onDblClick = (e: MouseEvent): void => {
    const c = this.c;
    if (this.draft) {
      this.draft.dropDoubleClickPoint();
      this.finishPolygon();
      return;
    }
    // Double-click on a selected polygon's edge inserts a vertex there.
    const sel = c.selection.length === 1 ? c.model.get(c.selection[0]!) : undefined;
    if (sel?.kind === 'polygon' && !c.frozen && !c.model.isPrelabel(sel.id)) {
      const [sx, sy] = this.localPoint(e);
      const [x, y] = c.viewport.toImage(sx, sy);
      if (hitShape(sel, x, y, HIT_TOLERANCE / c.viewport.state.scale)) c.insertVertex(sel, x, y);
    }
  };

  private readonly onWheel = (e: WheelEvent): void => {
    if (!this.c.loader.loaded) return;
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.c.viewport.vh : 1;
    // ctrl+wheel is a trackpad pinch in Chromium: finer steps.
    this.c.viewport.zoomBy(Math.exp(-e.deltaY * unit * (e.ctrlKey ? 0.01 : 0.0015)), this.localPoint(e));
  };

  setHover(id: string | null): void {
    if (id === this.hoverId) return;
    this.hoverId = id;
    this.c.stageEl?.classList.toggle('hover', !!id && !this.c.frozen);
    this.c.renderer.edit();
  }

  updateCursor(): void {
    const c = this.c;
    const el = c?.stageEl;
    if (!el) return;
    const panning = this.gesture?.kind === 'pan';
    const drawing = c.el.tool === 'draw' && (c.el.mode === 'box' || c.el.mode === 'polygon');
    el.classList.toggle('panning', panning);
    el.classList.toggle('pan', !panning && (this.spaceDown || c.el.mode === 'view' || c.el.mode === 'classify'));
    el.classList.toggle('draw', !this.spaceDown && !c.frozen && drawing);
  }
}
