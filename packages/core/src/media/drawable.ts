import { LabelkitError } from '../errors.js';
import type { DecodedImage } from './types.js';

/** The decoded pixels as ImageData (pages and workers), for putImageData. Uses `rgba` (decode with output 'rgba' for JPEG/PNG/BMP). */
export function toImageData(image: Pick<DecodedImage, 'rgba' | 'width' | 'height'>, rgba = image.rgba): ImageData {
  if (!rgba) throw new LabelkitError('E_INVALID_ARGUMENT', 'This decoded image has no RGBA pixels (it holds a bitmap); decode with output: "rgba".');
  if (typeof ImageData !== 'function') throw new LabelkitError('E_UNSUPPORTED_DEVICE', 'ImageData is not available here (Node); use the rgba pixels directly.');
  return new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, image.width, image.height);
}

/**
 * Something `drawImage` takes: the image's bitmap when it has one, otherwise an ImageBitmap made from
 * its RGBA pixels (or from `rgba`, e.g. a re-windowed rendering).
 */
export async function toImageBitmap(image: Pick<DecodedImage, 'rgba' | 'bitmap' | 'width' | 'height'>, rgba?: Uint8ClampedArray): Promise<ImageBitmap> {
  if (image.bitmap && !rgba) return image.bitmap;
  if (typeof createImageBitmap !== 'function') throw new LabelkitError('E_UNSUPPORTED_DEVICE', 'createImageBitmap is not available here (Node); use the rgba pixels directly.');
  return createImageBitmap(toImageData(image, rgba ?? image.rgba));
}
