// <label-canvas> with TIFF and DICOM fixtures (through @labelkit/core/media), in real Chromium with real input.
import { expect } from '@esm-bundle/chai';
import { resetMouse } from '@web/test-runner-commands';
import './label-canvas.js';
import { mount } from '../../test/canvas-setup.js';

const FIXTURES = '/test/fixtures';
async function fixture(path: string): Promise<{ bytes: Uint8Array; path: string }> {
  const res = await fetch(`${FIXTURES}/${path}`);
  if (!res.ok) throw new Error(`fixture ${path}: ${res.status}`);
  return { bytes: new Uint8Array(await res.arrayBuffer()), path };
}

describe('<label-canvas> with TIFF and DICOM (through @labelkit/core/media)', () => {
  afterEach(async () => {
    document.querySelectorAll('label-canvas').forEach((e) => e.remove());
    await resetMouse();
  });

  it('shows a 16-bit grey TIFF and changes window/level by right-drag', async () => {
    const h = await mount({ image: await fixture('tiff/ladoga.tif') });
    expect(h.el.imageSize).to.deep.equal({ width: 158, height: 118, frames: 1 });
    expect(h.el.presets.length).to.be.greaterThan(0);
    const start = h.el.window!;
    expect(start).to.have.keys('center', 'width');
    const before = h.pixelAt(79, 59);
    await h.drag([40, 40], [100, 40], 4, 'right'); // right widens the window
    await h.frames(3);
    expect(h.el.window!.width).to.be.greaterThan(start.width);
    expect(h.pixelAt(79, 59)).to.not.deep.equal(before);
    // presets apply by id and are undone by nothing: window/level is a view setting, not an edit
    h.el.applyPreset(h.el.presets[0].id);
    await h.frames(2);
    expect(h.el.window).to.deep.equal(h.el.presets[0].window);
    expect(h.events('label-annotation-update')).to.have.length(0);
  });

  it('touch: a long press changes window/level (there is no right button), a moving finger does not', async () => {
    const h = await mount({ image: await fixture('tiff/ladoga.tif') });
    const start = h.el.window!;
    const stage = h.el.shadowRoot!.querySelector<HTMLElement>('.stage')!;
    const touch = (type: string, [x, y]: [number, number], id = 11) =>
      stage.dispatchEvent(
        new PointerEvent(type, {
          pointerId: id,
          pointerType: 'touch',
          isPrimary: true,
          clientX: x,
          clientY: y,
          button: 0,
          buttons: type === 'pointerup' ? 0 : 1,
          bubbles: true,
          composed: true,
        }),
      );
    const [x, y] = h.el.imageToClient(40, 40);
    // A finger that moves at once draws (or pans): the window stays.
    touch('pointerdown', [x, y], 12);
    touch('pointermove', [x + 40, y + 30], 12);
    await new Promise((r) => setTimeout(r, 600));
    touch('pointerup', [x + 40, y + 30], 12);
    await h.frames(2);
    expect(h.el.window).to.deep.equal(start);
    const drawn = h.el.annotations.length; // that finger drew a box
    // A finger held still for half a second, then moved right: the window widens.
    touch('pointerdown', [x, y]);
    await new Promise((r) => setTimeout(r, 600));
    for (let k = 1; k <= 4; k++) {
      touch('pointermove', [x + 20 * k, y]);
      await h.frames(1);
    }
    touch('pointerup', [x + 80, y]);
    await h.frames(3);
    expect(h.el.window!.width).to.be.greaterThan(start.width);
    expect(h.el.annotations, 'no box drawn by the long press').to.have.length(drawn);
  });

  it('switches the pages of a multi-page TIFF with PageDown / PageUp and keeps the annotations', async () => {
    const h = await mount({ image: await fixture('tiff/seq-1c-8b-multipage-adeefdcc.tiff'), annotations: [{ id: 'x', kind: 'box', label: 'cat', x: 2, y: 2, w: 5, h: 5 }] });
    expect(h.el.imageSize!.frames).to.equal(3);
    let page = h.next('label-image-load');
    await h.press('PageDown');
    expect(h.el.frame).to.equal(1);
    expect((await page).frame).to.equal(1);
    page = h.next('label-image-load');
    await h.press('PageUp');
    expect((await page).frame).to.equal(0);
    // the media bar's buttons do the same
    const bar = h.el.shadowRoot!.querySelector('[part="media-bar"]')!;
    expect(bar.textContent).to.contain('1 / 3');
    page = h.next('label-image-load');
    bar.querySelector<HTMLButtonElement>('[aria-label^="Next frame"]')!.click();
    expect((await page).frame).to.equal(1);
    await h.el.updateComplete;
    expect(h.el.shadowRoot!.querySelector('[part="media-bar"]')!.textContent).to.contain('2 / 3');
    expect(h.el.annotations.map((a) => a.id)).to.deep.equal(['x']);
  });

  it('shows a DICOM (MONOCHROME1 CR with its own window) and offers its window as a preset', async () => {
    const h = await mount({ image: await fixture('dicom/CR_monochrome1_small.dcm') });
    expect(h.el.imageSize).to.deep.equal({ width: 16, height: 16, frames: 1 });
    expect(h.el.window).to.deep.equal({ center: 1600, width: 2800 });
    expect(h.el.presets.map((p) => p.window)).to.deep.include({ center: 1600, width: 2800 });
    // choosing another preset in the media bar applies its window
    const select = h.el.shadowRoot!.querySelector<HTMLSelectElement>('select[part="presets"]')!;
    const other = h.el.presets.find((p) => p.window.center !== 1600)!;
    select.value = other.id;
    select.dispatchEvent(new Event('change'));
    expect(h.el.window).to.deep.equal(other.window);
  });

  it('switches the frames of a multi-frame DICOM', async () => {
    const h = await mount({ image: await fixture('dicom/examples_ybr_color.dcm') });
    expect(h.el.imageSize).to.deep.equal({ width: 320, height: 240, frames: 30 });
    h.el.frame = 29;
    await new Promise<void>((r) => h.el.addEventListener('label-image-load', () => r(), { once: true }));
    expect(h.events('label-image-load').at(-1)).to.deep.include({ frame: 29, frames: 30 });
  });
});
