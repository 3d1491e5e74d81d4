// Window/level: right-drag on a DICOM or high-bit-depth grey image (right widens the window, down
// raises its centre), through the media layer's `dragWindow`; applied at most once a frame.
import type { Window } from '../image-input.js';
import { draggedWindow } from '../media.js';
import type { GestureContext, PointerGesture } from './gesture.js';

export class WindowGesture implements PointerGesture {
  readonly kind = 'window';
  private pending: Window | null = null;
  private frame = 0;

  constructor(
    private readonly id: number,
    private readonly sx: number,
    private readonly sy: number,
    private readonly start: Window,
  ) {}

  owns(pointerId: number): boolean {
    return pointerId === this.id;
  }

  move(ctx: GestureContext, sx: number, sy: number): void {
    this.pending = draggedWindow(ctx.image.decoded!, this.start, sx - this.sx, sy - this.sy);
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      if (this.pending) ctx.setWindow(this.pending);
    });
  }

  end(ctx: GestureContext): void {
    if (this.pending) ctx.setWindow(this.pending);
    this.pending = null;
  }
}
