// Shared machinery of the exporters: chunked output, rounding, clipping, the item walk with size
// probing, progress and cancellation, and the report. Not part of the public API.
import { LabelkitError, throwIfAborted } from '../errors.js';
import type { ItemView, LabelClass, ProjectKind, ProjectReader } from '../types.js';
import type { ExportFormat, ExportIssue, ExportIssueCode, ExportOptions, ExportProgress, ExportReport } from './types.js';

const encoder = new TextEncoder();

/** Text is gathered into strings of about this many UTF-16 units, then encoded into one chunk. */
export const CHUNK_CHARS = 64 * 1024;

/**
 * Collects text and hands it out as UTF-8 chunks of about `CHUNK_CHARS`: the output never exists as
 * one string, and memory stays at one chunk whatever the export's size.
 */
export class ChunkWriter {
  #text = '';
  bytes = 0;

  write(s: string): void {
    this.#text += s;
  }

  /** True when a chunk is ready to be taken. */
  get full(): boolean {
    return this.#text.length >= CHUNK_CHARS;
  }

  /** The gathered text as bytes (empty array when nothing is pending). */
  take(): Uint8Array {
    const bytes = encoder.encode(this.#text);
    this.#text = '';
    this.bytes += bytes.byteLength;
    return bytes;
  }

  get pending(): boolean {
    return this.#text.length > 0;
  }
}

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Rounds to `decimals` places; idempotent, so a value written, read back and written again is unchanged. */
export function roundTo(x: number, decimals: number): number {
  if (decimals >= 15) return x;
  const f = POW10[decimals] ?? 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0
}
const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14];

export function checkDecimals(decimals: number, name = 'decimals'): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) {
    throw new LabelkitError('E_INVALID_ARGUMENT', `${name} must be an integer from 0 to 10 (got ${decimals}).`, { [name]: decimals });
  }
  return decimals;
}

/** Twice the signed area of a flat polygon [x0, y0, x1, y1, …] (shoelace). */
export function polygonArea(points: ArrayLike<number>): number {
  const n = points.length >> 1;
  let s = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    s += points[2 * j] * points[2 * i + 1] - points[2 * i] * points[2 * j + 1];
  }
  return Math.abs(s) / 2;
}

/**
 * Whether a polygon encloses an area: more than a billionth of its bounding box, so that points on a
 * line whose shoelace sum is rounding noise count as no area. Exporters and importers use this same
 * test on the same numbers, so what one writes the other accepts.
 */
export function hasArea(points: ArrayLike<number>): boolean {
  const area = polygonArea(points);
  if (!(area > 0)) return false;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    x0 = Math.min(x0, points[i]);
    x1 = Math.max(x1, points[i]);
    y0 = Math.min(y0, points[i + 1]);
    y1 = Math.max(y1, points[i + 1]);
  }
  return area > 1e-9 * (x1 - x0) * (y1 - y0);
}

export function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** A box clipped to [0, W] × [0, H] and rounded: corners in pixels. */
export interface ClippedBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  clipped: boolean;
}

/** Clips a box to the image (when its size is known) and rounds its corners to `decimals`. */
export function clipBox(x: number, y: number, w: number, h: number, width: number | undefined, height: number | undefined, decimals: number): ClippedBox | undefined {
  if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(w) || !Number.isFinite(h)) return undefined;
  let x0 = Math.min(x, x + w);
  let x1 = Math.max(x, x + w);
  let y0 = Math.min(y, y + h);
  let y1 = Math.max(y, y + h);
  const r0 = [roundTo(x0, decimals), roundTo(y0, decimals), roundTo(x1, decimals), roundTo(y1, decimals)];
  if (width !== undefined && height !== undefined) {
    x0 = clamp(x0, 0, width);
    x1 = clamp(x1, 0, width);
    y0 = clamp(y0, 0, height);
    y1 = clamp(y1, 0, height);
  }
  const box = { x0: roundTo(x0, decimals), y0: roundTo(y0, decimals), x1: roundTo(x1, decimals), y1: roundTo(y1, decimals), clipped: false };
  box.clipped = box.x0 !== r0[0] || box.y0 !== r0[1] || box.x1 !== r0[2] || box.y1 !== r0[3];
  return box;
}

/** Clamps every vertex into the image (when known) and rounds it. Returns undefined for non-finite input. */
export function clipPolygon(points: readonly number[], width: number | undefined, height: number | undefined, decimals: number): { points: number[]; clipped: boolean } | undefined {
  if (points.length < 6 || points.length % 2 !== 0 || !allFinite(points)) return undefined;
  const out = new Array<number>(points.length);
  let clipped = false;
  for (let i = 0; i < points.length; i += 2) {
    const rx = roundTo(points[i], decimals);
    const ry = roundTo(points[i + 1], decimals);
    let x = points[i];
    let y = points[i + 1];
    if (width !== undefined && height !== undefined) {
      x = clamp(x, 0, width);
      y = clamp(y, 0, height);
    }
    out[i] = roundTo(x, decimals);
    out[i + 1] = roundTo(y, decimals);
    if (out[i] !== rx || out[i + 1] !== ry) clipped = true;
  }
  return { points: out, clipped };
}

/** Min/max of a flat polygon. */
export function polygonBounds(points: readonly number[]): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i];
    const y = points[i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

/** The labels of a project, by id: COCO category id (1-based), YOLO class index (0-based), name. */
export interface LabelIndex {
  get(id: string): { readonly index: number; readonly name: string } | undefined;
  readonly labels: readonly LabelClass[];
}

export function labelIndex(labels: readonly LabelClass[]): LabelIndex {
  const map = new Map<string, { index: number; name: string }>();
  labels.forEach((l, index) => {
    if (!map.has(l.id)) map.set(l.id, { index, name: l.name });
  });
  return { get: (id) => map.get(id), labels };
}

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
}

/** An item with its size resolved (from the item, or the probe), or undefined when unknown. */
export interface SizedItem {
  readonly item: ItemView;
  readonly width: number | undefined;
  readonly height: number | undefined;
}

function validSize(w: unknown, h: unknown): boolean {
  return typeof w === 'number' && typeof h === 'number' && Number.isFinite(w) && Number.isFinite(h) && w > 0 && h > 0;
}

/**
 * Walks a project's items for an export, in index order, in batches (one await per batch, not per
 * item). Resolves missing sizes with the probe (a few at once), checks the signal and reports progress.
 */
export class ItemWalk {
  readonly #reader: ProjectReader;
  readonly #options: ExportOptions;
  readonly #report: ExportReport;
  readonly #every: number;
  /** Sizes the probe found, by item index (allocated on the first probe): width, height. */
  #probed: Uint32Array | undefined;
  /** Progress: item indices across all passes (a filtered walk skips indices, so progress follows the index). */
  total: number;
  done = 0;
  phase: ExportProgress['phase'] = 'items';
  #passOffset = 0;
  #passes = 0;
  #lastEmitted = 0;
  /** Bytes so far, kept by the exporter. */
  bytes = 0;

  constructor(reader: ProjectReader, options: ExportOptions, report: ExportReport, passes = 1) {
    this.#reader = reader;
    this.#options = options;
    this.#report = report;
    this.#every = Math.max(1, options.progressEvery ?? 1000);
    this.total = reader.itemCount * passes;
  }

  /** The items to export, in batches, each with its size (probed when missing and `probeSizes`). */
  async *batches(probeSizes: boolean): AsyncGenerator<SizedItem[]> {
    this.#passOffset = this.#passes++ * this.#reader.itemCount;
    const { signal, probe } = this.#options;
    const filter = this.#options.all ? undefined : { states: this.#options.states ?? ['labeled'] };
    const iterator = this.#reader.items(filter)[Symbol.iterator]();
    const BATCH = 256;
    for (;;) {
      throwIfAborted(signal);
      const batch: SizedItem[] = [];
      const missing: number[] = [];
      for (let n = 0; n < BATCH; n++) {
        const r = iterator.next();
        if (r.done) break;
        const item = r.value;
        if (validSize(item.width, item.height)) {
          batch.push({ item, width: item.width, height: item.height });
        } else {
          const known = this.probedSize(item.index);
          batch.push({ item, width: known?.width, height: known?.height });
          if (!known && probeSizes && probe) missing.push(batch.length - 1);
        }
      }
      if (batch.length === 0) break;
      if (missing.length) await this.#probe(batch, missing);
      yield batch;
      if (batch.length < BATCH) break;
    }
  }

  async #probe(batch: SizedItem[], missing: number[]): Promise<void> {
    const { probe, signal } = this.#options;
    const concurrency = Math.max(1, this.#options.probeConcurrency ?? 8);
    let next = 0;
    const work = async () => {
      while (next < missing.length) {
        const at = missing[next++];
        const { item } = batch[at];
        throwIfAborted(signal);
        let size: { width: number; height: number } | undefined;
        try {
          size = await probe!(item.path, signal);
        } catch (err) {
          if (LabelkitError.is(err, 'E_ABORTED') || signal?.aborted) throw err;
          size = undefined;
        }
        if (size && validSize(size.width, size.height)) {
          batch[at] = { item, width: size.width, height: size.height };
          this.#remember(item.index, size.width, size.height);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, missing.length) }, work));
  }

  #remember(index: number, width: number, height: number): void {
    if (!this.#probed) this.#probed = new Uint32Array(Math.max(2, this.#reader.itemCount * 2));
    if (2 * index + 1 >= this.#probed.length) {
      const grown = new Uint32Array(Math.max(2 * index + 2, this.#probed.length * 2));
      grown.set(this.#probed);
      this.#probed = grown;
    }
    this.#probed[2 * index] = width;
    this.#probed[2 * index + 1] = height;
  }

  probedSize(index: number): { width: number; height: number } | undefined {
    const p = this.#probed;
    if (!p || 2 * index + 1 >= p.length || p[2 * index] === 0) return undefined;
    return { width: p[2 * index], height: p[2 * index + 1] };
  }

  /** Marks an item as visited and emits progress every `progressEvery` items. */
  visited(item: ItemView): void {
    this.done = Math.max(this.done, this.#passOffset + item.index + 1);
    if (this.done - this.#lastEmitted >= this.#every) {
      this.#lastEmitted = this.done - (this.done % this.#every);
      this.emit();
    }
  }

  emit(): void {
    this.#options.onProgress?.({
      phase: this.phase,
      done: this.done,
      total: Math.max(this.total, this.done),
      images: this.#report.images,
      annotations: this.#report.annotations,
      bytes: this.bytes,
    });
  }

  finish(): void {
    this.phase = 'done';
    this.done = this.total = Math.max(this.total, this.done);
    this.#report.complete = true;
    this.emit();
  }
}

/** Grows on demand: item index → a 32-bit value (COCO image id; 0 = not exported). */
export class IndexMap {
  #values: Int32Array;
  constructor(size: number) {
    this.#values = new Int32Array(Math.max(16, size));
  }
  set(index: number, value: number): void {
    if (index >= this.#values.length) {
      const grown = new Int32Array(Math.max(index + 1, this.#values.length * 2));
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[index] = value;
  }
  get(index: number): number {
    return index < this.#values.length ? this.#values[index] : 0;
  }
}

/** `2024/05/01`, the date format of COCO's own `info.date_created`. */
export function cocoDate(date: Date): string {
  return `${date.getUTCFullYear()}/${pad2(date.getUTCMonth() + 1)}/${pad2(date.getUTCDate())}`;
}

/** `20240501_120000` (UTC): sortable, safe in file names and store keys, and the same stamp as `@labelkit/core/azure`'s export blob names. */
export function timestamp(date: Date): string {
  return `${date.getUTCFullYear()}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}_${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A name reduced to characters safe in file names and store keys. */
export function safeName(name: string): string {
  const s = name.normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+|_+$/g, '');
  return s.slice(0, 100) || 'project';
}

/**
 * An item path as a relative output path without its extension: URL scheme and query dropped,
 * backslashes made '/', empty, '.' and '..' segments removed, characters that Windows forbids replaced.
 */
export function outputStem(path: string): string {
  let p = path;
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.exec(p);
  if (url) p = p.slice(url[0].length).replace(/[?#].*$/, '');
  p = p.replace(/\\/g, '/');
  const segments = p
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => s.replace(/[<>:"|?*\u0000-\u001f]/g, '_'));
  if (segments.length === 0) return '_';
  const last = segments[segments.length - 1];
  const dot = last.lastIndexOf('.');
  if (dot > 0) segments[segments.length - 1] = last.slice(0, dot);
  return segments.join('/');
}

/** The file extension of a path without the dot, lower-case ('' when none); URLs' queries ignored. */
export function formatOf(path: string): string {
  const clean = path.replace(/[?#].*$/, '');
  const base = clean.slice(Math.max(clean.lastIndexOf('/'), clean.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export function isHttpUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/** `E_UNSUPPORTED_FORMAT` for a format that a project kind cannot be written in. */
export function unsupported(format: ExportFormat, kind: ProjectKind, why: string): LabelkitError {
  return new LabelkitError('E_UNSUPPORTED_FORMAT', `${format.toUpperCase()} export does not support ${kind} projects: ${why}`, { format, kind });
}
