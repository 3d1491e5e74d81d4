import { throwIfAborted } from './errors.js';
import { extensionOf, isAcceptedImagePath, MAX_ITEMS_PER_PROJECT } from './formats.js';
import type { ItemRef } from './types.js';

/** What a listing brought: nothing is dropped without being counted here. */
export interface IngestReport {
  /** References the source listed. */
  readonly listed: number;
  /** New items added to the project. */
  readonly added: number;
  /** Known paths whose etag, size or date changed (metadata updated; labels kept). */
  readonly changed: number;
  /** Known paths, unchanged. */
  readonly unchanged: number;
  /** The same path listed twice in one listing (the first is kept). */
  readonly duplicates: number;
  /** Files without an accepted image extension, by extension, with a few examples. */
  readonly unsupported: { readonly count: number; readonly byExtension: Readonly<Record<string, number>>; readonly examples: readonly string[] };
  /** Accepted files beyond the 500,000-item cap, with a few examples. They are not loaded. */
  readonly overCap: { readonly count: number; readonly examples: readonly string[] };
  /** Items in the project afterwards. */
  readonly total: number;
}

export interface IngestPlan {
  newRefs: ItemRef[];
  changed: { item: number; ref: ItemRef }[];
  report: IngestReport;
}

const EXAMPLES = 10;

/** Counts what a listing leaves out (files of other types, files over the item cap), with a few examples of each. */
export class LeftOut {
  readonly unsupported = { count: 0, byExtension: {} as Record<string, number>, examples: [] as string[] };
  readonly overCap = { count: 0, examples: [] as string[] };

  /** Counts `path` if it has no accepted image extension, and says so; `shown` is what the examples name. */
  unsupportedPath(path: string, shown = path): boolean {
    if (isAcceptedImagePath(path)) return false;
    const ext = extensionOf(path) || '(none)';
    this.unsupported.byExtension[ext] = (this.unsupported.byExtension[ext] ?? 0) + 1;
    if (this.unsupported.count++ < EXAMPLES) this.unsupported.examples.push(shown);
    return true;
  }

  /** Counts an accepted file that the cap leaves out. */
  overCapPath(shown: string): void {
    if (this.overCap.count++ < EXAMPLES) this.overCap.examples.push(shown);
  }
}

/**
 * Splits a listing into new items, changed items and what is left out (unsupported extension,
 * duplicates, over the cap). `lookup(path)` returns the item index and etag fingerprint of a known
 * path, or undefined.
 */
export async function planIngest(
  refs: Iterable<ItemRef> | AsyncIterable<ItemRef>,
  existing: number,
  lookup: (path: string) => { index: number; changed: (ref: ItemRef) => boolean } | undefined,
  signal?: AbortSignal,
  cap = MAX_ITEMS_PER_PROJECT,
): Promise<IngestPlan> {
  const newRefs: ItemRef[] = [];
  const changed: IngestPlan['changed'] = [];
  const seen = new Set<string>();
  const left = new LeftOut();
  let listed = 0;
  let duplicates = 0;
  let unchanged = 0;
  for await (const ref of refs as AsyncIterable<ItemRef>) {
    if ((++listed & 1023) === 0) throwIfAborted(signal);
    const path = ref.path;
    if (left.unsupportedPath(path)) continue;
    const known = lookup(path);
    if (known) {
      if (seen.has(path)) {
        duplicates++;
        continue;
      }
      seen.add(path);
      if (known.changed(ref)) changed.push({ item: known.index, ref });
      else unchanged++;
      continue;
    }
    if (seen.has(path)) {
      duplicates++;
      continue;
    }
    seen.add(path);
    if (existing + newRefs.length >= cap) {
      left.overCapPath(path);
      continue;
    }
    newRefs.push(ref);
  }
  return {
    newRefs,
    changed,
    report: {
      listed,
      added: newRefs.length,
      changed: changed.length,
      unchanged,
      duplicates,
      unsupported: left.unsupported,
      overCap: left.overCap,
      total: existing + newRefs.length,
    },
  };
}
