// PNG files written by hand (no image library): a signature, an IHDR, the zlib-deflated scanlines in an
// IDAT and an IEND, each chunk CRC'd. The examples' sample images, and the tests' own.
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/** One chunk: the data's length, the type, the data, and the CRC of type and data. */
export function pngChunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG of 8-bit samples around an IDAT's zlib stream, taken as it is (colour type 0 grey, 2 RGB, 6 RGBA). */
export function pngFile(width, height, zlibData, { colorType = 6, interlace = 0 } = {}) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType;
  ihdr[12] = interlace;
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', zlibData), pngChunk('IEND', Buffer.alloc(0))]);
}

/** An 8-bit greyscale PNG from `gray` (width × height bytes). */
export function greyPng(gray, width, height) {
  const raw = Buffer.alloc((width + 1) * height); // each row: filter 0 (none), then its samples
  for (let y = 0; y < height; y++) raw.set(gray.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return pngFile(width, height, deflateSync(raw), { colorType: 0 });
}

/** A width × height RGB PNG of one colour. */
export function solidPng(width, height, [r, g, b]) {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set([r, g, b], 1 + x * 3);
  return pngFile(width, height, deflateSync(Buffer.concat(Array.from({ length: height }, () => row))), { colorType: 2 });
}
