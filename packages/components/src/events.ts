/**
 * Every `label-…` DOM event of @labelkit/components, with its `detail` type, in one place.
 *
 * All events are `CustomEvent`s that bubble and are composed (they cross shadow roots). They fire at
 * commit points (a box drawn, a drag ended), never on every pointer frame. A vetoable action is
 * preceded by a cancelable request event (`label-edit-request`): `preventDefault()` on it stops the
 * action before anything changes.
 *
 * To add events for another element: add its detail types, add one line per event to
 * `LabelEventDetailMap`, and re-export the names from `index.ts`. `HTMLElementEventMap` picks them up,
 * so `el.addEventListener('label-…', e => e.detail)` is typed everywhere.
 */
import type { Annotation, Task } from '@labelkit/core';

/** Where a change came from: the user's own gesture, undo/redo, or a program call (API). */
export type ChangeSource = 'user' | 'undo' | 'redo' | 'api';

/** An annotation as the canvas holds it: always with an `id`. */
export type IdentifiedAnnotation = Annotation & { readonly id: string };

export interface AnnotationCreateDetail {
  /** The annotations created (one for a drawn shape; several for "accept all" or undo of a delete). */
  readonly annotations: readonly IdentifiedAnnotation[];
  readonly source: ChangeSource;
}

export interface AnnotationUpdateDetail {
  /** The annotations after the change. */
  readonly annotations: readonly IdentifiedAnnotation[];
  /** The same annotations before the change, in the same order. */
  readonly previous: readonly IdentifiedAnnotation[];
  readonly source: ChangeSource;
}

export interface AnnotationDeleteDetail {
  readonly annotations: readonly IdentifiedAnnotation[];
  readonly source: ChangeSource;
}

export interface SelectionChangeDetail {
  /** Ids of the selected annotations (or prelabels), in selection order. */
  readonly ids: readonly string[];
  /** The selected annotations themselves. */
  readonly annotations: readonly IdentifiedAnnotation[];
}

export interface PrelabelDetail {
  /** The prelabels accepted or rejected (one, or all of them). */
  readonly prelabels: readonly IdentifiedAnnotation[];
  readonly source: ChangeSource;
}

/** The kinds of action a host may veto through `label-edit-request`. */
export type EditAction = 'create' | 'update' | 'delete' | 'prelabel-accept' | 'prelabel-reject';

export interface EditRequestDetail {
  readonly action: EditAction;
  /** The annotations as they would be after the action (empty for a delete or reject). */
  readonly annotations: readonly IdentifiedAnnotation[];
  /** The annotations as they are before the action (empty for a create). */
  readonly previous: readonly IdentifiedAnnotation[];
  readonly source: ChangeSource;
}

export interface ImageLoadDetail {
  readonly width: number;
  readonly height: number;
  /** Number of pages (TIFF) or frames (DICOM); 1 for ordinary images. */
  readonly frames: number;
  /** The frame shown. */
  readonly frame: number;
}

export interface ErrorDetail {
  /** A `LabelkitError` (with a stable `code`) or whatever was thrown. */
  readonly error: unknown;
  /** What the element was doing ("image-load", …). */
  readonly during: string;
}

export interface ViewChangeDetail {
  /** Screen pixels per image pixel. */
  readonly scale: number;
  /** The image point at the centre of the viewport. */
  readonly cx: number;
  readonly cy: number;
}

/**
 * The canvas's tools changed by the user (a key, the tool rail, `applyLabel`): what a palette or a
 * toolbar outside the canvas shows. `activeLabel` is the label new shapes get.
 */
export interface ToolChangeDetail {
  readonly mode: 'classify' | 'box' | 'polygon' | 'view';
  readonly tool: 'draw' | 'edit';
  readonly activeLabel: string | undefined;
  readonly vertexEdit: boolean;
  readonly locked: boolean;
}

// ——— <label-queue> and <label-dashboard> ———

/** A task was shown (new, resumed after a reload, or with its draft restored). */
export interface TaskLoadDetail {
  readonly task: Task;
  /** True when a saved draft was restored into it. */
  readonly restored: boolean;
}

/**
 * On page load, the task this tab held was drawn from its hint before the project opened: shown, not
 * yet workable (Submit and Skip stay off until `label-task-load` confirms the lease).
 */
export interface TaskPreviewDetail {
  readonly task: Task;
}

/** Labels were submitted (after the project recorded them). */
export interface TaskSubmitDetail {
  readonly taskId: string;
  readonly items: readonly number[];
  readonly needsReview: boolean;
}

/** Items were skipped (after the project recorded it). */
export interface TaskSkipDetail {
  readonly taskId: string;
  readonly items: readonly number[];
}

/** A work-in-progress draft was saved. */
export interface DraftSaveDetail {
  readonly taskId: string;
}

/** Items were rejected or requeued from the dashboard (after the project recorded it). */
export interface ItemsChangeDetail {
  /** `resolve`: a reviewer chose the final labels of consensus items whose answers disagreed. */
  readonly action: 'reject' | 'approve' | 'requeue' | 'resolve';
  readonly items: readonly number[];
}

/** An export finished; `file` is what was offered for download. */
export interface ExportDetail {
  readonly format: string;
  readonly file: Blob;
  readonly fileName: string;
}

/** Local images were uploaded into the project's container from the dashboard (Details tab). */
export interface UploadCompleteDetail {
  readonly uploaded: number;
  readonly alreadyThere: number;
  readonly conflicts: number;
  readonly failed: number;
}

/** Event name → `detail` type, for every Labelkit event. One line per event. */
export interface LabelEventDetailMap {
  'label-annotation-create': AnnotationCreateDetail;
  'label-annotation-update': AnnotationUpdateDetail;
  'label-annotation-delete': AnnotationDeleteDetail;
  'label-selection-change': SelectionChangeDetail;
  'label-prelabel-accept': PrelabelDetail;
  'label-prelabel-reject': PrelabelDetail;
  'label-edit-request': EditRequestDetail;
  'label-image-load': ImageLoadDetail;
  'label-view-change': ViewChangeDetail;
  'label-tool-change': ToolChangeDetail;
  'label-error': ErrorDetail;
  'label-task-preview': TaskPreviewDetail;
  'label-task-load': TaskLoadDetail;
  'label-task-submit': TaskSubmitDetail;
  'label-task-skip': TaskSkipDetail;
  'label-draft-save': DraftSaveDetail;
  'label-items-change': ItemsChangeDetail;
  'label-export': ExportDetail;
  'label-upload-complete': UploadCompleteDetail;
}

export type LabelEventName = keyof LabelEventDetailMap;
export type LabelEvent<K extends LabelEventName> = CustomEvent<LabelEventDetailMap[K]>;

/** The names, as constants, for hosts that prefer not to type strings. */
export const LabelEvents = {
  annotationCreate: 'label-annotation-create',
  annotationUpdate: 'label-annotation-update',
  annotationDelete: 'label-annotation-delete',
  selectionChange: 'label-selection-change',
  prelabelAccept: 'label-prelabel-accept',
  prelabelReject: 'label-prelabel-reject',
  editRequest: 'label-edit-request',
  imageLoad: 'label-image-load',
  viewChange: 'label-view-change',
  toolChange: 'label-tool-change',
  error: 'label-error',
  taskPreview: 'label-task-preview',
  taskLoad: 'label-task-load',
  taskSubmit: 'label-task-submit',
  taskSkip: 'label-task-skip',
  draftSave: 'label-draft-save',
  itemsChange: 'label-items-change',
  export: 'label-export',
  uploadComplete: 'label-upload-complete',
} as const satisfies Record<string, LabelEventName>;

/** Events that are cancelable (a vetoable action follows only when none cancelled it). */
const CANCELABLE: ReadonlySet<LabelEventName> = new Set<LabelEventName>(['label-edit-request']);

/**
 * Dispatches a typed Labelkit event from `target` (bubbling, composed; cancelable where the event
 * is a request). Returns false when a listener called `preventDefault()`.
 */
export function emit<K extends LabelEventName>(target: EventTarget, name: K, detail: LabelEventDetailMap[K]): boolean {
  return target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: CANCELABLE.has(name) }));
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends LabelEventMapEntries {}
}
type LabelEventMapEntries = { [K in LabelEventName]: LabelEvent<K> };
