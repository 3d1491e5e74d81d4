import type { JournalEvent } from '../journal/events.js';
import type { JournalDamage } from '../journal/journal.js';
import type { SharedCoordinatorOptions } from '../shared/coordinator.js';
import type { Actor, Annotation, ItemView, Lane } from '../types.js';

/** A page of work leased to one labeler. */
export interface Task {
  readonly id: string;
  readonly lane: Lane;
  readonly user: string;
  readonly items: readonly ItemView[];
  readonly expiresAt: number;
}

/** One item's result in a submission. */
export interface ItemLabels {
  readonly item: number;
  readonly annotations: readonly Annotation[];
}

/** A change notification: `origin` is 'remote' for events another client wrote (so nothing echoes). */
export interface ProjectChange {
  readonly events: readonly JournalEvent[];
  readonly origin: 'local' | 'remote';
}

export interface ProjectOptions {
  /** Who is working. Their role is the one the project's members list gives, else this one. */
  readonly actor: Actor;
  /** This client's id in a shared store (a folder of its own journal segments). Random by default. */
  readonly clientId?: string;
  /** Clock, for tests of lease expiry. */
  readonly now?: () => number;
  /**
   * Write a full snapshot after this many new events (default 5,000; 0 = no automatic snapshots or
   * checkpoints at all). Between snapshots, a cheap tail checkpoint (the events since the snapshot,
   * one blob) keeps reopening fast; see checkpoint.ts.
   */
  readonly snapshotEvery?: number;
  /** Write a tail checkpoint, in idle time, once this many events are not in one (default 64). */
  readonly checkpointEvery?: number;
  /** …or this long after the first such event (default 10 s). */
  readonly checkpointAfterMs?: number;
  /**
   * The store is shared by several clients at once (a team on Azure Blob): items are won on a lease
   * board with conditional writes before a task is handed out, `sync` pulls other clients' segments
   * without listing the journal, snapshots are published `If-Match`. See `SharedCoordinator`.
   */
  readonly shared?: true | SharedCoordinatorOptions;
  readonly signal?: AbortSignal;
}

/** What opening a project found that needs a person's attention. */
export interface OpenReport {
  /** Journal records that could not be read; the project was recovered to the last good event. */
  readonly journalDamage: readonly JournalDamage[];
  /** Snapshots that were damaged and skipped (the journal was replayed instead). */
  readonly snapshotDamage: readonly { key: string; reason: string }[];
  readonly fromSnapshot: boolean;
  readonly eventsReplayed: number;
}
