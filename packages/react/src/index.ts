// @labelkit/react — React components for Labelkit's elements, made with @lit/react, and JSX types
// for the elements themselves. One module per element: importing `LabelQueue` registers
// `<label-queue>` only (this package is side-effect free; the registrations are the elements').
export { LabelQueue } from './label-queue.js';
export { LabelDashboard } from './label-dashboard.js';
export { LabelCanvas } from './label-canvas.js';
export type { LabelElementProps, LabelQueueEventName, LabelDashboardEventName, LabelCanvasEventName } from './jsx.js';
