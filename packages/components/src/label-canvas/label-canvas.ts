// Registers <label-canvas>. Importing this module has that side effect (and only this one);
// import `LabelCanvas` from `label-canvas.component.js` to register it under another name.
import { LabelCanvas } from './label-canvas.component.js';

export { LabelCanvas };

// Guarded twice: against a second `define`, and for server-side imports (no `customElements` in Node).
if (typeof customElements !== 'undefined' && !customElements.get('label-canvas')) customElements.define('label-canvas', LabelCanvas);

declare global {
  interface HTMLElementTagNameMap {
    'label-canvas': LabelCanvas;
  }
}
