// CRC-32 (IEEE 802.3), slicing-by-8: the checksum on journal records, snapshots and tails. It is
// most of the cost of decoding a snapshot (7.7 MB at 100k items), so it reads 8 bytes a step
// (~2x slicing-by-4 on V8).
const T = new Uint32Array(8 * 256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  T[i] = c >>> 0;
}
for (let i = 0; i < 256; i++) {
  for (let t = 1; t < 8; t++) T[t * 256 + i] = (T[(t - 1) * 256 + i]! >>> 8) ^ T[T[(t - 1) * 256 + i]! & 0xff]!;
}

/** A native CRC-32 (Node's zlib.crc32), when the platform's adapter registered one. */
let native: ((bytes: Uint8Array) => number) | undefined;

/**
 * Lets a platform adapter supply a native CRC-32 (same polynomial and result). `@labelkit/core/node`
 * registers Node's `zlib.crc32`, about 20× faster on a 54 MB snapshot than this JavaScript.
 */
export function useNativeCrc32(fn: ((bytes: Uint8Array) => number) | undefined): void {
  native = fn;
}

/** One slicing-by-8 step: the CRC after 8 bytes, `lo` (already XORed into the CRC) and `hi` (the next four). */
function fold8(lo: number, hi: number): number {
  return (
    T[1792 + (lo & 0xff)]! ^
    T[1536 + ((lo >>> 8) & 0xff)]! ^
    T[1280 + ((lo >>> 16) & 0xff)]! ^
    T[1024 + (lo >>> 24)]! ^
    T[768 + (hi & 0xff)]! ^
    T[512 + ((hi >>> 8) & 0xff)]! ^
    T[256 + ((hi >>> 16) & 0xff)]! ^
    T[hi >>> 24]!
  );
}

/** Little-endian: the bytes of a 32-bit word read in one load are in the order the table wants. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Whether a native CRC-32 is registered (`useNativeCrc32`): then one call over megabytes is cheap. */
export function hasNativeCrc32(): boolean {
  return !!native;
}

/**
 * CRC-32 of `bytes[start, end)`; with `prev`, of the bytes before them followed by these (`prev` is
 * the CRC of those), so a long input can be checked in pieces.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, prev = 0): number {
  if (native && !prev && end - start >= 4096) return native(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)) >>> 0;
  let c = (prev ^ 0xffffffff) >>> 0;
  let i = start;
  if (LITTLE_ENDIAN && end - start >= 256) {
    // Two 32-bit loads a step instead of eight byte loads: ~2x on a snapshot (7.7 MB at 100k items).
    while (((bytes.byteOffset + i) & 3) !== 0) c = T[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, ((end - i) >>> 3) * 2);
    for (let j = 0; j < words.length; j += 2) {
      c ^= words[j]!;
      const hi = words[j + 1]!;
      c = fold8(c, hi);
    }
    i += words.length * 4;
  }
  for (; i + 8 <= end; i += 8) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    const hi = bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24);
    c = fold8(c, hi);
  }
  for (; i < end; i++) c = T[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Bytes `prepareCrc32` checks: enough for V8 to have the loop compiled when the real input arrives. */
const WARM_BYTES = 256 * 1024;

/**
 * Gets the JavaScript CRC's code compiled before a large input arrives: call it while waiting for
 * that input (a snapshot being read). In a fresh page the first megabytes of a CRC run in V8's
 * unoptimized tiers: a 2.7 MB snapshot took 8–28 ms cold against ~2 ms once the loop was compiled,
 * and checking 256 KB first (~5 ms, during the read's wait) brought it to ~2 ms. Nothing to do when
 * a native CRC is registered.
 */
export function prepareCrc32(): void {
  if (native) return;
  crc32(new Uint8Array(WARM_BYTES));
}

/** 32-bit FNV-1a of a string's UTF-16 code units: a compact fingerprint (etags). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
