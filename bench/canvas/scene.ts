// The peer scene of bench/PEERS.md, shared by the benchmark page and its stories: a
// 4000 × 3000 image, N boxes from mulberry32(2024), and the 3 s zoom/pan path.
export const IMAGE_W = 4000;
export const IMAGE_H = 3000;
export const VIEW_W = 1280;
export const VIEW_H = 800;
export const PERIOD_MS = 3000;
export const FIT_SCALE = Math.min(VIEW_W / IMAGE_W, VIEW_H / IMAGE_H);

export function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SceneBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** N boxes: for each, in this order, w, h, x, y from the seeded PRNG. */
export function sceneBoxes(n: number, seed = 2024): SceneBox[] {
  const r = mulberry32(seed);
  const out: SceneBox[] = [];
  for (let i = 0; i < n; i++) {
    const w = 20 + Math.floor(r() * 180);
    const h = 20 + Math.floor(r() * 180);
    const x = Math.floor(r() * (IMAGE_W - w));
    const y = Math.floor(r() * (IMAGE_H - h));
    out.push({ x, y, w, h });
  }
  return out;
}

/**
 * N polygons of `k` vertices for the polygon scene, one in each box of `sceneBoxes(n)`: a star-shaped
 * ring around the box's centre (radius 70–100 % of the half-size, from the seeded PRNG), vertex 0 at
 * angle 0 (the rightmost point, where the vertex drag starts).
 */
export function scenePolygons(n: number, k = 32, seed = 2024): number[][] {
  const r = mulberry32(seed + 1);
  return sceneBoxes(n, seed).map((b) => {
    const cx = b.x + b.w / 2,
      cy = b.y + b.h / 2;
    const pts: number[] = [];
    for (let i = 0; i < k; i++) {
      const a = (2 * Math.PI * i) / k,
        f = i === 0 ? 1 : 0.7 + 0.3 * r();
      pts.push(Math.round(cx + (Math.cos(a) * b.w * f) / 2), Math.round(cy + (Math.sin(a) * b.h * f) / 2));
    }
    return pts;
  });
}

/** The view at time t (ms): zoom 1× → 3× → 1× of the fitted scale; the centre moves on a figure of eight. */
export function viewAtTime(t: number): { scale: number; cx: number; cy: number } {
  const phi = (2 * Math.PI * t) / PERIOD_MS;
  const zoom = 1 + 2 * (0.5 - 0.5 * Math.cos(phi));
  return { scale: FIT_SCALE * zoom, cx: 2000 + 1000 * Math.sin(phi), cy: 1500 + 375 * Math.sin(2 * phi) };
}

/** A 4000 × 3000 test picture (gradient and a grid), the same for every overlay. */
export function drawSceneImage(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = IMAGE_W;
  c.height = IMAGE_H;
  const g = c.getContext('2d')!;
  const grad = g.createLinearGradient(0, 0, IMAGE_W, IMAGE_H);
  grad.addColorStop(0, '#2d3a4a');
  grad.addColorStop(1, '#a9b8c6');
  g.fillStyle = grad;
  g.fillRect(0, 0, IMAGE_W, IMAGE_H);
  g.strokeStyle = 'rgba(255,255,255,0.25)';
  g.lineWidth = 2;
  for (let x = 0; x <= IMAGE_W; x += 250) g.strokeRect(x, 0, 0, IMAGE_H);
  for (let y = 0; y <= IMAGE_H; y += 250) g.strokeRect(0, y, IMAGE_W, 0);
  return c;
}
