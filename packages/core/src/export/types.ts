import type { Annotation, ItemState, ItemView, LabelClass, ProjectKind, ProjectReader } from '../types.js';

/** Export formats. `coco` and `jsonl` are one file; `yolo` and `voc` are a tree of files. */
export type ExportFormat = 'coco' | 'jsonl' | 'yolo' | 'voc';

/** A pixel size, as the media layer's header probe gives it. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Reads an image's pixel size when the item does not carry it (e.g. `probeImage` of
 * `@labelkit/core/media` bound to the project's data source). A rejection marks the item's size as
 * unknown; it is reported, never written as 0.
 */
export type ProbeSize = (path: string, signal?: AbortSignal) => Promise<ImageSize>;

/** Progress of an export or import, reported every `progressEvery` items and once at the end. */
export interface ExportProgress {
  /** `images`/`annotations`: the two passes of a COCO export; `items` for every other export; `done` at the end. */
  readonly phase: 'images' | 'annotations' | 'items' | 'done';
  /** Work done and total work, in item visits (a COCO export visits each item twice). */
  readonly done: number;
  readonly total: number;
  /** Images and annotations written so far. */
  readonly images: number;
  readonly annotations: number;
  /** Bytes produced so far (before compression). */
  readonly bytes: number;
}

/** Why an item or an annotation was changed or left out of an export. */
export type ExportIssueCode =
  /** The image's size is unknown (no width/height on the item and no probe, or the probe failed). */
  | 'size-unknown'
  /** A shape reached outside the image and was clipped to it. */
  | 'clipped'
  /** A shape has no area (after clipping), fewer than 3 polygon points or non-finite coordinates. */
  | 'invalid-shape'
  /** A shape that the project kind does not hold (e.g. a box in a classification project). */
  | 'unsupported-shape'
  /** An annotation names a label id that is not among the project's labels. */
  | 'unknown-label'
  /** A multi-class item carries several different labels. */
  | 'conflicting-labels'
  /** A classification item has no label where the format needs one (JSONL multi-class). */
  | 'no-label'
  /** Two items map to the same output file (YOLO/VOC: same name but for the extension or the letter case). */
  | 'name-collision';

export interface ExportIssue {
  readonly code: ExportIssueCode;
  /** Item index and path in the project. */
  readonly index: number;
  readonly path: string;
  /** Whether the whole item was left out (`true`) or only changed / lost an annotation (`false`). */
  readonly skipped: boolean;
  readonly message: string;
}

/**
 * What an export wrote, filled in while it streams and complete once the stream has ended
 * (`complete` true). Nothing is left out silently: every item or annotation that was not written as
 * it is stored has an issue.
 */
export interface ExportReport {
  readonly format: ExportFormat | 'zip';
  readonly kind: ProjectKind;
  /** Images (COCO images, JSONL lines, YOLO/VOC annotation files) written. */
  images: number;
  /** Annotations written (boxes, polygons, or class tags). */
  annotations: number;
  /** Items left out (each has an issue with `skipped: true`). */
  skippedItems: number;
  /** Bytes written (for a zip: the zip's size). */
  bytes: number;
  /** Files written (multi-file formats and zips). */
  files: number;
  /** The first `maxIssues` issues, in item order. */
  readonly issues: ExportIssue[];
  /** Count of every issue by code, including those past `maxIssues`. */
  readonly issueCounts: Partial<Record<ExportIssueCode, number>>;
  /** True once the stream has been read to its end. */
  complete: boolean;
}

/** Options that every export takes. */
export interface ExportOptions {
  /**
   * Which items to export, by state. Default `['labeled']`. Items with no annotations are written as
   * images without annotations ("nothing to find here"), which is how training tools read them, so
   * add unlabeled states only on purpose.
   */
  readonly states?: readonly ItemState[];
  /** Export every item whatever its state (overrides `states`). */
  readonly all?: boolean;
  /** Reads sizes that items lack. Without it such items are reported as `size-unknown`. */
  readonly probe?: ProbeSize;
  /** How many probes run at once (default 8). */
  readonly probeConcurrency?: number;
  /** Cancels the export: the stream rejects with `E_ABORTED`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ExportProgress) => void;
  /** Called for every issue as it is found (the report keeps the first `maxIssues`). */
  readonly onIssue?: (issue: ExportIssue) => void;
  /** Items between progress events (default 1000). */
  readonly progressEvery?: number;
  /** How many issues the report keeps (default 1000); counts are always complete. */
  readonly maxIssues?: number;
  /** The date stamped into the export (COCO `info.date_created`, zip entry times, file names). Default now. */
  readonly date?: Date;
}

/** Where an image can be fetched from: COCO's `coco_url`, JSONL's `image_url`. */
export type ImageUrlOf = (item: ItemView) => string | undefined;

export interface CocoInfo {
  readonly description?: string;
  readonly version?: string;
  readonly year?: number;
  readonly contributor?: string;
  readonly url?: string;
  readonly date_created?: string;
}

export interface CocoLicense {
  readonly id: number;
  readonly name: string;
  readonly url?: string;
}

export interface CocoExportOptions extends ExportOptions {
  /** Decimals kept for pixel coordinates (default 2); areas keep `2 × decimals + 1` (exact for polygons). */
  readonly decimals?: number;
  /** `coco_url` of an image. Default: the item path when it is an http(s) URL, else none. */
  readonly imageUrl?: ImageUrlOf;
  /** Fields of `info` (default description = project name, contributor 'Labelkit', date_created = `date`). */
  readonly info?: CocoInfo;
  readonly licenses?: readonly CocoLicense[];
}

export interface JsonlExportOptions extends ExportOptions {
  /** Decimals kept for normalized coordinates (default 6). */
  readonly decimals?: number;
  /**
   * The `image_url` of an item. Default: the item path. For Azure ML, use
   * `azureml://…/datastores/<datastore>/paths/<path>` (see `azuremlImageUrl`).
   */
  readonly imageUrl?: ImageUrlOf;
  /**
   * Consensus projects: each line also carries `labeler_answers`, every labeler's answer in the
   * `label` form (`{ labeler, label }`, or `{ labeler, skipped: true }`). `label` stays the final label.
   */
  readonly answers?: boolean;
}

export interface YoloExportOptions extends ExportOptions {
  /** Decimals kept for normalized coordinates (default 6). */
  readonly decimals?: number;
}

export type VocExportOptions = ExportOptions;

/** One file of a multi-file export. Read its `chunks` before asking for the next entry. */
export interface ExportEntry {
  /** '/'-separated path relative to the export's root, e.g. `labels/cats/001.txt`. */
  readonly path: string;
  readonly chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

/** An importer's input: text, bytes, a byte stream, or (COCO) an already parsed object. */
export type ImportInput = string | Uint8Array | ArrayBuffer | Blob | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

export interface ImportOptions {
  /** The project the import goes into: its kind and labels, and its items to match images to. */
  readonly reader?: ProjectReader;
  /** Project kind, when there is no `reader`. */
  readonly kind?: ProjectKind;
  /** Project labels (default `reader.labels`); file labels are matched to them by name. */
  readonly labels?: readonly LabelClass[];
  /**
   * Gives the label id for a name that is not among `labels` (e.g. adds a label class to the project
   * and returns its id). Without it, or when it returns undefined, such annotations fail as `unknown-label`.
   */
  readonly labelId?: (name: string) => string | undefined;
  /** Import as submitted labels (default) or as prelabels (with `score`/`confidence` as `confidence`). */
  readonly as?: 'labels' | 'prelabels';
  /**
   * With a `reader`: when a file's image path is not an item path, match it by its file name alone if
   * exactly one item has that file name (default true).
   */
  readonly matchBasename?: boolean;
  /** Maps a file's image reference (COCO `file_name`/`coco_url`, JSONL `image_url`) to an item path. */
  readonly pathOf?: (ref: string) => string;
  /** Keep images that have no annotations as items with none (default true). */
  readonly includeEmpty?: boolean;
  /** How far (pixels) a box may reach outside its image before it fails (default 0.5). */
  readonly tolerance?: number;
  readonly signal?: AbortSignal;
}

/** One image of an import: the annotations to give its item. */
export interface ImportedItem {
  /** Item path (with a `reader`, the matched item's path). */
  readonly path: string;
  /** The matched item's index (with a `reader`). */
  readonly index?: number;
  /** Size the annotations' pixel coordinates refer to, when the file or the item gives it. */
  readonly width?: number;
  readonly height?: number;
  /** Annotations in image pixels; `label` is a label id; prelabels carry `confidence` when the file has a score. */
  readonly annotations: Annotation[];
  /** Where in the file it came from: `images[3]` or `line 12`. */
  readonly source: string;
}

export type ImportFailureCode =
  | 'unparsable'
  | 'invalid-structure'
  | 'duplicate-id'
  | 'missing-image'
  | 'missing-category'
  | 'unknown-label'
  | 'not-in-project'
  | 'size-mismatch'
  | 'size-unknown'
  | 'invalid-shape'
  | 'rle-mask'
  | 'crowd'
  | 'conflicting-labels'
  | 'unsupported-shape';

/** Something in the file that was not imported, and why. */
export interface ImportFailure {
  readonly code: ImportFailureCode;
  /** Where in the file: `annotations[17] (id 442619)`, `images[2]`, `line 12`, or `file`. */
  readonly source: string;
  /** The image it belongs to, when known. */
  readonly path?: string;
  readonly reason: string;
}

export interface ImportResult {
  readonly format: 'coco' | 'jsonl';
  readonly as: 'labels' | 'prelabels';
  readonly parsed: ImportedItem[];
  readonly failed: ImportFailure[];
  /** Things imported with a change worth knowing (keypoints dropped, multi-part polygons split). */
  readonly warnings: string[];
}
