import { concatBytes } from '../util/bytes.js';
/** Reads a download response's body into bytes, in Node (a stream) and in browsers (a Blob). */
export async function bodyBytes(res: { readableStreamBody?: unknown; blobBody?: Promise<Blob> }, expectedLength?: number): Promise<Uint8Array> {
  if (res.blobBody) {
    const blob = await res.blobBody;
    return new Uint8Array(await blob.arrayBuffer());
  }
  const stream = res.readableStreamBody as AsyncIterable<Uint8Array> | undefined;
  if (!stream) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  if (expectedLength !== undefined && total !== expectedLength) {
    // A connection dropped mid-body: surface it as a transport failure so it is retried.
    throw Object.assign(new Error('response body ended early'), { code: 'ECONNRESET' });
  }
  const [only] = chunks;
  if (chunks.length === 1 && only) return new Uint8Array(only.buffer, only.byteOffset, only.byteLength);
  return concatBytes(chunks, total);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Listings give etags bare (`0x8D…`), headers quoted (`"0x8D…"`): one form everywhere, the quoted one. */
export function quoteEtag(etag: string | undefined): string | undefined {
  if (etag === undefined || etag === '') return etag;
  return etag.startsWith('"') || etag.startsWith('W/') ? etag : `"${etag}"`;
}
