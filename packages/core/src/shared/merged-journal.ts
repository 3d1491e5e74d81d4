import type { SegmentRead } from '../journal/journal.js';
import type { JournalEvent } from '../journal/events.js';
import { compareSegments } from './journal-follower.js';

/**
 * Every client's segments merged into one deterministic order — the order of `compareSegments`
 * over all segments ever read, whatever order they arrived in. Two clients that have read the same
 * segments hold the same sequence, so the same fold gives the same state.
 *
 * A segment that arrives late (written before segments already merged) is inserted where it
 * belongs; `add` returns the index of the first event whose position changed, so the caller can
 * re-fold from there (or from scratch) instead of appending.
 */
export class MergedJournal {
  readonly #segments: SegmentRead[] = [];
  #events: JournalEvent[] | undefined = [];
  #eventCount = 0;

  get segmentCount(): number {
    return this.#segments.length;
  }

  get eventCount(): number {
    return this.#eventCount;
  }

  /** Adds segments; returns the event index from which the merged order changed (eventCount when only appended). */
  add(segments: readonly SegmentRead[]): number {
    let firstChanged = this.#eventCount;
    for (const seg of segments) {
      let lo = 0;
      let hi = this.#segments.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareSegments(this.#segments[mid]!, seg) <= 0) lo = mid + 1;
        else hi = mid;
      }
      if (lo < this.#segments.length) {
        let before = 0;
        for (let i = 0; i < lo; i++) before += this.#segments[i]!.events.length;
        firstChanged = Math.min(firstChanged, before);
        this.#events = undefined;
      }
      this.#segments.splice(lo, 0, seg);
      this.#eventCount += seg.events.length;
      if (this.#events) this.#events.push(...seg.events);
    }
    return firstChanged;
  }

  /** All events in merged order. */
  events(): readonly JournalEvent[] {
    this.#events ??= this.#segments.flatMap((s) => s.events);
    return this.#events;
  }

  /** The highest `at` seen: feed it to the local clock so new events sort after what was seen. */
  get latestAt(): number {
    let max = 0;
    for (const s of this.#segments) for (const e of s.events) if (e.at > max) max = e.at;
    return max;
  }
}
