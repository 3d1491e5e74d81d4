// Pinch: two touch pointers zoom around their midpoint and pan with it (two-finger pan).
import type { View } from '../geometry.js';
import { zoomAt } from '../geometry.js';
import type { GestureContext, PointerGesture } from './gesture.js';

type Pt = readonly [number, number];
const dist = (a: Pt, b: Pt) => Math.hypot(a[0] - b[0], a[1] - b[1]) || 1;
const mid = (a: Pt, b: Pt): [number, number] => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];

export class PinchGesture implements PointerGesture {
  readonly kind = 'pinch';
  private readonly d0: number;
  private readonly m0: [number, number];
  private readonly view: View;

  constructor(
    private readonly ids: readonly [number, number],
    a: Pt,
    b: Pt,
    ctx: GestureContext,
  ) {
    this.d0 = dist(a, b);
    this.m0 = mid(a, b);
    this.view = ctx.viewport.state;
  }

  owns(pointerId: number): boolean {
    return this.ids.includes(pointerId);
  }

  move(ctx: GestureContext): void {
    const a = ctx.pointers.get(this.ids[0]),
      b = ctx.pointers.get(this.ids[1]);
    if (!a || !b) return;
    const k = dist(a, b) / this.d0,
      m = mid(a, b);
    const fs = ctx.viewport.fitScale;
    const v = zoomAt(this.view, k, this.m0[0], this.m0[1], fs / 4, fs * 64);
    ctx.viewport.userMoved = true;
    ctx.viewport.apply({ scale: v.scale, x: v.x + m[0] - this.m0[0], y: v.y + m[1] - this.m0[1] });
  }

  end(): void {}
}
