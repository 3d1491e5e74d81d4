// Header readers for the browser-native formats: JPEG (SOF + EXIF orientation), PNG (IHDR), BMP.
import { LabelkitError } from '../errors.js';
import type { Photometric } from './types.js';

export interface RasterHeader {
  /** Stored (coded) size, before any EXIF orientation. */
  readonly codedWidth: number;
  readonly codedHeight: number;
  readonly bits: number;
  readonly samplesPerPixel: number;
  readonly photometric: Photometric;
  readonly orientation?: number;
  readonly compression?: string;
  /** BMP only: rows stored top-down. */
  readonly topDown?: boolean;
}

function bad(format: string, message: string, details: Record<string, unknown> = {}): LabelkitError {
  return new LabelkitError('E_CORRUPT_IMAGE', `Corrupt ${format}: ${message}.`, details);
}

/** Reads a JPEG's frame header (SOFn) and its EXIF orientation. */
export function readJpegHeader(b: Uint8Array): RasterHeader {
  const len = b.length;
  let p = 2;
  let orientation: number | undefined;
  let adobeTransform: number | undefined;
  let jfif = false;
  while (p < len) {
    if (b[p] !== 0xff) throw bad('JPEG', `expected a marker at offset ${p}`, { offset: p });
    while (p < len && b[p] === 0xff) p++; // fill bytes
    if (p >= len) break;
    const marker = b[p++]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no length
    if (marker === 0xd9) throw bad('JPEG', 'the image ends before its frame header');
    if (p + 2 > len) break;
    const segLen = (b[p]! << 8) | b[p + 1]!;
    if (segLen < 2) throw bad('JPEG', `segment length ${segLen} at offset ${p}`, { offset: p });
    const body = p + 2;
    if (marker === 0xe0 && b[body] === 0x4a && b[body + 1] === 0x46 && b[body + 2] === 0x49 && b[body + 3] === 0x46) jfif = true;
    if (marker === 0xee && segLen >= 12 && b[body] === 0x41 && b[body + 1] === 0x64 && b[body + 2] === 0x6f && b[body + 3] === 0x62 && b[body + 4] === 0x65)
      adobeTransform = b[body + 11];
    if (marker === 0xe1 && orientation === undefined && body + segLen - 2 <= len) orientation = exifOrientation(b, body, segLen - 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (body + 6 > len) break;
      const bits = b[body]!; // body + 6 ≤ len
      const codedHeight = (b[body + 1]! << 8) | b[body + 2]!;
      const codedWidth = (b[body + 3]! << 8) | b[body + 4]!;
      const comps = b[body + 5]!;
      if (codedWidth === 0) throw bad('JPEG', 'width 0 in the frame header');
      if (codedHeight === 0) throw new LabelkitError('E_UNSUPPORTED_FORMAT', 'JPEG with height defined later in the stream (DNL marker) is not supported.');
      if (comps !== 1 && comps !== 3 && comps !== 4) throw bad('JPEG', `${comps} colour components`);
      const kind = marker - 0xc0;
      const compression =
        kind === 3 || kind === 7 || kind === 11 || kind === 15
          ? 'jpeg-lossless'
          : kind === 2 || kind === 6 || kind === 10 || kind === 14
            ? 'jpeg-progressive'
            : kind >= 9
              ? 'jpeg-arithmetic'
              : 'jpeg';
      let photometric: Photometric;
      if (comps === 1) photometric = 'MONOCHROME2';
      else if (comps === 4) photometric = 'CMYK';
      else if (adobeTransform === 0 && !jfif) photometric = 'RGB';
      else photometric = 'YBR_FULL';
      return { codedWidth, codedHeight, bits, samplesPerPixel: comps, photometric, orientation: orientation && orientation !== 1 ? orientation : undefined, compression };
    }
    p = body + segLen - 2;
  }
  throw bad('JPEG', 'no frame header (SOF) before the end of the file; the file is probably truncated', { size: len });
}

function exifOrientation(b: Uint8Array, start: number, length: number): number | undefined {
  // 'Exif\0\0' then a TIFF header.
  if (length < 14 || b[start] !== 0x45 || b[start + 1] !== 0x78 || b[start + 2] !== 0x69 || b[start + 3] !== 0x66) return undefined;
  const t = start + 6;
  const end = start + length;
  const le = b[t] === 0x49;
  const u16 = (o: number) => (o + 2 <= end ? (le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!) : -1);
  const u32 = (o: number) =>
    o + 4 <= end ? (le ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 2 ** 24 : ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) + b[o]! * 2 ** 24) : -1;
  const ifd = t + u32(t + 4);
  if (ifd < t || ifd + 2 > end) return undefined;
  const n = u16(ifd);
  for (let i = 0; i < n && ifd + 2 + i * 12 + 12 <= end; i++) {
    const e = ifd + 2 + i * 12;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : undefined;
    }
  }
  return undefined;
}

/** Reads a PNG's IHDR chunk. */
export function readPngHeader(b: Uint8Array): RasterHeader {
  if (b.length < 33) throw bad('PNG', `the file is ${b.length} bytes, shorter than a PNG header`, { size: b.length });
  const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  if (u32(8) !== 13 || b[12] !== 0x49 || b[13] !== 0x48 || b[14] !== 0x44 || b[15] !== 0x52) throw bad('PNG', 'the first chunk is not a 13-byte IHDR');
  const codedWidth = u32(16);
  const codedHeight = u32(20);
  const bits = b[24]!;
  const colorType = b[25]!;
  if (codedWidth === 0 || codedHeight === 0 || codedWidth > 0x7fffffff || codedHeight > 0x7fffffff) throw bad('PNG', `size ${codedWidth}×${codedHeight}`);
  const samples: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
  const samplesPerPixel = samples[colorType];
  if (samplesPerPixel === undefined || ![1, 2, 4, 8, 16].includes(bits)) throw bad('PNG', `colour type ${colorType} with bit depth ${bits}`);
  const photometric: Photometric = colorType === 3 ? 'PALETTE COLOR' : colorType === 0 || colorType === 4 ? 'MONOCHROME2' : 'RGB';
  return { codedWidth, codedHeight, bits, samplesPerPixel, photometric, compression: b[28] ? 'deflate-interlaced' : 'deflate' };
}

/** Reads a BMP's file and DIB headers. */
export function readBmpHeader(b: Uint8Array): RasterHeader {
  if (b.length < 26) throw bad('BMP', `the file is ${b.length} bytes, shorter than a BMP header`, { size: b.length });
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dib = dv.getUint32(14, true);
  let width: number;
  let height: number;
  let bits: number;
  let compression = 0;
  if (dib === 12) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bits = dv.getUint16(24, true);
  } else if (dib >= 40 && dib <= 124) {
    if (b.length < 14 + 20) throw bad('BMP', 'the info header is truncated');
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bits = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
  } else {
    throw bad('BMP', `unknown DIB header size ${dib}`, { dib });
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0) throw bad('BMP', `size ${width}×${height}`);
  if (![1, 4, 8, 16, 24, 32].includes(bits)) throw bad('BMP', `${bits} bits per pixel`);
  const pixelOffset = dv.getUint32(10, true);
  if (pixelOffset >= b.length && compression !== 4 && compression !== 5)
    throw bad('BMP', `pixel data offset ${pixelOffset} is past the end of the file (${b.length} bytes); the file is probably truncated`);
  const names = ['none', 'rle8', 'rle4', 'bitfields', 'jpeg', 'png', 'alpha-bitfields'];
  const photometric: Photometric = bits <= 8 ? 'PALETTE COLOR' : 'RGB';
  return {
    codedWidth: width,
    codedHeight: height,
    bits,
    samplesPerPixel: bits === 32 ? 4 : bits <= 8 ? 1 : 3,
    photometric,
    compression: names[compression] ?? `bmp-${compression}`,
    topDown,
  };
}
