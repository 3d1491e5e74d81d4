// Shared setup of the <label-canvas> browser tests: real input through @web/test-runner-commands,
// three labels, an image whose fitted scale is exactly 0.5, and a mounted element with its harness.
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import '../src/label-canvas/label-canvas.js';
import type { LabelCanvas } from '../src/label-canvas/label-canvas.component.js';
import { LabelCanvasHarness, type InputDriver } from '../src/label-canvas/label-canvas.harness.js';

export const input: InputDriver = {
  // sendMouse presses where the pointer is: move there first, then press or release.
  mouse: async (a) => {
    await sendMouse({ type: 'move', position: a.position });
    if (a.type !== 'move') await sendMouse({ type: a.type, button: a.button ?? 'left' });
  },
  press: (key) => sendKeys({ press: key }),
  down: (key) => sendKeys({ down: key }),
  up: (key) => sendKeys({ up: key }),
};

export const LABELS = [
  { id: 'cat', name: 'Cat', color: '#e69f00' },
  { id: 'dog', name: 'Dog', color: '#0072b2' },
  { id: 'car', name: 'Car', color: '#009e73' },
];

/** A 1600 × 1200 grey image in an 800 × 600 element: the fitted scale is exactly 0.5. */
export function testImage(): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = 1600;
  c.height = 1200;
  const g = c.getContext('2d')!;
  g.fillStyle = '#808080';
  g.fillRect(0, 0, 1600, 1200);
  return c;
}

/** An 800 × 600 `<label-canvas>` with `props`, mounted and ready (its image loaded). */
export async function mount(props: Partial<LabelCanvas> = {}): Promise<LabelCanvasHarness> {
  const el = document.createElement('label-canvas');
  el.style.cssText = 'position:fixed;left:0;top:0;width:800px;height:600px';
  el.labels = LABELS;
  Object.assign(el, props);
  el.image ??= testImage();
  document.body.append(el);
  const h = new LabelCanvasHarness(el, input);
  await h.ready();
  return h;
}
