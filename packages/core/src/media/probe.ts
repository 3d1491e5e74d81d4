import { LabelkitError } from '../errors.js';
import { parseDicom, TRANSFER_SYNTAXES, type DicomImage } from './dicom.js';
import { readBmpHeader, readJpegHeader, readPngHeader, type RasterHeader } from './probe-raster.js';
import { asBytes, extensionMismatch, requireFormat } from './sniff.js';
import { readTiffStructure, tiffPhotometric, TIFF_COMPRESSION, type TiffInfo } from './tiff-ifd.js';
import { DEFAULT_MAX_PIXELS, type ImageProbe } from './types.js';

export interface ProbeOptions {
  /** A path or extension, only to report a mismatch with the content. */
  readonly hint?: string;
  /** Largest width × height accepted (default 100 megapixels); larger throws E_IMAGE_TOO_LARGE. */
  readonly maxPixels?: number;
}

/** What probing found, with the parsed structures decoding goes on from. */
export interface Inspection {
  readonly probe: ImageProbe;
  readonly raster?: RasterHeader;
  readonly tiff?: TiffInfo;
  readonly dicom?: DicomImage;
}

function checkSize(probe: ImageProbe, maxPixels: number): void {
  const pixels = probe.width * probe.height;
  if (pixels > maxPixels) {
    throw new LabelkitError(
      'E_IMAGE_TOO_LARGE',
      `The image is ${probe.width}×${probe.height} (${(pixels / 1e6).toFixed(1)} megapixels), above the ${(maxPixels / 1e6).toFixed(1)}-megapixel limit.`,
      { width: probe.width, height: probe.height, maxPixels },
    );
  }
}

/** Probes and keeps what decoding needs. Throws E_UNSUPPORTED_FORMAT / E_CORRUPT_IMAGE / E_IMAGE_TOO_LARGE. */
export function inspectImage(input: Uint8Array | ArrayBuffer, options: ProbeOptions = {}): Inspection {
  const bytes = asBytes(input);
  const format = requireFormat(bytes, options.hint);
  const mismatch = extensionMismatch(format, options.hint);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  let result: Inspection;
  try {
    switch (format) {
      case 'jpeg':
      case 'png':
      case 'bmp': {
        const h = format === 'jpeg' ? readJpegHeader(bytes) : format === 'png' ? readPngHeader(bytes) : readBmpHeader(bytes);
        const swap = (h.orientation ?? 1) >= 5;
        result = {
          raster: h,
          probe: {
            format,
            width: swap ? h.codedHeight : h.codedWidth,
            height: swap ? h.codedWidth : h.codedHeight,
            frames: 1,
            // BMP: bits per channel (24- and 32-bit → 8, 16-bit 5-5-5 → 5, palettes → the index size).
            bitsStored: format === 'bmp' ? Math.floor(h.bits / (h.bits > 8 ? h.samplesPerPixel : 1)) : h.bits,
            bitsAllocated: format === 'bmp' ? Math.floor(h.bits / (h.bits > 8 ? h.samplesPerPixel : 1)) : h.bits,
            samplesPerPixel: h.samplesPerPixel,
            photometric: h.photometric,
            compression: h.compression,
            ...(h.orientation ? { orientation: h.orientation } : {}),
          },
        };
        break;
      }
      case 'tiff': {
        const tiff = readTiffStructure(bytes, maxPixels);
        const p = tiff.pages[0]!;
        result = {
          tiff,
          probe: {
            format,
            width: p.width,
            height: p.height,
            frames: tiff.pages.length,
            bitsStored: p.bitsPerSample[0],
            bitsAllocated: p.bitsPerSample[0],
            samplesPerPixel: p.samplesPerPixel,
            photometric: tiffPhotometric(p.photometric),
            signed: p.sampleFormat === 2,
            compression: TIFF_COMPRESSION[p.compression] ?? `tiff-${p.compression}`,
          },
        };
        // Every page must fit, not only the first.
        for (const page of tiff.pages) checkSize({ ...result.probe, width: page.width, height: page.height }, maxPixels);
        break;
      }
      case 'dicom': {
        const dicom = parseDicom(bytes, maxPixels);
        result = {
          dicom,
          probe: {
            format,
            width: dicom.columns,
            height: dicom.rows,
            frames: dicom.frames,
            bitsStored: dicom.bitsStored,
            bitsAllocated: dicom.bitsAllocated,
            samplesPerPixel: dicom.samplesPerPixel,
            photometric: dicom.photometric,
            signed: dicom.signed,
            compression: TRANSFER_SYNTAXES[dicom.transferSyntax] ?? dicom.transferSyntax,
            transferSyntax: dicom.transferSyntax,
          },
        };
        break;
      }
    }
  } catch (err) {
    if (LabelkitError.is(err)) throw err;
    // A RangeError from a DataView read past the end, or any codec surprise: the file is broken.
    throw new LabelkitError('E_CORRUPT_IMAGE', `Corrupt ${format.toUpperCase()}: ${(err as Error)?.message ?? err}.`, {}, { cause: err });
  }
  checkSize(result.probe, maxPixels);
  if (mismatch) result = { ...result, probe: { ...result.probe, extensionMismatch: mismatch } };
  return result;
}

/**
 * Reads format, width, height and page/frame count from headers, without decoding pixels. Runs in
 * Node, pages and workers. Throws LabelkitError E_UNSUPPORTED_FORMAT, E_CORRUPT_IMAGE or
 * E_IMAGE_TOO_LARGE (above `maxPixels`, default 100 megapixels; pass Infinity to only read sizes).
 */
export function probeImage(bytes: Uint8Array | ArrayBuffer, options: ProbeOptions = {}): ImageProbe {
  return inspectImage(bytes, options).probe;
}
