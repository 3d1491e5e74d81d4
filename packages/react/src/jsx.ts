// JSX types for the custom elements themselves, for apps that write `<label-queue>` in TSX rather
// than use the wrappers. React 19 sets a custom element's properties when the element has them
// (`project`, `source`, …) and adds `on<event-name>` props as listeners (`onlabel-task-submit`).
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { LabelCanvas, LabelDashboard, LabelEvent, LabelEventName, LabelQueue } from '@labelkit/components';

type IfEquals<X, Y, A, B> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? A : B;
/** The element's own settable properties: no methods, no read-only getters, nothing of HTMLElement's (Lit's public members are methods or read-only). */
type OwnProperties<E> = {
  [
    K in Exclude<keyof E, keyof HTMLElement> as E[K] extends (...args: never[]) => unknown ? never : IfEquals<Pick<E, K>, { -readonly [Q in keyof Pick<E, K>]: E[Q] }, K, never>
  ]?: E[K];
};
/** `on<event-name>` listener props, typed with the event's detail. */
type EventProps<K extends LabelEventName> = { [N in K as `on${N}`]?: (event: LabelEvent<N>) => void };

/** The JSX props of a Labelkit element: HTML attributes, its properties, and its events. */
export type LabelElementProps<E extends HTMLElement, K extends LabelEventName> = DetailedHTMLProps<HTMLAttributes<E>, E> & OwnProperties<E> & EventProps<K>;

export type LabelQueueEventName = 'label-task-preview' | 'label-task-load' | 'label-task-submit' | 'label-task-skip' | 'label-draft-save' | 'label-error';
export type LabelDashboardEventName = 'label-items-change' | 'label-export' | 'label-error';
export type LabelCanvasEventName =
  | 'label-annotation-create'
  | 'label-annotation-update'
  | 'label-annotation-delete'
  | 'label-selection-change'
  | 'label-prelabel-accept'
  | 'label-prelabel-reject'
  | 'label-edit-request'
  | 'label-image-load'
  | 'label-view-change'
  | 'label-tool-change'
  | 'label-error';

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'label-queue': LabelElementProps<LabelQueue, LabelQueueEventName> & { 'grid-size'?: number | string; 'autosave-delay'?: number | string };
      'label-dashboard': LabelElementProps<LabelDashboard, LabelDashboardEventName>;
      'label-canvas': LabelElementProps<LabelCanvas, LabelCanvasEventName>;
    }
  }
}
