import type { Annotation } from '../types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * A sparse per-item text column (annotation JSON): a frozen UTF-8 base read lazily from a snapshot,
 * plus an overlay of changes since. Opening a project decodes nothing until an item is read.
 */
export class TextColumn {
  #baseBytes: Uint8Array = new Uint8Array(0);
  #baseOffsets: Uint32Array = new Uint32Array(1);
  #overlay = new Map<number, string | undefined>();
  #intern = new Map<string, string>();

  get(i: number): string | undefined {
    if (this.#overlay.has(i)) return this.#overlay.get(i);
    if (i + 1 >= this.#baseOffsets.length) return undefined;
    const a = this.#baseOffsets[i];
    const b = this.#baseOffsets[i + 1];
    return a === b ? undefined : decoder.decode(this.#baseBytes.subarray(a, b));
  }

  set(i: number, value: string | undefined): void {
    // Short values (classification tags) repeat: share one string.
    if (value !== undefined && value.length <= 96) {
      const shared = this.#intern.get(value);
      if (shared !== undefined) value = shared;
      else if (this.#intern.size < 4096) this.#intern.set(value, value);
    }
    this.#overlay.set(i, value);
  }

  has(i: number): boolean {
    if (this.#overlay.has(i)) return this.#overlay.get(i) !== undefined;
    return i + 1 < this.#baseOffsets.length && this.#baseOffsets[i] !== this.#baseOffsets[i + 1];
  }

  /** Indices with a value, ascending. */
  *keys(n: number): IterableIterator<number> {
    for (let i = 0; i < n; i++) if (this.has(i)) yield i;
  }

  /**
   * The first `n` items as one UTF-8 arena and its offsets. The base is copied in runs between the
   * changed items (only those are encoded): a full snapshot serializes three such columns over every
   * item, and a look-up per item took 10–50 ms of the command that took a 500k-item snapshot.
   */
  serialize(n: number): { bytes: Uint8Array; offsets: Uint32Array } {
    const base = this.#baseOffsets;
    const baseBytes = this.#baseBytes;
    const baseN = base.length - 1;
    /** Where item i starts in the base (items past the base have no value: its end). */
    const at = (i: number) => base[i < baseN ? i : baseN]!;
    const changed: number[] = [];
    for (const i of this.#overlay.keys()) if (i < n) changed.push(i);
    changed.sort((a, b) => a - b);
    const pieces: Uint8Array[] = [];
    let total = at(n) - at(0);
    for (const i of changed) {
      const v = this.#overlay.get(i);
      const piece = v === undefined ? EMPTY : encoder.encode(v);
      pieces.push(piece);
      total += piece.length - (at(i + 1) - at(i));
    }
    const bytes = new Uint8Array(total);
    const offsets = new Uint32Array(n + 1);
    let w = 0;
    let from = 0;
    for (let k = 0; k <= changed.length; k++) {
      const to = k < changed.length ? changed[k]! : n;
      // Items [from, to) as the base has them: one copy, and their offsets shifted.
      const a = at(from);
      bytes.set(baseBytes.subarray(a, at(to)), w);
      const shift = w - a;
      // Offsets of items in the base, shifted (copied as they are before the first change); past it, all the base's end.
      const inBase = Math.min(to, baseN);
      if (shift === 0 && from < inBase) offsets.set(base.subarray(from + 1, inBase + 1), from + 1);
      else for (let i = from; i < inBase; i++) offsets[i + 1] = base[i + 1]! + shift;
      if (inBase < to) offsets.fill(at(to) + shift, Math.max(from, inBase) + 1, to + 1);
      w += at(to) - a;
      if (k === changed.length) break;
      bytes.set(pieces[k]!, w);
      w += pieces[k]!.length;
      offsets[to + 1] = w;
      from = to + 1;
    }
    return { bytes, offsets };
  }

  static fromSerialized(bytes: Uint8Array, offsets: Uint32Array): TextColumn {
    const t = new TextColumn();
    t.#baseBytes = bytes;
    t.#baseOffsets = offsets;
    return t;
  }
}

const classTexts = new Map<string, string>();

/**
 * The JSON text of an item's annotations, as `JSON.stringify` writes it. One class tag written as
 * `{ kind, label }` — what every classification submit carries — comes from a cache: the fold then
 * neither stringifies nor allocates for it.
 */
export function annotationsText(anns: readonly Annotation[]): string {
  const a = anns.length === 1 ? anns[0]! : undefined;
  if (a?.kind !== 'class') return JSON.stringify(anns);
  let k = 0;
  for (const key in a) {
    if (k > 1 || key !== (k === 0 ? 'kind' : 'label')) return JSON.stringify(anns);
    k++;
  }
  if (k !== 2) return JSON.stringify(anns);
  let text = classTexts.get(a.label);
  if (text === undefined) {
    text = JSON.stringify(anns);
    if (classTexts.size < 4096) classTexts.set(a.label, text);
  }
  return text;
}
