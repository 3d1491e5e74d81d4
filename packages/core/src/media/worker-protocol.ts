// The message protocol between client.ts and worker.ts, and the worker's request handler (kept apart
// from worker.ts so that importing it has no side effect).
import { describeDecodeFailure } from './failure.js';
import { LabelkitError } from '../errors.js';
import { decodeInProcess } from './decode-core.js';
import type { DecodedImage, DecodeOptions } from './types.js';
import { configureJpeg2000, jpeg2000WasmUrl } from './codecs/j2k-config.js';

export interface WorkerRequest {
  readonly id: number;
  readonly bytes: ArrayBuffer;
  readonly options: Omit<DecodeOptions, 'signal'>;
  /** The page's codec settings (configureJpeg2000), applied in the worker before it decodes. */
  readonly codecs?: { readonly jpeg2000WasmUrl?: string };
}
export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly image: DecodedImage }
  | { readonly id: number; readonly ok: false; readonly error: { code: string; message: string; details: Record<string, unknown> } };

/** Transferables of a decoded image (its pixel buffers and bitmap). */
export function transferablesOf(image: DecodedImage): Transferable[] {
  const list: Transferable[] = [];
  if (image.rgba) list.push(image.rgba.buffer as ArrayBuffer);
  if (image.raw && image.raw.data.buffer !== image.rgba?.buffer) list.push(image.raw.data.buffer as ArrayBuffer);
  if (image.bitmap) list.push(image.bitmap);
  return list;
}

/** Handles one request; exported for tests. */
export async function handleRequest(req: WorkerRequest): Promise<{ response: WorkerResponse; transfer: Transferable[] }> {
  try {
    if (req.codecs && req.codecs.jpeg2000WasmUrl !== jpeg2000WasmUrl()) configureJpeg2000({ wasmUrl: req.codecs.jpeg2000WasmUrl });
    const image = await decodeInProcess(new Uint8Array(req.bytes), req.options);
    // Typed arrays that view a bigger buffer would transfer (and copy) the whole buffer: trim them.
    const rgba = image.rgba && image.rgba.byteLength !== image.rgba.buffer.byteLength ? image.rgba.slice() : image.rgba;
    const raw = image.raw && image.raw.data.byteLength !== image.raw.data.buffer.byteLength ? { ...image.raw, data: image.raw.data.slice() } : image.raw;
    const trimmed = { ...image, ...(rgba ? { rgba } : {}), ...(raw ? { raw } : {}) };
    return { response: { id: req.id, ok: true, image: trimmed }, transfer: transferablesOf(trimmed) };
  } catch (err) {
    const failure = describeDecodeFailure(err);
    const details = LabelkitError.is(err) ? { ...err.details } : {};
    return { response: { id: req.id, ok: false, error: { code: failure.code, message: failure.reason, details: JSON.parse(JSON.stringify(details)) } }, transfer: [] };
  }
}
