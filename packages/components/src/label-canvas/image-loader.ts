// Loading the image of <label-canvas>: any input (URL, Blob, bitmap, bytes, a decoded image), other
// frames of the same bytes, and re-windowing a DICOM or high-bit-depth grey image into one re-used
// buffer. The media layer (`@labelkit/core/media`) is imported only when TIFF or DICOM bytes come.
import { LabelkitError } from '@labelkit/core';
import { fromDecoded, loadImage, type CanvasImageInput, type LoadedImage, type Window, type WindowPresetLike } from './image-input.js';
import { mediaDecoder, rewindow } from './media.js';

/** The element an ImageLoader shows images for. */
export interface ImageHost {
  readonly image: CanvasImageInput | null;
  readonly frame: number;
  /** Window/level: kept across frames once set; the file's own window otherwise. */
  window: Window | undefined;
}

export interface ImageEvents {
  /** The image (or another frame) is ready; `null` when there is no image. */
  shown(img: LoadedImage | null, sizeChanged: boolean): void;
  failed(error: unknown): void;
}

export class ImageLoader {
  /** The image shown, or null. */
  loaded: LoadedImage | null = null;
  /** What the element says instead of the image. */
  state: 'empty' | 'loading' | 'ready' | 'error' = 'empty';
  /** The error of a failed load, in words. */
  error = '';

  /** Loads the host's image (or, `newImage` false, its current frame) and tells it what came of it. */
  async show(host: ImageHost, newImage: boolean, on: ImageEvents): Promise<void> {
    if (!host.image) {
      this.clear();
      this.state = 'empty';
      return on.shown(null, true);
    }
    this.state = 'loading';
    const before = this.loaded;
    try {
      const img = await this.load(host.image, host.frame, host.window, newImage);
      if (!img) return; // a newer load started
      if (img.decoded?.raw) {
        if (!host.window && img.decoded.window) host.window = img.decoded.window;
        else if (host.window) this.applyWindow(host.window);
      } else host.window = undefined;
      this.state = 'ready';
      on.shown(img, !before || before.width !== img.width || before.height !== img.height);
    } catch (error) {
      this.state = 'error';
      this.error = LabelkitError.is(error) ? error.message : `The image could not be shown: ${(error as Error)?.message ?? error}`;
      on.failed(error);
    }
  }

  /** The window/level presets of the image (DICOM's own, then automatic ones); empty for 8-bit images. */
  presets: readonly WindowPresetLike[] = [];
  private ctrl: AbortController | null = null;
  private shownWindow: Window | undefined;
  private shownDecoded: unknown;
  private buffer: Uint8ClampedArray | undefined;

  /**
   * Loads `input`, or (`newImage` false) frame `frame` of the bytes already loaded. Resolves null
   * when a newer load started meanwhile; rejects with what the decoders threw.
   */
  async load(input: CanvasImageInput, frame: number, window: Window | undefined, newImage: boolean): Promise<LoadedImage | null> {
    this.ctrl?.abort();
    const ctrl = (this.ctrl = new AbortController());
    try {
      let img: LoadedImage;
      const prev = this.loaded;
      if (!newImage && prev?.bytes) {
        const d = await mediaDecoder(prev.bytes, { frame, window, signal: ctrl.signal, hint: prev.hint });
        img = fromDecoded(d, prev.bytes, prev.hint);
      } else {
        img = await loadImage(input, mediaDecoder, ctrl.signal, frame);
      }
      if (ctrl.signal.aborted) return null;
      this.loaded = img;
      this.presets = img.decoded?.windowPresets ?? [];
      if (img.decoded?.raw) {
        // The decoded RGBA shows the file's own window.
        this.shownWindow = img.decoded.window;
        this.shownDecoded = img.decoded;
      }
      return img;
    } catch (error) {
      if (ctrl.signal.aborted) return null;
      throw error;
    }
  }

  /** No image: aborts a load in progress. */
  clear(): void {
    this.ctrl?.abort();
    this.loaded = null;
  }

  abort(): void {
    this.ctrl?.abort();
  }

  /** Re-renders a DICOM / high-bit-depth image under window `w` (one LUT pass). True when the pixels changed. */
  applyWindow(w: Window): boolean {
    const d = this.loaded?.decoded;
    if (!d?.raw || !this.loaded) return false;
    const shown = this.shownWindow;
    if (shown && shown.center === w.center && shown.width === w.width && this.shownDecoded === d) return false;
    this.buffer = this.buffer?.length === d.width * d.height * 4 ? this.buffer : undefined;
    const rgba = rewindow(d, w, this.buffer);
    if (!rgba) return false;
    this.buffer = rgba;
    const src = this.loaded.source;
    const target = src instanceof HTMLCanvasElement ? src : document.createElement('canvas');
    if (target.width !== d.width || target.height !== d.height) {
      target.width = d.width;
      target.height = d.height;
    }
    target.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, d.width, d.height), 0, 0);
    this.loaded = { ...this.loaded, source: target };
    this.shownWindow = w;
    this.shownDecoded = d;
    return true;
  }
}
