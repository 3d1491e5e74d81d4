// One export's shared parts — the walk over the items, the issues, the region adapter and the
// output — and the two shapes an export takes (one stream, or a tree of files). Not part of the
// public API.
import { isClassificationKind, type ItemView, type ProjectReader } from '../types.js';
import { IssueLog, newReport } from './issues.js';
import { safeName } from './paths.js';
import { RegionAdapter } from './regions.js';
import { ExportFiles, ExportStream } from './stream.js';
import { ChunkWriter, timestamp, utf8 } from './text.js';
import type { ExportEntry, ExportFormat, ExportOptions, ExportReport } from './types.js';
import { ItemWalk } from './walk.js';

export class ExportRun {
  readonly report: ExportReport;
  readonly walk: ItemWalk;
  readonly issues: IssueLog;
  readonly adapter: RegionAdapter;
  /** Output of one-file formats. */
  readonly out = new ChunkWriter();
  /** The project holds boxes or polygons (not class tags). */
  readonly regions: boolean;

  /** `passes`: how often the items are read (for progress); `decimals`: pixel places of clipped shapes. */
  constructor(reader: ProjectReader, options: ExportOptions, report: ExportReport, passes = 1, decimals = 15) {
    this.report = report;
    this.walk = new ItemWalk(reader, options, report, passes);
    this.issues = new IssueLog(report, options);
    this.adapter = new RegionAdapter(reader.kind, reader.labels, this.issues, decimals);
    this.regions = !isClassificationKind(reader.kind);
  }

  /**
   * Marks an item visited and checks its size: true when it is to be written. An item of unknown size
   * is reported; region projects leave it out, classification projects write it without a size.
   */
  visit(item: ItemView, width: number | undefined, height: number | undefined): boolean {
    this.walk.visited(item);
    return (width !== undefined && height !== undefined) || !this.issues.sizeUnknown(item, this.regions);
  }

  /** The text gathered so far as one chunk, with the byte counts brought up to date. */
  take(): Uint8Array {
    const chunk = this.out.take();
    this.walk.bytes = this.report.bytes = this.out.bytes;
    return chunk;
  }

  /** One file of a multi-file export, counted in the report. */
  file(path: string, text: string): ExportEntry {
    const bytes = utf8(text);
    this.report.bytes += bytes.byteLength;
    this.report.files++;
    this.walk.bytes = this.report.bytes;
    return { path, chunks: [bytes] };
  }
}

/** A one-file export (`<project>_<timestamp>.<extension>`) whose chunks come from `source`. */
export function streamExport(
  reader: ProjectReader,
  options: ExportOptions,
  format: ExportFormat,
  file: { readonly extension: string; readonly contentType: string },
  source: (report: ExportReport, date: Date) => AsyncGenerator<Uint8Array>,
): ExportStream {
  const date = options.date ?? new Date();
  const report = newReport(format, reader.kind);
  return new ExportStream({
    fileName: `${safeName(reader.name)}_${timestamp(date)}.${file.extension}`,
    contentType: file.contentType,
    format,
    report,
    source: () => source(report, date),
  });
}

/** A multi-file export (folder `<project>_<timestamp>`) whose entries come from `source`. */
export function filesExport(reader: ProjectReader, options: ExportOptions, format: ExportFormat, source: (report: ExportReport) => AsyncGenerator<ExportEntry>): ExportFiles {
  const date = options.date ?? new Date();
  const report = newReport(format, reader.kind);
  return new ExportFiles({ name: `${safeName(reader.name)}_${timestamp(date)}`, format, report, date, source: () => source(report) });
}
