// Box: drag draws a box, clamped to the image. A press that moves less than 4 screen px, or a box
// under 4 screen px a side, is a click (it selects) — never a tiny box.
import { isDegenerateBox, type Rect } from '../geometry.js';
import { MIN_SCREEN_SIZE, clampX, clampY, rectOf, selectAt, type GestureContext, type PointerGesture } from './gesture.js';

export class BoxGesture implements PointerGesture {
  readonly kind = 'box';
  private readonly x0: number;
  private readonly y0: number;
  private x1: number;
  private y1: number;

  constructor(
    private readonly id: number,
    private readonly sx: number,
    private readonly sy: number,
    ctx: GestureContext,
  ) {
    const [ix, iy] = ctx.viewport.toImage(sx, sy);
    this.x0 = clampX(ix, ctx.image);
    this.y0 = clampY(iy, ctx.image);
    this.x1 = ix;
    this.y1 = iy;
  }

  owns(pointerId: number): boolean {
    return pointerId === this.id;
  }

  rect(): Rect {
    return rectOf(this.x0, this.y0, this.x1, this.y1);
  }

  move(ctx: GestureContext, sx: number, sy: number): void {
    const [ix, iy] = ctx.viewport.toImage(sx, sy);
    this.x1 = clampX(ix, ctx.image);
    this.y1 = clampY(iy, ctx.image);
    ctx.editChanged();
  }

  end(ctx: GestureContext, sx: number, sy: number, e: PointerEvent): void {
    const r = this.rect();
    const scale = ctx.viewport.state.scale;
    ctx.editChanged();
    if (Math.hypot(sx - this.sx, sy - this.sy) < MIN_SCREEN_SIZE || isDegenerateBox(r.w * scale, r.h * scale, MIN_SCREEN_SIZE)) {
      selectAt(ctx, sx, sy, e.shiftKey);
      return;
    }
    ctx.createBox(r.x, r.y, r.w, r.h);
  }
}
