// <label-canvas> in real Chromium, driven by real mouse and keyboard input (Playwright, through
// @web/test-runner-commands) via the element's harness.
import { expect } from '@esm-bundle/chai';
import { resetMouse, sendMouse } from '@web/test-runner-commands';
import type { Annotation } from '@labelkit/core';
import './label-canvas.js';
import { input, mount } from '../../test/canvas-setup.js';

const near = (a: number, b: number, tol = 2.5) => expect(Math.abs(a - b), `${a} ≈ ${b}`).to.be.at.most(tol);

describe('<label-canvas>', () => {
  afterEach(async () => {
    document.querySelectorAll('label-canvas').forEach((e) => e.remove());
    await resetMouse();
  });

  it('registers once, is focusable and fits the image', async () => {
    const h = await mount();
    expect(customElements.get('label-canvas')).to.equal(h.el.constructor);
    expect(h.el.tabIndex).to.equal(0);
    expect(h.el.getAttribute('role')).to.equal('application');
    near(h.el.fitScale, 0.5, 1e-9);
    near(h.el.view.scale, 0.5, 1e-9);
    expect(h.el.imageSize).to.deep.equal({ width: 1600, height: 1200, frames: 1 });
  });

  it('draws a box in image pixels and fires one create event at the end of the gesture', async () => {
    const h = await mount({ activeLabel: 'dog' });
    await h.drawBox(200, 100, 300, 200);
    const created = h.events('label-annotation-create');
    expect(created).to.have.length(1);
    const [box] = created[0].annotations;
    expect(box.kind).to.equal('box');
    expect(box.label).to.equal('dog');
    expect(box.id).to.be.a('string');
    if (box.kind !== 'box') throw new Error('not a box');
    (near(box.x, 200), near(box.y, 100), near(box.w, 300), near(box.h, 200));
    expect(created[0].source).to.equal('user');
    expect(h.el.annotations).to.have.length(1);
    expect(h.events('label-annotation-update')).to.have.length(0);
    // the new box is selected and announced
    expect(h.el.selectedIds).to.deep.equal([box.id]);
    expect(h.liveText).to.match(/box Dog at 20\d, 10\d, 30\d by 20\d pixels/);
    // and painted: the middle of the box is tinted with the label colour (0072b2 over grey)
    const [r, , b] = h.pixelAt(350, 200);
    expect(b).to.be.greaterThan(r);
  });

  it('Esc mid-draw leaves nothing, not even a zero-size box, and the release after it draws nothing', async () => {
    const h = await mount();
    await h.down([100, 100]);
    await h.move([300, 250]);
    await h.press('Escape');
    await h.up([300, 250]);
    await h.frames(2);
    expect(h.el.annotations).to.have.length(0);
    expect(h.events('label-annotation-create')).to.have.length(0);
    // a click (no drag) is a selection, never a zero-size box
    await h.click([500, 500]);
    expect(h.el.annotations).to.have.length(0);
  });

  it('draws a polygon; Backspace removes the last point; Enter closes it', async () => {
    const h = await mount({ mode: 'polygon' });
    await h.drawPolygon(
      [
        [100, 100],
        [400, 120],
        [380, 400],
        [900, 900],
      ],
      false,
    );
    await h.press('Backspace');
    await h.press('Enter');
    const created = h.events('label-annotation-create');
    expect(created).to.have.length(1);
    const poly = created[0].annotations[0];
    if (poly.kind !== 'polygon') throw new Error('not a polygon');
    expect(poly.points).to.have.length(6);
    [100, 100, 400, 120, 380, 400].forEach((v, i) => near(poly.points[i], v));
  });

  it('closes a polygon by clicking its first point; Esc cancels one in progress; two points are never a polygon', async () => {
    const h = await mount({ mode: 'polygon' });
    await h.drawPolygon(
      [
        [100, 100],
        [400, 100],
        [400, 400],
        [101, 101],
      ],
      false,
    );
    expect(h.events('label-annotation-create')).to.have.length(1);
    await h.drawPolygon(
      [
        [600, 600],
        [800, 600],
        [800, 800],
      ],
      false,
    );
    await h.press('Escape');
    await h.drawPolygon(
      [
        [600, 600],
        [800, 600],
      ],
      true,
    );
    expect(h.events('label-annotation-create')).to.have.length(1);
    expect(h.el.annotations).to.have.length(1);
  });

  it('edits a polygon vertex by dragging it, inserts one with U, and undoes both', async () => {
    const square: Annotation = { id: 'p1', kind: 'polygon', label: 'cat', points: [200, 200, 600, 200, 600, 600, 200, 600] };
    const h = await mount({ tool: 'edit', annotations: [square] });
    await h.click([400, 400]);
    expect(h.el.selectedIds).to.deep.equal(['p1']);
    await h.drag([600, 600], [700, 700]);
    const upd = h.events('label-annotation-update');
    expect(upd).to.have.length(1);
    const moved = upd[0].annotations[0];
    if (moved.kind !== 'polygon') throw new Error('not a polygon');
    (near(moved.points[4], 700), near(moved.points[5], 700));
    expect(upd[0].previous[0]).to.deep.equal(square);
    // U: click on an edge inserts a vertex there
    await h.press('u');
    await h.click([400, 200]);
    const afterInsert = h.el.annotations[0];
    if (afterInsert.kind !== 'polygon') throw new Error('not a polygon');
    expect(afterInsert.points).to.have.length(10);
    // U: click on a vertex removes it (a polygon keeps at least 3 points)
    await h.click([400, 200]);
    const afterRemove = h.el.annotations[0];
    if (afterRemove.kind !== 'polygon') throw new Error('not a polygon');
    expect(afterRemove.points).to.have.length(8);
    await h.press('Control+z');
    await h.press('Control+z');
    await h.press('Control+z');
    expect(h.el.annotations[0]).to.deep.equal(square);
    await h.press('Control+Shift+z');
    const redone = h.el.annotations[0];
    if (redone.kind !== 'polygon') throw new Error('not a polygon');
    near(redone.points[4], 700);
  });

  it('moves and resizes a box in edit mode (M), one update per gesture', async () => {
    const box: Annotation = { id: 'b1', kind: 'box', label: 'cat', x: 200, y: 200, w: 200, h: 100 };
    const h = await mount({ annotations: [box] });
    await h.press('m');
    expect(h.el.tool).to.equal('edit');
    await h.drag([300, 250], [500, 450], 8);
    const upd = h.events('label-annotation-update');
    expect(upd).to.have.length(1);
    const b = upd[0].annotations[0];
    if (b.kind !== 'box') throw new Error('not a box');
    (near(b.x, 400), near(b.y, 400), near(b.w, 200, 0.01), near(b.h, 100, 0.01));
    // resize with the bottom-right handle
    await h.drag([600, 500], [700, 560], 6);
    const r = h.el.annotations[0];
    if (r.kind !== 'box') throw new Error('not a box');
    (near(r.x, 400), near(r.y, 400), near(r.w, 300, 4), near(r.h, 160, 4));
    expect(h.events('label-annotation-update')).to.have.length(2);
  });

  it('undoes and redoes create, update and delete with Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y', async () => {
    const h = await mount();
    await h.drawBox(100, 100, 200, 200);
    const id = h.el.annotations[0].id!;
    await h.press('ArrowRight'); // nudge the selected box 1 px
    expect((h.el.annotations[0] as { x: number }).x).to.be.closeTo(101, 2.5);
    await h.press('Delete');
    expect(h.el.annotations).to.have.length(0);
    await h.press('Control+z'); // undo delete
    expect(h.el.annotations.map((a) => a.id)).to.deep.equal([id]);
    await h.press('Control+z'); // undo nudge
    expect((h.el.annotations[0] as { x: number }).x).to.be.closeTo(100, 2.5);
    await h.press('Control+z'); // undo create
    expect(h.el.annotations).to.have.length(0);
    expect(h.el.canUndo).to.equal(false);
    await h.press('Control+y');
    await h.press('Control+Shift+z');
    await h.press('Control+y');
    expect(h.el.annotations).to.have.length(0); // create, nudge, delete redone
    expect(h.el.canRedo).to.equal(false);
    const sources = [...h.events('label-annotation-create'), ...h.events('label-annotation-update'), ...h.events('label-annotation-delete')].map((d) => d.source);
    expect(sources.filter((s) => s === 'undo')).to.have.length(3);
    expect(sources.filter((s) => s === 'redo')).to.have.length(3);
  });

  it('zoom (wheel) and pan (space+drag, middle button), then draw: the box is right in image pixels', async () => {
    const h = await mount();
    const before = h.el.view;
    await sendMouse({ type: 'move', position: [400, 300] });
    h.el.zoomBy(2, [100, 100]); // the API and the wheel share one path; the wheel is checked below
    await h.frames(2);
    near(h.el.view.scale, 1, 1e-9);
    h.el.dispatchEvent(new Event('noop'));
    // pan with the middle button by (-100, -50) screen px
    await h.dragPage([400, 300], [300, 250], 4, 'middle');
    // pan with space held
    await input.down!('Space');
    await h.dragPage([400, 300], [380, 290], 3);
    await input.up!('Space');
    const v = h.el.view;
    expect(v.cx).to.not.equal(before.cx);
    expect(h.events('label-annotation-create')).to.have.length(0);
    // at scale 1, a 120 × 80 px drag is a 120 × 80 image-px box at the image point under the pointer
    const [ix, iy] = h.el.clientToImage(200, 200);
    await h.dragPage([200, 200], [320, 280], 4);
    const b = h.el.annotations[0];
    if (b?.kind !== 'box') throw new Error('no box');
    (near(b.x, ix, 1.5), near(b.y, iy, 1.5), near(b.w, 120, 1.5), near(b.h, 80, 1.5));
    // the wheel zooms around the pointer: the image point under it stays put
    const under = h.el.clientToImage(500, 400);
    const wheelEl = h.el.shadowRoot!.querySelector('.stage')!;
    wheelEl.dispatchEvent(new WheelEvent('wheel', { deltaY: -200, clientX: 500, clientY: 400, bubbles: true, cancelable: true }));
    await h.frames(2);
    expect(h.el.view.scale).to.be.greaterThan(1);
    const still = h.el.clientToImage(500, 400);
    (near(still[0], under[0], 0.01), near(still[1], under[1], 0.01));
  });

  it('while the view moves, shows a CSS-transformed raster of the shapes; once settled, the crisp pass again', async () => {
    const h = await mount({ annotations: [{ id: 'a', kind: 'box', label: 'dog', x: 200, y: 200, w: 200, h: 200 }] });
    await h.idle(); // the raster is built when idle
    const raster = () => h.el.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.raster');
    const inside = () => h.pixelAt(300, 300);
    const outside = () => h.pixelAt(600, 600);
    for (let i = 0; i < 6; i++) {
      h.el.setView({ scale: 0.5 + i * 0.1, cx: 300 + i * 10, cy: 300 });
      await h.frames(1);
    }
    expect(raster()?.style.visibility).to.equal('visible');
    const settled = h.next('label-view-change');
    const [r, , b] = inside();
    expect(b, 'box tint on the raster').to.be.greaterThan(r + 10);
    expect(outside().slice(0, 3)).to.deep.equal([128, 128, 128]);
    await settled;
    await h.frames(2);
    expect(raster()!.style.visibility).to.equal('hidden');
    const [r2, , b2] = inside();
    expect(b2, 'box tint after settling').to.be.greaterThan(r2 + 10);
    expect(h.events('label-annotation-update')).to.have.length(0);
  });

  it('accepts and rejects prelabels one by one (Enter / Delete) and all at once', async () => {
    const pre: Annotation[] = [
      { id: 'p1', kind: 'box', label: 'cat', x: 100, y: 100, w: 200, h: 200, confidence: 0.91 },
      { id: 'p2', kind: 'box', label: 'dog', x: 600, y: 100, w: 200, h: 200, confidence: 0.55 },
      { id: 'p3', kind: 'box', label: 'car', x: 100, y: 600, w: 200, h: 200, confidence: 0.7 },
      { id: 'p4', kind: 'box', label: 'car', x: 600, y: 600, w: 200, h: 200, confidence: 0.8 },
    ];
    const h = await mount({ tool: 'edit', prelabels: pre });
    await h.click([200, 200]);
    expect(h.el.selectedIds).to.deep.equal(['p1']);
    expect(h.liveText).to.contain('Prelabel box Cat').and.contain('91');
    await h.press('Enter');
    expect(h.events('label-prelabel-accept')[0].prelabels.map((p) => p.id)).to.deep.equal(['p1']);
    expect(h.el.annotations).to.have.length(1);
    expect(h.el.annotations[0]).to.include({ kind: 'box', label: 'cat', x: 100 });
    expect(h.el.annotations[0].confidence).to.equal(undefined);
    await h.click([700, 200]);
    await h.press('Delete');
    expect(h.events('label-prelabel-reject')[0].prelabels.map((p) => p.id)).to.deep.equal(['p2']);
    expect(h.el.prelabels.map((p) => p.id)).to.deep.equal(['p3', 'p4']);
    // all at once, from the bar's button
    const bar = h.el.shadowRoot!.querySelector('[part="prelabel-bar"]')!;
    const acceptAll = [...bar.querySelectorAll('button')].find((b) => b.textContent === 'Accept all')!;
    acceptAll.click();
    await h.frames(2);
    expect(h.el.prelabels).to.have.length(0);
    expect(h.el.annotations).to.have.length(3);
    expect(h.events('label-prelabel-accept')[1].prelabels.map((p) => p.id)).to.deep.equal(['p3', 'p4']);
    // and accepting is undoable like any edit
    await h.press('Control+z');
    expect(h.el.prelabels.map((p) => p.id)).to.deep.equal(['p3', 'p4']);
    expect(h.el.annotations).to.have.length(1);
  });

  it('readonly blocks every edit but still selects', async () => {
    const box: Annotation = { id: 'b1', kind: 'box', label: 'cat', x: 200, y: 200, w: 200, h: 100 };
    const pre: Annotation = { id: 'p1', kind: 'box', label: 'dog', x: 800, y: 800, w: 100, h: 100, confidence: 0.9 };
    const h = await mount({ readonly: true, annotations: [box], prelabels: [pre] });
    await h.drawBox(600, 100, 200, 200);
    await h.click([300, 250]);
    expect(h.el.selectedIds).to.deep.equal(['b1']);
    await h.drag([300, 250], [500, 500]);
    for (const key of ['Delete', 'ArrowRight', '2', 't', 'Control+z', 'Shift+Delete']) await h.press(key);
    await h.click([850, 850]);
    await h.press('Enter');
    expect(h.el.annotations).to.deep.equal([box]);
    expect(h.el.prelabels).to.deep.equal([pre]);
    for (const name of ['label-annotation-create', 'label-annotation-update', 'label-annotation-delete', 'label-prelabel-accept', 'label-edit-request'] as const) {
      expect(h.events(name), name).to.have.length(0);
    }
    expect(h.el.shadowRoot!.querySelector('[part="prelabel-bar"]')).to.equal(null);
  });

  it('view mode is look only: a drag on a shape pans, a click selects, keys edit nothing', async () => {
    const box: Annotation = { id: 'b1', kind: 'box', label: 'cat', x: 200, y: 200, w: 200, h: 100 };
    const h = await mount({ mode: 'view', annotations: [box] });
    const before = h.el.view;
    await h.drag([300, 250], [500, 450]);
    expect(h.el.view.cx).to.be.closeTo(before.cx - 200, 3);
    expect(h.el.annotations).to.deep.equal([box]);
    h.el.fit();
    await h.click([300, 250]);
    expect(h.el.selectedIds).to.deep.equal(['b1']);
    for (const key of ['Delete', 'ArrowLeft', '2', 't']) await h.press(key);
    expect(h.el.annotations).to.deep.equal([box]);
    expect(h.events('label-edit-request')).to.have.length(0);
  });

  it('lets a host veto an edit with label-edit-request', async () => {
    const h = await mount();
    h.el.addEventListener('label-edit-request', (e) => {
      if (e.detail.action === 'delete') e.preventDefault();
    });
    await h.drawBox(100, 100, 200, 200);
    await h.press('Delete');
    expect(h.el.annotations).to.have.length(1);
    expect(h.events('label-annotation-delete')).to.have.length(0);
    expect(h.events('label-edit-request').map((d) => d.action)).to.deep.equal(['create', 'delete']);
  });

  it('keys 1–9 relabel the selection or pick the active label; T places a template box; L locks shapes', async () => {
    const h = await mount();
    await h.press('3');
    expect(h.el.activeLabel).to.equal('car');
    await h.drawBox(100, 100, 120, 80);
    expect(h.el.annotations[0].label).to.equal('car');
    // Right after drawing, a key picks the label of the next shape; the box just drawn keeps its own.
    await h.press('2');
    expect(h.el.activeLabel).to.equal('dog');
    expect(h.el.annotations[0].label).to.equal('car');
    // Selecting the shape (a click) and pressing a key relabels it.
    await h.click([160, 140]);
    expect(h.el.selectedIds).to.deep.equal([h.el.annotations[0].id]);
    await h.press('2');
    expect(h.el.annotations[0].label).to.equal('dog');
    expect(h.events('label-annotation-update')[0].previous[0].label).to.equal('car');
    // T: same size as the last box, centred on the pointer
    await h.move([800, 600]);
    await h.press('t');
    const t = h.el.annotations[1];
    if (t.kind !== 'box') throw new Error('not a box');
    (near(t.w, 120), near(t.h, 80), near(t.x + t.w / 2, 800, 3), near(t.y + t.h / 2, 600, 3));
    // L: locked shapes ignore clicks (the click falls through to drawing / nothing)
    await h.press('Escape');
    await h.press('l');
    expect(h.el.locked).to.equal(true);
    await h.press('m');
    await h.click([150, 130]);
    expect(h.el.selectedIds).to.deep.equal([]);
    await h.press('l');
    await h.click([150, 130]);
    expect(h.el.selectedIds).to.deep.equal([h.el.annotations[0].id]);
    // Shift+Delete deletes every region, as one undoable step
    await h.press('Shift+Delete');
    expect(h.el.annotations).to.have.length(0);
    await h.press('Control+z');
    expect(h.el.annotations).to.have.length(2);
  });

  it('classifies: number keys set the tag (one for multi-class, several for multi-label)', async () => {
    const h = await mount({ mode: 'classify' });
    await h.press('1');
    await h.press('2');
    expect(h.el.annotations.map((a) => [a.kind, a.label])).to.deep.equal([['class', 'dog']]);
    h.el.multiLabel = true;
    await h.press('3');
    expect(h.el.annotations.map((a) => a.label).sort()).to.deep.equal(['car', 'dog']);
    await h.press('3');
    expect(h.el.annotations.map((a) => a.label)).to.deep.equal(['dog']);
    const tags = [...h.el.shadowRoot!.querySelectorAll('[part~="tag"]')].map((t) => t.textContent?.trim());
    expect(tags).to.deep.equal(['Dog']);
  });

  it('selects with a marquee and multi-selects with Shift; the live region says so', async () => {
    const anns: Annotation[] = [
      { id: 'a', kind: 'box', label: 'cat', x: 100, y: 100, w: 100, h: 100 },
      { id: 'b', kind: 'box', label: 'dog', x: 300, y: 100, w: 100, h: 100 },
      { id: 'c', kind: 'box', label: 'car', x: 1000, y: 1000, w: 100, h: 100 },
    ];
    const h = await mount({ tool: 'edit', annotations: anns });
    await h.drag([50, 50], [450, 250]);
    expect([...h.el.selectedIds].sort()).to.deep.equal(['a', 'b']);
    expect(h.liveText).to.equal('2 shapes selected');
    await h.press('ArrowDown');
    expect(h.events('label-annotation-update').at(-1)!.annotations).to.have.length(2);
    await h.press('Escape');
    expect(h.liveText).to.equal('No selection');
    expect(h.events('label-selection-change').at(-1)!.ids).to.deep.equal([]);
  });

  it('leaves out invalid annotations with a label-error (E_INVALID_ANNOTATION) and keeps the rest', async () => {
    const errors: unknown[] = [];
    const el = document.createElement('label-canvas');
    el.addEventListener('label-error', (e) => errors.push(e.detail.error));
    el.annotations = [
      { kind: 'box', label: 'cat', x: 0, y: 0, w: 0, h: 10 },
      { kind: 'polygon', label: 'cat', points: [0, 0, 1, 1] },
      { kind: 'box', label: 'cat', x: 1, y: 2, w: 3, h: 4 },
    ];
    document.body.append(el);
    await el.updateComplete;
    expect(el.annotations).to.have.length(1);
    expect(el.annotations[0].id).to.be.a('string');
    expect(errors.map((e) => (e as { code: string }).code)).to.deep.equal(['E_INVALID_ANNOTATION', 'E_INVALID_ANNOTATION']);
  });

  it('reports an image that cannot be decoded as label-error, with a message shown', async () => {
    const el = document.createElement('label-canvas');
    const failed = new Promise<CustomEvent>((r) => el.addEventListener('label-error', (e) => r(e), { once: true }));
    el.image = new Blob([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])]);
    document.body.append(el);
    const e = await failed;
    expect((e.detail.error as { code: string }).code).to.match(/^E_/);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="message"]')!.textContent).to.not.equal('');
  });

  it('reads theme custom properties (--label-canvas-* over --label-*) and redraws when they change', async () => {
    const h = await mount({ tool: 'edit', annotations: [{ id: 'a', kind: 'box', label: 'cat', x: 400, y: 400, w: 400, h: 400 }] });
    await h.click([600, 600]);
    const edge = (): [number, number, number, number] => {
      const [x, y] = h.el.imageToClient(400, 500); // on the left edge, between two handles
      return h.pixelAtPage(Math.round(x), Math.round(y));
    };
    // The canvas sees a theme change through its probe's transition (theme.ts): wait for that event.
    const probe = h.el.shadowRoot!.querySelector('.probe')!;
    const themed = () => new Promise((r) => probe.addEventListener('transitionrun', r, { once: true }));
    let changed = themed();
    document.documentElement.style.setProperty('--label-accent', 'rgb(255, 0, 0)');
    await changed;
    await h.frames(2);
    expect(edge().slice(0, 3)).to.deep.equal([255, 0, 0]);
    changed = themed();
    h.el.style.setProperty('--label-canvas-selection-color', 'rgb(0, 255, 0)');
    await changed;
    await h.frames(2);
    expect(edge().slice(0, 3)).to.deep.equal([0, 255, 0]);
    document.documentElement.style.removeProperty('--label-accent');
  });
});

// web-test-runner serves the repository root: the real TIFF/DICOM files are under test/fixtures.
