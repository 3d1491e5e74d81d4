// @labelkit/core/export — streamed exports (COCO, Azure ML JSONL, YOLO, Pascal VOC), importers
// (COCO, JSONL) and COCO validation. Browser- and Node-safe; Node file sinks are in ./node.ts
// (re-exported by @labelkit/core/node). See docs/export.md.
import type { ProjectKind } from '../types.js';

export { exportCoco } from './coco.js';
export { exportJsonl, azuremlImageUrl, type AzuremlDatastore } from './jsonl.js';
export { exportAzureMlDataset, azureMlTable } from './mltable.js';
export { exportYolo, exportVoc } from './files.js';
export { zipFiles, crc32, type ZipOptions } from './zip.js';
export { ExportStream, ExportFiles } from './stream.js';
export {
  toReadableStream,
  toBlob,
  collectBytes,
  writeToStore,
  writeFilesToStore,
  exportKey,
  isStreamingStore,
  EXPORT_ROOT,
  type StreamingStore,
  type WriteToStoreOptions,
  type WriteFilesToStoreOptions,
} from './sinks.js';
export { importCoco } from './import/coco.js';
export { importJsonl } from './import/jsonl.js';
export { validateCoco, type CocoValidation, type CocoProblem, type CocoValidateOptions } from './validate.js';
export type {
  ExportFormat,
  ExportOptions,
  CocoExportOptions,
  JsonlExportOptions,
  YoloExportOptions,
  VocExportOptions,
  CocoInfo,
  CocoLicense,
  ImageUrlOf,
  ImageSize,
  ProbeSize,
  ExportProgress,
  ExportReport,
  ExportIssue,
  ExportIssueCode,
  ExportEntry,
  ImportInput,
  ImportOptions,
  ImportResult,
  ImportedItem,
  ImportFailure,
  ImportFailureCode,
} from './types.js';

/** Every export format. */
export const EXPORT_FORMATS = ['coco', 'jsonl', 'yolo', 'voc'] as const;

/** The formats a project kind can be exported in: COCO and JSONL for all; YOLO and VOC for regions. */
export function exportFormatsFor(kind: ProjectKind): readonly ('coco' | 'jsonl' | 'yolo' | 'voc')[] {
  return kind === 'image-object-detection' || kind === 'image-instance-segmentation' ? EXPORT_FORMATS : ['coco', 'jsonl'];
}
