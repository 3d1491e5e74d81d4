// Shared-store coordination: what several clients of one project on a shared store (Azure Blob)
// need on top of the journal. Store-agnostic: it runs on any `Store` with conditional writes.
export { LeaseBoard, leasePrefix, type BusyUnit, type ClaimResult, type HeldUnit, type Lease, type LeaseBoardOptions, type LeaseEvent, type LeaseRecord } from './lease-board.js';
export { clientsPrefix, compareSegments, segmentKey, sortSegments } from './journal-follower.js';
export { JournalFollower } from './follower.js';
export { MergedJournal } from './merged-journal.js';
export { cursorDominates, loadSnapshot, publishSnapshot, snapshotHeadKey, type SnapshotHead } from './snapshot-slot.js';
export { RefreshLoop } from './refresh.js';
export { SharedCoordinator, type SharedCoordinatorOptions } from './coordinator.js';
