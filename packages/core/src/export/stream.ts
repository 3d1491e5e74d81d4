import { LabelkitError } from '../errors.js';
import type { ExportEntry, ExportFormat, ExportReport } from './types.js';

/** An async iterable that can be iterated once: the export streams run their source lazily, once. */
abstract class ReadOnce<T> implements AsyncIterable<T> {
  readonly #source: () => AsyncGenerator<T>;
  #started = false;

  constructor(source: () => AsyncGenerator<T>) {
    this.#source = source;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#started) throw new LabelkitError('E_INVALID_ARGUMENT', 'This export stream has already been read; start a new export to read it again.');
    this.#started = true;
    return this.#source();
  }
}

/**
 * A one-file export as an async iterable of UTF-8 (or zip) chunks. It is lazy: nothing is read from
 * the project until it is iterated, and it can be iterated once. `report` fills in while it streams.
 *
 * ```ts
 * const out = exportCoco(project);
 * for await (const chunk of out) sink.write(chunk);
 * console.log(out.report.images, out.report.issues);
 * ```
 */
export class ExportStream extends ReadOnce<Uint8Array> {
  /** A file name for it: `<project>_<timestamp>.json` (or `.jsonl`, `.zip`). */
  readonly fileName: string;
  /** MIME type: `application/json`, `application/jsonl` or `application/zip`. */
  readonly contentType: string;
  readonly format: ExportFormat | 'zip';
  readonly report: ExportReport;

  constructor(init: { fileName: string; contentType: string; format: ExportFormat | 'zip'; report: ExportReport; source: () => AsyncGenerator<Uint8Array> }) {
    super(init.source);
    this.fileName = init.fileName;
    this.contentType = init.contentType;
    this.format = init.format;
    this.report = init.report;
  }
}

/**
 * A multi-file export (YOLO, Pascal VOC) as an async iterable of entries. Read each entry's `chunks`
 * before asking for the next one. It is lazy and can be iterated once; `report` fills in while it streams.
 */
export class ExportFiles extends ReadOnce<ExportEntry> {
  /** A folder name for it: `<project>_<timestamp>`. */
  readonly name: string;
  readonly format: ExportFormat;
  readonly report: ExportReport;
  /** When the entries' files carry a time (zip), this is it. */
  readonly date: Date;

  constructor(init: { name: string; format: ExportFormat; report: ExportReport; date: Date; source: () => AsyncGenerator<ExportEntry> }) {
    super(init.source);
    this.name = init.name;
    this.format = init.format;
    this.report = init.report;
    this.date = init.date;
  }
}
