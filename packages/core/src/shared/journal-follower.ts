import { journalPrefix, type SegmentRead } from '../journal/journal.js';

// The small, dependency-free part of following a journal: segment keys, the client registry's
// prefix and the deterministic segment order. Statically imported by the journal and the tabs; the
// follower itself (follower.ts, with the shared tail) is loaded with the rest of shared/.

const SEQ_DIGITS = 10;

export function clientsPrefix(projectId: string): string {
  return `projects/${projectId}/clients/`;
}

/** The key of one segment, as `Journal.append` writes it. */
export function segmentKey(projectId: string, client: string, seq: number): string {
  return `${journalPrefix(projectId)}${client}/${String(seq).padStart(SEQ_DIGITS, '0')}.jsonl`;
}

/** The deterministic segment order: first event's time, then client id, then sequence. */
export function compareSegments(a: Pick<SegmentRead, 'client' | 'seq' | 'events'>, b: Pick<SegmentRead, 'client' | 'seq' | 'events'>): number {
  return (a.events[0]?.at ?? 0) - (b.events[0]?.at ?? 0) || (a.client < b.client ? -1 : a.client > b.client ? 1 : 0) || a.seq - b.seq;
}

export function sortSegments<T extends Pick<SegmentRead, 'client' | 'seq' | 'events'>>(segments: T[]): T[] {
  return segments.sort(compareSegments);
}
