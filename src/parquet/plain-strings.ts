/**
 * A string column kept as bytes in the layout of a PLAIN page: each non-null value a 4-byte little-endian
 * length and its UTF-8 bytes, one after another in row order. A page of it is then one copy, a dictionary
 * compares bytes, and no JavaScript string is made on the way from the JSON text to the file: for text
 * that is mostly unique (messages, bodies, ids) the strings were most of the garbage and of the encoding.
 */
export class PlainStrings {
  /**
   * @param data the values, each as its length and bytes, in row order
   * @param offsets per row, where its value starts in `data` (at its length), or -1 for null
   */
  constructor(
    readonly data: Uint8Array,
    readonly offsets: Int32Array,
  ) {}

  /** The number of rows. */
  get length(): number {
    return this.offsets.length;
  }

  /** Row `row`'s value as a string, or null (for tests and messages; the writer copies bytes). */
  at(row: number): string | null {
    const bytes = this.bytesAt(row);
    return bytes === null ? null : decoder.decode(bytes);
  }

  /** Row `row`'s UTF-8 bytes (a view), or null. */
  bytesAt(row: number): Uint8Array | null {
    const offset = this.offsets[row]!;
    return offset < 0 ? null : this.data.subarray(offset + 4, offset + 4 + byteLength(this.data, offset));
  }

  /** Row `row`'s bytes as a latin1 string (one character a byte): a dictionary key, never shown. */
  key(row: number): string {
    const offset = this.offsets[row]!;
    return this.latin1.toString('latin1', offset + 4, offset + 4 + byteLength(this.data, offset));
  }

  private get latin1(): Buffer {
    return (this.buffer ??= Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength));
  }
  private buffer: Buffer | undefined;
}

/** The length of the value at `offset` of PLAIN strings `data`. */
export function byteLength(data: Uint8Array, offset: number): number {
  return (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16) | (data[offset + 3]! << 24)) >>> 0;
}

/**
 * Builds PlainStrings value by value, in row order (a row never set is null). One builder serves batch
 * after batch: `finish` hands out views of its storage, valid until `reset`.
 */
export class PlainStringsBuilder {
  private data: Uint8Array;
  private used = 0;
  private offsets: Int32Array;
  /** Rows whose offset is set (rows after the last value are filled at finish). */
  private rows = 0;

  constructor(rows = 1024) {
    this.offsets = new Int32Array(Math.max(16, rows));
    this.data = new Uint8Array(Math.max(256, rows * 16));
  }

  /** Row `row`'s value: the UTF-8 bytes [start, end) of `bytes` (already unescaped and valid). */
  add(row: number, bytes: Uint8Array, start: number, end: number): void {
    const n = end - start;
    const at = this.begin(row, n);
    const data = this.data;
    if (n <= 32) for (let i = 0; i < n; i++) data[at + i] = bytes[start + i]!;
    else data.set(bytes.subarray(start, end), at);
    this.used = at + n;
  }

  /** Row `row`'s value given as a string, encoded as UTF-8 (lone surrogates as U+FFFD, as TextEncoder does). */
  addString(row: number, value: string): void {
    const at = this.begin(row, value.length * 3);
    const data = this.data;
    let i = 0;
    for (; i < value.length && i < 32; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) break;
      data[at + i] = c;
    }
    const n = i === value.length ? i : i + encoder.encodeInto(value.slice(i), data.subarray(at + i)).written;
    data[at - 4] = n & 0xff;
    data[at - 3] = (n >>> 8) & 0xff;
    data[at - 2] = (n >>> 16) & 0xff;
    data[at - 1] = n >>> 24;
    this.used = at + n;
  }

  /** Rows [0, rows) as PlainStrings: views of this builder's storage, valid until reset. */
  finish(rows: number): PlainStrings {
    this.nullsUpTo(rows);
    return new PlainStrings(this.data.subarray(0, this.used), this.offsets.subarray(0, rows));
  }

  /** Empties the builder for the next batch, keeping its storage. */
  reset(): void {
    this.used = 0;
    this.rows = 0;
  }

  /** Sets row `row`'s offset, makes room for its length and up to `maxBytes` bytes, and writes the length; returns where the bytes go. */
  private begin(row: number, maxBytes: number): number {
    this.nullsUpTo(row);
    this.offsets[row] = this.used;
    this.rows = row + 1;
    const needed = this.used + 4 + maxBytes;
    if (needed > this.data.length) {
      const data = new Uint8Array(Math.max(needed, this.data.length * 2));
      data.set(this.data.subarray(0, this.used));
      this.data = data;
    }
    const data = this.data;
    const at = this.used;
    data[at] = maxBytes & 0xff;
    data[at + 1] = (maxBytes >>> 8) & 0xff;
    data[at + 2] = (maxBytes >>> 16) & 0xff;
    data[at + 3] = maxBytes >>> 24;
    return at + 4;
  }

  /** Rows from the last one set up to `row` (excluded) are null; room for row `row` too. */
  private nullsUpTo(row: number): void {
    if (row >= this.offsets.length) {
      const offsets = new Int32Array(Math.max(row + 1, this.offsets.length * 2));
      offsets.set(this.offsets.subarray(0, this.rows));
      this.offsets = offsets;
    }
    if (row > this.rows) {
      this.offsets.fill(-1, this.rows, row);
      this.rows = row;
    }
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
