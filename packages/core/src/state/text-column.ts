import type { Annotation } from '../types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

  serialize(n: number): { bytes: Uint8Array; offsets: Uint32Array } {
    const offsets = new Uint32Array(n + 1);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      let piece: Uint8Array | undefined;
      if (this.#overlay.has(i)) {
        const v = this.#overlay.get(i);
        if (v !== undefined) piece = encoder.encode(v);
      } else if (i + 1 < this.#baseOffsets.length && this.#baseOffsets[i] !== this.#baseOffsets[i + 1]) {
        piece = this.#baseBytes.subarray(this.#baseOffsets[i], this.#baseOffsets[i + 1]);
      }
      if (piece) {
        parts.push(piece);
        total += piece.length;
      }
      offsets[i + 1] = total;
    }
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
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
