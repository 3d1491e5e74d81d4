/** One chunk: the data's length, the type, the data, and the CRC of type and data. */
export declare function pngChunk(type: string, data: Uint8Array): Buffer;
/** A PNG of 8-bit samples around an IDAT's zlib stream, taken as it is (colour type 0 grey, 2 RGB, 6 RGBA). */
export declare function pngFile(width: number, height: number, zlibData: Uint8Array, options?: { colorType?: number; interlace?: number }): Buffer;
/** An 8-bit greyscale PNG from `gray` (width × height bytes). */
export declare function greyPng(gray: Uint8Array, width: number, height: number): Buffer;
/** A width × height RGB PNG of one colour. */
export declare function solidPng(width: number, height: number, rgb: readonly number[]): Buffer;
