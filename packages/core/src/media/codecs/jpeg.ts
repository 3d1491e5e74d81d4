// JPEG baseline/extended (8-bit) decoding for DICOM frames and for Node: the browser's own decoder
// where there is one (a page or a worker: createImageBitmap + OffscreenCanvas), jpeg-js elsewhere.
import { LabelkitError } from '../../errors.js';

export interface Rgba8 {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
}

/** Whether this realm has a browser image decoder we can read pixels back from. */
export function hasBrowserDecoder(): boolean {
  return typeof createImageBitmap === 'function' && typeof OffscreenCanvas === 'function';
}

/** Reads an ImageBitmap's pixels (no colour management, no premultiplication). */
export function bitmapToRgba(bitmap: ImageBitmap): Rgba8 {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new LabelkitError('E_UNSUPPORTED_DEVICE', 'No 2D canvas context is available to read decoded pixels.');
  ctx.drawImage(bitmap, 0, 0);
  const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  return { width: bitmap.width, height: bitmap.height, rgba: data };
}

/** Decodes with the browser (createImageBitmap) and reads the pixels back. */
export async function decodeWithBrowser(bytes: Uint8Array, type: string, orientation: 'from-image' | 'none' = 'from-image'): Promise<Rgba8> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type }), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
      imageOrientation: orientation === 'none' ? 'none' : 'from-image',
    } as ImageBitmapOptions);
  } catch (err) {
    throw new LabelkitError('E_CORRUPT_IMAGE', `The browser could not decode the ${type} data: ${(err as Error)?.message ?? err}.`, {}, { cause: err });
  }
  try {
    return bitmapToRgba(bitmap);
  } finally {
    bitmap.close();
  }
}

let jpegJs: Promise<typeof import('jpeg-js')> | undefined;

/** Decodes a JPEG with jpeg-js (pure JS; used in Node and where no browser decoder exists). */
export async function decodeJpegJs(bytes: Uint8Array, maxPixels: number, colorTransform?: boolean): Promise<Rgba8> {
  jpegJs ??= import('jpeg-js');
  const mod = await jpegJs;
  const decode =
    (mod as unknown as { decode?: typeof mod.decode; default?: { decode: typeof mod.decode } }).decode ??
    (mod as unknown as { default: { decode: typeof mod.decode } }).default.decode;
  try {
    const img = decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: Math.max(1, Math.ceil(maxPixels / 1e6)),
      maxMemoryUsageInMB: 2048,
      ...(colorTransform === undefined ? {} : { colorTransform }),
    });
    const rgba = new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    return { width: img.width, height: img.height, rgba };
  } catch (err) {
    throw new LabelkitError('E_CORRUPT_IMAGE', `Corrupt JPEG data: ${(err as Error)?.message ?? err}.`, {}, { cause: err });
  }
}

/** Decodes 8-bit JPEG data (a DICOM frame) to RGBA with whatever decoder this realm has. */
export function decodeJpeg8(bytes: Uint8Array, maxPixels: number, colorTransform?: boolean): Promise<Rgba8> {
  if (hasBrowserDecoder() && colorTransform === undefined) return decodeWithBrowser(bytes, 'image/jpeg', 'none');
  return decodeJpegJs(bytes, maxPixels, colorTransform);
}
