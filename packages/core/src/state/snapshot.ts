import { LabelkitError } from '../errors.js';
import type { JournalCursor } from '../journal/journal.js';
import { crc32 } from '../util/crc32.js';
import { Column } from '../util/growable.js';
import { ItemColumns } from './columns.js';
import { ProjectState, type StateParts } from './project-state.js';
import { StringTable } from './string-table.js';
import { TextColumn } from './text-column.js';
import type { Role } from '../types.js';

/**
 * Snapshot layout (little-endian):
 *   'LKS1' | u32 format version | u32 crc32 of everything after this field | u32 meta length |
 *   meta JSON (UTF-8) | padding to 8 | sections, each 8-byte aligned, in the order meta.sections lists.
 * Typed-array sections are read as views on the snapshot bytes: opening copies nothing per item.
 */
export const SNAPSHOT_FORMAT = 1;
const MAGIC = 0x31534b4c; // 'LKS1'

/** The header: the fold's parts (`StateParts`) as JSON, the per-item columns as sections after it. */
interface SnapshotMeta extends Omit<StateParts, 'items' | 'members'> {
  format: number;
  cursor: JournalCursor;
  itemCount: number;
  members: [string, Role][];
  users: string[];
  unreadable: [number, { code: string; reason: string }][];
  sections: { name: string; type: 'u8' | 'i32' | 'u32' | 'f64'; length: number }[];
}

type Section = { name: string; data: Uint8Array | Int32Array | Uint32Array | Float64Array };

export function encodeSnapshot(state: ProjectState, cursor: JournalCursor): Uint8Array {
  const p = state.parts();
  const s = p.items;
  const n = s.length;
  const paths = s.paths.serialize();
  const labels = s.labels.serialize(n);
  const prelabels = s.prelabels.serialize(n);
  const shown = s.shown.serialize(n);
  const sections: Section[] = [
    { name: 'paths.bytes', data: paths.bytes },
    { name: 'paths.offsets', data: paths.offsets },
    { name: 'state', data: s.status.array.subarray(0, n) },
    { name: 'lane', data: s.lane.array.subarray(0, n) },
    { name: 'etag', data: s.etag.array.subarray(0, n) },
    { name: 'size', data: s.size.array.subarray(0, n) },
    { name: 'lastModified', data: s.lastModified.array.subarray(0, n) },
    { name: 'width', data: s.width.array.subarray(0, n) },
    { name: 'height', data: s.height.array.subarray(0, n) },
    { name: 'cluster', data: s.cluster.array.subarray(0, n) },
    { name: 'labeledBy', data: s.labeledBy.array.subarray(0, n) },
    { name: 'labeledAt', data: s.labeledAt.array.subarray(0, n) },
    { name: 'order', data: s.order.array.subarray(0, s.order.length) },
    { name: 'labels.bytes', data: labels.bytes },
    { name: 'labels.offsets', data: labels.offsets },
    { name: 'prelabels.bytes', data: prelabels.bytes },
    { name: 'prelabels.offsets', data: prelabels.offsets },
    // Added after format 1 shipped: readers that predate it skip sections they do not know.
    { name: 'shown.bytes', data: shown.bytes },
    { name: 'shown.offsets', data: shown.offsets },
    { name: 'ranked', data: s.ranked.array.subarray(0, s.ranked.length) },
  ];
  const users: string[] = [];
  for (let i = 0; i < s.users.size; i++) users.push(s.users.get(i));
  const meta: SnapshotMeta = {
    format: SNAPSHOT_FORMAT,
    cursor,
    itemCount: n,
    meta: p.meta,
    members: [...p.members],
    users,
    unreadable: [...s.unreadable],
    runs: p.runs,
    tasks: p.tasks,
    batches: p.batches,
    eventCount: p.eventCount,
    lastEventAt: p.lastEventAt,
    labeledAtLastTraining: p.labeledAtLastTraining,
    trainingRuns: p.trainingRuns,
    labelTally: p.labelTally,
    ...(p.team ? { team: p.team } : {}),
    sections: sections.map((x) => ({ name: x.name, type: typeName(x.data), length: x.data.length })),
  };
  const metaBytes = new TextEncoder().encode(JSON.stringify(meta));
  const head = 16;
  let total = align8(head + metaBytes.length);
  for (const x of sections) total = align8(total + x.data.byteLength);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, SNAPSHOT_FORMAT, true);
  dv.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, head);
  let off = align8(head + metaBytes.length);
  for (const x of sections) {
    out.set(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength), off);
    off = align8(off + x.data.byteLength);
  }
  dv.setUint32(8, crc32(out, 12), true);
  return out;
}

export function decodeSnapshot(bytes: Uint8Array): { state: ProjectState; cursor: JournalCursor } {
  const bad = (why: string) => new LabelkitError('E_CORRUPT_SNAPSHOT', `The snapshot is damaged (${why}); it will be rebuilt from the journal.`, { why });
  if (bytes.byteLength < 16) throw bad('too short');
  // The columns are views on these bytes, written in place (opening copies nothing: 54 MB at 500k
  // items), so the bytes must own their buffer; typed-array views also need an aligned start.
  if (bytes.byteOffset % 8 !== 0 || bytes.byteLength !== bytes.buffer.byteLength) bytes = bytes.slice();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw bad('not a Labelkit snapshot');
  const format = dv.getUint32(4, true);
  if (format !== SNAPSHOT_FORMAT) throw bad(`format ${format} is not supported`);
  if (crc32(bytes, 12) !== dv.getUint32(8, true)) throw bad('checksum mismatch');
  const metaLen = dv.getUint32(12, true);
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + metaLen))) as SnapshotMeta;
  } catch {
    throw bad('unreadable header');
  }
  let off = align8(16 + metaLen);
  const sec = new Map<string, Uint8Array | Int32Array | Uint32Array | Float64Array>();
  for (const x of meta.sections) {
    const C = ctorOf(x.type);
    const byteLen = x.length * C.BYTES_PER_ELEMENT;
    if (off + byteLen > bytes.byteLength) throw bad(`section ${x.name} runs past the end`);
    sec.set(x.name, new C(bytes.buffer as ArrayBuffer, bytes.byteOffset + off, x.length));
    off = align8(off + byteLen);
  }
  const get = <T>(name: string) => {
    const v = sec.get(name);
    if (!v) throw bad(`section ${name} missing`);
    return v as T;
  };
  const s = new ItemColumns();
  const n = meta.itemCount;
  s.paths = StringTable.deserialize(get<Uint8Array>('paths.bytes'), get<Uint32Array>('paths.offsets'));
  if (s.paths.size !== n) throw bad('path table does not match the item count');
  s.status = Column.adopt(Uint8Array, get<Uint8Array<ArrayBuffer>>('state'));
  s.lane = Column.adopt(Uint8Array, get<Uint8Array<ArrayBuffer>>('lane'));
  s.etag = Column.adopt(Uint32Array, get<Uint32Array<ArrayBuffer>>('etag'));
  s.size = Column.adopt(Float64Array, get<Float64Array<ArrayBuffer>>('size'), NaN);
  s.lastModified = Column.adopt(Float64Array, get<Float64Array<ArrayBuffer>>('lastModified'), NaN);
  s.width = Column.adopt(Uint32Array, get<Uint32Array<ArrayBuffer>>('width'));
  s.height = Column.adopt(Uint32Array, get<Uint32Array<ArrayBuffer>>('height'));
  s.cluster = Column.adopt(Int32Array, get<Int32Array<ArrayBuffer>>('cluster'), -1);
  s.labeledBy = Column.adopt(Int32Array, get<Int32Array<ArrayBuffer>>('labeledBy'), -1);
  s.labeledAt = Column.adopt(Float64Array, get<Float64Array<ArrayBuffer>>('labeledAt'), NaN);
  s.order = Column.adopt(Uint32Array, get<Uint32Array<ArrayBuffer>>('order'));
  s.labels = TextColumn.fromSerialized(get<Uint8Array>('labels.bytes'), get<Uint32Array>('labels.offsets'));
  s.prelabels = TextColumn.fromSerialized(get<Uint8Array>('prelabels.bytes'), get<Uint32Array>('prelabels.offsets'));
  // Optional: snapshots written before the shown-prelabels column have no such section.
  if (sec.has('shown.bytes')) s.shown = TextColumn.fromSerialized(get<Uint8Array>('shown.bytes'), get<Uint32Array>('shown.offsets'));
  // Optional too: snapshots written before `items.ranked` have no ranking.
  if (sec.has('ranked')) s.ranked = Column.adopt(Uint32Array, get<Uint32Array<ArrayBuffer>>('ranked'));
  for (const u of meta.users) s.users.add(u);
  s.unreadable = new Map(meta.unreadable);
  const state = ProjectState.fromParts({
    meta: meta.meta,
    members: new Map(meta.members),
    items: s,
    runs: meta.runs,
    tasks: meta.tasks,
    batches: meta.batches,
    eventCount: meta.eventCount,
    lastEventAt: meta.lastEventAt,
    labeledAtLastTraining: meta.labeledAtLastTraining,
    trainingRuns: meta.trainingRuns,
    labelTally: meta.labelTally,
    team: meta.team,
  });
  return { state, cursor: meta.cursor };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function typeName(a: Section['data']): 'u8' | 'i32' | 'u32' | 'f64' {
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  return 'f64';
}

function ctorOf(t: string) {
  switch (t) {
    case 'u8':
      return Uint8Array;
    case 'i32':
      return Int32Array;
    case 'u32':
      return Uint32Array;
    case 'f64':
      return Float64Array;
    default:
      throw new LabelkitError('E_CORRUPT_SNAPSHOT', `Unknown section type ${t}.`);
  }
}
