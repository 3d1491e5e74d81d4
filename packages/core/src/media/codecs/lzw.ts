// TIFF LZW, both flavours: the TIFF 6 one (MSB-first codes, "early change") and the old-style,
// pre-TIFF-5 one (LSB-first codes, no early change) that libtiff still reads — the libtiff test
// image quad-lzw.tif is old-style. utif2's own LZW decoder reads only the first flavour and loops
// forever on the second (and on corrupt codes); geotiff's grows an array until V8 aborts the process.
// This one is bounded: it stops at the end of its input or output, or at the first impossible code.

const CLEAR = 256;
const EOI = 257;

/**
 * Decodes `len` bytes of LZW data at `off` into `tgt` from `toff`. Returns the number of bytes
 * written. Never reads past `off + len` nor writes past `tgt.length`.
 */
export function decodeTiffLzw(src: Uint8Array, off: number, len: number, tgt: Uint8Array, toff: number): number {
  const end = Math.min(src.length, off + Math.max(0, len));
  const oldStyle = end - off >= 2 && src[off] === 0 && (src[off + 1]! & 1) === 1;
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  const first = new Uint8Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
    first[i] = i;
  }
  const outEnd = tgt.length;
  let out = toff;
  let bitPos = off * 8;
  const endBits = end * 8;
  let width = 9;
  let next = 258;
  let prev = -1;

  const read = (): number => {
    if (bitPos + width > endBits) return -1;
    let code = 0;
    if (oldStyle) {
      for (let k = 0; k < width; k++) {
        const bit = bitPos + k;
        code |= ((src[bit >> 3]! >> (bit & 7)) & 1) << k;
      }
    } else {
      for (let k = 0; k < width; k++) {
        const bit = bitPos + k;
        code = (code << 1) | ((src[bit >> 3]! >> (7 - (bit & 7))) & 1);
      }
    }
    bitPos += width;
    return code;
  };

  const emit = (code: number): void => {
    const n = length[code]!;
    let c = code;
    for (let i = n - 1; i >= 0; i--) {
      const at = out + i;
      if (at < outEnd) tgt[at] = suffix[c]!;
      c = prefix[c]!;
    }
    out += n;
  };

  while (out < outEnd) {
    const code = read();
    if (code < 0 || code === EOI) break;
    if (code === CLEAR) {
      width = 9;
      next = 258;
      prev = -1;
      continue;
    }
    if (prev < 0) {
      if (code > 255) break; // the first code after a clear must be a literal
      emit(code);
      prev = code;
      continue;
    }
    if (code < next && code !== CLEAR && code !== EOI) {
      emit(code);
      if (next < 4096) {
        prefix[next] = prev;
        suffix[next] = first[code]!;
        length[next] = length[prev]! + 1;
        first[next] = first[prev]!;
        next++;
      }
    } else if (code === next && next < 4096) {
      prefix[next] = prev;
      suffix[next] = first[prev]!;
      length[next] = length[prev]! + 1;
      first[next] = first[prev]!;
      next++;
      emit(code);
    } else {
      break; // an impossible code: corrupt data; what was decoded so far stays
    }
    prev = code;
    if (oldStyle ? next >= 1 << width : next >= (1 << width) - 1) width = Math.min(12, width + 1);
  }
  return out - toff;
}
