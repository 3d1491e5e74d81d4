import { Column } from '../util/growable.js';
import { type CodedPaths, joinPaths, splitPaths } from './path-coding.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Interned strings in one UTF-8 arena with an open-addressing hash index: 500,000 paths cost
 * their bytes plus 12 bytes each, instead of a JS string and a Map entry each. Index i is the
 * i-th distinct string added; strings are never removed.
 */
export class StringTable {
  #bytes: Uint8Array;
  #used = 0;
  /** offsets[i]..offsets[i+1] is string i. */
  #offsets: Column<Uint32Array>;
  /** hash slot -> string index + 1 (0 = empty). */
  #slots: Int32Array;
  #hashes: Column<Uint32Array>;
  /**
   * After `deserialize` the hash index is built on first lookup, not on open: labeling never looks a
   * path up, and hashing every path cost ~10 ms per 100k items on each reopen.
   */
  #indexed = true;
  /**
   * After `fromCoded` (a format 2 snapshot): the strings as folders + file names, each joined when it
   * is read; the arena is built from them only when a string is looked up or added.
   */
  #coded: { paths: CodedPaths; dirs: string[] } | undefined;
  /** `split()`'s last answer, for a table of `size` strings. */
  #split: { size: number; paths: CodedPaths | undefined } | undefined;

  constructor(capacity = 1024) {
    this.#bytes = new Uint8Array(capacity * 32);
    this.#offsets = new Column(Uint32Array, capacity + 1);
    this.#offsets.push(0);
    this.#hashes = new Column(Uint32Array, capacity);
    this.#slots = new Int32Array(nextPow2(capacity * 2));
  }

  get size(): number {
    return this.#coded ? this.#coded.paths.dir.length : this.#offsets.length - 1;
  }

  get byteLength(): number {
    const c = this.#coded?.paths;
    if (c) return c.dirBytes.byteLength + c.dirOffsets.byteLength + c.dir.byteLength + c.names.byteLength + c.nameOffsets.byteLength;
    return this.#bytes.byteLength + this.#offsets.array.byteLength + this.#slots.byteLength + this.#hashes.array.byteLength;
  }

  /** The index of `s`, or -1. */
  indexOf(s: string): number {
    this.#ensureIndex();
    const enc = encoder.encode(s);
    return this.#find(enc, hashBytes(enc, 0, enc.length));
  }

  /** Adds `s` if new. Returns its index and whether it was added. */
  add(s: string): { index: number; added: boolean } {
    this.#ensureIndex();
    const enc = encoder.encode(s);
    const h = hashBytes(enc, 0, enc.length);
    const found = this.#find(enc, h);
    if (found >= 0) return { index: found, added: false };
    return { index: this.#append(enc, h), added: true };
  }

  get(i: number): string {
    const c = this.#coded;
    if (c) return c.dirs[c.paths.dir[i]!]! + decoder.decode(c.paths.names.subarray(c.paths.nameOffsets[i], c.paths.nameOffsets[i + 1]));
    const o = this.#offsets.array;
    return decoder.decode(this.#bytes.subarray(o[i], o[i + 1]));
  }

  /** Joins coded strings into the arena (once): lookups and appends work on it. */
  #join(): void {
    const c = this.#coded;
    if (!c) return;
    this.#coded = undefined;
    const { bytes, offsets } = joinPaths(c.paths);
    this.#bytes = bytes;
    this.#used = bytes.length;
    this.#offsets = Column.adopt(Uint32Array, offsets);
  }

  #ensureIndex(): void {
    this.#join();
    if (this.#indexed) return;
    this.#indexed = true;
    const n = this.size;
    const o = this.#offsets.array;
    const hashes = new Uint32Array(Math.max(16, n));
    for (let i = 0; i < n; i++) hashes[i] = hashBytes(this.#bytes, o[i]!, o[i + 1]!);
    this.#hashes = Column.from(Uint32Array, hashes.subarray(0, n).slice());
    this.#slots = new Int32Array(nextPow2(Math.max(16, n * 2 + 2)));
    for (let i = 0; i < n; i++) this.#insertSlot(i, hashes[i]!);
  }

  #find(enc: Uint8Array, h: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    const o = this.#offsets.array;
    const hashes = this.#hashes.array;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const v = slots[p]!;
      if (v === 0) return -1;
      const i = v - 1;
      if (hashes[i] !== h) continue;
      const start = o[i]!;
      const len = o[i + 1]! - start;
      if (len !== enc.length) continue;
      let same = true;
      for (let k = 0; k < len; k++) {
        if (this.#bytes[start + k] !== enc[k]) {
          same = false;
          break;
        }
      }
      if (same) return i;
    }
  }

  #append(enc: Uint8Array, h: number): number {
    if (this.#used + enc.length > this.#bytes.length) {
      let cap = Math.max(1024, this.#bytes.length * 2);
      while (cap < this.#used + enc.length) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#bytes.subarray(0, this.#used));
      this.#bytes = next;
    }
    this.#bytes.set(enc, this.#used);
    this.#used += enc.length;
    const index = this.size;
    this.#offsets.push(this.#used);
    this.#hashes.push(h);
    if (this.size * 2 > this.#slots.length) this.#rehash(this.#slots.length * 2);
    else this.#insertSlot(index, h);
    return index;
  }

  #insertSlot(index: number, h: number): void {
    const slots = this.#slots;
    const mask = slots.length - 1;
    let p = h & mask;
    while (slots[p] !== 0) p = (p + 1) & mask;
    slots[p] = index + 1;
  }

  #rehash(n: number): void {
    this.#slots = new Int32Array(n);
    const hashes = this.#hashes.array;
    for (let i = 0; i < this.size; i++) this.#insertSlot(i, hashes[i]!);
  }

  /** The coded paths this table was opened from, while it still holds them that way. */
  get coded(): CodedPaths | undefined {
    return this.#coded?.paths;
  }

  /**
   * The strings as folders + file names (`splitPaths`; undefined when that does not save a quarter
   * of them), as a snapshot stores them: the coded paths it was opened from, else a split of the
   * arena, kept until a string is added (strings are never changed or removed). Every full snapshot
   * needs it, and splitting 500k paths again took 50–80 ms of the command that took the snapshot.
   */
  split(): CodedPaths | undefined {
    if (this.#coded) return this.#coded.paths;
    if (this.#split?.size !== this.size) {
      const arena = this.serialize();
      this.#split = { size: this.size, paths: splitPaths(arena.bytes, arena.offsets) };
    }
    return this.#split.paths;
  }

  /** Compact binary form: the UTF-8 arena and the offsets. */
  serialize(): { bytes: Uint8Array; offsets: Uint32Array } {
    this.#join();
    return { bytes: this.#bytes.subarray(0, this.#used), offsets: this.#offsets.array.subarray(0, this.#offsets.length) };
  }

  static deserialize(bytes: Uint8Array, offsets: Uint32Array): StringTable {
    const n = offsets.length - 1;
    const t = new StringTable(16);
    // The snapshot's bytes themselves, not a copy: a path added later grows them into a copy first.
    t.#bytes = bytes;
    t.#used = bytes.length;
    t.#offsets = Column.adopt(Uint32Array, offsets);
    t.#hashes = new Column(Uint32Array, 16);
    t.#slots = new Int32Array(16);
    t.#indexed = n === 0;
    return t;
  }

  /** A table over coded paths (`splitPaths`), kept coded until a string is looked up or added. */
  static fromCoded(paths: CodedPaths): StringTable {
    const t = new StringTable(16);
    const dirs: string[] = [];
    for (let d = 0; d + 1 < paths.dirOffsets.length; d++) dirs.push(decoder.decode(paths.dirBytes.subarray(paths.dirOffsets[d], paths.dirOffsets[d + 1])));
    t.#coded = { paths, dirs };
    t.#hashes = new Column(Uint32Array, 16);
    t.#slots = new Int32Array(16);
    t.#indexed = paths.dir.length === 0;
    return t;
  }
}

function nextPow2(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}

/** FNV-1a over bytes, then a final avalanche so low bits spread well for the mask. */
function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
