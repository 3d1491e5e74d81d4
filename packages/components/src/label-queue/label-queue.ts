// Registers <label-queue>. Importing this module has that side effect (and only this one);
// import `LabelQueue` from `label-queue.component.js` to register it under another name.
import { LabelQueue } from './label-queue.component.js';

export { LabelQueue };

if (!customElements.get('label-queue')) customElements.define('label-queue', LabelQueue);

declare global {
  interface HTMLElementTagNameMap {
    'label-queue': LabelQueue;
  }
}
