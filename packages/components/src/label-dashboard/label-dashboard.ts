// Registers <label-dashboard>. Importing this module has that side effect (and only this one);
// import `LabelDashboard` from `label-dashboard.component.js` to register it under another name.
import { LabelDashboard } from './label-dashboard.component.js';

export { LabelDashboard };

// Guarded twice: against a second `define`, and for server-side imports (no `customElements` in Node).
if (typeof customElements !== 'undefined' && !customElements.get('label-dashboard')) customElements.define('label-dashboard', LabelDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'label-dashboard': LabelDashboard;
  }
}
