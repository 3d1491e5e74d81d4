// Pan: middle button, Space+drag, or a plain drag in `view` and `classify` modes, where a click
// (under 4 px of movement) still selects.
import type { View } from '../geometry.js';
import { MIN_SCREEN_SIZE, selectAt, type GestureContext, type PointerGesture } from './gesture.js';

export class PanGesture implements PointerGesture {
  readonly kind = 'pan';
  private readonly view: View;

  constructor(
    private readonly id: number,
    private readonly sx: number,
    private readonly sy: number,
    ctx: GestureContext,
  ) {
    this.view = ctx.viewport.state;
  }

  owns(pointerId: number): boolean {
    return pointerId === this.id;
  }

  move(ctx: GestureContext, sx: number, sy: number): void {
    ctx.viewport.userMoved = true;
    ctx.viewport.apply({ scale: this.view.scale, x: this.view.x + sx - this.sx, y: this.view.y + sy - this.sy });
  }

  end(ctx: GestureContext, sx: number, sy: number, e: PointerEvent): void {
    ctx.updateCursor();
    if (e.button === 0 && !ctx.spaceDown && Math.hypot(sx - this.sx, sy - this.sy) < MIN_SCREEN_SIZE) selectAt(ctx, sx, sy, e.shiftKey);
  }
}
