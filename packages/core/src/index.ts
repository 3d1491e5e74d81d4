// @labelkit/core — the framework-free core. Named exports only.
export { LabelkitError, throwIfAborted, type ErrorCode } from './errors.js';
export { ACCEPTED_EXTENSIONS, MAX_ITEMS_PER_PROJECT, extensionOf, isAcceptedImagePath, isDicomPath, type AcceptedExtension } from './formats.js';
export {
  DEFAULT_ASSIST,
  DEFAULT_QUEUE,
  ITEM_STATES,
  LANES,
  PROJECT_KINDS,
  TASK_SIZES,
  isClassificationKind,
  type Actor,
  type Annotation,
  type AnnotationShape,
  type AssistSettings,
  type BoxAnnotation,
  type ClassAnnotation,
  type ItemRef,
  type ItemState,
  type ItemView,
  type LabelClass,
  type Lane,
  type PolygonAnnotation,
  type ProjectKind,
  type ProjectReader,
  type QueueOrder,
  type QueueSettings,
  type Role,
  type RunKind,
  type RunStatus,
  type TaskSize,
} from './types.js';
export { validateAnnotations } from './annotations.js';
export {
  MIN_REGION_AREA,
  boxHasArea,
  clipBox,
  clipPolygon,
  distinctPoints,
  polygonArea,
  polygonBounds,
  polygonHasArea,
  regionBounds,
  regionIoU,
  cornersIoU,
  pointInPolygon,
  regionProblem,
  type ClippedBox,
  type ClippedPolygon,
  type Corners,
  type ImageBounds,
} from './geometry.js';
export { type IngestReport } from './ingest.js';
export { EVENT_SCHEMA_VERSION, upcast, type JournalEvent, type ProjectEvent, type EventType, type LabelAddMode } from './journal/events.js';
export { Journal, type JournalCursor, type JournalDamage } from './journal/journal.js';
export { encodeSegment, decodeSegment } from './journal/codec.js';
export { type RunRecord, type Stats } from './state/project-state.js';
export { encodeSnapshot, decodeSnapshot, SNAPSHOT_FORMAT } from './state/snapshot.js';
export { Project, type ItemLabels, type OpenReport, type ProjectChange, type ProjectOptions, type Task } from './project.js';
export { readTaskHint, writeTaskHint, writeFirstLook, clearTaskHint, taskHintScope, type TaskHint, type FirstLook } from './task-hint.js';
export { decide as decideConsensus, matchAnswers, DEFAULT_CONSENSUS_IOU, type ConsensusSettings, type Decision as ConsensusDecision } from './team/consensus.js';
export { type ConsensusAnswer, type ConsensusSummary, type ConsensusView, type LabelerStats, type ProjectStatus } from './team/team-state.js';
export { LABEL_PALETTE, MAX_LABEL_NAME_LENGTH, labelNameKey, makeLabelClasses, normalizeLabelName, type LabelSpec } from './labels.js';
// Light enough for the main entry (no codec): the queue retries fetches with it.
export { isFetchFailure, retryFetch, type FetchRetryOptions } from './media/failure.js';
export { ProjectRegistry, normalizeName, type NewProject, type ProjectSummary } from './registry.js';
export { getJson, listAll, putJson, type PutOptions, type Store, type StoreEntry, type StoredObject } from './store/store.js';
export { MemoryStore, compareKeys } from './store/memory-store.js';
export { IndexedDBStore } from './store/indexeddb-store.js';
export { type DataSource } from './sources/source.js';
export { MemorySource } from './sources/memory-source.js';
export { UrlListSource, stripQuery } from './sources/url-source.js';
export { FileListSource, DirectoryHandleSource, type FileLike, type DirectoryHandleLike, type FileHandleLike } from './sources/file-source.js';
export { mulberry32, shuffleInPlace, deriveSeed, randomId } from './util/prng.js';
export { crc32 } from './util/crc32.js';

// ── ML assist port (packages/core/src/assistant.ts; implemented by @labelkit/ml) ──
export {
  ASSIST_DEVICES,
  type AssistActivity,
  type AssistFlags,
  type Assistant,
  type AssistCallOptions,
  type AssistCompute,
  type AssistDetection,
  type AssistDevice,
  type AssistDeviceRequest,
  type AssistEncodedImage,
  type AssistFailure,
  type AssistHead,
  type AssistImage,
  type AssistMonitor,
  type AssistPixels,
  type AssistProgress,
  type AssistRun,
  type ClusterOptions,
  type ClusterResult,
  type DetectOptions,
  type DetectResult,
  type FeaturizeResult,
  type HeadKind,
  type Matrix,
  type PredictResult,
  type PropagationRequest,
  type TrainRequest,
  type TrainResult,
} from './assistant.js';
