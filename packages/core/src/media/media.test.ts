// Node tests of the media layer: sniffing, probing, and pixel values against references computed by
// dcmtk / libtiff / ImageMagick (test/fixtures/media/reference.json; see its README).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LabelkitError } from '../errors.js';
import { decodeImage, describeDecodeFailure, probeImage, sniffFormat, type DecodedImage } from './index.js';
import { fixture } from '../../../../test/fixtures/paths.mjs';

/** A fixture by its path under test/fixtures (the `file` keys of reference.json). */
function path(rel: string): string {
  return fixture(rel);
}
function load(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(path(rel)));
}

interface RefEntry {
  file: string;
  frame: number;
  kind: 'stored' | 'grey8' | 'rgb8' | 'rgba8' | 'rgb16';
  window?: 'dicom' | 'auto-minmax';
  width: number;
  height: number;
  points: number[][];
  range?: [number, number];
  tool: string;
}
const reference = JSON.parse(readFileSync(fixture('media', 'reference.json'), 'utf8')) as { entries: RefEntry[] };

/** Allowed difference per kind and file: exact for lossless data, a few levels for lossy JPEG decoders and rounding. */
function tolerance(e: RefEntry): number {
  if (e.kind === 'stored') return 0;
  if (e.kind === 'rgb16') return 1;
  // JPEG inside TIFF: utif2's decoder (from pdf.js) against libtiff's libjpeg, chroma edges differ most.
  if (/jpeg-rgb\.tif/.test(e.file)) return 24;
  if (/jpe?g|ybr|img2dcm|progressive|orient/.test(e.file) && !/lossless/.test(e.file)) return 8;
  if (e.kind === 'grey8') return 1; // dcmtk's and our rounding of the VOI function
  if (/16\.png$/.test(e.file)) return 1; // 16 → 8 bit rounding
  return 0;
}

describe('sniffing and probing', () => {
  it('sniffs every format from its bytes, not its name', () => {
    expect(sniffFormat(load('media/gen/photo.jpg'))).toBe('jpeg');
    expect(sniffFormat(load('media/gen/rgba.png'))).toBe('png');
    expect(sniffFormat(load('media/gen/rgb24.bmp'))).toBe('bmp');
    expect(sniffFormat(load('tiff/quad-lzw.tif'))).toBe('tiff');
    expect(sniffFormat(load('media/gen/rgb8-none-be.tif'))).toBe('tiff');
    // pydicom's CT_small has a TIFF header in its preamble: DICM at 128 wins.
    expect(sniffFormat(load('dicom/CT_small.dcm'))).toBe('dicom');
    expect(sniffFormat(new TextEncoder().encode('hello world, not an image'))).toBe(null);
  });

  const expectations: [string, Partial<ReturnType<typeof probeImage>>][] = [
    ['dicom/CT_small.dcm', { format: 'dicom', width: 128, height: 128, frames: 1, bitsStored: 16, photometric: 'MONOCHROME2', signed: true }],
    ['dicom/MR_small_RLE.dcm', { format: 'dicom', width: 64, height: 64, frames: 1, compression: 'rle' }],
    ['dicom/CR_monochrome1_small.dcm', { width: 16, height: 16, bitsStored: 12, bitsAllocated: 16, photometric: 'MONOCHROME1', signed: false }],
    ['dicom/image_dfl.dcm', { width: 512, height: 512, bitsStored: 8, compression: 'deflated-explicit-le' }],
    ['dicom/examples_rgb_color.dcm', { width: 320, height: 240, samplesPerPixel: 3, photometric: 'RGB' }],
    ['dicom/examples_ybr_color.dcm', { width: 320, height: 240, frames: 30, photometric: 'YBR_FULL_422', transferSyntax: '1.2.840.10008.1.2.4.50' }],
    ['tiff/quad-lzw.tif', { format: 'tiff', width: 512, height: 384, frames: 1, samplesPerPixel: 3, compression: 'lzw', photometric: 'RGB' }],
    ['tiff/quad-tile.tif', { width: 512, height: 384, frames: 1 }],
    ['tiff/ladoga.tif', { width: 158, height: 118, bitsStored: 16, photometric: 'MONOCHROME2', compression: 'deflate' }],
    ['tiff/pc260001.tif', { width: 640, height: 480, frames: 1 }],
    ['tiff/seq-1c-8b-multipage-adeefdcc.tiff', { width: 16, height: 16, frames: 3 }],
    ['media/gen/multipage-sizes.tif', { width: 40, height: 30, frames: 3 }],
    ['media/gen/photo.jpg', { format: 'jpeg', width: 64, height: 48, frames: 1, bitsStored: 8, photometric: 'YBR_FULL' }],
    ['media/gen/grey.jpg', { width: 64, height: 48, photometric: 'MONOCHROME2', samplesPerPixel: 1 }],
    ['media/gen/progressive.jpg', { width: 64, height: 48, compression: 'jpeg-progressive' }],
    ['media/gen/orient6.jpg', { width: 48, height: 64, orientation: 6 }],
    ['media/gen/rgba.png', { format: 'png', width: 64, height: 48, samplesPerPixel: 4 }],
    ['media/gen/grey16.png', { bitsStored: 16, photometric: 'MONOCHROME2' }],
    ['media/gen/palette.png', { photometric: 'PALETTE COLOR' }],
    ['media/gen/rgb24.bmp', { format: 'bmp', width: 64, height: 48, bitsStored: 8, samplesPerPixel: 3 }],
    ['media/gen/pal8.bmp', { width: 64, height: 48, photometric: 'PALETTE COLOR' }],
    ['media/gen/ct_jpeg_lossless_sv1.dcm', { transferSyntax: '1.2.840.10008.1.2.4.70', signed: true }],
    ['media/gen/ct_bigendian.dcm', { transferSyntax: '1.2.840.10008.1.2.2', width: 128 }],
    ['media/gen/cr_implicit.dcm', { transferSyntax: '1.2.840.10008.1.2', photometric: 'MONOCHROME1' }],
  ];
  for (const [file, want] of expectations) {
    it(`probes ${file}`, () => {
      expect(probeImage(load(file))).toMatchObject(want);
    });
  }

  it('reports a wrong extension and still decodes (content wins)', async () => {
    const bytes = load('media/gen/photo.jpg');
    const probe = probeImage(bytes, { hint: 'scans/photo.png' });
    expect(probe.format).toBe('jpeg');
    expect(probe.extensionMismatch).toEqual({ extension: '.png', actual: 'jpeg', expected: 'png' });
    expect(probeImage(bytes, { hint: 'x.JFIF' }).extensionMismatch).toBeUndefined();
    expect(probeImage(bytes, { hint: 'blob:no-extension' }).extensionMismatch).toBeUndefined();
    expect(probeImage(bytes, { hint: 'notes.txt' }).extensionMismatch).toEqual({ extension: '.txt', actual: 'jpeg', expected: null });
    const d = await decodeImage(load('dicom/CT_small.dcm'), { hint: 'ct.tif' });
    expect(d.extensionMismatch).toEqual({ extension: '.tif', actual: 'dicom', expected: 'tiff' });
    expect(d.width).toBe(128);
  });

  it('checks the pixel limit from the header, before decoding', async () => {
    const bytes = load('tiff/pc260001.tif');
    const err = await decodeImage(bytes, { maxPixels: 640 * 480 - 1 }).catch((e) => e);
    expect(LabelkitError.is(err, 'E_IMAGE_TOO_LARGE')).toBe(true);
    expect(() => probeImage(bytes, { maxPixels: 1000 })).toThrowError(/megapixel/);
    expect(probeImage(bytes, { maxPixels: Infinity }).width).toBe(640);
  });

  it('rejects an unknown format as E_UNSUPPORTED_FORMAT and an empty file as E_CORRUPT_IMAGE', () => {
    expect(describeDecodeFailure(catchSync(() => probeImage(new TextEncoder().encode('GIF89a......................'))))).toMatchObject({ code: 'E_UNSUPPORTED_FORMAT' });
    expect(describeDecodeFailure(catchSync(() => probeImage(new Uint8Array(0))))).toMatchObject({ code: 'E_CORRUPT_IMAGE' });
    expect(describeDecodeFailure(new Error('boom'))).toEqual({ code: 'E_CORRUPT_IMAGE', reason: 'The image could not be decoded: boom.' });
  });

  it('asks for a frame that exists', async () => {
    const err = await decodeImage(load('tiff/seq-1c-8b-multipage-adeefdcc.tiff'), { frame: 3 }).catch((e) => e);
    expect(LabelkitError.is(err, 'E_INVALID_ARGUMENT')).toBe(true);
  });
});

function catchSync(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('pixel values against independent references (dcmtk, libtiff, ImageMagick)', () => {
  const cache = new Map<string, Promise<DecodedImage>>();
  const decoded = (e: RefEntry, window?: RefEntry['window']) => {
    const key = `${e.file}#${e.frame}#${window ?? ''}`;
    if (!cache.has(key)) cache.set(key, decodeImage(load(e.file), { frame: e.frame, hint: e.file, window }));
    return cache.get(key)!;
  };
  for (const e of reference.entries) {
    it(`${e.file} frame ${e.frame}: ${e.kind} (${e.tool})`, async () => {
      const d = await decoded(e, e.window);
      expect([d.width, d.height]).toEqual([e.width, e.height]);
      const tol = tolerance(e);
      let worst = 0;
      for (const [x, y, ...want] of e.points) {
        const i = y * d.width + x;
        let got: number[];
        if (e.kind === 'stored') got = [d.raw!.data[i]];
        else if (e.kind === 'rgb16') {
          // 16-bit RGB shows through one min/max stretch shared by the channels (range from the reference).
          const [lo, hi] = e.range!;
          got = [d.rgba![i * 4], d.rgba![i * 4 + 1], d.rgba![i * 4 + 2]];
          want.splice(0, 3, ...want.map((v) => Math.round(((v - lo) * 255) / (hi - lo))));
        } else if (e.kind === 'grey8') got = [d.rgba![i * 4]];
        else if (e.kind === 'rgb8') got = [d.rgba![i * 4], d.rgba![i * 4 + 1], d.rgba![i * 4 + 2]];
        else got = [d.rgba![i * 4], d.rgba![i * 4 + 1], d.rgba![i * 4 + 2], d.rgba![i * 4 + 3]];
        for (let c = 0; c < want.length; c++) worst = Math.max(worst, Math.abs(got[c] - want[c]));
        if (tol === 0) expect(got, `pixel (${x}, ${y})`).toEqual(want);
      }
      expect(worst, 'largest difference from the reference').toBeLessThanOrEqual(tol);
    });
  }

  it('keeps raw values for 16-bit grey and DICOM, with the file window as default preset', async () => {
    const mr = await decodeImage(load('dicom/MR_small_RLE.dcm'));
    expect(mr.window).toEqual({ center: 600, width: 1600 });
    expect(mr.windowPresets.map((p) => p.id)).toEqual(['dicom-0', 'auto-minmax', 'auto-p0.5-99.5', 'auto-p2-98']);
    const ct = await decodeImage(load('dicom/CT_small.dcm'));
    expect(ct.raw!.intercept).toBe(-1024);
    expect(ct.raw!.data).toBeInstanceOf(Int16Array);
    expect(ct.window!.width).toBe(ct.raw!.max - ct.raw!.min + 1); // no window in the file: min/max
    const cr = await decodeImage(load('dicom/CR_monochrome1_small.dcm'));
    expect(cr.raw!.invert).toBe(true);
    expect(cr.raw!.slope).toBeCloseTo(0.684);
    const dfl = await decodeImage(load('dicom/image_dfl.dcm'));
    expect(dfl.window).toEqual({ center: 128, width: 256 }); // 8-bit, no window: shown as stored
  });

  it('decodes every frame of a multi-frame DICOM and every page of a multi-page TIFF', async () => {
    const bytes = load('dicom/examples_ybr_color.dcm');
    const first = await decodeImage(bytes, { frame: 0 });
    const last = await decodeImage(bytes, { frame: 29 });
    expect(first.frames).toBe(30);
    expect(last.frame).toBe(29);
    expect(Buffer.from(first.rgba!).equals(Buffer.from(last.rgba!))).toBe(false);
    const pages = load('media/gen/multipage-sizes.tif');
    const sizes = [];
    for (let f = 0; f < 3; f++) {
      const d = await decodeImage(pages, { frame: f });
      sizes.push([d.width, d.height, d.rgba![0], d.rgba![1], d.rgba![2]]);
    }
    expect(sizes).toEqual([
      [40, 30, 0xc0, 0x20, 0x10],
      [20, 10, 0x10, 0xc0, 0x20],
      [8, 8, 255, 255, 255],
    ]);
  });
});
