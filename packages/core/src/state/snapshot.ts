import { LabelkitError } from '../errors.js';
import type { JournalCursor } from '../journal/journal.js';
import { crc32, hasNativeCrc32 } from '../util/crc32.js';
import { Column } from '../util/growable.js';
import { ItemColumns } from './columns.js';
import { ProjectState, type StateParts } from './project-state.js';
import { StringTable } from './string-table.js';
import type { CodedPaths } from './path-coding.js';
import { TextColumn } from './text-column.js';
import type { Role } from '../types.js';

/**
 * Snapshot layout (little-endian):
 *   'LKS1' | u32 format version | u32 crc32 of everything after this field | u32 meta length |
 *   meta JSON (UTF-8) | padding to 8 | sections, each 8-byte aligned, in the order meta.sections lists.
 * Typed-array sections are read as views on the snapshot bytes: opening copies nothing per item.
 *
 * Format 2 run-length codes a section when that at least halves it (`coding` in its header entry):
 * its `runs` values, then (8-aligned) `runs` u32 run lengths; `delta-rle` codes the differences
 * of an integer column (offsets of a text column, which rise by each item's length). Most columns
 * of a large project are one value over long runs (no cluster, not labeled, no prelabel). It also
 * stores the paths as folders + file names (`paths.dirs.*`, `paths.dir`, `paths.names.*`:
 * path-coding.ts) when that saves a quarter of them. At 500k items the snapshot shrinks from 54 to
 * 13.6 MB, and reading it back, its CRC-32 and every copy of it cost in proportion to its size.
 * Coded sections are expanded into fresh arrays on open (a few ms); the others stay views. Format 1
 * snapshots are still read; a format 1 reader rejects format 2 and rebuilds from the journal.
 */
export const SNAPSHOT_FORMAT = 2;
/** Snapshot formats this reader understands. */
const READS = new Set([1, 2]);
const MAGIC = 0x31534b4c; // 'LKS1'

/** The header: the fold's parts (`StateParts`) as JSON, the per-item columns as sections after it. */
interface SnapshotMeta extends Omit<StateParts, 'items' | 'members'> {
  format: number;
  cursor: JournalCursor;
  itemCount: number;
  members: [string, Role][];
  users: string[];
  unreadable: [number, { code: string; reason: string }][];
  sections: SectionMeta[];
}

interface SectionMeta {
  name: string;
  type: 'u8' | 'i32' | 'u32' | 'f64';
  /** Elements in the column. */
  length: number;
  /** Format 2: stored run-length coded, as `runs` values and `runs` run lengths. */
  coding?: 'rle' | 'delta-rle';
  runs?: number;
}

/** A typed-array column, as a section holds it. */
type Column32 = Uint8Array | Int32Array | Uint32Array | Float64Array;
type Section = { name: string; data: Column32 };

/**
 * The state as a snapshot holds it, taken at one moment: the header's JSON (all but its sections)
 * and the columns. With `copy`, the live columns are copied, so the state may change while the
 * capture is encoded (`encodeCaptured`); without, they are views, to be encoded at once.
 */
export interface SnapshotCapture {
  readonly header: string;
  readonly sections: readonly Section[];
}

export function captureSnapshot(state: ProjectState, cursor: JournalCursor, options: { copy?: boolean } = {}): SnapshotCapture {
  const p = state.parts();
  const s = p.items;
  const n = s.length;
  const live = <T extends Column32>(a: T, len: number): T => (options.copy ? (a.slice(0, len) as T) : (a.subarray(0, len) as T));
  const labels = s.labels.serialize(n);
  const prelabels = s.prelabels.serialize(n);
  const shown = s.shown.serialize(n);
  const sections: Section[] = [
    ...pathSections(s.paths, live),
    { name: 'state', data: live(s.status.array, n) },
    { name: 'lane', data: live(s.lane.array, n) },
    { name: 'etag', data: live(s.etag.array, n) },
    { name: 'size', data: live(s.size.array, n) },
    { name: 'lastModified', data: live(s.lastModified.array, n) },
    { name: 'width', data: live(s.width.array, n) },
    { name: 'height', data: live(s.height.array, n) },
    { name: 'cluster', data: live(s.cluster.array, n) },
    { name: 'labeledBy', data: live(s.labeledBy.array, n) },
    { name: 'labeledAt', data: live(s.labeledAt.array, n) },
    { name: 'order', data: live(s.order.array, s.order.length) },
    { name: 'labels.bytes', data: labels.bytes },
    { name: 'labels.offsets', data: labels.offsets },
    { name: 'prelabels.bytes', data: prelabels.bytes },
    { name: 'prelabels.offsets', data: prelabels.offsets },
    // Added after format 1 shipped: readers that predate it skip sections they do not know.
    { name: 'shown.bytes', data: shown.bytes },
    { name: 'shown.offsets', data: shown.offsets },
    { name: 'ranked', data: live(s.ranked.array, s.ranked.length) },
  ];
  const users: string[] = [];
  for (let i = 0; i < s.users.size; i++) users.push(s.users.get(i));
  const meta: Omit<SnapshotMeta, 'sections'> = {
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
  };
  return { header: JSON.stringify(meta), sections };
}

/** Bytes of a snapshot's CRC between two pauses of `encodeCaptured` (JavaScript CRC only). */
const CRC_SLICE = 2 ** 20;

/**
 * Encodes a capture, pausing (a `yield`) after each section's run coding and each megabyte of its
 * CRC: no step takes long, so a page can take input between them.
 */
function* encodeSteps(c: SnapshotCapture): Generator<void, Uint8Array, void> {
  // Each section as the chunks it is stored as (each 8-byte aligned): raw, or values + run lengths.
  const stored: Uint8Array[][] = [];
  const entries: SectionMeta[] = [];
  for (const x of c.sections) {
    const coded = runCode(x.data);
    const entry: SectionMeta = { name: x.name, type: typeName(x.data), length: x.data.length };
    if (coded) {
      entries.push({ ...entry, coding: coded.coding, runs: coded.lengths.length });
      stored.push([bytesOf(coded.values), bytesOf(coded.lengths)]);
    } else {
      entries.push(entry);
      stored.push([bytesOf(x.data)]);
    }
    yield;
  }
  // The header is an object whose last key is `sections`.
  const metaBytes = new TextEncoder().encode(`${c.header.slice(0, -1)},"sections":${JSON.stringify(entries)}}`);
  const head = 16;
  let total = align8(head + metaBytes.length);
  for (const chunks of stored) for (const x of chunks) total = align8(total + x.byteLength);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, SNAPSHOT_FORMAT, true);
  dv.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, head);
  let off = align8(head + metaBytes.length);
  for (const chunks of stored) {
    for (const x of chunks) {
      out.set(x, off);
      off = align8(off + x.byteLength);
    }
  }
  yield;
  let crc = 0;
  const step = hasNativeCrc32() ? total : CRC_SLICE;
  for (let at = 12; at < total; at += step) {
    crc = crc32(out, at, Math.min(total, at + step), crc);
    if (at + step < total) yield;
  }
  dv.setUint32(8, crc, true);
  return out;
}

export function encodeSnapshot(state: ProjectState, cursor: JournalCursor): Uint8Array {
  const steps = encodeSteps(captureSnapshot(state, cursor));
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Encodes a capture (`captureSnapshot` with `copy`), awaiting `pause()` between its steps. */
export async function encodeCaptured(capture: SnapshotCapture, pause: () => Promise<void>): Promise<Uint8Array> {
  const steps = encodeSteps(capture);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await pause();
  }
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
  if (!READS.has(format)) throw bad(`format ${format} is not supported`);
  if (crc32(bytes, 12) !== dv.getUint32(8, true)) throw bad('checksum mismatch');
  const metaLen = dv.getUint32(12, true);
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + metaLen))) as SnapshotMeta;
  } catch {
    throw bad('unreadable header');
  }
  let off = align8(16 + metaLen);
  const sec = new Map<string, Column32>();
  /** The coded sections' runs: checks and counts over them cost O(runs), not O(items). */
  const runsOf = new Map<string, Runs>();
  for (const x of meta.sections) {
    const C = ctorOf(x.type);
    if (x.coding) {
      const runs = x.runs ?? -1;
      if (!(Number.isInteger(runs) && runs >= 0 && Number.isInteger(x.length) && x.length >= 0)) throw bad(`section ${x.name} has a bad run count`);
      if (x.coding !== 'rle' && !(x.coding === 'delta-rle' && (x.type === 'u32' || x.type === 'i32'))) throw bad(`section ${x.name} has an unknown coding`);
      const valueLen = runs * C.BYTES_PER_ELEMENT;
      const lengthsAt = align8(off + valueLen);
      if (lengthsAt + runs * 4 > bytes.byteLength) throw bad(`section ${x.name} runs past the end`);
      const values = new C(bytes.buffer as ArrayBuffer, bytes.byteOffset + off, runs);
      const lengths = new Uint32Array(bytes.buffer as ArrayBuffer, bytes.byteOffset + lengthsAt, runs);
      const column = runDecode(C, x.length, values, lengths, x.coding);
      if (!column) throw bad(`section ${x.name}'s runs do not add up to ${x.length}`);
      sec.set(x.name, column);
      runsOf.set(x.name, { values, lengths, coding: x.coding });
      off = align8(lengthsAt + runs * 4);
      continue;
    }
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
  s.paths = sec.has('paths.names.bytes')
    ? StringTable.fromCoded(
        checkedPaths(
          {
            dirBytes: get<Uint8Array>('paths.dirs.bytes'),
            dirOffsets: get<Uint32Array>('paths.dirs.offsets'),
            dir: get<Uint32Array>('paths.dir'),
            names: get<Uint8Array>('paths.names.bytes'),
            nameOffsets: get<Uint32Array>('paths.names.offsets'),
          },
          bad,
          runsOf,
        ),
      )
    : StringTable.deserialize(get<Uint8Array>('paths.bytes'), get<Uint32Array>('paths.offsets'));
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
  const statusRuns = runsOf.get('state');
  const state = ProjectState.fromParts(
    {
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
    },
    statusRuns?.coding === 'rle' ? countRuns(statusRuns) : undefined,
  );
  return { state, cursor: meta.cursor };
}

/** The paths' sections: folders + file names (format 2) when that saves a quarter of them, else the arena as it is. */
function pathSections(paths: StringTable, live: <T extends Column32>(a: T, len: number) => T): Section[] {
  // A split (or the coded paths opened) is never written to: only the arena is live.
  const coded = paths.split();
  if (!coded) {
    const arena = paths.serialize();
    return [
      { name: 'paths.bytes', data: live(arena.bytes, arena.bytes.length) },
      { name: 'paths.offsets', data: live(arena.offsets, arena.offsets.length) },
    ];
  }
  return [
    { name: 'paths.dirs.bytes', data: coded.dirBytes },
    { name: 'paths.dirs.offsets', data: coded.dirOffsets },
    { name: 'paths.dir', data: coded.dir },
    { name: 'paths.names.bytes', data: coded.names },
    { name: 'paths.names.offsets', data: coded.nameOffsets },
  ];
}

/** A coded section's runs, as stored. */
interface Runs {
  values: Column32;
  lengths: Uint32Array;
  coding: 'rle' | 'delta-rle';
}

/**
 * Coded paths whose indices and offsets stay inside their sections (they are read lazily, one path
 * at a time). Run-coded sections are checked over their runs: in a fresh page a loop over 100k
 * offsets still runs unoptimized, and this check was 2–10 ms of a reopen.
 */
function checkedPaths(c: CodedPaths, bad: (why: string) => Error, runsOf: ReadonlyMap<string, Runs>): CodedPaths {
  const dirs = c.dirOffsets.length - 1;
  const ordered = (o: Uint32Array, end: number, runs: Runs | undefined) => {
    if (o.length < 1 || o[0] !== 0 || o[o.length - 1] !== end) return false;
    if (runs) return runsAscend(runs);
    for (let i = 1; i < o.length; i++) if (o[i]! < o[i - 1]!) return false;
    return true;
  };
  if (
    !ordered(c.dirOffsets, c.dirBytes.length, runsOf.get('paths.dirs.offsets')) ||
    !ordered(c.nameOffsets, c.names.length, runsOf.get('paths.names.offsets')) ||
    c.nameOffsets.length !== c.dir.length + 1
  ) {
    throw bad('path offsets out of order');
  }
  const dirRuns = runsOf.get('paths.dir');
  const dir = dirRuns?.coding === 'rle' ? (dirRuns.values as Uint32Array) : c.dir;
  for (let i = 0; i < dir.length; i++) if (dir[i]! >= dirs) throw bad('a path names a folder that is not there');
  return c;
}

/**
 * Whether a run-coded u32 column never falls. Plain runs: their values rise. Differences: the
 * unsigned differences are never negative, so the column falls only where the running sum wraps
 * past 2³², which it does iff the sum of all of them does.
 */
function runsAscend(r: Runs): boolean {
  const v = r.values as Uint32Array;
  if (r.coding === 'rle') {
    for (let k = 1; k < v.length; k++) if (v[k]! < v[k - 1]!) return false;
    return true;
  }
  let sum = 0;
  for (let k = 0; k < v.length; k++) sum += v[k]! * r.lengths[k]!;
  return sum <= 0xffffffff;
}

/** Items per status, from the status column's runs. */
function countRuns(r: Runs): Int32Array {
  const counts = new Int32Array(6);
  for (let k = 0; k < r.values.length; k++) counts[r.values[k]!]! += r.lengths[k]!;
  return counts;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function bytesOf(a: Column32): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * The column run-length coded — as is, or (integer columns) its differences — when that at least
 * halves it; else undefined. Values compare bit for bit, so runs of NaN (no size) are runs and -0
 * stays -0. The loops run over 32-bit words (a float is two) or bytes, never over the column's own
 * type, so each stays monomorphic: this runs over every column of every snapshot written.
 */
export function runCode(a: Column32): { coding: 'rle' | 'delta-rle'; values: Column32; lengths: Uint32Array } | undefined {
  if (a.length < 64) return undefined;
  const budget = Math.floor(a.byteLength / 2 / (a.BYTES_PER_ELEMENT + 4));
  const C = a.constructor as { new (b: ArrayBuffer, offset: number, n: number): Column32 };
  if (a instanceof Uint8Array) {
    const coded = byteRuns(a, budget);
    return coded && { coding: 'rle', values: coded.values, lengths: coded.lengths };
  }
  const stride = a instanceof Float64Array ? 2 : 1;
  const coded = wordRuns(new Uint32Array(a.buffer, a.byteOffset, a.length * stride), stride, budget);
  return coded && { coding: coded.coding, values: new C(coded.values.buffer as ArrayBuffer, 0, coded.lengths.length), lengths: coded.lengths };
}

/** Runs of equal bytes, when there are at most `budget`. */
function byteRuns(a: Uint8Array, budget: number): { values: Uint8Array; lengths: Uint32Array } | undefined {
  const n = a.length;
  let runs = 1;
  for (let i = 1; i < n && runs <= budget; i++) if (a[i] !== a[i - 1]) runs++;
  if (runs > budget) return undefined;
  const values = new Uint8Array(runs);
  const lengths = new Uint32Array(runs);
  let r = 0;
  values[0] = a[0]!;
  lengths[0] = 1;
  for (let i = 1; i < n; i++) {
    if (a[i] === a[i - 1]) lengths[r]!++;
    else {
      values[++r] = a[i]!;
      lengths[r] = 1;
    }
  }
  return checked({ values, lengths }, r + 1, runs);
}

/**
 * Runs over a column's 32-bit words, `stride` words a value (2: a float): runs of equal values, or
 * (stride 1) of equal differences, wrapped to 32 bits as the decoder's running sum wraps — the
 * same for a signed and an unsigned column. The coding with fewer runs, if at most `budget`.
 */
function wordRuns(w: Uint32Array, stride: 1 | 2, budget: number): { coding: 'rle' | 'delta-rle'; values: Uint32Array; lengths: Uint32Array } | undefined {
  const n = w.length / stride;
  let plain = 1;
  if (stride === 1) for (let i = 1; i < n && plain <= budget; i++) plain += w[i] !== w[i - 1] ? 1 : 0;
  else for (let i = 1; i < n && plain <= budget; i++) plain += w[2 * i] !== w[2 * i - 2] || w[2 * i + 1] !== w[2 * i - 1] ? 1 : 0;
  let diffs = Infinity;
  if (stride === 1) {
    diffs = 1;
    let d = w[0]! | 0;
    for (let i = 1; i < n && diffs <= budget; i++) {
      const e = (w[i]! - w[i - 1]!) | 0;
      diffs += e !== d ? 1 : 0;
      d = e;
    }
  }
  if (Math.min(plain, diffs) > budget) return undefined;
  if (diffs < plain) {
    const values = new Uint32Array(diffs);
    const lengths = new Uint32Array(diffs);
    let r = 0;
    let d = w[0]! | 0;
    values[0] = d;
    lengths[0] = 1;
    for (let i = 1; i < n; i++) {
      const e = (w[i]! - w[i - 1]!) | 0;
      if (e === d) lengths[r]!++;
      else {
        values[++r] = e;
        lengths[r] = 1;
        d = e;
      }
    }
    return checked({ coding: 'delta-rle', values, lengths }, r + 1, diffs);
  }
  const values = new Uint32Array(plain * stride);
  const lengths = new Uint32Array(plain);
  let r = 0;
  for (let k = 0; k < stride; k++) values[k] = w[k]!;
  lengths[0] = 1;
  for (let i = 1; i < n; i++) {
    const o = i * stride;
    if (w[o] === w[o - stride] && (stride === 1 || w[o + 1] === w[o - 1])) lengths[r]!++;
    else {
      r++;
      for (let k = 0; k < stride; k++) values[r * stride + k] = w[o + k]!;
      lengths[r] = 1;
    }
  }
  return checked({ coding: 'rle', values, lengths }, r + 1, plain);
}

function checked<T>(coded: T, wrote: number, counted: number): T {
  if (wrote !== counted) throw new LabelkitError('E_CORRUPT_SNAPSHOT', `The snapshot was not written: run coding counted ${counted} runs and wrote ${wrote}.`);
  return coded;
}

/** Expands a run-coded section into a fresh column; undefined when the runs do not add up. */
export function runDecode(C: ReturnType<typeof ctorOf>, n: number, values: Column32, lengths: Uint32Array, coding: 'rle' | 'delta-rle'): Column32 | undefined {
  let total = 0;
  for (let r = 0; r < lengths.length; r++) total += lengths[r]!;
  if (total !== n) return undefined;
  const out = new C(n);
  let i = 0;
  if (coding === 'rle') {
    for (let r = 0; r < lengths.length; r++) {
      out.fill(values[r]!, i, i + lengths[r]!);
      i += lengths[r]!;
    }
    return out;
  }
  // Differences (integer columns): the running sum over the 32-bit words, wrapped as the writer's
  // subtraction was — the same bits for a signed and an unsigned column.
  const ow = new Uint32Array(out.buffer, out.byteOffset, n);
  const dw = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let acc = 0;
  for (let r = 0; r < lengths.length; r++) {
    const d = dw[r]!;
    for (let end = i + lengths[r]!; i < end; i++) {
      acc = (acc + d) >>> 0;
      ow[i] = acc;
    }
  }
  return out;
}

function typeName(a: Column32): 'u8' | 'i32' | 'u32' | 'f64' {
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
