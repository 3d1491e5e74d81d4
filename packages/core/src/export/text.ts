// Text of an export: chunked UTF-8 output, the decimals option, and the dates stamped into exports.
// Not part of the public API.
import { LabelkitError } from '../errors.js';

const encoder = new TextEncoder();

/** Text is gathered into strings of about this many UTF-16 units, then encoded into one chunk. */
export const CHUNK_CHARS = 64 * 1024;

/**
 * Collects text and hands it out as UTF-8 chunks of about `CHUNK_CHARS`: the output never exists as
 * one string, and memory stays at one chunk whatever the export's size.
 */
export class ChunkWriter {
  #text = '';
  bytes = 0;

  write(s: string): void {
    this.#text += s;
  }

  /** True when a chunk is ready to be taken. */
  get full(): boolean {
    return this.#text.length >= CHUNK_CHARS;
  }

  /** The gathered text as bytes (empty array when nothing is pending). */
  take(): Uint8Array {
    const bytes = encoder.encode(this.#text);
    this.#text = '';
    this.bytes += bytes.byteLength;
    return bytes;
  }

  get pending(): boolean {
    return this.#text.length > 0;
  }
}

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function checkDecimals(decimals: number, name = 'decimals'): number {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) {
    throw new LabelkitError('E_INVALID_ARGUMENT', `${name} must be an integer from 0 to 10 (got ${decimals}).`, { [name]: decimals });
  }
  return decimals;
}

/** `2024/05/01`, the date format of COCO's own `info.date_created`. */
export function cocoDate(date: Date): string {
  return `${date.getUTCFullYear()}/${pad2(date.getUTCMonth() + 1)}/${pad2(date.getUTCDate())}`;
}

/** `20240501_120000` (UTC): sortable, safe in file names and store keys, and the same stamp as `@labelkit/core/azure`'s export blob names. */
export function timestamp(date: Date): string {
  return `${date.getUTCFullYear()}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}_${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** XML text/attribute escaping; characters XML 1.0 forbids are dropped. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
