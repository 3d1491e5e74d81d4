import { LabelkitError } from '../errors.js';
import { planIngest, type IngestReport } from '../ingest.js';
import type { ProjectEvent } from '../journal/events.js';
import type { DataSource } from '../sources/source.js';
import type { ItemRef } from '../types.js';
import type { ProjectCore } from './core.js';

// The item commands: adding items from a listing, refreshing it, and what is learnt of an item's
// file (its size, that it is unreadable). The doc comments are on `Project`'s methods.

export function addItems(core: ProjectCore, refs: Iterable<ItemRef> | AsyncIterable<ItemRef>, options: { source?: string; signal?: AbortSignal }): Promise<IngestReport> {
  return core.run('owner', async () => {
    const s = core.state;
    const plan = await planIngest(
      refs,
      s.itemCount,
      (path) => {
        const index = s.indexOf(path);
        return index < 0 ? undefined : { index, changed: (ref) => s.changedFrom(index, ref) };
      },
      options.signal,
    );
    const events: ProjectEvent[] = [];
    if (plan.newRefs.length) {
      const r = plan.newRefs;
      events.push({
        type: 'items.added',
        batch: s.nextBatch,
        paths: r.map((x) => x.path),
        sizes: r.map((x) => x.size ?? null),
        etags: r.map((x) => x.etag ?? null),
        lastModified: r.map((x) => x.lastModified ?? null),
        ...(options.source ? { source: options.source } : {}),
      });
    }
    if (plan.changed.length) {
      const c = plan.changed;
      events.push({
        type: 'items.changed',
        items: c.map((x) => x.item),
        sizes: c.map((x) => x.ref.size ?? null),
        etags: c.map((x) => x.ref.etag ?? null),
        lastModified: c.map((x) => x.ref.lastModified ?? null),
      });
    }
    if (events.length) await core.commit(events, options.signal);
    return plan.report;
  });
}

export function refresh(core: ProjectCore, source: DataSource, options: { signal?: AbortSignal }): Promise<IngestReport> {
  return addItems(core, source.list({ signal: options.signal }), { source: source.description, signal: options.signal });
}

export function autoRefresh(
  core: ProjectCore,
  source: DataSource,
  intervalMs: number,
  handlers: { onReport?: (r: IngestReport) => void; onError?: (e: unknown) => void },
): () => void {
  if (!(intervalMs >= 1000)) throw new LabelkitError('E_INVALID_ARGUMENT', 'Refresh at most once a second (intervalMs ≥ 1000).');
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      handlers.onReport?.(await refresh(core, source, {}));
    } catch (err) {
      handlers.onError?.(err);
    } finally {
      busy = false;
    }
  };
  void tick();
  return core.every(intervalMs, tick);
}

export function markUnreadable(core: ProjectCore, item: number, code: string, reason: string): Promise<void> {
  return core.run('labeler', async () => {
    core.checkItem(item);
    await core.commit([{ type: 'item.unreadable', item, code, reason }]);
  });
}

export function setItemSizes(core: ProjectCore, sizes: readonly { item: number; width: number; height: number; frames?: number }[]): Promise<void> {
  return core.run('labeler', async () => {
    const ok = sizes.filter((x) => x.item >= 0 && x.item < core.state.itemCount && x.width > 0 && x.height > 0);
    if (!ok.length) return;
    await core.commit([
      {
        type: 'items.measured',
        items: ok.map((x) => x.item),
        widths: ok.map((x) => x.width),
        heights: ok.map((x) => x.height),
        ...(ok.some((x) => x.frames) ? { frames: ok.map((x) => x.frames ?? 1) } : {}),
      },
    ]);
  });
}
