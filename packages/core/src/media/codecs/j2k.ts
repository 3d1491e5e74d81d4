// JPEG 2000 (DICOM 1.2.840.10008.1.2.4.90 / .91) through @cornerstonejs/codec-openjpeg (OpenJPEG
// 2.5 built with Emscripten). In Node the WebAssembly build loads its .wasm next to itself; in
// pages and workers the pure-JS build needs no asset (slower — about 4× — but it works with any
// bundler); a host that serves the .wasm can point at it with configureJpeg2000({ wasmUrl }).
import { LabelkitError } from '../../errors.js';

interface J2KDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean };
  delete(): void;
}
interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoder;
}
type Factory = (options: Record<string, unknown>) => Promise<OpenJpegModule>;

// True only inside the built media worker (rollup.config.mjs defines it): no Node branch there, so
// no import for a host bundler to follow. `typeof` keeps the sources runnable as they are.
declare const __LABELKIT_SELF_CONTAINED_WORKER__: boolean | undefined;

let loading: Promise<OpenJpegModule> | undefined;
/** The .wasm URL `loading` was started with (a new configureJpeg2000 URL loads the codec again). */
let loadedWith: string | undefined;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return (
    !!p?.versions?.node &&
    typeof (globalThis as { window?: unknown }).window === 'undefined' &&
    typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'undefined'
  );
}

function factoryOf(mod: unknown): Factory {
  const m = mod as { default?: unknown };
  const f = typeof m === 'function' ? m : typeof m.default === 'function' ? m.default : (m.default as { default?: unknown })?.default;
  if (typeof f !== 'function') throw new LabelkitError('E_UNSUPPORTED_FORMAT', 'The JPEG 2000 codec could not be loaded.');
  return f as Factory;
}

function load(wasmUrl: string | undefined): Promise<OpenJpegModule> {
  const quiet = { print: () => {}, printErr: () => {} };
  if (loading && loadedWith !== wasmUrl) loading = undefined;
  loadedWith = wasmUrl;
  loading ??= (async () => {
    const options = wasmUrl ? { ...quiet, locateFile: () => wasmUrl } : quiet;
    if (typeof __LABELKIT_SELF_CONTAINED_WORKER__ === 'undefined' && isNode()) {
      // Node: the WebAssembly build reads its .wasm beside itself (fs, path). The specifier is
      // computed (no minifier folds it into a literal) and marked, so that no bundler follows it
      // into a browser build.
      const nodeBuild = ['@cornerstonejs/codec-openjpeg', 'decodewasmjs'].join('/');
      return factoryOf(await import(/* webpackIgnore: true */ /* @vite-ignore */ nodeBuild))(options);
    }
    // Pages and workers. The package build replaces both with ES modules made from the codec's
    // Emscripten output with its Node branches' require('fs'/'path') stubbed out (rollup.config.mjs).
    if (wasmUrl) {
      const url = wasmUrl;
      const factory = factoryOf(await import('@cornerstonejs/codec-openjpeg/decodewasmjs'));
      // Emscripten reports a .wasm it cannot fetch or compile as a bare abort: say which URL it was.
      return factory(options).catch((err: unknown) => {
        throw new LabelkitError(
          'E_FETCH_FAILED',
          `The JPEG 2000 codec's .wasm could not be loaded from ${url} (configureJpeg2000); serve the file there, or call configureJpeg2000({}) to use the pure-JS build.`,
          { url },
          { cause: err },
        );
      });
    }
    return factoryOf(await import('@cornerstonejs/codec-openjpeg/decode'))(quiet);
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

export interface J2KFrame {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly components: number;
  /** Decoded samples, little-endian, pixel-interleaved (1 or 2 bytes a sample). */
  readonly bytes: Uint8Array;
}

/**
 * Decodes one JPEG 2000 codestream (or JP2 file); `wasmUrl`: the .wasm to load (configureJpeg2000,
 * passed in by the caller, so this module, loaded on demand, imports nothing of the media layer).
 */
export async function decodeJ2k(data: Uint8Array, wasmUrl?: string): Promise<J2KFrame> {
  const lib = await load(wasmUrl);
  const decoder = new lib.J2KDecoder();
  try {
    decoder.getEncodedBuffer(data.length).set(data);
    decoder.decode();
    const info = decoder.getFrameInfo();
    // The decoded buffer is a view into the codec's memory: copy it before the decoder goes.
    const bytes = new Uint8Array(decoder.getDecodedBuffer()).slice();
    return { width: info.width, height: info.height, bitsPerSample: info.bitsPerSample, components: info.componentCount, bytes };
  } catch (err) {
    // An Emscripten abort leaves the module unusable: load a fresh one next time.
    loading = undefined;
    if (LabelkitError.is(err)) throw err;
    const text = typeof err === 'number' ? `OpenJPEG error ${err}` : ((err as Error)?.message ?? String(err));
    throw new LabelkitError('E_CORRUPT_IMAGE', `Corrupt DICOM: the JPEG 2000 frame does not decode (${text}).`, {}, { cause: err });
  } finally {
    try {
      decoder.delete();
    } catch {
      // the module aborted; it is dropped above
    }
  }
}
