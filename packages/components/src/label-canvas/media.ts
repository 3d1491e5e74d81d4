// The bridge to `@labelkit/core/media` (TIFF, DICOM, window/level). It is imported lazily, on the
// first image that needs it, so pages that show only JPEG/PNG never load the decoders.
import { LabelkitError } from '@labelkit/core';
import type * as Media from '@labelkit/core/media';
import type { DecodedImageLike, MediaDecoder, Window } from './image-input.js';

/** The parts of the media layer the canvas uses; a build of the core may lack them (checked at run time). */
type MediaModule = Partial<Pick<typeof Media, 'decodeImage' | 'renderWindow' | 'dragWindow'>>;

let loading: Promise<MediaModule> | null = null;
let loaded: MediaModule | null = null;

function media(): Promise<MediaModule> {
  loading ??= import('@labelkit/core/media').then(
    (m: MediaModule) => (loaded = m),
    (e) => {
      loading = null;
      throw new LabelkitError('E_UNSUPPORTED_FORMAT', `The media layer (@labelkit/core/media) could not be loaded: ${(e as Error)?.message ?? e}.`, {}, { cause: e });
    },
  );
  return loading;
}

/** Decodes TIFF/DICOM (and anything else the media layer reads) with `decodeImage`. */
export const mediaDecoder: MediaDecoder = async (bytes, opts) => {
  const m = await media();
  if (!m.decodeImage) {
    throw new LabelkitError('E_UNSUPPORTED_FORMAT', 'This image needs the media layer (TIFF or DICOM), which this build of @labelkit/core does not have.', { hint: opts.hint });
  }
  try {
    return await m.decodeImage(bytes, opts);
  } catch (e) {
    if (LabelkitError.is(e) || opts.signal?.aborted) throw e;
    throw new LabelkitError('E_CORRUPT_IMAGE', `The image could not be decoded: ${(e as Error)?.message ?? e}.`, { hint: opts.hint }, { cause: e });
  }
};

/** RGBA of a decoded grey image under a new window (into `out` when given), or null when it cannot be re-windowed. */
export function rewindow(d: DecodedImageLike, w: Window, out?: Uint8ClampedArray): Uint8ClampedArray | null {
  if (!d.raw || !loaded?.renderWindow) return null;
  return loaded.renderWindow(d.raw, w, out);
}

/** The window after a drag of (dx, dy) screen px from `start`: right widens, down raises the centre. */
export function draggedWindow(d: DecodedImageLike, start: Window, dx: number, dy: number): Window {
  if (loaded?.dragWindow) return loaded.dragWindow(start, dx, dy, d.raw);
  return { center: start.center + dy, width: Math.max(1, start.width + dx) };
}
