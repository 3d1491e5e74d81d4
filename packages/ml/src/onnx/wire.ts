// A minimal protobuf wire-format reader and writer: just enough to read and rewrite the ONNX
// ModelProto fields the graph cut needs, keeping every other field's bytes exactly as they were.
import { LabelkitError } from '@labelkit/core';

/** Wire types of the protobuf encoding. */
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

/** One field of a message, as byte offsets into the message's buffer. */
export interface Field {
  readonly no: number;
  readonly wire: number;
  /** Offset of the field's tag (start of the whole field). */
  readonly start: number;
  /** Offset of the payload (after the tag, and after the length prefix for LEN fields). */
  readonly dataStart: number;
  /** Offset just past the field. */
  readonly end: number;
  /** Varint value (as a double: exact up to 2^53); 0 for other wire types. */
  readonly value: number;
}

function corrupt(what: string, at: number): LabelkitError {
  return new LabelkitError(
    'E_MODEL',
    `The ONNX model is not a valid protobuf (${what} at byte ${at}). Check that the file is an .onnx model and not a Git LFS pointer or HTML page.`,
    { at },
  );
}

/** Reads a varint at `pos`; returns [value, next position]. Values past 2^53 lose precision. */
export function readVarint(buf: Uint8Array, pos: number, limit = buf.length): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= limit) throw corrupt('truncated varint', pos);
    const b = buf[pos++]!; // pos < limit ≤ buf.length
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
  throw corrupt('varint longer than 10 bytes', pos);
}

/** Splits the message in `buf[start, end)` into its fields, in order. */
export function readFields(buf: Uint8Array, start = 0, end = buf.length): Field[] {
  const fields: Field[] = [];
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [tag, p1] = readVarint(buf, pos, end);
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (no === 0) throw corrupt('field number 0', fieldStart);
    pos = p1;
    let dataStart = pos;
    let value = 0;
    switch (wire) {
      case VARINT:
        [value, pos] = readVarint(buf, pos, end);
        break;
      case I64:
        pos += 8;
        break;
      case I32:
        pos += 4;
        break;
      case LEN: {
        const [len, p2] = readVarint(buf, pos, end);
        dataStart = p2;
        pos = p2 + len;
        break;
      }
      default:
        throw corrupt(`unsupported wire type ${wire}`, fieldStart);
    }
    if (pos > end) throw corrupt('field runs past the end of its message', fieldStart);
    fields.push({ no, wire, start: fieldStart, dataStart, end: pos, value });
  }
  return fields;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function fieldString(buf: Uint8Array, f: Field): string {
  return decoder.decode(buf.subarray(f.dataStart, f.end));
}

export function fieldBytes(buf: Uint8Array, f: Field): Uint8Array {
  return buf.subarray(f.dataStart, f.end);
}

/** Reads a repeated varint field that may be packed (LEN) or not (VARINT). */
export function readPackedVarints(buf: Uint8Array, f: Field, out: number[]): void {
  if (f.wire === VARINT) {
    out.push(f.value);
    return;
  }
  let pos = f.dataStart;
  while (pos < f.end) {
    const [v, next] = readVarint(buf, pos, f.end);
    out.push(v);
    pos = next;
  }
}

/** A growable byte sink that writes protobuf fields. */
export class Writer {
  #buf = new Uint8Array(256);
  #len = 0;

  #ensure(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Writes a non-negative varint, or a negative int64 as its 10-byte two's complement. */
  varint(v: number): this {
    this.#ensure(10);
    if (v < 0) {
      // Two's complement over 64 bits: low 32 bits and high 32 bits.
      let lo = v >>> 0;
      let hi = Math.floor(v / 4294967296) >>> 0;
      for (let i = 0; i < 9; i++) {
        this.#buf[this.#len++] = (lo & 0x7f) | 0x80;
        lo = ((lo >>> 7) | (hi << 25)) >>> 0;
        hi >>>= 7;
      }
      this.#buf[this.#len++] = lo & 0x01;
      return this;
    }
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#len++] = v;
    return this;
  }

  tag(no: number, wire: number): this {
    return this.varint(no * 8 + wire);
  }

  raw(bytes: Uint8Array): this {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  bytesField(no: number, bytes: Uint8Array): this {
    return this.tag(no, LEN).varint(bytes.length).raw(bytes);
  }

  stringField(no: number, s: string): this {
    return this.bytesField(no, encoder.encode(s));
  }

  varintField(no: number, v: number): this {
    return this.tag(no, VARINT).varint(v);
  }

  floatField(no: number, v: number): this {
    this.tag(no, I32);
    this.#ensure(4);
    new DataView(this.#buf.buffer, this.#len, 4).setFloat32(0, v, true);
    this.#len += 4;
    return this;
  }

  packedVarints(no: number, values: readonly number[]): this {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    return this.bytesField(no, inner.finish());
  }

  /** Writes a nested message built by `build`. */
  message(no: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytesField(no, inner.finish());
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}
