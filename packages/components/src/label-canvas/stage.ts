// The Konva stage of <label-canvas>, built once, so nothing in it is optional: a scene layer (image
// and static shapes, not listening, drawn by one custom shape — scene.ts) and an edit layer (the
// selection's nodes, Transformer handles, vertex handles, the shape being drawn, hover, marquee).
// Konva's core and only the shapes used (not the whole library): each shape module registers itself.
import Konva from 'konva/lib/Core.js';
import { Rect as KRect } from 'konva/lib/shapes/Rect.js';
import { Line as KLine } from 'konva/lib/shapes/Line.js';
import { Circle as KCircle } from 'konva/lib/shapes/Circle.js';
import { Transformer as KTransformer } from 'konva/lib/shapes/Transformer.js';
import type { IdentifiedAnnotation } from '../events.js';
import type { Rect, View } from './geometry.js';
import type { CanvasTheme } from './theme.js';
import { MIN_SCREEN_SIZE } from './gestures/gesture.js';
import { CLOSE_DISTANCE } from './gestures/polygon.js';

type Polygon = IdentifiedAnnotation & { kind: 'polygon' };

/** What the edit layer reports back: the commit points of Konva's drags. */
export interface StageHost {
  /** The selection group was dragged by (dx, dy) image px. */
  groupDragged(dx: number, dy: number): void;
  /** The Transformer resized a box to (x, y, w, h) image px. */
  boxTransformed(id: string, r: Rect): void;
  /** A polygon vertex was dragged: the polygon's new points. */
  vertexDragged(a: Polygon, points: number[]): void;
  /** Point editing (U) or Alt+click on vertex `k`. */
  vertexRemoved(a: Polygon, k: number): void;
  /** Point editing (U): a click on an edge at (x, y). */
  vertexInserted(a: Polygon, x: number, y: number): void;
  /** Is point editing (U) on? */
  readonly vertexEdit: boolean;
  /** Is a pointer button held on the stage (a drag under way)? */
  readonly pressing: boolean;
}

/** What the edit layer shows besides the selection. */
export interface EditOverlay {
  readonly view: View;
  readonly theme: CanvasTheme;
  readonly hover: IdentifiedAnnotation | null;
  /** The box being drawn, in image px. */
  readonly box: Rect | null;
  /** The polygon being drawn (its points, then the pointer). */
  readonly polygon: readonly number[] | null;
  readonly pointer: readonly [number, number] | null;
  readonly marquee: Rect | null;
  readonly color: string;
}

export class CanvasStage {
  readonly stage: Konva.Stage;
  readonly sceneLayer: Konva.Layer;
  readonly editLayer: Konva.Layer;
  readonly world: Konva.Group;
  readonly selGroup: Konva.Group;
  readonly transformer: KTransformer;
  private readonly draftNode: KLine;
  private readonly draftMarker: KCircle;
  private readonly hoverNode: KLine;
  private readonly marqueeNode: KRect;

  constructor(
    container: HTMLDivElement,
    width: number,
    height: number,
    drawScene: (ctx: CanvasRenderingContext2D) => void,
    private readonly host: StageHost,
  ) {
    this.stage = new Konva.Stage({ container, width, height });
    this.sceneLayer = new Konva.Layer({ listening: false, clearBeforeDraw: false });
    this.sceneLayer.add(new Konva.Shape({ listening: false, perfectDrawEnabled: false, sceneFunc: (ctx) => drawScene(ctx._context) }));
    this.editLayer = new Konva.Layer();
    // While a button is held (a drag of the selection, a handle, a vertex) nothing hit-tests the edit
    // layer, yet Layer.draw() would clear and redraw its viewport-sized hit canvas on every pointer
    // move: skip it then; the draw after the release (host.pressing false) brings it up to date.
    const drawHit = this.editLayer.drawHit.bind(this.editLayer);
    this.editLayer.drawHit = (can, top) => (host.pressing ? this.editLayer : drawHit(can, top));
    this.world = new Konva.Group();
    this.selGroup = new Konva.Group();
    this.hoverNode = new KLine({ visible: false, closed: true, listening: false, strokeScaleEnabled: false });
    this.draftNode = new KLine({ visible: false, listening: false, strokeScaleEnabled: false });
    this.draftMarker = new KCircle({ visible: false, listening: false, strokeScaleEnabled: false });
    this.marqueeNode = new KRect({ visible: false, listening: false, strokeScaleEnabled: false, dash: [4, 4] });
    this.world.add(this.hoverNode, this.selGroup, this.draftNode, this.draftMarker, this.marqueeNode);
    this.transformer = new KTransformer({
      rotateEnabled: false,
      flipEnabled: false,
      keepRatio: false,
      ignoreStroke: true,
      visible: false,
      boundBoxFunc: (old, next) => (next.width < MIN_SCREEN_SIZE || next.height < MIN_SCREEN_SIZE ? old : next),
    });
    this.editLayer.add(this.world, this.transformer);
    this.stage.add(this.sceneLayer, this.editLayer);
    this.selGroup.on('dragend', () => {
      const dx = this.selGroup.x(),
        dy = this.selGroup.y();
      if (dx || dy) host.groupDragged(dx, dy);
    });
    this.selGroup.on('dragmove', () => this.transformer.forceUpdate());
    this.transformer.on('transformend', () => {
      const node = this.transformer.nodes()[0] as KRect | undefined;
      if (!node) return;
      const w = node.width() * node.scaleX(),
        h = node.height() * node.scaleY();
      const r = { x: node.x() + this.selGroup.x(), y: node.y() + this.selGroup.y(), w: Math.abs(w), h: Math.abs(h) };
      node.scale({ x: 1, y: 1 });
      host.boxTransformed(node.id(), r);
    });
  }

  get sceneCanvas(): HTMLCanvasElement {
    return this.sceneLayer.getNativeCanvasElement();
  }
  get editCanvas(): HTMLCanvasElement {
    return this.editLayer.getNativeCanvasElement();
  }

  /** Does a screen point hit a node of the edit layer (the selection, its handles)? */
  hitsEditLayer(sx: number, sy: number): boolean {
    const hit = this.stage.getIntersection({ x: sx, y: sy });
    return !!hit && hit.getLayer() === this.editLayer;
  }

  /** Rebuilds the selection's nodes: shapes, the Transformer of a single box, vertex handles of a single polygon. */
  syncSelection(
    shapes: readonly IdentifiedAnnotation[],
    o: { theme: CanvasTheme; editable: boolean; view: View; isPrelabel: (id: string) => boolean; colorOf: (label: string) => string },
  ): void {
    const g = this.selGroup;
    g.destroyChildren();
    g.position({ x: 0, y: 0 });
    const th = o.theme;
    const onlyPrelabels = shapes.every((a) => o.isPrelabel(a.id));
    g.draggable(o.editable && shapes.length > 0 && !onlyPrelabels);
    const boxes: KRect[] = [];
    for (const a of shapes) {
      const color = o.colorOf(a.label);
      const pre = o.isPrelabel(a.id);
      const common = { id: a.id, stroke: th.selectionColor, strokeWidth: th.strokeWidth + 1, strokeScaleEnabled: false, opacity: 1, dash: pre ? [6, 4] : undefined };
      const fill = withAlpha(color, Math.max(0.25, th.fillOpacity));
      if (a.kind === 'box') {
        const r = new KRect({ ...common, fill, x: a.x, y: a.y, width: a.w, height: a.h, name: 'shape' });
        g.add(r);
        boxes.push(r);
      } else if (a.kind === 'polygon') {
        const line = new KLine({ ...common, fill, points: [...a.points], closed: true, name: 'shape' });
        g.add(line);
        if (shapes.length === 1 && o.editable && !pre) this.addVertexHandles(line, a, th, o.view);
      }
    }
    const single = o.editable && shapes.length === 1 && boxes.length === 1 && !onlyPrelabels;
    this.transformer.nodes(single ? boxes : []);
    this.transformer.visible(single);
    this.transformer.setAttrs({ anchorSize: th.handleSize, anchorStroke: th.selectionColor, anchorFill: th.handleColor, borderStroke: th.selectionColor, borderEnabled: false });
  }

  private addVertexHandles(line: KLine, a: Polygon, th: CanvasTheme, view: View): void {
    const pts = a.points;
    for (let i = 0; i < pts.length; i += 2) {
      const c = new KCircle({
        x: pts[i],
        y: pts[i + 1],
        radius: th.handleSize / 2 / view.scale,
        fill: th.handleColor,
        stroke: th.selectionColor,
        strokeWidth: 1.5,
        strokeScaleEnabled: false,
        draggable: true,
        name: 'vertex',
        hitStrokeWidth: 6,
      });
      c.on('dragmove', () => {
        const p = line.points().slice();
        p[i] = c.x();
        p[i + 1] = c.y();
        line.points(p);
      });
      c.on('dragend', () => this.host.vertexDragged(a, line.points().slice()));
      c.on('pointerdown', (e) => {
        if (this.host.vertexEdit || e.evt.altKey) {
          e.cancelBubble = true;
          c.stopDrag();
          this.host.vertexRemoved(a, i / 2);
        }
      });
      this.selGroup.add(c);
    }
    line.on('pointerdown', (e) => {
      if (!this.host.vertexEdit) return;
      e.cancelBubble = true;
      const pos = this.world.getRelativePointerPosition();
      if (pos) this.host.vertexInserted(a, pos.x, pos.y);
    });
  }

  /** Places the edit layer at the view and draws hover, draft and marquee. */
  syncOverlay(o: EditOverlay): void {
    const v = o.view;
    const th = o.theme;
    this.world.setAttrs({ x: v.x, y: v.y, scaleX: v.scale, scaleY: v.scale });
    for (const c of this.selGroup.find('.vertex')) (c as KCircle).radius(th.handleSize / 2 / v.scale);
    this.transformer.forceUpdate();
    const h = o.hover;
    if (h && h.kind !== 'class') {
      const points = h.kind === 'box' ? [h.x, h.y, h.x + h.w, h.y, h.x + h.w, h.y + h.h, h.x, h.y + h.h] : [...h.points];
      this.hoverNode.setAttrs({ visible: true, points, stroke: th.selectionColor, strokeWidth: th.strokeWidth + 1 });
    } else this.hoverNode.visible(false);
    const d = this.draftNode,
      m = this.draftMarker,
      color = o.color;
    if (o.box) {
      const { x, y, w, h: bh } = o.box;
      d.setAttrs({
        visible: true,
        closed: true,
        points: [x, y, x + w, y, x + w, y + bh, x, y + bh],
        stroke: color,
        strokeWidth: th.strokeWidth,
        fill: withAlpha(color, th.fillOpacity),
        dash: undefined,
      });
      m.visible(false);
    } else if (o.polygon) {
      const pts = o.polygon.slice();
      if (o.pointer) pts.push(...o.pointer);
      d.setAttrs({ visible: true, closed: false, points: pts, stroke: color, strokeWidth: th.strokeWidth, fill: undefined, dash: undefined });
      m.setAttrs({ visible: true, x: o.polygon[0], y: o.polygon[1], radius: CLOSE_DISTANCE / 2 / v.scale, stroke: th.selectionColor, strokeWidth: 2, fill: th.handleColor });
    } else {
      d.visible(false);
      m.visible(false);
    }
    const q = o.marquee;
    if (q) this.marqueeNode.setAttrs({ visible: true, x: q.x, y: q.y, width: q.w, height: q.h, stroke: th.selectionColor, strokeWidth: 1 });
    else this.marqueeNode.visible(false);
  }

  destroy(): void {
    this.stage.destroy();
  }
}

export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  let hex = m[1]!;
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const n = parseInt(hex, 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
