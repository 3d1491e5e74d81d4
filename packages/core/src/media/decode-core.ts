// Decoding on the calling thread: Node, a worker, or a page that asked for it. `decodeImage` in
// client.ts sends TIFF and DICOM here through a worker when it runs in a page.
import { LabelkitError, throwIfAborted } from '../errors.js';
import { bitmapToRgba, decodeJpegJs, hasBrowserDecoder } from './codecs/jpeg.js';
import { decodeDicomFrame } from './dicom.js';
import { inspectImage, type Inspection } from './probe.js';
import { applyOrientation, decodeBmpJs, decodePngJs } from './raster-js.js';
import { asBytes } from './sniff.js';
import { DEFAULT_MAX_PIXELS, type DecodedImage, type DecodeOptions, type RawGrey, type WindowLevel, type WindowPreset } from './types.js';
import { minMaxWindow, percentileWindow, renderWindow, windowFromRange, windowPresets } from './window.js';

const MIME = { jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp' } as const;

function pickWindow(raw: RawGrey, presets: readonly WindowPreset[], option: DecodeOptions['window']): WindowLevel {
  if (option && typeof option === 'object') return { center: option.center, width: Math.max(1, option.width) };
  if (option === 'auto-minmax') return minMaxWindow(raw);
  if (option === 'auto-percentile') return percentileWindow(raw);
  return presets[0]!.window; // 'dicom' or default: the file's own window first, else min/max
}

function frameIndex(options: DecodeOptions, frames: number): number {
  const frame = options.frame ?? 0;
  if (!Number.isInteger(frame) || frame < 0 || frame >= frames) {
    throw new LabelkitError('E_INVALID_ARGUMENT', `Frame ${frame} does not exist; the image has ${frames} frame(s) (0–${frames - 1}).`, { frame, frames });
  }
  return frame;
}

function greyImage(
  base: Omit<DecodedImage, 'windowPresets'>,
  raw: RawGrey,
  fileWindows: readonly { center: number; width: number; explanation?: string }[],
  option: DecodeOptions['window'],
): DecodedImage {
  const presets = windowPresets(raw, fileWindows);
  if (!fileWindows.length && raw.bitsStored <= 8) {
    // 8-bit grey without a window of its own shows as stored (0 black, 255 white), like an 8-bit picture.
    const top = 2 ** raw.bitsStored - 1;
    const lo = raw.signed ? -(top + 1) / 2 : 0;
    const a = lo * raw.slope + raw.intercept;
    const b = (lo + top) * raw.slope + raw.intercept;
    presets.unshift({ id: 'full-range', label: 'Full range', window: windowFromRange(Math.min(a, b), Math.max(a, b)) });
  }
  const window = pickWindow(raw, presets, option);
  return { ...base, raw, window, defaultWindow: presets[0]!.window, windowPresets: presets, rgba: renderWindow(raw, window) };
}

/** Decodes on this thread (no worker). Same contract as `decodeImage`. */
export async function decodeInProcess(input: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Promise<DecodedImage> {
  throwIfAborted(options.signal);
  const bytes = asBytes(input);
  const inspection: Inspection = inspectImage(bytes, { hint: options.hint, maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS });
  const probe = inspection.probe;
  const frame = frameIndex(options, probe.frames);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const common = {
    format: probe.format,
    frames: probe.frames,
    frame,
    bitsStored: probe.bitsStored ?? 8,
    bitsAllocated: probe.bitsAllocated ?? 8,
    samplesPerPixel: probe.samplesPerPixel ?? 3,
    photometric: probe.photometric ?? 'RGB',
    signed: probe.signed ?? false,
    ...(probe.compression ? { compression: probe.compression } : {}),
    ...(probe.transferSyntax ? { transferSyntax: probe.transferSyntax } : {}),
    ...(probe.extensionMismatch ? { extensionMismatch: probe.extensionMismatch } : {}),
  };

  if (probe.format === 'jpeg' || probe.format === 'png' || probe.format === 'bmp') {
    if (hasBrowserDecoder()) {
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: MIME[probe.format] }), { imageOrientation: 'from-image' });
      } catch (err) {
        throw new LabelkitError(
          'E_CORRUPT_IMAGE',
          `The browser could not decode this ${probe.format.toUpperCase()} (${(err as Error)?.message ?? err}); the file is probably truncated or corrupt.`,
          {},
          { cause: err },
        );
      }
      throwIfAborted(options.signal);
      if (options.output === 'rgba') {
        try {
          const { rgba, width, height } = bitmapToRgba(bitmap);
          return { ...common, width, height, rgba, windowPresets: [] };
        } finally {
          bitmap.close();
        }
      }
      return { ...common, width: bitmap.width, height: bitmap.height, bitmap, windowPresets: [] };
    }
    let decoded;
    if (probe.format === 'jpeg') decoded = applyOrientation(await decodeJpegJs(bytes, maxPixels), inspection.raster?.orientation);
    else {
      try {
        decoded = probe.format === 'png' ? decodePngJs(bytes) : decodeBmpJs(bytes);
      } catch (err) {
        if (LabelkitError.is(err)) throw err;
        throw new LabelkitError('E_CORRUPT_IMAGE', `Corrupt ${probe.format.toUpperCase()}: ${(err as Error)?.message ?? err}.`, {}, { cause: err });
      }
    }
    return { ...common, width: decoded.width, height: decoded.height, rgba: decoded.rgba, windowPresets: [] };
  }

  if (probe.format === 'tiff') {
    const info = inspection.tiff!;
    const page = info.pages[frame]!;
    // utif2 (with its JPEG decoder and pako) loads only when a TIFF is decoded here.
    const { decodeTiffPage } = await import('./tiff.js');
    const px = decodeTiffPage(bytes, info, frame);
    const base = {
      ...common,
      width: page.width,
      height: page.height,
      bitsStored: page.bitsPerSample[0] ?? 1,
      bitsAllocated: page.bitsPerSample[0] ?? 1,
      samplesPerPixel: page.samplesPerPixel,
    };
    if (px.kind === 'rgba') return { ...base, rgba: px.rgba, windowPresets: [] };
    const raw: RawGrey = {
      width: page.width,
      height: page.height,
      data: px.data,
      min: px.min,
      max: px.max,
      slope: 1,
      intercept: 0,
      invert: px.invert,
      bitsStored: px.bits,
      signed: px.signed,
    };
    return greyImage(base, raw, [], options.window);
  }

  const dicom = inspection.dicom!;
  const px = await decodeDicomFrame(dicom, frame, maxPixels);
  throwIfAborted(options.signal);
  const base = { ...common, width: dicom.columns, height: dicom.rows };
  if (px.kind === 'rgba') return { ...base, rgba: px.rgba, windowPresets: [] };
  const raw: RawGrey = {
    width: dicom.columns,
    height: dicom.rows,
    data: px.data,
    min: px.min,
    max: px.max,
    slope: dicom.slope,
    intercept: dicom.intercept,
    invert: dicom.photometric === 'MONOCHROME1',
    bitsStored: dicom.bitsStored,
    signed: dicom.signed,
  };
  return greyImage(base, raw, dicom.windows, options.window);
}
