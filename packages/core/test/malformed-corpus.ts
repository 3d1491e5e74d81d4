// The malformed corpus: broken files made at test time from the good fixtures (truncations, zeroed
// bytes, flipped lengths, IFD loops, huge sizes in tiny headers, unsupported syntaxes, garbage in
// compressed data). Shared by the Node test (malformed.test.ts) and the Chromium test.

export type Expectation = 'E_CORRUPT_IMAGE' | 'E_UNSUPPORTED_FORMAT' | 'E_IMAGE_TOO_LARGE' | 'ok-mismatch' | 'any';

export interface MalformedCase {
  readonly name: string;
  readonly hint: string;
  readonly bytes: Uint8Array;
  /** The error code it must give; 'ok-mismatch': decodes and reports the extension; 'any': any of the three codes or success, but never a hang or crash. */
  readonly expect: Expectation;
}

/** The good files the corpus is made from (paths as the caller loads them). */
export const CORPUS_SOURCES = {
  ct: 'dicom/CT_small.dcm',
  mr: 'dicom/MR_small_RLE.dcm',
  ybr: 'dicom/examples_ybr_color.dcm',
  dfl: 'dicom/image_dfl.dcm',
  quad: 'tiff/quad-lzw.tif',
  ladoga: 'tiff/ladoga.tif',
  pc: 'tiff/pc260001.tif',
  pages: 'media/gen/multipage-sizes.tif',
  jpg: 'media/gen/photo.jpg',
  png: 'media/gen/rgba.png',
  bmp: 'media/gen/rgb24.bmp',
  ctll: 'media/gen/ct_jpeg_lossless_sv1.dcm',
  j2k: 'media/gen/mr16_j2k_lossless.dcm',
} as const;
export type Sources = Record<keyof typeof CORPUS_SOURCES, Uint8Array>;

const enc = (s: string) => new TextEncoder().encode(s);
const cut = (b: Uint8Array, n: number) => b.slice(0, Math.max(0, Math.floor(n)));
function patch(b: Uint8Array, at: number, bytes: number[]): Uint8Array {
  const c = b.slice();
  c.set(bytes, at);
  return c;
}
function find(b: Uint8Array, needle: number[], from = 0): number {
  outer: for (let i = from; i <= b.length - needle.length; i++) {
    for (let k = 0; k < needle.length; k++) if (b[i + k] !== needle[k]) continue outer;
    return i;
  }
  throw new Error(`pattern ${needle.map((x) => x.toString(16)).join(' ')} not found`);
}
const le16 = (v: number) => [v & 255, (v >> 8) & 255];
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
function mulberry32(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Position of a DICOM explicit-LE element's tag (group, element). */
function dicomTag(b: Uint8Array, group: number, element: number, from = 132): number {
  return find(b, [...le16(group), ...le16(element)], from);
}

/** TIFF first-IFD offset and entry helpers for little- and big-endian files. */
function tiffInfo(b: Uint8Array): { le: boolean; ifd: number; u16: (o: number) => number; u32: (o: number) => number; w32: (v: number) => number[] } {
  const le = b[0] === 0x49;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { le, ifd: dv.getUint32(4, le), u16: (o) => dv.getUint16(o, le), u32: (o) => dv.getUint32(o, le), w32: le ? le32 : be32 };
}
function tiffEntry(b: Uint8Array, ifd: number, tag: number): number {
  const t = tiffInfo(b);
  const n = t.u16(ifd);
  for (let i = 0; i < n; i++) if (t.u16(ifd + 2 + i * 12) === tag) return ifd + 2 + i * 12;
  throw new Error(`tag ${tag} not in IFD at ${ifd}`);
}
function lastIfdNextPointer(b: Uint8Array): number {
  const t = tiffInfo(b);
  let ifd = t.ifd;
  for (;;) {
    const at = ifd + 2 + t.u16(ifd) * 12;
    const next = t.u32(at);
    if (!next) return at;
    ifd = next;
  }
}

export function makeMalformedCorpus(s: Sources): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const add = (name: string, hint: string, bytes: Uint8Array, expect: Expectation) => cases.push({ name, hint, bytes, expect });

  // ---- truncations --------------------------------------------------------------------------
  for (const f of [0.5, 0.9, 0.99]) add(`CT truncated at ${f * 100}%`, 'ct.dcm', cut(s.ct, s.ct.length * f), 'E_CORRUPT_IMAGE');
  add('CT truncated inside the file meta (300 bytes)', 'ct.dcm', cut(s.ct, 300), 'E_CORRUPT_IMAGE');
  add('DICOM with only preamble + DICM', 'x.dcm', cut(s.ct, 132), 'E_CORRUPT_IMAGE');
  add('RLE MR truncated at 90%', 'mr.dcm', cut(s.mr, s.mr.length * 0.9), 'E_CORRUPT_IMAGE');
  add('JPEG multi-frame DICOM truncated at 60%', 'ybr.dcm', cut(s.ybr, s.ybr.length * 0.6), 'E_CORRUPT_IMAGE');
  add('deflated DICOM truncated at 80%', 'dfl.dcm', cut(s.dfl, s.dfl.length * 0.8), 'E_CORRUPT_IMAGE');
  add('JPEG-lossless DICOM truncated at 95%', 'll.dcm', cut(s.ctll, s.ctll.length * 0.95), 'E_CORRUPT_IMAGE');
  for (const f of [0.5, 0.97]) add(`LZW TIFF truncated at ${f * 100}%`, 'quad.tif', cut(s.quad, s.quad.length * f), 'E_CORRUPT_IMAGE');
  add('TIFF header only (8 bytes)', 'quad.tif', cut(s.quad, 8), 'E_CORRUPT_IMAGE');
  add('TIFF truncated to 5 bytes', 'quad.tif', cut(s.quad, 5), 'E_CORRUPT_IMAGE');
  add('16-bit Deflate TIFF truncated at 70%', 'ladoga.tif', cut(s.ladoga, s.ladoga.length * 0.7), 'E_CORRUPT_IMAGE');
  add('JPEG truncated at 60%', 'photo.jpg', cut(s.jpg, s.jpg.length * 0.6), 'E_CORRUPT_IMAGE');
  add('JPEG truncated before its frame header', 'photo.jpg', cut(s.jpg, 20), 'E_CORRUPT_IMAGE');
  add('PNG truncated at 50%', 'rgba.png', cut(s.png, s.png.length * 0.5), 'E_CORRUPT_IMAGE');
  add('PNG truncated inside IHDR', 'rgba.png', cut(s.png, 20), 'E_CORRUPT_IMAGE');
  add('BMP truncated at 50%', 'rgb.bmp', cut(s.bmp, s.bmp.length * 0.5), 'E_CORRUPT_IMAGE');

  // ---- zero bytes, wrong content, wrong extension ------------------------------------------
  add('empty file', 'empty.png', new Uint8Array(0), 'E_CORRUPT_IMAGE');
  add('4 KB of zeros', 'zeros.tif', new Uint8Array(4096), 'E_UNSUPPORTED_FORMAT');
  add('a text file named .png', 'notes.png', enc('This is not an image, just some text that is long enough.'), 'E_UNSUPPORTED_FORMAT');
  add('a GIF named .jpg', 'anim.jpg', enc('GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,'), 'E_UNSUPPORTED_FORMAT');
  add('a JPEG named .dcm (decodes, mismatch reported)', 'scan.dcm', s.jpg, 'ok-mismatch');
  add('a DICOM named .png (decodes, mismatch reported)', 'scan.png', s.ct, 'ok-mismatch');
  add('CT with its data set zeroed after DICM', 'ct.dcm', patch(s.ct, 132, new Array(400).fill(0)), 'any');
  add('JPEG with its scan data zeroed', 'photo.jpg', patch(s.jpg, s.jpg.length - 300, new Array(250).fill(0)), 'any');

  // ---- huge dimensions in a tiny file ---------------------------------------------------------
  {
    const png = s.png.slice(0, 64);
    png.set(be32(100_000), 16);
    png.set(be32(100_000), 20);
    add('PNG header claiming 100000×100000', 'huge.png', png, 'E_IMAGE_TOO_LARGE');
    const sof = find(s.jpg, [0xff, 0xc0]);
    add('JPEG frame header claiming 65535×65535', 'huge.jpg', patch(s.jpg, sof + 5, [0xff, 0xff, 0xff, 0xff]), 'E_IMAGE_TOO_LARGE');
    const bmp = s.bmp.slice(0, 200);
    bmp.set(le32(50_000), 18);
    bmp.set(le32(50_000), 22);
    add('BMP header claiming 50000×50000', 'huge.bmp', bmp, 'E_IMAGE_TOO_LARGE');
    const t = tiffInfo(s.pages);
    const w = tiffEntry(s.pages, t.ifd, 256);
    const h = tiffEntry(s.pages, t.ifd, 257);
    // Make the width/height LONG values of 200000.
    const tif = patch(
      patch(s.pages, w + 2, t.le ? [4, 0, 1, 0, 0, 0, ...t.w32(200_000)] : [0, 4, 0, 0, 0, 1, ...t.w32(200_000)]),
      h + 2,
      t.le ? [4, 0, 1, 0, 0, 0, ...t.w32(200_000)] : [0, 4, 0, 0, 0, 1, ...t.w32(200_000)],
    );
    add('TIFF claiming 200000×200000 in 1 KB', 'huge.tif', tif, 'E_IMAGE_TOO_LARGE');
    const rows = dicomTag(s.ct, 0x0028, 0x0010);
    const cols = dicomTag(s.ct, 0x0028, 0x0011);
    add('DICOM claiming 65535×65535 rows/columns', 'huge.dcm', patch(patch(s.ct, rows + 8, le16(65535)), cols + 8, le16(65535)), 'E_IMAGE_TOO_LARGE');
  }

  // ---- bad DICOM lengths and values -------------------------------------------------------------
  {
    const px = dicomTag(s.ct, 0x7fe0, 0x0010);
    add('CT Pixel Data length flipped to 0xFFFFFFF0', 'ct.dcm', patch(s.ct, px + 8, le32(0xfffffff0)), 'E_CORRUPT_IMAGE');
    add('CT Pixel Data length cut to 1000', 'ct.dcm', patch(s.ct, px + 8, le32(1000)), 'E_CORRUPT_IMAGE');
    const sop = dicomTag(s.ct, 0x0008, 0x0016);
    add('CT SOP Class UID length 0x7FFF', 'ct.dcm', patch(s.ct, sop + 6, le16(0x7fff)), 'E_CORRUPT_IMAGE');
    const rows = dicomTag(s.ct, 0x0028, 0x0010);
    add('CT rows doubled (pixel data too short)', 'ct.dcm', patch(s.ct, rows + 8, le16(256)), 'E_CORRUPT_IMAGE');
    const bits = dicomTag(s.ct, 0x0028, 0x0100);
    add('CT BitsAllocated 12', 'ct.dcm', patch(s.ct, bits + 8, le16(12)), 'E_CORRUPT_IMAGE');
    // RLE header: the first fragment after the (empty) offset table starts with the segment count.
    const mrPx = dicomTag(s.mr, 0x7fe0, 0x0010);
    const firstItem = find(s.mr, [0xfe, 0xff, 0x00, 0xe0], mrPx + 12 + 8);
    add('RLE frame with 7 segments', 'mr.dcm', patch(s.mr, firstItem + 8, le32(7)), 'E_CORRUPT_IMAGE');
    add('RLE segment offset past the frame', 'mr.dcm', patch(s.mr, firstItem + 8 + 4, le32(0x00ffffff)), 'E_CORRUPT_IMAGE');
    add('RLE item length past the end of file', 'mr.dcm', patch(s.mr, firstItem + 4, le32(0x00ffffff)), 'E_CORRUPT_IMAGE');
    const ts = find(s.ybr, [...enc('1.2.840.10008.1.2.4.50')]);
    add('DICOM with JPEG-LS transfer syntax', 'ls.dcm', patch(s.ybr, ts, [...enc('1.2.840.10008.1.2.4.80')]), 'E_UNSUPPORTED_FORMAT');
    const soi = find(s.ybr, [0xff, 0xd8, 0xff], ts);
    add('JPEG DICOM frame 0 with garbage after SOI', 'ybr.dcm', patch(s.ybr, soi + 2, new Array(600).fill(0x5a)), 'E_CORRUPT_IMAGE');
    const llSoi = find(s.ctll, [0xff, 0xd8, 0xff]);
    add('JPEG-lossless DICOM frame with garbage after SOI', 'll.dcm', patch(s.ctll, llSoi + 2, new Array(400).fill(0x33)), 'E_CORRUPT_IMAGE');
    const j2kSoc = find(s.j2k, [0xff, 0x4f, 0xff, 0x51]);
    add('JPEG 2000 DICOM frame with garbage after the main header', 'j2k.dcm', patch(s.j2k, j2kSoc + 120, new Array(1500).fill(0xa7)), 'E_CORRUPT_IMAGE');
    add('JPEG 2000 DICOM truncated at 70%', 'j2k.dcm', cut(s.j2k, s.j2k.length * 0.7), 'E_CORRUPT_IMAGE');
    add('JPEG 2000 DICOM with its SIZ marker zeroed', 'j2k.dcm', patch(s.j2k, j2kSoc + 2, new Array(40).fill(0)), 'E_CORRUPT_IMAGE');
    const photometric = find(s.ct, [...enc('MONOCHROME2')]);
    add('CT with photometric MONOCHROME3', 'ct.dcm', patch(s.ct, photometric, [...enc('MONOCHROME3')]), 'E_UNSUPPORTED_FORMAT');
  }

  // ---- TIFF structure: loops, offsets, counts --------------------------------------------------
  {
    const t = tiffInfo(s.quad);
    add('TIFF whose IFD points to itself', 'quad.tif', patch(s.quad, lastIfdNextPointer(s.quad), t.w32(t.ifd)), 'E_CORRUPT_IMAGE');
    const tp = tiffInfo(s.pages);
    add('3-page TIFF whose last IFD points back to the first', 'pages.tif', patch(s.pages, lastIfdNextPointer(s.pages), tp.w32(tp.ifd)), 'E_CORRUPT_IMAGE');
    const tc = tiffInfo(s.pc);
    const exif = tiffEntry(s.pc, tc.ifd, 34665);
    add('TIFF whose EXIF IFD points at IFD 0', 'pc.tif', patch(s.pc, exif + 8, tc.w32(tc.ifd)), 'E_CORRUPT_IMAGE');
    const so = tiffEntry(s.quad, t.ifd, 273);
    add('TIFF StripOffsets count 0x7FFFFFFF', 'quad.tif', patch(s.quad, so + 4, t.w32(0x7fffffff)), 'E_CORRUPT_IMAGE');
    const soValues = t.u32(so + 8);
    add('TIFF first strip offset past the end', 'quad.tif', patch(s.quad, soValues, t.w32(0x7ffffff0)), 'E_CORRUPT_IMAGE');
    add('TIFF IFD entry count 0xFFFF', 'quad.tif', patch(s.quad, t.ifd, t.le ? [0xff, 0xff] : [0xff, 0xff]), 'E_CORRUPT_IMAGE');
    add('TIFF first IFD offset past the end', 'quad.tif', patch(s.quad, 4, t.w32(s.quad.length + 100)), 'E_CORRUPT_IMAGE');
    add('BigTIFF header', 'big.tif', patch(s.quad.slice(0, 64), 0, [0x4d, 0x4d, 0, 43]), 'E_UNSUPPORTED_FORMAT');
    const tl = tiffInfo(s.ladoga);
    const comp = tiffEntry(s.ladoga, tl.ifd, 259);
    add('TIFF with compression 34712 (JPEG 2000)', 'ladoga.tif', patch(s.ladoga, comp + 8, tl.le ? [0x98, 0x87] : [0x87, 0x98]), 'E_UNSUPPORTED_FORMAT');
    // Garbage inside compressed strips: must end (corrupt or a garbled picture), never hang.
    const r = mulberry32(42);
    const garbage = s.quad.slice();
    for (let i = 16; i < t.ifd - 16; i++) garbage[i] = Math.floor(r() * 256);
    add('LZW TIFF with random strip data', 'quad.tif', garbage, 'any');
    const ladogaStrip = tiffInfo(s.ladoga).u32(tiffEntry(s.ladoga, tl.ifd, 273) + 8);
    const dz = s.ladoga.slice();
    for (let i = 0; i < 2000; i++) dz[(tl.u32(ladogaStrip) || 8) + 2 + i] = Math.floor(r() * 256);
    add('Deflate TIFF with random strip data', 'ladoga.tif', dz, 'any');
  }

  // ---- PNG / BMP internals ------------------------------------------------------------------------
  {
    const idat = find(s.png, [...enc('IDAT')]);
    add('PNG with garbage IDAT', 'rgba.png', patch(s.png, idat + 4, new Array(40).fill(0x77)), 'E_CORRUPT_IMAGE');
    add('PNG with colour type 5', 'rgba.png', patch(s.png, 25, [5]), 'E_CORRUPT_IMAGE');
    add('BMP with DIB header size 7', 'rgb.bmp', patch(s.bmp, 14, le32(7)), 'E_CORRUPT_IMAGE');
    add('BMP with 13 bits per pixel', 'rgb.bmp', patch(s.bmp, 28, le16(13)), 'E_CORRUPT_IMAGE');
  }

  // ---- seeded random byte flips in every source (no expectation but "ends, with a known code") ------
  const r = mulberry32(2024);
  for (const [key, bytes] of Object.entries(s)) {
    for (let v = 0; v < 2; v++) {
      const c = bytes.slice();
      for (let k = 0; k < 12; k++) c[Math.floor(r() * c.length)] = Math.floor(r() * 256);
      add(`${key} with 12 random bytes changed (#${v + 1})`, CORPUS_SOURCES[key as keyof Sources], c, 'any');
    }
  }
  return cases;
}
