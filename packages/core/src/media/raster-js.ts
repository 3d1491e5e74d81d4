// Pure-JS decoders for the browser-native formats, used where no browser decoder exists (Node,
// tests, server-side exports): PNG (fflate + unfiltering), BMP, and JPEG through jpeg-js. Pages and
// workers use createImageBitmap instead.
import { Unzlib } from 'fflate';
import { LabelkitError } from '../errors.js';
import { concatBytes } from '../util/bytes.js';
import type { Rgba8 } from './codecs/jpeg.js';

function bad(format: string, message: string, cause?: unknown): LabelkitError {
  return new LabelkitError('E_CORRUPT_IMAGE', `Corrupt ${format}: ${message}.`, {}, cause === undefined ? undefined : { cause });
}

const ADAM7: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * Bytes of filtered image data a PNG header allows: one filter byte plus the packed row, for every
 * row of every pass (seven Adam7 passes when interlaced, empty passes left out).
 */
export function pngDataSize(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number {
  let total = 0;
  for (const [x0, y0, dx, dy] of interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const)) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw > 0 && ph > 0) total += ph * (1 + Math.ceil((pw * bitsPerPixel) / 8));
  }
  return total;
}

/** Largest inflate ratio of DEFLATE (258-byte matches in ~2 bits): no input byte yields more output. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Inflates a zlib stream that must yield exactly `expected` bytes, and stops as soon as it yields more:
 * input goes in in slices small enough that one slice can overshoot by at most about a megabyte, so a
 * decompression bomb (a small file whose data inflates to gigabytes) costs milliseconds, not gigabytes.
 */
function inflateImageData(zipped: Uint8Array, expected: number, ended: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  let produced = 0;
  let tooMuch = false;
  const inflater = new Unzlib((chunk) => {
    produced += chunk.length;
    if (produced > expected) tooMuch = true;
    else if (chunk.length) parts.push(chunk);
  });
  const truncated = ended ? '' : '; the file is probably truncated';
  try {
    for (let at = 0; at < zipped.length && !tooMuch;) {
      const room = Math.ceil((expected - produced) / MAX_DEFLATE_RATIO) + 1;
      const end = Math.min(zipped.length, at + Math.min(64 * 1024, Math.max(1024, room)));
      inflater.push(zipped.subarray(at, end), end === zipped.length);
      at = end;
    }
  } catch (err) {
    if (!tooMuch) throw bad('PNG', `the image data does not inflate (${(err as Error).message})${truncated}`, err);
  }
  if (tooMuch) {
    throw new LabelkitError(
      'E_CORRUPT_IMAGE',
      `Corrupt PNG: the image data inflates to more than the ${expected} bytes its header allows; the file is damaged or built to exhaust memory (a decompression bomb).`,
      { expected },
    );
  }
  if (produced < expected) throw bad('PNG', `the image data is shorter than the image (${produced} of ${expected} bytes); the file is probably truncated`);
  return parts.length === 1 ? parts[0]! : concatBytes(parts, expected);
}

/** Undoes a PNG row filter in place (`prev`: the row above, unfiltered; zeros for the first row). */
function unfilter(filter: number, line: Uint8Array, prev: Uint8Array, bpp: number): void {
  const n = line.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) line[i]! += line[i - bpp]!;
      return;
    case 2:
      for (let i = 0; i < n; i++) line[i]! += prev[i]!;
      return;
    case 3:
      for (let i = 0; i < bpp; i++) line[i]! += prev[i]! >> 1;
      for (let i = bpp; i < n; i++) line[i]! += (line[i - bpp]! + prev[i]!) >> 1;
      return;
    case 4:
      for (let i = 0; i < bpp; i++) line[i]! += prev[i]!;
      for (let i = bpp; i < n; i++) {
        const a = line[i - bpp]!;
        const up = prev[i]!;
        const c = prev[i - bpp]!;
        const pa = Math.abs(up - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + up - 2 * c);
        line[i]! += pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      }
      return;
    default:
      throw bad('PNG', `unknown filter type ${filter}`);
  }
}

/** Decodes a PNG (every colour type and bit depth, Adam7 interlacing, tRNS) to 8-bit RGBA. */
export function decodePngJs(b: Uint8Array): Rgba8 {
  const u32 = (o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  const width = u32(16);
  const height = u32(20);
  const depth = b[24]!;
  const colorType = b[25]!;
  const interlace = b[28];
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let idatLength = 0;
  let p = 8;
  let ended = false;
  while (p + 8 <= b.length) {
    const len = u32(p);
    const type = String.fromCharCode(b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
    const body = p + 8;
    if (body + len > b.length) throw bad('PNG', `chunk ${type} runs past the end of the file; the file is probably truncated`);
    const data = b.subarray(body, body + len);
    if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') {
      idat.push(data);
      idatLength += len;
    } else if (type === 'IEND') {
      ended = true;
      break;
    }
    p = body + len + 4;
  }
  if (!idat.length) throw bad('PNG', 'no image data (IDAT); the file is probably truncated');
  const zipped = concatBytes(idat, idatLength);
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels || ![1, 2, 4, 8, 16].includes(depth)) throw bad('PNG', `colour type ${colorType} with bit depth ${depth}`);
  const raw = inflateImageData(zipped, pngDataSize(width, height, channels * depth, interlace !== 0), ended);
  const bpp = Math.max(1, (channels * depth) >> 3);
  const out = new Uint8ClampedArray(width * height * 4);
  const passes = interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let pos = 0;
  const maxV = (1 << depth) - 1;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * channels * depth) / 8);
    let prev = new Uint8Array(stride);
    for (let r = 0; r < ph; r++) {
      if (pos + 1 + stride > raw.length) throw bad('PNG', 'the image data is shorter than the image; the file is probably truncated');
      const filter = raw[pos]!;
      const line = raw.slice(pos + 1, pos + 1 + stride);
      pos += 1 + stride;
      unfilter(filter, line, prev, bpp);
      prev = line;
      const y = y0 + r * dy;
      if (depth === 8 && (colorType === 6 || (colorType === 2 && !trns))) {
        // The common case (8-bit RGB or RGBA, no colour key), without a call per sample: about
        // ten times faster than the general loop below on a photo.
        const step = dx * 4;
        for (let col = 0, idx = 0, q = (y * width + x0) * 4; col < pw; col++, idx += channels, q += step) {
          out[q] = line[idx]!;
          out[q + 1] = line[idx + 1]!;
          out[q + 2] = line[idx + 2]!;
          out[q + 3] = channels === 4 ? line[idx + 3]! : 255;
        }
        continue;
      }
      for (let col = 0; col < pw; col++) {
        const sample = (ch: number): number => {
          const idx = col * channels + ch;
          if (depth === 8) return line[idx]!;
          if (depth === 16) return Math.round(((line[idx * 2]! << 8) | line[idx * 2 + 1]!) / 257);
          const bit = idx * depth;
          return (line[bit >> 3]! >> (8 - depth - (bit & 7))) & maxV;
        };
        const raw16 = (ch: number): number => (line[(col * channels + ch) * 2]! << 8) | line[(col * channels + ch) * 2 + 1]!;
        const q = (y * width + x0 + col * dx) * 4;
        if (colorType === 3) {
          const k = sample(0);
          if (!palette || k * 3 + 2 >= palette.length) throw bad('PNG', 'a palette index is outside the palette');
          out[q] = palette[k * 3]!;
          out[q + 1] = palette[k * 3 + 1]!;
          out[q + 2] = palette[k * 3 + 2]!;
          out[q + 3] = trns && k < trns.length ? trns[k]! : 255;
        } else if (colorType === 0 || colorType === 4) {
          const g = sample(0);
          const v = depth < 8 ? Math.round((g * 255) / maxV) : g;
          out[q] = out[q + 1] = out[q + 2] = v;
          let alpha = colorType === 4 ? sample(1) : 255;
          if (colorType === 0 && trns && trns.length >= 2) {
            const key = (trns[0]! << 8) | trns[1]!;
            if ((depth === 16 ? raw16(0) : g) === key) alpha = 0;
          }
          out[q + 3] = alpha;
        } else {
          out[q] = sample(0);
          out[q + 1] = sample(1);
          out[q + 2] = sample(2);
          let alpha = colorType === 6 ? sample(3) : 255;
          if (colorType === 2 && trns && trns.length >= 6) {
            const k16 = (i: number) => (trns![i]! << 8) | trns![i + 1]!;
            const match = depth === 16 ? raw16(0) === k16(0) && raw16(1) === k16(2) && raw16(2) === k16(4) : sample(0) === k16(0) && sample(1) === k16(2) && sample(2) === k16(4);
            if (match) alpha = 0;
          }
          out[q + 3] = alpha;
        }
      }
    }
  }
  return { width, height, rgba: out };
}

/** Decodes a BMP (1/4/8-bit palette, 16/24/32-bit, BI_BITFIELDS, RLE4/RLE8) to 8-bit RGBA. */
export function decodeBmpJs(b: Uint8Array): Rgba8 {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pixelOffset = dv.getUint32(10, true);
  const dib = dv.getUint32(14, true);
  const core = dib === 12;
  const width = core ? dv.getUint16(18, true) : dv.getInt32(18, true);
  const rawHeight = core ? dv.getInt16(20, true) : dv.getInt32(22, true);
  const bits = core ? dv.getUint16(24, true) : dv.getUint16(28, true);
  const compression = core ? 0 : dv.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  // BMP has no inflate stage to bomb: RLE writes into this header-sized buffer (the header guard caps
  // it) and stops at its end; uncompressed data is checked against the file size before allocating.
  let out = new Uint8ClampedArray(0);
  const paletteStart = 14 + dib + (compression === 3 && dib === 40 ? 12 : compression === 6 && dib === 40 ? 16 : 0);
  const entry = core ? 3 : 4;
  let colours = core ? 1 << bits : dv.getUint32(46, true) || (bits <= 8 ? 1 << bits : 0);
  if (bits <= 8) colours = Math.min(colours, 1 << bits);
  const pal = (k: number, q: number) => {
    const at = paletteStart + k * entry;
    if (k >= colours || at + 3 > b.length) throw bad('BMP', 'a palette index is outside the palette');
    out[q] = b[at + 2]!;
    out[q + 1] = b[at + 1]!;
    out[q + 2] = b[at]!;
    out[q + 3] = 255;
  };
  const rowOf = (r: number) => (topDown ? r : height - 1 - r);
  if (compression === 1 || compression === 2) {
    // RLE8 / RLE4, bottom-up; untouched pixels stay transparent black.
    out = new Uint8ClampedArray(width * height * 4);
    let p = pixelOffset;
    let x = 0;
    let r = 0;
    while (p + 1 < b.length && r < height) {
      const n = b[p++]!;
      const c = b[p++]!;
      if (n > 0) {
        for (let k = 0; k < n && x < width; k++, x++) pal(compression === 1 ? c : k % 2 === 0 ? c >> 4 : c & 15, (rowOf(r) * width + x) * 4);
      } else if (c === 0) {
        x = 0;
        r++;
      } else if (c === 1) break;
      else if (c === 2) {
        x += b[p++] ?? 0;
        r += b[p++] ?? 0;
      } else {
        const bytes = compression === 1 ? c : Math.ceil(c / 2);
        if (p + bytes > b.length) throw bad('BMP', 'the RLE data is truncated');
        for (let k = 0; k < c && x < width; k++, x++) {
          const v = compression === 1 ? b[p + k]! : k % 2 === 0 ? b[p + (k >> 1)]! >> 4 : b[p + (k >> 1)]! & 15;
          pal(v, (rowOf(r) * width + x) * 4);
        }
        p += bytes + (bytes & 1);
      }
    }
    return { width, height, rgba: out };
  }
  if (compression !== 0 && compression !== 3 && compression !== 6)
    throw new LabelkitError('E_UNSUPPORTED_FORMAT', `BMP compression ${compression} is not supported outside a browser.`);
  const stride = Math.ceil((width * bits) / 32) * 4;
  if (pixelOffset + stride * height > b.length)
    throw bad('BMP', `the pixel data (${stride * height} bytes at offset ${pixelOffset}) runs past the end of the file; the file is probably truncated`);
  out = new Uint8ClampedArray(width * height * 4);
  let masks = bits === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0xff00, 0xff, 0];
  if (compression === 3 || compression === 6) {
    const at = dib >= 52 ? 54 : 14 + dib;
    masks = [dv.getUint32(at, true), dv.getUint32(at + 4, true), dv.getUint32(at + 8, true), compression === 6 || dib >= 56 ? dv.getUint32(at + 12, true) : 0];
  } else if (bits === 32) masks = [0xff0000, 0xff00, 0xff, 0];
  const fromMask = (v: number, m: number) => {
    if (!m) return -1;
    let shift = 0;
    while (((m >>> shift) & 1) === 0) shift++;
    const max = m >>> shift;
    return Math.round((((v & m) >>> shift) * 255) / max);
  };
  for (let r = 0; r < height; r++) {
    const row = pixelOffset + r * stride;
    const y = rowOf(r);
    for (let x = 0; x < width; x++) {
      const q = (y * width + x) * 4;
      if (bits <= 8) {
        const bit = x * bits;
        pal((b[row + (bit >> 3)]! >> (8 - bits - (bit & 7))) & ((1 << bits) - 1), q);
      } else if (bits === 24) {
        out[q] = b[row + x * 3 + 2]!;
        out[q + 1] = b[row + x * 3 + 1]!;
        out[q + 2] = b[row + x * 3]!;
        out[q + 3] = 255;
      } else {
        const v = bits === 16 ? dv.getUint16(row + x * 2, true) : dv.getUint32(row + x * 4, true);
        out[q] = fromMask(v, masks[0]!);
        out[q + 1] = fromMask(v, masks[1]!);
        out[q + 2] = fromMask(v, masks[2]!);
        const a = fromMask(v, masks[3]!);
        out[q + 3] = a < 0 ? 255 : a;
      }
    }
  }
  return { width, height, rgba: out };
}

/** Applies an EXIF orientation (2–8) to RGBA pixels, as browsers do when they draw a JPEG. */
export function applyOrientation(img: Rgba8, orientation: number | undefined): Rgba8 {
  if (!orientation || orientation === 1) return img;
  const { width: w, height: h, rgba } = img;
  const swap = orientation >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8ClampedArray(rgba.length);
  const src = new Uint32Array(rgba.buffer, rgba.byteOffset, w * h);
  const dst = new Uint32Array(out.buffer, out.byteOffset, w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let X: number;
      let Y: number;
      switch (orientation) {
        case 2:
          X = w - 1 - x;
          Y = y;
          break;
        case 3:
          X = w - 1 - x;
          Y = h - 1 - y;
          break;
        case 4:
          X = x;
          Y = h - 1 - y;
          break;
        case 5:
          X = y;
          Y = x;
          break;
        case 6:
          X = h - 1 - y;
          Y = x;
          break;
        case 7:
          X = h - 1 - y;
          Y = w - 1 - x;
          break;
        default:
          X = y;
          Y = w - 1 - x;
          break; // 8
      }
      dst[Y * W + X] = src[y * w + x]!;
    }
  }
  return { width: W, height: H, rgba: out };
}
