// A streaming ZIP writer for multi-file exports (browser download of YOLO/VOC). Entries are read
// one at a time; each entry's bytes are held only while it is written. ZIP64 records are added when
// there are more than 65,535 entries or the archive passes 4 GiB, so 500,000 label files make a
// valid archive (fflate's own zip writer has no ZIP64). Entries are deflated with fflate's
// deflateSync: the same bytes in every browser and in Node (CompressionStream costs about a
// millisecond per entry in Node and its output depends on the platform's zlib).
import { deflateSync } from 'fflate';
import { concatBytes } from '../util/bytes.js';
import { LabelkitError, throwIfAborted } from '../errors.js';
import { newReport } from './issues.js';
import { safeName } from './paths.js';
import { timestamp } from './text.js';
import { ExportFiles, ExportStream } from './stream.js';
import type { ExportEntry, ExportReport } from './types.js';

export interface ZipOptions {
  /** `deflate` (default) compresses entries of at least `minDeflateSize` bytes; `store` never does. */
  readonly compression?: 'deflate' | 'store';
  /** Smaller entries are stored: deflating a few bytes costs more than it saves (default 512). */
  readonly minDeflateSize?: number;
  /** Entry modification time (default the export's date, or now). */
  readonly date?: Date;
  /** Largest single entry, in bytes (default 1 GiB). */
  readonly maxEntryBytes?: number;
  readonly signal?: AbortSignal;
}

/**
 * Streams entries (an `ExportFiles`, or any async iterable of `{path, chunks}`) as one ZIP archive.
 * The result's report is the files' report with `bytes` and `files` of the zip.
 */
export function zipFiles(files: ExportFiles | AsyncIterable<ExportEntry> | Iterable<ExportEntry>, options: ZipOptions = {}): ExportStream {
  const date = options.date ?? (files instanceof ExportFiles ? files.date : new Date());
  const inner = files instanceof ExportFiles ? files.report : undefined;
  // The zip's own report: bytes and files of the archive; images, annotations and issues of the export.
  const report: ExportReport = { ...newReport('zip', inner?.kind ?? 'image-object-detection'), issues: inner?.issues ?? [], issueCounts: inner?.issueCounts ?? {} };
  const name = files instanceof ExportFiles ? files.name : `export_${timestamp(date)}`;
  return new ExportStream({
    fileName: `${safeName(name)}.zip`,
    contentType: 'application/zip',
    format: files instanceof ExportFiles ? files.format : 'zip',
    report,
    source: () => zipChunks(files, options, date, report, inner),
  });
}

function sync(report: ExportReport, inner: ExportReport | undefined): void {
  if (!inner) return;
  report.images = inner.images;
  report.annotations = inner.annotations;
  report.skippedItems = inner.skippedItems;
}

interface CentralRecord {
  name: Uint8Array;
  crc: number;
  compressed: number;
  size: number;
  method: number;
  offset: number;
}

const encoder = new TextEncoder();

async function* zipChunks(
  files: AsyncIterable<ExportEntry> | Iterable<ExportEntry>,
  options: ZipOptions,
  date: Date,
  totals: ExportReport,
  inner: ExportReport | undefined,
): AsyncGenerator<Uint8Array> {
  const deflate = options.compression !== 'store';
  const minDeflate = options.minDeflateSize ?? 512;
  const maxEntry = options.maxEntryBytes ?? 2 ** 30;
  const { time, day } = dosDateTime(date);
  const central: CentralRecord[] = [];
  const names = new Set<string>();
  let offset = 0;
  let out: Uint8Array[] = [];
  let outBytes = 0;

  const emit = (e: { name: Uint8Array; data: Uint8Array; crc: number; packed: Uint8Array | undefined }) => {
    const packed = e.packed;
    const method = packed && packed.byteLength < e.data.byteLength ? 8 : 0;
    const body = method === 8 ? packed! : e.data;
    const header = new Uint8Array(30 + e.name.byteLength);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true); // version needed: 2.0
    v.setUint16(6, 0x0800, true); // UTF-8 names
    v.setUint16(8, method, true);
    v.setUint16(10, time, true);
    v.setUint16(12, day, true);
    v.setUint32(14, e.crc, true);
    v.setUint32(18, body.byteLength, true);
    v.setUint32(22, e.data.byteLength, true);
    v.setUint16(26, e.name.byteLength, true);
    v.setUint16(28, 0, true);
    header.set(e.name, 30);
    central.push({ name: e.name, crc: e.crc, compressed: body.byteLength, size: e.data.byteLength, method, offset });
    offset += header.byteLength + body.byteLength;
    out.push(header);
    if (body.byteLength) out.push(body);
    outBytes += header.byteLength + body.byteLength;
    totals.files++;
  };
  const flush = () => {
    const chunk = out.length === 1 ? out[0]! : concatBytes(out, outBytes);
    out = [];
    outBytes = 0;
    totals.bytes = offset;
    sync(totals, inner);
    return chunk;
  };

  for await (const entry of files as AsyncIterable<ExportEntry>) {
    throwIfAborted(options.signal);
    const path = entry.path.replace(/\\/g, '/').replace(/^\/+/, '');
    if (!path || path.split('/').some((s) => s === '..')) {
      throw new LabelkitError('E_INVALID_ARGUMENT', `A zip entry needs a relative path without "..": got "${entry.path}".`, { path: entry.path });
    }
    if (names.has(path)) throw new LabelkitError('E_INVALID_ARGUMENT', `Two zip entries have the same path "${path}".`, { path });
    names.add(path);
    const data = await gather(entry.chunks, maxEntry, path);
    const packed = deflate && data.byteLength >= minDeflate ? deflateSync(data, { level: 6 }) : undefined;
    emit({ name: encoder.encode(path), data, crc: crc32(data), packed });
    if (outBytes >= 64 * 1024) yield flush();
  }
  if (outBytes) yield flush();

  // Central directory, in chunks of about 64 KiB.
  const cdStart = offset;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for (const r of central) {
    const zip64 = r.offset >= 0xffffffff;
    const extra = zip64 ? 12 : 0;
    const rec = new Uint8Array(46 + r.name.byteLength + extra);
    const v = new DataView(rec.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, (3 << 8) | 45, true); // made by: Unix, 4.5
    v.setUint16(6, zip64 ? 45 : 20, true);
    v.setUint16(8, 0x0800, true);
    v.setUint16(10, r.method, true);
    v.setUint16(12, time, true);
    v.setUint16(14, day, true);
    v.setUint32(16, r.crc, true);
    v.setUint32(20, r.compressed, true);
    v.setUint32(24, r.size, true);
    v.setUint16(28, r.name.byteLength, true);
    v.setUint16(30, extra, true);
    v.setUint16(32, 0, true); // comment
    v.setUint16(34, 0, true); // disk
    v.setUint16(36, 0, true); // internal attributes
    v.setUint32(38, (0o100644 << 16) >>> 0, true); // -rw-r--r--
    v.setUint32(42, zip64 ? 0xffffffff : r.offset, true);
    rec.set(r.name, 46);
    if (zip64) {
      const at = 46 + r.name.byteLength;
      v.setUint16(at, 0x0001, true);
      v.setUint16(at + 2, 8, true);
      v.setBigUint64(at + 4, BigInt(r.offset), true);
    }
    pending.push(rec);
    pendingBytes += rec.byteLength;
    offset += rec.byteLength;
    if (pendingBytes >= 64 * 1024) {
      totals.bytes = offset;
      yield concatBytes(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
    }
  }
  const cdSize = offset - cdStart;
  const count = central.length;
  const needs64 = count > 0xffff || cdStart >= 0xffffffff || cdSize >= 0xffffffff;
  const tail: Uint8Array[] = [...pending];
  if (needs64) {
    const rec = new Uint8Array(56 + 20);
    const v = new DataView(rec.buffer);
    v.setUint32(0, 0x06064b50, true); // ZIP64 end of central directory record
    v.setBigUint64(4, 44n, true);
    v.setUint16(12, (3 << 8) | 45, true);
    v.setUint16(14, 45, true);
    v.setUint32(16, 0, true);
    v.setUint32(20, 0, true);
    v.setBigUint64(24, BigInt(count), true);
    v.setBigUint64(32, BigInt(count), true);
    v.setBigUint64(40, BigInt(cdSize), true);
    v.setBigUint64(48, BigInt(cdStart), true);
    v.setUint32(56, 0x07064b50, true); // ZIP64 end of central directory locator
    v.setUint32(60, 0, true);
    v.setBigUint64(64, BigInt(offset), true);
    v.setUint32(72, 1, true);
    tail.push(rec);
  }
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, Math.min(count, 0xffff), true);
  v.setUint16(10, Math.min(count, 0xffff), true);
  v.setUint32(12, needs64 ? Math.min(cdSize, 0xffffffff) : cdSize, true);
  v.setUint32(16, needs64 ? Math.min(cdStart, 0xffffffff) : cdStart, true);
  v.setUint16(20, 0, true);
  tail.push(end);
  let tailBytes = 0;
  for (const t of tail) tailBytes += t.byteLength;
  totals.bytes = offset - pendingBytes + tailBytes; // `offset` already counts the pending records
  sync(totals, inner);
  yield concatBytes(tail, tailBytes);
  totals.complete = inner ? inner.complete : true;
}

async function gather(chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, max: number, path: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of chunks as AsyncIterable<Uint8Array>) {
    n += c.byteLength;
    if (n > max) throw new LabelkitError('E_CAPACITY', `The zip entry "${path}" is larger than ${max} bytes; write this export to files instead.`, { path, max });
    parts.push(c);
  }
  return parts.length === 1 ? parts[0]! : concatBytes(parts, n);
}

function dosDateTime(date: Date): { time: number; day: number } {
  // DOS times are local-less; we write UTC so the bytes do not depend on the machine's time zone.
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    day: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3), as ZIP uses it. */
export function crc32(data: Uint8Array, crc = 0): number {
  let table = CRC_TABLE;
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    CRC_TABLE = table;
  }
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
