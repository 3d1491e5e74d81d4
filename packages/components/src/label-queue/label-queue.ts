// Registers <label-queue>. Importing this module has that side effect (and only this one);
// import `LabelQueue` from `label-queue.component.js` to register it under another name.
import { LabelQueue } from './label-queue.component.js';

export { LabelQueue };

// Guarded twice: against a second `define`, and for server-side imports (no `customElements` in Node).
if (typeof customElements !== 'undefined' && !customElements.get('label-queue')) customElements.define('label-queue', LabelQueue);

declare global {
  interface HTMLElementTagNameMap {
    'label-queue': LabelQueue;
  }
}
