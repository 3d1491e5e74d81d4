// <label-queue> and <label-dashboard> on a phone (390 px) and a Full HD screen (1920 px), and axe-core
// on the queue in the states its stories cover, in real Chromium.
import { expect } from '@esm-bundle/chai';
import { sendMouse, setViewport } from '@web/test-runner-commands';
import { demoProject, type DemoOptions } from '../../test/demo-project.js';
import { axeViolations } from '../../test/axe.js';
import './label-queue.js';
import '../label-dashboard/label-dashboard.js';
import type { LabelQueue } from './label-queue.component.js';
import type { LabelDashboard } from '../label-dashboard/label-dashboard.component.js';
import { LabelQueueHarness } from './label-queue.harness.js';

const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

async function queue(o: DemoOptions & { grid?: 1 | 4 | 6 | 9 } = {}) {
  const demo = await demoProject(o);
  const el = document.createElement('label-queue');
  el.autosaveDelay = 20;
  if (o.grid) el.gridSize = o.grid;
  el.project = demo.project;
  el.source = demo.source;
  document.body.append(el);
  const h = new LabelQueueHarness(el, { press: async () => undefined });
  await h.ready();
  for (let i = 0; i < 100 && h.root.querySelector('.loading'); i++) await new Promise((r) => setTimeout(r, 10));
  await frames();
  return { el, h, project: demo.project };
}

async function dashboard(o: DemoOptions, tab: LabelDashboard['tab']) {
  const demo = await demoProject(o);
  const el = document.createElement('label-dashboard');
  el.project = demo.project;
  el.source = demo.source;
  el.tab = tab;
  document.body.append(el);
  await el.updateComplete;
  // The Data tab's thumbnails come from the source: measure once they are all there.
  for (let i = 0; i < 300 && el.shadowRoot!.querySelector('.noimg'); i++) await frames();
  await frames();
  return el;
}

/** Elements (shadow roots included) wider than the page, by their tag and class. */
function overflowing(root: ParentNode, width: number, out: string[] = []): string[] {
  for (const e of root.querySelectorAll<HTMLElement>('*')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > width + 1) out.push(`${e.tagName.toLowerCase()}.${[...e.classList].join('.')} right=${Math.round(r.right)}`);
    if (e.shadowRoot) overflowing(e.shadowRoot, width, out);
  }
  return out;
}

function expectNoHorizontalOverflow(what: string) {
  const w = document.documentElement.clientWidth;
  const sw = document.documentElement.scrollWidth;
  expect(sw, `${what}: page scrollWidth ${sw} > ${w}; overflowing: ${overflowing(document, w).slice(0, 5).join('; ')}`).to.be.at.most(w);
}

describe('<label-queue> and <label-dashboard> layout', () => {
  afterEach(async () => {
    document.querySelectorAll('label-queue, label-dashboard').forEach((e) => e.remove());
    await setViewport({ width: 800, height: 600 });
  });

  it('390 px: no horizontal overflow in the queue (grids of 4 and 9, a box task) or the dashboard tabs', async () => {
    await setViewport({ width: 390, height: 844 });
    for (const grid of [4, 9] as const) {
      const { el } = await queue({ grid, items: 12, instructions: '# Digits\n\nTag every image.' });
      expectNoHorizontalOverflow(`queue, grid of ${grid}`);
      el.remove();
    }
    const { el } = await queue({ kind: 'image-object-detection', items: 3 });
    expectNoHorizontalOverflow('queue, box task');
    el.remove();
    for (const tab of ['dashboard', 'data', 'details'] as const) {
      const d = await dashboard({ items: 30, labeled: 10, skipped: 2, runs: true, instructions: 'Tag it.' }, tab);
      expectNoHorizontalOverflow(`dashboard, ${tab} tab`);
      d.remove();
    }
  });

  it('Submit is in view in a 9-grid at 1366 × 900 and on a phone', async () => {
    for (const [width, height] of [
      [1366, 900],
      [390, 844],
    ] as const) {
      await setViewport({ width, height });
      const { el, h } = await queue({ grid: 9, items: 18, instructions: '# Digits\n\nTag every image.' });
      const r = h.button('submit').getBoundingClientRect();
      expect(r.bottom, `Submit at ${width} × ${height}`).to.be.at.most(height);
      expect(r.top).to.be.at.least(0);
      el.remove();
    }
  });

  it('a box task: the canvas leaves Submit in view and nothing covers the image (a click on a prelabel selects it)', async () => {
    await setViewport({ width: 1280, height: 720 });
    const demo = await demoProject({ kind: 'image-object-detection', items: 4, prelabeled: 4 });
    const el = document.createElement('label-queue');
    el.project = demo.project;
    el.source = demo.source;
    document.body.append(el);
    const h = new LabelQueueHarness(el, { press: async () => undefined });
    await h.ready();
    const canvas = h.canvas()!;
    for (let i = 0; i < 300 && !canvas.imageSize; i++) await new Promise((r) => setTimeout(r, 10));
    await frames();
    expect(h.button('submit').getBoundingClientRect().bottom).to.be.at.most(720);
    const p = canvas.prelabels[0];
    if (!p || p.kind !== 'box') throw new Error('no box prelabel');
    const [x, y] = canvas.imageToClient(p.x + p.w / 2, p.y + p.h / 2);
    const top = document.elementFromPoint(x, y);
    expect(top, 'the element at the prelabel is the queue (its canvas)').to.equal(el);
    expect(el.shadowRoot!.elementFromPoint(x, y), 'within the queue, the canvas').to.equal(canvas);
    // The palette follows the selection (the queue renders again): the prelabel stays selected.
    await sendMouse({ type: 'click', position: [Math.round(x), Math.round(y)] });
    for (let i = 0; i < 50 && !canvas.shadowRoot!.querySelector('[part~="prelabel-actions"]'); i++) await frames();
    expect(canvas.selectedIds).to.deep.equal([p.id]);
    expect(canvas.shadowRoot!.querySelector('[part~="prelabel-actions"]')).to.not.equal(null);
  });

  it('1920 px: tiles grow beyond the old 220 px cap; 390 px: they still fit', async () => {
    await setViewport({ width: 1920, height: 1080 });
    const { el, h } = await queue({ grid: 4, items: 8 });
    const big = h.tiles()[0].getBoundingClientRect().width;
    expect(big, 'tile width at 1920 × 1080').to.be.above(300);
    el.remove();
    await setViewport({ width: 390, height: 844 });
    const small = await queue({ grid: 4, items: 8 });
    expect(small.h.tiles()[0].getBoundingClientRect().right).to.be.at.most(390);
  });

  it('axe-core: no serious or critical violations in a classification grid, a box task and the empty queue', async () => {
    const grid = await queue({ grid: 4, items: 8, instructions: '# Digits\n\nTag every image.', prelabeled: 4 });
    grid.h.tiles()[1].click();
    await grid.el.updateComplete;
    expect(await axeViolations(grid.el), 'classification grid').to.deep.equal([]);
    grid.el.remove();
    const box = await queue({ kind: 'image-object-detection', items: 3 });
    const canvas = box.h.canvas()!;
    for (let i = 0; i < 200 && !canvas.imageSize; i++) await new Promise((r) => setTimeout(r, 10));
    await frames();
    expect(await axeViolations(box.el), 'box task with rail and region list').to.deep.equal([]);
    box.el.remove();
    const empty = await queue({ items: 4, skipped: 4 });
    expect(await axeViolations(empty.el), 'empty queue').to.deep.equal([]);
  });
});

export type { LabelQueue };
