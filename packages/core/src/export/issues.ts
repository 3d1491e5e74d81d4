// The report of an export and the issues it collects. Not part of the public API.
import { LabelkitError } from '../errors.js';
import type { ItemView, ProjectKind } from '../types.js';
import type { ExportFormat, ExportIssue, ExportIssueCode, ExportOptions, ExportReport } from './types.js';

export function newReport(format: ExportReport['format'], kind: ProjectKind): ExportReport {
  return { format, kind, images: 0, annotations: 0, skippedItems: 0, bytes: 0, files: 0, issues: [], issueCounts: {}, complete: false };
}

/** Records issues into a report (capped) and passes them to `onIssue`. */
export class IssueLog {
  readonly #report: ExportReport;
  readonly #max: number;
  readonly #onIssue: ((issue: ExportIssue) => void) | undefined;

  constructor(report: ExportReport, options: ExportOptions) {
    this.#report = report;
    this.#max = options.maxIssues ?? 1000;
    this.#onIssue = options.onIssue;
  }

  add(item: ItemView, code: ExportIssueCode, skipped: boolean, message: string): void {
    const issue: ExportIssue = { code, index: item.index, path: item.path, skipped, message };
    const counts = this.#report.issueCounts;
    counts[code] = (counts[code] ?? 0) + 1;
    if (skipped) this.#report.skippedItems++;
    if (this.#report.issues.length < this.#max) this.#report.issues.push(issue);
    this.#onIssue?.(issue);
  }

  /**
   * An item whose size is unknown after probing: left out of region projects (its coordinates can be
   * neither checked nor normalized), written without width and height in classification projects.
   * Returns whether the item is left out.
   */
  sizeUnknown(item: ItemView, regions: boolean): boolean {
    if (regions)
      this.add(
        item,
        'size-unknown',
        true,
        'The image size is unknown (not probed, or the probe failed), so its coordinates can be neither checked nor normalized; the item was left out.',
      );
    else this.add(item, 'size-unknown', false, 'The image size is unknown; the image was written without width and height.');
    return regions;
  }
}

/** `E_UNSUPPORTED_FORMAT` for a format that a project kind cannot be written in. */
export function unsupported(format: ExportFormat, kind: ProjectKind, why: string): LabelkitError {
  return new LabelkitError('E_UNSUPPORTED_FORMAT', `${format.toUpperCase()} export does not support ${kind} projects: ${why}`, { format, kind });
}
