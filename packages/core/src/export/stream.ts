import { LabelkitError } from '../errors.js';
import type { ExportEntry, ExportFormat, ExportReport } from './types.js';

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
export class ExportStream implements AsyncIterable<Uint8Array> {
  /** A file name for it: `<project>_<timestamp>.json` (or `.jsonl`, `.zip`). */
  readonly fileName: string;
  /** MIME type: `application/json`, `application/jsonl` or `application/zip`. */
  readonly contentType: string;
  readonly format: ExportFormat | 'zip';
  readonly report: ExportReport;
  readonly #source: () => AsyncGenerator<Uint8Array>;
  #started = false;

  constructor(init: { fileName: string; contentType: string; format: ExportFormat | 'zip'; report: ExportReport; source: () => AsyncGenerator<Uint8Array> }) {
    this.fileName = init.fileName;
    this.contentType = init.contentType;
    this.format = init.format;
    this.report = init.report;
    this.#source = init.source;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#started) throw alreadyRead('export');
    this.#started = true;
    return this.#source();
  }
}

/**
 * A multi-file export (YOLO, Pascal VOC) as an async iterable of entries. Read each entry's `chunks`
 * before asking for the next one. It is lazy and can be iterated once; `report` fills in while it streams.
 */
export class ExportFiles implements AsyncIterable<ExportEntry> {
  /** A folder name for it: `<project>_<timestamp>`. */
  readonly name: string;
  readonly format: ExportFormat;
  readonly report: ExportReport;
  /** When the entries' files carry a time (zip), this is it. */
  readonly date: Date;
  readonly #source: () => AsyncGenerator<ExportEntry>;
  #started = false;

  constructor(init: { name: string; format: ExportFormat; report: ExportReport; date: Date; source: () => AsyncGenerator<ExportEntry> }) {
    this.name = init.name;
    this.format = init.format;
    this.report = init.report;
    this.date = init.date;
    this.#source = init.source;
  }

  [Symbol.asyncIterator](): AsyncIterator<ExportEntry> {
    if (this.#started) throw alreadyRead('export');
    this.#started = true;
    return this.#source();
  }
}

function alreadyRead(what: string): LabelkitError {
  return new LabelkitError('E_INVALID_ARGUMENT', `This ${what} stream has already been read; start a new export to read it again.`);
}
