// Window/level for greyscale images with more than 8 bits (and every DICOM greyscale image): the
// stored values stay as they are; a new window builds a lookup table over the stored range (at most
// 65,536 entries for 16-bit data) and re-maps to 8-bit RGBA with one lookup per pixel.
import { LabelkitError } from '../errors.js';
import type { RawGrey, WindowLevel, WindowPreset } from './types.js';

/** Largest stored-value range for which a lookup table is built (else the function is evaluated per pixel). */
const MAX_LUT = 1 << 20;

/**
 * The DICOM linear VOI function (PS3.3 C.11.2.1.2.1) from a modality value to 0..255:
 * below c − 0.5 − (w − 1)/2 → 0; above c − 0.5 + (w − 1)/2 → 255; linear between.
 */
export function windowValue(x: number, center: number, width: number): number {
  const w1 = Math.max(width, 1) - 1;
  const c = center - 0.5;
  if (x <= c - w1 / 2) return 0;
  if (x > c + w1 / 2) return 255;
  if (w1 === 0) return 255;
  return Math.round(((x - c) / w1 + 0.5) * 255);
}

/** Modality (rescaled) value range of a raster. */
export function modalityRange(raw: RawGrey): { min: number; max: number } {
  const a = raw.min * raw.slope + raw.intercept;
  const b = raw.max * raw.slope + raw.intercept;
  return { min: Math.min(a, b), max: Math.max(a, b) };
}

/** The window that maps [lo, hi] (modality units) onto 0..255. */
export function windowFromRange(lo: number, hi: number): WindowLevel {
  if (!(hi > lo)) return { center: lo + 0.5, width: 1 };
  // With the DICOM function, lo → 0 and hi → 255 when width = hi − lo + 1 and center = (lo + hi + 1) / 2.
  return { center: (lo + hi + 1) / 2, width: hi - lo + 1 };
}

/** Auto window: the full stored range (min/max). */
export function minMaxWindow(raw: RawGrey): WindowLevel {
  const { min, max } = modalityRange(raw);
  return windowFromRange(min, max);
}

/** A histogram of stored values (index = value − raw.min), or null when the range is too wide. */
function histogram(raw: RawGrey): Uint32Array | null {
  const range = raw.max - raw.min + 1;
  if (!(range > 0) || range > MAX_LUT) return null;
  const h = new Uint32Array(range);
  const d = raw.data;
  const min = raw.min;
  for (let i = 0; i < d.length; i++) h[d[i]! - min]!++;
  return h;
}

/** Auto window from percentiles of the stored values (e.g. 0.5 and 99.5): robust to a few extreme pixels. */
export function percentileWindow(raw: RawGrey, low = 0.5, high = 99.5): WindowLevel {
  const n = raw.data.length;
  if (!n) return minMaxWindow(raw);
  const h = histogram(raw);
  let lo: number;
  let hi: number;
  if (h) {
    const loCount = (low / 100) * n;
    const hiCount = (high / 100) * n;
    let acc = 0;
    lo = raw.min;
    hi = raw.max;
    let i = 0;
    for (; i < h.length; i++) {
      acc += h[i]!;
      if (acc > loCount) {
        lo = raw.min + i;
        break;
      }
    }
    acc = 0;
    for (i = 0; i < h.length; i++) {
      acc += h[i]!;
      if (acc >= hiCount) {
        hi = raw.min + i;
        break;
      }
    }
  } else {
    const sorted = Float64Array.from(raw.data).sort();
    lo = sorted[Math.min(n - 1, Math.floor((low / 100) * n))]!;
    hi = sorted[Math.min(n - 1, Math.floor((high / 100) * n))]!;
  }
  const a = lo * raw.slope + raw.intercept;
  const b = hi * raw.slope + raw.intercept;
  return windowFromRange(Math.min(a, b), Math.max(a, b));
}

/**
 * Presets for a raster: the file's own windows first (DICOM WC/WW), then min/max and two percentile
 * windows. The first preset is the default window.
 */
export function windowPresets(raw: RawGrey, fileWindows: readonly { center: number; width: number; explanation?: string }[] = []): WindowPreset[] {
  const presets: WindowPreset[] = fileWindows.map((w, i) => ({
    id: `dicom-${i}`,
    label: w.explanation ? `${w.explanation} (file)` : `File window ${i + 1}`,
    window: { center: w.center, width: w.width },
  }));
  presets.push({ id: 'auto-minmax', label: 'Min/max', window: minMaxWindow(raw) });
  presets.push({ id: 'auto-p0.5-99.5', label: 'Percentiles 0.5–99.5 %', window: percentileWindow(raw, 0.5, 99.5) });
  presets.push({ id: 'auto-p2-98', label: 'Percentiles 2–98 %', window: percentileWindow(raw, 2, 98) });
  return presets;
}

/** A lookup table (stored value − raw.min → packed RGBA as a little-endian uint32) for a window. */
function lut32(raw: RawGrey, window: WindowLevel): Uint32Array {
  const range = raw.max - raw.min + 1;
  const lut = new Uint32Array(range);
  for (let i = 0; i < range; i++) {
    let y = windowValue((raw.min + i) * raw.slope + raw.intercept, window.center, window.width);
    if (raw.invert) y = 255 - y;
    lut[i] = (0xff000000 | (y << 16) | (y << 8) | y) >>> 0;
  }
  return lut;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Renders stored values through a window into 8-bit RGBA (grey, opaque). Pass `out` (width × height × 4)
 * to re-use a buffer while dragging. MONOCHROME1 / MinIsWhite rasters come out inverted.
 */
export function renderWindow(raw: RawGrey, window: WindowLevel, out?: Uint8ClampedArray): Uint8ClampedArray {
  const n = raw.width * raw.height;
  if (!(Number.isFinite(window.center) && Number.isFinite(window.width))) throw new LabelkitError('E_INVALID_ARGUMENT', 'A window needs a finite center and width.', { window });
  const target = out ?? new Uint8ClampedArray(n * 4);
  if (target.length < n * 4) throw new LabelkitError('E_INVALID_ARGUMENT', `The output buffer holds ${target.length} bytes; ${n * 4} are needed.`);
  const d = raw.data;
  const min = raw.min;
  if (raw.max - raw.min + 1 <= MAX_LUT && littleEndian && target.byteOffset % 4 === 0) {
    const lut = lut32(raw, window);
    const o32 = new Uint32Array(target.buffer, target.byteOffset, n);
    for (let i = 0; i < n; i++) o32[i] = lut[d[i]! - min]!;
    return target;
  }
  for (let i = 0; i < n; i++) {
    let y = windowValue(d[i]! * raw.slope + raw.intercept, window.center, window.width);
    if (raw.invert) y = 255 - y;
    target[i * 4] = target[i * 4 + 1] = target[i * 4 + 2] = y;
    target[i * 4 + 3] = 255;
  }
  return target;
}

/**
 * Moves a window by a mouse drag, the way viewers do: right widens, left narrows; down raises the
 * center (darker), up lowers it. `scale` is modality units per pixel of drag (default: the value range / 512).
 */
export function dragWindow(window: WindowLevel, dx: number, dy: number, raw?: RawGrey, scale?: number): WindowLevel {
  let k = scale;
  if (k === undefined) {
    const range = raw ? modalityRange(raw) : { min: 0, max: 255 };
    k = Math.max((range.max - range.min) / 512, 0.01);
  }
  return { center: window.center + dy * k, width: Math.max(1, window.width + dx * k) };
}

/**
 * A small controller for the canvas: holds the raster and the current window, applies presets and
 * drags, and renders into one re-used RGBA buffer.
 */
export class WindowLeveler {
  readonly raw: RawGrey;
  readonly presets: readonly WindowPreset[];
  private current: WindowLevel;
  private buffer: Uint8ClampedArray | undefined;

  constructor(raw: RawGrey, presets?: readonly WindowPreset[], initial?: WindowLevel) {
    this.raw = raw;
    this.presets = presets ?? windowPresets(raw);
    this.current = initial ?? this.presets[0]?.window ?? minMaxWindow(raw);
  }

  get window(): WindowLevel {
    return this.current;
  }

  set(window: WindowLevel): WindowLevel {
    this.current = { center: window.center, width: Math.max(1, window.width) };
    return this.current;
  }

  /** Applies a preset by id; returns the window (or throws E_NOT_FOUND). */
  preset(id: string): WindowLevel {
    const p = this.presets.find((x) => x.id === id);
    if (!p) throw new LabelkitError('E_NOT_FOUND', `No window preset '${id}'. Presets: ${this.presets.map((x) => x.id).join(', ')}.`);
    return this.set(p.window);
  }

  drag(dx: number, dy: number, scale?: number): WindowLevel {
    return this.set(dragWindow(this.current, dx, dy, this.raw, scale));
  }

  /** Renders the current window; the same buffer is returned each time (copy it to keep a frame). */
  render(): Uint8ClampedArray {
    this.buffer ??= new Uint8ClampedArray(this.raw.width * this.raw.height * 4);
    return renderWindow(this.raw, this.current, this.buffer);
  }
}
