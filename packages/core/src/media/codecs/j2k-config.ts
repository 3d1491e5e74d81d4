// Where the JPEG 2000 codec's .wasm is served (configureJpeg2000), kept apart from the codec module
// (j2k.ts), which the DICOM decoder loads only when a JPEG 2000 frame comes: setting it, and sending
// it to the media worker, do not pull the codec into a page's first bundle.

let wasmUrl: string | undefined;

/**
 * Where the media layer finds openjpegwasm_decode.wasm in pages and workers (default: use the pure-JS
 * build). A relative URL is resolved against the page (`document.baseURI`), and the media worker the
 * layer spawns gets the same URL with its next decode.
 */
export function configureJpeg2000(options: { wasmUrl?: string | URL }): void {
  const url = options.wasmUrl === undefined ? undefined : String(options.wasmUrl);
  const base = (globalThis as { document?: { baseURI?: string } }).document?.baseURI;
  wasmUrl = url !== undefined && base ? new URL(url, base).href : url;
}

/** The .wasm URL set with configureJpeg2000 (undefined: the pure-JS build). */
export function jpeg2000WasmUrl(): string | undefined {
  return wasmUrl;
}
