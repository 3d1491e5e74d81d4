// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits-coded
// byte plane per segment (most significant byte of each sample first).
import { LabelkitError } from '../../errors.js';

function bad(message: string): LabelkitError {
  return new LabelkitError('E_CORRUPT_IMAGE', `Corrupt DICOM RLE frame: ${message}.`);
}

/**
 * Decodes one RLE frame into little-endian, pixel-interleaved bytes (rows × cols × samples × bytesPerSample).
 * Never reads or writes outside its buffers; a short segment leaves zeros (and is reported as corrupt).
 */
export function decodeDicomRle(frame: Uint8Array, rows: number, cols: number, samples: number, bytesPerSample: number): Uint8Array {
  if (frame.length < 64) throw bad(`the frame is ${frame.length} bytes, shorter than its 64-byte header`);
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = dv.getUint32(0, true);
  const expectedSegments = samples * bytesPerSample;
  if (segments !== expectedSegments) throw bad(`${segments} segments where ${expectedSegments} were expected`);
  const offsets: number[] = [];
  for (let i = 0; i < segments; i++) offsets.push(dv.getUint32(4 + 4 * i, true));
  const pixels = rows * cols;
  const out = new Uint8Array(pixels * expectedSegments);
  const stride = expectedSegments;
  for (let s = 0; s < segments; s++) {
    const start = offsets[s]!;
    const end = s + 1 < segments ? offsets[s + 1]! : frame.length;
    if (start < 64 || start > frame.length || end > frame.length || end < start) throw bad(`segment ${s} offset ${start} is outside the frame (${frame.length} bytes)`);
    // Segment s holds byte (s % bytesPerSample) of sample floor(s / bytesPerSample); byte 0 is the MSB.
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = s % bytesPerSample;
    const dest = sample * bytesPerSample + (bytesPerSample - 1 - byteInSample); // little-endian output
    let p = start;
    let n = 0; // pixels written
    while (p < end && n < pixels) {
      const c = frame[p++]!;
      if (c < 128) {
        const count = Math.min(c + 1, pixels - n, end - p);
        for (let k = 0; k < count; k++) out[(n + k) * stride + dest] = frame[p + k]!;
        p += c + 1;
        n += count;
      } else if (c > 128) {
        if (p >= end) break;
        const v = frame[p++]!;
        const count = Math.min(257 - c, pixels - n);
        for (let k = 0; k < count; k++) out[(n + k) * stride + dest] = v;
        n += count;
      }
      // 128 (-128): no operation
    }
    if (n < pixels) throw bad(`segment ${s} decodes to ${n} of ${pixels} bytes; the data is truncated`);
  }
  return out;
}
