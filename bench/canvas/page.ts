// The benchmark page: `?lib=labelkit|annotorious&n=5000`. It builds the peer scene, then waits for
// the driver (bench/canvas.bench.ts) to call window.bench.*.
import '@labelkit/components/label-canvas';
import { createImageAnnotator } from '@annotorious/annotorious';
import '@annotorious/annotorious/annotorious.css';
import type { LabelCanvas } from '@labelkit/components';
import { FIT_SCALE, IMAGE_H, IMAGE_W, PERIOD_MS, VIEW_H, VIEW_W, drawSceneImage, sceneBoxes, scenePolygons, viewAtTime } from './scene.js';

const params = new URLSearchParams(location.search);
const lib = params.get('lib') ?? 'labelkit';
const n = Number(params.get('n') ?? 1000);
const boxes = sceneBoxes(n);
// ?shape=polygon: the polygon scene (N polygons × 32 vertices in the same boxes); the drag moves vertex 0 of polygon 0.
const polygons = params.get('shape') === 'polygon' ? scenePolygons(n) : null;

interface Driver {
  ready: Promise<{ firstRenderMs: number }>;
  /** Runs the 3 s path; returns rAF deltas (ms). */
  path(): Promise<number[]>;
  /** Client point of the centre of box `i` at the current view; in the polygon scene, vertex 0 of polygon `i`. */
  boxCentre(i: number): [number, number];
  /** Polygon scene: selects polygon `i` (programmatically: nested polygons make a click ambiguous). */
  selectPolygon?(i: number): Promise<boolean>;
  /** Starts recording pointer-to-paint latency of pointermove events. */
  recordLatency(): void;
  latencies(): number[];
  /** How many shapes the overlay reported as updated (proves the drag moved a box). */
  updates(): number;
  /** Resolves once the overlay shows a selection (after the click that starts the drag test). */
  selected(): Promise<boolean>;
  /** Milliseconds of script in each rAF frame (all callbacks of one frame summed). */
  frameWork(): number[];
  /** <label-canvas> with its region list: scrolls the list for 3 s at LIST_SPEED px/s; returns rAF deltas (ms). */
  scrollList?(): Promise<number[]>;
}

/** How fast the region-list scroll runs: a brisk wheel or a flick, about 90 rows a second. */
const LIST_SPEED = 3000;

// Script time per frame: every rAF callback of one frame (same timestamp), summed. For <label-canvas>
// that is its whole render (it draws in rAF); for Annotorious most work is style/layout/paint, which
// this does not see, so it is reported for labelkit only.
const work = new Map<number, number>();
const nativeRaf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (cb) =>
  nativeRaf((ts) => {
    const t0 = performance.now();
    try {
      cb(ts);
    } finally {
      work.set(ts, (work.get(ts) ?? 0) + performance.now() - t0);
    }
  });
const until = async (f: () => boolean, ms = 10_000) => {
  const end = performance.now() + ms;
  while (!f() && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
  return f();
};

const viewport = document.createElement('div');
viewport.style.cssText = `position:absolute;left:0;top:0;width:${VIEW_W}px;height:${VIEW_H}px;overflow:hidden;background:#1f2329`;
document.body.style.margin = '0';
document.body.append(viewport);

function rafPath(apply: (t: number) => void): Promise<number[]> {
  return new Promise((resolve) => {
    const stamps: number[] = [];
    let t0 = -1;
    const tick = (ts: number) => {
      if (t0 < 0) t0 = ts;
      stamps.push(ts);
      if (ts - t0 >= PERIOD_MS) {
        resolve(stamps.slice(1).map((s, i) => s - stamps[i]));
        return;
      }
      apply(ts - t0);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

let lat: number[] = [];
function recordLatency(): void {
  lat = [];
  window.addEventListener(
    'pointermove',
    (e) => {
      const t = e.timeStamp;
      // The update paints in the next frame; the task after that frame's rAF callbacks runs after it.
      requestAnimationFrame(() => setTimeout(() => lat.push(performance.now() - t), 0));
    },
    { capture: true },
  );
}

const nextFrames = (k = 2) =>
  new Promise<void>((r) => {
    const f = () => (--k <= 0 ? r() : requestAnimationFrame(f));
    requestAnimationFrame(f);
  });

const pairs = (p: number[]) => Array.from({ length: p.length / 2 }, (_, k) => [p[2 * k], p[2 * k + 1]]);

async function setupLabelkit(): Promise<Driver> {
  const img = drawSceneImage();
  const el = document.createElement('label-canvas') as LabelCanvas;
  el.style.cssText = `width:${VIEW_W}px;height:${VIEW_H}px;--label-canvas-stroke-width:4;--label-canvas-fill-opacity:0.15`;
  el.labels = [{ id: 'box', name: 'Box', color: '#3b82f6' }];
  el.tool = 'edit';
  // The labeling screen as people use it: the tool rail and the region list shown (?ui=0 hides them).
  if (params.get('ui') !== '0') {
    el.rail = 'start';
    el.regionList = true;
  }
  viewport.append(el);
  let updates = 0;
  el.addEventListener('label-annotation-update', () => updates++);
  const t0 = performance.now();
  const loaded = new Promise((r) => el.addEventListener('label-image-load', r, { once: true }));
  el.annotations = polygons ? polygons.map((points, i) => ({ id: `p${i}`, kind: 'polygon', label: 'box', points })) : boxes.map((b) => ({ kind: 'box', label: 'box', ...b }));
  el.image = img;
  await loaded;
  await nextFrames(1);
  const firstRenderMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1200)); // idle: the motion raster is built
  return {
    ready: Promise.resolve({ firstRenderMs }),
    path: () => (work.clear(), rafPath((t) => el.setView(viewAtTime(t)))),
    frameWork: () => [...work.values()],
    scrollList: async () => {
      const list = el.shadowRoot!.querySelector<HTMLElement>('.regions-scroll');
      if (!list) return [];
      list.scrollTop = 0;
      await nextFrames(2);
      work.clear();
      // Down and back up, so a long list never runs out (the scroll event renders the rows in view).
      const max = list.scrollHeight - list.clientHeight;
      return rafPath((t) => (list.scrollTop = Math.min(max, ((t < PERIOD_MS / 2 ? t : PERIOD_MS - t) * LIST_SPEED) / 1000)));
    },
    selected: () => until(() => el.selectedIds.length > 0),
    boxCentre: (i) => (polygons ? el.imageToClient(polygons[i][0], polygons[i][1]) : el.imageToClient(boxes[i].x + boxes[i].w / 2, boxes[i].y + boxes[i].h / 2)),
    selectPolygon: async (i) => {
      el.select([`p${i}`]);
      await nextFrames(2);
      return el.selectedIds.length > 0;
    },
    recordLatency,
    latencies: () => lat,
    updates: () => updates,
  };
}

async function setupAnnotorious(): Promise<Driver> {
  const src = drawSceneImage();
  const blob = await new Promise<Blob>((r) => src.toBlob((b) => r(b!), 'image/jpeg', 0.9));
  const wrap = document.createElement('div');
  wrap.style.cssText = `position:absolute;left:0;top:0;width:${IMAGE_W}px;height:${IMAGE_H}px;transform-origin:0 0`;
  const img = document.createElement('img');
  img.width = IMAGE_W;
  img.height = IMAGE_H;
  img.style.display = 'block';
  img.src = URL.createObjectURL(blob);
  await img.decode();
  wrap.append(img);
  viewport.append(wrap);
  let view = { scale: FIT_SCALE, x: (VIEW_W - IMAGE_W * FIT_SCALE) / 2, y: (VIEW_H - IMAGE_H * FIT_SCALE) / 2 };
  const setView = (v: { scale: number; cx: number; cy: number }) => {
    view = { scale: v.scale, x: VIEW_W / 2 - v.cx * v.scale, y: VIEW_H / 2 - v.cy * v.scale };
    wrap.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
  };
  setView({ scale: FIT_SCALE, cx: IMAGE_W / 2, cy: IMAGE_H / 2 });
  const t0 = performance.now();
  const anno = createImageAnnotator(img, {
    style: { stroke: '#3b82f6', strokeWidth: 4, fill: '#3b82f6', fillOpacity: 0.15 },
  });
  anno.setAnnotations(
    boxes.map((b, i) => ({
      id: `b${i}`,
      bodies: [],
      target: {
        annotation: `b${i}`,
        selector: polygons
          ? { type: 'POLYGON', geometry: { points: pairs(polygons[i]), bounds: { minX: b.x, minY: b.y, maxX: b.x + b.w, maxY: b.y + b.h } } }
          : { type: 'RECTANGLE', geometry: { x: b.x, y: b.y, w: b.w, h: b.h, bounds: { minX: b.x, minY: b.y, maxX: b.x + b.w, maxY: b.y + b.h } } },
      },
    })) as never,
  );
  await nextFrames(1);
  const firstRenderMs = performance.now() - t0;
  // Moved boxes, counted from the geometry (Annotorious reports updates only when the selection ends).
  const updates = () =>
    anno.getAnnotations().filter((a) => {
      const g = (a.target.selector as unknown as { geometry: { x: number; y: number; points?: number[][] } }).geometry;
      const i = Number(a.id.slice(1));
      if (polygons) return g.points![0][0] !== polygons[i][0] || g.points![0][1] !== polygons[i][1];
      const b = boxes[i];
      return g.x !== b.x || g.y !== b.y;
    }).length;
  await new Promise((r) => setTimeout(r, 500));
  return {
    ready: Promise.resolve({ firstRenderMs }),
    path: () => (work.clear(), rafPath((t) => setView(viewAtTime(t)))),
    frameWork: () => [...work.values()],
    selected: () => until(() => anno.getSelected().length > 0),
    boxCentre: (i) =>
      polygons
        ? [view.x + polygons[i][0] * view.scale, view.y + polygons[i][1] * view.scale]
        : [view.x + (boxes[i].x + boxes[i].w / 2) * view.scale, view.y + (boxes[i].y + boxes[i].h / 2) * view.scale],
    selectPolygon: async (i) => {
      anno.setSelected(`b${i}`, true);
      await nextFrames(2);
      return anno.getSelected().length > 0;
    },
    recordLatency,
    latencies: () => lat,
    updates,
  };
}

(window as unknown as { bench: Promise<Driver> }).bench = lib === 'annotorious' ? setupAnnotorious() : setupLabelkit();
