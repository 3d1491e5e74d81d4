// Snapshots as an older writer left them: sections dropped from the header and the body, the CRC-32
// rewritten (test support: not part of the published package).
import { crc32 } from '../src/util/crc32.js';

/** A snapshot with some sections dropped from its header (as an older writer would have left them out). */
export function stripSections(bytes: Uint8Array, drop: readonly string[]): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metaLen = dv.getUint32(12, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + metaLen))) as { sections: { name: string; type: string; length: number }[] };
  const size = { u8: 1, i32: 4, u32: 4, f64: 8 } as Record<string, number>;
  const align8 = (n: number) => (n + 7) & ~7;
  let off = align8(16 + metaLen);
  const keep: { name: string; type: string; length: number; data: Uint8Array }[] = [];
  for (const x of meta.sections) {
    const len = x.length * size[x.type]!;
    if (!drop.includes(x.name)) keep.push({ ...x, data: bytes.subarray(off, off + len) });
    off = align8(off + len);
  }
  // Every section named must have been there: a strip that drops nothing tests nothing.
  if (keep.length !== meta.sections.length - drop.length) throw new Error(`not every section of ${drop.join(', ')} is in this snapshot`);
  const newMeta = { ...meta, sections: keep.map(({ name, type, length }) => ({ name, type, length })) };
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
