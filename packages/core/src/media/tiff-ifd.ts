// A small, defensive TIFF directory walker: finds every IFD, checks every offset against the file
// size, detects IFD loops, and describes each page — before any library (utif2) is trusted with
// the bytes. utif2's own parser has no loop or bounds protection (a looping IFD chain makes it
// spin forever; a huge value count makes it allocate without end), so nothing reaches it unchecked.
import { LabelkitError } from '../errors.js';
import type { Photometric } from './types.js';

/** Byte size of each TIFF field type (1..13); 0 for unknown types. */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
const MAX_IFDS = 10_000;
/** Tags whose values point at further IFDs (utif2 follows them). */
const SUB_IFD_TAGS = new Set([330, 34665, 34853, 61440]);

export const TIFF_COMPRESSION: Readonly<Record<number, string>> = {
  1: 'none',
  2: 'ccitt-rle',
  3: 'ccitt-g3',
  4: 'ccitt-g4',
  5: 'lzw',
  6: 'old-jpeg',
  7: 'jpeg',
  8: 'deflate',
  32946: 'deflate',
  32773: 'packbits',
  34712: 'jpeg2000',
  50000: 'zstd',
  50001: 'webp',
};

export interface TiffPage {
  /** Index of this page's IFD in the main chain. */
  readonly ifd: number;
  readonly offset: number;
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: readonly number[];
  readonly samplesPerPixel: number;
  readonly compression: number;
  readonly photometric: number;
  readonly planar: number;
  readonly predictor: number;
  readonly sampleFormat: number;
  readonly tiled: boolean;
  readonly tileWidth: number;
  readonly tileLength: number;
  readonly rowsPerStrip: number;
  readonly offsets: readonly number[];
  readonly byteCounts: readonly number[];
  readonly colorMap?: readonly number[];
  readonly extraSamples: readonly number[];
}

export interface TiffInfo {
  readonly littleEndian: boolean;
  /** Every IFD of the main chain (pages plus reduced-resolution ones). */
  readonly ifdCount: number;
  /** Full-resolution images, in file order (NewSubfileType bit 0 clear). */
  readonly pages: readonly TiffPage[];
}

function bad(message: string, details: Record<string, unknown> = {}): LabelkitError {
  return new LabelkitError('E_CORRUPT_IMAGE', `Corrupt TIFF: ${message}.`, details);
}

/** Maps a TIFF PhotometricInterpretation to the shared vocabulary. */
export function tiffPhotometric(p: number): Photometric {
  switch (p) {
    case 0:
      return 'MONOCHROME1';
    case 1:
      return 'MONOCHROME2';
    case 2:
      return 'RGB';
    case 3:
      return 'PALETTE COLOR';
    case 5:
      return 'CMYK';
    case 6:
      return 'YBR_FULL';
    default:
      return 'OTHER';
  }
}

type Entries = Map<number, number[]>;

/** Walks and validates the TIFF structure. Throws E_CORRUPT_IMAGE / E_UNSUPPORTED_FORMAT. */
export function readTiffStructure(b: Uint8Array, maxPixels = Infinity): TiffInfo {
  const len = b.length;
  if (len < 8) throw bad('the file is shorter than a TIFF header', { size: len });
  const le = b[0] === 0x49;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const magic = u16(2);
  if (magic === 43) throw new LabelkitError('E_UNSUPPORTED_FORMAT', 'BigTIFF files are not supported; save the image as a classic TIFF (under 4 GB).');
  if (magic !== 42) throw bad('wrong magic number', { magic });

  const visited = new Set<number>();

  const readValues = (type: number, count: number, at: number): number[] => {
    const out: number[] = [];
    for (let j = 0; j < count; j++) {
      switch (type) {
        case 1:
        case 2:
        case 7:
          out.push(b[at + j]!);
          break;
        case 6:
          out.push(dv.getInt8(at + j));
          break;
        case 3:
          out.push(u16(at + 2 * j));
          break;
        case 8:
          out.push(dv.getInt16(at + 2 * j, le));
          break;
        case 4:
        case 13:
          out.push(u32(at + 4 * j));
          break;
        case 9:
          out.push(dv.getInt32(at + 4 * j, le));
          break;
        case 5:
          out.push(u32(at + 8 * j) / (u32(at + 8 * j + 4) || 1));
          break;
        case 10:
          out.push(dv.getInt32(at + 8 * j, le) / (dv.getInt32(at + 8 * j + 4, le) || 1));
          break;
        case 11:
          out.push(dv.getFloat32(at + 4 * j, le));
          break;
        case 12:
          out.push(dv.getFloat64(at + 8 * j, le));
          break;
      }
    }
    return out;
  };

  /** Validates one IFD (and, recursively, the IFDs it points to). Returns its tags and next offset. */
  const readIfd = (offset: number, depth: number, wanted: boolean): { entries: Entries; next: number } => {
    if (offset < 8 || offset + 2 > len) throw bad(`an IFD offset (${offset}) is outside the file (${len} bytes)`, { offset });
    if (visited.has(offset)) throw bad(`the IFD at offset ${offset} is referenced twice (an IFD loop)`, { offset });
    if (depth > 8) throw bad('sub-IFDs are nested too deeply');
    visited.add(offset);
    if (visited.size > MAX_IFDS) throw bad(`more than ${MAX_IFDS} IFDs`);
    const count = u16(offset);
    const end = offset + 2 + count * 12;
    if (end + 4 > len) throw bad(`the IFD at offset ${offset} (${count} entries) runs past the end of the file`, { offset, count });
    const entries: Entries = new Map();
    for (let i = 0; i < count; i++) {
      const e = offset + 2 + i * 12;
      const tag = u16(e);
      const type = u16(e + 2);
      const n = u32(e + 4);
      const size = (TYPE_SIZE[type] ?? 0) * n;
      if (type < 1 || type > 13) {
        // utif2 drops a whole IFD whose first entry has an unknown type (shifting every later index) and skips such entries elsewhere.
        if (i === 0) throw bad(`the IFD at offset ${offset} starts with an entry of unknown type ${type}`, { offset, type });
        continue;
      }
      if (n > len) throw bad(`tag ${tag} claims ${n} values in a ${len}-byte file`, { tag, count: n });
      const at = size <= 4 ? e + 8 : u32(e + 8);
      if (size > 4 && (at + size > len || at < 8)) throw bad(`the values of tag ${tag} (${size} bytes at offset ${at}) lie outside the file`, { tag, offset: at, size });
      // Only decode values we use (and pointer tags); others were range-checked above.
      if (wanted || SUB_IFD_TAGS.has(tag)) {
        if (tag === 273 || tag === 279 || tag === 324 || tag === 325 || tag === 320 || n <= 64 || SUB_IFD_TAGS.has(tag)) entries.set(tag, readValues(type, n, at));
      }
      if (SUB_IFD_TAGS.has(tag)) {
        if (type !== 4 && type !== 13 && type !== 3) throw bad(`sub-IFD tag ${tag} has value type ${type}`, { tag });
        for (const sub of entries.get(tag) ?? []) readIfd(sub, depth + 1, false);
      }
    }
    return { entries, next: u32(end) };
  };

  const pages: TiffPage[] = [];
  let ifdCount = 0;
  let offset = u32(4);
  if (offset === 0) throw bad('there is no image directory (first IFD offset is 0)');
  while (offset !== 0) {
    const { entries, next } = readIfd(offset, 0, true);
    const page = describePage(entries, ifdCount, offset, len, maxPixels);
    const subfile = entries.get(254)?.[0] ?? 0;
    const oldSubfile = entries.get(255)?.[0] ?? 1;
    if (page && (subfile & 1) === 0 && oldSubfile !== 2) pages.push(page);
    ifdCount++;
    offset = next;
  }
  if (!pages.length) throw bad('no full-resolution image in the file');
  return { littleEndian: le, ifdCount, pages };
}

function describePage(t: Entries, ifd: number, offset: number, fileSize: number, maxPixels: number): TiffPage | null {
  const one = (tag: number, dflt: number) => t.get(tag)?.[0] ?? dflt;
  const width = one(256, 0);
  const height = one(257, 0);
  if (!t.has(256) && !t.has(257)) return null; // a directory without an image (e.g. only metadata)
  if (!(width > 0 && height > 0)) throw bad(`image ${ifd} has width ${width} and height ${height}`, { width, height });
  if (width * height > maxPixels) {
    // Before anything else: a huge size in a tiny header is refused as too large, not as corrupt.
    throw new LabelkitError(
      'E_IMAGE_TOO_LARGE',
      `The image is ${width}×${height} (${((width * height) / 1e6).toFixed(1)} megapixels), above the ${(maxPixels / 1e6).toFixed(1)}-megapixel limit.`,
      { width, height, maxPixels },
    );
  }
  const samplesPerPixel = one(277, 1);
  if (samplesPerPixel < 1 || samplesPerPixel > 16) throw bad(`image ${ifd} has ${samplesPerPixel} samples per pixel`);
  const bitsPerSample = t.get(258) ?? [1];
  const compression = one(259, 1);
  const photometric = one(262, samplesPerPixel >= 3 ? 2 : 1);
  const planar = one(284, 1);
  const tiled = t.has(322) || t.has(324);
  const tileWidth = one(322, 0);
  const tileLength = one(323, 0);
  const rowsPerStrip = Math.min(one(278, height), height) || height;
  // Some old writers (SGI) store tile offsets and counts in the strip tags.
  const offsets = (tiled ? (t.get(324) ?? t.get(273)) : t.get(273)) ?? [];
  let byteCounts = (tiled ? (t.get(325) ?? t.get(279)) : t.get(279)) ?? [];
  const bpp = bitsPerSample.reduce((a, x) => a + x, 0) || bitsPerSample[0]! * samplesPerPixel;
  const planes = planar === 2 ? samplesPerPixel : 1;
  let expected: number;
  if (tiled) {
    if (!(tileWidth > 0 && tileLength > 0)) throw bad(`image ${ifd} is tiled with tile size ${tileWidth}×${tileLength}`);
    expected = Math.ceil(width / tileWidth) * Math.ceil(height / tileLength) * planes;
  } else {
    expected = Math.ceil(height / rowsPerStrip) * planes;
  }
  if (!offsets.length) throw bad(`image ${ifd} has no ${tiled ? 'tile' : 'strip'} offsets`);
  if (!byteCounts.length && compression === 1 && offsets.length === 1) byteCounts = [Math.ceil((width * bpp) / 8) * height];
  if (offsets.length < expected || byteCounts.length < offsets.length) {
    throw bad(`image ${ifd} needs ${expected} ${tiled ? 'tiles' : 'strips'} but lists ${offsets.length} offsets and ${byteCounts.length} byte counts`);
  }
  for (let i = 0; i < expected; i++) {
    if (offsets[i]! + byteCounts[i]! > fileSize) {
      throw bad(
        `${tiled ? 'tile' : 'strip'} ${i} of image ${ifd} (${byteCounts[i]} bytes at offset ${offsets[i]}) runs past the end of the file (${fileSize} bytes); the file is probably truncated`,
        { offset: offsets[i], count: byteCounts[i], size: fileSize },
      );
    }
  }
  return {
    ifd,
    offset,
    width,
    height,
    bitsPerSample,
    samplesPerPixel,
    compression,
    photometric,
    planar,
    predictor: one(317, 1),
    sampleFormat: one(339, 1),
    tiled,
    tileWidth,
    tileLength,
    rowsPerStrip,
    offsets,
    byteCounts,
    colorMap: t.get(320),
    extraSamples: t.get(338) ?? [],
  };
}
