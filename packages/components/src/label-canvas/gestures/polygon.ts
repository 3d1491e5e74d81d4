// Polygon: click to add points; close on the first point, with Enter or a double-click. Never a
// degenerate polygon: too few points keep the draft and say what is missing. Point editing (U):
// insert a point on the nearest edge, remove one (a polygon keeps at least 3).
import { isDegeneratePolygon, segmentDistance2 } from '../geometry.js';
import { clampX, clampY } from './gesture.js';

export const CLOSE_DISTANCE = 10; // screen px from the first point that closes a polygon

export class PolygonDraft {
  readonly points: number[];

  constructor(x: number, y: number, img: { width: number; height: number }) {
    this.points = [clampX(x, img), clampY(y, img)];
  }

  add(x: number, y: number, img: { width: number; height: number }): void {
    this.points.push(clampX(x, img), clampY(y, img));
  }

  /** Backspace: removes the last point; false when none is left (the draft is over). */
  removeLast(): boolean {
    this.points.splice(-2, 2);
    return this.points.length > 0;
  }

  /** Does a click at stage point (sx, sy) close the polygon (on its first point, with 3 points or more)? */
  closesAt(sx: number, sy: number, toScreen: (x: number, y: number) => [number, number]): boolean {
    const [fx, fy] = toScreen(this.points[0]!, this.points[1]!);
    return this.points.length >= 6 && Math.hypot(fx - sx, fy - sy) <= CLOSE_DISTANCE;
  }

  /** The two clicks of a double-click added the same point twice: drop the duplicate. */
  dropDoubleClickPoint(): void {
    const p = this.points,
      n = p.length;
    if (n >= 4 && p[n - 1] === p[n - 3] && p[n - 2] === p[n - 4]) p.splice(n - 2, 2);
  }

  /** Why these points are not a polygon yet, or '' when they are one. */
  problem(): string {
    if (!isDegeneratePolygon(this.points, 1)) return '';
    const p = this.points;
    const n = new Set(Array.from({ length: p.length / 2 }, (_, i) => `${p[2 * i]},${p[2 * i + 1]}`)).size;
    return n < 3
      ? `A polygon needs at least 3 points (${n} so far): click to add ${n === 2 ? 'one' : 'more'}, or Esc to cancel.`
      : 'These points enclose no area: click to add another, or Esc to cancel.';
  }
}

/** The points with (x, y) inserted into the edge nearest to it. */
export function insertPoint(p: readonly number[], x: number, y: number): number[] {
  let best = 0,
    bestD = Infinity;
  for (let i = 0, j = p.length - 2; i < p.length; j = i, i += 2) {
    const [d] = segmentDistance2(x, y, p[j]!, p[j + 1]!, p[i]!, p[i + 1]!);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  const next = [...p.slice(0, best), x, y, ...p.slice(best)];
  if (best === 0) {
    next.splice(0, 2);
    next.push(x, y);
  }
  return next;
}

/** The points without point `k`, or null when fewer than 3 would be left (a polygon keeps 3). */
export function removePoint(p: readonly number[], k: number): number[] | null {
  const next = p.filter((_, i) => Math.floor(i / 2) !== k);
  return isDegeneratePolygon(next) ? null : next;
}
