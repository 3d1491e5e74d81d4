// Image → input tensor: resize or letterbox, channel order, scale/mean/std, NCHW or NHWC.
// Plain typed-array code, so the same pixels give the same tensor in Node, a worker and every device.
import { LabelkitError } from '@labelkit/core';

/** Decoded pixels: `channels` interleaved 8-bit values per pixel, rows top to bottom. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
  /** 4 (RGBA, default), 3 (RGB) or 1 (grey). */
  readonly channels?: 1 | 3 | 4;
}

export interface Preprocess {
  /** Input width and height of the model, in pixels. */
  readonly width: number;
  readonly height: number;
  /**
   * 'resize' stretches the image to width×height; 'letterbox' keeps the aspect ratio, places the
   * scaled image at the top-left and pads the rest with `pad` (YOLOX style).
   */
  readonly fit?: 'resize' | 'letterbox';
  /** Pad value of letterboxing, in 0..255 units before scale/mean/std (default 114). */
  readonly pad?: number;
  /** Channel order the model expects: 'rgb' (default), 'bgr' or 'gray' (luma). */
  readonly channels?: 'rgb' | 'bgr' | 'gray';
  /** value = (pixel·scale − mean[c]) / std[c]; pixel in 0..255. Defaults: scale 1, mean 0, std 1. */
  readonly scale?: number;
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
  /** Tensor layout (default NCHW). */
  readonly layout?: 'NCHW' | 'NHWC';
}

/** Where the image landed in the input: input = image·ratio (letterbox: same ratio on both axes). */
export interface Placement {
  readonly ratioX: number;
  readonly ratioY: number;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

export function inputChannels(p: Preprocess): number {
  return p.channels === 'gray' ? 1 : 3;
}

/** Number of floats one image takes in the input tensor. */
export function inputSize(p: Preprocess): number {
  return inputChannels(p) * p.width * p.height;
}

function checkPixels(px: Pixels): number {
  const c = px.channels ?? 4;
  if (!(px.width > 0 && px.height > 0) || px.data.length < px.width * px.height * c) {
    throw new LabelkitError('E_CORRUPT_IMAGE', `The image's pixel buffer (${px.data.length} bytes) is too small for ${px.width}×${px.height}×${c}.`, {
      width: px.width,
      height: px.height,
    });
  }
  return c;
}

/**
 * Samples the source into a `dw`×`dh` RGB float buffer (0..255): a box filter over each output
 * pixel's footprint when shrinking by 2× or more, bilinear otherwise.
 */
function resample(px: Pixels, c: number, dw: number, dh: number): Float32Array {
  const { width: sw, height: sh, data } = px;
  const out = new Float32Array(dw * dh * 3);
  const fx = sw / dw;
  const fy = sh / dh;
  const grey = c === 1;
  if (fx >= 2 || fy >= 2) {
    for (let y = 0; y < dh; y++) {
      const y0 = Math.floor(y * fy);
      const y1 = Math.max(y0 + 1, Math.min(sh, Math.floor((y + 1) * fy)));
      for (let x = 0; x < dw; x++) {
        const x0 = Math.floor(x * fx);
        const x1 = Math.max(x0 + 1, Math.min(sw, Math.floor((x + 1) * fx)));
        let r = 0,
          g = 0,
          b = 0;
        for (let yy = y0; yy < y1; yy++) {
          let i = (yy * sw + x0) * c;
          for (let xx = x0; xx < x1; xx++, i += c) {
            r += data[i]!;
            g += grey ? data[i]! : data[i + 1]!;
            b += grey ? data[i]! : data[i + 2]!;
          }
        }
        const n = (y1 - y0) * (x1 - x0);
        const o = (y * dw + x) * 3;
        out[o] = r / n;
        out[o + 1] = g / n;
        out[o + 2] = b / n;
      }
    }
    return out;
  }
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(sh - 1, Math.max(0, (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = sy - y0;
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(sw - 1, Math.max(0, (x + 0.5) * fx - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = sx - x0;
      const i00 = (y0 * sw + x0) * c,
        i01 = (y0 * sw + x1) * c,
        i10 = (y1 * sw + x0) * c,
        i11 = (y1 * sw + x1) * c;
      const o = (y * dw + x) * 3;
      for (let k = 0; k < 3; k++) {
        const ch = grey ? 0 : k;
        const top = data[i00 + ch]! * (1 - wx) + data[i01 + ch]! * wx;
        const bottom = data[i10 + ch]! * (1 - wx) + data[i11 + ch]! * wx;
        out[o + k] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/**
 * Writes one image into `out` at `offset` (floats) in the model's layout and returns where the image
 * landed, so detections can be mapped back to image pixels.
 */
export function preprocessInto(px: Pixels, p: Preprocess, out: Float32Array, offset = 0): Placement {
  const c = checkPixels(px);
  const W = p.width;
  const H = p.height;
  let dw = W;
  let dh = H;
  let ratioX = W / px.width;
  let ratioY = H / px.height;
  if (p.fit === 'letterbox') {
    const r = Math.min(W / px.width, H / px.height);
    dw = Math.max(1, Math.min(W, Math.round(px.width * r)));
    dh = Math.max(1, Math.min(H, Math.round(px.height * r)));
    ratioX = ratioY = r;
  }
  const rgb = dw === px.width && dh === px.height && c >= 3 ? null : resample(px, c, dw, dh);
  const channels = inputChannels(p);
  const scale = p.scale ?? 1;
  const mean = p.mean ?? [0, 0, 0];
  const std = p.std ?? [1, 1, 1];
  const order = p.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const nhwc = p.layout === 'NHWC';
  const plane = W * H;
  const pad = p.pad ?? 114;
  for (let oc = 0; oc < channels; oc++) {
    const m = mean[oc] ?? mean[0] ?? 0;
    const s = std[oc] ?? std[0] ?? 1;
    const src = order[oc]!;
    const padValue = (pad * scale - m) / s;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let v: number;
        if (x >= dw || y >= dh) v = padValue;
        else {
          let raw: number;
          if (channels === 1) {
            if (rgb) {
              const i = (y * dw + x) * 3;
              raw = c === 1 ? rgb[i]! : 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
            } else {
              const i = (y * px.width + x) * c;
              raw = 0.299 * px.data[i]! + 0.587 * px.data[i + 1]! + 0.114 * px.data[i + 2]!;
            }
          } else if (rgb) raw = rgb[(y * dw + x) * 3 + src]!;
          else raw = px.data[(y * px.width + x) * c + src]!;
          v = (raw * scale - m) / s;
        }
        const at = nhwc ? offset + (y * W + x) * channels + oc : offset + oc * plane + y * W + x;
        out[at] = v;
      }
    }
  }
  return { ratioX, ratioY, sourceWidth: px.width, sourceHeight: px.height };
}

/** One image as a fresh [1, C, H, W] (or [1, H, W, C]) float tensor buffer. */
export function preprocess(px: Pixels, p: Preprocess): { data: Float32Array; placement: Placement } {
  const data = new Float32Array(inputSize(p));
  const placement = preprocessInto(px, p, data, 0);
  return { data, placement };
}
