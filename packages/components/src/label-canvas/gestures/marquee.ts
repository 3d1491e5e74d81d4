// Marquee: in the edit tool, a drag on empty image selects the shapes it meets (Shift adds to the
// selection). Locked shapes are not selected.
import type { Rect } from '../geometry.js';
import { MIN_SCREEN_SIZE, rectOf, type GestureContext, type PointerGesture } from './gesture.js';

export class MarqueeGesture implements PointerGesture {
  readonly kind = 'marquee';
  private readonly x0: number;
  private readonly y0: number;
  private x1: number;
  private y1: number;

  constructor(
    private readonly id: number,
    sx: number,
    sy: number,
    ctx: GestureContext,
  ) {
    [this.x0, this.y0] = ctx.viewport.toImage(sx, sy);
    [this.x1, this.y1] = [this.x0, this.y0];
  }

  owns(pointerId: number): boolean {
    return pointerId === this.id;
  }

  rect(): Rect {
    return rectOf(this.x0, this.y0, this.x1, this.y1);
  }

  move(ctx: GestureContext, sx: number, sy: number): void {
    [this.x1, this.y1] = ctx.viewport.toImage(sx, sy);
    ctx.editChanged();
  }

  end(ctx: GestureContext, _sx: number, _sy: number, e: PointerEvent): void {
    const r = this.rect();
    const scale = ctx.viewport.state.scale;
    ctx.editChanged();
    if (r.w * scale < MIN_SCREEN_SIZE && r.h * scale < MIN_SCREEN_SIZE) return;
    if (ctx.locked) return;
    const ids = ctx.queryArea(r);
    ctx.select(e.shiftKey ? [...new Set([...ctx.selection, ...ids])] : ids);
  }
}
