/** The image container formats the media layer reads, sniffed from magic bytes. */
export type ImageFormat = 'jpeg' | 'png' | 'bmp' | 'tiff' | 'dicom';

/**
 * The photometric kind of an image, in DICOM's vocabulary for every format (TIFF MinIsBlack is
 * MONOCHROME2, MinIsWhite is MONOCHROME1, a JFIF JPEG is YBR_FULL, a PNG palette is PALETTE COLOR…).
 */
export type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422' | 'YBR_RCT' | 'YBR_ICT' | 'PALETTE COLOR' | 'CMYK' | 'OTHER';

/** The extension of a file disagrees with its content. Decoding goes on (content wins); this reports it. */
export interface ExtensionMismatch {
  /** The extension given (lower-case, with the dot), e.g. '.png'. */
  readonly extension: string;
  /** The format the bytes actually hold. */
  readonly actual: ImageFormat;
  /** The format the extension promises, or null when the extension is not an image one. */
  readonly expected: ImageFormat | null;
}

/** What `probeImage` reads from headers, without decoding pixels. */
export interface ImageProbe {
  readonly format: ImageFormat;
  /** Displayed width in pixels (after a JPEG's EXIF orientation, as browsers show it). */
  readonly width: number;
  readonly height: number;
  /** Pages (TIFF, full-resolution images only) or frames (DICOM). 1 for JPEG, PNG, BMP. */
  readonly frames: number;
  /** Bits per stored sample (DICOM BitsStored; TIFF/PNG/JPEG/BMP bits per sample). */
  readonly bitsStored?: number;
  /** Bits per allocated sample (DICOM BitsAllocated; otherwise same as bitsStored). */
  readonly bitsAllocated?: number;
  /** Samples (channels) per pixel. */
  readonly samplesPerPixel?: number;
  readonly photometric?: Photometric;
  /** Stored samples are signed (DICOM PixelRepresentation 1, TIFF SampleFormat 2). */
  readonly signed?: boolean;
  /** TIFF compression name ('none', 'lzw', 'deflate', 'packbits', …) or the DICOM transfer syntax's name. */
  readonly compression?: string;
  /** DICOM transfer syntax UID. */
  readonly transferSyntax?: string;
  /** JPEG EXIF orientation (1–8) when present and not 1. */
  readonly orientation?: number;
  /** Set when a hint (path or extension) was given and disagrees with the content. */
  readonly extensionMismatch?: ExtensionMismatch;
}

/** A window (VOI linear function, DICOM PS3.3 C.11.2.1.2) in modality units (after rescale). */
export interface WindowLevel {
  readonly center: number;
  readonly width: number;
}

/** A named window the canvas can offer as a preset. */
export interface WindowPreset {
  /** 'auto-minmax', 'auto-p0.5-99.5', 'auto-p2-98', 'dicom-0', 'dicom-1', … */
  readonly id: string;
  /** For people: 'Min/max', 'Percentiles 0.5–99.5 %', the file's own explanation, … */
  readonly label: string;
  readonly window: WindowLevel;
}

/** Typed arrays a grey raster's stored values can live in. */
export type RawSamples = Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array | Uint32Array;

/**
 * The stored grey values of a high-bit-depth (or DICOM) image, kept so that a new window re-maps to
 * 8-bit RGBA cheaply (a lookup table over the stored range, one lookup per pixel).
 */
export interface RawGrey {
  readonly width: number;
  readonly height: number;
  /** Stored values, row-major, one per pixel (already sign-extended and masked to bitsStored). */
  readonly data: RawSamples;
  /** Smallest and largest stored value in `data`. */
  readonly min: number;
  readonly max: number;
  /** Modality LUT: value = stored × slope + intercept (DICOM rescale; 1 and 0 elsewhere). */
  readonly slope: number;
  readonly intercept: number;
  /** Show inverted (MONOCHROME1, TIFF MinIsWhite). */
  readonly invert: boolean;
  readonly bitsStored: number;
  readonly signed: boolean;
}

/** Options of `decodeImage`. */
export interface DecodeOptions {
  /** Page (TIFF) or frame (DICOM) index, 0-based. Default 0. */
  readonly frame?: number;
  /** Window to apply to grey high-bit-depth images; default: the file's own (DICOM) or auto min/max. */
  readonly window?: WindowLevel | 'auto-minmax' | 'auto-percentile' | 'dicom';
  /** Largest width × height accepted, checked from the header before any allocation. Default 100 megapixels. */
  readonly maxPixels?: number;
  readonly signal?: AbortSignal;
  /** A path or extension ('scan.tif', '.tif'): used only to report a mismatch; the bytes decide the format. */
  readonly hint?: string;
  /**
   * What to return for JPEG/PNG/BMP where a browser decoder exists: 'bitmap' (default there) gives an
   * ImageBitmap only; 'rgba' gives RGBA pixels (and no bitmap). TIFF and DICOM always give RGBA (+ raw).
   */
  readonly output?: 'auto' | 'rgba' | 'bitmap';
  /**
   * In a page, TIFF and DICOM decode in a worker the media layer spawns lazily. `false` decodes on the
   * calling thread (workers and Node always do). Default true.
   */
  readonly offThread?: boolean;
  /** A worker decode that runs longer is stopped (the worker is replaced) and fails with E_CORRUPT_IMAGE. Default 30 s. */
  readonly timeoutMs?: number;
}

/** A decoded image: something the canvas can draw, and what it is. */
export interface DecodedImage {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Pages/frames in the file, and the one decoded. */
  readonly frames: number;
  readonly frame: number;
  readonly bitsStored: number;
  readonly bitsAllocated: number;
  readonly samplesPerPixel: number;
  readonly photometric: Photometric;
  readonly signed: boolean;
  readonly compression?: string;
  readonly transferSyntax?: string;
  readonly extensionMismatch?: ExtensionMismatch;
  /** RGBA, 8 bits a channel, row-major, width × height × 4 — ready for `new ImageData(rgba, width, height)`. */
  readonly rgba?: Uint8ClampedArray;
  /** A browser bitmap (JPEG/PNG/BMP in a page or worker, unless output 'rgba'). */
  readonly bitmap?: ImageBitmap;
  /** Stored grey values for re-windowing (DICOM greyscale, TIFF greyscale above 8 bits). */
  readonly raw?: RawGrey;
  /** The window `rgba` was rendered with (when `raw` is present). */
  readonly window?: WindowLevel;
  /** The file's own window first (DICOM WC/WW), then auto min/max and percentiles. Empty without `raw`. */
  readonly windowPresets: readonly WindowPreset[];
  /** The default window (the first preset), when `raw` is present. */
  readonly defaultWindow?: WindowLevel;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;
