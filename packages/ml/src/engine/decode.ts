// Images as the worker receives them → decoded pixels.
import { type AssistImage, LabelkitError } from '@labelkit/core';
import type { Pixels } from '../preprocess.js';

/** DICOM Part 10 files carry 'DICM' at byte 128: they are never sent to assist. */
export function isDicomBytes(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

function isPixels(img: AssistImage | ImageBitmap): img is Pixels {
  return typeof img === 'object' && img !== null && 'data' in img && 'width' in img;
}

function bitmapPixels(bitmap: ImageBitmap): Pixels {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new LabelkitError('E_CORRUPT_IMAGE', 'No 2D canvas is available in this worker to read the image.');
  ctx.drawImage(bitmap, 0, 0);
  const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  bitmap.close();
  return { width: canvas.width, height: canvas.height, data, channels: 4 };
}

/**
 * Pixels of an image: pixel input as it is, an ImageBitmap drawn once, encoded bytes through
 * `createImageBitmap` (browsers and workers). DICOM is refused (`E_UNSUPPORTED_FORMAT`).
 */
export async function decodeImage(img: AssistImage | ImageBitmap): Promise<Pixels> {
  if (isPixels(img)) return img;
  if (typeof ImageBitmap !== 'undefined' && img instanceof ImageBitmap) return bitmapPixels(img);
  const bytes = (img as { bytes?: Uint8Array }).bytes;
  if (!(bytes instanceof Uint8Array)) throw new LabelkitError('E_INVALID_ARGUMENT', 'An image is { width, height, data } pixels, { bytes } encoded, or an ImageBitmap.');
  if (isDicomBytes(bytes)) throw new LabelkitError('E_UNSUPPORTED_FORMAT', 'DICOM images are never sent to ML assist.');
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas === 'undefined') {
    throw new LabelkitError(
      'E_UNSUPPORTED_FORMAT',
      'This runtime cannot decode images (no createImageBitmap/OffscreenCanvas); pass decoded pixels { width, height, data } instead.',
    );
  }
  let bitmap: ImageBitmap;
  try {
    const type = (img as { mimeType?: string }).mimeType;
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart], type ? { type } : {}));
  } catch (err) {
    throw new LabelkitError('E_CORRUPT_IMAGE', `The image could not be decoded (${(err as Error).message}).`, {}, { cause: err });
  }
  return bitmapPixels(bitmap);
}
