// Public API of @labelkit/components: named exports only. Importing this entry registers all three
// elements. To pay only for what a page uses, import one element's entry instead
// (`@labelkit/components/label-queue`, `/label-dashboard`, `/label-canvas`); `ProjectController` alone
// is `@labelkit/components/project-controller`, the instructions renderer `@labelkit/components/markdown`
// (marked + DOMPurify: the elements load it with import() only when they show instructions).
export { LabelCanvas } from './label-canvas/label-canvas.js';
export type { CanvasMode, CanvasTool, ShapeKind } from './label-canvas/label-canvas.component.js';
export type { CanvasImageInput, DecodedImageLike, ImageBytes, Window as WindowLevelInput } from './label-canvas/image-input.js';
export {
  LabelEvents,
  type AnnotationCreateDetail,
  type AnnotationDeleteDetail,
  type AnnotationUpdateDetail,
  type ChangeSource,
  type EditAction,
  type EditRequestDetail,
  type ErrorDetail,
  type IdentifiedAnnotation,
  type ImageLoadDetail,
  type LabelEvent,
  type LabelEventDetailMap,
  type LabelEventName,
  type PrelabelDetail,
  type SelectionChangeDetail,
  type ViewChangeDetail,
  type ToolChangeDetail,
} from './events.js';
export { LabelQueue } from './label-queue/label-queue.js';
export type { QueueDraft } from './label-queue/label-queue.component.js';
export { LabelDashboard } from './label-dashboard/label-dashboard.js';
export { STATE_COLORS, type DashboardTab } from './label-dashboard/label-dashboard.component.js';
export type { DashboardUpload, DashboardUploadProgress, DashboardUploadReport } from './label-dashboard/upload-card.js';
export { ProjectController } from './controllers/project-controller.js';
export type { TaskPreviewDetail, TaskLoadDetail, TaskSubmitDetail, TaskSkipDetail, DraftSaveDetail, ItemsChangeDetail, ExportDetail, UploadCompleteDetail } from './events.js';
