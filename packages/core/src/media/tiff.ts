// TIFF pixels through utif2 (LZW, Deflate, PackBits, JPEG, CCITT; strips and tiles), after
// tiff-ifd.ts has validated the structure. Grey above 8 bits (and signed grey) keeps its stored
// values for windowing; everything else becomes 8-bit RGBA.
import UTIF from 'utif2';
import { LabelkitError } from '../errors.js';
import { decodeTiffLzw } from './codecs/lzw.js';
import type { TiffInfo, TiffPage } from './tiff-ifd.js';
import type { RawSamples } from './types.js';

// CCITT (2, 3, 4) is left out on purpose: utif2's fax decoders are not bounded on corrupt input.
const DECODABLE_COMPRESSION = new Set([1, 5, 7, 8, 32946, 32773]);

export type TiffPixels =
  | { readonly kind: 'grey'; readonly data: RawSamples; readonly min: number; readonly max: number; readonly invert: boolean; readonly bits: number; readonly signed: boolean }
  | { readonly kind: 'rgba'; readonly rgba: Uint8ClampedArray };

function unsupported(message: string): LabelkitError {
  return new LabelkitError('E_UNSUPPORTED_FORMAT', message);
}
function bad(message: string, cause?: unknown): LabelkitError {
  return new LabelkitError('E_CORRUPT_IMAGE', `Corrupt TIFF: ${message}.`, {}, cause === undefined ? undefined : { cause });
}

/** Throws E_UNSUPPORTED_FORMAT when a page uses something this decoder does not do. */
export function checkTiffPageSupported(page: TiffPage): void {
  if (!DECODABLE_COMPRESSION.has(page.compression)) throw unsupported(`TIFF compression ${page.compression} is not supported (supported: none, LZW, Deflate, PackBits, JPEG).`);
  const bps = page.bitsPerSample[0]!;
  if (page.bitsPerSample.some((b) => b !== bps)) throw unsupported(`TIFF with mixed bits per sample (${page.bitsPerSample.join(', ')}) is not supported.`);
  if (page.sampleFormat === 3) throw unsupported('Floating-point TIFF is not supported.');
  if (page.planar === 2 && page.samplesPerPixel > 1) throw unsupported('Planar (separate-plane) TIFF is not supported; save it with contiguous (chunky) samples.');
  if (![1, 2, 4, 8, 16].includes(bps)) throw unsupported(`TIFF with ${bps} bits per sample is not supported.`);
  if (page.predictor === 3) throw unsupported('TIFF floating-point predictor is not supported.');
}

function fileBuffer(bytes: Uint8Array): ArrayBuffer {
  // utif2 reads data.buffer directly (ignoring byteOffset): give it a buffer holding exactly the file.
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

type UtifIfd = UTIF.IFD & { isLE?: boolean };
// utif2's declarations omit the optional parameters its code takes.
const utif = UTIF as unknown as {
  decode(buffer: ArrayBuffer, prm?: { parseMN: boolean; debug: boolean }): UtifIfd[];
  decodeImage(buffer: ArrayBuffer, ifd: UtifIfd, ifds?: UtifIfd[]): void;
  toRGBA8(ifd: UtifIfd): Uint8Array;
};

let lzwInstalled = false;
/**
 * Puts our bounded LZW decoder (both LZW flavours) in place of utif2's, which hangs on old-style LZW
 * and on corrupt codes. utif2 calls it as UTIF.decode._decodeLZW(data, off, len, tgt, toff, 8).
 */
function installLzw(): void {
  if (lzwInstalled) return;
  const decode = (UTIF as unknown as { decode: { _decodeLZW: unknown } }).decode;
  decode._decodeLZW = (data: Uint8Array, off: number, len: number, tgt: Uint8Array, toff: number) => decodeTiffLzw(data, off, len, tgt, toff);
  lzwInstalled = true;
}

/** Decodes page `index` (0-based, full-resolution pages only) of a validated TIFF. */
export function decodeTiffPage(bytes: Uint8Array, info: TiffInfo, index: number): TiffPixels {
  const page = info.pages[index]!;
  checkTiffPageSupported(page);
  installLzw();
  const buffer = fileBuffer(bytes);
  const log = console.log;
  let ifd: UtifIfd;
  try {
    console.log = () => {}; // utif2 prints tile counts while decoding tiled images
    const ifds = utif.decode(buffer, { parseMN: false, debug: false });
    ifd = ifds[page.ifd]!;
    if (!ifd) throw bad(`image directory ${page.ifd} could not be read`);
    if (page.tiled && !ifd['t324']) {
      // Tile offsets in the strip tags (old SGI writers): utif2 looks only at the tile tags.
      ifd['t324'] = ifd['t273']!;
      ifd['t325'] = ifd['t279']!;
    }
    utif.decodeImage(buffer, ifd, ifds);
  } catch (err) {
    if (LabelkitError.is(err)) throw err;
    throw bad(`the pixel data does not decode (${(err as Error)?.message ?? err})`, err);
  } finally {
    console.log = log;
  }
  const data = ifd.data as Uint8Array | undefined;
  const { width, height } = page;
  const spp = page.samplesPerPixel;
  const bps = page.bitsPerSample[0]!;
  const rowBytes = Math.ceil((width * spp * bps) / 8);
  if (!data || data.length < rowBytes * height) throw bad(`the pixel data decodes to ${data?.length ?? 0} bytes, not ${rowBytes * height}; it is probably truncated`);
  const pixels = width * height;
  const photometric = page.photometric;

  if ((photometric === 0 || photometric === 1) && page.compression !== 7) {
    const invert = photometric === 0;
    const signed = page.sampleFormat === 2;
    if (bps === 16 || (bps === 8 && signed)) {
      let raw: RawSamples;
      if (bps === 16) {
        // utif2 leaves 16-bit samples little-endian; take the first sample of each pixel.
        const src = data.byteOffset % 2 === 0 ? data : data.slice();
        const all = signed ? new Int16Array(src.buffer, src.byteOffset, pixels * spp) : new Uint16Array(src.buffer, src.byteOffset, pixels * spp);
        raw = signed ? new Int16Array(pixels) : new Uint16Array(pixels);
        for (let i = 0; i < pixels; i++) raw[i] = all[i * spp]!;
      } else {
        const all = new Int8Array(data.buffer, data.byteOffset, pixels * spp);
        raw = new Int8Array(pixels);
        for (let i = 0; i < pixels; i++) raw[i] = all[i * spp]!;
      }
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < pixels; i++) {
        const v = raw[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return { kind: 'grey', data: raw, min, max, invert, bits: bps, signed };
    }
    const rgba = new Uint8ClampedArray(pixels * 4);
    const maxV = (1 << bps) - 1;
    for (let y = 0; y < height; y++) {
      const row = y * rowBytes;
      for (let x = 0; x < width; x++) {
        const bit = x * spp * bps;
        let v = bps === 8 ? data[row + x * spp]! : (data[row + (bit >> 3)]! >> (8 - bps - (bit & 7))) & maxV;
        if (bps !== 8) v = Math.round((v * 255) / maxV);
        if (invert) v = 255 - v;
        const o = (y * width + x) * 4;
        rgba[o] = rgba[o + 1] = rgba[o + 2] = v;
        rgba[o + 3] = spp >= 2 && bps === 8 && page.extraSamples.length ? data[row + x * spp + 1]! : 255;
      }
    }
    return { kind: 'rgba', rgba };
  }

  if (photometric === 2 && spp >= 3 && page.compression !== 7) {
    const rgba = new Uint8ClampedArray(pixels * 4);
    const alpha = spp >= 4 && page.extraSamples.length > 0 && (page.extraSamples[0] === 1 || page.extraSamples[0] === 2);
    if (bps === 8) {
      for (let y = 0; y < height; y++) {
        const row = y * rowBytes;
        for (let x = 0; x < width; x++) {
          const s = row + x * spp;
          const o = (y * width + x) * 4;
          rgba[o] = data[s]!;
          rgba[o + 1] = data[s + 1]!;
          rgba[o + 2] = data[s + 2]!;
          rgba[o + 3] = alpha ? data[s + 3]! : 255;
        }
      }
      return { kind: 'rgba', rgba };
    }
    if (bps === 16) {
      const src = data.byteOffset % 2 === 0 ? data : data.slice();
      const words = new Uint16Array(src.buffer, src.byteOffset, pixels * spp);
      // Auto min/max over the colour samples, shared by the three channels (keeps the hue).
      let min = 65535;
      let max = 0;
      for (let i = 0; i < pixels; i++) {
        for (let c = 0; c < 3; c++) {
          const v = words[i * spp + c]!;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      const scale = max > min ? 255 / (max - min) : 0;
      for (let i = 0; i < pixels; i++) {
        const o = i * 4;
        rgba[o] = (words[i * spp]! - min) * scale;
        rgba[o + 1] = (words[i * spp + 1]! - min) * scale;
        rgba[o + 2] = (words[i * spp + 2]! - min) * scale;
        rgba[o + 3] = alpha ? words[i * spp + 3]! >> 8 : 255;
      }
      return { kind: 'rgba', rgba };
    }
  }

  if (photometric === 3 && page.colorMap && bps <= 8) {
    const map = page.colorMap;
    const n = 1 << bps;
    if (map.length < 3 * n) throw bad(`the colour map has ${map.length} entries, not ${3 * n}`);
    const rgba = new Uint8ClampedArray(pixels * 4);
    for (let y = 0; y < height; y++) {
      const row = y * rowBytes;
      for (let x = 0; x < width; x++) {
        const bit = x * spp * bps;
        const k = bps === 8 ? data[row + x * spp]! : (data[row + (bit >> 3)]! >> (8 - bps - (bit & 7))) & (n - 1);
        const o = (y * width + x) * 4;
        rgba[o] = map[k]! >> 8;
        rgba[o + 1] = map[n + k]! >> 8;
        rgba[o + 2] = map[2 * n + k]! >> 8;
        rgba[o + 3] = 255;
      }
    }
    return { kind: 'rgba', rgba };
  }

  // CMYK, YCbCr, CIELab, JPEG-compressed pages, bilevel…: utif2's own conversion.
  try {
    const rgba8 = utif.toRGBA8(ifd);
    if (rgba8.length < pixels * 4) throw bad(`the pixel data converts to ${rgba8.length / 4} pixels, not ${pixels}`);
    return { kind: 'rgba', rgba: new Uint8ClampedArray(rgba8.buffer, rgba8.byteOffset, pixels * 4) };
  } catch (err) {
    if (LabelkitError.is(err)) throw err;
    throw unsupported(`This TIFF's colour model (photometric ${photometric}, ${spp} samples of ${bps} bits) is not supported.`);
  }
}
