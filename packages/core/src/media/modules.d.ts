// jpeg-lossless-decoder-js ships no type declarations in its release folder.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer | null, numBytes?: number);
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}

// @cornerstonejs/codec-openjpeg: Emscripten module factories (CommonJS), no declarations.
declare module '@cornerstonejs/codec-openjpeg/decode' {
  const factory: (options?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: Record<string, unknown>) => Promise<unknown>;
  export default factory;
}
