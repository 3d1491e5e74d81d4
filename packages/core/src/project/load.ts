import { loadCheckpoint } from '../checkpoint.js';
import { LabelkitError } from '../errors.js';
import type { JournalEvent } from '../journal/events.js';
import { Journal, type JournalCursor } from '../journal/journal.js';
import { ProjectState } from '../state/project-state.js';
import { decodeSnapshot } from '../state/snapshot.js';
import type { Store } from '../store/store.js';
import { defaultClientId } from '../tabs.js';
import { loadSharedModule } from './shared-module.js';
import type { OpenReport, ProjectOptions } from './types.js';

/** What opening a project reads: the state and where the journal stands, for `Project`'s constructor. */
export interface LoadedProject {
  state: ProjectState;
  journal: Journal;
  cursor: JournalCursor;
  report: OpenReport;
  /** The snapshot the state started from and the events folded since (the checkpoint tail). */
  checkpoint: { base?: string; tail: JournalEvent[] };
}

/** Reads a project from its latest good snapshot plus the journal after it. */
export async function loadProject(store: Store, id: string, options: ProjectOptions): Promise<LoadedProject> {
  // In a tab the client id is a Web Lock to claim (a reloaded page waits for its old self to let go):
  // claimed while the checkpoint is read.
  const clientId = defaultClientId(store, id, options);
  clientId.catch(() => undefined);
  const snapshotDamage: { key: string; reason: string }[] = [];
  let state: ProjectState | undefined;
  let cursor: JournalCursor = {};
  if (options.shared) {
    const { loadSnapshot } = await loadSharedModule();
    // The head a team publishes If-Match names the newest snapshot without a listing.
    const head = await loadSnapshot(store, id, options.signal).catch(() => undefined);
    if (head) {
      try {
        ({ state, cursor } = decodeSnapshot(head.body));
      } catch (err) {
        snapshotDamage.push({ key: head.head.body, reason: (err as Error).message });
      }
    }
  }
  let checkpoint: { base?: string; tail: JournalEvent[] } = { tail: [] };
  let probe = false;
  /** The journal after a good tail, read while its snapshot is decoded. */
  let early: { cursor: JournalCursor; journal: Promise<Journal>; read: ReturnType<Journal['read']> } | undefined;
  if (!state) {
    // The newest snapshot with its tail checkpoint: then only segments after the tail are read.
    const cp = await loadCheckpoint(store, id, snapshotDamage, options.signal, (tail) => {
      if (!tail.registered) return;
      const journal = clientId.then((c) => new Journal(store, id, c));
      const read = journal.then((j) => j.read(tail.cursor, options.signal, { probe: true }));
      read.catch(() => undefined);
      early = { cursor: tail.cursor, journal, read };
    });
    if (cp) {
      ({ state, cursor } = cp);
      checkpoint = { base: cp.base, tail: cp.tail };
      probe = cp.probe;
    }
  }
  const fromSnapshot = !!state;
  state ??= new ProjectState();
  // After a tail whose writers all registered, each client is asked for its next segments instead
  // of listing the whole journal (see `TailHeader.registered`); usually that read has already begun.
  const ready = early?.cursor === cursor && probe ? early : undefined;
  const journal = ready ? await ready.journal : new Journal(store, id, await clientId);
  const read = ready ? await ready.read : await journal.read(cursor, options.signal, { probe });
  let replayed = 0;
  for (const seg of read.segments) {
    for (const e of seg.events) {
      if (!state.created && e.type !== 'project.created') continue;
      state.apply(e);
      checkpoint.tail.push(e);
      replayed++;
    }
  }
  if (!state.created) {
    throw new LabelkitError('E_NOT_FOUND', `Project ${id} has no readable history in ${store.description}.`, { id });
  }
  return { state, journal, cursor: read.cursor, report: { journalDamage: read.damage, snapshotDamage, fromSnapshot, eventsReplayed: replayed }, checkpoint };
}
