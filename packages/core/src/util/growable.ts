type TypedArray = Uint8Array | Int32Array | Uint32Array | Float64Array;
type Ctor<T extends TypedArray> = { new (n: number): T };

/** A typed-array column that grows by doubling. `array` is valid up to `length`. */
export class Column<T extends TypedArray> {
  array: T;
  length = 0;
  constructor(
    private readonly ctor: Ctor<T>,
    capacity = 1024,
    private readonly fill = 0,
  ) {
    this.array = new ctor(capacity);
    if (fill) this.array.fill(fill as never);
  }
  ensure(n: number): void {
    if (n <= this.array.length) return;
    let cap = this.array.length || 1;
    while (cap < n) cap *= 2;
    const next = new this.ctor(cap);
    if (this.fill) next.fill(this.fill as never);
    next.set(this.array as never);
    this.array = next;
  }
  push(v: number): number {
    this.ensure(this.length + 1);
    this.array[this.length] = v;
    return this.length++;
  }
  /** Grow to `n` entries (new ones hold the fill value). */
  resize(n: number): void {
    this.ensure(n);
    this.length = n;
  }
  /** A copy trimmed to `length`. */
  toArray(): T {
    return this.array.slice(0, this.length) as T;
  }
  /**
   * A column over `data` itself, not a copy (a snapshot's section, opened in place): it is written
   * where it is and replaced by a larger copy only when it grows.
   */
  static adopt<T extends TypedArray>(ctor: Ctor<T>, data: T, fill = 0): Column<T> {
    const c = new Column(ctor, 0, fill);
    c.array = data;
    c.length = data.length;
    return c;
  }
  static from<T extends TypedArray>(ctor: Ctor<T>, data: T, fill = 0): Column<T> {
    const c = new Column(ctor, Math.max(1024, data.length), fill);
    c.array.set(data as never);
    c.length = data.length;
    return c;
  }
}

/** A FIFO of item indices with O(1) push/shift (for queue lanes). */
export class IndexQueue {
  #buf = new Int32Array(256);
  #head = 0;
  #tail = 0;
  get size(): number {
    return this.#tail - this.#head;
  }
  push(v: number): void {
    if (this.#tail === this.#buf.length) {
      const live = this.#tail - this.#head;
      if (live * 2 <= this.#buf.length) {
        this.#buf.copyWithin(0, this.#head, this.#tail);
      } else {
        const next = new Int32Array(this.#buf.length * 2);
        next.set(this.#buf.subarray(this.#head, this.#tail));
        this.#buf = next;
      }
      this.#head = 0;
      this.#tail = live;
    }
    this.#buf[this.#tail++] = v;
  }
  /** Put back at the front (returned items are served first). */
  unshift(v: number): void {
    if (this.#head === 0) {
      const live = this.#tail - this.#head;
      const next = new Int32Array(Math.max(256, (live + 1) * 2));
      const start = Math.max(1, (next.length - live) >> 1);
      next.set(this.#buf.subarray(this.#head, this.#tail), start);
      this.#buf = next;
      this.#head = start;
      this.#tail = start + live;
    }
    this.#buf[--this.#head] = v;
  }
  peek(): number {
    return this.#tail > this.#head ? this.#buf[this.#head]! : -1;
  }
  shift(): number {
    return this.#tail > this.#head ? this.#buf[this.#head++]! : -1;
  }
  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = this.#head; i < this.#tail; i++) yield this.#buf[i]!;
  }
  clear(): void {
    this.#head = this.#tail = 0;
  }
}
