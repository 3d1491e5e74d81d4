// The tool rail, region list and shortcut help of <label-canvas>, in Chromium with real input.
import { expect } from '@esm-bundle/chai';
import { resetMouse, sendKeys } from '@web/test-runner-commands';
import { mount as mountCanvas } from '../../test/canvas-setup.js';
import type { Annotation } from '@labelkit/core';
import './label-canvas.js';
import type { LabelCanvas } from './label-canvas.component.js';
import { LabelCanvasHarness } from './label-canvas.harness.js';
import { axeViolations } from '../../test/axe.js';

const LABELS = [
  { id: 'cat', name: 'Cat', color: '#e69f00' },
  { id: 'dog', name: 'Dog', color: '#0072b2' },
];

/** The shared mount, with two labels, the tool rail at the start and the region list on. */
const mount = (props: Partial<LabelCanvas> = {}) => mountCanvas({ labels: LABELS, rail: 'start', regionList: true, ...props });

const root = (h: LabelCanvasHarness) => h.el.shadowRoot!;
const railButtons = (h: LabelCanvasHarness) => [...root(h).querySelectorAll<HTMLButtonElement>('[part~="rail"] button[data-command]')];
const railButton = (h: LabelCanvasHarness, command: string) => root(h).querySelector<HTMLButtonElement>(`[part~="rail"] button[data-command="${command}"]`);
const rows = (h: LabelCanvasHarness) => [...root(h).querySelectorAll<HTMLElement>('[part~="region"]')];
async function settle(h: LabelCanvasHarness) {
  await h.el.updateComplete;
  await h.frames(2);
  await h.el.updateComplete;
}

const near = (a: number, b: number, tol = 2.5) => expect(Math.abs(a - b), `${a} ≈ ${b}`).to.be.at.most(tol);

describe('<label-canvas> tools a kind takes, the active label, point editing', () => {
  afterEach(async () => {
    document.querySelectorAll('label-canvas').forEach((e) => e.remove());
    await resetMouse();
  });

  it('offers only the tools a project kind takes: P, U absent from a box canvas, R and T from a polygon one', async () => {
    const h = await mount({ shapes: ['box'] });
    await h.press('p');
    expect(h.el.mode).to.equal('box');
    await h.press('u');
    expect(h.el.vertexEdit).to.equal(false);
    expect(h.el.shadowRoot!.querySelector('[part~="tool-state"]')).to.equal(null);
    h.el.remove();
    const g = await mount({ mode: 'polygon', shapes: ['polygon'] });
    await g.press('r');
    expect(g.el.mode).to.equal('polygon');
    await g.press('t');
    expect(g.el.annotations).to.have.length(0);
  });

  it('U shows its state on the canvas and tells the host; Esc leaves it', async () => {
    const h = await mount({ tool: 'edit' });
    await h.press('u');
    expect(h.el.vertexEdit).to.equal(true);
    expect(h.el.hasAttribute('vertex-edit')).to.equal(true);
    expect(h.el.shadowRoot!.querySelector('[part~="tool-state"]')!.textContent).to.contain('Point editing');
    expect(h.events('label-tool-change').at(-1)).to.include({ vertexEdit: true });
    await h.press('Escape');
    expect(h.el.vertexEdit).to.equal(false);
    expect(h.el.shadowRoot!.querySelector('[part~="tool-state"]')).to.equal(null);
  });

  it('a number key with nothing selected makes that label active and says so (label-tool-change); the tenth label has key 0', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => ({ id: `d${(i + 1) % 10}`, name: `digit ${(i + 1) % 10}`, color: '#e69f00' }));
    const h = await mount({ labels: ten });
    await h.press('2');
    expect(h.el.activeLabel).to.equal('d2');
    expect(h.events('label-tool-change').at(-1)).to.include({ activeLabel: 'd2' });
    const scale = h.el.view.scale;
    await h.press('0');
    expect(h.el.activeLabel).to.equal('d0');
    expect(h.el.view.scale).to.equal(scale);
    // With fewer than ten labels, 0 still fits the view.
    h.el.remove();
    const g = await mount();
    g.el.zoomBy(2);
    await g.press('0');
    near(g.el.view.scale, g.el.fitScale, 1e-9);
  });

  it('Enter on a 2-point polygon keeps it drawn and says what is missing', async () => {
    const h = await mount({ mode: 'polygon' });
    await h.drawPolygon(
      [
        [200, 200],
        [1000, 200],
      ],
      false,
    );
    await h.move([1000, 800]);
    await h.frames(2);
    // The unfinished polygon is drawn (in the label's colour over the grey image).
    const px = h.pixelAt(600, 200);
    expect(px.slice(0, 3), 'draft edge drawn').to.not.deep.equal([128, 128, 128]);
    await h.press('Enter');
    expect(h.events('label-annotation-create')).to.have.length(0);
    const hint = h.el.shadowRoot!.querySelector('[part~="hint"]');
    expect(hint, 'a visible hint').to.not.equal(null);
    expect(hint!.textContent).to.match(/at least 3 points \(2 so far\)/);
    expect(h.liveText).to.match(/at least 3 points/);
    expect(h.pixelAt(600, 200).slice(0, 3), 'still drawn after Enter').to.not.deep.equal([128, 128, 128]);
    await h.click([1000, 800]);
    expect(h.el.shadowRoot!.querySelector('[part~="hint"]')).to.equal(null);
    await h.press('Enter');
    expect(h.events('label-annotation-create')).to.have.length(1);
  });
});

describe('<label-canvas> tool rail, region list, shortcut help', () => {
  afterEach(async () => {
    document.querySelectorAll('label-canvas').forEach((e) => e.remove());
    await resetMouse();
  });

  it('the rail is a toolbar of the tools a box project takes, each named with its key', async () => {
    const h = await mount({ shapes: ['box'] });
    const rail = root(h).querySelector('[part~="rail"]')!;
    expect(rail.getAttribute('role')).to.equal('toolbar');
    const names = railButtons(h).map((b) => b.getAttribute('aria-label'));
    expect(names).to.include.members(['Select and move (M)', 'Box (R)', 'Template box (T)', 'Zoom in (+)', 'Fit (0 / F)', 'Undo (Ctrl+Z)', 'Keyboard shortcuts (?)']);
    expect(railButton(h, 'polygon'), 'no polygon tool in a box project').to.equal(null);
    expect(railButton(h, 'vertex'), 'no point editing in a box project').to.equal(null);
    for (const b of railButtons(h)) expect(b.title).to.equal(b.getAttribute('aria-label'));
    const g = await mount({ shapes: ['polygon'], mode: 'polygon' });
    expect(railButton(g, 'box')).to.equal(null);
    expect(railButton(g, 'template')).to.equal(null);
    expect(railButton(g, 'polygon')!.getAttribute('aria-label')).to.equal('Polygon (P)');
  });

  it('each tool works from the rail and from its key, and the rail shows which is on', async () => {
    const h = await mount();
    railButton(h, 'polygon')!.click();
    await settle(h);
    expect(h.el.mode).to.equal('polygon');
    expect(railButton(h, 'polygon')!.getAttribute('aria-pressed')).to.equal('true');
    expect(railButton(h, 'box')!.getAttribute('aria-pressed')).to.equal('false');
    await h.press('r');
    await settle(h);
    expect(h.el.mode).to.equal('box');
    expect(railButton(h, 'box')!.getAttribute('aria-pressed')).to.equal('true');
    railButton(h, 'edit')!.click();
    await settle(h);
    expect(h.el.tool).to.equal('edit');
    railButton(h, 'vertex')!.click();
    await settle(h);
    expect(h.el.vertexEdit).to.equal(true);
    expect(railButton(h, 'vertex')!.getAttribute('aria-pressed')).to.equal('true');
    await h.press('u');
    await settle(h);
    expect(railButton(h, 'vertex')!.getAttribute('aria-pressed')).to.equal('false');
    railButton(h, 'lock')!.click();
    await settle(h);
    expect(h.el.locked).to.equal(true);
    await h.press('l');
    expect(h.el.locked).to.equal(false);
    const s = h.el.view.scale;
    railButton(h, 'zoom-in')!.click();
    expect(h.el.view.scale).to.be.above(s);
    railButton(h, 'actual-size')!.click();
    expect(h.el.view.scale).to.equal(1);
    railButton(h, 'fit')!.click();
    expect(h.el.view.scale).to.equal(h.el.fitScale);
    // draw, then undo / redo / delete from the rail
    await h.press('r');
    await h.drawBox(200, 200, 300, 200);
    await settle(h);
    expect(h.el.annotations).to.have.length(1);
    railButton(h, 'undo')!.click();
    await settle(h);
    expect(h.el.annotations).to.have.length(0);
    expect(railButton(h, 'undo')!.disabled).to.equal(true);
    railButton(h, 'redo')!.click();
    await settle(h);
    expect(h.el.annotations).to.have.length(1);
    railButton(h, 'delete')!.click();
    await settle(h);
    expect(h.el.annotations).to.have.length(0);
  });

  it('the rail collapses to one button and opens again', async () => {
    const h = await mount();
    root(h).querySelector<HTMLButtonElement>('.rail-toggle')!.click();
    await settle(h);
    expect(railButtons(h)).to.have.length(0);
    const toggle = root(h).querySelector<HTMLButtonElement>('.rail-toggle')!;
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    toggle.click();
    await settle(h);
    expect(railButtons(h).length).to.be.above(5);
  });

  it('the region list stays in sync after draw, undo, redo, relabel and delete; a click selects', async () => {
    const h = await mount();
    await h.drawBox(200, 200, 300, 200);
    await h.press('Escape');
    await h.drawBox(900, 600, 200, 200);
    await settle(h);
    expect(rows(h).map((r) => r.textContent!.replace(/\s+/g, ' ').includes('Cat'))).to.deep.equal([true, true]);
    await h.press('Control+z');
    await settle(h);
    expect(rows(h)).to.have.length(1);
    await h.press('Control+Shift+z');
    await settle(h);
    expect(rows(h)).to.have.length(2);
    // select from the list
    rows(h)[0].querySelector<HTMLButtonElement>('.region-name')!.click();
    await settle(h);
    expect(h.el.selectedIds).to.deep.equal([h.el.annotations[0].id]);
    expect(rows(h)[0].getAttribute('part')).to.contain('region-selected');
    // relabel from the list
    const select = rows(h)[1].querySelector('select')!;
    select.value = 'dog';
    select.dispatchEvent(new Event('change'));
    await settle(h);
    expect(h.el.annotations[1].label).to.equal('dog');
    expect(rows(h)[1].textContent).to.contain('Dog');
    // a selection made on the canvas shows in the list; a key relabels it
    await h.press('2');
    await settle(h);
    expect(h.el.annotations[0].label).to.equal('dog');
    // delete from the list, undo brings it back
    rows(h)[0].querySelector<HTMLButtonElement>('[aria-label^="Delete"]')!.click();
    await settle(h);
    expect(rows(h)).to.have.length(1);
    await h.press('Control+z');
    await settle(h);
    expect(rows(h)).to.have.length(2);
  });

  it('hide/show takes a shape out of the drawing and the hit test; prelabels show confidence with accept/reject', async () => {
    const box: Annotation = { id: 'b1', kind: 'box', label: 'cat', x: 400, y: 400, w: 400, h: 400 };
    const pre: Annotation = { id: 'p1', kind: 'box', label: 'dog', x: 1000, y: 200, w: 200, h: 200, confidence: 0.91 };
    const h = await mount({ annotations: [box], prelabels: [pre], tool: 'edit' });
    const before = h.pixelAt(600, 600);
    const boxRow = rows(h).find((r) => r.dataset.id === 'b1')!;
    boxRow.querySelector<HTMLButtonElement>('[aria-label^="Hide"]')!.click();
    await settle(h);
    await h.frames(3);
    expect(h.pixelAt(600, 600), 'hidden: not drawn').to.not.deep.equal(before);
    await h.click([600, 600]);
    expect(h.el.selectedIds).to.deep.equal([]);
    rows(h)
      .find((r) => r.dataset.id === 'b1')!
      .querySelector<HTMLButtonElement>('[aria-label^="Show"]')!
      .click();
    await settle(h);
    await h.click([600, 600]);
    expect(h.el.selectedIds).to.deep.equal(['b1']);
    const preRow = rows(h).find((r) => r.dataset.id === 'p1')!;
    expect(preRow.textContent).to.contain('91 %');
    preRow.querySelector<HTMLButtonElement>('[aria-label^="Accept"]')!.click();
    await settle(h);
    expect(h.el.prelabels).to.have.length(0);
    expect(h.el.annotations).to.have.length(2);
  });

  it('the list is keyboard navigable: arrows move, Delete deletes the focused row', async () => {
    const anns: Annotation[] = [0, 1, 2].map((i) => ({ id: `a${i}`, kind: 'box', label: 'cat', x: 100 + 300 * i, y: 100, w: 200, h: 200 }));
    const h = await mount({ annotations: anns });
    rows(h)[0].querySelector<HTMLButtonElement>('.region-name')!.focus();
    await sendKeys({ press: 'ArrowDown' });
    await settle(h);
    expect(root(h).activeElement?.getAttribute('data-row')).to.equal('1');
    await sendKeys({ press: 'Enter' });
    await settle(h);
    expect(h.el.selectedIds).to.deep.equal(['a1']);
    await sendKeys({ press: 'Delete' });
    await settle(h);
    expect(h.el.annotations.map((a) => a.id)).to.deep.equal(['a0', 'a2']);
  });

  it('virtualizes: 10,000 rows keep a few dozen in the DOM and scroll to the last', async () => {
    const anns: Annotation[] = Array.from({ length: 10000 }, (_, i) => ({
      id: `r${i}`,
      kind: 'box',
      label: i % 2 ? 'dog' : 'cat',
      x: (i % 100) * 15,
      y: Math.floor(i / 100) * 11,
      w: 12,
      h: 9,
    }));
    const h = await mount({ annotations: anns });
    await settle(h);
    expect(rows(h).length).to.be.below(60);
    expect(rows(h)[0].getAttribute('aria-setsize')).to.equal('10000');
    const scroll = root(h).querySelector<HTMLElement>('.regions-scroll')!;
    scroll.scrollTop = scroll.scrollHeight;
    scroll.dispatchEvent(new Event('scroll'));
    await settle(h);
    expect(rows(h).some((r) => r.getAttribute('aria-posinset') === '10000')).to.equal(true);
    expect(rows(h).length).to.be.below(60);
  });

  it('? opens the shortcut help with the live keymap of the kind; Esc closes it', async () => {
    const h = await mount({ shapes: ['box'], rail: 'none' });
    await h.press('?');
    await settle(h);
    const help = root(h).querySelector('[part~="help"]')!;
    expect(help.getAttribute('role')).to.equal('dialog');
    const keys = [...help.querySelectorAll('dt kbd')].map((k) => k.textContent);
    expect(keys).to.include.members(['R', 'M', 'T', '1–9, 0', 'Ctrl+Z', '?']);
    expect(keys).to.not.include('P');
    expect(keys).to.not.include('U');
    await h.press('Escape');
    await settle(h);
    expect(root(h).querySelector('[part~="help"]')).to.equal(null);
    // and from the rail's button
    h.el.rail = 'start';
    await settle(h);
    railButton(h, 'help')!.click();
    await settle(h);
    expect(root(h).querySelector('[part~="help"]')).to.not.equal(null);
  });

  it('the image fits beside the rail and the region list, not under them (but under them on a narrow canvas)', async () => {
    const h = await mount();
    const [left] = h.el.imageToClient(0, 0);
    const [right] = h.el.imageToClient(1600, 0);
    expect(left, 'clear of the rail').to.be.at.least(84 - 1e-6);
    expect(right, 'clear of the region list').to.be.at.most(800 - 276 + 1);
    // Every rail button is in view on this 600 px canvas (the groups take two columns).
    const rail = root(h).querySelector<HTMLElement>('[part~="rail"]')!;
    expect(rail.scrollHeight, 'the rail does not scroll').to.be.at.most(rail.clientHeight);
    for (const b of railButtons(h)) expect(b.getBoundingClientRect().bottom).to.be.at.most(600);
    expect(h.el.fitScale).to.be.closeTo((800 - 84 - 276) / 1600, 1e-9);
    h.el.style.width = '390px';
    // The canvas follows its size through a ResizeObserver, told in the frame after the change.
    for (let i = 0; i < 30 && h.el.fitScale > 0.25; i++) await h.frames(1);
    await settle(h);
    expect(h.el.fitScale, 'a phone-width canvas fits the whole width').to.be.closeTo(390 / 1600, 1e-9);
  });

  it('axe-core: no serious or critical violations with the rail, the list, prelabels, help, classify and readonly', async () => {
    const anns: Annotation[] = [
      { id: 'a', kind: 'box', label: 'cat', x: 100, y: 100, w: 300, h: 200 },
      { id: 'b', kind: 'polygon', label: 'dog', points: [600, 600, 900, 600, 800, 900] },
    ];
    const pre: Annotation[] = [{ id: 'p', kind: 'box', label: 'dog', x: 1000, y: 100, w: 200, h: 200, confidence: 0.8 }];
    const states: [string, Partial<LabelCanvas>][] = [
      ['box, rail and list, prelabels', { annotations: anns, prelabels: pre }],
      ['polygon only, rail at the end', { mode: 'polygon', shapes: ['polygon'], rail: 'end', annotations: anns }],
      ['classify with tags', { mode: 'classify', annotations: [{ kind: 'class', label: 'cat' }], prelabels: [{ kind: 'class', label: 'dog', confidence: 0.7 }] }],
      ['readonly', { readonly: true, annotations: anns }],
    ];
    for (const [name, props] of states) {
      const h = await mount(props);
      await settle(h);
      expect(await axeViolations(h.el), name).to.deep.equal([]);
      if (name.startsWith('box')) {
        await h.click([1100, 200]); // a prelabel selected: its accept/reject buttons
        await h.press('?');
        await settle(h);
        expect(await axeViolations(h.el), `${name}, help open, prelabel selected`).to.deep.equal([]);
      }
      h.el.remove();
    }
  });
});
