// Snapshots as an older writer left them: sections dropped from the header and the body, or a format 2
// snapshot written back as format 1; the CRC-32 rewritten (test support: not part of the published package).
import { joinPaths } from '../src/state/path-coding.js';
import { runCode, runDecode } from '../src/state/snapshot.js';
import { crc32 } from '../src/util/crc32.js';

interface Entry {
  name: string;
  type: string;
  length: number;
  coding?: 'rle' | 'delta-rle';
  runs?: number;
  /** The section as stored: its elements, or (run-coded) its values, padding to 8 and its run lengths. */
  data: Uint8Array<ArrayBuffer>;
}

const SIZE: Record<string, number> = { u8: 1, i32: 4, u32: 4, f64: 8 };
const CTOR = { u8: Uint8Array, i32: Int32Array, u32: Uint32Array, f64: Float64Array } as const;
const align8 = (n: number) => (n + 7) & ~7;

/** The header's JSON and each section's stored bytes (a copy of the snapshot's body, 8-byte aligned). */
function readSections(bytes: Uint8Array): { meta: Record<string, unknown>; entries: Entry[] } {
  const copy = bytes.slice();
  const metaLen = new DataView(copy.buffer).getUint32(12, true);
  const { sections, ...meta } = JSON.parse(new TextDecoder().decode(copy.subarray(16, 16 + metaLen))) as { sections: Omit<Entry, 'data'>[] };
  let off = align8(16 + metaLen);
  const entries = sections.map((x) => {
    const len = x.runs === undefined ? x.length * SIZE[x.type]! : align8(x.runs * SIZE[x.type]!) + x.runs * 4;
    const entry = { ...x, data: copy.subarray(off, off + len) };
    off = align8(off + len);
    return entry;
  });
  return { meta, entries };
}

/**
 * Where each section starts in the snapshot (its raw bytes, or a run-coded section's values), and
 * where the last one ends, 8-aligned: to damage one section in place.
 */
export function sectionStarts(bytes: Uint8Array): { at: Map<string, number>; end: number } {
  const { entries } = readSections(bytes);
  const at = new Map(entries.map((x) => [x.name, x.data.byteOffset] as const));
  const last = entries[entries.length - 1];
  return { at, end: last ? align8(last.data.byteOffset + last.data.byteLength) : 0 };
}

/** A snapshot of `format` with this header and these sections, its CRC-32 computed. */
function writeSnapshot(magic: number, format: number, meta: Record<string, unknown>, entries: readonly Entry[]): Uint8Array {
  const metaBytes = new TextEncoder().encode(JSON.stringify({ ...meta, format, sections: entries.map(({ data: _, ...entry }) => entry) }));
  let total = align8(16 + metaBytes.length);
  for (const x of entries) total = align8(total + x.data.byteLength);
  const out = new Uint8Array(total);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, magic, true);
  ov.setUint32(4, format, true);
  ov.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, 16);
  let o = align8(16 + metaBytes.length);
  for (const x of entries) {
    out.set(x.data, o);
    o = align8(o + x.data.byteLength);
  }
  ov.setUint32(8, crc32(out, 12), true);
  return out;
}

const header = (bytes: Uint8Array) => {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { magic: dv.getUint32(0, true), format: dv.getUint32(4, true) };
};

/** A snapshot with some sections dropped from its header (as an older writer would have left them out). */
export function stripSections(bytes: Uint8Array, drop: readonly string[]): Uint8Array {
  const { meta, entries } = readSections(bytes);
  const keep = entries.filter((x) => !drop.includes(x.name));
  // Every section named must have been there: a strip that drops nothing tests nothing.
  if (keep.length !== entries.length - drop.length) throw new Error(`not every section of ${drop.join(', ')} is in this snapshot`);
  const { magic, format } = header(bytes);
  return writeSnapshot(magic, format, meta, keep);
}

/**
 * The snapshot with one section's column replaced by `edit` of it (decoded, edited, coded again as a
 * writer would: run-coded when that halves it), the CRC-32 rewritten: damage a CRC cannot see.
 */
export function replaceSection(
  bytes: Uint8Array,
  name: string,
  edit: (column: Uint8Array | Int32Array | Uint32Array | Float64Array) => Uint8Array | Int32Array | Uint32Array | Float64Array,
): Uint8Array {
  const { meta, entries } = readSections(bytes);
  const out = entries.map((x): Entry => {
    if (x.name !== name) return x;
    const C = CTOR[x.type as keyof typeof CTOR];
    const column =
      x.runs === undefined
        ? new C(x.data.buffer, x.data.byteOffset, x.length)
        : runDecode(
            C,
            x.length,
            new C(x.data.buffer, x.data.byteOffset, x.runs),
            new Uint32Array(x.data.buffer, x.data.byteOffset + align8(x.runs * SIZE[x.type]!), x.runs),
            x.coding!,
          )!;
    const next = edit(column);
    const { coding: _c, runs: _r, ...entry } = x;
    const coded = runCode(next);
    if (!coded) return { ...entry, length: next.length, data: new Uint8Array(next.buffer as ArrayBuffer, next.byteOffset, next.byteLength) };
    const valueBytes = align8(coded.values.byteLength);
    const data = new Uint8Array(valueBytes + coded.lengths.byteLength);
    data.set(new Uint8Array(coded.values.buffer, coded.values.byteOffset, coded.values.byteLength), 0);
    data.set(new Uint8Array(coded.lengths.buffer, coded.lengths.byteOffset, coded.lengths.byteLength), valueBytes);
    return { ...entry, length: next.length, coding: coded.coding, runs: coded.lengths.length, data };
  });
  if (!entries.some((x) => x.name === name)) throw new Error(`no section ${name} in this snapshot`);
  const { magic, format } = header(bytes);
  return writeSnapshot(magic, format, meta, out);
}

/**
 * A snapshot as a format 1 writer left it: every run-coded section expanded (by the codec's own
 * `runDecode`), the paths as one arena (`paths.bytes`, `paths.offsets`) instead of folders and file
 * names, the format set to 1, the CRC-32 rewritten.
 */
export function asFormat1(bytes: Uint8Array): Uint8Array {
  const { meta, entries } = readSections(bytes);
  let coded = 0;
  const raw = new Map<string, Entry & { column: Uint8Array | Int32Array | Uint32Array | Float64Array }>();
  for (const x of entries) {
    const C = CTOR[x.type as keyof typeof CTOR];
    let column;
    if (x.runs === undefined) column = new C(x.data.buffer, x.data.byteOffset, x.length);
    else {
      coded++;
      const values = new C(x.data.buffer, x.data.byteOffset, x.runs);
      const lengths = new Uint32Array(x.data.buffer, x.data.byteOffset + align8(x.runs * SIZE[x.type]!), x.runs);
      column = runDecode(C, x.length, values, lengths, x.coding!)!;
    }
    const { coding: _c, runs: _r, ...entry } = x;
    raw.set(x.name, { ...entry, column, data: new Uint8Array(column.buffer as ArrayBuffer, column.byteOffset, column.byteLength) });
  }
  if (!coded) throw new Error('this snapshot has no run-coded section: converting it tests nothing');
  const out: Entry[] = [];
  if (raw.has('paths.names.bytes')) {
    const col = (name: string) => raw.get(name)!.column as never;
    const arena = joinPaths({
      dirBytes: col('paths.dirs.bytes'),
      dirOffsets: col('paths.dirs.offsets'),
      dir: col('paths.dir'),
      names: col('paths.names.bytes'),
      nameOffsets: col('paths.names.offsets'),
    });
    out.push({ name: 'paths.bytes', type: 'u8', length: arena.bytes.length, data: new Uint8Array(arena.bytes.buffer as ArrayBuffer) });
    out.push({ name: 'paths.offsets', type: 'u32', length: arena.offsets.length, data: new Uint8Array(arena.offsets.buffer as ArrayBuffer) });
  }
  for (const [name, x] of raw) if (!name.startsWith('paths.dir') && !name.startsWith('paths.names.')) out.push({ name, type: x.type, length: x.length, data: x.data });
  return writeSnapshot(header(bytes).magic, 1, meta, out);
}
