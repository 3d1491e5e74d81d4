import { LabelkitError } from '../errors.js';
import type { Annotation, AssistSettings, LabelClass, Lane, ProjectKind, QueueSettings, Role, RunKind, RunStatus } from '../types.js';

/** The journal's event schema version. Bump it when a payload changes; add an upcaster below. */
export const EVENT_SCHEMA_VERSION = 1;

/** How existing labels are treated when a label class is added mid-project (Azure ML's choice). */
export type LabelAddMode = 'continue' | 'start-over-keep' | 'start-over-remove';

/**
 * Every change to a project is one of these events. Items are referenced by their index in the
 * project (items are only ever appended). `at` is the writer's clock in ms, `by` the actor's id.
 */
export type ProjectEvent =
  | { type: 'project.created'; id: string; name: string; kind: ProjectKind; labels: LabelClass[]; instructions: string; assist: AssistSettings; queue: QueueSettings; seed: number }
  | { type: 'items.added'; batch: number; paths: string[]; sizes?: (number | null)[]; etags?: (string | null)[]; lastModified?: (number | null)[]; source?: string }
  | { type: 'items.changed'; items: number[]; sizes?: (number | null)[]; etags?: (string | null)[]; lastModified?: (number | null)[] }
  | { type: 'items.measured'; items: number[]; widths: number[]; heights: number[]; frames?: number[] }
  | { type: 'item.unreadable'; item: number; code: string; reason: string }
  | { type: 'task.assigned'; task: string; items: number[]; lane: Lane; expiresAt: number; client?: string }
  | { type: 'task.renewed'; task: string; expiresAt: number }
  | { type: 'task.released'; task: string }
  | { type: 'labels.submitted'; task?: string; items: number[]; annotations: Annotation[][]; needsReview?: boolean }
  | { type: 'items.skipped'; task?: string; items: number[] }
  | { type: 'items.reviewed'; items: number[] }
  | { type: 'items.rejected'; items: number[]; reason?: string }
  /** Skipped items back in the queue; with `from: 'unreadable'`, unreadable ones (an owner's or reviewer's retry). */
  | { type: 'items.requeued'; items: number[]; from?: 'unreadable' }
  | { type: 'label.added'; label: LabelClass; mode: LabelAddMode }
  | { type: 'instructions.edited'; markdown: string }
  | { type: 'assist.updated'; assist: AssistSettings }
  | { type: 'queue.updated'; queue: QueueSettings }
  | { type: 'member.set'; user: string; role: Role | null }
  | { type: 'run.started'; run: string; kind: RunKind; device?: string; params?: Record<string, unknown> }
  /** `device`: what really ran the step (it may differ from the one named at the start). */
  | { type: 'run.finished'; run: string; status: RunStatus; metrics?: Record<string, unknown>; error?: string; device?: string }
  | { type: 'prelabels.proposed'; run: string; items: number[]; annotations: Annotation[][] }
  /**
   * Prelabels taken back (a newer model no longer proposes them, a round failed validation, or
   * their realized precision fell below target): the items leave the prelabeled lane for the lane
   * they were in before (clustered when they have a cluster, else manual). Readers from before this
   * event ignore it (they keep serving the old prelabels, as they always did).
   */
  | { type: 'prelabels.withdrawn'; run?: string; items: number[]; reason?: string }
  | { type: 'clusters.assigned'; run: string; items: number[]; clusters: number[] }
  /**
   * The not-yet-labeled items a run found most informative, most informative first (`scores`, when
   * given, are the run's scores of the same items, for the record). It replaces the previous
   * ranking; with `queue.order: 'informative'` the manual and clustered lanes serve these items
   * first, in this order. Readers from before this event ignore it (they serve the shuffled order).
   */
  | { type: 'items.ranked'; run?: string; items: number[]; scores?: number[] }
  /** An owner stopped the project: no new tasks are handed out; leases in flight may still be submitted. */
  | { type: 'project.stopped'; reason?: string }
  /** An owner started it again (after a stop, or out of the archive). */
  | { type: 'project.started' }
  /** An owner archived it: read-only (still readable and exportable); its name stays taken. */
  | { type: 'project.archived'; reason?: string }
  /** A reviewer settled a consensus item: its final labels (answers that disagreed, or a new decision). */
  | { type: 'consensus.resolved'; items: number[]; annotations: Annotation[][] };

export type EventType = ProjectEvent['type'];

/** An event as written: the payload plus envelope fields. */
export type JournalEvent = ProjectEvent & {
  /** Schema version the event was written with. */
  v: number;
  /** Writer clock (ms since epoch). */
  at: number;
  /** Actor id. */
  by: string;
};

/**
 * Brings an event written by an older schema up to the current one. Version 1 is current; the
 * switch is where future upcasters go (e.g. `case 1: return upcastV1toV2(e)`).
 */
export function upcast(raw: Record<string, unknown>): JournalEvent {
  const v = typeof raw.v === 'number' ? raw.v : 0;
  if (v === 0) {
    // Pre-release journals carried no version and called 'labels.submitted' 'task.submitted'.
    const e = { ...raw, v: 1 } as Record<string, unknown>;
    if (e.type === 'task.submitted') e.type = 'labels.submitted';
    return e as unknown as JournalEvent;
  }
  if (v > EVENT_SCHEMA_VERSION) {
    throw new LabelkitError('E_UNSUPPORTED_FORMAT', `Event schema v${v} is newer than this Labelkit (v${EVENT_SCHEMA_VERSION}); upgrade @labelkit/core.`, { version: v });
  }
  return raw as unknown as JournalEvent;
}
