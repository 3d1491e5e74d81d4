// A test harness for <label-canvas>: it knows how to draw a box, a polygon, click, drag and press
// keys on it, in image coordinates, through real browser input. The input driver is passed in (in
// @web/test-runner, `sendMouse`/`sendKeys` from @web/test-runner-commands, which go through
// Playwright), so the harness itself depends on no test runner.
import type { LabelCanvas } from './label-canvas.component.js';
import type { LabelEventDetailMap, LabelEventName } from '../events.js';

export interface InputDriver {
  /** Mouse action at a point in page-viewport CSS pixels. */
  mouse(action: { type: 'move' | 'down' | 'up'; position: [number, number]; button?: 'left' | 'middle' | 'right' }): Promise<void>;
  /** Presses a key or chord ('Escape', 'Control+z', 'Shift+Delete'). */
  press(key: string): Promise<void>;
  down?(key: string): Promise<void>;
  up?(key: string): Promise<void>;
}

type Pt = readonly [number, number];

export class LabelCanvasHarness {
  private recorded: { name: LabelEventName; detail: unknown }[] = [];

  constructor(
    readonly el: LabelCanvas,
    private readonly input: InputDriver,
  ) {
    const names: LabelEventName[] = [
      'label-annotation-create',
      'label-annotation-update',
      'label-annotation-delete',
      'label-selection-change',
      'label-prelabel-accept',
      'label-prelabel-reject',
      'label-edit-request',
      'label-image-load',
      'label-error',
      'label-tool-change',
    ];
    for (const name of names) el.addEventListener(name, (e) => this.recorded.push({ name, detail: (e as CustomEvent).detail }));
  }

  /** Waits until the image is shown and two frames have painted; rejects with the error of a failed load. */
  async ready(): Promise<void> {
    if (!this.el.imageSize) {
      await new Promise((resolve, reject) => {
        this.el.addEventListener('label-image-load', resolve, { once: true });
        this.el.addEventListener('label-error', (e) => reject((e as CustomEvent).detail.error), { once: true });
      });
    }
    await this.frames(2);
    await this.el.updateComplete; // the rail and the region list load on first use
  }

  /** Resolves with the detail of the next event of that name (listen before what causes it). */
  next<K extends LabelEventName>(name: K): Promise<LabelEventDetailMap[K]> {
    return new Promise((resolve) => this.el.addEventListener(name, (e) => resolve((e as CustomEvent<LabelEventDetailMap[K]>).detail), { once: true }));
  }

  /** Resolves when the page is next idle (when the canvas builds its motion raster). */
  idle(): Promise<void> {
    return new Promise((resolve) => requestIdleCallback(() => resolve()));
  }

  frames(n = 2): Promise<void> {
    return new Promise((resolve) => {
      const step = () => (--n <= 0 ? resolve() : requestAnimationFrame(step));
      requestAnimationFrame(step);
    });
  }

  /** Page-viewport coordinates (rounded to whole CSS px, as real input is) of an image point. */
  toPage(x: number, y: number): [number, number] {
    const [cx, cy] = this.el.imageToClient(x, y);
    return [Math.round(cx), Math.round(cy)];
  }

  async move(p: Pt): Promise<void> {
    await this.input.mouse({ type: 'move', position: this.toPage(p[0], p[1]) });
  }
  async down(p: Pt, button: 'left' | 'middle' | 'right' = 'left'): Promise<void> {
    const at = this.toPage(p[0], p[1]);
    await this.input.mouse({ type: 'move', position: at });
    await this.input.mouse({ type: 'down', position: at, button });
  }
  async up(p: Pt, button: 'left' | 'middle' | 'right' = 'left'): Promise<void> {
    await this.input.mouse({ type: 'up', position: this.toPage(p[0], p[1]), button });
  }

  /** Drags from `a` to `b` (image px) in `steps` moves; screen positions are computed once, at the start. */
  async drag(a: Pt, b: Pt, steps = 5, button: 'left' | 'middle' | 'right' = 'left'): Promise<void> {
    const pa = this.toPage(a[0], a[1]),
      pb = this.toPage(b[0], b[1]);
    await this.dragPage(pa, pb, steps, button);
  }

  /** Drags between two page points. */
  async dragPage(pa: Pt, pb: Pt, steps = 5, button: 'left' | 'middle' | 'right' = 'left'): Promise<void> {
    await this.input.mouse({ type: 'move', position: [pa[0], pa[1]] });
    await this.input.mouse({ type: 'down', position: [pa[0], pa[1]], button });
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      await this.input.mouse({ type: 'move', position: [Math.round(pa[0] + (pb[0] - pa[0]) * t), Math.round(pa[1] + (pb[1] - pa[1]) * t)] });
    }
    await this.input.mouse({ type: 'up', position: [pb[0], pb[1]], button });
    await this.frames(2);
  }

  async click(p: Pt): Promise<void> {
    await this.down(p);
    await this.up(p);
    await this.frames(1);
  }

  /** Draws a box (box mode, draw tool) from (x, y) with size w × h, in image pixels. */
  async drawBox(x: number, y: number, w: number, h: number): Promise<void> {
    await this.drag([x, y], [x + w, y + h]);
  }

  /** Clicks the points of a polygon (polygon mode); `close` finishes it with Enter. */
  async drawPolygon(points: readonly Pt[], close = true): Promise<void> {
    for (const p of points) await this.click(p);
    if (close) await this.press('Enter');
  }

  async press(key: string): Promise<void> {
    this.el.focus();
    await this.input.press(key);
    await this.frames(2);
  }

  /** Events recorded since the harness was made (or since `clear()`), optionally of one name. */
  events<K extends LabelEventName>(name: K): LabelEventDetailMap[K][] {
    return this.recorded.filter((e) => e.name === name).map((e) => e.detail as LabelEventDetailMap[K]);
  }
  clear(): void {
    this.recorded = [];
  }

  /** The text of the ARIA live region. */
  get liveText(): string {
    return this.el.shadowRoot?.querySelector('[role="status"]')?.textContent?.trim() ?? '';
  }

  /** RGBA of the visible canvases at a page point (the top-most non-transparent one wins). */
  pixelAtPage(px: number, py: number): [number, number, number, number] {
    const canvases = [...(this.el.shadowRoot?.querySelectorAll('canvas') ?? [])].reverse();
    for (const c of canvases) {
      const cs = getComputedStyle(c);
      if (cs.visibility === 'hidden' || cs.display === 'none') continue;
      const r = c.getBoundingClientRect();
      const k = c.width / r.width;
      const d = c.getContext('2d')!.getImageData(Math.floor((px - r.left) * k), Math.floor((py - r.top) * k), 1, 1).data;
      if (d[3] > 0) return [d[0], d[1], d[2], d[3]];
    }
    return [0, 0, 0, 0];
  }
  pixelAt(x: number, y: number): [number, number, number, number] {
    const [cx, cy] = this.el.imageToClient(x, y);
    return this.pixelAtPage(cx, cy);
  }
}
