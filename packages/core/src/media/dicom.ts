// DICOM through dicom-parser: header parsing (all transfer syntaxes dicom-parser reads, deflate via
// fflate), frame extraction (native and encapsulated), and pixel decoding (native, RLE, JPEG
// baseline, JPEG lossless) into stored grey values or RGBA.
import dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { inflateSync } from 'fflate';
import { LabelkitError } from '../errors.js';
import { decodeDicomRle } from './codecs/rle.js';
import { decodeJpeg8 } from './codecs/jpeg.js';
import type { Photometric, RawSamples } from './types.js';
import { jpeg2000WasmUrl } from './codecs/j2k-config.js';

export const TRANSFER_SYNTAXES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'implicit-le',
  '1.2.840.10008.1.2.1': 'explicit-le',
  '1.2.840.10008.1.2.1.99': 'deflated-explicit-le',
  '1.2.840.10008.1.2.2': 'explicit-be',
  '1.2.840.10008.1.2.4.50': 'jpeg-baseline',
  '1.2.840.10008.1.2.4.51': 'jpeg-extended',
  '1.2.840.10008.1.2.4.57': 'jpeg-lossless',
  '1.2.840.10008.1.2.4.70': 'jpeg-lossless-sv1',
  '1.2.840.10008.1.2.4.80': 'jpeg-ls-lossless',
  '1.2.840.10008.1.2.4.81': 'jpeg-ls-near-lossless',
  '1.2.840.10008.1.2.4.90': 'jpeg2000-lossless',
  '1.2.840.10008.1.2.4.91': 'jpeg2000',
  '1.2.840.10008.1.2.5': 'rle',
};
const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2']);
const DECODABLE = new Set([
  ...NATIVE,
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.5',
]);

export interface DicomWindow {
  readonly center: number;
  readonly width: number;
  readonly explanation?: string;
}

export interface DicomImage {
  readonly dataSet: DataSet;
  readonly transferSyntax: string;
  readonly rows: number;
  readonly columns: number;
  readonly frames: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  readonly signed: boolean;
  readonly photometric: Photometric;
  readonly photometricText: string;
  readonly planarConfiguration: number;
  readonly slope: number;
  readonly intercept: number;
  readonly windows: readonly DicomWindow[];
  readonly pixelData: Element;
}

function bad(message: string, details: Record<string, unknown> = {}, cause?: unknown): LabelkitError {
  return new LabelkitError('E_CORRUPT_IMAGE', `Corrupt DICOM: ${message}.`, details, cause === undefined ? undefined : { cause });
}

function unsupported(message: string, details: Record<string, unknown> = {}): LabelkitError {
  return new LabelkitError('E_UNSUPPORTED_FORMAT', message, details);
}

/** dicom-parser throws strings, Errors, or `{ exception, dataSet }`; this gets the text. */
function parserMessage(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && 'exception' in err) return parserMessage((err as { exception: unknown }).exception);
  if (err instanceof Error) return err.message;
  return String(err);
}

function inflater(arr: Uint8Array, position: number): Uint8Array {
  let inflated: Uint8Array;
  try {
    inflated = inflateSync(arr.subarray(position));
  } catch (err) {
    throw bad(`the deflated data set does not inflate (${(err as Error).message})`, {}, err);
  }
  const full = new Uint8Array(position + inflated.length);
  full.set(arr.subarray(0, position));
  full.set(inflated, position);
  return full;
}

const PHOTOMETRICS: Readonly<Record<string, Photometric>> = {
  MONOCHROME1: 'MONOCHROME1',
  MONOCHROME2: 'MONOCHROME2',
  RGB: 'RGB',
  YBR_FULL: 'YBR_FULL',
  YBR_FULL_422: 'YBR_FULL_422',
  YBR_RCT: 'YBR_RCT',
  YBR_ICT: 'YBR_ICT',
  'PALETTE COLOR': 'PALETTE COLOR',
};

/** Parses a DICOM file's header (everything but pixel decoding) and checks its pixel data is all there. */
export function parseDicom(bytes: Uint8Array, maxPixels = Infinity): DicomImage {
  let dataSet: DataSet;
  const part10 = bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  try {
    const options: Parameters<typeof dicomParser.parseDicom>[1] = { inflater } as never;
    if (!part10) {
      // A data set without preamble and file meta: explicit when a VR follows the first tag.
      const explicit = bytes.length > 6 && /^[A-Z]{2}$/.test(String.fromCharCode(bytes[4]!, bytes[5]!));
      (options as { TransferSyntaxUID?: string }).TransferSyntaxUID = explicit ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2';
    }
    dataSet = dicomParser.parseDicom(bytes, options);
  } catch (err) {
    if (LabelkitError.is(err)) throw err;
    const text = parserMessage(err);
    if (/DICM prefix not found/i.test(text)) throw unsupported('Not a DICOM Part 10 file (no DICM prefix).');
    throw bad(text.replace(/^dicomParser\.\w+: /, ''), {}, err);
  }
  const ts = (dataSet.string('x00020010') ?? (part10 ? '' : '1.2.840.10008.1.2')).replace(/\0/g, '').trim();
  const pixelData = dataSet.elements.x7fe00010 ?? dataSet.elements.x7fe00008 ?? dataSet.elements.x7fe00009;
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  if (!pixelData) {
    if (!rows && !columns) throw unsupported('This DICOM file holds no image (no Pixel Data element); it may be a report, a structured document or a DICOMDIR.');
    throw bad('the Pixel Data element is missing');
  }
  if (pixelData.tag !== 'x7fe00010') throw unsupported('Float pixel data (parametric maps) is not supported.');
  if (!(rows > 0 && columns > 0)) throw bad(`rows ${rows} and columns ${columns}`, { rows, columns });
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const highBit = dataSet.uint16('x00280102') ?? bitsStored - 1;
  const signed = (dataSet.uint16('x00280103') ?? 0) === 1;
  const photometricText = (dataSet.string('x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).trim().toUpperCase();
  const photometric = PHOTOMETRICS[photometricText] ?? 'OTHER';
  const framesText = dataSet.intString('x00280008');
  const frames = framesText && framesText > 0 ? framesText : 1;
  if (![1, 8, 16, 32].includes(bitsAllocated)) throw bad(`BitsAllocated ${bitsAllocated}`, { bitsAllocated });
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated) || highBit < bitsStored - 1 || highBit >= bitsAllocated)
    throw bad(`BitsStored ${bitsStored} / HighBit ${highBit} with BitsAllocated ${bitsAllocated}`);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) throw bad(`SamplesPerPixel ${samplesPerPixel}`);
  const slope = dataSet.floatString('x00281053') ?? 1;
  const intercept = dataSet.floatString('x00281052') ?? 0;
  const windows: DicomWindow[] = [];
  const nWindows = Math.min(dataSet.numStringValues('x00281050') ?? 0, dataSet.numStringValues('x00281051') ?? 0);
  for (let i = 0; i < nWindows; i++) {
    const center = dataSet.floatString('x00281050', i);
    const width = dataSet.floatString('x00281051', i);
    if (center !== undefined && width !== undefined && Number.isFinite(center) && Number.isFinite(width) && width >= 1) {
      windows.push({ center, width, explanation: dataSet.string('x00281055', i) || undefined });
    }
  }
  const image: DicomImage = {
    dataSet,
    transferSyntax: ts,
    rows,
    columns,
    frames,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    signed,
    photometric,
    photometricText,
    planarConfiguration: dataSet.uint16('x00280006') ?? 0,
    slope: Number.isFinite(slope) && slope !== 0 ? slope : 1,
    intercept: Number.isFinite(intercept) ? intercept : 0,
    windows,
    pixelData,
  };
  if (rows * columns > maxPixels) {
    throw new LabelkitError(
      'E_IMAGE_TOO_LARGE',
      `The image is ${columns}×${rows} (${((rows * columns) / 1e6).toFixed(1)} megapixels), above the ${(maxPixels / 1e6).toFixed(1)}-megapixel limit.`,
      { width: columns, height: rows, maxPixels },
    );
  }
  checkPixelData(image, bytes);
  return image;
}

function frameBytes(img: DicomImage): number {
  const bits = img.rows * img.columns * img.samplesPerPixel * img.bitsAllocated;
  return img.bitsAllocated === 1 ? bits / 8 : bits / 8;
}

function checkPixelData(img: DicomImage, _bytes: Uint8Array): void {
  const el = img.pixelData;
  const total = img.dataSet.byteArray.length;
  if (el.encapsulatedPixelData) {
    if (!el.fragments?.length) throw bad('the compressed Pixel Data has no fragments');
    for (const f of el.fragments) {
      if (f.position + f.length > total) throw bad(`a Pixel Data fragment runs past the end of the file; the file is probably truncated`);
    }
    return;
  }
  if (!NATIVE.has(img.transferSyntax) && img.transferSyntax) {
    throw bad(`transfer syntax ${img.transferSyntax} promises compressed pixel data, but the Pixel Data is not encapsulated`);
  }
  const need = Math.ceil(frameBytes(img) * img.frames);
  if (el.dataOffset + Math.min(el.length, need) > total || el.length < need) {
    const have = Math.max(0, Math.min(el.length, total - el.dataOffset));
    throw bad(`the Pixel Data holds ${have} bytes but ${img.frames} frame(s) of ${img.rows}×${img.columns} need ${need}; the file is probably truncated`, { have, need });
  }
}

/** Whether this build can decode the transfer syntax's pixels. */
export function canDecodeTransferSyntax(uid: string): boolean {
  return DECODABLE.has(uid);
}

/** The compressed bytes of one frame of encapsulated pixel data. */
export function encapsulatedFrame(img: DicomImage, frame: number): Uint8Array {
  const ds = img.dataSet;
  const el = img.pixelData;
  const fragments = el.fragments ?? [];
  try {
    if (el.basicOffsetTable && el.basicOffsetTable.length) {
      return dicomParser.readEncapsulatedImageFrame(ds, el, frame) as Uint8Array;
    }
    if (img.frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, fragments.length) as Uint8Array;
    if (fragments.length === img.frames) return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, frame, 1) as Uint8Array;
    const table = dicomParser.createJPEGBasicOffsetTable(ds, el);
    return dicomParser.readEncapsulatedImageFrame(ds, el, frame, table) as Uint8Array;
  } catch (err) {
    throw bad(`frame ${frame} cannot be found in the compressed Pixel Data (${parserMessage(err)})`, {}, err);
  }
}

/** One decoded frame: stored grey values, or RGBA. */
export type DicomFrame =
  { readonly kind: 'grey'; readonly data: RawSamples; readonly min: number; readonly max: number } | { readonly kind: 'rgba'; readonly rgba: Uint8ClampedArray };

/** Decodes frame `frame` (0-based). */
export async function decodeDicomFrame(img: DicomImage, frame: number, maxPixels: number): Promise<DicomFrame> {
  const ts = img.transferSyntax || '1.2.840.10008.1.2';
  if (!DECODABLE.has(ts)) {
    const name = TRANSFER_SYNTAXES[ts] ?? ts;
    throw unsupported(
      `DICOM transfer syntax ${name} (${ts}) is not supported; convert the file to an uncompressed, RLE or JPEG transfer syntax (e.g. dcmdjpls / gdcmconv --raw).`,
      { transferSyntax: ts },
    );
  }
  if (img.photometric === 'OTHER') throw unsupported(`DICOM photometric interpretation ${img.photometricText} is not supported.`);
  const pixels = img.rows * img.columns;
  const spp = img.samplesPerPixel;
  const bytesPerSample = img.bitsAllocated / 8;

  if (NATIVE.has(ts)) {
    const el = img.pixelData;
    const size = frameBytes(img);
    const ba = img.dataSet.byteArray as Uint8Array;
    const start = el.dataOffset + Math.floor(size * frame);
    if (img.bitsAllocated === 1) {
      const bitOffset = pixels * spp * frame;
      const out = new Uint8Array(pixels);
      for (let i = 0; i < pixels; i++) {
        const bit = bitOffset + i;
        out[i] = (ba[el.dataOffset + (bit >> 3)]! >> (bit & 7)) & 1;
      }
      return greyFrame(img, out);
    }
    let bytes = ba.subarray(start, start + size);
    if (ts === '1.2.840.10008.1.2.2' && bytesPerSample > 1) bytes = swapBytes(bytes, bytesPerSample);
    return samplesToFrame(img, bytes, img.planarConfiguration, img.photometric);
  }

  const compressed = encapsulatedFrame(img, frame);
  if (ts === '1.2.840.10008.1.2.5') {
    const bytes = decodeDicomRle(compressed, img.rows, img.columns, spp, bytesPerSample);
    return samplesToFrame(img, bytes, 0, img.photometric);
  }
  if (ts === '1.2.840.10008.1.2.4.57' || ts === '1.2.840.10008.1.2.4.70') {
    const { Decoder } = await import('jpeg-lossless-decoder-js');
    let out: Uint8Array | Uint16Array;
    try {
      const copy = compressed.slice();
      out = new Decoder().decode(copy.buffer, 0, copy.length, bytesPerSample) as Uint8Array | Uint16Array;
    } catch (err) {
      throw bad(`the JPEG lossless frame does not decode (${(err as Error)?.message ?? err})`, {}, err);
    }
    if (!out || out.length < pixels * spp) throw bad(`the JPEG lossless frame decodes to ${out?.length ?? 0} samples, not ${pixels * spp}`);
    const bytes = new Uint8Array(out.buffer, out.byteOffset, pixels * spp * bytesPerSample);
    // The lossless decoder gives RGB for colour, whatever the photometric says.
    return samplesToFrame(img, bytes, 0, spp === 3 ? 'RGB' : img.photometric);
  }
  if (ts === '1.2.840.10008.1.2.4.90' || ts === '1.2.840.10008.1.2.4.91') {
    const { decodeJ2k } = await import('./codecs/j2k.js');
    const j = await decodeJ2k(compressed, jpeg2000WasmUrl());
    if (j.width !== img.columns || j.height !== img.rows || j.components !== spp)
      throw bad(`the JPEG 2000 frame is ${j.width}×${j.height}×${j.components}, not ${img.columns}×${img.rows}×${spp}`);
    const bytesPer = j.bitsPerSample > 8 ? 2 : 1;
    if (bytesPer !== bytesPerSample && !(bytesPer === 1 && bytesPerSample === 2))
      throw bad(`the JPEG 2000 frame has ${j.bitsPerSample}-bit samples for BitsAllocated ${img.bitsAllocated}`);
    let bytes = j.bytes;
    if (bytesPer === 1 && bytesPerSample === 2) {
      bytes = new Uint8Array(j.bytes.length * 2);
      for (let i = 0; i < j.bytes.length; i++) bytes[i * 2] = j.bytes[i]!;
    }
    // The codec undoes the colour transform (YBR_RCT / YBR_ICT): colour comes out as RGB.
    return samplesToFrame(img, bytes, 0, spp === 3 ? 'RGB' : img.photometric);
  }
  // JPEG baseline / extended (8-bit only here).
  if (img.bitsAllocated !== 8 || img.bitsStored > 8) throw unsupported('12-bit JPEG (extended process 2/4) DICOM is not supported.', { transferSyntax: ts });
  // The codec turns YCbCr into RGB; an 'RGB' photometric with JPEG usually still holds YCbCr data unless
  // the stream says otherwise, which the decoder reads from its markers.
  const decoded = await decodeJpeg8(compressed, maxPixels);
  if (decoded.width !== img.columns || decoded.height !== img.rows) throw bad(`the JPEG frame is ${decoded.width}×${decoded.height}, not ${img.columns}×${img.rows}`);
  if (spp === 1) {
    const out = new Uint8Array(pixels);
    const rgba = decoded.rgba;
    for (let i = 0; i < pixels; i++) out[i] = rgba[i * 4]!;
    return greyFrame(img, out);
  }
  return { kind: 'rgba', rgba: decoded.rgba };
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + width <= bytes.length; i += width) for (let k = 0; k < width; k++) out[i + k] = bytes[i + width - 1 - k]!;
  return out;
}

/** Little-endian sample bytes (pixel-interleaved unless planar = 1) → a frame. */
function samplesToFrame(img: DicomImage, bytes: Uint8Array, planar: number, photometric: Photometric): DicomFrame {
  const pixels = img.rows * img.columns;
  if (img.samplesPerPixel === 1) {
    let words: Uint8Array | Uint16Array | Uint32Array;
    if (img.bitsAllocated === 8) words = bytes;
    else {
      const aligned = bytes.byteOffset % (img.bitsAllocated / 8) === 0 ? bytes : bytes.slice();
      const n = Math.floor(aligned.byteLength / (img.bitsAllocated / 8));
      words = img.bitsAllocated === 16 ? new Uint16Array(aligned.buffer, aligned.byteOffset, n) : new Uint32Array(aligned.buffer, aligned.byteOffset, n);
    }
    if (words.length < pixels) throw bad(`a frame holds ${words.length} samples, not ${pixels}`);
    if (photometric === 'PALETTE COLOR') return paletteFrame(img, words);
    return greyFrame(img, words);
  }
  // Colour: scale each sample to 8 bits.
  const shift = Math.max(0, img.bitsStored - 8);
  const bps = img.bitsAllocated / 8;
  const sample = (i: number): number => {
    if (bps === 1) return bytes[i]!;
    const o = i * bps;
    return bps === 2 ? ((bytes[o]! | (bytes[o + 1]! << 8)) >> shift) & 255 : ((bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16)) >> shift) & 255;
  };
  const rgba = new Uint8ClampedArray(pixels * 4);
  if (photometric === 'YBR_FULL_422' && planar === 0 && bytes.length >= pixels * 2 * bps && bytes.length < pixels * 3 * bps) {
    // Uncompressed 4:2:2: Y1 Y2 Cb Cr per pair of pixels.
    for (let i = 0, o = 0; i < pixels; i += 2, o += 4) {
      const cb = sample(o + 2),
        cr = sample(o + 3);
      ybrToRgba(rgba, i, sample(o), cb, cr);
      if (i + 1 < pixels) ybrToRgba(rgba, i + 1, sample(o + 1), cb, cr);
    }
    return { kind: 'rgba', rgba };
  }
  const need = pixels * 3;
  if (bytes.length < need * bps) throw bad(`a colour frame holds ${Math.floor(bytes.length / bps)} samples, not ${need}`);
  const ybr = photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422';
  for (let i = 0; i < pixels; i++) {
    const a = planar === 1 ? sample(i) : sample(i * 3);
    const b = planar === 1 ? sample(pixels + i) : sample(i * 3 + 1);
    const c = planar === 1 ? sample(2 * pixels + i) : sample(i * 3 + 2);
    if (ybr) ybrToRgba(rgba, i, a, b, c);
    else {
      rgba[i * 4] = a;
      rgba[i * 4 + 1] = b;
      rgba[i * 4 + 2] = c;
      rgba[i * 4 + 3] = 255;
    }
  }
  return { kind: 'rgba', rgba };
}

function ybrToRgba(out: Uint8ClampedArray, i: number, y: number, cb: number, cr: number): void {
  out[i * 4] = y + 1.402 * (cr - 128);
  out[i * 4 + 1] = y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128);
  out[i * 4 + 2] = y + 1.772 * (cb - 128);
  out[i * 4 + 3] = 255;
}

/** Masks to BitsStored below HighBit and sign-extends; finds min and max. */
function greyFrame(img: DicomImage, words: Uint8Array | Uint16Array | Uint32Array): DicomFrame {
  const pixels = img.rows * img.columns;
  const bits = img.bitsStored;
  const shift = img.highBit + 1 - bits;
  const mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  const signBit = 2 ** (bits - 1);
  let data: RawSamples;
  if (bits <= 8) data = img.signed ? new Int8Array(pixels) : new Uint8Array(pixels);
  else if (bits <= 16) data = img.signed ? new Int16Array(pixels) : new Uint16Array(pixels);
  else data = img.signed ? new Int32Array(pixels) : new Uint32Array(pixels);
  let min = Infinity;
  let max = -Infinity;
  const identity = shift === 0 && bits === img.bitsAllocated && !img.signed;
  for (let i = 0; i < pixels; i++) {
    let v = words[i]!;
    if (!identity) {
      v = bits >= 32 ? v >>> shift : (v >>> shift) & mask;
      if (img.signed && v >= signBit) v -= 2 * signBit;
    }
    data[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { kind: 'grey', data, min, max };
}

function paletteFrame(img: DicomImage, words: Uint8Array | Uint16Array | Uint32Array): DicomFrame {
  const ds = img.dataSet;
  const pixels = img.rows * img.columns;
  const luts: Uint8Array[] = [];
  let first = 0;
  let entries = 0;
  for (const [desc, data] of [
    ['x00281101', 'x00281201'],
    ['x00281102', 'x00281202'],
    ['x00281103', 'x00281203'],
  ] as const) {
    const el = ds.elements[data];
    const n = ds.uint16(desc, 0) ?? ds.int16(desc, 0);
    if (!el || n === undefined) throw unsupported('PALETTE COLOR DICOM without its lookup tables (segmented palettes are not supported).');
    entries = n === 0 ? 65536 : n;
    first = ds.uint16(desc, 1) ?? 0;
    const bits = ds.uint16(desc, 2) ?? 16;
    const lut = new Uint8Array(entries);
    const bytesPer = el.length >= entries * 2 ? 2 : 1;
    for (let i = 0; i < entries; i++) {
      const o = el.dataOffset + i * bytesPer;
      if (o + bytesPer > ds.byteArray.length) throw bad('a palette lookup table is truncated');
      const v = bytesPer === 2 ? ds.byteArray[o]! | (ds.byteArray[o + 1]! << 8) : ds.byteArray[o]!;
      lut[i] = bits > 8 && bytesPer === 2 ? v >> 8 : v;
    }
    luts.push(lut);
  }
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    const k = Math.min(entries - 1, Math.max(0, words[i]! - first));
    rgba[i * 4] = luts[0]![k]!;
    rgba[i * 4 + 1] = luts[1]![k]!;
    rgba[i * 4 + 2] = luts[2]![k]!;
    rgba[i * 4 + 3] = 255;
  }
  return { kind: 'rgba', rgba };
}
