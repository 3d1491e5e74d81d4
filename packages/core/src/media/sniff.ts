import { LabelkitError } from '../errors.js';
import { extensionOf } from '../formats.js';
import type { ExtensionMismatch, ImageFormat } from './types.js';

const EXTENSION_FORMAT: Readonly<Record<string, ImageFormat>> = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.jpe': 'jpeg',
  '.jfif': 'jpeg',
  '.png': 'png',
  '.bmp': 'bmp',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.dcm': 'dicom',
  '.dicom': 'dicom',
};

/** The format an extension or path promises ('scan.TIF', '.tif' or 'tif'), or null. */
export function formatForExtension(hint: string): ImageFormat | null {
  let ext = extensionOf(hint);
  if (!ext && /^[a-z0-9]+$/i.test(hint)) ext = '.' + hint.toLowerCase();
  return EXTENSION_FORMAT[ext] ?? null;
}

/** Bytes of an image as a Uint8Array, whatever view or buffer they came in. */
export function asBytes(input: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new LabelkitError('E_INVALID_ARGUMENT', 'Image bytes must be a Uint8Array, an ArrayBuffer or a typed array view.');
}

/** Whether the bytes look like a DICOM data set without the 128-byte preamble (ACR-NEMA style, group 0x0008 first). */
function looksLikeRawDicom(b: Uint8Array): boolean {
  if (b.length < 16) return false;
  // Implicit or explicit little endian element of group 0x0008 or 0x0002, element < 0x0100.
  if (!((b[0] === 0x08 || b[0] === 0x02) && b[1] === 0x00 && b[3] === 0x00)) return false;
  const vr = String.fromCharCode(b[4]!, b[5]!);
  if (/^[A-Z]{2}$/.test(vr)) return true;
  const len = b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24);
  return len >= 0 && len < 1024;
}

/**
 * The format of the bytes from their magic numbers, or null. JPEG (FF D8 FF), PNG (89 PNG), BMP
 * ('BM'), TIFF ('II*\0' / 'MM\0*', and BigTIFF's 43), DICOM ('DICM' at 128, or a preamble-less data set).
 */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  const b = bytes;
  // DICM first: a DICOM preamble may itself start with a TIFF header (dual-personality files).
  if (b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d) return 'dicom';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (
    b.length >= 4 &&
    ((b[0] === 0x49 && b[1] === 0x49 && (b[2] === 42 || b[2] === 43) && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && (b[3] === 42 || b[3] === 43)))
  )
    return 'tiff';
  if (looksLikeRawDicom(b)) return 'dicom';
  return null;
}

/** Sniffs the format or throws E_UNSUPPORTED_FORMAT (E_CORRUPT_IMAGE for an empty file). */
export function requireFormat(bytes: Uint8Array, hint?: string): ImageFormat {
  const format = sniffFormat(bytes);
  if (format) return format;
  if (bytes.length === 0) throw new LabelkitError('E_CORRUPT_IMAGE', 'The file is empty (0 bytes).', { hint });
  const expected = hint ? formatForExtension(hint) : null;
  const head = Array.from(bytes.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
  if (expected && bytes.length < 16) {
    throw new LabelkitError('E_CORRUPT_IMAGE', `The file is too short (${bytes.length} bytes) to be a ${expected.toUpperCase()} image.`, { hint, head });
  }
  throw new LabelkitError(
    'E_UNSUPPORTED_FORMAT',
    `Not a JPEG, PNG, BMP, TIFF or DICOM image (the file starts with ${head || 'nothing'}). Accepted: .jpg .jpeg .png .jpe .jfif .bmp .tif .tiff .dcm .dicom.`,
    { hint, head, expected },
  );
}

/** The mismatch between a hint and the sniffed format, or undefined when they agree or there is no hint. */
export function extensionMismatch(format: ImageFormat, hint: string | undefined): ExtensionMismatch | undefined {
  if (!hint) return undefined;
  const expected = formatForExtension(hint);
  if (expected === format) return undefined;
  let extension = extensionOf(hint);
  if (!extension && /^[a-z0-9]+$/i.test(hint)) extension = '.' + hint.toLowerCase();
  if (!extension) return undefined; // no extension to disagree with (a blob URL, an extension-less key)
  return { extension, actual: format, expected };
}
