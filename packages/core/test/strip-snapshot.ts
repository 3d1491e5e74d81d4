// Snapshots as an older writer left them: sections dropped from the header and the body, the CRC-32
// rewritten (test support: not part of the published package).
import { crc32 } from '../src/util/crc32.js';

/** A snapshot with some sections dropped from its header (as an older writer would have left them out). */
export function stripSections(bytes: Uint8Array, drop: readonly string[]): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metaLen = dv.getUint32(12, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + metaLen))) as { sections: { name: string; type: string; length: number; runs?: number }[] };
  const size = { u8: 1, i32: 4, u32: 4, f64: 8 } as Record<string, number>;
  const align8 = (n: number) => (n + 7) & ~7;
  let off = align8(16 + metaLen);
  const keep: { name: string; type: string; length: number; runs?: number; data: Uint8Array }[] = [];
  for (const x of meta.sections) {
    // A run-coded section (format 2) holds its values, then (8-aligned) its u32 run lengths.
    const len = x.runs === undefined ? x.length * size[x.type]! : align8(x.runs * size[x.type]!) + x.runs * 4;
    if (!drop.includes(x.name)) keep.push({ ...x, data: bytes.subarray(off, off + len) });
    off = align8(off + len);
  }
  // Every section named must have been there: a strip that drops nothing tests nothing.
  if (keep.length !== meta.sections.length - drop.length) throw new Error(`not every section of ${drop.join(', ')} is in this snapshot`);
  const newMeta = { ...meta, sections: keep.map(({ data: _, ...entry }) => entry) };
  const metaBytes = new TextEncoder().encode(JSON.stringify(newMeta));
  let total = align8(16 + metaBytes.length);
  for (const x of keep) total = align8(total + x.data.byteLength);
  const out = new Uint8Array(total);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, dv.getUint32(0, true), true);
  ov.setUint32(4, dv.getUint32(4, true), true);
  ov.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, 16);
  let o = align8(16 + metaBytes.length);
  for (const x of keep) {
    out.set(x.data, o);
    o = align8(o + x.data.byteLength);
  }
  ov.setUint32(8, crc32(out, 12), true);
  return out;
}

/** A snapshot as a format 1 writer left it: every run-coded section expanded, the format set to 1, the CRC-32 rewritten. */
export function asFormat1(bytes: Uint8Array): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metaLen = dv.getUint32(12, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + metaLen))) as {
    sections: { name: string; type: string; length: number; coding?: string; runs?: number }[];
  };
  const size = { u8: 1, i32: 4, u32: 4, f64: 8 } as Record<string, number>;
  const ctor = { u8: Uint8Array, i32: Int32Array, u32: Uint32Array, f64: Float64Array } as Record<string, new (b: ArrayBufferLike, o: number, n: number) => ArrayLike<number>>;
  const align8 = (n: number) => (n + 7) & ~7;
  const copy = bytes.slice();
  let off = align8(16 + metaLen);
  const raw: Uint8Array[] = [];
  let coded = 0;
  for (const x of meta.sections) {
    const el = size[x.type]!;
    if (x.runs === undefined) {
      raw.push(copy.subarray(off, off + x.length * el));
      off = align8(off + x.length * el);
      continue;
    }
    coded++;
    const values = new ctor[x.type]!(copy.buffer, off, x.runs);
    const lengths = new Uint32Array(copy.buffer, align8(off + x.runs * el), x.runs);
    const C = ctor[x.type]! as unknown as new (n: number) => { [i: number]: number; buffer: ArrayBuffer };
    const out = new C(x.length);
    let i = 0;
    let acc = 0;
    for (let r = 0; r < x.runs; r++)
      for (let k = 0; k < lengths[r]!; k++, i++) {
        out[i] = x.coding === 'rle' ? values[r]! : acc + values[r]!;
        acc = out[i]!;
      }
    raw.push(new Uint8Array(out.buffer));
    off = align8(align8(off + x.runs * el) + x.runs * 4);
    delete x.coding;
    delete x.runs;
  }
  if (!coded) throw new Error('this snapshot has no run-coded section: converting it tests nothing');
  const metaBytes = new TextEncoder().encode(JSON.stringify({ ...meta, format: 1 }));
  let total = align8(16 + metaBytes.length);
  for (const r of raw) total = align8(total + r.byteLength);
  const out = new Uint8Array(total);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, dv.getUint32(0, true), true);
  ov.setUint32(4, 1, true);
  ov.setUint32(12, metaBytes.length, true);
  out.set(metaBytes, 16);
  let o = align8(16 + metaBytes.length);
  for (const r of raw) {
    out.set(r, o);
    o = align8(o + r.byteLength);
  }
  ov.setUint32(8, crc32(out, 12), true);
  return out;
}
