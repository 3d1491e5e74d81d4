// Reading an importer's input: text, bytes, a Blob, a byte stream or (COCO) a parsed object, as one
// string or line by line, decoded incrementally. Not part of the public API.
import { LabelkitError } from '../../errors.js';
import type { ImportInput } from '../types.js';

/** An already parsed object (COCO), not bytes, a Blob or a stream. */
export function isParsed(input: unknown): input is object {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof Uint8Array) &&
    !(input instanceof ArrayBuffer) &&
    !(typeof Blob !== 'undefined' && input instanceof Blob) &&
    !(typeof ReadableStream !== 'undefined' && input instanceof ReadableStream) &&
    !(Symbol.asyncIterator in input)
  );
}

export function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

async function* byteChunks(input: ImportInput): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) yield input;
  else if (input instanceof ArrayBuffer) yield new Uint8Array(input);
  else if (typeof Blob !== 'undefined' && input instanceof Blob) yield* byteChunks(input.stream());
  else if (typeof ReadableStream !== 'undefined' && input instanceof ReadableStream) {
    const reader = input.getReader();
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        yield r.value;
      }
    } finally {
      reader.releaseLock();
    }
  } else if (typeof input === 'object' && input !== null && Symbol.asyncIterator in input) {
    yield* input as AsyncIterable<Uint8Array>;
  } else {
    throw new LabelkitError('E_INVALID_ARGUMENT', 'Import input must be a string, bytes, a Blob or a byte stream.');
  }
}

export async function readText(input: ImportInput): Promise<string> {
  if (typeof input === 'string') return input;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  for await (const chunk of byteChunks(input)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** Lines of a text or byte stream, decoded incrementally (the whole input is never one string). */
export async function* lines(input: ImportInput): AsyncGenerator<string> {
  if (typeof input === 'string') {
    let start = 0;
    while (start < input.length) {
      let end = input.indexOf('\n', start);
      if (end < 0) end = input.length;
      yield input.slice(start, end).replace(/\r$/, '');
      start = end + 1;
    }
    return;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  for await (const chunk of byteChunks(input)) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl: number;
    while ((nl = rest.indexOf('\n', start)) >= 0) {
      yield rest.slice(start, nl).replace(/\r$/, '');
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest) yield rest.replace(/\r$/, '');
}
