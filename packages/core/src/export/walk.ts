// The walk of an export over a project's items: index order, batches, size probing, progress and
// cancellation. Not part of the public API.
import { LabelkitError, throwIfAborted } from '../errors.js';
import type { ItemView, ProjectReader } from '../types.js';
import type { ExportOptions, ExportProgress, ExportReport } from './types.js';

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
        const at = missing[next++]!;
        const { item } = batch[at]!;
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
    return { width: p[2 * index]!, height: p[2 * index + 1]! };
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
    return index < this.#values.length ? this.#values[index]! : 0;
  }
}
