// Turns whatever the host gives as `image` into something the canvas can draw.
import { LabelkitError, isDicomPath } from '@labelkit/core';
import type { RawGrey } from '@labelkit/core/media';
import type { Source } from './scene.js';

/** A window (VOI linear function) in modality units. */
export interface Window {
  readonly center: number;
  readonly width: number;
}
export interface WindowPresetLike {
  readonly id: string;
  readonly label: string;
  readonly window: Window;
}

/**
 * An image already decoded (by `@labelkit/core/media`'s `decodeImage`, or by the host): a bitmap or
 * RGBA pixels, plus, for DICOM and high-bit-depth TIFF, what window/level needs.
 */
export interface DecodedImageLike {
  readonly width: number;
  readonly height: number;
  readonly bitmap?: ImageBitmap;
  readonly rgba?: Uint8ClampedArray;
  readonly frames?: number;
  readonly frame?: number;
  /** Stored grey values (the media layer's `RawGrey`); when present the canvas offers window/level. */
  readonly raw?: RawGrey;
  readonly window?: Window;
  readonly windowPresets?: readonly WindowPresetLike[];
  readonly format?: string;
}

/** Raw bytes of an image file (JPEG, PNG, BMP, TIFF, DICOM), with an optional path as a hint. */
export interface ImageBytes {
  readonly bytes: Uint8Array | ArrayBuffer;
  readonly path?: string;
}

/** Everything `<label-canvas>`'s `image` property accepts. */
export type CanvasImageInput = string | URL | Blob | ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | DecodedImageLike | ImageBytes;

/** What the canvas draws, and what it knows about it. */
export interface LoadedImage {
  readonly source: Source;
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  readonly frame: number;
  /** The decoded image from the media layer (for window/level), when there is one. */
  readonly decoded?: DecodedImageLike;
  /** The bytes, kept to decode another frame or page. */
  readonly bytes?: Uint8Array;
  readonly hint?: string;
}

const isDecoded = (x: object): x is DecodedImageLike => 'width' in x && 'height' in x && ('bitmap' in x || 'rgba' in x) && !(x instanceof HTMLElement);
const isBytes = (x: object): x is ImageBytes => 'bytes' in x;

/** TIFF and DICOM need the media layer; browsers decode the rest. Sniffed from magic bytes. */
export function needsMediaLayer(b: Uint8Array, hint = ''): boolean {
  const tiff = b.length > 4 && ((b[0] === 0x49 && b[1] === 0x49 && (b[2] === 42 || b[2] === 43)) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0));
  const dicm = b.length > 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
  const jpeg = b[0] === 0xff && b[1] === 0xd8;
  const png = b[0] === 0x89 && b[1] === 0x50;
  const bmp = b[0] === 0x42 && b[1] === 0x4d;
  return tiff || dicm || (!jpeg && !png && !bmp && isDicomPath(hint));
}

/** Draws RGBA pixels into a canvas (ImageBitmap creation from ImageData is async; this is not). */
export function rgbaToSource(rgba: Uint8ClampedArray, width: number, height: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  return c;
}

export function fromDecoded(d: DecodedImageLike, bytes?: Uint8Array, hint?: string): LoadedImage {
  const source = d.bitmap ?? (d.rgba ? rgbaToSource(d.rgba, d.width, d.height) : null);
  if (!source) throw new LabelkitError('E_CORRUPT_IMAGE', 'The decoded image has neither a bitmap nor RGBA pixels.');
  return { source, width: d.width, height: d.height, frames: d.frames ?? 1, frame: d.frame ?? 0, decoded: d, bytes, hint };
}

export type MediaDecoder = (bytes: Uint8Array, opts: { frame?: number; window?: Window; signal?: AbortSignal; hint?: string }) => Promise<DecodedImageLike>;

/**
 * Loads `input`. Bytes that are TIFF or DICOM go through `decode` (the media layer); browser formats
 * through `createImageBitmap`. Failures are `LabelkitError`s: E_CORRUPT_IMAGE, E_UNSUPPORTED_FORMAT.
 */
export async function loadImage(input: CanvasImageInput, decode: MediaDecoder, signal: AbortSignal, frame = 0): Promise<LoadedImage> {
  if (typeof input === 'string' || input instanceof URL) {
    const url = String(input);
    let res: Response;
    try {
      res = await fetch(url, { signal });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new LabelkitError(
        'E_STORE_READ',
        `Could not fetch the image ${url}: ${(e as Error).message}. Check the URL and that the server allows this origin (CORS).`,
        { url },
        { cause: e },
      );
    }
    if (!res.ok) throw new LabelkitError('E_NOT_FOUND', `Fetching the image ${url} answered ${res.status} ${res.statusText}.`, { url, status: res.status });
    return loadBytes(new Uint8Array(await res.arrayBuffer()), url, decode, signal, frame);
  }
  if (input instanceof Blob) {
    const name = (input as File).name ?? '';
    return loadBytes(new Uint8Array(await input.arrayBuffer()), name, decode, signal, frame);
  }
  if (typeof ImageBitmap !== 'undefined' && input instanceof ImageBitmap) return plain(input, input.width, input.height);
  if (input instanceof HTMLImageElement) {
    if (!input.complete || !input.naturalWidth) await input.decode();
    return plain(input, input.naturalWidth, input.naturalHeight);
  }
  if (input instanceof HTMLCanvasElement || (typeof OffscreenCanvas !== 'undefined' && input instanceof OffscreenCanvas)) {
    return plain(input as Source, input.width, input.height);
  }
  if (typeof input === 'object' && input && isBytes(input)) {
    const b = input.bytes instanceof Uint8Array ? input.bytes : new Uint8Array(input.bytes);
    return loadBytes(b, input.path ?? '', decode, signal, frame);
  }
  if (typeof input === 'object' && input && isDecoded(input)) return fromDecoded(input);
  throw new LabelkitError(
    'E_INVALID_ARGUMENT',
    '<label-canvas> image must be a URL, a Blob, an ImageBitmap, an <img>, a canvas, image bytes ({bytes, path}) or a decoded image ({width, height, bitmap | rgba}).',
  );
}

const plain = (source: Source, width: number, height: number): LoadedImage => {
  if (!width || !height) throw new LabelkitError('E_CORRUPT_IMAGE', 'The image has no pixels (width or height is 0).');
  return { source, width, height, frames: 1, frame: 0 };
};

async function loadBytes(bytes: Uint8Array, hint: string, decode: MediaDecoder, signal: AbortSignal, frame: number): Promise<LoadedImage> {
  if (needsMediaLayer(bytes, hint)) return fromDecoded(await decode(bytes, { frame, signal, hint }), bytes, hint);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch (e) {
    // Not a format the browser decodes: let the media layer have a go (it knows more, and says why not).
    return fromDecoded(await decode(bytes, { frame, signal, hint }), bytes, hint);
  }
  return plain(bitmap, bitmap.width, bitmap.height);
}
